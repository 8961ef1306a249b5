/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "pieper-application.h"
#include "pieper-incident-page.h"
#include "pieper-incident-row.h"
#include "pieper-timeline-row.h"

/*
 * The incident page. Its buttons are the app's actions with the incident's
 * store id as target, so they queue through the same code as shortcuts and
 * notifications; those the server cannot do are hidden. Escalate and
 * Snooze offer their choices in a menu (app.escalate-to, app.snooze-for);
 * Reassign offers the responder and the people the account's incidents
 * have named.
 */

/* Snooze durations offered, in minutes; app.snooze is the default. */
static const guint snooze_choices[] = { 15, 30, 60, 120, 240, 480, 1440 };

/* People offered in the reassign popover, at most. */
#define MAX_PEOPLE 8

struct _PieperIncidentPage
{
  GtkWidget        parent_instance;

  PieperIncident  *incident;

  GtkStack        *stack;
  GtkLabel        *title_label;
  GtkLabel        *status_label;
  GtkLabel        *urgency_label;
  GtkWidget       *pending_box;
  GtkLabel        *pending_label;
  GtkWidget       *acknowledge_button;
  GtkWidget       *escalate_button;
  GtkWidget       *reassign_button;
  GtkPopover      *reassign_popover;
  GtkEditable     *reassign_entry;
  GtkListBox      *people_list;
  GtkWidget       *snooze_button;
  GtkWidget       *resolve_button;
  AdwActionRow    *priority_row;
  AdwActionRow    *service_row;
  AdwActionRow    *policy_row;
  AdwActionRow    *manager_row;
  AdwActionRow    *opened_row;
  GtkWidget       *links_group;
  AdwActionRow    *chat_row;
  AdwActionRow    *video_row;
  AdwActionRow    *status_page_row;
  AdwActionRow    *postmortem_row;
  GtkWidget       *note_box;
  GtkEditable     *note_entry;
  GtkListBox      *timeline_list;

  /* The timeline shown: the entries given last, kept so that showing the
   * incident again changes only the rows whose entries changed. */
  GListStore      *timeline;

  /* The incident the action targets and the menus were made for (and the
   * level of the Escalate menu), so that showing the same incident again
   * does not make them again. */
  gint64           made_for;
  int              made_for_level;
  int              badge_status;
};

G_DEFINE_FINAL_TYPE (PieperIncidentPage, pieper_incident_page, GTK_TYPE_WIDGET)

static void
set_value (AdwActionRow *row,
           const char   *value)
{
  gboolean known = value != NULL && *value != '\0';

  adw_action_row_set_subtitle (row, known ? value : _("Not set"));
}

/* A link row shows only when the server has the link; its subtitle is the
 * address, so the responder sees where it goes before going. */
static gboolean
set_link (AdwActionRow *row,
          const char   *url)
{
  gboolean known = url != NULL && *url != '\0';

  gtk_widget_set_visible (GTK_WIDGET (row), known);
  adw_action_row_set_subtitle (row, known ? url : "");
  return known;
}

static void
set_action (GtkWidget          *button,
            PieperCapabilities  capabilities,
            PieperCapabilities  needed,
            const char         *action_name,
            GVariant           *target)
{
  GtkWidget *child = gtk_widget_get_parent (button);
  gboolean can = (capabilities & needed) != 0;

  /* Hidden as a flow box child, so no empty cell stays behind. */
  gtk_widget_set_visible (GTK_IS_FLOW_BOX_CHILD (child) ? child : button, can);
  /* The target first: an action with a parameter and no target yet is a
   * mismatch GTK warns about. No target: the same as set last. */
  if (action_name != NULL && target != NULL)
    {
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
    }
}

static char *
duration_label (guint minutes)
{
  if (minutes % 60 != 0)
    return g_strdup_printf (ngettext ("%u minute", "%u minutes", minutes), minutes);

  return g_strdup_printf (ngettext ("%u hour", "%u hours", minutes / 60), minutes / 60);
}

static GMenuModel *
snooze_menu (gint64 incident_id)
{
  GMenu *menu = g_menu_new ();

  for (guint k = 0; k < G_N_ELEMENTS (snooze_choices); k++)
    {
      g_autofree char *label = duration_label (snooze_choices[k]);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target_value (item, "app.snooze-for",
                                               g_variant_new ("(xu)", incident_id, snooze_choices[k]));
      g_menu_append_item (menu, item);
    }

  return G_MENU_MODEL (menu);
}

