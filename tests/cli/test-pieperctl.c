/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <pieper.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli-test-common.h"

/* pieperctl end to end: a fresh store with the sample incidents per test, no
 * server anywhere. */

typedef struct
{
  char *tmp;
  char *data;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  user_data)
{
  f->data = cli_make_store (&f->tmp);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  user_data)
{
  test_remove_tree (f->tmp);
  g_free (f->tmp);
  g_free (f->data);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; (p = strchr (p, '\n')) != NULL; p++)
    n++;

  return n;
}

/* JSON */

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json_parser_get_root (parser));

  return json_node_copy (json_parser_get_root (parser));
}

static JsonObject *
find_object (JsonArray  *array,
             const char *member,
             const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (object, member, NULL), value) == 0)
        return object;
    }

  return NULL;
}

/* Runs a command that succeeds and prints JSON. */
static JsonNode *
run_json (const char         *data,
          const char * const *args)
{
  g_autoptr(CliRun) run = cli_runv (data, NULL, NULL, args);

  cli_assert_ok (run);

  return parse_json (run->out);
}

static JsonNode *
list_json (const char *data)
{
  return run_json (data, (const char *[]) { "list", "--json", NULL });
}

static JsonNode *
outbox_json (const char *data)
{
  return run_json (data, (const char *[]) { "outbox", "--json", NULL });
}

/* The whole store as export prints it, less the time of the export: equal
 * before and after means a command changed nothing. */
static char *
store_state (const char *data)
{
  g_autoptr(JsonNode) root = run_json (data, (const char *[]) { "export", NULL });

  json_object_remove_member (json_node_get_object (root), "exported_at");

  return json_to_string (root, FALSE);
}

/* Help and usage */

static void
test_help (void)
{
  static const char *commands[] = {
    "list", "show", "ack", "resolve", "escalate", "reassign", "snooze",
    "note", "outbox", "export", "import", "batch",
  };
  static const char *options[] = { "--help", "-h" };

  for (guint o = 0; o < G_N_ELEMENTS (options); o++)
    {
      g_autoptr(CliRun) run = cli_run (NULL, options[o], NULL);

      cli_assert_ok (run);
      g_assert_true (g_str_has_prefix (run->out, "Usage: pieperctl"));
      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        {
          g_autofree char *line = g_strdup_printf ("\n  %s", commands[i]);

          g_assert_nonnull (strstr (run->out, line));
        }
      g_assert_nonnull (strstr (run->out, "--data-dir DIR"));
    }
}

static void
test_version (void)
{
  g_autoptr(CliRun) run = cli_run (NULL, "--version", NULL);

  cli_assert_ok (run);
  g_assert_cmpstr (run->out, ==, "pieperctl " PACKAGE_VERSION "\n");
}

static void
test_usage (Fixture       *f,
            gconstpointer  user_data)
{
  static const char *cases[][6] = {
    { NULL },                                   /* no command */
    { "frob", NULL },
    { "fr\nob", NULL },                        /* still one line */
    { "--frob", "list", NULL },
    { "list", "extra", NULL },
    { "list", "--js\non", NULL },
    { "list", "--level", "2", NULL },
    { "list", "--filter", "nope", NULL },
    { "list", "--filter", NULL },
    { "show", NULL },
    { "show", "1042", "1041", NULL },
    { "ack", NULL },
    { "ack", "1042", "1041", NULL },
    { "ack", "--json", "1042", NULL },
    { "resolve", NULL },
    { "escalate", NULL },
    { "escalate", "1042", "--level", NULL },
    { "escalate", "1042", "--level", "0", NULL },
    { "escalate", "1042", "--level", "101", NULL },
    { "escalate", "1042", "--level", "abc", NULL },
    { "escalate", "1042", "--level", "-1", NULL },
    { "reassign", "1042", NULL },
    { "reassign", "1042", "PX", "PY", NULL },
    { "snooze", "1042", NULL },
    { "snooze", "1042", "0", NULL },
    { "snooze", "1042", "x", NULL },
    { "snooze", "1042", "10081", NULL },
    { "snooze", "1042", "5m", NULL },
    { "note", "1042", NULL },
    { "note", "1042", "a", "b", NULL },
    { "outbox", "--frob", NULL },
    { "export", "x", NULL },
    { "import", NULL },
    { "import", "a", "b", NULL },
    { "batch", "x", NULL },
  };
  g_autofree char *before = store_state (f->data);
  g_autofree char *after = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CliRun) run = cli_runv (f->data, NULL, NULL, cases[i]);

      g_test_message ("case %u: %s", i, cases[i][0] ? cases[i][0] : "(none)");
      cli_assert_one_line (run, 2);
      g_assert_cmpstr (run->out, ==, "");
    }

  after = store_state (f->data);
  g_assert_cmpstr (before, ==, after);
}

static void
test_usage_data_dir (void)
{
  g_autoptr(CliRun) missing = cli_run (NULL, "--data-dir", NULL);
  g_autoptr(CliRun) empty = cli_run (NULL, "--data-dir=", "list", NULL);

  cli_assert_one_line (missing, 2);
  cli_assert_one_line (empty, 2);
}

/* Reading */

