/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "cli-test-common.h"
#include "pieper-outbox-private.h"

/*
 * `pieperctl sync` and `pieperctl watch` against pieper-sim running as a
 * process of its own, as a responder would run them: each test has a fresh
 * data directory and a fresh sim, an account added with PIEPER_TOKEN and no
 * Secret Service, and looks at what reached the server through the sim's
 * record of writes (GET /_sim/writes).
 *
 * The kill test SIGKILLs `pieperctl sync` at random moments of a slow flush
 * 20 times; afterwards every note that was queued was applied on the server
 * exactly once.
 */

#define TOKEN           "T"
#define EMAIL           "mira.jansen@example.com"
#define N_SIM_INCIDENTS "40"

#define KILL_KILLS         20
#define KILL_MAX_ROUNDS    40
#define KILL_FIRST_NOTES   60
#define KILL_TOP_UP        8
#define KILL_INCIDENTS     6
#define KILL_STALL_RATE    0.3
#define KILL_STALL_SECONDS 0.15
#define KILL_MAX_WINDOW_MS 2000
#define FINAL_SYNC_TRIES   10

#define WATCH_TIMEOUT_MS   15000

static char *sim_path;

typedef struct
{
  char        *tmp_dir;
  char        *data_dir;
  char        *db_path;
  GSubprocess *sim;
  char        *url;
  guint        port;
  SoupSession *session;
} Fixture;

/* A child that outlives a failed test would keep meson waiting on the
 * output it inherited, and keep a port. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* The sim */

static void
sim_start (Fixture *f,
           guint    port)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autofree char *line = NULL;
  const char *prefix = "listening on ";
  const char *colon;

  g_assert_null (f->sim);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  f->sim = g_subprocess_launcher_spawn (launcher, &error, sim_path,
                                        "--port", port_text,
                                        "--incidents", N_SIM_INCIDENTS,
                                        "--token", TOKEN,
                                        NULL);
  g_assert_no_error (error);

  /* Its first line says where it listens; it listens once it said so. */
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->sim));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, prefix));

  g_free (f->url);
  f->url = g_strdup (line + strlen (prefix));
  colon = strrchr (f->url, ':');
  g_assert_nonnull (colon);
  f->port = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
  g_assert_cmpuint (f->port, >, 0);
  if (port != 0)
    g_assert_cmpuint (f->port, ==, port);
}

static void
sim_stop (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  if (f->sim == NULL)
    return;

  g_subprocess_send_signal (f->sim, SIGTERM);
  g_subprocess_wait (f->sim, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (f->sim));
  g_assert_cmpint (g_subprocess_get_exit_status (f->sim), ==, 0);
  g_clear_object (&f->sim);
}

/* One request to the sim, answered with 2xx; its JSON body, or NULL when
 * it had none. */
static JsonNode *
sim_request (Fixture    *f,
             const char *method,
             const char *path,
             const char *body)
{
  g_autofree char *uri = g_strconcat (f->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  gsize size = 0;
  const char *data;

  g_assert_nonnull (msg);
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Authorization", "Token token=" TOKEN);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  reply = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    g_error ("%s %s: HTTP %u", method, path, soup_message_get_status (msg));

  data = g_bytes_get_data (reply, &size);
  if (size == 0)
    return NULL;

  {
    g_autoptr(JsonParser) parser = json_parser_new ();

    json_parser_load_from_data (parser, data, (gssize) size, &error);
    g_assert_no_error (error);
    return json_node_ref (json_parser_get_root (parser));
  }
}

static void
sim_set_fault (Fixture    *f,
               const char *kind,
               double      rate,
               double      stall_seconds)
{
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) reply = NULL;
  char rate_text[G_ASCII_DTOSTR_BUF_SIZE];
  char stall_text[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (rate_text, sizeof rate_text, rate);
  g_ascii_dtostr (stall_text, sizeof stall_text, stall_seconds);
  body = g_strdup_printf ("{\"kind\": \"%s\", \"rate\": %s, \"stall_seconds\": %s}",
                          kind, rate_text, stall_text);
  reply = sim_request (f, "POST", "/_sim/faults", body);
}

static void
sim_clear_faults (Fixture *f)
{
  JsonNode *reply = sim_request (f, "DELETE", "/_sim/faults", NULL);

  g_clear_pointer (&reply, json_node_unref);
}

/* The record of writes, oldest first. */
static JsonNode *
sim_writes (Fixture *f)
{
  g_autoptr(JsonNode) reply = sim_request (f, "GET", "/_sim/writes", NULL);
  JsonObject *object;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply));
  object = json_node_get_object (reply);
  g_assert_true (json_object_has_member (object, "writes"));

  return json_node_ref (json_object_get_member (object, "writes"));
}