/* The last level offered. The incident knows its level, not how many the
 * policy has, so two past it (and at least three) are offered; escalating
 * past the last one is a conflict the server reports. */
static int
last_level (int current)
{
  return MAX (current + 2, 3);
}

/* "Next level" first, then every level but the current one. */
static GMenuModel *
escalate_menu (gint64 incident_id,
               int    current)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) levels = g_menu_new ();
  g_autoptr(GMenuItem) next = NULL;
  g_autofree char *next_label = NULL;

  /* TRANSLATORS: a menu item; %d is the level that is next. */
  next_label = g_strdup_printf (_("Next Level (%d)"), current + 1);
  next = g_menu_item_new (next_label, NULL);
  g_menu_item_set_action_and_target_value (next, "app.escalate-to",
                                           g_variant_new ("(xi)", incident_id, 0));
  g_menu_append_item (menu, next);

  for (int level = 1; level <= last_level (current); level++)
    {
      g_autofree char *label = NULL;
      g_autoptr(GMenuItem) item = NULL;

      if (level == current)
        continue;

      /* TRANSLATORS: a menu item, an escalation level to page. */
      label = g_strdup_printf (_("Level %d"), level);
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "app.escalate-to",
                                               g_variant_new ("(xi)", incident_id, level));
      g_menu_append_item (levels, item);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (levels));

  return G_MENU_MODEL (menu);
}

static GtkWidget *
create_timeline_row_cb (gpointer item,
                        gpointer user_data)
{
  return pieper_timeline_row_new (PIEPER_TIMELINE_ENTRY (item));
}

static gboolean
same_text (const char *a,
           const char *b)
{
  return g_strcmp0 (a, b) == 0;
}

/* Whether @a and @b show the same: their row would be made the same. */
static gboolean
same_entry (PieperTimelineEntry *a,
            PieperTimelineEntry *b)
{
  return a == b ||
         (pieper_timeline_entry_get_id (a) == pieper_timeline_entry_get_id (b) &&
          pieper_timeline_entry_get_incident_id (a) == pieper_timeline_entry_get_incident_id (b) &&
          pieper_timeline_entry_get_kind (a) == pieper_timeline_entry_get_kind (b) &&
          pieper_timeline_entry_get_at (a) == pieper_timeline_entry_get_at (b) &&
          pieper_timeline_entry_get_origin (a) == pieper_timeline_entry_get_origin (b) &&
          pieper_timeline_entry_get_action_id (a) == pieper_timeline_entry_get_action_id (b) &&
          pieper_timeline_entry_get_sync_state (a) == pieper_timeline_entry_get_sync_state (b) &&
          same_text (pieper_timeline_entry_get_remote_id (a), pieper_timeline_entry_get_remote_id (b)) &&
          same_text (pieper_timeline_entry_get_author (a), pieper_timeline_entry_get_author (b)) &&
          same_text (pieper_timeline_entry_get_body (a), pieper_timeline_entry_get_body (b)));
}

/* Makes the shown timeline @timeline's entries (none for NULL), keeping
 * the rows before and after the entries that changed: an action adds one
 * row, or changes one, and the others stay as they are. */
static void
update_timeline (PieperIncidentPage *self,
                 GListModel         *timeline)
{
  GListModel *shown = G_LIST_MODEL (self->timeline);
  guint n_shown = g_list_model_get_n_items (shown);
  guint n = timeline != NULL ? g_list_model_get_n_items (timeline) : 0;
  guint before = 0, after = 0;
  g_autoptr(GPtrArray) added = NULL;

  while (before < n_shown && before < n)
    {
      g_autoptr(PieperTimelineEntry) a = g_list_model_get_item (shown, before);
      g_autoptr(PieperTimelineEntry) b = g_list_model_get_item (timeline, before);

      if (!same_entry (a, b))
        break;
      before++;
    }
  while (after < n_shown - before && after < n - before)
    {
      g_autoptr(PieperTimelineEntry) a = g_list_model_get_item (shown, n_shown - 1 - after);
      g_autoptr(PieperTimelineEntry) b = g_list_model_get_item (timeline, n - 1 - after);

      if (!same_entry (a, b))
        break;
      after++;
    }

  if (before + after == n_shown && before + after == n)
    return;

  added = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint k = before; k < n - after; k++)
    g_ptr_array_add (added, g_list_model_get_item (timeline, k));
  g_list_store_splice (self->timeline, before, n_shown - before - after, added->pdata, added->len);
}

