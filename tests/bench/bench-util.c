/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "bench-util.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

void
bench_die (const char *program,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  fprintf (stderr, "%s: ", program);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  exit (1);
}

static void
print_row (const char *id,
           const char *label,
           const char *median,
           const char *floor_median,
           const char *ratio,
           const char *goal,
           const char *status)
{
  printf ("ROW\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, label, median, floor_median, ratio, goal, status);
  fflush (stdout);
}

void
bench_print_row (const char *id,
                 const char *label,
                 const char *median,
                 const char *floor_median,
                 const char *ratio,
                 const char *goal,
                 gboolean    met)
{
  print_row (id, label, median, floor_median, ratio, goal, met ? "met" : "missed");
}

void
bench_print_yardstick (const char *id,
                       const char *label,
                       const char *median,
                       const char *floor_median,
                       const char *ratio)
{
  print_row (id, label, median, floor_median, ratio, "-", "yardstick");
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
bench_median (double *values,
              guint   n)
{
  g_assert (n > 0);

  qsort (values, n, sizeof (double), compare_doubles);
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double
bench_percentile (GArray *values,
                  double  p)
{
  guint rank;

  g_assert (values->len > 0);

  g_array_sort (values, compare_doubles);
  /* Nearest rank: the smallest value with at least p of them at or below. */
  rank = (guint) MAX (1.0, (p * values->len) + 0.999999);
  return g_array_index (values, double, MIN (rank, values->len) - 1);
}

double
bench_seconds_since (gint64 start)
{
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

void
bench_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        bench_remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

static const char * const services[] = {
  "checkout-api", "payments-db", "search-indexer", "auth-gateway", "notifications-worker",
  "inventory-service", "cdn-edge", "billing-cron", "kafka-cluster", "mobile-bff",
};

static const char * const others[][2] = {
  { "PUSER01", "Aisha Okafor" },
  { "PUSER02", "Bram de Vries" },
  { "PUSER03", "Chen Wei" },
  { "PUSER04", "Dana Whitfield" },
};

static char *
make_title (GRand      *rand,
            const char *service)
{
  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      return g_strdup_printf ("High 5xx error rate on %s: %d.%d%% of requests failing", service,
                              g_rand_int_range (rand, 5, 40), g_rand_int_range (rand, 0, 10));
    case 1:
      return g_strdup_printf ("%s: p99 latency above %d ms for 10 minutes", service,
                              g_rand_int_range (rand, 3, 30) * 100);
    case 2:
      return g_strdup_printf ("Disk usage on %s at %d%%", service, g_rand_int_range (rand, 85, 100));
    default:
      return g_strdup_printf ("Heartbeat missing from %s", service);
    }
}

static PieperIncident *
make_incident (GRand  *rand,
               guint   i,
               guint   n,
               gint64  now)
{
  const char *service = services[g_rand_int_range (rand, 0, G_N_ELEMENTS (services))];
  guint other = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (others));
  g_autofree char *remote_id = g_strdup_printf ("PBENCH%05u", i);
  g_autofree char *title = make_title (rand, service);
  g_autofree char *url = g_strdup_printf ("https://example.pagerduty.com/incidents/%s", remote_id);
  /* Incident 0 is the oldest, four weeks ago; n - 1 the newest. */
  gint64 created = now - (gint64) (n - i) * (28 * 24 * 3600 / MAX (n, 1));
  PieperIncident *incident = pieper_incident_new (remote_id);
  const char *me_name[] = { "Mira Jansen", NULL };
  const char *me_id[] = { BENCH_ME_ID, NULL };
  const char *other_name[] = { others[other][1], NULL };
  const char *other_id[] = { others[other][0], NULL };

  pieper_incident_set_number (incident, 1000 + i);
  pieper_incident_set_title (incident, title);
  pieper_incident_set_service (incident, service);
  pieper_incident_set_urgency (incident, g_rand_int_range (rand, 0, 100) < 60 ? PIEPER_URGENCY_HIGH
                                                                              : PIEPER_URGENCY_LOW);
  pieper_incident_set_escalation_policy (incident, "Checkout On-Call");
  pieper_incident_set_escalation_level (incident, 1);
  pieper_incident_set_html_url (incident, url);
  pieper_incident_set_created_at (incident, created);
  pieper_incident_set_updated_at (incident, created + 600);
  pieper_incident_set_last_status_change_at (incident, created + 600);

  if (i % 20 == 0)
    {
      pieper_incident_set_status (incident, PIEPER_STATUS_TRIGGERED);
      pieper_incident_set_assignees (incident, other_name);
      pieper_incident_set_assignee_ids (incident, other_id);
    }
  else if (i % 40 == 1)
    {
      pieper_incident_set_status (incident, PIEPER_STATUS_ACKNOWLEDGED);
      pieper_incident_set_assignees (incident, me_name);
      pieper_incident_set_assignee_ids (incident, me_id);
    }
  else
    {
      /* PagerDuty clears the assignments of a resolved incident. */
      pieper_incident_set_status (incident, PIEPER_STATUS_RESOLVED);
    }

  return incident;
}

gint64
bench_fill_store (const char *data_dir,
                  const char *url,
                  guint       n)
{
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(GPtrArray) incidents = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GRand) rand = g_rand_new_with_seed (4711);
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (!(store = pieper_store_open (data_dir, &error)) ||
      !(account = pieper_store_ensure_account (store, "pagerduty", url, BENCH_ME_EMAIL, &error)))
    bench_die ("bench", "store: %s", error->message);

  pieper_account_set_user_id (account, BENCH_ME_ID);
  if (!pieper_store_update_account (store, account, &error))
    bench_die ("bench", "store: %s", error->message);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (incidents, make_incident (rand, i, n, now));
  if (!pieper_store_apply_snapshot (store, pieper_account_get_id (account), incidents, &error))
    bench_die ("bench", "store: %s", error->message);

  return pieper_account_get_id (account);
}
