/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <pieper.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "cli-test-common.h"
#include "pieper-alertmanager-private.h"
#include "pieper-outbox-private.h"
#include "pieper-providers.h"

/*
 * The Alertmanager provider against the real prometheus-alertmanager from
 * Debian: each test starts its own on a free port of 127.0.0.1, with a
 * temporary config and data directory and clustering off, posts alerts
 * with POST /api/v2/alerts and looks at the silences with
 * GET /api/v2/silences.
 *
 * The sync runs in this process (as in tests/sync), except in the kill
 * test, which SIGKILLs `pieperctl sync` at random moments of a flush of
 * acknowledgements and then checks that every alert got exactly one
 * Pieper silence.
 *
 * Skipped only when the binary is missing; build-aux/dev installs it.
 */

#define EMAIL        "mira.jansen@example.com"
#define DEFAULT_BIN  "/usr/bin/prometheus-alertmanager"
#define READY_MS     15000

#define KILL_ALERTS    32
#define KILL_KILLS     10
#define KILL_BATCHES   3
#define KILL_WINDOW_MS 60
#define FINAL_TRIES    10

typedef struct
{
  char             *tmp_dir;
  GSubprocess      *am;
  char             *url;
  SoupSession      *session;
  PieperStore      *store;
  PieperOutbox     *outbox;
  PieperAccount    *account;
  PieperSyncEngine *engine;
} Fixture;

static const char *
am_binary (void)
{
  const char *path = g_getenv ("PIEPER_ALERTMANAGER");

  return path != NULL && path[0] != '\0' ? path : DEFAULT_BIN;
}

/* A child that outlives a failed test would keep meson waiting on the
 * output it inherited, and keep a port. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* HTTP to Alertmanager, as Prometheus and an operator would use it. */
static JsonNode *
am_request (Fixture    *f,
            const char *method,
            const char *path,
            const char *json,
            guint      *status)
{
  g_autofree char *uri = g_strconcat (f->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length = 0;
  const char *data;

  if (json != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (msg, "application/json", body);
    }

  reply = soup_session_send_and_read (f->session, msg, NULL, &error);
  if (status != NULL)
    {
      *status = error != NULL ? 0 : soup_message_get_status (msg);
      if (error != NULL)
        return NULL;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);

  data = g_bytes_get_data (reply, &length);
  if (length == 0)
    return NULL;

  json_parser_load_from_data (parser, data, length, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static void
am_start (Fixture *f)
{
  g_autofree char *config = g_build_filename (f->tmp_dir, "am.yml", NULL);
  g_autofree char *data = g_build_filename (f->tmp_dir, "am-data", NULL);
  g_autofree char *log = g_build_filename (f->tmp_dir, "am.log", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (config,
                       "route:\n"
                       "  receiver: pieper\n"
                       "receivers:\n"
                       "  - name: pieper\n",
                       -1, &error);
  g_assert_no_error (error);

  /* A port taken between the probe and the start: take another. */
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      g_autofree char *listen = NULL;
      g_autofree char *config_arg = g_strconcat ("--config.file=", config, NULL);
      g_autofree char *data_arg = g_strconcat ("--storage.path=", data, NULL);
      gint64 deadline;
      guint port = free_port ();

      listen = g_strdup_printf ("--web.listen-address=127.0.0.1:%u", port);
      g_free (f->url);
      f->url = g_strdup_printf ("http://127.0.0.1:%u", port);

      g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
      g_subprocess_launcher_set_stdout_file_path (launcher, log);
      g_subprocess_launcher_set_stderr_file_path (launcher, log);
      f->am = g_subprocess_launcher_spawn (launcher, &error, am_binary (),
                                           config_arg, data_arg, listen,
                                           /* Empty: no clustering, no gossip port. */
                                           "--cluster.listen-address=",
                                           NULL);
      g_assert_no_error (error);

      deadline = g_get_monotonic_time () + READY_MS * 1000;
      while (g_get_monotonic_time () < deadline)
        {
          g_autofree char *uri = g_strconcat (f->url, "/-/ready", NULL);
          g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
          g_autoptr(GBytes) reply = soup_session_send_and_read (f->session, msg, NULL, NULL);

          if (reply != NULL && soup_message_get_status (msg) == 200)
            return;

          if (g_subprocess_get_identifier (f->am) == NULL)
            break;

          g_usleep (50 * 1000);
        }

      g_subprocess_force_exit (f->am);
      g_subprocess_wait (f->am, NULL, NULL);
      g_clear_object (&f->am);
    }

  {
    g_autofree char *text = NULL;

    g_file_get_contents (log, &text, NULL, NULL);
    g_printerr ("%s\n", text != NULL ? text : "");
    g_error ("Alertmanager did not start");
  }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperProvider) provider = NULL;

  if (!g_file_test (am_binary (), G_FILE_TEST_IS_EXECUTABLE))
    return;

  f->tmp_dir = test_make_tmp_dir ();
  f->session = soup_session_new ();
  am_start (f);

  f->store = pieper_store_open (f->tmp_dir, &error);
  g_assert_no_error (error);
  f->outbox = pieper_outbox_new (f->store);
  f->account = pieper_store_ensure_account (f->store, "alertmanager", f->url, EMAIL, &error);
  g_assert_no_error (error);

  /* No token: an Alertmanager without a proxy in front. */
  provider = pieper_provider_new_for_account (f->account, NULL, &error);
  g_assert_no_error (error);
  f->engine = pieper_sync_engine_new (f->store);
  pieper_sync_engine_add_account (f->engine, f->account, provider);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->account);
  g_clear_object (&f->outbox);
  g_clear_object (&f->store);
  if (f->am != NULL)
    {
      g_subprocess_send_signal (f->am, SIGTERM);
      g_subprocess_wait (f->am, NULL, NULL);
      g_clear_object (&f->am);
    }
  g_clear_object (&f->session);
  if (f->tmp_dir != NULL)
    test_remove_tree (f->tmp_dir);
  g_free (f->tmp_dir);
  g_free (f->url);
}

static gboolean
skip_without_alertmanager (Fixture *f)
{
  if (f->am != NULL)
    return FALSE;

  g_test_skip ("prometheus-alertmanager is not installed (build-aux/dev installs it)");
  return TRUE;
}

/* Alerts, as Prometheus posts them. */

static char *
iso_time (gint64 offset)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_seconds (now, (double) offset);

  return g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
}

