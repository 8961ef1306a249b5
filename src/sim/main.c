/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperSim"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>

#include "pieper-sim.h"

/* pieper-sim: the sim as a process, for pieperctl tests, benchmarks and
 * trying Pieper by hand. Its first line on stdout says where it listens. */

#define EXIT_USAGE 2

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_count (const char *str,
             guint64     max,
             guint64    *out)
{
  return str != NULL && g_ascii_string_to_unsigned (str, 10, 0, max, out, NULL);
}

static gboolean
parse_fault (const char  *spec,
             char       **kind,
             double      *rate,
             GError     **error)
{
  const char *colon = strrchr (spec, ':');

  *rate = 1.0;
  if (colon == NULL)
    {
      *kind = g_strdup (spec);
      return TRUE;
    }

  {
    char *end = NULL;

    *rate = g_ascii_strtod (colon + 1, &end);
    if (end == colon + 1 || *end != '\0')
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "--fault %s: the rate must be a number from 0 to 1", spec);
        return FALSE;
      }
  }
  *kind = g_strndup (spec, colon - spec);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperSim) sim = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *port_str = NULL;
  g_autofree char *incidents_str = NULL;
  g_autofree char *token = NULL;
  g_autofree char *seed_str = NULL;
  g_autofree char *url = NULL;
  g_auto(GStrv) faults = NULL;
  double stall_seconds = -1.0;
  guint64 port = 0;
  guint64 incidents = 0;
  guint64 seed = 0;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_STRING, &port_str, "Port on 127.0.0.1 (default: any free port)", "N" },
    { "incidents", 'n', 0, G_OPTION_ARG_STRING, &incidents_str, "Generate N incidents (default: 0)", "N" },
    { "token", 't', 0, G_OPTION_ARG_STRING, &token, "REST API token (default: sim-token)", "T" },
    { "fault", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &faults,
      "Switch a fault on: 500, 429, 401, reset, reset-after, stall, truncated, content-type, huge; "
      "RATE from 0 to 1 (default: 1)", "KIND[:RATE]" },
    { "stall-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &stall_seconds, "How long a stalled response waits (default: 10)", "S" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_str, "Seed of the generated data and the fault draws", "N" },
    { NULL }
  };

  context = g_option_context_new ("— a local PagerDuty API v2 for Pieper");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "pieper-sim: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (argc > 1)
    {
      fprintf (stderr, "pieper-sim: unexpected argument “%s”\n", argv[1]);
      return EXIT_USAGE;
    }
  if (port_str != NULL && !parse_count (port_str, G_MAXUINT16, &port))
    {
      fprintf (stderr, "pieper-sim: --port must be a number from 0 to 65535\n");
      return EXIT_USAGE;
    }
  if (incidents_str != NULL && !parse_count (incidents_str, 1000000, &incidents))
    {
      fprintf (stderr, "pieper-sim: --incidents must be a number from 0 to 1000000\n");
      return EXIT_USAGE;
    }
  if (seed_str != NULL && !parse_count (seed_str, G_MAXUINT32, &seed))
    {
      fprintf (stderr, "pieper-sim: --seed must be a number from 0 to 4294967295\n");
      return EXIT_USAGE;
    }
  if (token != NULL && *token == '\0')
    {
      fprintf (stderr, "pieper-sim: --token must not be empty\n");
      return EXIT_USAGE;
    }

  /* From here on a SIGTERM or SIGINT ends the sim cleanly, also one that
   * arrives before the loop runs. */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);

  sim = pieper_sim_new ();
  if (seed_str != NULL)
    pieper_sim_set_seed (sim, (guint32) seed);
  if (token != NULL)
    pieper_sim_set_token (sim, token);
  if (stall_seconds >= 0.0)
    pieper_sim_set_stall_seconds (sim, stall_seconds);

  for (guint i = 0; faults != NULL && faults[i] != NULL; i++)
    {
      g_autofree char *kind = NULL;
      double rate;

      if (!parse_fault (faults[i], &kind, &rate, &error) ||
          !pieper_sim_set_fault (sim, kind, rate, &error))
        {
          fprintf (stderr, "pieper-sim: %s\n", error->message);
          return EXIT_USAGE;
        }
    }

  pieper_sim_add_incidents (sim, (guint) incidents);

  if (!pieper_sim_start (sim, (guint) port, &error))
    {
      fprintf (stderr, "pieper-sim: cannot listen: %s\n", error->message);
      return EXIT_FAILURE;
    }

  url = pieper_sim_dup_url (sim);
  printf ("listening on %s\n", url);
  fflush (stdout);

  g_main_loop_run (loop);

  pieper_sim_stop (sim);
  return EXIT_SUCCESS;
}
