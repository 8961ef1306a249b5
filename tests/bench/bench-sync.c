/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperBench"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>
#include <pieper.h>
#include <sqlite3.h>

#include "bench-tap-provider.h"
#include "pieper-pagerduty.h"
#include "pieper-sim.h"

/*
 * The sync benchmark: how fast Pieper pulls incidents and flushes its
 * outbox, each as a ratio against a floor measured in the same run on the
 * same machine, so the numbers mean the same on a laptop and in CI.
 *
 *   P1  a full first sync of N open incidents from pieper-sim into a fresh
 *       store, against curl fetching the same pages (one process, one
 *       keep-alive connection) plus sqlite3 inserting the same rows into a
 *       fresh database in one transaction;
 *   P7  flushing A queued notes with one sync round, against curl sending
 *       the same A requests over one keep-alive connection.
 *
 * Each run gets a fresh sim and a fresh store. Not a test: it asserts
 * nothing about time, it prints.
 */

#define TOKEN            "bench-token"
#define EMAIL            "mira.jansen@example.com"
#define PD_ACCEPT        "application/vnd.pagerduty+json;version=2"
#define PAGE_LIMIT       100
/* PagerDuty serves at most 10,000 records through offset pagination. */
#define MAX_INCIDENTS    10000
/* The queued notes go round-robin over this many incidents, so a flush
 * also walks the outbox's per-incident order (with the defaults, four
 * batches of 250). */
#define NOTE_INCIDENTS   250
#define GOAL_P1          1.5
#define GOAL_P7          1.2

static int opt_runs = 5;
static int opt_incidents = MAX_INCIDENTS;
static int opt_actions = 1000;
static gboolean opt_verbose = FALSE;

typedef struct
{
  double sync_s;        /* P1: the whole first round */
  double curl_pages_s;  /* P1 floor, first part */
  double sqlite_s;      /* P1 floor, second part */
  double floor_p1_s;    /* the two parts together */
  double flush_s;       /* P7: from the round's start to the start of its pull */
  double round_s;       /* the flush round as a whole, pull included */
  double curl_posts_s;  /* P7 floor */
  guint  pulled;
  guint  open_in_store;
  guint  rows;
} RunResult;

typedef struct
{
  char             *dir;
  PieperSim        *sim;
  char             *url;
  PieperStore      *store;
  PieperOutbox     *outbox;
  PieperAccount    *account;
  PieperProvider   *tap;
  PieperSyncEngine *engine;
} Bench;

G_GNUC_NORETURN G_GNUC_PRINTF (1, 2) static void
die (const char *format,
     ...)
{
  va_list args;

  va_start (args, format);
  fputs ("bench-sync: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  exit (1);
}

static double
seconds_since (gint64 start)
{
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

/* The sim's data: every incident open (triggered), as after a bad night,
 * with titles and services that vary as real ones do. */

static const char * const services[] = {
  "checkout-api", "payments-db", "search-indexer", "auth-gateway", "notifications-worker",
  "inventory-service", "cdn-edge", "billing-cron", "kafka-cluster", "mobile-bff",
};

static const char * const hosts[] = {
  "ip-10-0-3-17", "ip-10-0-7-201", "db-2", "db-3", "worker-14", "edge-ams-1", "kafka-5",
};

static char *
make_title (GRand      *rand,
            const char *service)
{
  const char *host = hosts[g_rand_int_range (rand, 0, G_N_ELEMENTS (hosts))];

  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0:
      return g_strdup_printf ("High 5xx error rate on %s: %d.%d%% of requests failing", service,
                              g_rand_int_range (rand, 5, 40), g_rand_int_range (rand, 0, 10));
    case 1:
      return g_strdup_printf ("%s p99 latency above %d ms for 10 minutes", service,
                              g_rand_int_range (rand, 8, 60) * 100);
    case 2:
      return g_strdup_printf ("%s health check failing on %s", service, host);
    case 3:
      return g_strdup_printf ("%s disk usage at %d%% on %s", service, g_rand_int_range (rand, 85, 100), host);
    case 4:
      return g_strdup_printf ("%s queue backlog above %d messages", service, g_rand_int_range (rand, 2, 90) * 1000);
    default:
      return g_strdup_printf ("Heartbeat missing from %s on %s", service, host);
    }
}

static void
fill_sim (PieperSim *sim,
          guint      n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (4711);

  for (guint i = 0; i < n; i++)
    {
      const char *service = services[g_rand_int_range (rand, 0, G_N_ELEMENTS (services))];
      g_autofree char *title = make_title (rand, service);

      if (pieper_sim_trigger (sim, title, service, g_rand_int_range (rand, 0, 100) < 60 ? "high" : "low") == NULL)
        die ("pieper-sim refused to trigger an incident on %s", service);
    }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_remove (child);
    }
  g_rmdir (path);
}

