/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "app-test-util.h"
#include "pieper-window.h"
#include "test-util.h"

/*
 * Demo mode end to end: the in-process sim, a sync into the store, and
 * the window on a phone (360×640) and a desktop (1280×800), each saved as
 * a PNG in the build directory (PIEPER_SCREENSHOT_DIR); data/screenshots
 * holds committed copies.
 */

static char *dir;
static char *screenshot_dir;
static PieperApplication *app;

static gboolean synced;

static void
synced_cb (void)
{
  synced = TRUE;
}

/* The first round, with the open incidents of the demo's forty. */
static gboolean
first_sync_done (gpointer data)
{
  return synced && g_list_model_get_n_items (G_LIST_MODEL (pieper_application_get_incidents (app))) >= 10;
}

/* A triggered, high-urgency incident of the responder's, with a timeline. */
static PieperIncident *
pick_incident (void)
{
  GListModel *incidents = G_LIST_MODEL (pieper_application_get_incidents (app));
  PieperIncident *best = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (incidents); i++)
    {
      g_autoptr(PieperIncident) incident = g_list_model_get_item (incidents, i);

      if (pieper_incident_get_status (incident) != PIEPER_STATUS_TRIGGERED)
        continue;
      if (best == NULL ||
          (pieper_incident_get_urgency (incident) == PIEPER_URGENCY_HIGH &&
           pieper_incident_get_urgency (best) != PIEPER_URGENCY_HIGH) ||
          (pieper_application_is_mine (app, incident) && !pieper_application_is_mine (app, best)))
        g_set_object (&best, incident);
    }

  return best;
}

typedef struct
{
  gint64 id;
} TimelineData;

static gboolean
timeline_pulled (gpointer user_data)
{
  TimelineData *data = user_data;
  g_autoptr(GPtrArray) entries = pieper_store_list_timeline (pieper_application_get_store (app),
                                                             data->id, NULL);

  return entries != NULL && entries->len > 0;
}

static void
save (GtkWidget  *window,
      const char *name)
{
  g_autofree char *path = g_build_filename (screenshot_dir, name, NULL);

  app_test_save_png (window, path);
  g_test_message ("Wrote %s", path);
}

static void
test_desktop (void)
{
  PieperWindow *window = pieper_window_new (app);
  g_autoptr(PieperIncident) incident = pick_incident ();
  TimelineData data;

  g_assert_nonnull (incident);
  data.id = pieper_incident_get_id (incident);

  app_test_present (GTK_WINDOW (window), 1280, 800);
  pieper_window_show_incident (window, data.id);
  /* Watching the incident pulls its timeline on the next round. */
  pieper_sync_engine_sync_now (pieper_application_get_engine (app));
  app_test_wait_for (timeline_pulled, &data, 30, "the timeline to be pulled");
  app_test_run_for (500);

  save (GTK_WIDGET (window), "pieper-1280x800.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_phone (void)
{
  PieperWindow *window = pieper_window_new (app);

  app_test_present (GTK_WINDOW (window), 360, 640);
  save (GTK_WIDGET (window), "pieper-360x640.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_phone_incident (void)
{
  PieperWindow *window = pieper_window_new (app);
  g_autoptr(PieperIncident) incident = pick_incident ();

  app_test_present (GTK_WINDOW (window), 360, 640);
  pieper_window_show_incident (window, pieper_incident_get_id (incident));
  app_test_run_for (800);
  save (GTK_WIDGET (window), "pieper-360x640-incident.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);

  screenshot_dir = g_strdup (g_getenv ("PIEPER_SCREENSHOT_DIR"));
  if (screenshot_dir == NULL)
    screenshot_dir = g_strdup (g_get_tmp_dir ());
  g_assert_cmpint (g_mkdir_with_parents (screenshot_dir, 0755), ==, 0);

  dir = test_make_tmp_dir ();
  app = app_test_application (dir, TRUE);
  g_signal_connect (pieper_application_get_engine (app), "synced", G_CALLBACK (synced_cb), NULL);
  app_test_wait_for (first_sync_done, NULL, 30, "the demo's first sync");

  g_test_add_func ("/app/screenshots/desktop", test_desktop);
  g_test_add_func ("/app/screenshots/phone", test_phone);
  g_test_add_func ("/app/screenshots/phone-incident", test_phone_incident);

  status = g_test_run ();

  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  test_remove_tree (dir);
  g_free (dir);
  g_free (screenshot_dir);
  return status;
}