static void
test_list (Fixture       *f,
           gconstpointer  user_data)
{
  g_autoptr(CliRun) run = cli_run (f->data, "list", NULL);
  g_autoptr(CliRun) open = cli_run (f->data, "list", "--filter", "open", NULL);
  g_autoptr(CliRun) resolved = cli_run (f->data, "list", "--filter", "resolved", NULL);
  g_auto(GStrv) lines = NULL;

  cli_assert_ok (run);
  lines = g_strsplit (run->out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  g_assert_true (g_str_has_prefix (lines[0], "#1042"));
  g_assert_nonnull (strstr (lines[0], "Q1CHK7AXR2"));
  g_assert_nonnull (strstr (lines[0], "triggered"));
  g_assert_nonnull (strstr (run->out, "checkout-api: p99 latency above 2 s"));
  g_assert_null (strstr (run->out, "waiting to sync"));

  cli_assert_ok (open);
  g_assert_null (strstr (open->out, "Q3AUTH55TQ"));
  g_assert_nonnull (strstr (open->out, "Q1CHK7AXR2"));
  cli_assert_ok (resolved);
  g_assert_nonnull (strstr (resolved->out, "Q3AUTH55TQ"));
  g_assert_null (strstr (resolved->out, "Q1CHK7AXR2"));
}

static void
test_list_json (Fixture       *f,
                gconstpointer  user_data)
{
  static const char *members[] = { "id", "number", "title", "status", "urgency", "updated_at", "pending" };
  g_autoptr(JsonNode) root = list_json (f->data);
  JsonArray *array = json_node_get_array (root);
  JsonObject *incident;

  g_assert_cmpuint (json_array_get_length (array), ==, 5);
  for (guint i = 0; i < json_array_get_length (array); i++)
    for (guint m = 0; m < G_N_ELEMENTS (members); m++)
      g_assert_true (json_object_has_member (json_array_get_object_element (array, i), members[m]));

  incident = find_object (array, "id", "Q4DISKW3L0");
  g_assert_nonnull (incident);
  g_assert_cmpint (json_object_get_int_member (incident, "number"), ==, 1039);
  g_assert_cmpstr (json_object_get_string_member (incident, "title"), ==, "build-runner-7: disk 91 % full");
  g_assert_cmpstr (json_object_get_string_member (incident, "status"), ==, "triggered");
  g_assert_cmpstr (json_object_get_string_member (incident, "urgency"), ==, "low");
  g_assert_cmpstr (json_object_get_string_member (incident, "updated_at"), ==, "2026-11-24T20:05:00Z");
  g_assert_cmpint (json_object_get_int_member (incident, "pending"), ==, 0);
}

/* The status list shows is the effective one: the snapshot with the unsent
 * actions on top. */
static void
test_effective_status (Fixture       *f,
                       gconstpointer  user_data)
{
  g_autoptr(CliRun) ack = cli_run (f->data, "ack", "Q4DISKW3L0", NULL);
  g_autoptr(CliRun) resolve = cli_run (f->data, "resolve", "1038", NULL);
  g_autoptr(CliRun) triggered = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *incident;

  cli_assert_ok (ack);
  cli_assert_ok (resolve);

  root = list_json (f->data);
  incident = find_object (json_node_get_array (root), "id", "Q4DISKW3L0");
  g_assert_cmpstr (json_object_get_string_member (incident, "status"), ==, "acknowledged");
  g_assert_cmpint (json_object_get_int_member (incident, "pending"), ==, 1);
  incident = find_object (json_node_get_array (root), "id", "Q5CERT0EXP");
  g_assert_cmpstr (json_object_get_string_member (incident, "status"), ==, "resolved");

  triggered = cli_run (f->data, "list", "--filter", "triggered", NULL);
  cli_assert_ok (triggered);
  g_assert_null (strstr (triggered->out, "Q4DISKW3L0"));
  g_assert_null (strstr (triggered->out, "Q5CERT0EXP"));
  g_assert_nonnull (strstr (triggered->out, "Q1CHK7AXR2"));
}

static void
assert_pending_row (JsonObject *row,
                    const char *op)
{
  const char *key = json_object_get_string_member (row, "idempotency_key");

  g_assert_cmpstr (json_object_get_string_member (row, "incident"), ==, "Q1CHK7AXR2");
  g_assert_cmpstr (json_object_get_string_member (row, "op"), ==, op);
  g_assert_cmpstr (json_object_get_string_member (row, "state"), ==, "pending");
  g_assert_cmpint (json_object_get_int_member (row, "attempts"), ==, 0);
  g_assert_true (json_object_has_member (row, "id"));
  g_assert_true (json_object_has_member (row, "last_error"));
  g_assert_true (json_object_get_null_member (row, "last_error"));
  g_assert_true (g_uuid_string_is_valid (key));
}

/* The issue's own words: an acknowledge and a note with no server at all,
 * pending in list and outbox, and in the export. */
static void
test_offline_actions (Fixture       *f,
                      gconstpointer  user_data)
{
  g_autoptr(CliRun) ack = cli_run (f->data, "ack", "1042", NULL);
  g_autoptr(CliRun) note = cli_run (f->data, "note", "Q1CHK7AXR2", "Rolled back 4.2.1; watching p99", NULL);
  g_autoptr(CliRun) list = cli_run (f->data, "list", NULL);
  g_autoptr(CliRun) outbox = cli_run (f->data, "outbox", NULL);
  g_autoptr(CliRun) export = cli_run (f->data, "export", NULL);
  g_autoptr(JsonNode) listed = list_json (f->data);
  g_autoptr(JsonNode) rows = outbox_json (f->data);
  g_autoptr(JsonNode) exported = NULL;
  JsonArray *array = json_node_get_array (rows);
  JsonObject *incident;
  JsonArray *exported_outbox;

  cli_assert_ok (ack);
  g_assert_true (g_str_has_prefix (ack->out, "Queued acknowledge of Q1CHK7AXR2 (action 1, "));
  cli_assert_ok (note);
  g_assert_true (g_str_has_prefix (note->out, "Queued note of Q1CHK7AXR2 (action 2, "));

  cli_assert_ok (list);
  g_assert_nonnull (strstr (list->out, "[2 actions waiting to sync]"));
  incident = find_object (json_node_get_array (listed), "id", "Q1CHK7AXR2");
  g_assert_cmpint (json_object_get_int_member (incident, "pending"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (incident, "status"), ==, "acknowledged");

  cli_assert_ok (outbox);
  g_assert_cmpuint (count_lines (outbox->out), ==, 2);
  g_assert_nonnull (strstr (outbox->out, "acknowledge  Q1CHK7AXR2   waiting to sync"));
  g_assert_nonnull (strstr (outbox->out, "note         Q1CHK7AXR2   waiting to sync"));
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  assert_pending_row (json_array_get_object_element (array, 0), "acknowledge");
  assert_pending_row (json_array_get_object_element (array, 1), "note");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "idempotency_key"), !=,
                   json_object_get_string_member (json_array_get_object_element (array, 1), "idempotency_key"));
  g_assert_nonnull (strstr (ack->out, json_object_get_string_member (json_array_get_object_element (array, 0), "idempotency_key")));

  cli_assert_ok (export);
  exported = parse_json (export->out);
  exported_outbox = json_object_get_array_member (json_node_get_object (exported), "outbox");
  g_assert_cmpuint (json_array_get_length (exported_outbox), ==, 2);
  g_assert_nonnull (find_object (exported_outbox, "op", "acknowledge"));
  g_assert_nonnull (find_object (exported_outbox, "op", "note"));
  g_assert_nonnull (strstr (export->out, "Rolled back 4.2.1; watching p99"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (exported), "incidents")), ==, 5);
}

