/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <sys/prctl.h>

#include "pieper-application.h"

/*
 * The startup benchmark (tests/bench/bench-startup.c) runs Pieper with
 * PIEPER_BENCH_FIRST_FRAME=1: once the first window has painted its first
 * frame, Pieper says so on stdout and quits, so the benchmark can time a
 * real start from spawn to frame and read the peak memory it took.
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
first_window_realized_cb (GtkWidget    *window,
                          GApplication *app)
{
  g_signal_handlers_disconnect_by_func (window, first_window_realized_cb, app);
  g_signal_connect_object (gtk_widget_get_frame_clock (window), "after-paint",
                           G_CALLBACK (first_frame_painted_cb), app, 0);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window)
{
  g_signal_handlers_disconnect_by_func (app, window_added_cb, NULL);
  g_signal_connect_object (window, "realize", G_CALLBACK (first_window_realized_cb), app, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PieperApplication) app = NULL;
  const char *localedir;

  /* Holding API tokens: no core dump, and no ptrace or /proc/PID/environ
   * for other processes of the same user (as ssh-agent does). */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);

  /* PIEPER_LOCALEDIR: the tests' translations, built in the build tree. */
  localedir = g_getenv ("PIEPER_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && localedir[0] != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = pieper_application_new ();
  if (g_strcmp0 (g_getenv ("PIEPER_BENCH_FIRST_FRAME"), "1") == 0)
    g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