static guint
count_writes (JsonNode   *writes,
              const char *method,
              const char *path,
              gboolean    only_applied)
{
  JsonArray *array = json_node_get_array (writes);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *write = json_array_get_object_element (array, i);

      if (only_applied && !json_object_get_boolean_member_with_default (write, "applied", FALSE))
        continue;
      if (method != NULL && g_strcmp0 (json_object_get_string_member_with_default (write, "method", NULL), method) != 0)
        continue;
      if (path != NULL && g_strcmp0 (json_object_get_string_member_with_default (write, "path", NULL), path) != 0)
        continue;
      n++;
    }

  return n;
}

static const char *
write_note_text (JsonObject *write)
{
  JsonNode *body = json_object_get_member (write, "body");
  JsonObject *note;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body) ||
      !json_object_has_member (json_node_get_object (body), "note"))
    return NULL;
  note = json_object_get_object_member (json_node_get_object (body), "note");
  if (note == NULL)
    return NULL;

  return json_object_get_string_member_with_default (note, "content", NULL);
}

/* Applied note POSTs by their text: text → count. */
static GHashTable *
applied_notes (JsonNode *writes)
{
  GHashTable *notes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *array = json_node_get_array (writes);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *write = json_array_get_object_element (array, i);
      const char *method = json_object_get_string_member_with_default (write, "method", "");
      const char *path = json_object_get_string_member_with_default (write, "path", "");
      const char *text;

      if (!json_object_get_boolean_member_with_default (write, "applied", FALSE) ||
          strcmp (method, "POST") != 0 || !g_str_has_suffix (path, "/notes"))
        continue;

      text = write_note_text (write);
      g_assert_nonnull (text);
      g_hash_table_insert (notes, g_strdup (text),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (notes, text)) + 1));
    }

  return notes;
}

static guint
applied_note_count (JsonNode   *writes,
                    const char *text)
{
  g_autoptr(GHashTable) notes = applied_notes (writes);

  return GPOINTER_TO_UINT (g_hash_table_lookup (notes, text));
}

/* pieperctl */

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_ref (json_parser_get_root (parser));
}

static JsonNode *
run_json (Fixture    *f,
          const char *first_arg,
          ...) G_GNUC_NULL_TERMINATED;

static JsonNode *
run_json (Fixture    *f,
          const char *first_arg,
          ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(CliRun) run = NULL;
  JsonNode *node;
  va_list ap;

  va_start (ap, first_arg);
  for (const char *a = first_arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  run = cli_runv (f->data_dir, NULL, NULL, (const char * const *) args->pdata);
  cli_assert_ok (run);
  node = parse_json (run->out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));

  return node;
}

/* The state of the one note action with @text; it must be there once. */
static char *
note_state (Fixture    *f,
            const char *text)
{
  g_autoptr(JsonNode) outbox = run_json (f, "outbox", "--json", NULL);
  JsonArray *array = json_node_get_array (outbox);
  char *state = NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *action = json_array_get_object_element (array, i);
      JsonObject *args = json_object_get_object_member (action, "args");

      if (g_strcmp0 (json_object_get_string_member_with_default (action, "op", NULL), "note") != 0 ||
          args == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (args, "text", NULL), text) != 0)
        continue;

      g_assert_null (state);
      state = g_strdup (json_object_get_string_member_with_default (action, "state", NULL));
    }

  g_assert_nonnull (state);
  return state;
}

static gint64
count_unsent (Fixture *f)
{
  return cli_db_count (f->db_path, "SELECT count(*) FROM outbox WHERE state IN ('pending', 'inflight')");
}

/* Remote ids of the incidents pieperctl shows as open, in its order. */
static GPtrArray *
local_open_ids (Fixture *f)
{
  g_autoptr(JsonNode) list = run_json (f, "list", "--json", "--filter", "open", NULL);
  JsonArray *array = json_node_get_array (list);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (ids, g_strdup (json_object_get_string_member (json_array_get_object_element (array, i), "id")));

  return ids;
}

static void
assert_integrity (Fixture *f)
{
  g_autofree char *result = cli_db_integrity (f->db_path);

  g_assert_cmpstr (result, ==, "ok");
}

static void
assert_sync_ok (Fixture *f)
{
  g_autoptr(CliRun) run = cli_run (f->data_dir, "sync", NULL);

  cli_assert_ok (run);
  g_assert_true (g_str_has_prefix (run->out, "Synced: "));
}

/* Exit 1 and one line that says which server and that the actions wait. */
static void
assert_sync_failed (Fixture *f,
                    CliRun  *run)
{
  cli_assert_one_line (run, 1);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_nonnull (strstr (run->err, f->url));
  g_assert_true (strstr (run->err, "stays queued") != NULL || strstr (run->err, "stay queued") != NULL);
}