/* The line of @out that starts with action @id. */
static char *
outbox_line (const char *out,
             gint64      id)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("%-6" G_GINT64_FORMAT " ", id);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i]);

  g_error ("no action %" G_GINT64_FORMAT " in:\n%s", id, out);
}

/* What the outbox says of a send whose outcome is unknown, due at
 * @check_at, when pieperctl reads the clock at @now. */
static char *
unconfirmed_hint (gint64 check_at,
                  gint64 now)
{
  g_autoptr(GDateTime) check_time = NULL;
  g_autofree char *check_text = NULL;

  if (check_at <= now)
    return g_strdup ("[the server is asked at the next sync whether it got it; sent again only if not]");

  check_time = g_date_time_new_from_unix_local (check_at);
  check_text = g_date_time_format (check_time, "%X");
  return g_strdup_printf ("[the server is asked at %s whether it got it; sent again only if not]",
                          check_text);
}

/* A send cut short (timed out after it left, or the app quit) or whose
 * sender died stays in flight, sent by nobody, until the server is asked
 * whether it got it: the outbox says so and when, rather than "sending",
 * which only an action a live sender holds is. */
static void
test_outbox_unconfirmed (Fixture       *f,
                         gconstpointer  user_data)
{
  g_autofree char *db = g_build_filename (f->data, "pieper.db", NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 died_at = now - 60;
  g_autofree char *cut_short_sql = NULL;
  g_autofree char *dead_sql = NULL;
  g_autofree char *live_sql = NULL;
  g_autoptr(CliRun) outbox = NULL;
  g_autofree char *cut_short = NULL;
  g_autofree char *hint_early = NULL;
  g_autofree char *hint_late = NULL;
  g_autofree char *dead = NULL;
  g_autofree char *dead_hint = NULL;
  g_autofree char *live = NULL;
  gint64 started;
  gint64 ran_by;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CliRun) note = cli_run (f->data, "note", "1042", "Paging the database team", NULL);

      cli_assert_ok (note);
    }

  /* As _pieper_outbox_cut_short() leaves it: due 10 s from now. */
  cut_short_sql = g_strdup_printf ("UPDATE outbox SET state = 'inflight', attempts = 1,"
                                   " claimed_by = NULL, next_attempt_at = %" G_GINT64_FORMAT ","
                                   " updated_at = %" G_GINT64_FORMAT ","
                                   " last_error = 'The request timed out' WHERE id = 1",
                                   now + 10, now);
  /* Claimed a minute ago by a process of another boot of this machine:
   * its lease runs for another minute, but it is gone, so the action is
   * due since 10 s after its claim. */
  dead_sql = g_strdup_printf ("UPDATE outbox SET state = 'inflight', attempts = 1,"
                              " claimed_by = 'not-this-boot/1/1',"
                              " next_attempt_at = %" G_GINT64_FORMAT ","
                              " updated_at = %" G_GINT64_FORMAT " WHERE id = 2",
                              died_at + 120, died_at);
  /* Claimed by a sender /proc cannot tell is gone: it is sending. */
  live_sql = g_strdup_printf ("UPDATE outbox SET state = 'inflight', attempts = 1,"
                              " claimed_by = '-/1/-', next_attempt_at = %" G_GINT64_FORMAT ","
                              " updated_at = %" G_GINT64_FORMAT " WHERE id = 3",
                              now + 120, now);
  g_assert_cmpint (cli_db_exec (db, cut_short_sql), ==, 1);
  g_assert_cmpint (cli_db_exec (db, dead_sql), ==, 1);
  g_assert_cmpint (cli_db_exec (db, live_sql), ==, 1);

  started = g_get_real_time () / G_USEC_PER_SEC;
  outbox = cli_run (f->data, "outbox", NULL);
  ran_by = g_get_real_time () / G_USEC_PER_SEC;
  cli_assert_ok (outbox);
  cut_short = outbox_line (outbox->out, 1);
  dead = outbox_line (outbox->out, 2);
  live = outbox_line (outbox->out, 3);

  /* Which of the two is said of the first depends on when pieperctl
   * read the clock, between @started and @ran_by; either is exact. */
  hint_early = unconfirmed_hint (now + 10, started);
  hint_late = unconfirmed_hint (now + 10, ran_by);
  g_assert_nonnull (strstr (cut_short, "Q1CHK7AXR2   unconfirmed      1 attempt "));
  g_assert_true (strstr (cut_short, hint_early) != NULL || strstr (cut_short, hint_late) != NULL);
  g_assert_true (g_str_has_suffix (cut_short, " — The request timed out"));
  dead_hint = unconfirmed_hint (died_at + 10, now);
  g_assert_nonnull (strstr (dead, "Q1CHK7AXR2   unconfirmed      1 attempt "));
  g_assert_nonnull (strstr (dead, dead_hint));
  g_assert_nonnull (strstr (live, "Q1CHK7AXR2   sending          1 attempt"));
  g_assert_null (strstr (live, "server is asked"));
}

static JsonObject *
find_timeline_entry (JsonArray  *timeline,
                     const char *kind,
                     const char *origin)
{
  for (guint i = 0; i < json_array_get_length (timeline); i++)
    {
      JsonObject *entry = json_array_get_object_element (timeline, i);

      if (g_strcmp0 (json_object_get_string_member (entry, "kind"), kind) == 0 &&
          g_strcmp0 (json_object_get_string_member (entry, "origin"), origin) == 0)
        return entry;
    }

  return NULL;
}

