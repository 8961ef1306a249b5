/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdlib.h>

#include "pieper-account-setup.h"
#include "pieper-application-private.h"
#include "pieper-notifier.h"
#include "pieper-preferences-window.h"
#include "pieper-providers.h"
#include "pieper-secret.h"
#include "pieper-window.h"

/*
 * The application owns the store, the outbox and the sync engine. Every
 * action on an incident is an app action taking the incident's store id,
 * so a window button, a keyboard shortcut and a notification button all
 * queue it through the same code.
 */

struct _PieperApplication
{
  AdwApplication           parent_instance;

  char                    *data_dir;
  gboolean                 demo;
  gboolean                 background;
  /* Held while an account is active, so paging goes on with no window. */
  gboolean                 held;
  gboolean                 background_said;
  /* Asking the servers: from the first window's first frame on, or
   * online_deadline ms after startup at the latest. */
  gboolean                 online;
  guint                    online_id;
  guint                    online_deadline;
  char                    *demo_dir;
  PieperDemo              *demo_state;

  PieperStore             *store;
  PieperOutbox            *outbox;
  PieperSyncEngine        *engine;
  PieperIncidentListModel *incidents;
  PieperNotifier          *notifier;
  GSettings               *settings;
  /* Account id → the responder's user id on that server. */
  GHashTable              *my_ids;
  /* Ids of accounts whose whoami is under way, or could not say. */
  GHashTable              *learning;
  /* Ids of the accounts at the last reload, to notice pieperctl's. */
  GHashTable              *known;
  GCancellable            *cancellable;
  guint                    sigint_id;
  guint                    sigterm_id;
};

