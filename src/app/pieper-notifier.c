/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <libnotify/notify.h>

#include "pieper-notifier.h"

/*
 * The notifier is the one place that turns the alarm policy's decisions
 * into things the responder sees and hears. It keeps one NotifyNotification
 * per decision key ("incident-<id>", "storm", "missed") for as long as the
 * notification is open, so a re-alert replaces the notification it follows
 * and a withdrawal closes it, and so libnotify can still deliver a button
 * press for it. The policy has no timer: the notifier keeps exactly one,
 * set from next_wakeup() after every update.
 *
 * The summary (title) of a notification is plain text in the notification
 * specification (GNOME Shell escapes it itself), so it is only capped; the
 * body is markup there, so everything in it is escaped.
 */

#define TITLE_MAX_CHARS 200
#define BODY_MAX_CHARS  1000
#define CATEGORY        "x-pieper.page"

struct _PieperNotifier
{
  GObject            parent_instance;

  GApplication      *application;
  PieperStore       *store;
  GListModel        *incidents;
  PieperAlarmPolicy *policy;
  PieperAlarmSound  *sound;
  GSettings         *desktop_notifications;

  /* Key → NotifyNotification, while it is open. */
  GHashTable        *notifications;
  /* Keys whose alarm sounds until they are withdrawn. */
  GHashTable        *loud;
  guint              update_id;
  guint              wakeup_id;
  gboolean           failure_said;
};

G_DEFINE_FINAL_TYPE (PieperNotifier, pieper_notifier, G_TYPE_OBJECT)

/* Text */

static char *
cap (const char *text,
     glong       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  g_autofree char *head = NULL;

  if (g_utf8_strlen (valid, -1) <= max_chars)
    return g_steal_pointer (&valid);

  head = g_utf8_substring (valid, 0, max_chars - 1);
  return g_strconcat (head, "…", NULL);
}

static char *
plain_title (const char *text)
{
  char *title = cap (text, TITLE_MAX_CHARS);

  /* One line: a title with a newline would push the body out of view. */
  g_strdelimit (title, "\r\n\t", ' ');
  return title;
}

static char *
markup_body (const char *text)
{
  g_autofree char *capped = cap (text, BODY_MAX_CHARS);

  return g_markup_escape_text (capped, -1);
}

/* What the title does not say, as plain text: the number, the service, the
 * urgency, and the whole title when the notification's had to be cut. */
static char *
incident_body (PieperIncident *incident)
{
  GString *body = g_string_new (NULL);
  const char *service = pieper_incident_get_service (incident);
  const char *title = pieper_incident_get_title (incident);

  if (pieper_incident_get_number (incident) > 0)
    g_string_append_printf (body, "#%" G_GINT64_FORMAT, pieper_incident_get_number (incident));
  if (service != NULL && *service != '\0')
    g_string_append_printf (body, "%s%s", body->len > 0 ? " · " : "", service);
  g_string_append_printf (body, "%s%s", body->len > 0 ? " · " : "",
                          pieper_incident_get_urgency (incident) == PIEPER_URGENCY_HIGH
                            ? _("High urgency") : _("Low urgency"));
  if (title != NULL && g_utf8_strlen (title, -1) > TITLE_MAX_CHARS)
    g_string_append_printf (body, "\n%s", title);

  return g_string_free (body, FALSE);
}

/* Notifications */

static void
action_cb (NotifyNotification *notification,
           char               *action,
           gpointer            user_data)
{
  PieperNotifier *self = user_data;
  gint64 *incident_id = g_object_get_data (G_OBJECT (notification), "pieper-incident-id");
  gint64 id = incident_id != NULL ? *incident_id : 0;
  const char *name = g_str_equal (action, "default") ? "open" : action;

  if (self->application == NULL)
    return;

  if (g_str_equal (name, "open") && id == 0)
    g_application_activate (self->application);
  else if (g_action_group_has_action (G_ACTION_GROUP (self->application), name))
    g_action_group_activate_action (G_ACTION_GROUP (self->application), name,
                                    g_variant_new_int64 (id));
}

static void
closed_cb (PieperNotifier     *self,
           NotifyNotification *notification)
{
  const char *key = g_object_get_data (G_OBJECT (notification), "pieper-key");

  if (key != NULL && g_hash_table_lookup (self->notifications, key) == notification)
    g_hash_table_remove (self->notifications, key);
}