static void
test_show (Fixture       *f,
           gconstpointer  user_data)
{
  g_autoptr(CliRun) note = cli_run (f->data, "note", "1042", "Paging the database team", NULL);
  g_autoptr(CliRun) show = cli_run (f->data, "show", "1042", NULL);
  g_autoptr(JsonNode) root = run_json (f->data, (const char *[]) { "show", "Q1CHK7AXR2", "--json", NULL });
  JsonArray *timeline;
  JsonObject *entry;

  cli_assert_ok (note);
  cli_assert_ok (show);
  g_assert_true (g_str_has_prefix (show->out, "#1042 checkout-api: p99 latency above 2 s for 10 minutes\n"));
  g_assert_nonnull (strstr (show->out, "Timeline:"));
  g_assert_nonnull (strstr (show->out, "HighLatency firing on checkout-api"));
  g_assert_nonnull (strstr (show->out, "you: Paging the database team  [waiting to sync]"));
  g_assert_nonnull (strstr (show->out, "1 action waiting to sync"));
  g_assert_nonnull (strstr (show->out, "https://chat.example.com/rooms/inc-1042"));

  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "id"), ==, "Q1CHK7AXR2");
  timeline = json_object_get_array_member (json_node_get_object (root), "timeline");
  g_assert_cmpuint (json_array_get_length (timeline), ==, 2);
  entry = find_timeline_entry (timeline, "trigger", "remote");
  g_assert_nonnull (entry);
  g_assert_cmpstr (json_object_get_string_member (entry, "author"), ==, "Prometheus");
  entry = find_timeline_entry (timeline, "note", "local");
  g_assert_nonnull (entry);
  g_assert_cmpstr (json_object_get_string_member (entry, "body"), ==, "Paging the database team");
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "pending");
}

/* The text of the one action in the outbox, a note. */
static char *
only_note_text (const char *data)
{
  g_autoptr(JsonNode) rows = outbox_json (data);
  JsonArray *array = json_node_get_array (rows);
  JsonObject *row;

  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  row = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (row, "op"), ==, "note");

  return g_strdup (json_object_get_string_member (json_object_get_object_member (row, "args"), "text"));
}

static void
test_note_stdin (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autoptr(CliRun) run = cli_run_with_input (f->data, "Line one\nline two\n", "note", "1041", "-", NULL);
  g_autofree char *text = NULL;

  cli_assert_ok (run);
  g_assert_true (g_str_has_prefix (run->out, "Queued note of Q2PAYDB9K1 "));
  /* One trailing line break is the shell's, not the note's. */
  text = only_note_text (f->data);
  g_assert_cmpstr (text, ==, "Line one\nline two");
}

static void
test_note_dash_dash (Fixture       *f,
                     gconstpointer  user_data)
{
  g_autoptr(CliRun) run = cli_run (f->data, "note", "1041", "--", "-5 % errors now", NULL);
  g_autofree char *text = NULL;

  cli_assert_ok (run);
  text = only_note_text (f->data);
  g_assert_cmpstr (text, ==, "-5 % errors now");
}

/* Errors */

static void
test_already_acknowledged (Fixture       *f,
                           gconstpointer  user_data)
{
  g_autoptr(CliRun) run = cli_run (f->data, "ack", "Q2PAYDB9K1", NULL);
  g_autoptr(CliRun) first = cli_run (f->data, "ack", "1042", NULL);
  g_autoptr(CliRun) second = cli_run (f->data, "ack", "1042", NULL);
  g_autoptr(JsonNode) rows = NULL;

  cli_assert_one_line (run, 1);
  g_assert_cmpstr (run->out, ==, "");
  cli_assert_ok (first);
  /* Acknowledged by the pending action: the effective state says so. */
  cli_assert_one_line (second, 1);

  rows = outbox_json (f->data);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (rows)), ==, 1);
}

static void
test_unknown_id (Fixture       *f,
                 gconstpointer  user_data)
{
  static const char *cases[][4] = {
    { "ack", "NOPE", NULL },
    { "resolve", "99999", NULL },
    { "show", "Q0000000", NULL },
    { "show", "Q1CHK7AXR2\nQ2PAYDB9K1", NULL },
    { "show", "0", "--json", NULL },
    { "note", "NOPE", "text", NULL },
    { "escalate", "NOPE", NULL },
    { "reassign", "NOPE", "PX", NULL },
    { "snooze", "NOPE", "10", NULL },
  };
  g_autofree char *before = store_state (f->data);
  g_autofree char *after = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CliRun) run = cli_runv (f->data, NULL, NULL, cases[i]);

      cli_assert_one_line (run, 1);
      g_assert_cmpstr (run->out, ==, "");
    }

  after = store_state (f->data);
  g_assert_cmpstr (before, ==, after);
}

static CliRun *
import_text (Fixture    *f,
             const char *name,
             const char *contents,
             gssize      length)
{
  g_autofree char *path = g_build_filename (f->tmp, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);

  return cli_run (f->data, "import", path, NULL);
}

static void
test_import_malformed (Fixture       *f,
                       gconstpointer  user_data)
{
  static const char *documents[] = {
    "{\"incidents\": [",
    "not json",
    "",
    "   \n",
    "42",
    "null",
    "{}",
    "{\"incidents\": 3}",
    "[1]",
    "[{\"id\": \"X\", \"title\": \"t\", \"status\": \"triggered\"},]",
    "[{\"id\": \"X\", \"title\": \"t\"}]",
    "[{\"id\": \"X\", \"title\": \"t\", \"status\": \"triggered\", \"number\": \"5\"}]",
    "[{\"id\": \"X\", \"title\": \"t\", \"status\": \"triggered\", \"created_at\": \"yesterday\"}]",
    "[{\"id\": \"X\", \"title\": \"t\", \"status\": \"triggered\", \"timeline\": [{\"kind\": \"note\"}]}]",
    "[{\"id\": \"X\xff\", \"title\": \"t\", \"status\": \"triggered\"}]",
  };
  g_autofree char *before = store_state (f->data);
  g_autofree char *deep = NULL;
  g_autofree char *after = NULL;
  g_autoptr(CliRun) missing = cli_run (f->data, "import", "/nonexistent/incidents.json", NULL);
  g_autoptr(CliRun) directory = cli_run (f->data, "import", f->tmp, NULL);
  g_autoptr(CliRun) deep_run = NULL;
  g_autoptr(CliRun) nul_run = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_autoptr(CliRun) run = import_text (f, "bad.json", documents[i], -1);
      g_autoptr(CliRun) piped = cli_run_with_input (f->data, documents[i], "import", "-", NULL);

      g_test_message ("document %u", i);
      cli_assert_one_line (run, 1);
      cli_assert_one_line (piped, 1);
    }

  cli_assert_one_line (missing, 1);
  cli_assert_one_line (directory, 1);

  /* Nesting that would take the parser's stack. */
  deep = g_strnfill (200000, '[');
  deep_run = import_text (f, "deep.json", deep, -1);
  cli_assert_one_line (deep_run, 1);
  nul_run = import_text (f, "nul.json", "[]\0[]", 5);
  cli_assert_one_line (nul_run, 1);

  after = store_state (f->data);
  g_assert_cmpstr (before, ==, after);
}