G_DEFINE_FINAL_TYPE (PieperApplication, pieper_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_DEMO,
  PROP_ONLINE_DEADLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ACCOUNTS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const GOptionEntry option_entries[] = {
  { "demo", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Try Pieper against a simulated server, in a throwaway store"), NULL },
  { "background", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Start without a window, to sync and page in the background"), NULL },
  { "data-dir", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
    N_("Keep the store in DIR"), N_("DIR") },
  { NULL }
};

PieperApplication *
pieper_application_new (void)
{
  return g_object_new (PIEPER_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

static void
report (PieperApplication *self,
        const char        *message)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (PIEPER_IS_WINDOW (window))
    pieper_window_show_message (PIEPER_WINDOW (window), message);
  else
    g_printerr ("pieper: %s\n", message);
}

static void
refresh (PieperApplication *self)
{
  g_autoptr(GError) error = NULL;

  if (!pieper_incident_list_model_refresh (self->incidents, &error))
    report (self, error->message);
}

/* Queueing. The action is committed to the store before the list shows it
 * pending; the engine is asked to send it at once. Only the incident acted
 * on is read again: with ten thousand in the store, reading them all would
 * take tens of milliseconds of every tap (tests/bench, P5). */

static void
queued (PieperApplication *self,
        PieperAction      *action,
        GError            *error)
{
  g_autoptr(GError) refresh_error = NULL;

  if (action == NULL)
    {
      report (self, error->message);
      return;
    }

  if (!pieper_incident_list_model_refresh_incident (self->incidents,
                                                    pieper_action_get_incident_id (action),
                                                    &refresh_error))
    report (self, refresh_error->message);
  pieper_sync_engine_send_queued (self->engine);
}

static void
acknowledge_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  PieperApplication *self = user_data;
  g_autoptr(PieperAction) queued_action = NULL;
  g_autoptr(GError) error = NULL;

  queued_action = pieper_outbox_acknowledge (self->outbox, g_variant_get_int64 (parameter), &error);
  queued (self, queued_action, error);
}

static void
resolve_cb (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  PieperApplication *self = user_data;
  g_autoptr(PieperAction) queued_action = NULL;
  g_autoptr(GError) error = NULL;

  queued_action = pieper_outbox_resolve (self->outbox, g_variant_get_int64 (parameter), &error);
  queued (self, queued_action, error);
}

static void
escalate (PieperApplication *self,
          gint64             incident_id,
          int                level)
{
  g_autoptr(PieperAction) queued_action = NULL;
  g_autoptr(GError) error = NULL;

  queued_action = pieper_outbox_escalate (self->outbox, incident_id, level, &error);
  queued (self, queued_action, error);
}

/* app.escalate: the next level, which is what "escalate" means at 3 a.m.;
 * the shortcut and the notification button use it. */
static void
escalate_cb (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  escalate (user_data, g_variant_get_int64 (parameter), 0);
}

/* app.escalate-to: (incident, level), level 0 being the next one. */
static void
escalate_to_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  gint64 id = 0;
  gint32 level = 0;

  g_variant_get (parameter, "(xi)", &id, &level);
  escalate (user_data, id, level);
}

static void
snooze (PieperApplication *self,
        gint64             incident_id,
        guint              minutes)
{
  g_autoptr(PieperAction) queued_action = NULL;
  g_autoptr(GError) error = NULL;

  queued_action = pieper_outbox_snooze (self->outbox, incident_id, minutes, &error);
  queued (self, queued_action, error);
}

/* app.snooze: for the default time. */
static void
snooze_cb (GSimpleAction *action,
           GVariant      *parameter,
           gpointer       user_data)
{
  snooze (user_data, g_variant_get_int64 (parameter), PIEPER_SNOOZE_DEFAULT_MINUTES);
}

/* app.snooze-for: (incident, minutes); the outbox refuses what is out of
 * range with one clear message. */
static void
snooze_for_cb (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  gint64 id = 0;
  guint32 minutes = 0;

  g_variant_get (parameter, "(xu)", &id, &minutes);
  snooze (user_data, id, minutes);
}

static void
note_cb (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  PieperApplication *self = user_data;
  g_autoptr(PieperAction) queued_action = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = NULL;
  gint64 id = 0;

  g_variant_get (parameter, "(x&s)", &id, &text);
  queued_action = pieper_outbox_add_note (self->outbox, id, text, &error);
  queued (self, queued_action, error);
}

static void
reassign_cb (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  PieperApplication *self = user_data;
  g_autoptr(PieperAction) queued_action = NULL;
  g_autoptr(GError) error = NULL;
  const char *user = NULL;
  gint64 id = 0;

  g_variant_get (parameter, "(x&s)", &id, &user);
  queued_action = pieper_outbox_reassign (self->outbox, id, user, &error);
  queued (self, queued_action, error);
}

static void
open_cb (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  PieperApplication *self = user_data;
  GtkWindow *window;
  gint64 id = g_variant_get_int64 (parameter);

  g_application_activate (G_APPLICATION (self));
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (PIEPER_IS_WINDOW (window) && id > 0)
    pieper_window_show_incident (PIEPER_WINDOW (window), id);
}

static void
refresh_cb (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  PieperApplication *self = user_data;

  /* Asked for now: actions waiting for a retry go now too. */
  pieper_outbox_retry_all_now (self->outbox, 0, NULL);
  pieper_sync_engine_sync_now (self->engine);
}

static void
about_cb (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  PieperApplication *self = user_data;
  static const char *developers[] = { "The Pieper authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("Pieper"),
                        "application-icon", APPLICATION_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("An offline-first pager for on-call engineers"),
                        "website", "https://github.com/pieper/pieper",
                        "issue-url", "https://github.com/pieper/pieper/issues",
                        "developers", developers,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  PieperApplication *self = user_data;
  GtkWidget *preferences = pieper_preferences_window_new (self->settings);

  pieper_preferences_window_set_application (PIEPER_PREFERENCES_WINDOW (preferences), self);

  gtk_window_set_transient_for (GTK_WINDOW (preferences),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
quit_cb (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  PieperApplication *self = user_data;

  /* Windows closing now are no news of running on. */
  self->background_said = TRUE;
  g_application_quit (G_APPLICATION (self));
}

/* "Try the demo" on the first-run page: a demo is a Pieper of its own, on
 * a throwaway store, so the responder's store stays empty for their own
 * account. This one ends when its window closes, having nothing to page. */
static void
try_demo_cb (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  PieperApplication *self = user_data;
  g_autoptr(GSubprocess) demo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_file_read_link ("/proc/self/exe", &error);

  if (program != NULL)
    demo = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, program, "--demo", NULL);
  if (demo == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not start the demo: %s"), error->message);

      report (self, message);
      return;
    }

  if (!self->held)
    for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
      if (PIEPER_IS_WINDOW (l->data))
        {
          gtk_window_close (l->data);
          break;
        }
}

static const GActionEntry app_entries[] = {
  { "acknowledge", acknowledge_cb, "x" },
  { "escalate", escalate_cb, "x" },
  { "escalate-to", escalate_to_cb, "(xi)" },
  { "resolve", resolve_cb, "x" },
  { "snooze", snooze_cb, "x" },
  { "snooze-for", snooze_for_cb, "(xu)" },
  { "open", open_cb, "x" },
  { "note", note_cb, "(xs)" },
  { "reassign", reassign_cb, "(xs)" },
  { "refresh", refresh_cb },
  { "about", about_cb },
  { "preferences", preferences_cb },
  { "quit", quit_cb },
  { "try-demo", try_demo_cb },
};

/* Accounts */

typedef struct
{
  PieperApplication *self;
  PieperAccount     *account;
} TokenData;

static void
token_data_free (TokenData *data)
{
  g_object_unref (data->self);
  g_object_unref (data->account);
  g_free (data);
}

static void
learn_user_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TokenData *data = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = pieper_account_get_id (data->account);
  gboolean learnt = pieper_account_learn_user_finish (result, &error);

  /* Offline or refused for now: asked again after a round that reached
   * the servers (see synced_cb). A server that cannot say (no user with
   * the account's address) is not asked again until Pieper restarts. */
  if (learnt ||
      g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT) ||
      g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME) ||
      g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_RATE_LIMITED) ||
      g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH))
    g_hash_table_remove (data->self->learning, &id);

  if (learnt)
    pieper_application_reload_accounts (data->self);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Could not learn who the responder is: %s", error->message);

  token_data_free (data);
}