static void
bench_set_up (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperProvider) pagerduty = NULL;

  b->dir = g_dir_make_tmp ("pieper-bench-XXXXXX", &error);
  if (b->dir == NULL)
    die ("%s", error->message);

  b->sim = pieper_sim_new ();
  pieper_sim_set_token (b->sim, TOKEN);
  pieper_sim_set_seed (b->sim, 4711);
  fill_sim (b->sim, (guint) opt_incidents);
  if (!pieper_sim_start_in_thread (b->sim, 0, &error))
    die ("pieper-sim: %s", error->message);
  b->url = pieper_sim_dup_url (b->sim);

  if (!(b->store = pieper_store_open (b->dir, &error)))
    die ("store: %s", error->message);
  b->outbox = pieper_outbox_new (b->store);
  if (!(b->account = pieper_store_ensure_account (b->store, "pagerduty", b->url, EMAIL, &error)))
    die ("account: %s", error->message);

  pagerduty = pieper_pagerduty_new (b->url, EMAIL, TOKEN);
  b->tap = bench_tap_provider_new (pagerduty);
  b->engine = pieper_sync_engine_new (b->store);
  pieper_sync_engine_add_account (b->engine, b->account, b->tap);
}

static void
bench_tear_down (Bench *b)
{
  g_clear_object (&b->engine);
  g_clear_object (&b->tap);
  g_clear_object (&b->account);
  g_clear_object (&b->outbox);
  g_clear_object (&b->store);
  pieper_sim_stop (b->sim);
  g_clear_object (&b->sim);
  remove_tree (b->dir);
  g_clear_pointer (&b->dir, g_free);
  g_clear_pointer (&b->url, g_free);
}

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

/* One round, as the app runs it: on the main context, to the end. */
static PieperSyncStats
sync_once (Bench *b)
{
  SyncResult r = { FALSE, };

  pieper_sync_engine_sync_async (b->engine, NULL, sync_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);

  if (!r.ok)
    die ("sync failed: %s", r.error != NULL ? r.error->message : "no reason given");

  return r.stats;
}

/* curl, one process for all requests: a config file of URLs, one
 * connection kept alive throughout. Returns its wall time. */

static void
config_quoted (GString    *config,
               const char *key,
               const char *value)
{
  g_string_append_printf (config, "%s = \"", key);
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (config, '\\');
      g_string_append_c (config, *p);
    }
  g_string_append (config, "\"\n");
}

static void
config_common (GString *config,
               gboolean write)
{
  config_quoted (config, "header", "Authorization: Token token=" TOKEN);
  config_quoted (config, "header", "Accept: " PD_ACCEPT);
  if (write)
    {
      config_quoted (config, "header", "From: " EMAIL);
      config_quoted (config, "header", "Content-Type: application/json");
    }
  g_string_append (config, "silent\nshow-error\n");
  g_string_append (config, "write-out = \"%{http_code} %{num_connects} %{size_download}\\n\"\n");
}