static void
post_alert (Fixture    *f,
            const char *alertname,
            const char *labels,
            const char *summary,
            gboolean    resolved)
{
  g_autofree char *starts = iso_time (-120);
  g_autofree char *ends = iso_time (resolved ? -60 : 600);
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) reply = NULL;

  json = g_strdup_printf ("[{\"labels\":{\"alertname\":\"%s\"%s%s},"
                          "\"annotations\":{\"summary\":\"%s\",\"runbook_url\":\"https://runbooks.example.com/%s\"},"
                          "\"startsAt\":\"%s\",\"endsAt\":\"%s\"}]",
                          alertname, labels[0] != '\0' ? "," : "", labels,
                          summary, alertname, starts, ends);
  reply = am_request (f, "POST", "/api/v2/alerts", json, NULL);
}

/* The fingerprint Alertmanager gave the alert named @alertname. */
static char *
fingerprint_of (Fixture    *f,
                const char *alertname)
{
  g_autoptr(JsonNode) alerts = am_request (f, "GET", "/api/v2/alerts", NULL, NULL);
  JsonArray *array = json_node_get_array (alerts);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *alert = json_array_get_object_element (array, i);
      JsonObject *labels = json_object_get_object_member (alert, "labels");

      if (g_strcmp0 (json_object_get_string_member (labels, "alertname"), alertname) == 0)
        return g_strdup (json_object_get_string_member (alert, "fingerprint"));
    }

  g_assert_not_reached ();
}

/* Every silence (active, pending or expired) whose matchers name
 * @alertname; @pieper_only: only those with a Pieper marker. */
static GPtrArray *
silences_for (Fixture    *f,
              const char *alertname,
              gboolean    pieper_only)
{
  g_autoptr(JsonNode) silences = am_request (f, "GET", "/api/v2/silences", NULL, NULL);
  JsonArray *array = json_node_get_array (silences);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *silence = json_array_get_object_element (array, i);
      JsonArray *matchers = json_object_get_array_member (silence, "matchers");
      const char *comment = json_object_get_string_member (silence, "comment");
      gboolean names = FALSE;

      for (guint k = 0; k < json_array_get_length (matchers); k++)
        {
          JsonObject *matcher = json_array_get_object_element (matchers, k);

          if (g_strcmp0 (json_object_get_string_member (matcher, "name"), "alertname") == 0 &&
              g_strcmp0 (json_object_get_string_member (matcher, "value"), alertname) == 0)
            names = TRUE;
        }

      if (!names)
        continue;
      if (pieper_only && strstr (comment, "[pieper:") == NULL)
        continue;

      g_ptr_array_add (found, json_object_ref (silence));
    }

  return found;
}

/* Pieper silences per alert name (for alerts named Kill…): the most any
 * one alert has, and how many alerts have one. */
static void
count_kill_silences (Fixture *f,
                     guint   *most,
                     guint   *alerts)
{
  g_autoptr(JsonNode) silences = am_request (f, "GET", "/api/v2/silences", NULL, NULL);
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *array = json_node_get_array (silences);
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *silence = json_array_get_object_element (array, i);
      JsonArray *matchers = json_object_get_array_member (silence, "matchers");

      if (strstr (json_object_get_string_member (silence, "comment"), "[pieper:") == NULL)
        continue;

      for (guint k = 0; k < json_array_get_length (matchers); k++)
        {
          JsonObject *matcher = json_array_get_object_element (matchers, k);
          const char *name = json_object_get_string_member (matcher, "value");

          if (g_strcmp0 (json_object_get_string_member (matcher, "name"), "alertname") == 0 &&
              g_str_has_prefix (name, "Kill"))
            g_hash_table_insert (counts, g_strdup (name),
                                 GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name)) + 1));
        }
    }

  *most = 0;
  *alerts = g_hash_table_size (counts);
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    *most = MAX (*most, GPOINTER_TO_UINT (value));
}

/* The sync engine, in this process */

typedef struct
{
  gboolean         done;
  gboolean         ok;
  PieperSyncStats  stats;
  GError          *error;
} SyncResult;

static void
sync_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SyncResult *r = user_data;

  r->ok = pieper_sync_engine_sync_finish (PIEPER_SYNC_ENGINE (object), result, &r->stats, &r->error);
  r->done = TRUE;
}