/* The Mine filter needs the responder's user id on the server: asked once,
 * for an account added before Pieper asked (pieperctl, an older Pieper). */
static void
learn_user (PieperApplication *self,
            PieperAccount     *account,
            PieperProvider    *provider)
{
  gint64 id = pieper_account_get_id (account);
  TokenData *data;

  if (pieper_account_get_user_id (account) != NULL || g_hash_table_contains (self->learning, &id))
    return;

  g_hash_table_add (self->learning, g_memdup2 (&id, sizeof id));
  data = g_new0 (TokenData, 1);
  data->self = g_object_ref (self);
  data->account = g_object_ref (account);
  pieper_account_learn_user_async (self->store, account, provider, self->cancellable,
                                   learn_user_cb, data);
}

static gboolean
has_account (GPtrArray *accounts,
             gint64     id)
{
  for (guint i = 0; i < accounts->len; i++)
    if (pieper_account_get_id (g_ptr_array_index (accounts, i)) == id)
      return TRUE;

  return FALSE;
}

/* Whether another process (pieperctl account add or remove) changed the
 * accounts since the last reload. */
static gboolean
accounts_changed_elsewhere (PieperApplication *self,
                            GPtrArray         *accounts)
{
  gboolean changed = g_hash_table_size (self->known) != accounts->len;

  for (guint i = 0; i < accounts->len && !changed; i++)
    {
      gint64 account_id = pieper_account_get_id (g_ptr_array_index (accounts, i));

      changed = !g_hash_table_contains (self->known, &account_id);
    }

  return changed;
}

/* The engine stops syncing accounts that are no longer in the store. */
static void
forget_removed_accounts (PieperApplication *self,
                         GPtrArray         *accounts)
{
  GHashTableIter iter;
  gint64 *id;

  g_hash_table_iter_init (&iter, self->known);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    if (!has_account (accounts, *id))
      pieper_sync_engine_remove_account (self->engine, *id);
}