void
pieper_incident_page_set_incident (PieperIncidentPage *self,
                                   PieperIncident     *incident,
                                   PieperCapabilities  capabilities,
                                   GListModel         *timeline)
{
  g_autoptr(GVariant) target = NULL;
  g_autoptr(GMenuModel) escalate_choices = NULL;
  g_autoptr(GMenuModel) snooze_choices_menu = NULL;
  g_autoptr(GDateTime) opened = NULL;
  g_autofree char *opened_text = NULL;
  g_autofree char *managers = NULL;
  g_autofree char *policy = NULL;
  const char * const *assignees;
  PieperStatus status;
  gboolean any_link = FALSE;
  guint pending;

  g_return_if_fail (PIEPER_IS_INCIDENT_PAGE (self));
  g_return_if_fail (incident == NULL || PIEPER_IS_INCIDENT (incident));
  g_return_if_fail (timeline == NULL || G_IS_LIST_MODEL (timeline));

  /* A note half written stays when the same incident is shown again. */
  if (incident == NULL || self->incident == NULL ||
      pieper_incident_get_id (incident) != pieper_incident_get_id (self->incident))
    gtk_editable_set_text (self->note_entry, "");

  g_set_object (&self->incident, incident);
  update_timeline (self, timeline);

  if (incident == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, "incident");
  gtk_label_set_text (self->title_label, pieper_incident_get_title (incident));

  status = pieper_incident_get_status (incident);
  gtk_label_set_text (self->status_label, _pieper_status_label (status));
  /* Its classes taken off and put back would restyle it for nothing. */
  if ((int) status != self->badge_status)
    _pieper_set_badge (GTK_WIDGET (self->status_label), _pieper_status_css_class (status));
  self->badge_status = (int) status;
  gtk_label_set_text (self->urgency_label, _pieper_urgency_label (pieper_incident_get_urgency (incident)));

  pending = pieper_incident_get_pending (incident);
  gtk_widget_set_visible (gtk_widget_get_parent (self->pending_box), pending > 0);
  if (pending > 0)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u change waiting to sync",
                                                         "%u changes waiting to sync", pending),
                                               pending);
      gtk_label_set_text (self->pending_label, text);
    }

  set_value (self->priority_row, pieper_incident_get_priority (incident));
  set_value (self->service_row, pieper_incident_get_service (incident));
  if (pieper_incident_get_escalation_policy (incident) != NULL)
    /* TRANSLATORS: the escalation policy and the level it is at now. */
    policy = g_strdup_printf (_("%s, level %d"), pieper_incident_get_escalation_policy (incident),
                              pieper_incident_get_escalation_level (incident));
  set_value (self->policy_row, policy);
  assignees = pieper_incident_get_assignees (incident);
  if (assignees != NULL && assignees[0] != NULL)
    managers = g_strjoinv (", ", (char **) assignees);
  set_value (self->manager_row, managers);
  opened = g_date_time_new_from_unix_local (pieper_incident_get_created_at (incident));
  if (opened != NULL && pieper_incident_get_created_at (incident) > 0)
    opened_text = g_date_time_format (opened, "%c");
  set_value (self->opened_row, opened_text);

  any_link |= set_link (self->chat_row, pieper_incident_get_chat_url (incident));
  any_link |= set_link (self->video_row, pieper_incident_get_video_url (incident));
  any_link |= set_link (self->status_page_row, pieper_incident_get_status_page_url (incident));
  any_link |= set_link (self->postmortem_row, pieper_incident_get_postmortem_url (incident));
  gtk_widget_set_visible (self->links_group, any_link);

  /* What makes no sense in this status is hidden too: a resolved incident
   * is not acknowledged again, and only an acknowledged one is snoozed
   * (the outbox refuses the rest). */
  if (status == PIEPER_STATUS_RESOLVED)
    capabilities &= PIEPER_CAPABILITY_NOTE;
  else if (status == PIEPER_STATUS_ACKNOWLEDGED)
    capabilities &= ~PIEPER_CAPABILITY_ACKNOWLEDGE;
  else
    capabilities &= ~PIEPER_CAPABILITY_SNOOZE;

  /* The targets and menus depend on the incident (and its level), not on
   * its status: made again only when those change. */
  if (pieper_incident_get_id (incident) != self->made_for)
    target = g_variant_ref_sink (g_variant_new_int64 (pieper_incident_get_id (incident)));
  set_action (self->acknowledge_button, capabilities, PIEPER_CAPABILITY_ACKNOWLEDGE, "app.acknowledge", target);
  set_action (self->escalate_button, capabilities, PIEPER_CAPABILITY_ESCALATE, "app.escalate", target);
  set_action (self->reassign_button, capabilities, PIEPER_CAPABILITY_REASSIGN, NULL, target);
  set_action (self->snooze_button, capabilities, PIEPER_CAPABILITY_SNOOZE, NULL, target);
  if (pieper_incident_get_id (incident) != self->made_for ||
      pieper_incident_get_escalation_level (incident) != self->made_for_level)
    {
      escalate_choices = escalate_menu (pieper_incident_get_id (incident),
                                        pieper_incident_get_escalation_level (incident));
      adw_split_button_set_menu_model (ADW_SPLIT_BUTTON (self->escalate_button), escalate_choices);
    }
  if (pieper_incident_get_id (incident) != self->made_for)
    {
      snooze_choices_menu = snooze_menu (pieper_incident_get_id (incident));
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->snooze_button), snooze_choices_menu);
    }
  self->made_for = pieper_incident_get_id (incident);
  self->made_for_level = pieper_incident_get_escalation_level (incident);
  set_action (self->resolve_button, capabilities, PIEPER_CAPABILITY_RESOLVE, "app.resolve", target);
  gtk_widget_set_visible (self->note_box, (capabilities & PIEPER_CAPABILITY_NOTE) != 0);
}

