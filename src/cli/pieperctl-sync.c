/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieperctl"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "pieper-providers.h"
#include "pieper-secret.h"
#include "pieperctl-private.h"

/* An engine with every account that has a server behind it. */
static PieperSyncEngine *
make_engine (PieperctlContext  *ctx,
             PieperctlStatus   *status)
{
  g_autoptr(PieperSyncEngine) engine = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  guint added = 0;

  if (!(accounts = pieper_store_list_accounts (ctx->store, &error)))
    {
      *status = _pieperctl_fail_error (error);
      return NULL;
    }

  engine = pieper_sync_engine_new (ctx->store);

  for (guint i = 0; i < accounts->len; i++)
    {
      PieperAccount *account = g_ptr_array_index (accounts, i);
      g_autoptr(PieperProvider) provider = NULL;
      char *token;

      /* Imported incidents belong to the local account, which has no server. */
      if (g_strcmp0 (pieper_account_get_provider (account), "local") == 0)
        continue;

      if (!(token = pieper_secret_get_token (account, &error)))
        {
          /* An Alertmanager without a proxy in front needs no token. */
          if (pieper_providers_token_is_optional (pieper_account_get_provider (account)) &&
              (g_error_matches (error, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_NO_TOKEN) ||
               g_error_matches (error, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_NO_SERVICE)))
            g_clear_error (&error);
          else
            {
              *status = _pieperctl_fail (_("No token for %s: %s"),
                                         pieper_account_get_url (account), error->message);
              return NULL;
            }
        }

      provider = pieper_provider_new_for_account (account, token, &error);
      pieper_secret_token_free (token);
      if (provider == NULL)
        {
          *status = _pieperctl_fail_error (error);
          return NULL;
        }

      pieper_sync_engine_add_account (engine, account, provider);
      added++;
    }

  if (added == 0)
    {
      *status = _pieperctl_fail (_("No account to sync with; add one with “pieperctl account add”"));
      return NULL;
    }

  return g_steal_pointer (&engine);
}

typedef struct
{
  GMainLoop       *loop;
  gboolean         ok;
  PieperSyncStats  stats;
  GError          *error;
} SyncData;

static void
sync_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SyncData *data = user_data;

  data->ok = pieper_sync_engine_sync_finish (PIEPER_SYNC_ENGINE (object), result,
                                             &data->stats, &data->error);
  g_main_loop_quit (data->loop);
}

PieperctlStatus
_pieperctl_sync (PieperctlContext  *ctx,
                 int                argc,
                 char             **argv)
{
  g_autoptr(PieperSyncEngine) engine = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  PieperctlStatus status = PIEPERCTL_OK;
  SyncData data = { NULL, };

  if (argc > 1)
    return _pieperctl_usage (argv[0], _("Too many arguments"));

  if (!(engine = make_engine (ctx, &status)))
    return status;

  /* Asked for now: actions waiting for a retry go now too. */
  {
    g_autoptr(PieperOutbox) outbox = pieper_outbox_new (ctx->store);

    pieper_outbox_retry_all_now (outbox, 0, NULL);
  }

  loop = g_main_loop_new (NULL, FALSE);
  data.loop = loop;
  pieper_sync_engine_sync_async (engine, NULL, sync_cb, &data);
  g_main_loop_run (loop);

  if (!data.ok)
    {
      PieperctlStatus failed;

      if (data.stats.unsent > 0)
        failed = _pieperctl_fail (ngettext ("%s (%u action stays queued)",
                                            "%s (%u actions stay queued)",
                                            data.stats.unsent),
                                  data.error->message, data.stats.unsent);
      else
        failed = _pieperctl_fail ("%s", data.error->message);
      g_clear_error (&data.error);
      return failed;
    }

  {
    /* Each count with its own plural, joined as one line. */
    g_autofree char *pulled = g_strdup_printf (ngettext ("%u incident pulled", "%u incidents pulled",
                                                         data.stats.pulled), data.stats.pulled);
    g_autofree char *sent = g_strdup_printf (ngettext ("%u action sent", "%u actions sent",
                                                       data.stats.sent), data.stats.sent);
    g_autofree char *conflicts = g_strdup_printf (ngettext ("%u conflict", "%u conflicts",
                                                            data.stats.conflicts), data.stats.conflicts);
    g_autofree char *failed = g_strdup_printf (ngettext ("%u failed", "%u failed",
                                                         data.stats.failed), data.stats.failed);
    g_autofree char *waiting = g_strdup_printf (ngettext ("%u waiting", "%u waiting",
                                                          data.stats.unsent), data.stats.unsent);

    /* TRANSLATORS: the parts are "3 incidents pulled", "2 actions sent",
     * "0 conflicts", "0 failed", "1 waiting". */
    printf (_("Synced: %s, %s, %s, %s, %s\n"), pulled, sent, conflicts, failed, waiting);
  }

  return PIEPERCTL_OK;
}