static void
synced_cb (PieperApplication *self)
{
  g_autoptr(GPtrArray) accounts = NULL;

  if (!(accounts = pieper_store_list_accounts (self->store, NULL)))
    return;

  if (accounts_changed_elsewhere (self, accounts))
    {
      forget_removed_accounts (self, accounts);
      refresh (self);
      pieper_application_reload_accounts (self);
      return;
    }

  if (pieper_sync_engine_get_state (self->engine) != PIEPER_SYNC_STATE_IDLE)
    return;

  for (guint i = 0; i < accounts->len; i++)
    {
      PieperAccount *account = g_ptr_array_index (accounts, i);
      PieperProvider *provider = pieper_sync_engine_get_provider (self->engine, pieper_account_get_id (account));

      if (provider != NULL)
        learn_user (self, account, provider);
    }
}

static void
add_account_with_token (PieperApplication *self,
                        PieperAccount     *account,
                        const char        *token)
{
  g_autoptr(PieperProvider) provider = NULL;
  g_autoptr(PieperAccount) stored = NULL;
  g_autoptr(GError) error = NULL;

  /* Removed while its token was looked up. */
  if (!(stored = pieper_store_get_account (self->store, pieper_account_get_id (account), NULL)))
    return;

  if (!(provider = pieper_provider_new_for_account (account, token, &error)))
    {
      report (self, error->message);
      return;
    }

  pieper_sync_engine_add_account (self->engine, account, provider);
  pieper_sync_engine_sync_now (self->engine);
  learn_user (self, account, provider);
}

static void
lookup_token_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TokenData *data = user_data;
  g_autoptr(GError) error = NULL;
  char *token;

  token = pieper_secret_lookup_token_finish (result, &error);
  if (token == NULL && error == NULL &&
      pieper_providers_token_is_optional (pieper_account_get_provider (data->account)))
    {
      /* An Alertmanager without a proxy in front needs no token. */
      add_account_with_token (data->self, data->account, NULL);
    }
  else if (token == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message =
            g_strdup_printf (_("No token for %s: %s"), pieper_account_get_url (data->account),
                             error != NULL ? error->message : _("none is stored"));
          report (data->self, message);
        }
    }
  else
    {
      add_account_with_token (data->self, data->account, token);
      pieper_secret_token_free (token);
    }

  token_data_free (data);
}

/* Background. With an account to page for, closing the window does not
 * end Pieper: it keeps syncing and paging until app.quit. */
static void
hold_while_on_call (PieperApplication *self,
                    GPtrArray         *accounts)
{
  if (self->held || self->demo)
    return;

  for (guint i = 0; i < accounts->len; i++)
    if (g_strcmp0 (pieper_account_get_provider (g_ptr_array_index (accounts, i)), "local") != 0)
      {
        self->held = TRUE;
        g_application_hold (G_APPLICATION (self));
        return;
      }
}

static void
window_removed_cb (GtkApplication *application,
                   GtkWindow      *window,
                   gpointer        user_data)
{
  PieperApplication *self = PIEPER_APPLICATION (application);

  if (!self->held || self->background_said || self->notifier == NULL ||
      gtk_application_get_windows (application) != NULL)
    return;

  /* Once per run: the responder should know why no page is lost. */
  self->background_said = TRUE;
  pieper_notifier_show_message (self->notifier, "background",
                                _("Pieper is still running"),
                                _("Pages will still reach you. Quit Pieper from its menu to stop them."));
}

static void
forget_token_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PieperApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Without a keyring there is no token to forget. */
  if (!pieper_account_forget_token_finish (result, &error) &&
      !g_error_matches (error, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_NO_SERVICE))
    {
      g_autofree char *message =
        g_strdup_printf (_("The account is removed, but its token is still in the keyring: %s"), error->message);

      report (self, message);
    }
}

/* Each account with a server, not yet in the engine, goes to it with its
 * token. */