PieperIncident *
pieper_incident_page_get_incident (PieperIncidentPage *self)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT_PAGE (self), NULL);

  return self->incident;
}

void
pieper_incident_page_focus_note (PieperIncidentPage *self)
{
  g_return_if_fail (PIEPER_IS_INCIDENT_PAGE (self));

  if (self->incident != NULL && gtk_widget_get_visible (self->note_box))
    gtk_widget_grab_focus (GTK_WIDGET (self->note_entry));
}

static void
note_activate_cb (PieperIncidentPage *self)
{
  g_autofree char *text = NULL;

  if (self->incident == NULL)
    return;

  text = g_strstrip (g_strdup (gtk_editable_get_text (self->note_entry)));
  if (*text == '\0')
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "app.note", "(xs)",
                              pieper_incident_get_id (self->incident), text);
  gtk_editable_set_text (self->note_entry, "");
}

/* The people the account's incidents name, by server id, but for the
 * incident's own assignees: the ones a responder hands over to. Asked of
 * the store, which reads the assignees alone (not ten thousand incidents). */
static GHashTable *
collect_people (PieperIncident *incident,
                PieperStore    *store)
{
  const char * const *current = pieper_incident_get_assignee_ids (incident);
  g_autoptr(GError) error = NULL;
  GHashTable *people;

  people = pieper_store_list_people (store, pieper_incident_get_account_id (incident), &error);
  if (people == NULL)
    {
      g_warning ("Could not read who the incidents name: %s", error->message);
      return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    }

  for (guint a = 0; current != NULL && current[a] != NULL; a++)
    g_hash_table_remove (people, current[a]);

  return people;
}

/* The responder too, as the server knows them, to take the incident on. */
static void
add_responder (GHashTable     *people,
               PieperIncident *incident,
               PieperStore    *store)
{
  const char * const *current = pieper_incident_get_assignee_ids (incident);
  g_autoptr(PieperAccount) account = NULL;
  const char *id, *name;

  account = pieper_store_get_account (store, pieper_incident_get_account_id (incident), NULL);
  if (account == NULL || (id = pieper_account_get_user_id (account)) == NULL || *id == '\0' ||
      (current != NULL && g_strv_contains (current, id)))
    return;

  name = pieper_account_get_user_name (account);
  g_hash_table_replace (people, g_strdup (id), g_strdup (name != NULL && *name != '\0' ? name : id));
}

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      people)
{
  return g_utf8_collate (g_hash_table_lookup (people, *(const char **) a),
                         g_hash_table_lookup (people, *(const char **) b));
}