static PieperSyncStats
sync_once (Fixture *f)
{
  SyncResult r = { FALSE, };

  pieper_sync_engine_sync_async (f->engine, NULL, sync_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (r.error);
  g_assert_true (r.ok);

  return r.stats;
}

static PieperIncident *
incident_of (Fixture    *f,
             const char *fingerprint)
{
  g_autoptr(GError) error = NULL;
  PieperIncident *incident;

  incident = pieper_store_lookup_incident (f->store, pieper_account_get_id (f->account),
                                           fingerprint, &error);
  g_assert_no_error (error);
  g_assert_nonnull (incident);

  return incident;
}

static gint64
parse_time (const char *text)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

/* 1. Alerts posted to Alertmanager appear in Pieper. */
static void
test_pull (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(PieperIncident) latency = NULL;
  g_autoptr(PieperIncident) disk = NULL;
  g_autoptr(PieperIncident) silenced = NULL;
  g_autofree char *fp_latency = NULL;
  g_autofree char *fp_disk = NULL;
  g_autofree char *fp_silenced = NULL;
  g_autofree char *starts = iso_time (-60);
  g_autofree char *ends = iso_time (3600);
  g_autofree char *silence = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *assignees;
  PieperSyncStats stats;

  if (skip_without_alertmanager (f))
    return;

  post_alert (f, "HighLatency", "\"service\":\"api\",\"severity\":\"critical\"", "API p99 latency above 2s", FALSE);
  post_alert (f, "DiskFull", "\"job\":\"node\",\"instance\":\"db-1\",\"severity\":\"warning\"", "Disk almost full", FALSE);
  post_alert (f, "Flapping", "\"severity\":\"critical\"", "A flapping check", FALSE);

  /* Someone silenced one with amtool: acknowledged, by them. */
  silence = g_strdup_printf ("{\"matchers\":[{\"name\":\"alertname\",\"value\":\"Flapping\",\"isRegex\":false}],"
                             "\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"createdBy\":\"ops\",\"comment\":\"known flapper\"}",
                             starts, ends);
  reply = am_request (f, "POST", "/api/v2/silences", silence, NULL);

  fp_latency = fingerprint_of (f, "HighLatency");
  fp_disk = fingerprint_of (f, "DiskFull");
  fp_silenced = fingerprint_of (f, "Flapping");

  stats = sync_once (f);
  g_assert_cmpuint (stats.pulled, >=, 3);

  open = pieper_store_list_incidents (f->store, PIEPER_FILTER_OPEN, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 3);

  latency = incident_of (f, fp_latency);
  g_assert_cmpint (pieper_incident_get_status (latency), ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpint (pieper_incident_get_urgency (latency), ==, PIEPER_URGENCY_HIGH);
  g_assert_cmpstr (pieper_incident_get_title (latency), ==, "API p99 latency above 2s");
  g_assert_cmpstr (pieper_incident_get_service (latency), ==, "api");
  g_assert_cmpstr (pieper_incident_get_escalation_policy (latency), ==, "pieper");

  disk = incident_of (f, fp_disk);
  g_assert_cmpint (pieper_incident_get_status (disk), ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpint (pieper_incident_get_urgency (disk), ==, PIEPER_URGENCY_LOW);
  g_assert_cmpstr (pieper_incident_get_service (disk), ==, "node");

  silenced = incident_of (f, fp_silenced);
  g_assert_cmpint (pieper_incident_get_status (silenced), ==, PIEPER_STATUS_ACKNOWLEDGED);
  assignees = pieper_incident_get_assignees (silenced);
  g_assert_nonnull (assignees);
  g_assert_cmpstr (assignees[0], ==, "ops");

  g_assert_cmpint (pieper_provider_get_capabilities (pieper_sync_engine_get_provider (f->engine,
                                                                                     pieper_account_get_id (f->account))),
                   ==, PIEPER_CAPABILITY_ACKNOWLEDGE | PIEPER_CAPABILITY_SNOOZE | PIEPER_CAPABILITY_NOTE);
}

/* 2. Acknowledge, note and snooze: one silence, which carries them all. */
static void
test_ack_note_snooze (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperIncident) after = NULL;
  g_autoptr(PieperAction) ack = NULL;
  g_autoptr(PieperAction) note = NULL;
  g_autoptr(PieperAction) snooze = NULL;
  g_autoptr(GPtrArray) silences = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fp = NULL;
  g_autofree char *header = NULL;
  g_autofree char *silence_id = NULL;
  JsonObject *silence;
  const char *comment;
  gboolean note_in_timeline = FALSE;
  PieperSyncStats stats;
  gint64 now;

  if (skip_without_alertmanager (f))
    return;

  post_alert (f, "HighLatency", "\"service\":\"api\",\"severity\":\"critical\"", "API p99 latency above 2s", FALSE);
  fp = fingerprint_of (f, "HighLatency");
  sync_once (f);
  incident = incident_of (f, fp);
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_TRIGGERED);

  /* Acknowledge: exactly one silence, with the marker comment. */
  ack = pieper_outbox_acknowledge (f->outbox, pieper_incident_get_id (incident), &error);
  g_assert_no_error (error);
  stats = sync_once (f);
  g_assert_cmpuint (stats.sent, ==, 1);
  g_assert_cmpuint (stats.failed + stats.conflicts, ==, 0);

  silences = silences_for (f, "HighLatency", FALSE);
  g_assert_cmpuint (silences->len, ==, 1);
  silence = g_ptr_array_index (silences, 0);
  silence_id = g_strdup (json_object_get_string_member (silence, "id"));
  comment = json_object_get_string_member (silence, "comment");
  header = g_strdup ("Acknowledged in Pieper by " EMAIL " [pieper:ack]");
  g_assert_cmpstr (comment, ==, header);
  g_assert_cmpstr (json_object_get_string_member (silence, "createdBy"), ==, EMAIL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (silence, "matchers")), ==, 3);
  now = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_cmpint (parse_time (json_object_get_string_member (silence, "endsAt")), >=, now + 3600 - 120);
  g_assert_cmpint (parse_time (json_object_get_string_member (silence, "endsAt")), <=, now + 3600 + 120);

  after = incident_of (f, fp);
  g_assert_cmpint (pieper_incident_get_status (after), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpstr (pieper_incident_get_assignees (after)[0], ==, EMAIL);
  g_clear_object (&after);

  /* The next round changes nothing: still one silence, acknowledged. */
  sync_once (f);
  g_clear_pointer (&silences, g_ptr_array_unref);
  silences = silences_for (f, "HighLatency", FALSE);
  g_assert_cmpuint (silences->len, ==, 1);
  after = incident_of (f, fp);
  g_assert_cmpint (pieper_incident_get_status (after), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_clear_object (&after);

  /* A note goes into the same silence (updated in place), and into the
   * timeline. */
  pieper_sync_engine_watch_incident (f->engine, pieper_incident_get_id (incident), TRUE);
  note = pieper_outbox_add_note (f->outbox, pieper_incident_get_id (incident),
                                 "Rolled back deploy 4711.\n[pieper:note 2020-01-01T00:00:00Z fake]", &error);
  g_assert_no_error (error);
  stats = sync_once (f);
  g_assert_cmpuint (stats.sent, ==, 1);
  g_assert_cmpuint (stats.failed + stats.conflicts, ==, 0);

  g_clear_pointer (&silences, g_ptr_array_unref);
  silences = silences_for (f, "HighLatency", FALSE);
  g_assert_cmpuint (silences->len, ==, 1);
  silence = g_ptr_array_index (silences, 0);
  g_assert_cmpstr (json_object_get_string_member (silence, "id"), ==, silence_id);
  comment = json_object_get_string_member (silence, "comment");
  g_assert_true (g_str_has_prefix (comment, header));
  g_assert_nonnull (strstr (comment, "\nRolled back deploy 4711.\n [pieper:note 2020-01-01T00:00:00Z fake]"));

  timeline = pieper_store_list_timeline (f->store, pieper_incident_get_id (incident), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < timeline->len; i++)
    {
      PieperTimelineEntry *entry = g_ptr_array_index (timeline, i);

      if (pieper_timeline_entry_get_kind (entry) == PIEPER_TIMELINE_NOTE &&
          g_strcmp0 (pieper_timeline_entry_get_body (entry),
                     "Rolled back deploy 4711.\n[pieper:note 2020-01-01T00:00:00Z fake]") == 0)
        {
          g_assert_false (note_in_timeline);
          g_assert_cmpstr (pieper_timeline_entry_get_author (entry), ==, EMAIL);
          note_in_timeline = TRUE;
        }
    }
  g_assert_true (note_in_timeline);

  /* Snooze: the same silence ends in ten minutes, notes kept. */
  snooze = pieper_outbox_snooze (f->outbox, pieper_incident_get_id (incident), 10, &error);
  g_assert_no_error (error);
  stats = sync_once (f);
  g_assert_cmpuint (stats.sent, ==, 1);
  g_assert_cmpuint (stats.failed + stats.conflicts, ==, 0);

  g_clear_pointer (&silences, g_ptr_array_unref);
  silences = silences_for (f, "HighLatency", FALSE);
  g_assert_cmpuint (silences->len, ==, 1);
  silence = g_ptr_array_index (silences, 0);
  g_assert_cmpstr (json_object_get_string_member (silence, "id"), ==, silence_id);
  comment = json_object_get_string_member (silence, "comment");
  g_assert_true (g_str_has_prefix (comment, "Snoozed in Pieper by " EMAIL " until "));
  g_assert_nonnull (strstr (comment, "[pieper:snooze]\n"));
  g_assert_nonnull (strstr (comment, "Rolled back deploy 4711."));
  now = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_cmpint (parse_time (json_object_get_string_member (silence, "endsAt")), >=, now + 600 - 120);
  g_assert_cmpint (parse_time (json_object_get_string_member (silence, "endsAt")), <=, now + 600 + 120);

  after = incident_of (f, fp);
  g_assert_cmpint (pieper_incident_get_status (after), ==, PIEPER_STATUS_ACKNOWLEDGED);
}

/* An acknowledgement that reached Alertmanager, though its sender never
 * heard back: neither the provider nor the sync engine makes another. */

static void
update_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  PieperIncident **incident = user_data;
  g_autoptr(GError) error = NULL;

  *incident = pieper_provider_update_finish (PIEPER_PROVIDER (object), result, &error);
  g_assert_no_error (error);
}

static void
test_ack_read_back (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperIncident) after = NULL;
  g_autoptr(PieperAction) ack = NULL;
  g_autoptr(GPtrArray) silences = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fp = NULL;
  PieperProvider *provider = pieper_sync_engine_get_provider (f->engine, pieper_account_get_id (f->account));
  PieperSyncStats stats;

  if (skip_without_alertmanager (f))
    return;

  post_alert (f, "HighLatency", "\"severity\":\"critical\"", "API p99 latency above 2s", FALSE);
  fp = fingerprint_of (f, "HighLatency");
  sync_once (f);
  incident = incident_of (f, fp);
  ack = pieper_outbox_acknowledge (f->outbox, pieper_incident_get_id (incident), &error);
  g_assert_no_error (error);

  /* Twice straight to the provider: the second finds the first. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PieperIncident) confirmed = NULL;

      pieper_provider_acknowledge_async (provider, fp, NULL, update_cb, &confirmed);
      while (confirmed == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (pieper_incident_get_status (confirmed), ==, PIEPER_STATUS_ACKNOWLEDGED);
    }

  /* The engine's check before sending sees it acknowledged. */
  stats = sync_once (f);
  g_assert_cmpuint (stats.sent, ==, 1);

  silences = silences_for (f, "HighLatency", FALSE);
  g_assert_cmpuint (silences->len, ==, 1);
  after = incident_of (f, fp);
  g_assert_cmpint (pieper_incident_get_status (after), ==, PIEPER_STATUS_ACKNOWLEDGED);
}

