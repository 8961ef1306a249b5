/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "TestSecrets"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pieper-sim.h"
#include "test-util.h"

/*
 * Where an API token must never be: the database (and its -wal and -shm),
 * the settings (a keyfile backend, so there is a file to read), the logs
 * (G_MESSAGES_DEBUG=all), a command line (/proc/PID/cmdline), anything
 * written under HOME or the XDG directories, and a core dump.
 *
 * run-with-keyring.sh runs this inside a private D-Bus session with its own
 * GNOME Keyring, in throwaway HOME and XDG directories. Arguments:
 * pieperctl, then the app (whose test runs only when PIEPER_TEST_DISPLAY
 * names an X display, as the wrapper hides DISPLAY).
 *
 * pieperctl and the app talk to pieper-sim, in this process, with the
 * token, so every check below runs after the token was really used.
 */

#define EMAIL "robin.responder@example.com"

static const char *pieperctl_path;
static const char *app_path;

static char      *token;
static char      *tmp_dir;
static char      *data_dir;
static char      *work_dir;
static PieperSim *sim;
static char      *url;
/* An open incident, for notes. */
static char      *incident;

/* Everything pieperctl and the app printed, for one look at the end. */
static GString   *all_output;

/* Helpers */

static gboolean
memory_contains (const char *data,
                 gsize       length,
                 const char *needle)
{
  gsize n = strlen (needle);

  /* Binary data (a core, a database): no strstr(). */
  for (gsize i = 0; n > 0 && i + n <= length; i++)
    if (data[i] == needle[0] && memcmp (data + i, needle, n) == 0)
      return TRUE;

  return FALSE;
}

static void
assert_file_clean (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      /* Sockets and FIFOs of the keyring and the bus cannot be read. */
      g_test_message ("not read: %s (%s)", path, error->message);
      return;
    }

  if (memory_contains (contents, length, token))
    g_error ("The token is in %s", path);
}

/* Every regular file under @path. Returns how many were read. */
static guint
assert_tree_clean (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n = 0;

  if (!(dir = g_dir_open (path, 0, NULL)))
    return 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        n += assert_tree_clean (child);
      else if (g_file_test (child, G_FILE_TEST_IS_REGULAR))
        {
          assert_file_clean (child);
          n++;
        }
    }

  return n;
}

static char **
child_environ (void)
{
  char **env = g_get_environ ();

  env = g_environ_unsetenv (env, "PIEPER_TOKEN");
  env = g_environ_unsetenv (env, "PIEPER_DATA_DIR");
  /* Warnings of a child (no sound device, no notification daemon) are
   * not what this test looks at; its output is. */
  env = g_environ_unsetenv (env, "G_DEBUG");
  env = g_environ_setenv (env, "G_MESSAGES_DEBUG", "all", TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "keyfile", TRUE);

  return env;
}

/* Set by the test of file modes: children run with umask 0, so the modes
 * they create are theirs, not the umask's. */
static gboolean zero_umask;

/* In the child: cores allowed, whatever the limit the test runs under. */
static void
allow_core_dumps (gpointer user_data)
{
  if (zero_umask)
    umask (0);

  struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

  if (setrlimit (RLIMIT_CORE, &unlimited) != 0)
    {
      struct rlimit current;

      getrlimit (RLIMIT_CORE, &current);
      current.rlim_cur = current.rlim_max;
      setrlimit (RLIMIT_CORE, &current);
    }
}

typedef struct
{
  GPid   pid;
  int    out_fd;
  int    err_fd;
} Child;

/* Spawns @argv in work_dir with the token (when given) on standard input,
 * from a file so that nothing blocks. */
static Child
spawn (const char * const *argv,
       const char         *input,
       char              **env)
{
  g_autofree char *input_path = g_build_filename (tmp_dir, "stdin", NULL);
  g_autoptr(GError) error = NULL;
  Child child = { 0, -1, -1 };
  int in_fd;

  for (guint i = 0; argv[i] != NULL; i++)
    g_assert_null (strstr (argv[i], token));

  g_file_set_contents (input_path, input != NULL ? input : "", -1, &error);
  g_assert_no_error (error);
  in_fd = g_open (input_path, O_RDONLY, 0);
  g_assert_cmpint (in_fd, >=, 0);

  g_spawn_async_with_pipes_and_fds (work_dir, argv, (const char * const *) env,
                                    G_SPAWN_DO_NOT_REAP_CHILD,
                                    allow_core_dumps, NULL,
                                    in_fd, -1, -1, NULL, NULL, 0,
                                    &child.pid, NULL, &child.out_fd, &child.err_fd,
                                    &error);
  g_assert_no_error (error);
  close (in_fd);
  g_unlink (input_path);

  return child;
}