/* One bad incident and nothing is imported: not the good ones before it,
 * not an update of an incident already there. */
static void
test_import_bad_middle (Fixture       *f,
                        gconstpointer  user_data)
{
  static const char document[] =
    "{\"incidents\": ["
    "  {\"id\": \"Q1CHK7AXR2\", \"title\": \"Renamed\", \"status\": \"resolved\","
    "   \"updated_at\": \"2026-11-26T00:00:00Z\"},"
    "  {\"id\": \"NEW1\", \"number\": 2001, \"title\": \"new\", \"status\": \"triggered\"},"
    "  {\"id\": \"NEW2\", \"number\": 2002, \"title\": \"bad\", \"status\": \"sleeping\"},"
    "  {\"id\": \"NEW3\", \"number\": 2003, \"title\": \"new\", \"status\": \"triggered\"}"
    "]}";
  g_autofree char *before = store_state (f->data);
  g_autofree char *after = NULL;
  g_autoptr(CliRun) run = import_text (f, "middle.json", document, -1);
  g_autoptr(CliRun) show = NULL;

  cli_assert_one_line (run, 1);
  g_assert_nonnull (strstr (run->err, "NEW2"));
  g_assert_cmpstr (run->out, ==, "");

  after = store_state (f->data);
  g_assert_cmpstr (before, ==, after);
  show = cli_run (f->data, "show", "NEW1", NULL);
  cli_assert_one_line (show, 1);
}

static void
test_import_update (Fixture       *f,
                    gconstpointer  user_data)
{
  static const char document[] =
    "[{\"id\": \"Q1CHK7AXR2\", \"number\": 1042, \"title\": \"Renamed\", \"status\": \"resolved\","
    "  \"updated_at\": \"2026-11-26T00:00:00Z\"}]";
  g_autoptr(CliRun) note = cli_run (f->data, "note", "1042", "kept", NULL);
  g_autoptr(CliRun) run = import_text (f, "update.json", document, -1);
  g_autoptr(JsonNode) root = list_json (f->data);
  JsonObject *incident = find_object (json_node_get_array (root), "id", "Q1CHK7AXR2");
  g_autofree char *text = NULL;

  cli_assert_ok (note);
  cli_assert_ok (run);
  g_assert_cmpstr (run->out, ==, "Imported 1 incident\n");
  g_assert_cmpstr (json_object_get_string_member (incident, "title"), ==, "Renamed");
  /* The unsent note survives the new snapshot. */
  g_assert_cmpint (json_object_get_int_member (incident, "pending"), ==, 1);
  text = only_note_text (f->data);
  g_assert_cmpstr (text, ==, "kept");
}

/* json-glib reads "\u0000" as a NUL that ends the string: an id with one
 * must not read as another incident's id, nor a title end at it. */
static void
test_import_nul_escape (Fixture       *f,
                        gconstpointer  user_data)
{
  static const char document[] =
    "[{\"id\": \"Q1CHK7AXR2\\u0000x\", \"number\": 3001, \"title\": \"Alias\\u0000 and more\","
    "  \"status\": \"resolved\", \"updated_at\": \"2026-11-26T00:00:00Z\"}]";
  g_autoptr(CliRun) run = import_text (f, "nul-escape.json", document, -1);
  g_autoptr(JsonNode) root = run_json (f->data, (const char *[]) { "list", "--json", "--filter", "all", NULL });
  JsonObject *original = find_object (json_node_get_array (root), "id", "Q1CHK7AXR2");
  JsonObject *other = find_object (json_node_get_array (root), "id", "Q1CHK7AXR2\xef\xbf\xbdx");

  cli_assert_ok (run);
  g_assert_nonnull (original);
  g_assert_cmpstr (json_object_get_string_member (original, "title"), !=, "Alias");
  g_assert_cmpstr (json_object_get_string_member (original, "status"), !=, "resolved");
  g_assert_nonnull (other);
  g_assert_cmpstr (json_object_get_string_member (other, "title"), ==, "Alias\xef\xbf\xbd and more");
}

static void
test_note_too_large (Fixture       *f,
                     gconstpointer  user_data)
{
  g_autofree char *megabyte = g_strnfill (1024 * 1024, 'x');
  /* The kernel takes at most 128 KiB in one argument. */
  g_autofree char *large = g_strnfill (120 * 1024, 'y');
  g_autofree char *over = g_strnfill (PIEPER_NOTE_MAX_BYTES + 1, 'z');
  g_autofree char *most = g_strnfill (PIEPER_NOTE_MAX_BYTES, 'w');
  g_autofree char *before = store_state (f->data);
  g_autofree char *after = NULL;
  g_autoptr(CliRun) from_stdin = cli_run_with_input (f->data, megabyte, "note", "1042", "-", NULL);
  g_autoptr(CliRun) from_argv = cli_run (f->data, "note", "1042", large, NULL);
  g_autoptr(CliRun) over_stdin = cli_run_with_input (f->data, over, "note", "1042", "-", NULL);
  g_autoptr(CliRun) over_argv = cli_run (f->data, "note", "1042", over, NULL);
  g_autoptr(CliRun) empty = cli_run (f->data, "note", "1042", "", NULL);
  g_autoptr(CliRun) nul = NULL;
  g_autoptr(GBytes) nul_input = g_bytes_new_static ("a\0b", 3);
  g_autoptr(CliRun) fits = NULL;
  g_autofree char *text = NULL;

  cli_assert_one_line (from_stdin, 1);
  cli_assert_one_line (from_argv, 1);
  cli_assert_one_line (over_stdin, 1);
  cli_assert_one_line (over_argv, 1);
  cli_assert_one_line (empty, 1);
  nul = cli_runv (f->data, nul_input, NULL, (const char *[]) { "note", "1042", "-", NULL });
  cli_assert_one_line (nul, 1);

  after = store_state (f->data);
  g_assert_cmpstr (before, ==, after);

  /* The limit itself is allowed. */
  fits = cli_run_with_input (f->data, most, "note", "1042", "-", NULL);
  cli_assert_ok (fits);
  text = only_note_text (f->data);
  g_assert_cmpstr (text, ==, most);
}