/* Our acknowledgement is extended while the alert keeps firing; a snooze
 * is left to run out. */
static void
test_extend (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *starts = iso_time (-60);
  g_autofree char *ends = iso_time (300);
  g_autofree char *ack = NULL;
  g_autofree char *snooze = NULL;
  g_autofree char *ack_id = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) reply2 = NULL;
  g_autoptr(GPtrArray) acks = NULL;
  g_autoptr(GPtrArray) snoozes = NULL;
  JsonObject *silence;
  gint64 now;

  if (skip_without_alertmanager (f))
    return;

  post_alert (f, "Acked", "\"severity\":\"critical\"", "Acknowledged a while ago", FALSE);
  post_alert (f, "Snoozed", "\"severity\":\"critical\"", "Snoozed a while ago", FALSE);

  ack = g_strdup_printf ("{\"matchers\":[{\"name\":\"alertname\",\"value\":\"Acked\",\"isRegex\":false},"
                         "{\"name\":\"severity\",\"value\":\"critical\",\"isRegex\":false}],"
                         "\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"createdBy\":\"" EMAIL "\","
                         "\"comment\":\"Acknowledged in Pieper by " EMAIL " [pieper:ack]\"}",
                         starts, ends);
  reply = am_request (f, "POST", "/api/v2/silences", ack, NULL);
  ack_id = g_strdup (json_object_get_string_member (json_node_get_object (reply), "silenceID"));
  snooze = g_strdup_printf ("{\"matchers\":[{\"name\":\"alertname\",\"value\":\"Snoozed\",\"isRegex\":false},"
                            "{\"name\":\"severity\",\"value\":\"critical\",\"isRegex\":false}],"
                            "\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"createdBy\":\"" EMAIL "\","
                            "\"comment\":\"Snoozed in Pieper by " EMAIL " until %s [pieper:snooze]\"}",
                            starts, ends, ends);
  reply2 = am_request (f, "POST", "/api/v2/silences", snooze, NULL);

  sync_once (f);

  now = g_get_real_time () / G_USEC_PER_SEC;
  acks = silences_for (f, "Acked", FALSE);
  g_assert_cmpuint (acks->len, ==, 1);
  silence = g_ptr_array_index (acks, 0);
  g_assert_cmpstr (json_object_get_string_member (silence, "id"), ==, ack_id);
  g_assert_cmpint (parse_time (json_object_get_string_member (silence, "endsAt")), >=, now + 3600 - 120);

  snoozes = silences_for (f, "Snoozed", FALSE);
  g_assert_cmpuint (snoozes->len, ==, 1);
  silence = g_ptr_array_index (snoozes, 0);
  g_assert_cmpint (parse_time (json_object_get_string_member (silence, "endsAt")), <=, now + 300 + 5);
}