static double
run_curl (Bench      *b,
          const char *name,
          GString    *config,
          guint       expected,
          guint       status)
{
  g_autofree char *path = g_build_filename (b->dir, name, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { "curl", "-q", "--config", path, NULL };
  guint ok = 0, connects = 0;
  guint64 bytes = 0;
  int wait_status;
  gint64 start;
  double elapsed;

  if (!g_file_set_contents (path, config->str, (gssize) config->len, &error))
    die ("%s", error->message);

  start = g_get_monotonic_time ();
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &wait_status, &error))
    die ("cannot run curl: %s", error->message);
  elapsed = seconds_since (start);

  if (!g_spawn_check_wait_status (wait_status, &error))
    die ("curl: %s: %s", error->message, err);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint code = 0, n = 0;
      guint64 size = 0;

      if (sscanf (lines[i], "%u %u %" G_GUINT64_FORMAT, &code, &n, &size) == 3)
        {
          ok += code == status;
          connects += n;
          bytes += size;
        }
    }

  if (ok != expected)
    die ("curl: %u of %u requests answered %u", ok, expected, status);
  if (opt_verbose)
    g_printerr ("  curl: %u requests on %u connection(s), %" G_GUINT64_FORMAT " bytes received, %.3f s\n",
                expected, connects, bytes, elapsed);

  return elapsed;
}

static char *
list_page_url (Bench *b,
               guint  offset)
{
  /* The provider's exact request (pieper-pagerduty.c). */
  return g_strdup_printf ("%s/incidents"
                          "?statuses%%5B%%5D=triggered"
                          "&statuses%%5B%%5D=acknowledged"
                          "&date_range=all"
                          "&include%%5B%%5D=conference_bridge"
                          "&limit=%u&offset=%u",
                          b->url, PAGE_LIMIT, offset);
}

static double
floor_curl_pages (Bench *b,
                  guint  n_incidents)
{
  g_autoptr(GString) config = g_string_new (NULL);
  guint pages = (n_incidents + PAGE_LIMIT - 1) / PAGE_LIMIT;

  config_common (config, FALSE);
  for (guint i = 0; i < pages; i++)
    {
      g_autofree char *url = list_page_url (b, i * PAGE_LIMIT);

      config_quoted (config, "url", url);
      g_string_append (config, "output = \"/dev/null\"\n");
    }

  return run_curl (b, "pages.curlrc", config, pages, 200);
}

static char *
note_text (guint i)
{
  static const char * const texts[] = {
    "Looking into it.",
    "Rolled back deploy 4711; error rate back to baseline, watching for 30 minutes.",
    "Paged the database team for a second pair of eyes.",
    "Mitigated: traffic shifted to the standby region.",
  };

  return g_strdup_printf ("%s (%u)", texts[i % G_N_ELEMENTS (texts)], i);
}

static double
floor_curl_posts (Bench     *b,
                  GPtrArray *targets)
{
  g_autoptr(GString) config = g_string_new (NULL);

  for (guint i = 0; i < (guint) opt_actions; i++)
    {
      const char *remote_id = g_ptr_array_index (targets, i % targets->len);
      g_autofree char *url = g_strdup_printf ("%s/incidents/%s/notes", b->url, remote_id);
      g_autofree char *text = note_text (i);
      g_autofree char *body = NULL;
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "note");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "content");
      json_builder_add_string_value (builder, text);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      body = json_to_string (root, FALSE);

      if (i > 0)
        g_string_append (config, "next\n");
      config_common (config, TRUE);
      config_quoted (config, "url", url);
      config_quoted (config, "data-raw", body);
      g_string_append (config, "output = \"/dev/null\"\n");
    }

  return run_curl (b, "posts.curlrc", config, (guint) opt_actions, 201);
}

/* sqlite3: the rows Pieper stored, inserted again into a fresh database
 * with the store's own table definition and settings, in one transaction. */

static void
check_sqlite (sqlite3    *db,
              int         rc,
              const char *what)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    die ("sqlite3 %s: %s", what, sqlite3_errmsg (db));
}

static void
exec_sqlite (sqlite3    *db,
             const char *sql)
{
  check_sqlite (db, sqlite3_exec (db, sql, NULL, NULL, NULL), sql);
}

