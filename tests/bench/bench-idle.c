/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperBench"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libsoup/soup.h>
#include <sqlite3.h>

#include "bench-util.h"

/*
 * P6, the CPU Pieper uses while idle and polling every 30 s (the
 * poll-interval setting's default), as a share of one core.
 *
 * `pieper --background` runs against the pieper-sim binary with a PagerDuty
 * account (token through PIEPER_TOKEN), in two cases: the sim's usual
 * history of N incidents (`pieper-sim --incidents 10000`, of which about
 * 250 are open) and a storm of 10,000 open incidents (triggered through
 * the sim's Events API). Every open incident is acknowledged first, so no
 * alarm rings: idle is a responder with nothing left to answer. The
 * --runs instances of each case run at once, each with a store of its
 * own, next to as many floors: a bare AdwApplication held with no window
 * (bench-bare-window --idle). Once every Pieper has finished its first
 * sync round (its store has a "changes-since" sync state) and --settle
 * seconds more have passed, the CPU time of every process (all its
 * threads, in nanoseconds: clock_getcpuclockid) is read, and again
 * --intervals poll intervals later.
 *
 * Needs a display (Xvfb will do) and a session bus. Not a test: it prints.
 */

#define PROGRAM        "bench-idle"
#define TOKEN          "bench-token"
#define POLL_S         30
#define GOAL_P6        0.05
#define FIRST_SYNC_S   600

static int opt_runs = 5;
static int opt_intervals = 3;
static int opt_history = 10000;
static int opt_storm = 10000;
/* The sync engine reads the change feed again from 2 minutes before each
 * round (CHANGES_OVERLAP): until the acknowledgements made before Pieper
 * started are older than that, every round still sees them, and 10,000 of
 * them make each round a full pull. Idle starts after that. */
static int opt_settle = 150;

typedef struct
{
  GPid   pid;
  char  *dir;
  gint64 ns_before;
  gint64 ns_after;
} Child;

typedef struct
{
  const char *name;
  GPid        sim_pid;
  char       *url;
  Child       pieper[64];
  guint       open;
} Case;

static Child floors[64];

static char **
child_environment (void)
{
  char **env = g_get_environ ();

  if (g_environ_getenv (env, "GSK_RENDERER") == NULL)
    env = g_environ_setenv (env, "GSK_RENDERER", "cairo", TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "memory", TRUE);
  env = g_environ_setenv (env, "GSETTINGS_SCHEMA_DIR", PIEPER_BUILD_ROOT "/data", TRUE);
  env = g_environ_setenv (env, "PIEPER_TOKEN", TOKEN, TRUE);
  return env;
}

/* The CPU time @pid has used, every thread of it, those that have ended
 * too, in nanoseconds: the kernel's own count, not /proc/PID/stat's 10 ms
 * ticks, of which the goal (0.05 % of 90 s) is only four and a half. */
static gint64
cpu_ns (GPid pid)
{
  clockid_t clock;
  struct timespec ts;

  if (clock_getcpuclockid (pid, &clock) != 0 || clock_gettime (clock, &ts) != 0)
    bench_die (PROGRAM, "cannot read the CPU time of process %d: %s", pid, g_strerror (errno));
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A child goes when the benchmark goes, also when it dies: a held
 * `pieper --background` would otherwise run on for good. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GPid
spawn (const char * const *argv,
       char              **env,
       int                *out_fd)
{
  g_autoptr(GError) error = NULL;
  GPid pid;

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent, NULL,
                                 &pid, NULL, out_fd, NULL, &error))
    bench_die (PROGRAM, "%s: %s", argv[0], error->message);
  return pid;
}

static void
stop (GPid pid)
{
  int status;

  kill (pid, SIGTERM);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
}

/* Starts the pieper-sim binary; returns its URL. */
static char *
start_sim (guint  history,
           GPid  *pid,
           char **env)
{
  g_autofree char *incidents = g_strdup_printf ("%u", history);
  const char *argv[] = { PIEPER_SIM_BINARY, "--token", TOKEN, "--seed", "4711", "--incidents", incidents, NULL };
  g_autoptr(GIOChannel) out = NULL;
  g_autofree char *line = NULL;
  int fd = -1;

  *pid = spawn (argv, env, &fd);
  out = g_io_channel_unix_new (fd);
  g_io_channel_set_close_on_unref (out, TRUE);
  if (g_io_channel_read_line (out, &line, NULL, NULL, NULL) != G_IO_STATUS_NORMAL ||
      !g_str_has_prefix (line, "listening on "))
    bench_die (PROGRAM, "pieper-sim did not start");

  return g_strstrip (g_strdup (line + strlen ("listening on ")));
}

