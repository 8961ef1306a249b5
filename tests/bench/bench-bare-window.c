/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperBench"

#include "config.h"

#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include <adwaita.h>

/*
 * The floor of the app benchmarks: a bare AdwApplication, as little as a
 * libadwaita application can be.
 *
 *   bench-bare-window          one empty AdwApplicationWindow, as large as
 *                              Pieper's; with PIEPER_BENCH_FIRST_FRAME=1 it
 *                              prints "first-frame" once that window has
 *                              painted its first frame, and quits, exactly
 *                              as src/app/main.c does (P2, P3);
 *   bench-bare-window --idle   no window, held, doing nothing until SIGTERM
 *                              or SIGINT (P6).
 */

static void
first_frame_painted_cb (GdkFrameClock *clock,
                        GApplication  *app)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_painted_cb, app);
  printf ("first-frame\n");
  fflush (stdout);
  g_application_quit (app);
}

static void
realized_cb (GtkWidget    *window,
             GApplication *app)
{
  g_signal_connect_object (gtk_widget_get_frame_clock (window), "after-paint",
                           G_CALLBACK (first_frame_painted_cb), app, 0);
}

static void
activate_cb (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));

  /* Pieper's default size (data/ui/pieper-window.ui). */
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 720);
  if (g_strcmp0 (g_getenv ("PIEPER_BENCH_FIRST_FRAME"), "1") == 0)
    g_signal_connect (window, "realize", G_CALLBACK (realized_cb), app);
  gtk_window_present (GTK_WINDOW (window));
}

static void
idle_activate_cb (GApplication *app)
{
  /* `pieper --background` opens no window either. */
}

static gboolean
quit_cb (gpointer app)
{
  g_application_quit (app);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  gboolean idle = argc > 1 && strcmp (argv[1], "--idle") == 0;

  if (argc > 2 || (argc == 2 && !idle))
    {
      fprintf (stderr, "usage: bench-bare-window [--idle]\n");
      return 2;
    }

  app = adw_application_new ("io.github.pieper.Pieper.BenchBare", G_APPLICATION_NON_UNIQUE);
  g_unix_signal_add (SIGTERM, quit_cb, app);
  g_unix_signal_add (SIGINT, quit_cb, app);
  if (idle)
    {
      /* As `pieper --background`: registered, held, no window. */
      g_application_hold (G_APPLICATION (app));
      g_signal_connect (app, "activate", G_CALLBACK (idle_activate_cb), NULL);
      return g_application_run (G_APPLICATION (app), 1, argv);
    }

  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), 1, argv);
}