/* Fixture */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CliRun) run = NULL;
  g_autofree char *expected = NULL;

  f->tmp_dir = test_make_tmp_dir ();
  f->data_dir = g_build_filename (f->tmp_dir, "data", NULL);
  f->db_path = g_build_filename (f->data_dir, "pieper.db", NULL);
  f->session = soup_session_new ();

  sim_start (f, 0);

  /* With PIEPER_TOKEN and no session bus the account is kept, and
   * pieperctl says once that the token is not. */
  run = cli_run (f->data_dir, "account", "add", "--provider", "pagerduty",
                 "--url", f->url, "--email", EMAIL, NULL);
  g_test_message ("account add: %s%s", run->out, run->err);
  g_assert_cmpint (run->status, ==, 0);
  expected = g_strdup_printf ("Added pagerduty account 1 for %s at %s\n", EMAIL, f->url);
  g_assert_cmpstr (run->out, ==, expected);
  g_assert_null (strstr (run->err, "CRITICAL"));
  g_assert_null (strstr (run->err, "WARNING"));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  sim_stop (f);
  g_clear_object (&f->session);
  test_remove_tree (f->tmp_dir);
  g_free (f->tmp_dir);
  g_free (f->data_dir);
  g_free (f->db_path);
  g_free (f->url);
}

/* 1. A sync pulls the server's open incidents. */
static void
test_sync_pulls (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GPtrArray) local = NULL;
  g_autoptr(GHashTable) remote = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *page;
  JsonArray *incidents;

  assert_sync_ok (f);

  reply = sim_request (f, "GET", "/incidents?statuses%5B%5D=triggered&statuses%5B%5D=acknowledged&limit=100", NULL);
  page = json_node_get_object (reply);
  g_assert_false (json_object_get_boolean_member_with_default (page, "more", TRUE));
  incidents = json_object_get_array_member (page, "incidents");
  g_assert_cmpuint (json_array_get_length (incidents), >, 0);
  for (guint i = 0; i < json_array_get_length (incidents); i++)
    g_hash_table_add (remote, (gpointer) json_object_get_string_member (json_array_get_object_element (incidents, i), "id"));

  /* The same set, no more and no less. */
  local = local_open_ids (f);
  g_assert_cmpuint (local->len, ==, g_hash_table_size (remote));
  for (guint i = 0; i < local->len; i++)
    g_assert_true (g_hash_table_contains (remote, g_ptr_array_index (local, i)));

  /* Nothing was written to the server. */
  {
    g_autoptr(JsonNode) writes = sim_writes (f);

    g_assert_cmpuint (count_writes (writes, NULL, NULL, FALSE), ==, 0);
  }

  assert_integrity (f);
}

/* A triggered incident as pieperctl shows it. */
static char *
find_triggered (Fixture *f)
{
  g_autoptr(JsonNode) list = run_json (f, "list", "--json", "--filter", "triggered", NULL);
  JsonArray *array = json_node_get_array (list);

  g_assert_cmpuint (json_array_get_length (array), >, 0);
  return g_strdup (json_object_get_string_member (json_array_get_object_element (array, 0), "id"));
}

/* 2. Actions reach the server once, and a second sync sends nothing. */
static void
test_sync_pushes_once (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) writes = NULL;
  g_autoptr(JsonNode) outbox = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autofree char *id = NULL;
  g_autofree char *put_path = NULL;
  g_autofree char *note_path = NULL;
  g_autoptr(CliRun) ack = NULL;
  g_autoptr(CliRun) note = NULL;
  const char *text = "Restarted the consumer; watching lag";
  JsonArray *array;
  guint n_writes;

  assert_sync_ok (f);
  id = find_triggered (f);
  put_path = g_strdup_printf ("/incidents/%s", id);
  note_path = g_strdup_printf ("/incidents/%s/notes", id);

  ack = cli_run (f->data_dir, "ack", id, NULL);
  cli_assert_ok (ack);
  note = cli_run (f->data_dir, "note", id, text, NULL);
  cli_assert_ok (note);

  assert_sync_ok (f);

  outbox = run_json (f, "outbox", "--json", NULL);
  array = json_node_get_array (outbox);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *action = json_array_get_object_element (array, i);

      g_assert_cmpstr (json_object_get_string_member (action, "incident"), ==, id);
      g_assert_cmpstr (json_object_get_string_member (action, "state"), ==, "done");
    }
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "op"), ==, "acknowledge");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "op"), ==, "note");

  writes = sim_writes (f);
  g_assert_cmpuint (count_writes (writes, "PUT", put_path, TRUE), ==, 1);
  g_assert_cmpuint (count_writes (writes, "POST", note_path, TRUE), ==, 1);
  g_assert_cmpuint (applied_note_count (writes, text), ==, 1);
  n_writes = count_writes (writes, NULL, NULL, FALSE);
  g_assert_cmpuint (n_writes, ==, 2);

  /* The server's word is now ours: acknowledged. */
  list = run_json (f, "list", "--json", "--filter", "acknowledged", NULL);
  {
    JsonArray *acked = json_node_get_array (list);
    gboolean found = FALSE;

    for (guint i = 0; i < json_array_get_length (acked); i++)
      if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (acked, i), "id"), id) == 0)
        found = TRUE;
    g_assert_true (found);
  }

  /* Nothing more to send. */
  assert_sync_ok (f);
  g_clear_pointer (&writes, json_node_unref);
  writes = sim_writes (f);
  g_assert_cmpuint (count_writes (writes, NULL, NULL, FALSE), ==, n_writes);

  assert_integrity (f);
}