static void
say_failure (PieperNotifier *self,
             GError         *error)
{
  if (self->failure_said)
    return;

  self->failure_said = TRUE;
  g_message ("Cannot show notifications: %s", error->message);
}

static void
show (PieperNotifier *self,
      const char     *key,
      gint64          incident_id,
      const char     *title,
      const char     *body,
      gboolean        critical,
      gboolean        actions)
{
  NotifyNotification *notification = g_hash_table_lookup (self->notifications, key);
  g_autofree char *summary = plain_title (title);
  g_autofree char *markup = markup_body (body);
  g_autoptr(GError) error = NULL;

  if (notification == NULL)
    {
      notification = notify_notification_new (summary, markup, NULL);
      g_object_set_data_full (G_OBJECT (notification), "pieper-key", g_strdup (key), g_free);
      g_signal_connect_object (notification, "closed", G_CALLBACK (closed_cb), self, G_CONNECT_SWAPPED);
      g_hash_table_insert (self->notifications, g_strdup (key), notification);
    }
  else
    {
      notify_notification_update (notification, summary, markup, NULL);
      notify_notification_clear_actions (notification);
    }

  g_object_set_data_full (G_OBJECT (notification), "pieper-incident-id",
                          g_memdup2 (&incident_id, sizeof incident_id), g_free);
  notify_notification_set_app_name (notification, _("Pieper"));
  notify_notification_set_hint_string (notification, "desktop-entry",
                                       g_application_get_application_id (self->application));
  notify_notification_set_category (notification, CATEGORY);
  notify_notification_set_urgency (notification, critical ? NOTIFY_URGENCY_CRITICAL : NOTIFY_URGENCY_NORMAL);
  notify_notification_set_timeout (notification, critical ? NOTIFY_EXPIRES_NEVER : NOTIFY_EXPIRES_DEFAULT);

  if (actions)
    {
      notify_notification_add_action (notification, "acknowledge", _("Acknowledge"), action_cb, self, NULL);
      notify_notification_add_action (notification, "escalate", _("Escalate"), action_cb, self, NULL);
    }
  notify_notification_add_action (notification, "open", _("Open"), action_cb, self, NULL);
  notify_notification_add_action (notification, "default", _("Open"), action_cb, self, NULL);

  if (!notify_notification_show (notification, &error))
    say_failure (self, error);
}

static void
withdraw (PieperNotifier *self,
          const char     *key)
{
  NotifyNotification *notification = g_hash_table_lookup (self->notifications, key);

  if (notification != NULL)
    {
      g_autoptr(GObject) closing = g_object_ref (G_OBJECT (notification));

      g_hash_table_remove (self->notifications, key);
      /* Closing a notification the server already dropped is no error
       * worth more than a debug line. */
      if (!notify_notification_close (NOTIFY_NOTIFICATION (closing), NULL))
        g_debug ("Could not close notification %s", key);
    }

  g_hash_table_remove (self->loud, key);
  if (g_hash_table_size (self->loud) == 0)
    pieper_alarm_sound_stop (self->sound);
}

static char *
summary_body (GHashTable *by_id,
              GArray     *ids)
{
  GString *body = g_string_new (NULL);

  for (guint i = 0; ids != NULL && i < ids->len && body->len < BODY_MAX_CHARS; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      PieperIncident *incident = g_hash_table_lookup (by_id, &id);

      if (incident != NULL)
        g_string_append_printf (body, "%s%s", body->len > 0 ? "\n" : "",
                                pieper_incident_get_title (incident));
    }

  return g_string_free (body, FALSE);
}

static void
apply (PieperNotifier            *self,
       const PieperAlarmDecision *decision,
       GHashTable                *by_id)
{
  switch (decision->kind)
    {
    case PIEPER_ALARM_WITHDRAW:
      withdraw (self, decision->key);
      return;

    case PIEPER_ALARM_NOTIFY:
    case PIEPER_ALARM_REALERT:
      {
        g_autofree char *body = incident_body (decision->incident);

        show (self, decision->key, decision->incident_id,
              pieper_incident_get_title (decision->incident), body,
              decision->critical, TRUE);
      }
      break;

    case PIEPER_ALARM_STORM_SUMMARY:
    case PIEPER_ALARM_MISSED_SUMMARY:
      {
        guint n = decision->incident_ids != NULL ? decision->incident_ids->len : 0;
        g_autofree char *title = NULL;
        g_autofree char *body = summary_body (by_id, decision->incident_ids);

        if (decision->kind == PIEPER_ALARM_STORM_SUMMARY)
          title = g_strdup_printf (ngettext ("%u incident is paging", "%u incidents are paging", n), n);
        else
          title = g_strdup_printf (ngettext ("%u page while Pieper was away",
                                             "%u pages while Pieper was away", n), n);
        show (self, decision->key, 0, title, body, decision->critical, FALSE);
      }
      break;

    default:
      g_assert_not_reached ();
    }

  if (decision->sound)
    {
      g_hash_table_add (self->loud, g_strdup (decision->key));
      pieper_alarm_sound_start (self->sound);
    }
}