static void
read_all (int      fd,
          GString *into)
{
  char buffer[4096];
  gssize n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (into, buffer, n);
  close (fd);
}

/* Reads the child's output to its end, reaps it, and returns its wait
 * status. The output goes to all_output. */
static int
finish (Child *child)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) err = g_string_new (NULL);
  int status = 0;

  read_all (child->out_fd, out);
  read_all (child->err_fd, err);
  g_assert_cmpint (waitpid (child->pid, &status, 0), ==, child->pid);
  g_spawn_close_pid (child->pid);

  g_test_message ("status %d\nstdout: %s\nstderr: %s", status, out->str, err->str);
  g_string_append_len (all_output, out->str, out->len);
  g_string_append_len (all_output, err->str, err->len);

  g_assert_false (memory_contains (out->str, out->len, token));
  g_assert_false (memory_contains (err->str, err->len, token));

  return status;
}

static int
run_pieperctl (const char *input,
               const char *first_arg,
               ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = child_environ ();
  const char *arg;
  va_list args;
  Child child;

  g_ptr_array_add (argv, (gpointer) pieperctl_path);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, data_dir);
  va_start (args, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  child = spawn ((const char * const *) argv->pdata, input, env);
  return finish (&child);
}

/* Iterates nothing: the sim runs in a thread of its own. */
static gboolean
wait_for_requests (guint after)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (pieper_sim_get_n_requests (sim) <= after)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (20 * 1000);
    }

  return TRUE;
}

static gboolean
wait_for_writes (const char *method,
                 guint       count)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (pieper_sim_count_writes (sim, method, NULL) < count)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (20 * 1000);
    }

  return TRUE;
}

/* What another process of the same user can see of a running one. */
static void
assert_process_clean (GPid pid)
{
  g_autofree char *cmdline_path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *environ_path = g_strdup_printf ("/proc/%d/environ", pid);
  g_autofree char *cmdline = NULL;
  g_autofree char *environ = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  g_file_get_contents (cmdline_path, &cmdline, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 0);
  g_assert_false (memory_contains (cmdline, length, token));

  /* Not dumpable: the environment (and ptrace, and memory) is the
   * process's own, even for processes of the same user. Root (CI in a
   * container) reads everything; the core dump test still tells. */
  if (geteuid () == 0)
    return;
  g_assert_false (g_file_get_contents (environ_path, &environ, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES);
}

/* Tests */

static void
test_pieperctl (void)
{
  g_autofree char *db = g_build_filename (data_dir, "pieper.db", NULL);
  g_autofree char *input = g_strdup_printf ("%s\n", token);
  g_autofree char *path = NULL;
  const char *argv[] = { pieperctl_path, "--data-dir", data_dir, "watch", "--interval", "1", NULL };
  g_auto(GStrv) env = child_environ ();
  guint before;
  Child watch;
  int status;

  status = run_pieperctl (input, "account", "add", "--provider", "pagerduty",
                          "--url", url, "--email", EMAIL, NULL);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  /* A sync with the stored token: the sim refuses any other. */
  status = run_pieperctl (NULL, "sync", NULL);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  status = run_pieperctl (NULL, "list", "--json", NULL);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));

  /* A note, sent by the next sync (or the app). */
  status = run_pieperctl (NULL, "note", incident, "Checked from the secrets test", NULL);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  /* While watch runs with the token in memory, the database files, its
   * command line and its environment hold no token. */
  before = pieper_sim_get_n_requests (sim);
  watch = spawn (argv, NULL, env);
  g_assert_true (wait_for_requests (before));
  g_assert_true (wait_for_writes ("POST", 1));
  assert_process_clean (watch.pid);
  path = g_strconcat (db, "-wal", NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  assert_file_clean (path);
  g_free (path);
  path = g_strconcat (db, "-shm", NULL);
  assert_file_clean (path);
  assert_file_clean (db);

  kill (watch.pid, SIGTERM);
  status = finish (&watch);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

static void
test_app (void)
{
  const char *display = g_getenv ("PIEPER_TEST_DISPLAY");
  const char *argv[] = { app_path, "--data-dir", data_dir, NULL };
  g_auto(GStrv) env = NULL;
  guint posts;
  Child app;
  int status;

  if (app_path == NULL || display == NULL || display[0] == '\0')
    {
      g_test_skip ("no display for the app (run under xvfb-run)");
      return;
    }

  env = child_environ ();
  env = g_environ_setenv (env, "DISPLAY", display, TRUE);
  env = g_environ_setenv (env, "GSK_RENDERER", "cairo", TRUE);

  /* The app sends a queued note: it found the token and used it. */
  status = run_pieperctl (NULL, "note", incident, "Sent by the app", NULL);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  posts = pieper_sim_count_writes (sim, "POST", NULL);

  app = spawn (argv, NULL, env);
  g_assert_true (wait_for_writes ("POST", posts + 1));
  assert_process_clean (app.pid);

  kill (app.pid, SIGTERM);
  status = finish (&app);
  g_assert_true (WIFSIGNALED (status) || WIFEXITED (status));
}

static char *
find_core (void)
{
  g_autoptr(GDir) dir = g_dir_open (work_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "core"))
      return g_build_filename (work_dir, name, NULL);

  return NULL;
}