/* 3a. The server is gone: exit 1, one line, the note waits; when the server
 * is back (a new sim on the same port has the same generated data), the
 * note is delivered once. */
static void
test_sync_server_down (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) writes = NULL;
  g_autofree char *id = NULL;
  g_autofree char *state = NULL;
  g_autoptr(CliRun) note = NULL;
  const char *text = "Written on the train, no network";
  guint port;

  assert_sync_ok (f);
  id = find_triggered (f);

  port = f->port;
  sim_stop (f);

  note = cli_run (f->data_dir, "note", id, text, NULL);
  cli_assert_ok (note);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CliRun) run = cli_run (f->data_dir, "sync", NULL);

      assert_sync_failed (f, run);
      g_assert_nonnull (strstr (run->err, "1 action stays queued"));
      g_clear_pointer (&state, g_free);
      state = note_state (f, text);
      g_assert_cmpstr (state, ==, "pending");
    }
  g_assert_cmpint (cli_db_count_notes (f->db_path, text), ==, 1);

  /* The incidents are still there to look at. */
  {
    g_autoptr(GPtrArray) open = local_open_ids (f);

    g_assert_cmpuint (open->len, >, 0);
  }

  sim_start (f, port);
  assert_sync_ok (f);
  g_clear_pointer (&state, g_free);
  state = note_state (f, text);
  g_assert_cmpstr (state, ==, "done");

  writes = sim_writes (f);
  g_assert_cmpuint (applied_note_count (writes, text), ==, 1);

  /* And not again. */
  assert_sync_ok (f);
  g_clear_pointer (&writes, json_node_unref);
  writes = sim_writes (f);
  g_assert_cmpuint (applied_note_count (writes, text), ==, 1);
  g_assert_cmpuint (count_writes (writes, NULL, NULL, FALSE), ==, 1);

  assert_integrity (f);
}

/* A killed sync's claims, and sends whose outcome is unknown, are taken
 * over only UNKNOWN_OUTCOME_WAIT after they were made; moves their times
 * back by that much, as if the wait were over. Returns how many there
 * were. */
static gint64
pass_unknown_outcome_wait (Fixture *f)
{
  return cli_db_exec (f->db_path,
                      "UPDATE outbox SET updated_at = updated_at - " G_STRINGIFY (UNKNOWN_OUTCOME_WAIT)
                      " WHERE state = 'inflight'");
}

/* 3b. Every connection reset: the same, with the sim running. */
static void
test_sync_unreachable (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) writes = NULL;
  g_autofree char *id = NULL;
  g_autofree char *state = NULL;
  g_autoptr(CliRun) note = NULL;
  g_autoptr(CliRun) run = NULL;
  const char *text = "Connection resets all over";

  assert_sync_ok (f);
  id = find_triggered (f);

  sim_set_fault (f, "reset", 1.0, 0.0);
  note = cli_run (f->data_dir, "note", id, text, NULL);
  cli_assert_ok (note);

  run = cli_run (f->data_dir, "sync", NULL);
  assert_sync_failed (f, run);

  /* The sim read the note and then reset the connection: pieperctl cannot
   * know it was not applied, so it waits before it reads back. */
  state = note_state (f, text);
  g_assert_cmpstr (state, ==, "inflight");

  writes = sim_writes (f);
  g_assert_cmpuint (applied_note_count (writes, text), ==, 0);

  sim_clear_faults (f);
  g_assert_cmpint (pass_unknown_outcome_wait (f), ==, 1);
  assert_sync_ok (f);
  g_clear_pointer (&state, g_free);
  state = note_state (f, text);
  g_assert_cmpstr (state, ==, "done");

  g_clear_pointer (&writes, json_node_unref);
  writes = sim_writes (f);
  g_assert_cmpuint (applied_note_count (writes, text), ==, 1);

  assert_integrity (f);
}

/* 4. Every fault the sim has, on every request: a sync either gets through
 * or fails in one line with the note kept; once the fault is gone the note
 * arrives, once. */
