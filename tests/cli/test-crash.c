/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "cli-test-common.h"

/*
 * The crash test: a `pieperctl batch` queuing 2,000 notes is SIGKILLed at a
 * random moment, until 15 kills have landed mid-batch. After each kill the
 * database is sound, and every note pieperctl reported queued is in the outbox exactly once. A note that
 * was committed but not yet reported may be there too, never twice, and
 * never after a gap: what survives is a prefix of what was asked.
 */

#define N_KILLS    15
#define N_ROUNDS   40
#define N_COMMANDS 2000
#define N_INCIDENTS 20

typedef struct
{
  GSubprocess *process;
  guint        kill_id;
  char        *out;          /* standard output, as far as it was written */
  gint64       elapsed_us;
  gboolean     killed;
  gboolean     done;
} Round;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Round *round = user_data;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  gsize size = 0;
  const char *data;

  g_subprocess_communicate_finish (G_SUBPROCESS (object), result, &out, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (out, &size);
  round->out = g_strndup (data != NULL ? data : "", size);
  round->done = TRUE;
}

static gboolean
kill_cb (gpointer user_data)
{
  Round *round = user_data;

  round->kill_id = 0;
  g_subprocess_send_signal (round->process, SIGKILL);

  return G_SOURCE_REMOVE;
}

/* The notes go round the incidents of a generated document: queuing costs
 * more the more unsent actions an incident has, and a crash test should
 * not be about that. */
static char *
write_incidents (const char *dir)
{
  g_autoptr(GString) json = g_string_new ("[");
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "crash-incidents.json", NULL);

  for (guint i = 0; i < N_INCIDENTS; i++)
    g_string_append_printf (json,
                            "%s{\"id\": \"CRASH%02u\", \"number\": %u, "
                            "\"title\": \"Crash test %u\", \"status\": \"triggered\"}",
                            i > 0 ? ", " : "", i, 3000 + i, i);
  g_string_append (json, "]");

  g_file_set_contents (path, json->str, json->len, &error);
  g_assert_no_error (error);

  return path;
}

static char *
write_input (const char *dir,
             const char *round_name)
{
  g_autoptr(GString) input = g_string_new (NULL);
  g_autofree char *name = g_strdup_printf ("input-%s", round_name);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  for (guint i = 0; i < N_COMMANDS; i++)
    g_string_append_printf (input, "note CRASH%02u crash-%s-%u\n", i % N_INCIDENTS, round_name, i);

  g_file_set_contents (path, input->str, input->len, &error);
  g_assert_no_error (error);

  return path;
}

/* A fresh store per round: the sample and the crash incidents. */
static char *
make_store (const char *tmp,
            const char *round_name,
            const char *incidents)
{
  g_autofree char *name = g_strdup_printf ("data-%s", round_name);
  char *data = g_build_filename (tmp, name, NULL);
  g_autoptr(CliRun) sample = cli_run (data, "import", cli_test_sample (), NULL);
  g_autoptr(CliRun) crash = cli_run (data, "import", incidents, NULL);

  cli_assert_ok (sample);
  cli_assert_ok (crash);

  return data;
}

/* Runs one batch; kills it after @kill_after_ms, unless that is 0. The
 * whole of what it wrote is read: whatever reached the pipe was committed
 * before it was written, whenever the test reads it. */
static void
run_batch (const char *data,
           const char *input_path,
           guint       kill_after_ms,
           Round      *round)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_subprocess_launcher_set_stdin_file_path (launcher, input_path);
  start = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawn (launcher, &error,
                                         cli_test_pieperctl (), "--data-dir", data, "batch", NULL);
  g_assert_no_error (error);

  round->process = process;
  g_subprocess_communicate_async (process, NULL, NULL, communicate_cb, round);
  if (kill_after_ms > 0)
    round->kill_id = g_timeout_add (kill_after_ms, kill_cb, round);

  while (!round->done)
    g_main_context_iteration (NULL, TRUE);

  round->elapsed_us = g_get_monotonic_time () - start;
  g_clear_handle_id (&round->kill_id, g_source_remove);
  round->process = NULL;

  if (g_subprocess_get_if_signaled (process))
    {
      g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);
      round->killed = TRUE;
    }
  else
    {
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
    }
}

/* The number of notes the batch reported queued: each is a complete
 * "Queued note …" line followed (unless killed in between) by "ok". */
static guint
count_confirmed (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  guint n_lines = g_strv_length (lines);
  guint confirmed = 0;

  /* Killed before it said anything. */
  if (n_lines == 0)
    return 0;

  /* The last piece is what followed the last line break: empty, unless
   * the kill cut a line (a line is one write, so it should not). */
  g_assert_cmpstr (lines[n_lines - 1], ==, "");

  for (guint i = 0; i + 1 < n_lines; i++)
    {
      if (i % 2 == 0)
        {
          g_assert_true (g_str_has_prefix (lines[i], "Queued note of CRASH"));
          confirmed++;
        }
      else
        g_assert_cmpstr (lines[i], ==, "ok");
    }

  return confirmed;
}