static void
connect_accounts (PieperApplication *self,
                  GPtrArray         *accounts)
{
  for (guint i = 0; i < accounts->len; i++)
    {
      PieperAccount *account = g_ptr_array_index (accounts, i);
      TokenData *data;

      /* Imported incidents belong to the local account, with no server. */
      if (g_strcmp0 (pieper_account_get_provider (account), "local") == 0 ||
          pieper_sync_engine_get_provider (self->engine, pieper_account_get_id (account)) != NULL ||
          self->demo)
        continue;

      if (pieper_secret_get_env_token () != NULL)
        {
          add_account_with_token (self, account, pieper_secret_get_env_token ());
          continue;
        }

      data = g_new0 (TokenData, 1);
      data->self = g_object_ref (self);
      data->account = g_object_ref (account);
      pieper_secret_lookup_token_async (account, self->cancellable, lookup_token_cb, data);
    }
}

void
pieper_application_reload_accounts (PieperApplication *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PIEPER_IS_APPLICATION (self));

  if (!(accounts = pieper_store_list_accounts (self->store, &error)))
    {
      report (self, error->message);
      return;
    }

  g_hash_table_remove_all (self->my_ids);
  g_hash_table_remove_all (self->known);
  hold_while_on_call (self, accounts);
  for (guint i = 0; i < accounts->len; i++)
    {
      PieperAccount *account = g_ptr_array_index (accounts, i);
      gint64 id = pieper_account_get_id (account);

      g_hash_table_add (self->known, g_memdup2 (&id, sizeof id));
      if (pieper_account_get_user_id (account) != NULL)
        g_hash_table_insert (self->my_ids, g_memdup2 (&id, sizeof id),
                             g_strdup (pieper_account_get_user_id (account)));
    }
  if (self->online)
    connect_accounts (self, accounts);

  g_signal_emit (self, signals[ACCOUNTS_CHANGED], 0);
}

/* Online: the tokens looked up, the accounts handed to the engine, and the
 * engine started. A window being opened first shows what the store holds,
 * and goes online once it has painted that: before it, the token lookups
 * and a first round took about 7 ms of the first frame with 10,000
 * incidents (tests/bench/RESULTS.md). With no window (--background), at
 * once. And :online-deadline (1 s) after startup at the latest, frame or
 * not: a page must not wait on a window that is never mapped, or slow to
 * paint. */
static void
go_online (PieperApplication *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  if (self->online || self->engine == NULL)
    return;

  self->online = TRUE;
  g_clear_handle_id (&self->online_id, g_source_remove);
  if (!(accounts = pieper_store_list_accounts (self->store, &error)))
    report (self, error->message);
  else
    connect_accounts (self, accounts);
  pieper_sync_engine_start (self->engine);
}

static gboolean
online_at_the_latest_cb (gpointer user_data)
{
  PieperApplication *self = user_data;

  self->online_id = 0;
  go_online (self);

  return G_SOURCE_REMOVE;
}

/* A window's first frame is on the screen. */
void
_pieper_application_first_frame_shown (PieperApplication *self)
{
  g_return_if_fail (PIEPER_IS_APPLICATION (self));

  go_online (self);
}

gboolean
pieper_application_remove_account (PieperApplication  *self,
                                   gint64              id,
                                   GError            **error)
{
  g_autoptr(PieperAccount) account = NULL;

  g_return_val_if_fail (PIEPER_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(account = pieper_store_get_account (self->store, id, error)))
    return FALSE;

  /* Its unsent actions go with it: the responder confirmed that. */
  if (!pieper_store_remove_account (self->store, id, TRUE, error))
    return FALSE;

  pieper_sync_engine_remove_account (self->engine, id);
  if (g_strcmp0 (pieper_account_get_provider (account), "local") != 0)
    pieper_account_forget_token_async (account, NULL, forget_token_cb, g_object_ref (self));

  refresh (self);
  pieper_application_reload_accounts (self);
  return TRUE;
}

/* Settings */

static void
poll_interval_changed_cb (PieperApplication *self,
                          const char        *key,
                          GSettings         *settings)
{
  pieper_sync_engine_set_poll_interval (self->engine, g_settings_get_uint (settings, "poll-interval"));
}

