/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "app-test-util.h"
#include "pieper-application-private.h"
#include "pieper-sim.h"
#include "test-util.h"

/*
 * Paging end to end, on a private bus with python-dbusmock's notification
 * daemon (run-with-notification-daemon.sh): a page triggered in pieper-sim
 * becomes one critical notification with Acknowledge, Escalate and Open,
 * its text escaped for markup, and the alarm rings; pressing Acknowledge
 * on the notification sends exactly one acknowledge to the server, closes
 * the notification and stops the alarm.
 */

#define TOKEN        "pieper-test-token"
/* Longer than a notification title may be, with markup at both ends. */
#define TITLE        "<b>&</b> disk full on db-1: " \
                     "0123456789012345678901234567890123456789012345678901234567890123456789" \
                     "0123456789012345678901234567890123456789012345678901234567890123456789" \
                     "0123456789012345678901234567890123456789012345678901234567890123456789" \
                     " <i>end</i>"
/* Its escalation policy's first level is the responder (the sim's user 0),
 * so the page is theirs once the app has learnt who they are (whoami). */
#define SERVICE      "checkout-api"
#define MOCK_PATH    "/org/freedesktop/Notifications"
#define MOCK_IFACE   "org.freedesktop.DBus.Mock"

typedef struct
{
  char              *dir;
  PieperSim         *sim;
  PieperApplication *app;
  GDBusConnection   *bus;
} Fixture;

static GVariant *
method_calls (Fixture    *f,
              const char *method)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariant *calls;

  reply = g_dbus_connection_call_sync (f->bus, "org.freedesktop.Notifications", MOCK_PATH,
                                       MOCK_IFACE, "GetMethodCalls", g_variant_new ("(s)", method),
                                       G_VARIANT_TYPE ("(a(tav))"), G_DBUS_CALL_FLAGS_NONE, 5000,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(@a(tav))", &calls);
  return calls;
}

/* The arguments of the Notify call whose summary is @summary, or NULL. Its
 * notification id is in @id: the mock numbers new notifications from 1. */
static GVariant *
find_notify (Fixture    *f,
             const char *summary,
             guint32    *id)
{
  g_autoptr(GVariant) calls = method_calls (f, "Notify");
  guint32 next_id = 1;

  for (gsize i = 0; i < g_variant_n_children (calls); i++)
    {
      g_autoptr(GVariant) call = g_variant_get_child_value (calls, i);
      g_autoptr(GVariant) args = g_variant_get_child_value (call, 1);
      g_autoptr(GVariant) replaces = g_variant_get_child_value (args, 1);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (args, 3);
      g_autoptr(GVariant) text = g_variant_get_variant (boxed);
      g_autoptr(GVariant) replaces_value = g_variant_get_variant (replaces);
      guint32 replaces_id = g_variant_get_uint32 (replaces_value);
      guint32 this_id = replaces_id != 0 ? replaces_id : next_id++;

      if (g_str_has_prefix (g_variant_get_string (text, NULL), summary))
        {
          *id = this_id;
          return g_steal_pointer (&args);
        }
    }

  return NULL;
}

static GVariant *
arg (GVariant *args,
     gsize     n)
{
  g_autoptr(GVariant) boxed = g_variant_get_child_value (args, n);

  return g_variant_get_variant (boxed);
}

static gboolean
synced_once (gpointer data)
{
  Fixture *f = data;

  return pieper_sim_get_n_requests (f->sim) > 0 &&
         pieper_sync_engine_get_state (pieper_application_get_engine (f->app)) == PIEPER_SYNC_STATE_IDLE;
}

static gboolean
notified (gpointer data)
{
  guint32 id;
  g_autoptr(GVariant) args = find_notify (data, "<b>&</b> disk full", &id);

  return args != NULL;
}

static gboolean
acknowledged (gpointer data)
{
  Fixture *f = data;

  return pieper_sim_count_writes (f->sim, "PUT", "/incidents/") > 0;
}

static gboolean
closed (gpointer data)
{
  g_autoptr(GVariant) calls = method_calls (data, "CloseNotification");

  return g_variant_n_children (calls) > 0;
}

static gboolean
quiet (gpointer data)
{
  Fixture *f = data;
  PieperNotifier *notifier = _pieper_application_get_notifier (f->app);

  return !pieper_alarm_sound_get_ringing (pieper_notifier_get_alarm_sound (notifier));
}

static guint
count_notify (Fixture    *f,
              const char *summary)
{
  g_autoptr(GVariant) calls = method_calls (f, "Notify");
  guint n = 0;

  for (gsize i = 0; i < g_variant_n_children (calls); i++)
    {
      g_autoptr(GVariant) call = g_variant_get_child_value (calls, i);
      g_autoptr(GVariant) args = g_variant_get_child_value (call, 1);
      g_autoptr(GVariant) text = arg (args, 3);

      n += g_str_equal (g_variant_get_string (text, NULL), summary);
    }

  return n;
}

static gboolean
still_running_said (gpointer data)
{
  return count_notify (data, "Pieper is still running") > 0;
}