/* 3. A note on an alert nobody acknowledged makes no silence. */
static void
test_note_without_ack (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperIncident) after = NULL;
  g_autoptr(PieperAction) note = NULL;
  g_autoptr(GPtrArray) silences = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fp = NULL;
  PieperSyncStats stats;

  if (skip_without_alertmanager (f))
    return;

  post_alert (f, "DiskFull", "\"severity\":\"warning\"", "Disk almost full", FALSE);
  fp = fingerprint_of (f, "DiskFull");
  sync_once (f);
  incident = incident_of (f, fp);

  note = pieper_outbox_add_note (f->outbox, pieper_incident_get_id (incident), "Looking", &error);
  g_assert_no_error (error);
  stats = sync_once (f);
  g_assert_cmpuint (stats.conflicts, ==, 1);

  silences = silences_for (f, "DiskFull", FALSE);
  g_assert_cmpuint (silences->len, ==, 0);
  after = incident_of (f, fp);
  g_assert_cmpint (pieper_incident_get_status (after), ==, PIEPER_STATUS_TRIGGERED);
}

/* 4. An alert that stops firing shows resolved. */
static void
test_resolved (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperIncident) after = NULL;
  g_autoptr(PieperIncident) other = NULL;
  g_autofree char *fp = NULL;
  g_autofree char *fp_other = NULL;

  if (skip_without_alertmanager (f))
    return;

  post_alert (f, "HighLatency", "\"service\":\"api\",\"severity\":\"critical\"", "API p99 latency above 2s", FALSE);
  post_alert (f, "DiskFull", "\"severity\":\"warning\"", "Disk almost full", FALSE);
  fp = fingerprint_of (f, "HighLatency");
  fp_other = fingerprint_of (f, "DiskFull");
  sync_once (f);
  incident = incident_of (f, fp);
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_TRIGGERED);

  /* Prometheus says it ended a minute ago. */
  post_alert (f, "HighLatency", "\"service\":\"api\",\"severity\":\"critical\"", "API p99 latency above 2s", TRUE);
  sync_once (f);

  after = incident_of (f, fp);
  g_assert_cmpint (pieper_incident_get_status (after), ==, PIEPER_STATUS_RESOLVED);
  g_assert_cmpstr (pieper_incident_get_title (after), ==, "API p99 latency above 2s");
  g_assert_cmpstr (pieper_incident_get_service (after), ==, "api");

  other = incident_of (f, fp_other);
  g_assert_cmpint (pieper_incident_get_status (other), ==, PIEPER_STATUS_TRIGGERED);
}