static void
bind_settings (PieperApplication *self)
{
  PieperAlarmPolicy *policy = pieper_notifier_get_policy (self->notifier);
  PieperAlarmSound *sound = pieper_notifier_get_alarm_sound (self->notifier);
  static const char *policy_keys[] = {
    "realert-interval", "dnd-override", "quiet-hours-enabled", "quiet-hours-start", "quiet-hours-end",
  };

  for (guint i = 0; i < G_N_ELEMENTS (policy_keys); i++)
    g_settings_bind (self->settings, policy_keys[i], policy, policy_keys[i], G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "alarm-sound", sound, "sound", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "alarm-volume", sound, "volume", G_SETTINGS_BIND_GET);
}

/* The settings when their schema is installed (or GSETTINGS_SCHEMA_DIR
 * points at the build tree); running from a build without them is fine. */
static GSettings *
lookup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL || !(schema = g_settings_schema_source_lookup (source, SETTINGS_SCHEMA_ID, TRUE)))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

/* GApplication */

/* Ctrl+C in a terminal, or a session ending: shut down properly, so the
 * demo's throwaway store goes with it. */
static gboolean
quit_signal_cb (gpointer user_data)
{
  PIEPER_APPLICATION (user_data)->background_said = TRUE;
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

static int
pieper_application_handle_local_options (GApplication *application,
                                         GVariantDict *options)
{
  PieperApplication *self = PIEPER_APPLICATION (application);
  const char *data_dir = NULL;

  if (g_variant_dict_contains (options, "demo"))
    self->demo = TRUE;
  if (g_variant_dict_contains (options, "background"))
    {
      g_autoptr(GError) error = NULL;

      self->background = TRUE;
      /* Already running: it pages already, and it must not open a window
       * because this one was asked not to. */
      if (!self->demo && !g_variant_dict_contains (options, "data-dir") &&
          g_application_register (application, NULL, &error) &&
          g_application_get_is_remote (application))
        return EXIT_SUCCESS;
    }
  if (g_variant_dict_lookup (options, "data-dir", "^&ay", &data_dir))
    {
      g_free (self->data_dir);
      self->data_dir = g_strdup (data_dir);
    }

  /* A demo, or a store of its own, is an instance of its own: it neither
   * takes over nor hands over to the responder's running Pieper. */
  if (self->demo || self->data_dir != NULL)
    g_application_set_flags (application,
                             g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);

  return -1;
}

static void
pieper_application_startup (GApplication *application)
{
  PieperApplication *self = PIEPER_APPLICATION (application);
  static const char *refresh_accels[] = { "<Control>r", "F5", NULL };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  g_autoptr(GError) error = NULL;
  const char *data_dir = self->data_dir;

  G_APPLICATION_CLASS (pieper_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_entries,
                                   G_N_ELEMENTS (app_entries), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.refresh", refresh_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  self->sigint_id = g_unix_signal_add (SIGINT, quit_signal_cb, self);
  self->sigterm_id = g_unix_signal_add (SIGTERM, quit_signal_cb, self);

  if (self->demo && data_dir == NULL)
    {
      if (!(self->demo_dir = _pieper_demo_make_data_dir (&error)))
        goto fail;
      data_dir = self->demo_dir;
    }

  if (data_dir == NULL)
    data_dir = g_getenv ("PIEPER_DATA_DIR");
  if (data_dir == NULL)
    {
      g_autofree char *default_dir = pieper_store_default_data_dir ();

      self->store = pieper_store_open (default_dir, &error);
    }
  else
    self->store = pieper_store_open (data_dir, &error);
  if (self->store == NULL)
    goto fail;

  self->outbox = pieper_outbox_new (self->store);
  self->engine = pieper_sync_engine_new (self->store);
  self->incidents = pieper_incident_list_model_new (self->store);
  pieper_incident_list_model_set_engine (self->incidents, self->engine);
  self->notifier = pieper_notifier_new (G_APPLICATION (self), self->store, G_LIST_MODEL (self->incidents));
  g_signal_connect (self, "window-removed", G_CALLBACK (window_removed_cb), NULL);
  g_signal_connect_object (self->engine, "synced", G_CALLBACK (synced_cb), self, G_CONNECT_SWAPPED);

  if (!self->demo && (self->settings = lookup_settings ()) != NULL)
    {
      g_signal_connect_object (self->settings, "changed::poll-interval",
                               G_CALLBACK (poll_interval_changed_cb), self, G_CONNECT_SWAPPED);
      poll_interval_changed_cb (self, "poll-interval", self->settings);
      bind_settings (self);
    }

  if (self->demo && !(self->demo_state = _pieper_demo_start (self->store, self->engine, &error)))
    goto fail;

  /* With --background there is no frame to wait for. */
  self->online = self->background;
  pieper_application_reload_accounts (self);
  refresh (self);
  if (self->online)
    pieper_sync_engine_start (self->engine);
  else
    self->online_id = g_timeout_add (self->online_deadline, online_at_the_latest_cb, self);
  return;

fail:
  /* Nothing to show without a store: say why, once, and leave. */
  g_printerr ("pieper: %s\n", error->message);
  exit (EXIT_FAILURE);
}

static void
pieper_application_activate (GApplication *application)
{
  PieperApplication *self = PIEPER_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  /* `pieper --background`: the first activation opens no window. The
   * application runs on with an account (see hold_while_on_call), or for
   * good when there is none yet, until app.quit. */
  if (self->background)
    {
      self->background = FALSE;
      if (!self->held)
        {
          self->held = TRUE;
          g_application_hold (application);
        }
      return;
    }

  if (window == NULL)
    window = GTK_WINDOW (pieper_window_new (self));

  gtk_window_present (window);
}

static gboolean
remove_tree (GFile         *file,
             GError       **error)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL)
    {
      GFile *child = NULL;

      if (!g_file_enumerator_iterate (children, NULL, &child, NULL, error))
        return FALSE;
      if (child == NULL)
        break;
      if (!remove_tree (child, error))
        return FALSE;
    }

  return g_file_delete (file, NULL, error);
}