/* Every command fails with one line and exit 1. */
static void
assert_store_refused (const char *data,
                      gboolean    mentions_dir)
{
  static const char *cases[][4] = {
    { "list", NULL },
    { "ack", "1042", NULL },
    { "note", "1042", "text" },
    { "outbox", "--json", NULL },
    { "export", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CliRun) run = cli_runv (data, NULL, NULL, cases[i]);

      cli_assert_one_line (run, 1);
      g_assert_cmpstr (run->out, ==, "");
      if (mentions_dir)
        g_assert_nonnull (strstr (run->err, data));
    }
}

/* Root ignores permission bits, so a path below a regular file stands in
 * for a directory that cannot be written. */
static void
test_unwritable_data_dir (void)
{
  g_autofree char *tmp = test_make_tmp_dir ();
  g_autofree char *file = g_build_filename (tmp, "file", NULL);
  g_autofree char *below = g_build_filename (file, "sub", NULL);
  g_autofree char *db_dir = g_build_filename (tmp, "db-is-a-dir", NULL);
  g_autofree char *db = g_build_filename (db_dir, "pieper.db", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (file, "", 0, &error);
  g_assert_no_error (error);
  assert_store_refused (below, TRUE);
  assert_store_refused (file, TRUE);

  g_assert_cmpint (g_mkdir_with_parents (db, 0700), ==, 0);
  assert_store_refused (db_dir, TRUE);

  if (geteuid () != 0)
    {
      g_autofree char *locked = g_build_filename (tmp, "locked", NULL);
      g_autofree char *data = g_build_filename (locked, "data", NULL);

      g_assert_cmpint (g_mkdir (locked, 0000), ==, 0);
      assert_store_refused (data, TRUE);
    }
  else
    g_test_message ("running as root: permission bits not tested");

  test_remove_tree (tmp);
}

/* An existing store whose file cannot be written (for root too: it is
 * replaced by something that is not a database). */
static void
test_damaged_store (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autofree char *db = g_build_filename (f->data, "pieper.db", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (db, "This is not a database, it is a shopping list.\n", -1, &error);
  g_assert_no_error (error);
  assert_store_refused (f->data, FALSE);
}

/* Batch */

static void
test_batch (Fixture       *f,
            gconstpointer  user_data)
{
  static const char input[] =
    "# a comment\n"
    "\n"
    "ack 1042\n"
    "note 1042 'two words'\n"
    "frob\n"
    "note 1042 \"unterminated\n"
    "import /dev/null\n"
    "note 1042 -\n"
    "ack NOPE\n"
    "note 1041 'the last line, without a line break'";
  g_autoptr(CliRun) run = cli_run_with_input (f->data, input, "batch", NULL);
  g_auto(GStrv) lines = g_strsplit (run->out, "\n", -1);
  g_auto(GStrv) errors = g_strsplit (run->err, "\n", -1);
  g_autoptr(JsonNode) rows = outbox_json (f->data);
  JsonArray *array = json_node_get_array (rows);

  g_test_message ("stdout: %s\nstderr: %s", run->out, run->err);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_cmpuint (g_strv_length (lines), ==, 12);
  g_assert_true (g_str_has_prefix (lines[0], "Queued acknowledge of Q1CHK7AXR2 (action 1, "));
  g_assert_cmpstr (lines[1], ==, "ok");
  g_assert_true (g_str_has_prefix (lines[2], "Queued note of Q1CHK7AXR2 (action 2, "));
  g_assert_cmpstr (lines[3], ==, "ok");
  g_assert_cmpstr (lines[4], ==, "error");                      /* frob */
  g_assert_true (g_str_has_prefix (lines[5], "error: "));       /* quoting */
  g_assert_true (g_str_has_prefix (lines[6], "error: "));       /* import */
  g_assert_cmpstr (lines[7], ==, "error");                      /* note - */
  g_assert_cmpstr (lines[8], ==, "error");                      /* NOPE */
  g_assert_true (g_str_has_prefix (lines[9], "Queued note of Q2PAYDB9K1 (action 3, "));
  g_assert_cmpstr (lines[10], ==, "ok");
  g_assert_cmpstr (lines[11], ==, "");

  /* One line per failed command, each a pieperctl error. */
  g_assert_cmpuint (g_strv_length (errors), ==, 4);
  for (guint i = 0; i < 3; i++)
    g_assert_true (g_str_has_prefix (errors[i], "pieperctl: "));
  g_assert_null (strstr (run->err, "CRITICAL"));

  g_assert_cmpuint (json_array_get_length (array), ==, 3);
}

/* A line too long for the batch is refused whole: its tail must not run as
 * a command of its own. */
static void
test_batch_long_line (Fixture       *f,
                      gconstpointer  user_data)
{
  g_autoptr(GString) input = g_string_new ("note 1042 ");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CliRun) run = NULL;
  g_autofree char *before = store_state (f->data);
  g_autofree char *after = NULL;

  for (gsize n = input->len; n < PIEPER_NOTE_MAX_BYTES + 1024 - 1; n++)
    g_string_append_c (input, 'z');
  g_string_append (input, " ack 1039\n");
  g_string_append_len (input, "note 1042 a\0b\n", 14);
  g_string_append_len (input, "note 1042 \0 ; ack 1039\n", 23);
  bytes = g_bytes_new (input->str, input->len);

  run = cli_runv (f->data, bytes, NULL, (const char *[]) { "batch", NULL });
  g_test_message ("stdout: %s", run->out);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_null (strstr (run->out, "Queued"));
  g_assert_true (g_str_has_prefix (run->out, "error: "));

  after = store_state (f->data);
  g_assert_cmpstr (before, ==, after);
}

/* A full disk */

/* Notes of about 4 KB until the disk is full. */
static char *
filler_text (guint i)
{
  g_autofree char *fill = g_strnfill (4000, 'f');

  return g_strdup_printf ("%s-%u", fill, i);
}

static void
set_file_size_limit_cb (gpointer user_data)
{
  struct rlimit limit = { 256 * 1024, 256 * 1024 };

  setrlimit (RLIMIT_FSIZE, &limit);
}

/* After the limit is lifted: every note that was reported queued is in the
 * outbox exactly once, and nothing else went in; the store is sound and
 * takes new actions. */
static void
assert_notes_kept (const char *data,
                   guint       n_queued,
                   guint       n_tried)
{
  g_autofree char *db = g_build_filename (data, "pieper.db", NULL);
  g_autofree char *integrity = cli_db_integrity (db);
  g_autoptr(CliRun) after = NULL;

  g_assert_cmpstr (integrity, ==, "ok");
  for (guint i = 1; i <= n_tried; i++)
    {
      g_autofree char *text = filler_text (i);

      g_assert_cmpint (cli_db_count_notes (db, text), ==, i <= n_queued ? 1 : 0);
    }
  g_assert_cmpint (cli_db_count (db, "SELECT count(*) FROM outbox"), ==, n_queued);

  after = cli_run (data, "note", "1042", "after the disk was full", NULL);
  cli_assert_ok (after);
}

static void
test_full_disk_file_size (Fixture       *f,
                          gconstpointer  user_data)
{
  g_autofree char *failure = NULL;
  guint n_queued = 0;
  guint i;

  for (i = 1; i <= 200 && failure == NULL; i++)
    {
      g_autofree char *text = filler_text (i);
      const char *args[] = { "note", "1042", text, NULL };
      g_autoptr(CliRun) run = cli_runv (f->data, NULL, set_file_size_limit_cb, args);

      if (run->status == 0)
        {
          g_assert_true (g_str_has_prefix (run->out, "Queued note of Q1CHK7AXR2 "));
          g_assert_cmpuint (n_queued, ==, i - 1);
          n_queued++;
          continue;
        }

      cli_assert_one_line (run, 1);
      g_assert_cmpstr (run->out, ==, "");
      failure = g_strdup (run->err);
    }

  g_assert_nonnull (failure);
  g_assert_cmpuint (n_queued, >, 0);
  assert_notes_kept (f->data, n_queued, i - 1);

  /* SQLite reports EFBIG as a bare I/O error; the store still says why. */
  g_assert_nonnull (strstr (failure, "full"));
}

/* Runs @script as root of a private user and mount namespace, with $1
 * pieperctl, $2 the sample, $3 an empty directory to mount a tmpfs on, $4
 * the directory for results (*out) and $5 @arg. The script writes
 * $4/mounted once it has its tmpfs; without (the system allows no such
 * namespace) the test is skipped and FALSE returned. */
static gboolean
run_unshared (Fixture     *f,
              const char  *script,
              const char  *arg,
              char       **out)
{
  g_autofree char *mnt = g_build_filename (f->tmp, "mnt", NULL);
  g_autofree char *marker = NULL;
  g_autoptr(GSubprocess) shell = NULL;
  g_autoptr(GError) error = NULL;

  *out = g_build_filename (f->tmp, "out", NULL);
  marker = g_build_filename (*out, "mounted", NULL);
  g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (*out, 0700), ==, 0);

  shell = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                            "unshare", "-rm", "sh", "-e", "-c", script, "sh",
                            cli_test_pieperctl (), cli_test_sample (), mnt, *out, arg, NULL);
  if (shell == NULL)
    {
      g_test_skip ("unshare is not available");
      return FALSE;
    }
  g_subprocess_wait (shell, NULL, &error);
  g_assert_no_error (error);

  if (!g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("cannot mount a tmpfs in a private namespace here");
      return FALSE;
    }
  g_assert_true (g_subprocess_get_successful (shell));

  return TRUE;
}