/* 5. The kill test: `pieperctl sync` SIGKILLed during a flush of
 * acknowledgements, then synced to the end: one Pieper silence each. */

typedef struct
{
  gboolean done;
} Running;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Running *running = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  running->done = TRUE;
}

/* Runs `pieperctl sync`; SIGKILLs it after @kill_after_ms unless it ended
 * first. Returns whether the kill hit it. */
static gboolean
sync_and_kill (const char *data_dir,
               guint       kill_after_ms)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Running running = { FALSE };
  gint64 deadline = g_get_monotonic_time () + (gint64) kill_after_ms * 1000;
  gboolean killed = FALSE;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, cli_test_pieperctl (),
                                         "--data-dir", data_dir, "sync", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (process, NULL, wait_cb, &running);

  while (!running.done && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }

  if (!running.done)
    {
      g_subprocess_send_signal (process, SIGKILL);
      killed = TRUE;
    }

  while (!running.done)
    g_main_context_iteration (NULL, TRUE);

  return killed && g_subprocess_get_if_signaled (process);
}

/* A killed sync's claims are taken over only UNKNOWN_OUTCOME_WAIT after
 * they were made; moves their times back by that much, as if the wait
 * were over. */
static void
pass_unknown_outcome_wait (const char *data_dir)
{
  g_autofree char *db_path = g_build_filename (data_dir, "pieper.db", NULL);

  cli_db_exec (db_path,
               "UPDATE outbox SET updated_at = updated_at - " G_STRINGIFY (UNKNOWN_OUTCOME_WAIT)
               " WHERE state = 'inflight'");
}

/* Puts KILL_ALERTS more alerts on the server, pulls them and acknowledges
 * each one offline, so the next sync has that many silences to make. */
static void
arm_kill_batch (Fixture    *f,
                const char *data_dir,
                guint       batch)
{
  g_autoptr(CliRun) pull = NULL;
  g_autoptr(GPtrArray) fingerprints = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < KILL_ALERTS; i++)
    {
      g_autofree char *name = g_strdup_printf ("Kill%02u", batch * KILL_ALERTS + i);

      post_alert (f, name, "\"severity\":\"critical\"", "Alert to acknowledge", FALSE);
      g_ptr_array_add (fingerprints, fingerprint_of (f, name));
    }

  pull = cli_run (data_dir, "sync", NULL);
  cli_assert_ok (pull);

  for (guint i = 0; i < fingerprints->len; i++)
    {
      g_autoptr(CliRun) ack = cli_run (data_dir, "ack", g_ptr_array_index (fingerprints, i), NULL);

      cli_assert_ok (ack);
    }
}

static void
test_kill (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *data_dir = NULL;
  g_autoptr(CliRun) add = NULL;
  g_autoptr(CliRun) outbox = NULL;
  g_autoptr(CliRun) list = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint batches = 0;
  guint kills = 0;
  guint partial = 0;
  guint window_ms = KILL_WINDOW_MS;
  gboolean finished = FALSE;
  JsonArray *array;

  if (skip_without_alertmanager (f))
    return;

  data_dir = g_build_filename (f->tmp_dir, "cli", NULL);

  /* No token, no PIEPER_TOKEN: an Alertmanager without a proxy. */
  add = cli_run_with_input (data_dir, "", "account", "add", "--provider", "alertmanager",
                            "--url", f->url, "--email", EMAIL, NULL);
  cli_assert_ok (add);
  g_assert_nonnull (strstr (add->out, "without a token"));

  arm_kill_batch (f, data_dir, batches++);

  /* Kills at random moments of the flush. The window follows the flush:
   * wider after a kill that came before anything was sent, narrower
   * after a sync that finished first. A flush that finished before any
   * kill landed in its middle gets a fresh batch of alerts (a few at
   * most), so a fast flush on a quiet machine cannot end the test early. */
  for (guint i = 0; i < KILL_KILLS * KILL_BATCHES; i++)
    {
      guint most = 0;
      guint before = 0;
      guint after = 0;
      gboolean killed;

      count_kill_silences (f, &most, &before);
      if (before == batches * KILL_ALERTS)
        {
          if (partial > 0 || batches == KILL_BATCHES)
            break;
          arm_kill_batch (f, data_dir, batches++);
          window_ms = MAX (10, window_ms / 2);
          continue;
        }

      killed = sync_and_kill (data_dir, g_test_rand_int_range (5, window_ms + 1));
      kills += killed;
      pass_unknown_outcome_wait (data_dir);

      /* Never two for one alert, whenever the kill came. */
      count_kill_silences (f, &most, &after);
      g_assert_cmpuint (most, <=, 1);

      if (killed && after > before && after < batches * KILL_ALERTS)
        partial++;
      else if (killed && after == before)
        window_ms = window_ms * 3 / 2;
      else
        window_ms = MAX (10, window_ms / 2);
    }

  if (g_test_verbose ())
    g_printerr ("%u syncs killed, %u of them in the middle of the flush, %u batches\n",
                kills, partial, batches);
  g_assert_cmpuint (partial, >, 0);

  for (guint i = 0; i < FINAL_TRIES && !finished; i++)
    {
      g_autoptr(CliRun) run = cli_run (data_dir, "sync", NULL);

      finished = run->status == 0;
    }
  g_assert_true (finished);

  /* Exactly one Pieper silence per acknowledged alert. */
  for (guint k = 0; k < batches * KILL_ALERTS; k++)
    {
      g_autofree char *name = g_strdup_printf ("Kill%02u", k);
      g_autoptr(GPtrArray) found = silences_for (f, name, FALSE);

      g_assert_cmpuint (found->len, ==, 1);
      g_assert_true (g_str_has_suffix (json_object_get_string_member (g_ptr_array_index (found, 0), "comment"),
                                       "[pieper:ack]"));
    }

  /* Every action done, every alert acknowledged. */
  outbox = cli_run (data_dir, "outbox", "--json", NULL);
  cli_assert_ok (outbox);
  json_parser_load_from_data (parser, outbox->out, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, batches * KILL_ALERTS);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, i), "state"), ==, "done");

  list = cli_run (data_dir, "list", "--json", "--filter", "acknowledged", NULL);
  cli_assert_ok (list);
  json_parser_load_from_data (parser, list->out, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))), ==,
                    batches * KILL_ALERTS);
}