static void
test_sync_faults (Fixture       *f,
                  gconstpointer  data)
{
  static const char * const kinds[] = {
    "500", "429", "401", "reset", "reset-after", "truncated", "content-type", "huge", "stall",
  };
  g_autoptr(JsonNode) writes = NULL;
  g_autoptr(GHashTable) notes = NULL;
  g_autofree char *id = NULL;

  assert_sync_ok (f);
  id = find_triggered (f);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *text = g_strdup_printf ("Note under fault %s", kinds[i]);
      g_autofree char *state = NULL;
      g_autoptr(CliRun) note = NULL;
      g_autoptr(CliRun) run = NULL;

      g_test_message ("fault %s", kinds[i]);
      sim_set_fault (f, kinds[i], 1.0, 0.1);

      note = cli_run (f->data_dir, "note", id, text, NULL);
      cli_assert_ok (note);

      run = cli_run (f->data_dir, "sync", NULL);
      g_test_message ("sync under %s: %d, %s%s", kinds[i], run->status, run->out, run->err);
      state = note_state (f, text);
      if (run->status == 0)
        {
          cli_assert_ok (run);
          g_assert_cmpstr (state, ==, "done");
        }
      else
        {
          /* A connection reset after the note was read leaves its
           * outcome unknown: it waits before it is read back. */
          gboolean unknown = g_str_has_prefix (kinds[i], "reset");

          assert_sync_failed (f, run);
          g_assert_cmpstr (state, ==, unknown ? "inflight" : "pending");
        }
      g_assert_cmpint (cli_db_count_notes (f->db_path, text), ==, 1);

      /* A slow server is not a broken one. */
      if (g_str_equal (kinds[i], "stall"))
        g_assert_cmpint (run->status, ==, 0);

      sim_clear_faults (f);
      pass_unknown_outcome_wait (f);
      assert_sync_ok (f);
      g_clear_pointer (&state, g_free);
      state = note_state (f, text);
      g_assert_cmpstr (state, ==, "done");
      g_assert_cmpint (count_unsent (f), ==, 0);
    }

  writes = sim_writes (f);
  notes = applied_notes (writes);
  g_assert_cmpuint (g_hash_table_size (notes), ==, G_N_ELEMENTS (kinds));
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *text = g_strdup_printf ("Note under fault %s", kinds[i]);

      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (notes, text)), ==, 1);
    }

  assert_integrity (f);
}

/* 5. The kill test. */

typedef struct
{
  GSubprocess *process;
  gboolean     done;
} Running;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Running *running = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error);
  g_assert_no_error (error);
  running->done = TRUE;
}

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs `pieperctl sync` and SIGKILLs it after @kill_after_ms unless it
 * ended before. Returns whether the kill hit it; otherwise checks how it
 * ended. */
static gboolean
sync_and_kill (Fixture *f,
               guint    kill_after_ms,
               gint64  *elapsed_us)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *out_path = g_build_filename (f->tmp_dir, "sync.out", NULL);
  g_autofree char *err_path = g_build_filename (f->tmp_dir, "sync.err", NULL);
  Running running = { NULL, FALSE };
  gboolean time_up = FALSE;
  gboolean killed = FALSE;
  gint64 start;
  guint timeout_id;

  /* GSubprocess appends to the files; each run starts them afresh. */
  g_unlink (out_path);
  g_unlink (err_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);

  start = g_get_monotonic_time ();
  running.process = g_subprocess_launcher_spawn (launcher, &error, cli_test_pieperctl (),
                                                 "--data-dir", f->data_dir, "sync", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (running.process, NULL, wait_cb, &running);
  timeout_id = g_timeout_add (kill_after_ms, flag_cb, &time_up);

  while (!running.done && !time_up)
    g_main_context_iteration (NULL, TRUE);

  if (!running.done)
    {
      g_subprocess_send_signal (running.process, SIGKILL);
      while (!running.done)
        g_main_context_iteration (NULL, TRUE);
    }

  /* Both may have happened in the same iteration. */
  if (!time_up)
    g_source_remove (timeout_id);

  if (elapsed_us != NULL)
    *elapsed_us = g_get_monotonic_time () - start;

  if (g_subprocess_get_if_signaled (running.process))
    {
      g_assert_cmpint (g_subprocess_get_term_sig (running.process), ==, SIGKILL);
      killed = TRUE;
    }
  else
    {
      g_autoptr(CliRun) run = g_new0 (CliRun, 1);

      g_assert_true (g_subprocess_get_if_exited (running.process));
      run->status = g_subprocess_get_exit_status (running.process);
      g_file_get_contents (out_path, &run->out, NULL, &error);
      g_assert_no_error (error);
      g_file_get_contents (err_path, &run->err, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("sync ended by itself: %d, %s%s", run->status, run->out, run->err);
      if (run->status == 0)
        cli_assert_ok (run);
      else if (strstr (run->err, "queued") == NULL)
        {
          /* Every action was delivered (several go at once), and a
           * request after them failed: one line, and nothing waits. */
          cli_assert_one_line (run, 1);
          g_assert_nonnull (strstr (run->err, f->url));
          g_assert_cmpint (cli_db_count (f->db_path, "SELECT count(*) FROM outbox"
                                                     " WHERE state IN ('pending', 'inflight')"), ==, 0);
        }
      else
        assert_sync_failed (f, run);
    }

  g_object_unref (running.process);

  return killed;
}

static void
queue_notes (Fixture    *f,
             GPtrArray  *ids,
             GPtrArray  *texts,
             guint       n)
{
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(CliRun) run = NULL;
  g_auto(GStrv) lines = NULL;
  guint first = texts->len;
  guint ok = 0;

  for (guint i = 0; i < n; i++)
    {
      char *text = g_strdup_printf ("kill-test note %u", first + i);
      g_autofree char *quoted = g_shell_quote (text);

      g_ptr_array_add (texts, text);
      g_string_append_printf (input, "note %s %s\n",
                              (const char *) g_ptr_array_index (ids, (first + i) % ids->len), quoted);
    }

  run = cli_run_with_input (f->data_dir, input->str, "batch", NULL);
  cli_assert_ok (run);
  lines = g_strsplit (run->out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_equal (lines[i], "ok"))
      ok++;
  g_assert_cmpuint (ok, ==, n);
}

/* Notes the server applied whose action pieperctl has not marked done: the
 * ones whose outcome a killed or cut-off sync never heard. */
static guint
count_in_doubt (Fixture *f)
{
  g_autoptr(JsonNode) writes = sim_writes (f);
  g_autoptr(GHashTable) notes = applied_notes (writes);
  g_autoptr(JsonNode) outbox = run_json (f, "outbox", "--json", NULL);
  JsonArray *array = json_node_get_array (outbox);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *action = json_array_get_object_element (array, i);
      JsonObject *args = json_object_get_object_member (action, "args");
      const char *text = args != NULL ? json_object_get_string_member_with_default (args, "text", NULL) : NULL;

      if (text != NULL && g_hash_table_contains (notes, text) &&
          g_strcmp0 (json_object_get_string_member_with_default (action, "state", NULL), "done") != 0)
        n++;
    }

  return n;
}