static GtkWidget *
person_row_new (const char *id,
                const char *name)
{
  GtkWidget *row = adw_action_row_new ();

  /* Names come from the server: text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), id);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "pieper-user-id", g_strdup (id), g_free);
  return row;
}

static void
reassign_show_cb (PieperIncidentPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *application = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;
  g_autoptr(GHashTable) people = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  GHashTableIter iter;
  gpointer id;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->people_list))) != NULL)
    gtk_list_box_remove (self->people_list, child);

  if (self->incident == NULL || !PIEPER_IS_APPLICATION (application))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->people_list), FALSE);
      return;
    }

  people = collect_people (self->incident, pieper_application_get_store (PIEPER_APPLICATION (application)));
  add_responder (people, self->incident, pieper_application_get_store (PIEPER_APPLICATION (application)));
  ids = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, people);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    g_ptr_array_add (ids, id);
  g_ptr_array_sort_with_data (ids, compare_names, people);

  for (guint k = 0; k < ids->len && k < MAX_PEOPLE; k++)
    gtk_list_box_append (self->people_list,
                         person_row_new (g_ptr_array_index (ids, k),
                                         g_hash_table_lookup (people, g_ptr_array_index (ids, k))));
  gtk_widget_set_visible (GTK_WIDGET (self->people_list), ids->len > 0);
}

static void
reassign_to (PieperIncidentPage *self,
             const char         *user)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "app.reassign", "(xs)",
                              pieper_incident_get_id (self->incident), user);
  gtk_editable_set_text (self->reassign_entry, "");
  gtk_popover_popdown (self->reassign_popover);
}

static void
reassign_activate_cb (PieperIncidentPage *self)
{
  g_autofree char *user = NULL;

  if (self->incident == NULL)
    return;

  user = g_strstrip (g_strdup (gtk_editable_get_text (self->reassign_entry)));
  if (*user == '\0')
    return;

  reassign_to (self, user);
}

static void
person_activated_cb (PieperIncidentPage *self,
                     GtkListBoxRow      *row)
{
  const char *user = g_object_get_data (G_OBJECT (row), "pieper-user-id");

  if (self->incident != NULL && user != NULL)
    reassign_to (self, user);
}

static void
link_activated_cb (PieperIncidentPage *self,
                   AdwActionRow       *row)
{
  const char *url = adw_action_row_get_subtitle (row);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (url == NULL || *url == '\0')
    return;

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, url, GDK_CURRENT_TIME);
}

static void
pieper_incident_page_dispose (GObject *object)
{
  PieperIncidentPage *self = PIEPER_INCIDENT_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), PIEPER_TYPE_INCIDENT_PAGE);
  g_clear_object (&self->incident);
  g_clear_object (&self->timeline);

  G_OBJECT_CLASS (pieper_incident_page_parent_class)->dispose (object);
}

static void
pieper_incident_page_class_init (PieperIncidentPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pieper_incident_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pieper/Pieper/ui/pieper-incident-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, stack);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, urgency_label);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, pending_box);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, pending_label);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, acknowledge_button);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, escalate_button);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, reassign_button);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, reassign_popover);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, reassign_entry);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, people_list);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, snooze_button);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, resolve_button);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, priority_row);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, service_row);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, policy_row);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, manager_row);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, opened_row);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, links_group);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, chat_row);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, video_row);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, status_page_row);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, postmortem_row);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, note_box);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, note_entry);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentPage, timeline_list);
  gtk_widget_class_bind_template_callback (widget_class, note_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, reassign_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, reassign_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, person_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, link_activated_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
pieper_incident_page_init (PieperIncidentPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Nothing made yet: no incident has these. */
  self->badge_status = -1;
  self->made_for = G_MININT64;
  self->made_for_level = -1;
  self->timeline = g_list_store_new (PIEPER_TYPE_TIMELINE_ENTRY);
  gtk_list_box_bind_model (self->timeline_list, G_LIST_MODEL (self->timeline), create_timeline_row_cb, NULL, NULL);
}

GtkWidget *
pieper_incident_page_new (void)
{
  return g_object_new (PIEPER_TYPE_INCIDENT_PAGE, NULL);
}
