/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli-test-common.h"

static char *pieperctl_path;
static char *sample_path;

void
cli_test_init (int    *argc,
               char ***argv)
{
  const char *env = g_getenv ("PIEPERCTL");

  if (*argc > 1 && (*argv)[1][0] != '-')
    {
      pieperctl_path = g_strdup ((*argv)[1]);
      (*argv)[1] = (*argv)[0];
      (*argv)++;
      (*argc)--;
    }
  else if (env != NULL)
    pieperctl_path = g_strdup (env);

  g_test_init (argc, argv, NULL);

  if (pieperctl_path == NULL)
    pieperctl_path = g_build_filename (g_getenv ("PIEPER_TOP_BUILDDIR") ? g_getenv ("PIEPER_TOP_BUILDDIR") : ".",
                                       "src", "cli", "pieperctl", NULL);
  sample_path = g_test_build_filename (G_TEST_DIST, "..", "data", "samples", "incidents.json", NULL);

  g_assert_true (g_file_test (pieperctl_path, G_FILE_TEST_IS_EXECUTABLE));
  g_assert_true (g_file_test (sample_path, G_FILE_TEST_IS_REGULAR));
}

const char *
cli_test_pieperctl (void)
{
  return pieperctl_path;
}

const char *
cli_test_sample (void)
{
  return sample_path;
}

void
cli_run_free (CliRun *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

  return g_strndup (data != NULL ? data : "", size);
}

CliRun *
cli_runv (const char           *data_dir,
          GBytes               *input,
          GSpawnChildSetupFunc  child_setup,
          const char * const   *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input_path = NULL;
  CliRun *run = g_new0 (CliRun, 1);
  int fd;

  g_ptr_array_add (argv, (gpointer) pieperctl_path);
  if (data_dir != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--data-dir");
      g_ptr_array_add (argv, (gpointer) data_dir);
    }
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  /* Standard input comes from a file, so pieperctl may stop reading it
   * early (it should, for a 1 MB note) without a broken pipe. */
  fd = g_file_open_tmp ("pieperctl-input-XXXXXX", &input_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (input_path,
                       input != NULL ? g_bytes_get_data (input, NULL) : "",
                       input != NULL ? (gssize) g_bytes_get_size (input) : 0,
                       &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, input_path);
  if (child_setup != NULL)
    g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_unlink (input_path);

  run->out = bytes_to_string (out);
  run->err = bytes_to_string (err);

  /* A crash is never an answer, whatever the input. */
  if (!g_subprocess_get_if_exited (process))
    g_error ("pieperctl %s died of signal %d; stderr: %s",
             args[0] != NULL ? args[0] : "", g_subprocess_get_term_sig (process), run->err);
  run->status = g_subprocess_get_exit_status (process);

  return run;
}

static CliRun *
run_valist (const char *data_dir,
            GBytes     *input,
            const char *first_arg,
            va_list     ap)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  for (const char *a = first_arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  g_ptr_array_add (args, NULL);

  return cli_runv (data_dir, input, NULL, (const char * const *) args->pdata);
}

CliRun *
cli_run (const char *data_dir,
         const char *first_arg,
         ...)
{
  CliRun *run;
  va_list ap;

  va_start (ap, first_arg);
  run = run_valist (data_dir, NULL, first_arg, ap);
  va_end (ap);

  return run;
}

CliRun *
cli_run_with_input (const char *data_dir,
                    const char *input,
                    const char *first_arg,
                    ...)
{
  g_autoptr(GBytes) bytes = g_bytes_new (input, strlen (input));
  CliRun *run;
  va_list ap;

  va_start (ap, first_arg);
  run = run_valist (data_dir, bytes, first_arg, ap);
  va_end (ap);

  return run;
}

void
cli_assert_ok (CliRun *run)
{
  if (run->status != 0 || *run->err != '\0')
    g_test_message ("stderr: %s", run->err);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
}

void
cli_assert_one_line (CliRun *run,
                     int     status)
{
  const char *newline = strchr (run->err, '\n');

  g_test_message ("stderr: %s", run->err);
  g_assert_cmpint (run->status, ==, status);
  g_assert_true (g_str_has_prefix (run->err, "pieperctl: "));
  g_assert_nonnull (newline);
  g_assert_cmpint (newline[1], ==, '\0');
  g_assert_cmpint (strlen (run->err), >, strlen ("pieperctl: \n"));
  g_assert_null (strstr (run->err, "CRITICAL"));
  g_assert_null (strstr (run->err, "WARNING"));
  g_assert_null (strstr (run->err, "assertion"));
  g_assert_null (strstr (run->err, "Trace"));
}

char *
cli_make_store (char **tmp_dir)
{
  g_autoptr(CliRun) run = NULL;
  char *data_dir;

  *tmp_dir = test_make_tmp_dir ();
  data_dir = g_build_filename (*tmp_dir, "data", NULL);
  run = cli_run (data_dir, "import", sample_path, NULL);
  cli_assert_ok (run);
  g_assert_cmpstr (run->out, ==, "Imported 5 incidents\n");

  return data_dir;
}

static sqlite3 *
db_open (const char *db_path)
{
  sqlite3 *db = NULL;

  /* Read-write: a WAL left behind by a killed writer is recovered. */
  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);

  return db;
}

char *
cli_db_integrity (const char *db_path)
{
  g_autoptr(GString) result = g_string_new (NULL);
  sqlite3 *db = db_open (db_path);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (result->len > 0)
        g_string_append_c (result, '\n');
      g_string_append (result, (const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return g_string_free (g_steal_pointer (&result), FALSE);
}

static gint64
count (const char *db_path,
       const char *sql,
       const char *text)
{
  sqlite3 *db = db_open (db_path);
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return n;
}

gint64
cli_db_count_notes (const char *db_path,
                    const char *text)
{
  return count (db_path,
                "SELECT count(*) FROM outbox WHERE op = 'note' AND json_extract (payload, '$.text') = ?1",
                text);
}

gint64
cli_db_count (const char *db_path,
              const char *sql)
{
  return count (db_path, sql, NULL);
}

gint64
cli_db_exec (const char *db_path,
             const char *sql)
{
  sqlite3 *db = db_open (db_path);
  char *message = NULL;
  gint64 changed;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  changed = sqlite3_changes (db);
  sqlite3_close (db);

  return changed;
}