/* 6. HTTP without Alertmanager: credentials, and answers a proxy or a
 * login page might give. */

typedef struct
{
  guint  mode;
  char  *authorization;
  char  *path;
} Fake;

enum { FAKE_OK, FAKE_401, FAKE_REDIRECT, FAKE_HTML };

static void
fake_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Fake *fake = user_data;
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");

  g_free (fake->authorization);
  fake->authorization = g_strdup (auth);
  g_free (fake->path);
  fake->path = g_strdup (path);

  switch (fake->mode)
    {
    case FAKE_401:
      soup_server_message_set_status (msg, 401, NULL);
      break;
    case FAKE_REDIRECT:
      soup_server_message_set_redirect (msg, 302, "http://elsewhere.example.com/login");
      break;
    case FAKE_HTML:
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, "<html></html>", 13);
      break;
    case FAKE_OK:
    default:
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{\"cluster\":{}}", 14);
      break;
    }
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  char     *who;
  GError   *error;
} Whoami;

static void
whoami_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Whoami *w = user_data;

  w->ok = pieper_provider_whoami_finish (PIEPER_PROVIDER (object), result, &w->who, NULL, &w->error);
  w->done = TRUE;
}

static gboolean
fake_whoami (const char  *url,
             const char  *token,
             GError     **error)
{
  g_autoptr(PieperProvider) provider = NULL;
  Whoami w = { FALSE, };

  provider = pieper_alertmanager_new (url, "me@example.com", token, error);
  g_assert_nonnull (provider);
  pieper_provider_whoami_async (provider, NULL, whoami_cb, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);

  if (w.ok)
    g_assert_cmpstr (w.who, ==, "me@example.com");
  g_free (w.who);
  if (w.error != NULL)
    g_propagate_error (error, w.error);

  return w.ok;
}

static void
test_http (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *prefixed = NULL;
  GSList *uris;
  Fake fake = { FAKE_OK, NULL, NULL };

  soup_server_add_handler (server, NULL, fake_handler, &fake, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_assert_true (fake_whoami (base, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (fake.authorization);
  g_assert_cmpstr (fake.path, ==, "/api/v2/status");

  g_assert_true (fake_whoami (base, "user:pass", &error));
  g_assert_cmpstr (fake.authorization, ==, "Basic dXNlcjpwYXNz");

  g_assert_true (fake_whoami (base, "s3cr3t.token", &error));
  g_assert_cmpstr (fake.authorization, ==, "Bearer s3cr3t.token");

  g_assert_true (fake_whoami (base, "Bearer with:colon", &error));
  g_assert_cmpstr (fake.authorization, ==, "Bearer with:colon");

  /* A path prefix is kept; /api/v2 given too is not doubled. */
  prefixed = g_strconcat (base, "alertmanager/api/v2/", NULL);
  g_assert_true (fake_whoami (prefixed, NULL, &error));
  g_assert_cmpstr (fake.path, ==, "/alertmanager/api/v2/status");

  fake.mode = FAKE_401;
  g_assert_false (fake_whoami (base, "user:wrong", &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH);
  g_clear_error (&error);

  fake.mode = FAKE_REDIRECT;
  g_assert_false (fake_whoami (base, "user:pass", &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "redirect"));
  g_clear_error (&error);

  fake.mode = FAKE_HTML;
  g_assert_false (fake_whoami (base, NULL, &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "content type"));
  g_clear_error (&error);

  /* A token that would break the header is never sent. */
  fake.mode = FAKE_OK;
  g_clear_pointer (&fake.path, g_free);
  g_assert_false (fake_whoami (base, "a\r\nX-Injected: 1", &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH);
  g_assert_null (fake.path);

  g_free (fake.authorization);
  g_free (fake.path);
}

/* 7. A write whose outcome is unknown: the silence's POST gets no answer in
 * time, loses its connection once it was read, or a proxy says 502. The
 * server may have made the silence, or may still make it; a read that
 * fails so, or a 503, is only to be tried again. */

enum { WRITE_HOLD, WRITE_DROP, WRITE_502, WRITE_503, READ_HOLD };

typedef struct
{
  guint      mode;
  GPtrArray *held;
} WriteFake;

static gboolean
drop_cb (gpointer data)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (data);

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);

  return G_SOURCE_REMOVE;
}

static void
write_fake_handler (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  WriteFake *fake = user_data;
  gboolean write = strcmp (soup_server_message_get_method (msg), "POST") == 0;

  if ((write && fake->mode == WRITE_HOLD) || (!write && fake->mode == READ_HOLD))
    {
      soup_server_message_pause (msg);
      g_ptr_array_add (fake->held, g_object_ref (msg));
    }
  else if (write && fake->mode == WRITE_DROP)
    {
      soup_server_message_pause (msg);
      g_idle_add_full (G_PRIORITY_DEFAULT, drop_cb, g_object_ref (msg), g_object_unref);
    }
  else if (write)
    soup_server_message_set_status (msg, fake->mode == WRITE_502 ? 502 : 503, NULL);
  else if (strcmp (path, "/api/v2/alerts") == 0)
    {
      g_autofree char *file = g_test_build_filename (G_TEST_DIST, "fixtures", "alertmanager", "alerts.json", NULL);
      g_autoptr(GError) error = NULL;
      char *alerts = NULL;
      gsize length;

      g_file_get_contents (file, &alerts, &length, &error);
      g_assert_no_error (error);
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, alerts, length);
    }
  else
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "[]", 2);
    }
}

