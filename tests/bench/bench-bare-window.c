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
 *                              or SIGINT (P6);
 *   bench-bare-window --list N the same window holding a GtkListView of N
 *                              rows of one label each: what a list view of
 *                              GTK 4.8 costs before its first frame (it
 *                              binds up to 200 rows), however simple its
 *                              rows. Not a floor of the table; a yardstick
 *                              for P2 and P3 (tests/bench/RESULTS.md).
 *   bench-bare-window --header-bar
 *                              the same window with what every window of a
 *                              GNOME app shows: a header bar (its window
 *                              controls load the icon theme) with a title
 *                              and a menu button, over a line of text. The
 *                              yardstick of row P2b.
 */

static guint list_rows;
static gboolean header_bar;

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
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static GtkWidget *
list_new (guint n)
{
  GtkStringList *strings = gtk_string_list_new (NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("Incident #%u", i);

      gtk_string_list_append (strings, text);
    }
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled),
                                 gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (strings))),
                                                    factory));
  return scrolled;
}

static GtkWidget *
header_bar_new (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *bar = adw_header_bar_new ();
  GtkWidget *menu_button = gtk_menu_button_new ();
  GtkWidget *label = gtk_label_new ("No Incident Selected");
  g_autoptr(GMenu) menu = g_menu_new ();

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (bar), adw_window_title_new ("Incidents", NULL));
  /* With a menu, as Pieper's: without one it is drawn insensitive. */
  g_menu_append (menu, "Preferences", "app.preferences");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "open-menu-symbolic");
  adw_header_bar_pack_end (ADW_HEADER_BAR (bar), menu_button);
  gtk_widget_set_vexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), label);
  return box;
}

static void
activate_cb (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));

  if (list_rows > 0)
    adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), list_new (list_rows));
  else if (header_bar)
    adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), header_bar_new ());

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
  gboolean list = argc == 3 && strcmp (argv[1], "--list") == 0;

  header_bar = argc == 2 && strcmp (argv[1], "--header-bar") == 0;
  if (list)
    list_rows = (guint) g_ascii_strtoull (argv[2], NULL, 10);
  if ((argc > 2 && !list) || (argc == 2 && !idle && !header_bar) || (list && list_rows == 0))
    {
      fprintf (stderr, "usage: bench-bare-window [--idle | --list N | --header-bar]\n");
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
