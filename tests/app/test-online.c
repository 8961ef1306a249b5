/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "app-test-util.h"
#include "pieper-window.h"
#include "test-util.h"

/*
 * When Pieper asks the servers: a window being opened shows the store
 * first, and the application goes online once that window has painted its
 * first frame; with no window to wait for, it goes online all the same.
 * Each test has an application of its own, on a store with one account
 * whose server cannot be reached.
 */

typedef struct
{
  char              *dir;
  PieperApplication *app;
  gint64             account_id;
} Fixture;

typedef struct
{
  const char *app_id;
  guint       deadline_ms;
} Setup;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const Setup *setup = data;
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(PieperAccount) added = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = test_make_tmp_dir ();
  store = pieper_store_open (f->dir, &error);
  g_assert_no_error (error);
  /* Port 9 (discard) on loopback: nothing listens. */
  account = pieper_account_new ("pagerduty", "http://127.0.0.1:9", "mira.jansen@example.com");
  added = pieper_store_add_account (store, account, &error);
  g_assert_no_error (error);
  f->account_id = pieper_account_get_id (added);
  g_clear_object (&store);

  f->app = g_object_new (PIEPER_TYPE_APPLICATION,
                         "application-id", setup->app_id,
                         "flags", G_APPLICATION_NON_UNIQUE,
                         "data-dir", f->dir,
                         "online-deadline", setup->deadline_ms,
                         NULL);
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_application_quit (G_APPLICATION (f->app));
  g_clear_object (&f->app);
  test_remove_tree (f->dir);
  g_free (f->dir);
}

/* The account is in the engine, with its token: Pieper asks its server. */
static gboolean
online (gpointer data)
{
  Fixture *f = data;

  return pieper_sync_engine_get_provider (pieper_application_get_engine (f->app), f->account_id) != NULL;
}

static gboolean
offline_said (gpointer data)
{
  Fixture *f = data;

  return pieper_sync_engine_get_state (pieper_application_get_engine (f->app)) == PIEPER_SYNC_STATE_OFFLINE;
}

/* Started, and no window: online after the deadline (the default, 1 s),
 * and a round is run. */
static void
test_no_window (Fixture       *f,
                gconstpointer  data)
{
  g_assert_false (online (f));
  app_test_wait_for (online, f, 10, "going online without a window");
  app_test_wait_for (offline_said, f, 10, "a round that finds the server unreachable");
}

/* A window: nothing is asked of the servers until it has painted its
 * first frame, which shows the store; then Pieper goes online. The
 * deadline is far off: the frame, not the deadline, does it. */
static void
test_first_frame (Fixture       *f,
                  gconstpointer  data)
{
  PieperWindow *window = pieper_window_new (f->app);

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 720);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_false (online (f));
  g_assert_cmpint (pieper_sync_engine_get_state (pieper_application_get_engine (f->app)), ==,
                   PIEPER_SYNC_STATE_IDLE);

  app_test_wait_frames (GTK_WIDGET (window), 1);
  app_test_wait_for (online, f, 10, "going online after the first frame");
  app_test_wait_for (offline_said, f, 10, "a round that finds the server unreachable");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  /* Two applications in one process: each with an id of its own. */
  static const Setup no_window = { "io.github.pieper.Pieper.Test.Online1", 1000 };
  static const Setup first_frame = { "io.github.pieper.Pieper.Test.Online2", 10 * 60 * 1000 };

  gtk_test_init (&argc, &argv, NULL);
  g_setenv ("PIEPER_TOKEN", "online-test-token", TRUE);

  g_test_add ("/app/online/no-window", Fixture, &no_window,
              fixture_set_up, test_no_window, fixture_tear_down);
  g_test_add ("/app/online/first-frame", Fixture, &first_frame,
              fixture_set_up, test_first_frame, fixture_tear_down);

  return g_test_run ();
}