/* Updates */

static gboolean dnd_active (PieperNotifier *self);
static void     schedule (PieperNotifier *self, gint64 now);

void
pieper_notifier_update (PieperNotifier *self)
{
  g_autoptr(GPtrArray) incidents = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) decisions = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) triggered = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *ids = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_if_fail (PIEPER_IS_NOTIFIER (self));

  g_clear_handle_id (&self->update_id, g_source_remove);

  /* Who "me" is can change with every sync (whoami), so ask each time:
   * a handful of rows. */
  if ((accounts = pieper_store_list_accounts (self->store, NULL)) != NULL)
    for (guint i = 0; i < accounts->len; i++)
      {
        PieperAccount *account = g_ptr_array_index (accounts, i);

        pieper_alarm_policy_set_me (self->policy, pieper_account_get_id (account),
                                    pieper_account_get_user_id (account),
                                    pieper_account_get_user_name (account));
      }

  /* Only a triggered incident pages (pieper_alarm_policy_update() passes
   * over the others): read only those from the store, not every item of
   * the list, which keeps objects only for the rows a view shows. The
   * list's changes are what says when to look. */
  if (!(triggered = pieper_store_list_incidents (self->store, PIEPER_FILTER_TRIGGERED, &error)))
    {
      /* Pages stay as they are until the next update. */
      g_warning ("Could not read the incidents: %s", error->message);
      return;
    }
  g_ptr_array_extend_and_steal (incidents, g_steal_pointer (&triggered));
  /* For the summaries' bodies: store id → incident. */
  ids = g_new (gint64, MAX (incidents->len, 1));
  for (guint i = 0; i < incidents->len; i++)
    {
      ids[i] = pieper_incident_get_id (g_ptr_array_index (incidents, i));
      g_hash_table_insert (by_id, &ids[i], g_ptr_array_index (incidents, i));
    }

  decisions = pieper_alarm_policy_update (self->policy, incidents, now, dnd_active (self));
  for (guint i = 0; i < decisions->len; i++)
    apply (self, g_ptr_array_index (decisions, i), by_id);

  schedule (self, now);
}

static gboolean
wakeup_cb (gpointer user_data)
{
  PieperNotifier *self = user_data;

  self->wakeup_id = 0;
  pieper_notifier_update (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (PieperNotifier *self,
          gint64          now)
{
  gint64 wakeup = pieper_alarm_policy_next_wakeup (self->policy, now);

  g_clear_handle_id (&self->wakeup_id, g_source_remove);
  if (wakeup > 0)
    self->wakeup_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, (guint) MAX (wakeup - now, 1),
                                                  wakeup_cb, self, NULL);
}

static gboolean
update_cb (gpointer user_data)
{
  PieperNotifier *self = user_data;

  self->update_id = 0;
  pieper_notifier_update (self);
  return G_SOURCE_REMOVE;
}

/* One refresh of the list emits a few items-changed in a row: update once
 * they are all in, so the policy sees the list whole. */
static void
queue_update (PieperNotifier *self)
{
  if (self->update_id == 0)
    self->update_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, update_cb, self, NULL);
}

static void
items_changed_cb (PieperNotifier *self,
                  guint           position,
                  guint           removed,
                  guint           added,
                  GListModel     *model)
{
  queue_update (self);
}

/* Do Not Disturb, as GNOME has it: banners off. Elsewhere there is no
 * common switch to read, so it is never on. */
static gboolean
dnd_active (PieperNotifier *self)
{
  return self->desktop_notifications != NULL &&
         !g_settings_get_boolean (self->desktop_notifications, "show-banners");
}