static void
acknowledged_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(PieperIncident) incident = NULL;

  incident = pieper_provider_update_finish (PIEPER_PROVIDER (object), result, error);
  g_assert_null (incident);
  g_assert_nonnull (*error);
}

/* Acknowledges the first alert of fixtures/alertmanager/alerts.json, which
 * fails; returns its error's code. */
static int
acknowledge_fails (PieperProvider *provider)
{
  g_autoptr(GError) error = NULL;

  pieper_provider_acknowledge_async (provider, "6a4f37c34a2d1e4b", NULL, acknowledged_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (error->domain == PIEPER_PROVIDER_ERROR);
  return error->code;
}

static void
test_write_outcome (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(PieperProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  GSList *uris;
  WriteFake fake = { WRITE_HOLD, g_ptr_array_new_with_free_func (g_object_unref) };

  soup_server_add_handler (server, NULL, write_fake_handler, &fake, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  provider = pieper_alertmanager_new (base, EMAIL, NULL, &error);
  g_assert_no_error (error);
  _pieper_alertmanager_set_timeout (PIEPER_ALERTMANAGER (provider), 1);

  fake.mode = WRITE_HOLD;
  g_assert_cmpint (acknowledge_fails (provider), ==, PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME);
  fake.mode = WRITE_DROP;
  g_assert_cmpint (acknowledge_fails (provider), ==, PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME);
  fake.mode = WRITE_502;
  g_assert_cmpint (acknowledge_fails (provider), ==, PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME);
  fake.mode = WRITE_503;
  g_assert_cmpint (acknowledge_fails (provider), ==, PIEPER_PROVIDER_ERROR_TRANSIENT);
  fake.mode = READ_HOLD;
  g_assert_cmpint (acknowledge_fails (provider), ==, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_cmpuint (fake.held->len, ==, 2);

  /* The held requests are answered now, to a client long gone. */
  g_clear_object (&provider);
  for (guint i = 0; i < fake.held->len; i++)
    {
      soup_server_message_set_status (g_ptr_array_index (fake.held, i), 503, NULL);
      soup_server_message_unpause (g_ptr_array_index (fake.held, i));
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_ptr_array_unref (fake.held);
  soup_server_disconnect (server);
}

int
main (int   argc,
      char *argv[])
{
  cli_test_init (&argc, &argv);

  /* No token from the environment, and no Secret Service: the accounts
   * here have none. */
  g_unsetenv ("PIEPER_TOKEN");
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/pieper-test-bus", TRUE);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/pieper-test-system-bus", TRUE);

  g_test_add_func ("/alertmanager/http", test_http);
  g_test_add_func ("/alertmanager/http/write-outcome", test_write_outcome);
  g_test_add ("/alertmanager/pull", Fixture, NULL, fixture_set_up, test_pull, fixture_tear_down);
  g_test_add ("/alertmanager/ack-note-snooze", Fixture, NULL, fixture_set_up, test_ack_note_snooze, fixture_tear_down);
  g_test_add ("/alertmanager/ack-read-back", Fixture, NULL, fixture_set_up, test_ack_read_back, fixture_tear_down);
  g_test_add ("/alertmanager/extend", Fixture, NULL, fixture_set_up, test_extend, fixture_tear_down);
  g_test_add ("/alertmanager/note-without-ack", Fixture, NULL, fixture_set_up, test_note_without_ack, fixture_tear_down);
  g_test_add ("/alertmanager/resolved", Fixture, NULL, fixture_set_up, test_resolved, fixture_tear_down);
  g_test_add ("/alertmanager/kill", Fixture, NULL, fixture_set_up, test_kill, fixture_tear_down);

  return g_test_run ();
}