static void
test_page_and_acknowledge (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(GVariant) args = NULL;
  g_autoptr(GVariant) app_name = NULL;
  g_autoptr(GVariant) summary = NULL;
  g_autoptr(GVariant) body = NULL;
  g_autoptr(GVariant) actions = NULL;
  g_autoptr(GVariant) hints = NULL;
  g_autoptr(GVariant) urgency = NULL;
  g_autoptr(GVariant) desktop_entry = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree const char **action_strv = NULL;
  PieperAlarmSound *sound;
  guint32 id = 0;

  f->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);

  f->dir = test_make_tmp_dir ();
  f->sim = pieper_sim_new ();
  pieper_sim_set_token (f->sim, TOKEN);
  pieper_sim_set_me (f->sim, "PTEST01", "Mira Jansen", "mira.jansen@example.com");
  g_assert_true (pieper_sim_start (f->sim, 0, &error));
  g_assert_no_error (error);
  url = pieper_sim_dup_url (f->sim);

  store = pieper_store_open (f->dir, &error);
  g_assert_no_error (error);
  account = pieper_store_ensure_account (store, "pagerduty", url, "mira.jansen@example.com", &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  /* The token from the environment: no Secret Service on this bus. */
  g_setenv ("PIEPER_TOKEN", TOKEN, TRUE);
  f->app = app_test_application (f->dir, FALSE);
  app_test_wait_for (synced_once, f, 20, "the first sync");
  /* And the notifier's first look at the store, which takes what pages
   * then for pages missed while Pieper was not running. */
  app_test_run_for (300);

  pieper_sim_trigger (f->sim, TITLE, SERVICE, "high");
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "refresh", NULL);
  app_test_wait_for (notified, f, 20, "the page's notification");

  args = find_notify (f, "<b>&</b> disk full", &id);
  g_assert_nonnull (args);
  app_name = arg (args, 0);
  g_assert_cmpstr (g_variant_get_string (app_name, NULL), ==, "Pieper");
  /* The summary is plain text in the notification specification; the body
   * is markup, so escaped. */
  summary = arg (args, 3);
  g_assert_cmpuint (g_utf8_strlen (g_variant_get_string (summary, NULL), -1), ==, 200);
  g_assert_true (g_str_has_suffix (g_variant_get_string (summary, NULL), "…"));
  body = arg (args, 4);
  g_assert_nonnull (strstr (g_variant_get_string (body, NULL), SERVICE));
  g_assert_nonnull (strstr (g_variant_get_string (body, NULL),
                            "\n&lt;b&gt;&amp;&lt;/b&gt; disk full on db-1"));
  g_assert_true (g_str_has_suffix (g_variant_get_string (body, NULL), " &lt;i&gt;end&lt;/i&gt;"));
  g_assert_null (strstr (g_variant_get_string (body, NULL), "<"));

  actions = arg (args, 5);
  action_strv = g_variant_get_strv (actions, NULL);
  g_assert_true (g_strv_contains (action_strv, "acknowledge"));
  g_assert_true (g_strv_contains (action_strv, "Acknowledge"));
  g_assert_true (g_strv_contains (action_strv, "escalate"));
  g_assert_true (g_strv_contains (action_strv, "Escalate"));
  g_assert_true (g_strv_contains (action_strv, "open"));
  g_assert_true (g_strv_contains (action_strv, "Open"));

  hints = arg (args, 6);
  urgency = g_variant_lookup_value (hints, "urgency", G_VARIANT_TYPE_BYTE);
  g_assert_nonnull (urgency);
  g_assert_cmpuint (g_variant_get_byte (urgency), ==, 2);
  desktop_entry = g_variant_lookup_value (hints, "desktop-entry", G_VARIANT_TYPE_STRING);
  g_assert_nonnull (desktop_entry);
  g_assert_cmpstr (g_variant_get_string (desktop_entry, NULL), ==, "io.github.pieper.Pieper.Test");

  /* The alarm rings (whether a sound server hears it or not). */
  sound = pieper_notifier_get_alarm_sound (_pieper_application_get_notifier (f->app));
  g_assert_true (pieper_alarm_sound_get_ringing (sound));
  g_assert_nonnull (pieper_alarm_sound_get_stream (sound));
  if (gtk_media_stream_get_error (pieper_alarm_sound_get_stream (sound)) == NULL)
    g_assert_true (gtk_media_stream_get_playing (pieper_alarm_sound_get_stream (sound)));

  /* The responder presses Acknowledge on the notification. */
  pieper_sim_reset_record (f->sim);
  reply = g_dbus_connection_call_sync (f->bus, "org.freedesktop.Notifications", MOCK_PATH, MOCK_IFACE,
                               "EmitSignal",
                               g_variant_new_parsed ("('org.freedesktop.Notifications', 'ActionInvoked', 'us', [<%u>, <'acknowledge'>])",
                                                     id),
                               NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);

  app_test_wait_for (acknowledged, f, 20, "the acknowledge to reach the server");
  app_test_wait_for (quiet, f, 10, "the alarm to stop");
  app_test_wait_for (closed, f, 10, "the notification to be closed");
  /* And only once, after a few more syncs' worth of time. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "refresh", NULL);
  app_test_run_for (1000);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "PUT", "/incidents/"), ==, 1);
  g_assert_null (pieper_alarm_sound_get_stream (sound));

  /* With an account, closing the last window leaves Pieper paging in the
   * background, and it says so once. */
  {
    GtkWidget *window = gtk_application_window_new (GTK_APPLICATION (f->app));

    gtk_window_destroy (GTK_WINDOW (window));
    app_test_wait_for (still_running_said, f, 10, "the background notice");
    window = gtk_application_window_new (GTK_APPLICATION (f->app));
    gtk_window_destroy (GTK_WINDOW (window));
    app_test_run_for (200);
    g_assert_cmpuint (count_notify (f, "Pieper is still running"), ==, 1);
  }

  g_application_quit (G_APPLICATION (f->app));
  g_clear_object (&f->app);
  pieper_sim_stop (f->sim);
  g_clear_object (&f->sim);
  g_clear_object (&f->bus);
  test_remove_tree (f->dir);
  g_free (f->dir);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/notifications/page-and-acknowledge", test_page_and_acknowledge);

  return g_test_run ();
}