/*
 * Kills @child with SIGSEGV and says whether a core was dumped; when one
 * was written to work_dir, whether it holds the token.
 */
static gboolean
crash (Child    *child,
       gboolean *core_has_token)
{
  g_autofree char *core = NULL;
  int status;

  kill (child->pid, SIGSEGV);
  status = finish (child);
  /* SIGSEGV, or SIGABRT from AddressSanitizer's handler. */
  g_assert_true (WIFSIGNALED (status));

  *core_has_token = FALSE;
  if ((core = find_core ()) != NULL)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_file_get_contents (core, &contents, &length, NULL);
      *core_has_token = contents != NULL && memory_contains (contents, length, token);
      g_test_message ("core %s, %" G_GSIZE_FORMAT " bytes", core, length);
      g_unlink (core);
    }

  return WCOREDUMP (status);
}

static void
test_core_dump (void)
{
  g_autofree char *input = g_strdup_printf ("%s\n", token);
  g_autofree char *pattern = NULL;
  const char *control[] = { "/bin/sh", "-c", "read t; echo ready; while :; do sleep 1; done", NULL };
  const char *watch[] = { pieperctl_path, "--data-dir", data_dir, "watch", "--interval", "1", NULL };
  const char *app[] = { app_path, "--data-dir", data_dir, NULL };
  const char *display = g_getenv ("PIEPER_TEST_DISPLAY");
  g_auto(GStrv) env = child_environ ();
  gboolean has_token = FALSE;
  gboolean dumped;
  char line[16];
  Child child;
  guint before;

  g_file_get_contents ("/proc/sys/kernel/core_pattern", &pattern, NULL, NULL);
  g_test_message ("core_pattern: %s", pattern != NULL ? pattern : "(unknown)");

  /* The control: a shell that read the token dumps a core with it. */
  child = spawn (control, input, env);
  g_assert_cmpint (read (child.out_fd, line, 6), ==, 6);
  dumped = crash (&child, &has_token);
  if (!dumped)
    {
      /* No core for anything here (core_pattern empty, a hard limit of
       * 0): what pieperctl does cannot be told apart. */
      g_test_skip ("This machine dumps no cores, not even the control's");
      return;
    }
  /* A core that goes to a pipe (systemd-coredump, apport) is not ours to
   * read; the dump flag alone tells, and the /proc checks above. */
  if (pattern != NULL && pattern[0] != '|')
    g_assert_true (has_token);

  /* pieperctl, holding the token. */
  before = pieper_sim_get_n_requests (sim);
  child = spawn (watch, NULL, env);
  g_assert_true (wait_for_requests (before));
  g_assert_false (crash (&child, &has_token));
  g_assert_false (has_token);

  if (app_path == NULL || display == NULL || display[0] == '\0')
    return;

  /* The app, the same. */
  env = g_environ_setenv (env, "DISPLAY", display, TRUE);
  env = g_environ_setenv (env, "GSK_RENDERER", "cairo", TRUE);
  before = pieper_sim_get_n_requests (sim);
  child = spawn (app, NULL, env);
  g_assert_true (wait_for_requests (before));
  g_assert_false (crash (&child, &has_token));
  g_assert_false (has_token);
}

static guint
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
assert_modes (const char *dir)
{
  const char *suffixes[] = { "", "-wal", "-shm" };
  g_autofree char *db = g_build_filename (dir, "pieper.db", NULL);

  g_assert_cmpuint (mode_of (dir), ==, 0700);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db, suffixes[i], NULL);

      if (i == 0 || g_file_test (path, G_FILE_TEST_EXISTS))
        g_assert_cmpuint (mode_of (path), ==, 0600);
    }
}

/* The default store, where pieperctl and the app put it without
 * --data-dir: $XDG_DATA_HOME/pieper, 0700, its database 0600. */