static void
pieper_application_shutdown (GApplication *application)
{
  PieperApplication *self = PIEPER_APPLICATION (application);

  self->background_said = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->online_id, g_source_remove);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  if (self->engine != NULL)
    pieper_sync_engine_stop (self->engine);
  g_clear_pointer (&self->demo_state, _pieper_demo_free);
  /* Their buttons would reach nobody. */
  if (self->notifier != NULL)
    pieper_notifier_close_all (self->notifier);

  G_APPLICATION_CLASS (pieper_application_parent_class)->shutdown (application);

  g_clear_object (&self->notifier);

  g_clear_object (&self->incidents);
  g_clear_object (&self->engine);
  g_clear_object (&self->outbox);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  if (self->demo_dir != NULL)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (self->demo_dir);
      g_autoptr(GError) error = NULL;

      if (!remove_tree (dir, &error))
        g_printerr ("pieper: %s\n", error->message);
      g_clear_pointer (&self->demo_dir, g_free);
    }
}

static void
pieper_application_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PieperApplication *self = PIEPER_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;

    case PROP_DEMO:
      g_value_set_boolean (value, self->demo);
      break;

    case PROP_ONLINE_DEADLINE:
      g_value_set_uint (value, self->online_deadline);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_application_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PieperApplication *self = PIEPER_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_free (self->data_dir);
      self->data_dir = g_value_dup_string (value);
      break;

    case PROP_DEMO:
      self->demo = g_value_get_boolean (value);
      break;

    case PROP_ONLINE_DEADLINE:
      self->online_deadline = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_application_dispose (GObject *object)
{
  PieperApplication *self = PIEPER_APPLICATION (object);

  g_clear_handle_id (&self->online_id, g_source_remove);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  g_clear_pointer (&self->demo_state, _pieper_demo_free);
  g_clear_object (&self->notifier);
  g_clear_object (&self->incidents);
  g_clear_object (&self->engine);
  g_clear_object (&self->outbox);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pieper_application_parent_class)->dispose (object);
}