static double
floor_sqlite (Bench *b,
              guint *n_rows)
{
  g_autofree char *floor_path = g_build_filename (b->dir, "floor.db", NULL);
  g_autoptr(GPtrArray) schema = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GString) insert = g_string_new ("INSERT INTO incidents (");
  sqlite3 *src = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int n_columns = 0;
  int first = 0;
  int rc;
  gint64 start;
  double elapsed;

  /* Untimed: read the table's definition and rows back from the store. */
  rc = sqlite3_open_v2 (pieper_store_get_path (b->store), &src, SQLITE_OPEN_READONLY, NULL);
  check_sqlite (src, rc, "open");
  check_sqlite (src, sqlite3_prepare_v2 (src,
                                         "SELECT sql FROM sqlite_master WHERE tbl_name = 'incidents'"
                                         " AND sql IS NOT NULL ORDER BY type = 'index'",
                                         -1, &stmt, NULL), "schema");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (schema, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  /* Every column but the rowid, which the store leaves to sqlite too. */
  check_sqlite (src, sqlite3_prepare_v2 (src, "SELECT * FROM incidents", -1, &stmt, NULL), "select");
  n_columns = sqlite3_column_count (stmt);
  first = g_ascii_strcasecmp (sqlite3_column_name (stmt, 0), "id") == 0 ? 1 : 0;
  for (int c = first; c < n_columns; c++)
    g_string_append_printf (insert, "%s%s", c > first ? ", " : "", sqlite3_column_name (stmt, c));
  g_string_append (insert, ") VALUES (");
  for (int c = first; c < n_columns; c++)
    g_string_append (insert, c > first ? ", ?" : "?");
  g_string_append (insert, ")");

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      sqlite3_value **row = g_new (sqlite3_value *, n_columns);

      for (int c = first; c < n_columns; c++)
        row[c] = sqlite3_value_dup (sqlite3_column_value (stmt, c));
      g_ptr_array_add (rows, row);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (src);

  /* Untimed: a fresh database as the store sets one up. */
  rc = sqlite3_open_v2 (floor_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  check_sqlite (db, rc, "open");
  exec_sqlite (db, "PRAGMA journal_mode = WAL");
  exec_sqlite (db, "PRAGMA synchronous = NORMAL");
  for (guint i = 0; i < schema->len; i++)
    exec_sqlite (db, g_ptr_array_index (schema, i));

  start = g_get_monotonic_time ();
  exec_sqlite (db, "BEGIN");
  check_sqlite (db, sqlite3_prepare_v2 (db, insert->str, -1, &stmt, NULL), insert->str);
  for (guint i = 0; i < rows->len; i++)
    {
      sqlite3_value **row = g_ptr_array_index (rows, i);

      for (int c = first; c < n_columns; c++)
        sqlite3_bind_value (stmt, c - first + 1, row[c]);
      check_sqlite (db, sqlite3_step (stmt), "insert");
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  exec_sqlite (db, "COMMIT");
  elapsed = seconds_since (start);

  sqlite3_close (db);

  for (guint i = 0; i < rows->len; i++)
    {
      sqlite3_value **row = g_ptr_array_index (rows, i);

      for (int c = first; c < n_columns; c++)
        sqlite3_value_free (row[c]);
      g_free (row);
    }

  *n_rows = rows->len;
  return elapsed;
}

/* CPU seconds of this process so far, all threads, the sim's too: a
 * measure that other work on the machine does not stretch. */
static double
process_cpu_s (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void
run_once (guint      index,
          RunResult *r)
{
  Bench b = { NULL, };
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  PieperSyncStats stats;
  gint64 start;
  gint64 pull_started_at;
  double cpu_before;
  guint requests;

  bench_set_up (&b);

  /* P1: the first sync, and its floor. */
  requests = pieper_sim_get_n_requests (b.sim);
  cpu_before = process_cpu_s ();
  start = g_get_monotonic_time ();
  stats = sync_once (&b);
  r->sync_s = seconds_since (start);
  if (opt_verbose)
    g_printerr ("  full sync: %.3f s of CPU (this process, with the sim)\n", process_cpu_s () - cpu_before);
  r->pulled = stats.pulled;
  if (opt_verbose)
    g_printerr ("  first sync: %u requests, %u incidents pulled\n",
                pieper_sim_get_n_requests (b.sim) - requests, stats.pulled);

  if (!(open = pieper_store_list_incidents (b.store, PIEPER_FILTER_OPEN, &error)))
    die ("%s", error->message);
  r->open_in_store = open->len;
  if (open->len == 0)
    die ("the first sync brought no open incidents");

  r->curl_pages_s = floor_curl_pages (&b, (guint) opt_incidents);
  r->sqlite_s = floor_sqlite (&b, &r->rows);
  r->floor_p1_s = r->curl_pages_s + r->sqlite_s;

  /* P7: notes queued offline, flushed by one round; the flush ends where
   * the round's pull begins. */
  for (guint i = 0; i < MIN (NOTE_INCIDENTS, open->len); i++)
    g_ptr_array_add (targets, g_strdup (pieper_incident_get_remote_id (g_ptr_array_index (open, i))));

  for (guint i = 0; i < (guint) opt_actions; i++)
    {
      PieperIncident *incident = g_ptr_array_index (open, i % targets->len);
      g_autoptr(PieperAction) action = NULL;
      g_autofree char *text = note_text (i);

      if (!(action = pieper_outbox_add_note (b.outbox, pieper_incident_get_id (incident), text, &error)))
        die ("queue: %s", error->message);
    }

  pieper_sim_reset_record (b.sim);
  bench_tap_provider_reset (BENCH_TAP_PROVIDER (b.tap));
  requests = pieper_sim_get_n_requests (b.sim);
  start = g_get_monotonic_time ();
  stats = sync_once (&b);
  r->round_s = seconds_since (start);
  if (opt_verbose)
    g_printerr ("  flush round: %u requests, %u of them writes, %u incidents pulled\n",
                pieper_sim_get_n_requests (b.sim) - requests,
                pieper_sim_count_writes (b.sim, NULL, NULL), stats.pulled);
  pull_started_at = bench_tap_provider_get_pull_started_at (BENCH_TAP_PROVIDER (b.tap));
  if (pull_started_at == 0)
    die ("the flush round never started its pull");
  r->flush_s = (double) (pull_started_at - start) / G_USEC_PER_SEC;

  if (stats.sent != (guint) opt_actions || pieper_sim_count_writes (b.sim, "POST", NULL) != (guint) opt_actions)
    die ("the flush sent %u of %d actions (%u arrived)", stats.sent, opt_actions,
         pieper_sim_count_writes (b.sim, "POST", NULL));

  r->curl_posts_s = floor_curl_posts (&b, targets);

  bench_tear_down (&b);

  g_printerr ("run %u: sync %.3f s (floor: curl %.3f s + sqlite %.3f s); "
              "flush %.3f s (floor: curl %.3f s); flush round with its pull %.3f s\n",
              index + 1, r->sync_s, r->curl_pages_s, r->sqlite_s,
              r->flush_s, r->curl_posts_s, r->round_s);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* The median of one field over the runs. */
static double
median (const RunResult *results,
        guint            n,
        gsize            offset)
{
  g_autofree double *values = g_new (double, n);

  for (guint i = 0; i < n; i++)
    memcpy (&values[i], (const char *) &results[i] + offset, sizeof (double));
  qsort (values, n, sizeof (double), compare_double);

  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

#define MEDIAN(results, n, field) median ((results), (n), G_STRUCT_OFFSET (RunResult, field))

/* The machine-readable line that build-aux/dev bench gathers into one
 * table with the other benchmarks: id, label, median, floor median,
 * ratio, goal, met|missed, separated by tabs. */
static void
print_machine_row (const char *id,
                   const char *label,
                   double      value,
                   double      floor_value,
                   double      goal)
{
  double ratio = value / floor_value;

  printf ("ROW\t%s\t%s\t%.3f s\t%.3f s\t%.2fx\t<= %.1fx\t%s\n", id, label, value, floor_value, ratio, goal,
          ratio <= goal ? "met" : "missed");
}

static void
print_row (const char *measure,
           double      value,
           double      floor_value,
           double      goal)
{
  double ratio = value / floor_value;
  g_autofree char *goal_text = g_strdup_printf ("<= %.1fx", goal);

  printf ("%-40s %9.3f s %12.3f s %7.2fx  %-8s %s\n", measure, value, floor_value, ratio, goal_text,
          ratio <= goal ? "met" : "missed");
}

int
main (int    argc,
      char **argv)
{
  const GOptionEntry entries[] = {
    { "runs", 'r', 0, G_OPTION_ARG_INT, &opt_runs, "Runs to take the median of (default 5)", "N" },
    { "incidents", 'i', 0, G_OPTION_ARG_INT, &opt_incidents, "Open incidents to sync (default and most 10000)", "N" },
    { "actions", 'a', 0, G_OPTION_ARG_INT, &opt_actions, "Queued actions to flush (default 1000)", "N" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Print request counts and bytes of each run", NULL },
    { NULL, },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- Pieper's sync benchmark (P1, P7)");
  g_autoptr(GError) error = NULL;
  g_autofree RunResult *results = NULL;
  g_autofree char *curl = NULL;
  g_autofree char *p1 = NULL;
  g_autofree char *p7 = NULL;
  double sync_s, floor_p1_s, flush_s, floor_p7_s;
  guint runs;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-sync: %s\n", error->message);
      return 2;
    }
  if (opt_runs < 1 || opt_incidents < 1 || opt_incidents > MAX_INCIDENTS || opt_actions < 1)
    {
      g_printerr ("bench-sync: --runs and --actions must be at least 1, --incidents 1 to %d\n", MAX_INCIDENTS);
      return 2;
    }
  if ((curl = g_find_program_in_path ("curl")) == NULL)
    die ("curl is needed for the floors (apt install curl)");

  runs = (guint) opt_runs;
  results = g_new0 (RunResult, runs);

  g_printerr ("bench-sync: %d open incidents, %d queued notes over %d incidents, %u runs\n",
              opt_incidents, opt_actions, MIN (NOTE_INCIDENTS, opt_incidents), runs);

  for (guint i = 0; i < runs; i++)
    run_once (i, &results[i]);

  for (guint i = 1; i < runs; i++)
    if (results[i].pulled != results[0].pulled || results[i].open_in_store != results[0].open_in_store)
      die ("runs disagree on what was synced");

  sync_s = MEDIAN (results, runs, sync_s);
  flush_s = MEDIAN (results, runs, flush_s);
  floor_p1_s = MEDIAN (results, runs, floor_p1_s);
  floor_p7_s = MEDIAN (results, runs, curl_posts_s);

  p1 = g_strdup_printf ("P1 full sync of %u incidents", results[0].pulled);
  p7 = g_strdup_printf ("P7 flush of %d queued actions", opt_actions);

  printf ("\n%-40s %11s %14s %8s  %-8s\n", "measure (median of runs)", "median", "floor median", "ratio", "goal");
  print_row (p1, sync_s, floor_p1_s, GOAL_P1);
  print_row (p7, flush_s, floor_p7_s, GOAL_P7);
  printf ("\n");
  printf ("incidents/s: %.0f (floor %.0f)   actions/s: %.0f (floor %.0f)\n",
          results[0].pulled / sync_s, results[0].pulled / floor_p1_s,
          opt_actions / flush_s, opt_actions / floor_p7_s);
  printf ("synced: %u incidents pulled, %u open in the store; %u runs\n",
          results[0].pulled, results[0].open_in_store, runs);
  printf ("P1 floor: curl, %u pages on one connection %.3f s + sqlite3, %u rows in one transaction %.3f s\n",
          (results[0].pulled + PAGE_LIMIT - 1) / PAGE_LIMIT, MEDIAN (results, runs, curl_pages_s),
          results[0].rows, MEDIAN (results, runs, sqlite_s));
  printf ("P7 floor: curl, %d note POSTs on one connection (notes over %d incidents)\n",
          opt_actions, MIN (NOTE_INCIDENTS, opt_incidents));
  printf ("the flush round as a whole, with its pull: %.3f s\n",
          MEDIAN (results, runs, round_s));
  printf ("\n");
  print_machine_row ("P1", p1 + strlen ("P1 "), sync_s, floor_p1_s, GOAL_P1);
  print_machine_row ("P7", p7 + strlen ("P7 "), flush_s, floor_p7_s, GOAL_P7);

  return 0;
}