static void
test_modes (void)
{
  const char *display = g_getenv ("PIEPER_TEST_DISPLAY");
  g_autofree char *ctl_home = g_build_filename (tmp_dir, "ctl-data-home", NULL);
  g_autofree char *ctl_dir = g_build_filename (ctl_home, "pieper", NULL);
  g_autofree char *app_home = g_build_filename (tmp_dir, "app-data-home", NULL);
  g_autofree char *app_dir = g_build_filename (app_home, "pieper", NULL);
  g_autofree char *app_db = g_build_filename (app_dir, "pieper.db", NULL);
  const char *ctl_argv[] = { pieperctl_path, "list", NULL };
  const char *app_argv[] = { app_path, NULL };
  g_auto(GStrv) env = child_environ ();
  gint64 deadline;
  Child child;
  int status;

  zero_umask = TRUE;

  env = g_environ_setenv (env, "XDG_DATA_HOME", ctl_home, TRUE);
  child = spawn (ctl_argv, NULL, env);
  status = finish (&child);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  assert_modes (ctl_dir);

  if (app_path == NULL || display == NULL || display[0] == '\0')
    {
      zero_umask = FALSE;
      return;
    }

  env = g_environ_setenv (env, "XDG_DATA_HOME", app_home, TRUE);
  env = g_environ_setenv (env, "DISPLAY", display, TRUE);
  env = g_environ_setenv (env, "GSK_RENDERER", "cairo", TRUE);
  child = spawn (app_argv, NULL, env);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!g_file_test (app_db, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  /* Let it finish opening the store (WAL, schema) before looking. */
  g_usleep (500 * 1000);
  kill (child.pid, SIGTERM);
  finish (&child);
  assert_modes (app_dir);

  zero_umask = FALSE;
}

/* Last: every file the runs above left behind. */
static void
test_files (void)
{
  const char *dirs[] = { "HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR" };
  g_autofree char *keyfile = NULL;
  guint n = 0;

  /* The settings, with a keyfile backend: a file, written by the app or
   * by the test itself, read like every other. */
  keyfile = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings", "keyfile", NULL);
  if (!g_file_test (keyfile, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GSettings) settings = NULL;

      g_setenv ("GSETTINGS_BACKEND", "keyfile", TRUE);
      settings = g_settings_new (SETTINGS_SCHEMA_ID);
      g_settings_set_uint (settings, "poll-interval", 45);
      g_settings_sync ();
    }
  g_assert_true (g_file_test (keyfile, G_FILE_TEST_EXISTS));
  assert_file_clean (keyfile);

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (g_getenv (dirs[i]) != NULL)
      n += assert_tree_clean (g_getenv (dirs[i]));
  n += assert_tree_clean (tmp_dir);
  g_test_message ("%u files read", n);
  g_assert_cmpuint (n, >, 3);

  /* And the logs, which were debug logs. */
  g_assert_nonnull (strstr (all_output->str, "Stored the token"));
  g_assert_false (memory_contains (all_output->str, all_output->len, token));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: %s PIEPERCTL [APP]", argv[0]);
  pieperctl_path = argv[1];
  app_path = argc > 2 ? argv[2] : NULL;

  /* Unique, so finding it anywhere means it leaked from this test. */
  token = g_strdup_printf ("pieper-secret-%08x%08x", g_random_int (), g_random_int ());
  tmp_dir = test_make_tmp_dir ();
  data_dir = g_build_filename (tmp_dir, "data", NULL);
  work_dir = g_build_filename (tmp_dir, "cwd", NULL);
  g_assert_cmpint (g_mkdir (work_dir, 0700), ==, 0);
  all_output = g_string_new (NULL);

  sim = pieper_sim_new ();
  pieper_sim_set_token (sim, token);
  pieper_sim_set_me (sim, "PRESP01", "Robin Responder", EMAIL);
  pieper_sim_add_incidents (sim, 5);
  pieper_sim_start_in_thread (sim, 0, &error);
  g_assert_no_error (error);
  url = pieper_sim_dup_url (sim);
  incident = g_strdup (pieper_sim_trigger (sim, "Checkout latency above 2 s", NULL, "high"));
  g_assert_nonnull (incident);

  /* In order: each looks at what the ones before left. */
  g_test_add_func ("/secrets/pieperctl", test_pieperctl);
  g_test_add_func ("/secrets/app", test_app);
  g_test_add_func ("/secrets/core-dump", test_core_dump);
  g_test_add_func ("/secrets/modes", test_modes);
  g_test_add_func ("/secrets/files", test_files);

  status = g_test_run ();

  pieper_sim_stop (sim);
  g_clear_object (&sim);
  test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (data_dir);
  g_free (work_dir);
  g_free (url);
  g_free (incident);
  g_free (token);
  g_string_free (all_output, TRUE);

  return status;
}