static void
pieper_application_finalize (GObject *object)
{
  PieperApplication *self = PIEPER_APPLICATION (object);

  g_free (self->data_dir);
  g_free (self->demo_dir);
  g_hash_table_unref (self->my_ids);
  g_hash_table_unref (self->learning);
  g_hash_table_unref (self->known);

  G_OBJECT_CLASS (pieper_application_parent_class)->finalize (object);
}

static void
pieper_application_constructed (GObject *object)
{
  G_OBJECT_CLASS (pieper_application_parent_class)->constructed (object);

  /* One resource path for every profile and test id: they share the UI,
   * the style sheet and the shortcuts window. */
  g_application_set_resource_base_path (G_APPLICATION (object), "/io/github/pieper/Pieper");
}

static void
pieper_application_class_init (PieperApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->constructed = pieper_application_constructed;
  object_class->get_property = pieper_application_get_property;
  object_class->set_property = pieper_application_set_property;
  object_class->dispose = pieper_application_dispose;
  object_class->finalize = pieper_application_finalize;

  app_class->handle_local_options = pieper_application_handle_local_options;
  app_class->startup = pieper_application_startup;
  app_class->activate = pieper_application_activate;
  app_class->shutdown = pieper_application_shutdown;

  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  /* How long after startup Pieper goes online at the latest without a
   * first frame, in ms (see go_online()). Tests make it long, to see the
   * frame do it. */
  properties[PROP_ONLINE_DEADLINE] =
    g_param_spec_uint ("online-deadline", NULL, NULL, 1, G_MAXUINT, 1000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PieperApplication::accounts-changed:
   *
   * An account was added or removed, or learnt who the responder is.
   */
  signals[ACCOUNTS_CHANGED] =
    g_signal_new ("accounts-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pieper_application_init (PieperApplication *self)
{
  self->my_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->learning = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->known = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

PieperStore *
pieper_application_get_store (PieperApplication *self)
{
  g_return_val_if_fail (PIEPER_IS_APPLICATION (self), NULL);

  return self->store;
}

PieperOutbox *
pieper_application_get_outbox (PieperApplication *self)
{
  g_return_val_if_fail (PIEPER_IS_APPLICATION (self), NULL);

  return self->outbox;
}

PieperSyncEngine *
pieper_application_get_engine (PieperApplication *self)
{
  g_return_val_if_fail (PIEPER_IS_APPLICATION (self), NULL);

  return self->engine;
}

PieperIncidentListModel *
pieper_application_get_incidents (PieperApplication *self)
{
  g_return_val_if_fail (PIEPER_IS_APPLICATION (self), NULL);

  return self->incidents;
}

PieperNotifier *
_pieper_application_get_notifier (PieperApplication *self)
{
  g_return_val_if_fail (PIEPER_IS_APPLICATION (self), NULL);

  return self->notifier;
}

gboolean
pieper_application_get_demo (PieperApplication *self)
{
  g_return_val_if_fail (PIEPER_IS_APPLICATION (self), FALSE);

  return self->demo;
}

PieperCapabilities
pieper_application_get_capabilities (PieperApplication *self,
                                     PieperIncident    *incident)
{
  PieperProvider *provider;

  g_return_val_if_fail (PIEPER_IS_APPLICATION (self), PIEPER_CAPABILITY_NONE);
  g_return_val_if_fail (PIEPER_IS_INCIDENT (incident), PIEPER_CAPABILITY_NONE);

  provider = pieper_sync_engine_get_provider (self->engine, pieper_incident_get_account_id (incident));
  if (provider == NULL)
    return PIEPER_CAPABILITY_NONE;

  return pieper_provider_get_capabilities (provider);
}

gboolean
pieper_application_is_mine (PieperApplication *self,
                            PieperIncident    *incident)
{
  gint64 account_id;
  const char *me;
  const char * const *ids;

  g_return_val_if_fail (PIEPER_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (PIEPER_IS_INCIDENT (incident), FALSE);

  account_id = pieper_incident_get_account_id (incident);
  me = g_hash_table_lookup (self->my_ids, &account_id);
  ids = pieper_incident_get_assignee_ids (incident);

  return me != NULL && ids != NULL && g_strv_contains (ids, me);
}