static void
paged_cb (PieperSyncEngine *engine,
          PieperIncident   *incident,
          gpointer          user_data)
{
  g_autofree char *title = g_utf8_make_valid (pieper_incident_get_title (incident), -1);

  /* No control characters from the server reach the terminal. */
  for (char *p = title; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';

  printf ("%s #%" G_GINT64_FORMAT " [%s] %s (%s)\n",
          _("PAGE"),
          pieper_incident_get_number (incident),
          pieper_incident_get_urgency (incident) == PIEPER_URGENCY_HIGH ? _("high") : _("low"),
          title,
          pieper_incident_get_remote_id (incident));
  fflush (stdout);
}

static void
state_cb (PieperSyncEngine *engine,
          GParamSpec       *pspec,
          gpointer          user_data)
{
  switch (pieper_sync_engine_get_state (engine))
    {
    case PIEPER_SYNC_STATE_OFFLINE:
      fprintf (stderr, "pieperctl: %s\n", _("offline; actions wait in the outbox"));
      break;

    case PIEPER_SYNC_STATE_AUTH_FAILED:
      fprintf (stderr, "pieperctl: %s\n", _("the server refused the token"));
      break;

    case PIEPER_SYNC_STATE_IDLE:
    case PIEPER_SYNC_STATE_SYNCING:
    default:
      break;
    }
}

/* The poll interval of the settings the app shares, when they are
 * installed; pieperctl also runs where they are not. */
static guint
settings_poll_interval (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source == NULL ||
      !(schema = g_settings_schema_source_lookup (source, SETTINGS_SCHEMA_ID, TRUE)) ||
      !g_settings_schema_has_key (schema, "poll-interval"))
    return 30;

  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_uint (settings, "poll-interval");
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

PieperctlStatus
_pieperctl_watch (PieperctlContext  *ctx,
                  int                argc,
                  char             **argv)
{
  g_autoptr(PieperSyncEngine) engine = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  PieperctlStatus status = PIEPERCTL_OK;
  guint64 interval = 0;
  guint sigint, sigterm;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--interval") == 0 && i + 1 < argc)
        {
          if (!g_ascii_string_to_unsigned (argv[++i], 10, 1, 24 * 60 * 60, &interval, NULL))
            return _pieperctl_usage (argv[0], _("The interval must be a number of seconds"));
        }
      else
        return _pieperctl_usage (argv[0], _("Unknown argument “%s”"), argv[i]);
    }

  if (!(engine = make_engine (ctx, &status)))
    return status;

  loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (engine, "incident-paged", G_CALLBACK (paged_cb), NULL);
  g_signal_connect (engine, "notify::state", G_CALLBACK (state_cb), NULL);
  sigint = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm = g_unix_signal_add (SIGTERM, quit_cb, loop);

  pieper_sync_engine_set_poll_interval (engine, interval > 0 ? (guint) interval : settings_poll_interval ());
  pieper_sync_engine_start (engine);
  g_main_loop_run (loop);
  pieper_sync_engine_stop (engine);

  g_source_remove (sigint);
  g_source_remove (sigterm);

  return PIEPERCTL_OK;
}
