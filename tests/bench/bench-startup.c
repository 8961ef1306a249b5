/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperBench"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bench-util.h"

/*
 * The startup benchmark, with the real binaries as separate processes:
 *
 *   P2  from spawning `pieper` with N incidents in its store to its first
 *       window's first painted frame, against the same for a bare
 *       AdwApplication window (bench-bare-window);
 *   P3  the peak resident memory (wait4's ru_maxrss) of that pieper run
 *       minus the bare one's;
 *   P2b the same first frame against a window with a header bar over a
 *       line of text (bench-bare-window --header-bar): not a goal, a
 *       yardstick for what a window of a GNOME app costs before it shows
 *       anything of its own (tests/bench/RESULTS.md).
 *
 * Both print "first-frame" from their frame clock's after-paint when
 * PIEPER_BENCH_FIRST_FRAME=1, and quit (src/app/main.c). Starts rotate
 * between them, after one warm-up start of each that is not counted. A
 * start is short and its time noisy (runs of 5 starts gave P2 anywhere
 * from 1.28x to 1.40x for the same code), so each run is STARTS_PER_RUN
 * starts of each, and the medians are over all of them. It needs a
 * display (Xvfb will do) and a session bus. Not a test: it prints.
 */

#define PROGRAM      "bench-startup"
#define OFFLINE_URL  "http://127.0.0.1:9"
#define GOAL_P2      1.25
#define GOAL_P3_MB   20.0
#define TIMEOUT_S    120
#define STARTS_PER_RUN 5

static int opt_runs = 5;
static int opt_incidents = 10000;
static char *opt_keep_store = NULL;

typedef struct
{
  double first_frame_s;
  double max_rss_mb;
} Start;

static char **
child_environment (void)
{
  char **env = g_get_environ ();

  /* As the UI tests run: GTK's cairo renderer, no GL. */
  if (g_environ_getenv (env, "GSK_RENDERER") == NULL)
    env = g_environ_setenv (env, "GSK_RENDERER", "cairo", TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "memory", TRUE);
  env = g_environ_setenv (env, "GSETTINGS_SCHEMA_DIR", PIEPER_BUILD_ROOT "/data", TRUE);
  /* The account's token, without a Secret Service (pieper-secret.c). */
  env = g_environ_setenv (env, "PIEPER_TOKEN", "bench-token", TRUE);
  env = g_environ_setenv (env, "PIEPER_BENCH_FIRST_FRAME", "1", TRUE);
  return env;
}

/* Waits for the child's "first-frame" line; FALSE on end of file or after
 * TIMEOUT_S. */
static gboolean
read_first_frame (int fd)
{
  char buffer[256];
  gsize used = 0;
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_S * G_USEC_PER_SEC;

  for (;;)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      int left_ms = (int) ((deadline - g_get_monotonic_time ()) / 1000);
      ssize_t n;

      if (left_ms <= 0)
        return FALSE;
      if (poll (&pfd, 1, left_ms) < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      if (pfd.revents == 0)
        continue;

      n = read (fd, buffer + used, sizeof buffer - 1 - used);
      if (n <= 0)
        return FALSE;
      used += (gsize) n;
      buffer[used] = '\0';
      if (strstr (buffer, "first-frame\n") != NULL)
        return TRUE;
      if (used == sizeof buffer - 1)
        {
          /* Keep the tail, where a line may be half read. */
          memmove (buffer, buffer + used / 2, used - used / 2);
          used -= used / 2;
        }
    }
}