static GSettings *
lookup_desktop_notifications (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL ||
      !(schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.notifications", TRUE)) ||
      !g_settings_schema_has_key (schema, "show-banners"))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

static void
policy_changed_cb (PieperNotifier *self)
{
  queue_update (self);
}

/* Public */

PieperNotifier *
pieper_notifier_new (GApplication *application,
                     PieperStore  *store,
                     GListModel   *incidents)
{
  PieperNotifier *self;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (PIEPER_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (incidents), NULL);

  if (!notify_is_initted ())
    notify_init (g_application_get_application_id (application));

  self = g_object_new (PIEPER_TYPE_NOTIFIER, NULL);
  self->application = application;
  g_object_add_weak_pointer (G_OBJECT (application), (gpointer *) &self->application);
  self->store = g_object_ref (store);
  self->incidents = g_object_ref (incidents);
  g_signal_connect_object (incidents, "items-changed", G_CALLBACK (items_changed_cb),
                           self, G_CONNECT_SWAPPED);

  if ((self->desktop_notifications = lookup_desktop_notifications ()) != NULL)
    g_signal_connect_object (self->desktop_notifications, "changed::show-banners",
                             G_CALLBACK (policy_changed_cb), self, G_CONNECT_SWAPPED);
  /* A changed setting (re-alert interval, quiet hours, Do Not Disturb
   * override) calls for an update of its own. */
  g_signal_connect_object (self->policy, "notify", G_CALLBACK (policy_changed_cb),
                           self, G_CONNECT_SWAPPED);

  /* What pages now began while Pieper was not running: one summary of
   * missed pages rather than a popup each. */
  pieper_alarm_policy_resume (self->policy, 0);
  queue_update (self);
  return self;
}

PieperAlarmPolicy *
pieper_notifier_get_policy (PieperNotifier *self)
{
  g_return_val_if_fail (PIEPER_IS_NOTIFIER (self), NULL);

  return self->policy;
}

PieperAlarmSound *
pieper_notifier_get_alarm_sound (PieperNotifier *self)
{
  g_return_val_if_fail (PIEPER_IS_NOTIFIER (self), NULL);

  return self->sound;
}

void
pieper_notifier_show_message (PieperNotifier *self,
                              const char     *key,
                              const char     *title,
                              const char     *body)
{
  g_return_if_fail (PIEPER_IS_NOTIFIER (self));
  g_return_if_fail (key != NULL);

  show (self, key, 0, title, body, FALSE, FALSE);
}

void
pieper_notifier_close_all (PieperNotifier *self)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (PIEPER_IS_NOTIFIER (self));

  g_hash_table_iter_init (&iter, self->notifications);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, g_strdup (key));
  for (guint i = 0; i < keys->len; i++)
    withdraw (self, g_ptr_array_index (keys, i));
  g_hash_table_remove_all (self->loud);
  pieper_alarm_sound_stop (self->sound);
}

/* GObject */

static void
pieper_notifier_dispose (GObject *object)
{
  PieperNotifier *self = PIEPER_NOTIFIER (object);

  g_clear_handle_id (&self->update_id, g_source_remove);
  g_clear_handle_id (&self->wakeup_id, g_source_remove);
  if (self->sound != NULL)
    pieper_alarm_sound_stop (self->sound);
  /* The notifications stay on screen when Pieper quits (the page is not
   * over), but their buttons no longer reach this object. */
  if (self->notifications != NULL)
    {
      GHashTableIter iter;
      gpointer notification;

      g_hash_table_iter_init (&iter, self->notifications);
      while (g_hash_table_iter_next (&iter, NULL, &notification))
        {
          notify_notification_clear_actions (notification);
          g_signal_handlers_disconnect_by_data (notification, self);
        }
      g_hash_table_remove_all (self->notifications);
    }
  if (self->application != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->application), (gpointer *) &self->application);
      self->application = NULL;
    }
  g_clear_object (&self->desktop_notifications);
  g_clear_object (&self->incidents);
  g_clear_object (&self->store);
  g_clear_object (&self->policy);
  g_clear_object (&self->sound);

  G_OBJECT_CLASS (pieper_notifier_parent_class)->dispose (object);
}

static void
pieper_notifier_finalize (GObject *object)
{
  PieperNotifier *self = PIEPER_NOTIFIER (object);

  g_hash_table_unref (self->notifications);
  g_hash_table_unref (self->loud);

  G_OBJECT_CLASS (pieper_notifier_parent_class)->finalize (object);
}

static void
pieper_notifier_class_init (PieperNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pieper_notifier_dispose;
  object_class->finalize = pieper_notifier_finalize;
}

static void
pieper_notifier_init (PieperNotifier *self)
{
  self->policy = pieper_alarm_policy_new ();
  self->sound = pieper_alarm_sound_new ();
  self->notifications = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->loud = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