static char *
read_file (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* A run the script recorded as NAME.status, NAME.out and NAME.err. */
static CliRun *
read_run (const char *dir,
          const char *name)
{
  g_autofree char *status_name = g_strconcat (name, ".status", NULL);
  g_autofree char *out_name = g_strconcat (name, ".out", NULL);
  g_autofree char *err_name = g_strconcat (name, ".err", NULL);
  g_autofree char *status = read_file (dir, status_name);
  CliRun *run = g_new0 (CliRun, 1);

  run->status = (int) g_ascii_strtoll (status, NULL, 10);
  run->out = read_file (dir, out_name);
  run->err = read_file (dir, err_name);

  return run;
}

/* The real thing, where the system allows it: a 256 KiB tmpfs, filled with
 * notes; the store is copied out. */
static const char full_disk_script[] =
  "P=$1; SAMPLE=$2; MNT=$3; OUT=$4; FILL=$5\n"
  "mount -t tmpfs -o size=256k tmpfs \"$MNT\" || exit 0\n"
  ": > \"$OUT/mounted\"\n"
  "\"$P\" --data-dir \"$MNT/d\" import \"$SAMPLE\" > /dev/null\n"
  "i=0\n"
  "while [ $i -lt 200 ]; do\n"
  "  i=$((i + 1))\n"
  "  s=0; \"$P\" --data-dir \"$MNT/d\" note 1042 \"$FILL-$i\" >> \"$OUT/fill.out\" 2> \"$OUT/fill.err\" || s=$?\n"
  "  if [ $s != 0 ]; then echo $s > \"$OUT/fill.status\"; break; fi\n"
  "done\n"
  "\"$P\" --data-dir \"$MNT/d\" outbox --json > \"$OUT/outbox.json\"\n"
  "mkdir \"$OUT/data\"\n"
  "cp \"$MNT\"/d/pieper.db* \"$OUT/data/\"\n";

static void
test_full_disk_tmpfs (Fixture       *f,
                      gconstpointer  user_data)
{
  g_autofree char *fill = g_strnfill (4000, 'f');
  g_autofree char *out = NULL;
  g_autofree char *out_data = NULL;
  g_autofree char *listed = NULL;
  g_autoptr(CliRun) failure = NULL;
  g_autoptr(JsonNode) rows = NULL;
  guint n_queued;

  if (!run_unshared (f, full_disk_script, fill, &out))
    return;

  failure = read_run (out, "fill");
  cli_assert_one_line (failure, 1);
  g_assert_nonnull (strstr (failure->err, "full"));

  n_queued = count_lines (failure->out);
  g_assert_cmpuint (n_queued, >, 0);
  listed = read_file (out, "outbox.json");
  rows = parse_json (listed);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (rows)), ==, n_queued);

  out_data = g_build_filename (out, "data", NULL);
  assert_notes_kept (out_data, n_queued, n_queued + 1);
}