/* A child goes when the benchmark goes, also when it dies. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static Start
start_once (const char * const *argv,
            char              **env)
{
  g_autoptr(GError) error = NULL;
  struct rusage usage = { 0 };
  Start start = { 0 };
  GPid pid;
  int out_fd = -1;
  int status = 0;
  gint64 spawned;
  gboolean painted;

  spawned = g_get_monotonic_time ();
  if (!g_spawn_async_with_pipes (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent, NULL,
                                 &pid, NULL, &out_fd, NULL, &error))
    bench_die (PROGRAM, "%s: %s", argv[0], error->message);

  painted = read_first_frame (out_fd);
  start.first_frame_s = bench_seconds_since (spawned);
  if (!painted)
    kill (pid, SIGKILL);
  close (out_fd);

  while (wait4 (pid, &status, 0, &usage) < 0)
    if (errno != EINTR)
      bench_die (PROGRAM, "wait4: %s", g_strerror (errno));
  if (!painted && WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL)
    bench_die (PROGRAM, "%s painted no frame within %d s (is there a display?)", argv[0], TIMEOUT_S);
  if (!painted)
    bench_die (PROGRAM, "%s exited before painting a frame (status %d)", argv[0], status);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    bench_die (PROGRAM, "%s did not exit cleanly after its first frame (status %d)", argv[0], status);

  /* Linux gives ru_maxrss in kilobytes. */
  start.max_rss_mb = usage.ru_maxrss / 1024.0;
  return start;
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "runs", 'r', 0, G_OPTION_ARG_INT, &opt_runs,
      "Runs (default 5) of " G_STRINGIFY (STARTS_PER_RUN) " starts each; the medians are over all starts", "N" },
    { "incidents", 'i', 0, G_OPTION_ARG_INT, &opt_incidents, "Incidents in Pieper's store (default 10000)", "N" },
    { "keep-store", 0, 0, G_OPTION_ARG_FILENAME, &opt_keep_store,
      "Only fill a store in DIR (new) and keep it, to profile a start by hand", "DIR" },
    { NULL, },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- Pieper's startup benchmark (P2, P3)");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = NULL;
  g_autofree char *dir = NULL;
  g_autofree double *pieper_s = NULL, *bare_s = NULL, *pieper_mb = NULL, *bare_mb = NULL;
  g_autofree double *header_bar_s = NULL;
  g_autofree char *label_p2 = NULL, *label_p2b = NULL, *label_p3 = NULL;
  g_autofree char *p2_text = NULL, *p2_floor_text = NULL, *p2_ratio_text = NULL;
  g_autofree char *p2b_floor_text = NULL, *p2b_ratio_text = NULL;
  g_autofree char *p3_text = NULL, *p3_floor_text = NULL, *p3_diff_text = NULL;
  const char *pieper_argv[] = { PIEPER_BINARY, "--data-dir", NULL, NULL };
  const char *bare_argv[] = { BARE_BINARY, NULL };
  const char *header_bar_argv[] = { BARE_BINARY, "--header-bar", NULL };
  double p2_s, p2_floor_s, p2b_floor_s, p3_mb, p3_floor_mb;
  guint runs;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    bench_die (PROGRAM, "%s", error->message);
  if (opt_runs < 1 || opt_runs > 1000 || opt_incidents < 0)
    bench_die (PROGRAM, "--runs must be from 1 to 1000 and --incidents at least 0");
  if (opt_keep_store != NULL)
    {
      if (g_mkdir (opt_keep_store, 0700) != 0)
        bench_die (PROGRAM, "%s: %s", opt_keep_store, g_strerror (errno));
      bench_fill_store (opt_keep_store, OFFLINE_URL, (guint) opt_incidents);
      return 0;
    }

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    bench_die (PROGRAM, "needs a display: run it under xvfb-run");

  runs = (guint) opt_runs * STARTS_PER_RUN;
  if (!(dir = g_dir_make_tmp ("pieper-bench-startup-XXXXXX", &error)))
    bench_die (PROGRAM, "%s", error->message);
  bench_fill_store (dir, OFFLINE_URL, (guint) opt_incidents);
  pieper_argv[2] = dir;
  env = child_environment ();

  g_printerr (PROGRAM ": %d incidents in the store, %d runs of %d starts, renderer %s\n", opt_incidents,
              opt_runs, STARTS_PER_RUN, g_environ_getenv (env, "GSK_RENDERER"));

  pieper_s = g_new (double, runs);
  bare_s = g_new (double, runs);
  header_bar_s = g_new (double, runs);
  pieper_mb = g_new (double, runs);
  bare_mb = g_new (double, runs);

  /* Warm-up: the libraries into the page cache, the store too. */
  start_once (bare_argv, env);
  start_once (header_bar_argv, env);
  start_once (pieper_argv, env);

  for (guint i = 0; i < runs; i++)
    {
      /* Rotating which goes first evens out a machine that drifts. */
      const char * const *argvs[] = { bare_argv, header_bar_argv, pieper_argv };
      Start starts[G_N_ELEMENTS (argvs)];
      Start bare, header_bar, pieper;

      for (guint k = 0; k < G_N_ELEMENTS (argvs); k++)
        {
          guint which = (i + k) % G_N_ELEMENTS (argvs);

          starts[which] = start_once (argvs[which], env);
        }
      bare = starts[0];
      header_bar = starts[1];
      pieper = starts[2];
      header_bar_s[i] = header_bar.first_frame_s;
      pieper_s[i] = pieper.first_frame_s;
      bare_s[i] = bare.first_frame_s;
      pieper_mb[i] = pieper.max_rss_mb;
      bare_mb[i] = bare.max_rss_mb;
      g_printerr (PROGRAM ": start %u: first frame %.3f s (bare %.3f s, header bar %.3f s), "
                  "peak RSS %.1f MB (bare %.1f MB)\n",
                  i + 1, pieper.first_frame_s, bare.first_frame_s, header_bar.first_frame_s,
                  pieper.max_rss_mb, bare.max_rss_mb);
    }

  p2_s = bench_median (pieper_s, runs);
  p2_floor_s = bench_median (bare_s, runs);
  p2b_floor_s = bench_median (header_bar_s, runs);
  p3_mb = bench_median (pieper_mb, runs);
  p3_floor_mb = bench_median (bare_mb, runs);

  label_p2 = g_strdup_printf ("first frame, %d incidents in the store", opt_incidents);
  label_p3 = g_strdup_printf ("peak RSS, %d incidents in the store", opt_incidents);
  p2_text = g_strdup_printf ("%.3f s", p2_s);
  p2_floor_text = g_strdup_printf ("%.3f s", p2_floor_s);
  p2_ratio_text = g_strdup_printf ("%.2fx", p2_s / p2_floor_s);
  label_p2b = g_strdup_printf ("first frame, %d incidents, against a header bar", opt_incidents);
  p2b_floor_text = g_strdup_printf ("%.3f s", p2b_floor_s);
  p2b_ratio_text = g_strdup_printf ("%.2fx", p2_s / p2b_floor_s);
  p3_text = g_strdup_printf ("%.1f MB", p3_mb);
  p3_floor_text = g_strdup_printf ("%.1f MB", p3_floor_mb);
  p3_diff_text = g_strdup_printf ("%+.1f MB", p3_mb - p3_floor_mb);

  printf ("first frame (median of %u starts): pieper %s, bare AdwApplicationWindow %s, with a header bar %s\n",
          runs, p2_text, p2_floor_text, p2b_floor_text);
  printf ("peak RSS (median of %u starts): pieper %s, bare AdwApplicationWindow %s\n", runs, p3_text, p3_floor_text);
  bench_print_row ("P2", label_p2, p2_text, p2_floor_text, p2_ratio_text, "<= 1.25x", p2_s / p2_floor_s <= GOAL_P2);
  bench_print_yardstick ("P2b", label_p2b, p2_text, p2b_floor_text, p2b_ratio_text);
  bench_print_row ("P3", label_p3, p3_text, p3_floor_text, p3_diff_text, "<= +20 MB", p3_mb - p3_floor_mb <= GOAL_P3_MB);

  bench_remove_tree (dir);
  return 0;
}