static void
test_sync_killed (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) writes = NULL;
  g_autoptr(GHashTable) notes = NULL;
  gint64 calibration_us = 0;
  guint calibration_notes = 10;
  guint kills = 0;
  guint tries = 0;
  gint64 total_inflight = 0;
  guint total_doubt = 0;

  assert_sync_ok (f);
  open = local_open_ids (f);
  g_assert_cmpuint (open->len, >=, KILL_INCIDENTS);
  for (guint i = 0; i < KILL_INCIDENTS; i++)
    g_ptr_array_add (ids, g_strdup (g_ptr_array_index (open, i)));

  sim_set_fault (f, "stall", KILL_STALL_RATE, KILL_STALL_SECONDS);

  /* How long a flush takes, per note, on this machine and this server. */
  queue_notes (f, ids, texts, calibration_notes);
  g_assert_false (sync_and_kill (f, 60 * 1000, &calibration_us));
  g_assert_cmpint (count_unsent (f), ==, 0);
  g_test_message ("a flush of %u notes took %" G_GINT64_FORMAT " ms",
                  calibration_notes, calibration_us / 1000);

  queue_notes (f, ids, texts, KILL_FIRST_NOTES);

  /* Twenty kills; a round whose sync ends before its kill does not count. */
  for (guint round = 0; kills < KILL_KILLS && round < KILL_MAX_ROUNDS; round++)
    {
      gint64 unsent = count_unsent (f);
      gint64 inflight;
      guint window_ms;
      guint kill_after_ms;
      guint doubt;
      gboolean killed;

      if (unsent < KILL_TOP_UP)
        {
          queue_notes (f, ids, texts, KILL_TOP_UP);
          unsent = count_unsent (f);
        }

      /* Now and then the server applies a note and drops the connection:
       * the outcome is unknown to pieperctl, which must read back before
       * sending again. */
      sim_set_fault (f, "reset-after", round % 4 == 3 ? 0.2 : 0.0, KILL_STALL_SECONDS);

      window_ms = (guint) CLAMP (calibration_us / 1000 * unsent / calibration_notes, 100, KILL_MAX_WINDOW_MS);
      kill_after_ms = (guint) g_test_rand_int_range (0, (gint32) window_ms + 1);

      killed = sync_and_kill (f, kill_after_ms, NULL);
      if (killed)
        kills++;

      inflight = pass_unknown_outcome_wait (f);
      doubt = count_in_doubt (f);
      total_inflight += inflight;
      total_doubt += doubt;
      g_test_message ("round %u: %" G_GINT64_FORMAT " unsent, %s (kill at %u of %u ms); now %" G_GINT64_FORMAT
                      " unsent, %" G_GINT64_FORMAT " inflight, %u on the server but not confirmed",
                      round, unsent, killed ? "killed" : "ended by itself", kill_after_ms, window_ms,
                      count_unsent (f), inflight, doubt);
      assert_integrity (f);
    }

  /* The kills hit mid-send: actions were left inflight (to be taken over
   * once the wait is over) and notes arrived without pieperctl hearing so
   * (to be read back). */
  g_assert_cmpint (total_inflight, >, 0);
  g_assert_cmpuint (total_doubt, >, 0);

  /* The network is fine again: an explicit sync takes over what the killed
   * ones left inflight, and reads back what may have arrived. */
  sim_clear_faults (f);
  while (count_unsent (f) > 0 && tries < FINAL_SYNC_TRIES)
    {
      g_autoptr(CliRun) run = cli_run (f->data_dir, "sync", NULL);

      tries++;
      g_test_message ("final sync %u: %d, %s%s", tries, run->status, run->out, run->err);
      cli_assert_ok (run);
    }
  g_assert_cmpint (count_unsent (f), ==, 0);
  g_assert_cmpuint (kills, ==, KILL_KILLS);

  g_assert_cmpint (cli_db_count (f->db_path, "SELECT count(*) FROM outbox WHERE op = 'note'"), ==, texts->len);
  g_assert_cmpint (cli_db_count (f->db_path, "SELECT count(*) FROM outbox WHERE op = 'note' AND state = 'done'"), ==, texts->len);

  writes = sim_writes (f);
  notes = applied_notes (writes);
  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (notes, text));

      if (n != 1)
        g_test_message ("“%s” was applied %u times", text, n);
      g_assert_cmpuint (n, ==, 1);
      g_assert_cmpint (cli_db_count_notes (f->db_path, text), ==, 1);
    }
  /* Nothing else arrived either. */
  g_assert_cmpuint (g_hash_table_size (notes), ==, texts->len);

  assert_integrity (f);
}