/* A storm: @n incidents triggered through the Events API, all open. */
static void
trigger_storm (const char *url,
               guint       n)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *enqueue = g_strdup_printf ("%s/v2/enqueue", url);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"routing_key\": \"bench-%u\", \"event_action\": \"trigger\","
                                               " \"payload\": {\"summary\": \"Storm %u: queue depth above"
                                               " threshold\", \"source\": \"worker-%u\", \"severity\": \"%s\"}}",
                                               i % 10, i, i % 50, i % 3 == 0 ? "warning" : "error");
      g_autoptr(SoupMessage) message = soup_message_new ("POST", enqueue);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&body), strlen (body));
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GError) error = NULL;

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
      if (!(reply = soup_session_send_and_read (session, message, NULL, &error)))
        bench_die (PROGRAM, "events API: %s", error->message);
      if (soup_message_get_status (message) != SOUP_STATUS_ACCEPTED)
        bench_die (PROGRAM, "events API: HTTP %u", soup_message_get_status (message));
    }
}

static SoupMessage *
rest_message (const char *method,
              const char *url)
{
  SoupMessage *message = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  soup_message_headers_append (headers, "Authorization", "Token token=" TOKEN);
  soup_message_headers_append (headers, "Accept", "application/vnd.pagerduty+json;version=2");
  soup_message_headers_append (headers, "From", BENCH_ME_EMAIL);
  return message;
}

/* Up to 100 ids of triggered incidents. */
static GPtrArray *
list_triggered (SoupSession *session,
                const char  *url)
{
  g_autofree char *list = g_strdup_printf ("%s/incidents?statuses%%5B%%5D=triggered&limit=100&offset=0", url);
  g_autoptr(SoupMessage) message = rest_message ("GET", list);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  JsonArray *incidents;
  JsonNode *root;

  if (!(reply = soup_session_send_and_read (session, message, NULL, &error)) ||
      !json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), (gssize) g_bytes_get_size (reply), &error))
    bench_die (PROGRAM, "listing incidents: %s", error->message);
  root = json_parser_get_root (parser);
  if (soup_message_get_status (message) != SOUP_STATUS_OK || !JSON_NODE_HOLDS_OBJECT (root) ||
      !(incidents = json_object_get_array_member (json_node_get_object (root), "incidents")))
    bench_die (PROGRAM, "listing incidents: HTTP %u", soup_message_get_status (message));

  for (guint i = 0; i < json_array_get_length (incidents); i++)
    g_ptr_array_add (ids, g_strdup (json_object_get_string_member (json_array_get_object_element (incidents, i), "id")));
  return ids;
}

/* Idle means nobody is being paged: every triggered incident is
 * acknowledged (it stays open, so every poll still pulls it), or Pieper's
 * alarm would ring through the measure. */
static void
acknowledge_all (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GPtrArray) ids = NULL;
  const char *body = "{\"incident\": {\"type\": \"incident_reference\", \"status\": \"acknowledged\"}}";

  while ((ids = list_triggered (session, url))->len > 0)
    {
      for (guint i = 0; i < ids->len; i++)
        {
          g_autofree char *incident = g_strdup_printf ("%s/incidents/%s", url, (char *) g_ptr_array_index (ids, i));
          g_autoptr(SoupMessage) message = rest_message ("PUT", incident);
          g_autoptr(GBytes) bytes = g_bytes_new_static (body, strlen (body));
          g_autoptr(GBytes) reply = NULL;
          g_autoptr(GError) error = NULL;

          soup_message_set_request_body_from_bytes (message, "application/json", bytes);
          if (!(reply = soup_session_send_and_read (session, message, NULL, &error)))
            bench_die (PROGRAM, "acknowledging: %s", error->message);
          if (soup_message_get_status (message) != SOUP_STATUS_OK)
            bench_die (PROGRAM, "acknowledging: HTTP %u", soup_message_get_status (message));
        }
      g_clear_pointer (&ids, g_ptr_array_unref);
    }
}