static char *
db_integrity (sqlite3 *db)
{
  g_autoptr(GString) result = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (result, "%s%s", result->len > 0 ? "\n" : "", sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return g_string_free (g_steal_pointer (&result), FALSE);
}

/* Every note text in the outbox, in the order queued, each once. */
static GPtrArray *
db_notes (sqlite3 *db)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *notes = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT json_extract (payload, '$.text') FROM outbox "
                                       "WHERE op = 'note' ORDER BY id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);

      g_assert_nonnull (text);
      if (!g_hash_table_add (seen, g_strdup (text)))
        g_error ("“%s” is in the outbox twice", text);
      g_ptr_array_add (notes, g_strdup (text));
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  return notes;
}

/* The outbox as pieperctl sees it: it is the first to open the store after
 * the kill, and recovers it. */
static guint
outbox_length (const char *data)
{
  g_autoptr(CliRun) run = cli_run (data, "outbox", "--json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *rows;

  cli_assert_ok (run);
  json_parser_load_from_data (parser, run->out, -1, &error);
  g_assert_no_error (error);
  rows = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (rows); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, i), "state"), ==, "pending");

  return json_array_get_length (rows);
}

/* Checks the store after round @round_name, of which @confirmed notes were
 * reported queued. Returns how many of its notes are stored. */
static guint
check_store (const char *data,
             const char *round_name,
             guint       confirmed)
{
  g_autofree char *db_path = g_build_filename (data, "pieper.db", NULL);
  g_autoptr(GPtrArray) notes = NULL;
  g_autofree char *integrity = NULL;
  guint listed = outbox_length (data);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  integrity = db_integrity (db);
  g_assert_cmpstr (integrity, ==, "ok");
  notes = db_notes (db);
  sqlite3_close (db);

  /* The notes asked for, in order, with no gap: a prefix of the input,
   * holding at least every confirmed one. */
  for (guint i = 0; i < notes->len; i++)
    {
      g_autofree char *expected = g_strdup_printf ("crash-%s-%u", round_name, i);

      g_assert_cmpstr (g_ptr_array_index (notes, i), ==, expected);
    }

  g_test_message ("round %s: %u confirmed, %u stored", round_name, confirmed, notes->len);
  g_assert_cmpuint (notes->len, >=, confirmed);
  g_assert_cmpuint (notes->len, <=, N_COMMANDS);
  g_assert_cmpuint (listed, ==, notes->len);

  return notes->len;
}

static void
test_crash (void)
{
  g_autofree char *tmp = test_make_tmp_dir ();
  g_autofree char *incidents = write_incidents (tmp);
  g_autofree char *calibration_data = make_store (tmp, "cal", incidents);
  g_autofree char *calibration_input = write_input (tmp, "cal");
  Round calibration = { 0, };
  guint n_killed = 0;
  guint max_ms;

  /* One run to the end measures how long a batch takes, and shows that an
   * uninterrupted one stores everything. */
  run_batch (calibration_data, calibration_input, 0, &calibration);
  g_assert_false (calibration.killed);
  g_assert_cmpuint (count_confirmed (calibration.out), ==, N_COMMANDS);
  g_assert_cmpuint (check_store (calibration_data, "cal", N_COMMANDS), ==, N_COMMANDS);
  g_free (calibration.out);

  max_ms = MAX (2, (guint) (calibration.elapsed_us * 8 / 10 / 1000));
  g_test_message ("a batch of %d takes %" G_GINT64_FORMAT " ms; kills within %u ms",
                  N_COMMANDS, calibration.elapsed_us / 1000, max_ms);

  /* Until N_KILLS kills have landed mid-batch. A batch that finishes
   * before its kill (the machine got faster than in the calibration run)
   * narrows the window for the next rounds. */
  for (guint r = 0; r < N_ROUNDS && n_killed < N_KILLS; r++)
    {
      g_autofree char *name = g_strdup_printf ("%u", r);
      g_autofree char *data = make_store (tmp, name, incidents);
      g_autofree char *input = write_input (tmp, name);
      guint delay = (guint) g_test_rand_int_range (1, (gint32) max_ms + 1);
      Round round = { 0, };
      guint confirmed;

      run_batch (data, input, delay, &round);
      confirmed = count_confirmed (round.out);
      g_test_message ("round %u: %s after %u ms", r, round.killed ? "killed" : "finished", delay);
      if (round.killed)
        n_killed++;
      else
        {
          g_assert_cmpuint (confirmed, ==, N_COMMANDS);
          max_ms = MAX (2, max_ms * 2 / 3);
        }

      check_store (data, name, confirmed);
      g_free (round.out);
    }

  g_assert_cmpuint (n_killed, ==, N_KILLS);

  test_remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  cli_test_init (&argc, &argv);

  g_test_add_func ("/pieperctl/crash", test_crash);

  return g_test_run ();
}