/* Three syncs at once, on a slow server: each action is sent by one of
 * them, once; the others leave it alone while its sender lives. */
static void
test_sync_concurrent (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) writes = NULL;
  g_autoptr(GHashTable) notes = NULL;
  GSubprocess *syncs[3] = { NULL, };
  guint tries = 0;

  assert_sync_ok (f);
  open = local_open_ids (f);
  g_ptr_array_set_size (open, MIN (open->len, 4));
  queue_notes (f, open, texts, 30);

  sim_set_fault (f, "stall", KILL_STALL_RATE, 0.1);

  for (guint i = 0; i < G_N_ELEMENTS (syncs); i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      g_autoptr(GError) error = NULL;
      g_autofree char *out_name = g_strdup_printf ("sync-%u.out", i);
      g_autofree char *err_name = g_strdup_printf ("sync-%u.err", i);
      g_autofree char *out_path = g_build_filename (f->tmp_dir, out_name, NULL);
      g_autofree char *err_path = g_build_filename (f->tmp_dir, err_name, NULL);

      g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
      g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
      g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
      syncs[i] = g_subprocess_launcher_spawn (launcher, &error, cli_test_pieperctl (),
                                              "--data-dir", f->data_dir, "sync", NULL);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (syncs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CliRun) run = g_new0 (CliRun, 1);
      g_autofree char *out_name = g_strdup_printf ("sync-%u.out", i);
      g_autofree char *err_name = g_strdup_printf ("sync-%u.err", i);
      g_autofree char *out_path = g_build_filename (f->tmp_dir, out_name, NULL);
      g_autofree char *err_path = g_build_filename (f->tmp_dir, err_name, NULL);

      g_subprocess_wait (syncs[i], NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (syncs[i]));
      run->status = g_subprocess_get_exit_status (syncs[i]);
      g_file_get_contents (out_path, &run->out, NULL, &error);
      g_assert_no_error (error);
      g_file_get_contents (err_path, &run->err, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("sync %u: %d, %s%s", i, run->status, run->out, run->err);
      cli_assert_ok (run);
      g_clear_object (&syncs[i]);
    }
  assert_integrity (f);

  /* What one left to another that was still busy with it. */
  sim_clear_faults (f);
  while (count_unsent (f) > 0 && tries++ < FINAL_SYNC_TRIES)
    assert_sync_ok (f);
  g_assert_cmpint (count_unsent (f), ==, 0);

  writes = sim_writes (f);
  notes = applied_notes (writes);
  g_assert_cmpuint (g_hash_table_size (notes), ==, texts->len);
  for (guint i = 0; i < texts->len; i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (notes, g_ptr_array_index (texts, i))), ==, 1);
}

/* 6. watch prints a page as it arrives. */

typedef struct
{
  GDataInputStream *in;
  GCancellable     *cancellable;
  GPtrArray        *lines;
  const char       *want;
  gboolean          pending;
  gboolean          eof;
  gboolean          found;
} LineReader;

static void read_next (LineReader *reader);

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineReader *reader = user_data;
  g_autoptr(GError) error = NULL;
  char *line;

  reader->pending = FALSE;
  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_assert_no_error (error);

  if (line == NULL)
    {
      reader->eof = TRUE;
      return;
    }

  g_test_message ("watch: %s", line);
  g_ptr_array_add (reader->lines, line);
  if (reader->want != NULL && strstr (line, "PAGE") != NULL && strstr (line, reader->want) != NULL)
    reader->found = TRUE;
  else
    read_next (reader);
}

static void
read_next (LineReader *reader)
{
  reader->pending = TRUE;
  g_data_input_stream_read_line_async (reader->in, G_PRIORITY_DEFAULT, reader->cancellable,
                                       read_line_cb, reader);
}

/* Reads lines for @timeout_ms, or until one pages about @want. */
static void
read_lines (LineReader *reader,
            const char *want,
            guint       timeout_ms)
{
  gboolean time_up = FALSE;
  guint timeout_id = g_timeout_add (timeout_ms, flag_cb, &time_up);

  reader->want = want;
  reader->found = FALSE;
  if (!reader->pending && !reader->eof)
    read_next (reader);

  while (!time_up && !reader->found && !reader->eof)
    g_main_context_iteration (NULL, TRUE);

  if (!time_up)
    g_source_remove (timeout_id);
}