/* A data directory on a file system mounted read-only, for root too. */
static const char read_only_script[] =
  "P=$1; SAMPLE=$2; MNT=$3; OUT=$4\n"
  "mount -t tmpfs -o size=1m tmpfs \"$MNT\" || exit 0\n"
  ": > \"$OUT/mounted\"\n"
  "\"$P\" --data-dir \"$MNT/d\" import \"$SAMPLE\" > /dev/null\n"
  "\"$P\" --data-dir \"$MNT/d\" note 1042 before > /dev/null\n"
  "mount -o remount,ro \"$MNT\"\n"
  "s=0; \"$P\" --data-dir \"$MNT/d\" ack 1042 > \"$OUT/ack.out\" 2> \"$OUT/ack.err\" || s=$?; echo $s > \"$OUT/ack.status\"\n"
  "s=0; \"$P\" --data-dir \"$MNT/d\" note 1042 during > \"$OUT/note.out\" 2> \"$OUT/note.err\" || s=$?; echo $s > \"$OUT/note.status\"\n"
  "s=0; \"$P\" --data-dir \"$MNT/new\" list > \"$OUT/new.out\" 2> \"$OUT/new.err\" || s=$?; echo $s > \"$OUT/new.status\"\n"
  "mount -o remount,rw \"$MNT\"\n"
  "\"$P\" --data-dir \"$MNT/d\" outbox --json > \"$OUT/outbox.json\"\n";

static void
test_read_only_fs (Fixture       *f,
                   gconstpointer  user_data)
{
  static const char *runs[] = { "ack", "note", "new" };
  g_autofree char *out = NULL;
  g_autofree char *listed = NULL;
  g_autoptr(JsonNode) rows = NULL;
  JsonObject *row;

  if (!run_unshared (f, read_only_script, "", &out))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autoptr(CliRun) run = read_run (out, runs[i]);

      cli_assert_one_line (run, 1);
      g_assert_cmpstr (run->out, ==, "");
    }

  /* The note queued before is there, once; nothing else is. */
  listed = read_file (out, "outbox.json");
  rows = parse_json (listed);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (rows)), ==, 1);
  row = json_array_get_object_element (json_node_get_array (rows), 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (row, "args"), "text"), ==, "before");
}

int
main (int   argc,
      char *argv[])
{
  cli_test_init (&argc, &argv);

  g_test_add_func ("/pieperctl/help", test_help);
  g_test_add_func ("/pieperctl/version", test_version);
  g_test_add ("/pieperctl/usage", Fixture, NULL, fixture_setup, test_usage, fixture_teardown);
  g_test_add_func ("/pieperctl/usage-data-dir", test_usage_data_dir);
  g_test_add ("/pieperctl/list", Fixture, NULL, fixture_setup, test_list, fixture_teardown);
  g_test_add ("/pieperctl/list-json", Fixture, NULL, fixture_setup, test_list_json, fixture_teardown);
  g_test_add ("/pieperctl/effective-status", Fixture, NULL, fixture_setup, test_effective_status, fixture_teardown);
  g_test_add ("/pieperctl/offline-actions", Fixture, NULL, fixture_setup, test_offline_actions, fixture_teardown);
  g_test_add ("/pieperctl/outbox-unconfirmed", Fixture, NULL, fixture_setup, test_outbox_unconfirmed, fixture_teardown);
  g_test_add ("/pieperctl/show", Fixture, NULL, fixture_setup, test_show, fixture_teardown);
  g_test_add ("/pieperctl/note-stdin", Fixture, NULL, fixture_setup, test_note_stdin, fixture_teardown);
  g_test_add ("/pieperctl/note-dash-dash", Fixture, NULL, fixture_setup, test_note_dash_dash, fixture_teardown);
  g_test_add ("/pieperctl/already-acknowledged", Fixture, NULL, fixture_setup, test_already_acknowledged, fixture_teardown);
  g_test_add ("/pieperctl/unknown-id", Fixture, NULL, fixture_setup, test_unknown_id, fixture_teardown);
  g_test_add ("/pieperctl/import-malformed", Fixture, NULL, fixture_setup, test_import_malformed, fixture_teardown);
  g_test_add ("/pieperctl/import-bad-middle", Fixture, NULL, fixture_setup, test_import_bad_middle, fixture_teardown);
  g_test_add ("/pieperctl/import-update", Fixture, NULL, fixture_setup, test_import_update, fixture_teardown);
  g_test_add ("/pieperctl/import-nul-escape", Fixture, NULL, fixture_setup, test_import_nul_escape, fixture_teardown);
  g_test_add ("/pieperctl/note-too-large", Fixture, NULL, fixture_setup, test_note_too_large, fixture_teardown);
  g_test_add_func ("/pieperctl/unwritable-data-dir", test_unwritable_data_dir);
  g_test_add ("/pieperctl/damaged-store", Fixture, NULL, fixture_setup, test_damaged_store, fixture_teardown);
  g_test_add ("/pieperctl/batch", Fixture, NULL, fixture_setup, test_batch, fixture_teardown);
  g_test_add ("/pieperctl/batch-long-line", Fixture, NULL, fixture_setup, test_batch_long_line, fixture_teardown);
  g_test_add ("/pieperctl/full-disk/file-size", Fixture, NULL, fixture_setup, test_full_disk_file_size, fixture_teardown);
  g_test_add ("/pieperctl/full-disk/tmpfs", Fixture, NULL, fixture_setup, test_full_disk_tmpfs, fixture_teardown);
  g_test_add ("/pieperctl/read-only-fs", Fixture, NULL, fixture_setup, test_read_only_fs, fixture_teardown);

  return g_test_run ();
}