/* How many incidents a store has, and whether it finished a sync round. */
static gboolean
store_synced (const char *dir,
              guint      *n_incidents)
{
  g_autofree char *path = g_build_filename (dir, "pieper.db", NULL);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  gboolean synced = FALSE;

  *n_incidents = 0;
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_busy_timeout (db, 1000);
  if (sqlite3_prepare_v2 (db, "SELECT (SELECT count(*) FROM sync_state WHERE key = 'changes-since'),"
                              " (SELECT count(*) FROM incidents WHERE status <> 'resolved')", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    {
      synced = sqlite3_column_int (stmt, 0) > 0;
      *n_incidents = (guint) sqlite3_column_int (stmt, 1);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return synced;
}

static void
start_case (Case       *c,
            guint       history,
            guint       storm,
            char      **env)
{
  c->url = start_sim (history, &c->sim_pid, env);
  if (storm > 0)
    trigger_storm (c->url, storm);
  acknowledge_all (c->url);

  for (guint i = 0; i < (guint) opt_runs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PieperStore) store = NULL;
      g_autoptr(PieperAccount) account = NULL;
      Child *child = &c->pieper[i];

      if (!(child->dir = g_dir_make_tmp ("pieper-bench-idle-XXXXXX", &error)) ||
          !(store = pieper_store_open (child->dir, &error)) ||
          !(account = pieper_store_ensure_account (store, "pagerduty", c->url, BENCH_ME_EMAIL, &error)))
        bench_die (PROGRAM, "store: %s", error->message);
      g_clear_object (&store);

      {
        const char *argv[] = { PIEPER_BINARY, "--background", "--data-dir", child->dir, NULL };

        child->pid = spawn (argv, env, NULL);
      }
    }
}

static void
wait_for_first_sync (Case *c)
{
  gint64 deadline = g_get_monotonic_time () + FIRST_SYNC_S * G_USEC_PER_SEC;

  for (guint i = 0; i < (guint) opt_runs; i++)
    {
      guint n = 0;

      while (!store_synced (c->pieper[i].dir, &n))
        {
          int status;

          if (waitpid (c->pieper[i].pid, &status, WNOHANG) == c->pieper[i].pid)
            bench_die (PROGRAM, "%s: pieper %u exited before its first sync round (status %d)",
                       c->name, i + 1, status);
          if (g_get_monotonic_time () > deadline)
            bench_die (PROGRAM, "%s: pieper %u did not finish a sync round in %d s", c->name, i + 1, FIRST_SYNC_S);
          g_usleep (G_USEC_PER_SEC / 4);
        }
      /* The same sim, so the same open incidents, unless one of them
       * changed on the sim between two first syncs. */
      if (i == 0)
        c->open = n;
      else if (n != c->open)
        g_printerr (PROGRAM ": %s: pieper %u has %u open incidents, pieper 1 %u\n",
                    c->name, i + 1, n, c->open);
    }
}

static double
share (const Child *child,
       double       seconds)
{
  return 100.0 * (double) (child->ns_after - child->ns_before) / 1e9 / seconds;
}

static double
median_share (const Child *children,
              double       seconds)
{
  g_autofree double *values = g_new (double, opt_runs);

  for (guint i = 0; i < (guint) opt_runs; i++)
    values[i] = share (&children[i], seconds);
  return bench_median (values, (guint) opt_runs);
}

static void
report (const char *id,
        Case       *c,
        double      seconds,
        double      floor)
{
  double pieper = median_share (c->pieper, seconds);
  g_autofree char *label = g_strdup_printf ("idle CPU, polling every %d s, %u incidents synced", POLL_S, c->open);
  g_autofree char *median = g_strdup_printf ("%.3f %%", pieper);
  g_autofree char *floor_median = g_strdup_printf ("%.3f %%", floor);
  g_autofree char *difference = g_strdup_printf ("%+.3f %%", pieper - floor);

  for (guint i = 0; i < (guint) opt_runs; i++)
    g_printerr (PROGRAM ": %s, pieper %u: %.3f %% of a core\n", c->name, i + 1, share (&c->pieper[i], seconds));
  printf ("idle CPU over %.0f s (%d polls), %u incidents synced: pieper %s of a core (median of %d), bare idle AdwApplication %s\n",
          seconds, opt_intervals, c->open, median, opt_runs, floor_median);
  bench_print_row (id, label, median, floor_median, difference, "<= 0.05 %", pieper <= GOAL_P6);
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "runs", 'r', 0, G_OPTION_ARG_INT, &opt_runs, "Instances of each case, run at once (default 5)", "N" },
    { "intervals", 'n', 0, G_OPTION_ARG_INT, &opt_intervals, "Poll intervals to measure over (default 3)", "N" },
    { "history", 0, 0, G_OPTION_ARG_INT, &opt_history, "Incidents in the sim's history (default 10000)", "N" },
    { "storm", 0, 0, G_OPTION_ARG_INT, &opt_storm, "Open incidents of the storm case, 0 for none (default 10000)", "N" },
    { "settle", 0, 0, G_OPTION_ARG_INT, &opt_settle, "Seconds to wait after the first sync before measuring (default 150)", "S" },
    { NULL, },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- Pieper's idle CPU benchmark (P6)");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = NULL;
  Case usual = { "usual", }, storm = { "storm", };
  gint64 started;
  double seconds;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    bench_die (PROGRAM, "%s", error->message);
  if (opt_runs < 1 || opt_runs > (int) G_N_ELEMENTS (floors) || opt_intervals < 1 || opt_history < 0 ||
      opt_storm < 0 || opt_storm > 10000 || opt_settle < 0)
    bench_die (PROGRAM, "--runs 1 to %u, --intervals at least 1, --storm 0 to 10000, --settle at least 0",
               (guint) G_N_ELEMENTS (floors));
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    bench_die (PROGRAM, "needs a display: run it under xvfb-run");

  env = child_environment ();
  g_printerr (PROGRAM ": %d instances of each case at once, %d poll intervals of %d s\n",
              opt_runs, opt_intervals, POLL_S);

  for (guint i = 0; i < (guint) opt_runs; i++)
    {
      const char *floor_argv[] = { BARE_BINARY, "--idle", NULL };

      floors[i].pid = spawn (floor_argv, env, NULL);
    }
  start_case (&usual, (guint) opt_history, 0, env);
  if (opt_storm > 0)
    start_case (&storm, 0, (guint) opt_storm, env);

  wait_for_first_sync (&usual);
  if (opt_storm > 0)
    wait_for_first_sync (&storm);
  /* The first round's tail (timelines, the notifier's first update), and
   * the rounds that still see the acknowledgements in the change feed. */
  g_printerr (PROGRAM ": all synced (%u and %u incidents); settling for %d s\n",
              usual.open, storm.open, 3 + opt_settle);
  g_usleep ((gulong) (3 + opt_settle) * G_USEC_PER_SEC);

  g_printerr (PROGRAM ": measuring for %d s\n", opt_intervals * POLL_S);
  started = g_get_monotonic_time ();
  for (guint i = 0; i < (guint) opt_runs; i++)
    {
      floors[i].ns_before = cpu_ns (floors[i].pid);
      usual.pieper[i].ns_before = cpu_ns (usual.pieper[i].pid);
      if (opt_storm > 0)
        storm.pieper[i].ns_before = cpu_ns (storm.pieper[i].pid);
    }
  g_usleep ((gulong) opt_intervals * POLL_S * G_USEC_PER_SEC);
  for (guint i = 0; i < (guint) opt_runs; i++)
    {
      floors[i].ns_after = cpu_ns (floors[i].pid);
      usual.pieper[i].ns_after = cpu_ns (usual.pieper[i].pid);
      if (opt_storm > 0)
        storm.pieper[i].ns_after = cpu_ns (storm.pieper[i].pid);
    }
  seconds = bench_seconds_since (started);

  report ("P6", &usual, seconds, median_share (floors, seconds));
  if (opt_storm > 0)
    report ("P6b", &storm, seconds, median_share (floors, seconds));

  for (guint i = 0; i < (guint) opt_runs; i++)
    {
      stop (floors[i].pid);
      stop (usual.pieper[i].pid);
      bench_remove_tree (usual.pieper[i].dir);
      g_free (usual.pieper[i].dir);
      if (opt_storm > 0)
        {
          stop (storm.pieper[i].pid);
          bench_remove_tree (storm.pieper[i].dir);
          g_free (storm.pieper[i].dir);
        }
    }
  stop (usual.sim_pid);
  g_free (usual.url);
  if (opt_storm > 0)
    {
      stop (storm.sim_pid);
      g_free (storm.url);
    }
  return 0;
}