static void
test_watch (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) watch = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *err_path = g_build_filename (f->tmp_dir, "watch.err", NULL);
  g_autofree char *err = NULL;
  LineReader reader = { NULL, };
  guint pages = 0;

  /* What is triggered now is known, and is no news. */
  assert_sync_ok (f);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  watch = g_subprocess_launcher_spawn (launcher, &error, cli_test_pieperctl (),
                                       "--data-dir", f->data_dir, "watch", "--interval", "1", NULL);
  g_assert_no_error (error);

  reader.in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (watch));
  reader.cancellable = cancellable;
  reader.lines = lines;

  /* A round or two without news. */
  read_lines (&reader, NULL, 1500);
  g_assert_false (reader.eof);
  g_assert_cmpuint (lines->len, ==, 0);

  reply = sim_request (f, "POST", "/v2/enqueue",
                       "{\"routing_key\": \"k\", \"event_action\": \"trigger\","
                       " \"payload\": {\"summary\": \"Disk full on db-7\", \"source\": \"db-7\","
                       " \"severity\": \"critical\"}}");

  read_lines (&reader, "Disk full on db-7", WATCH_TIMEOUT_MS);
  g_assert_true (reader.found);

  for (guint i = 0; i < lines->len; i++)
    if (strstr (g_ptr_array_index (lines, i), "PAGE") != NULL)
      pages++;
  g_assert_cmpuint (pages, ==, 1);

  g_subprocess_send_signal (watch, SIGTERM);
  g_subprocess_wait (watch, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (watch));
  g_assert_cmpint (g_subprocess_get_exit_status (watch), ==, 0);

  if (reader.pending)
    {
      g_cancellable_cancel (cancellable);
      while (reader.pending)
        g_main_context_iteration (NULL, TRUE);
    }
  g_clear_object (&reader.in);

  g_file_get_contents (err_path, &err, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("watch stderr: %s", err);
  g_assert_null (strstr (err, "CRITICAL"));
  g_assert_null (strstr (err, "WARNING"));
  g_assert_null (strstr (err, "Trace"));

  assert_integrity (f);
}

/* Without an account there is nothing to sync with; wrong arguments are
 * usage errors. Neither needs a server. */
static void
test_no_account (void)
{
  g_autofree char *tmp = test_make_tmp_dir ();
  g_autofree char *data_dir = g_build_filename (tmp, "data", NULL);
  const char * const usage[][4] = {
    { "sync", "now", NULL },
    { "watch", "--interval", "0", NULL },
    { "watch", "--interval", "soon", NULL },
    { "watch", "--every", "1", NULL },
  };

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CliRun) run = cli_run (data_dir, i == 0 ? "sync" : "watch", NULL);

      cli_assert_one_line (run, 1);
      g_assert_nonnull (strstr (run->err, "account add"));
    }

  for (guint i = 0; i < G_N_ELEMENTS (usage); i++)
    {
      g_autoptr(CliRun) run = cli_runv (data_dir, NULL, NULL, usage[i]);

      cli_assert_one_line (run, 2);
    }

  test_remove_tree (tmp);
}

int
main (int    argc,
      char **argv)
{
  /* The sim comes after pieperctl on the command line (meson passes both). */
  if (argc > 2 && argv[2][0] != '-')
    {
      sim_path = g_strdup (argv[2]);
      memmove (&argv[2], &argv[3], (size_t) (argc - 2) * sizeof (char *));
      argc--;
    }
  else if (g_getenv ("PIEPER_SIM") != NULL)
    sim_path = g_strdup (g_getenv ("PIEPER_SIM"));
  else
    sim_path = g_build_filename (g_getenv ("PIEPER_TOP_BUILDDIR") ? g_getenv ("PIEPER_TOP_BUILDDIR") : ".",
                                 "src", "sim", "pieper-sim", NULL);

  /* Every pieperctl this test runs takes its token from the environment,
   * and finds no Secret Service: no real keyring is touched. */
  g_setenv ("PIEPER_TOKEN", TOKEN, TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/pieper-test-bus", TRUE);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/pieper-test-system-bus", TRUE);

  cli_test_init (&argc, &argv);
  g_assert_true (g_file_test (sim_path, G_FILE_TEST_IS_EXECUTABLE));

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/sync-cli/no-account", test_no_account);
  ADD ("/sync-cli/pull", test_sync_pulls);
  ADD ("/sync-cli/push-once", test_sync_pushes_once);
  ADD ("/sync-cli/server-down", test_sync_server_down);
  ADD ("/sync-cli/unreachable", test_sync_unreachable);
  ADD ("/sync-cli/faults", test_sync_faults);
  ADD ("/sync-cli/concurrent", test_sync_concurrent);
  ADD ("/sync-cli/killed", test_sync_killed);
  ADD ("/sync-cli/watch", test_watch);

#undef ADD

  return g_test_run ();
}
