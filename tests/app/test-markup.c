/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "app-test-util.h"
#include "hostile-server.h"
#include "pieper-application-private.h"
#include "pieper-incident-page.h"
#include "pieper-row-text.h"
#include "pieper-window.h"
#include "test-util.h"

/*
 * Server text is never markup, end to end: a title, a service, a note and
 * a name with markup in them, synced by the app from a server
 * (tests/hostile/hostile-server.c, speaking PagerDuty), are shown
 * as those very characters in the incident list, on the incident page, in
 * its timeline, in a toast, and escaped in the notification body. Each label is found
 * by the text it was given and checked twice: use-markup is off, and the
 * text it shows (gtk_label_get_text, what Pango lays out) is the server's
 * text, not what markup would have made of it. Runs on a private bus with
 * python-dbusmock's notification daemon (run-with-notification-daemon.sh).
 */

#define TOKEN    "pieper-markup-token"
#define EMAIL    "mira.jansen@example.com"
#define TITLE    "<b>Disk</b> &amp; <a href=\"https://evil\">click</a> &lt; full"
#define SERVICE  "<i>payments</i>-db & <span foreground=\"red\">core</span>"
#define NOTE     "Rolled back <b>4711</b> &amp; <a href=\"https://evil\">see here</a>"
#define NAME     "Mira <u>Jansen</u>"
#define TOAST    "Could not queue: incident “" TITLE "” is gone"

#define INCIDENT "PMARKUP1"

typedef struct
{
  char              *dir;
  HostileServer     *server;
  PieperApplication *app;
  GDBusConnection   *bus;
} Fixture;

static char *
json_string (const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);

  return json_to_string (node, FALSE);
}

/* The server's answers: none open at first (so the incident is a new
 * page, not one missed while Pieper was not running), then one triggered
 * incident, and its note. */
static void
serve (Fixture  *f,
       gboolean  paged)
{
  g_autofree char *title = json_string (TITLE);
  g_autofree char *service = json_string (SERVICE);
  g_autofree char *note = json_string (NOTE);
  g_autofree char *name = json_string (NAME);
  g_autofree char *page = NULL;
  g_autofree char *notes = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

  page = g_strdup_printf ("{\"incidents\":[{\"id\":\"" INCIDENT "\",\"incident_number\":4711,"
                          "\"title\":%s,\"status\":\"triggered\",\"urgency\":\"high\","
                          "\"service\":{\"id\":\"PSVC\",\"summary\":%s},"
                          "\"created_at\":\"%s\",\"updated_at\":\"%s\"}],\"more\":false}",
                          title, service, when, when);
  /* And a note from a server clock in year 9999: its time is unknown. */
  notes = g_strdup_printf ("{\"notes\":[{\"id\":\"PNOTE1\",\"content\":%s,\"created_at\":\"%s\","
                           "\"user\":{\"id\":\"PUSER\",\"summary\":%s}},"
                           "{\"id\":\"PNOTE2\",\"content\":\"From the future\","
                           "\"created_at\":\"9999-12-31T23:59:59Z\","
                           "\"user\":{\"id\":\"PUSER2\",\"summary\":\"Robin Future\"}}]}",
                           note, when, name);

  hostile_server_reply_json (f->server, "GET", "/incidents", 0,
                             paged ? page : "{\"incidents\":[],\"more\":false}");
  hostile_server_reply_json (f->server, "GET", "/incidents/" INCIDENT "/notes", 0, notes);
  hostile_server_reply_json (f->server, "GET", "/incidents/" INCIDENT "/log_entries", 0,
                             "{\"log_entries\":[],\"more\":false}");
  hostile_server_reply_json (f->server, "GET", "/log_entries", 0,
                             "{\"log_entries\":[],\"more\":false}");
  hostile_server_reply_json (f->server, "GET", "/users/me", 0,
                             "{\"user\":{\"id\":\"PUSER\",\"name\":\"Mira\",\"email\":\"" EMAIL "\"}}");
}

static gboolean
synced_once (gpointer data)
{
  Fixture *f = data;

  return hostile_server_count (f->server, "GET", "/incidents") > 0 &&
         pieper_sync_engine_get_state (pieper_application_get_engine (f->app)) == PIEPER_SYNC_STATE_IDLE;
}

/* The body of the Notify call whose summary starts with @summary. */
static char *
notification_body (Fixture    *f,
                   const char *summary)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) calls = NULL;

  reply = g_dbus_connection_call_sync (f->bus, "org.freedesktop.Notifications",
                                       "/org/freedesktop/Notifications", "org.freedesktop.DBus.Mock",
                                       "GetMethodCalls", g_variant_new ("(s)", "Notify"),
                                       G_VARIANT_TYPE ("(a(tav))"), G_DBUS_CALL_FLAGS_NONE, 5000,
                                       NULL, &error);
  g_assert_no_error (error);
  calls = g_variant_get_child_value (reply, 0);

  for (gsize i = 0; i < g_variant_n_children (calls); i++)
    {
      g_autoptr(GVariant) call = g_variant_get_child_value (calls, i);
      g_autoptr(GVariant) args = g_variant_get_child_value (call, 1);
      g_autoptr(GVariant) boxed_summary = g_variant_get_child_value (args, 3);
      g_autoptr(GVariant) boxed_body = g_variant_get_child_value (args, 4);
      g_autoptr(GVariant) text = g_variant_get_variant (boxed_summary);
      g_autoptr(GVariant) body = g_variant_get_variant (boxed_body);

      if (g_str_has_prefix (g_variant_get_string (text, NULL), summary))
        return g_variant_dup_string (body, NULL);
    }

  return NULL;
}

static gboolean
notified (gpointer data)
{
  g_autofree char *body = notification_body (data, "<b>Disk</b>");

  return body != NULL;
}

static gboolean
label_given (GtkWidget *widget,
             gpointer   data)
{
  return g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), data) == 0;
}

static gboolean
label_containing (GtkWidget *widget,
                  gpointer   data)
{
  return strstr (gtk_label_get_label (GTK_LABEL (widget)), data) != NULL;
}

/* The label under @root that was given @text (or, with @part, text that
 * contains it) shows it as text. */
static void
assert_shown_as_text (GtkWidget  *root,
                      const char *text,
                      gboolean    part,
                      const char *where)
{
  GtkWidget *label = app_test_find_widget (root, GTK_TYPE_LABEL,
                                           part ? label_containing : label_given, (gpointer) text);

  g_test_message ("%s: %s", where, label != NULL ? gtk_label_get_text (GTK_LABEL (label)) : "(no label)");
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_is_visible (label));
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (label)));
  if (part)
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), text));
  else
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, text);
}

static gboolean
row_text_containing (GtkWidget *widget,
                     gpointer   data)
{
  const char *text = pieper_row_text_get_text (PIEPER_ROW_TEXT (widget));

  return text != NULL && strstr (text, data) != NULL;
}

/* The list row's text (a PieperRowText, which has no markup: it lays its
 * text out as text) that is @text (or, with @part, contains it). */
static void
assert_row_shows_text (GtkWidget  *root,
                       const char *text,
                       gboolean    part,
                       const char *where)
{
  GtkWidget *row_text = app_test_find_widget (root, PIEPER_TYPE_ROW_TEXT, row_text_containing, (gpointer) text);

  g_test_message ("%s: %s", where, row_text != NULL ? pieper_row_text_get_text (PIEPER_ROW_TEXT (row_text)) : "(none)");
  g_assert_nonnull (row_text);
  g_assert_true (gtk_widget_is_visible (row_text));
  if (!part)
    g_assert_cmpstr (pieper_row_text_get_text (PIEPER_ROW_TEXT (row_text)), ==, text);
}

static gboolean
text_shown (GtkWidget *widget,
            gpointer   data)
{
  return strstr (gtk_label_get_text (GTK_LABEL (widget)), data) != NULL;
}

static gboolean
note_in_timeline (gpointer data)
{
  return app_test_find_widget (data, GTK_TYPE_LABEL, label_given, (gpointer) NOTE) != NULL;
}

static void
test_markup_is_text (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *escaped_service = g_markup_escape_text (SERVICE, -1);
  PieperWindow *window;
  GtkWidget *page, *service_row;

  f->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);

  f->dir = test_make_tmp_dir ();
  f->server = hostile_server_new ();
  serve (f, FALSE);

  store = pieper_store_open (f->dir, &error);
  g_assert_no_error (error);
  account = pieper_store_ensure_account (store, "pagerduty", hostile_server_get_url (f->server), EMAIL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  g_setenv ("PIEPER_TOKEN", TOKEN, TRUE);
  f->app = app_test_application (f->dir, FALSE);
  app_test_wait_for (synced_once, f, 20, "the first sync");
  app_test_run_for (300);

  /* The page, with markup in all the server says. */
  serve (f, TRUE);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "refresh", NULL);
  app_test_wait_for (notified, f, 20, "the page's notification");

  /* The summary is plain text (notifications/test-notifications.c checks
   * it, and that a title too long for it goes on in the body, escaped);
   * the body is markup, so it is escaped: the characters arrive, not the
   * formatting. */
  body = notification_body (f, TITLE);
  g_test_message ("notification body: %s", body);
  g_assert_nonnull (body);
  g_assert_nonnull (strstr (body, escaped_service));
  g_assert_null (strstr (body, "<"));

  incident = pieper_store_find_incident (pieper_application_get_store (f->app), INCIDENT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_incident_get_title (incident), ==, TITLE);

  window = pieper_window_new (f->app);
  app_test_present (GTK_WINDOW (window), 1280, 800);
  app_test_run_for (300);

  /* The list row: the title, and the service in its subtitle. */
  assert_row_shows_text (GTK_WIDGET (window), TITLE, FALSE, "list row title");
  assert_row_shows_text (GTK_WIDGET (window), SERVICE, TRUE, "list row subtitle");

  /* The incident page: its title and the service row's subtitle. */
  pieper_window_show_incident (window, pieper_incident_get_id (incident));
  app_test_run_for (300);
  page = GTK_WIDGET (pieper_window_get_incident_page (window));
  assert_shown_as_text (page, TITLE, FALSE, "page title");
  service_row = GTK_WIDGET (gtk_widget_get_template_child (page, PIEPER_TYPE_INCIDENT_PAGE, "service_row"));
  g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (service_row)));
  assert_shown_as_text (service_row, SERVICE, FALSE, "service row");

  /* The timeline, fetched now that the incident is in view: the note and
   * its author. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "refresh", NULL);
  app_test_wait_for (note_in_timeline, page, 20, "the note in the timeline");
  assert_shown_as_text (page, NOTE, FALSE, "timeline note");
  assert_shown_as_text (page, NAME, TRUE, "timeline heading");
  /* No date rather than year 9999 (or 1970). */
  assert_shown_as_text (page, "Note · Robin Future", FALSE, "timeline heading, unknown time");

  /* A message that quotes server text, as a toast: AdwToast's title is
   * markup, so the label is found by what it shows. */
  pieper_window_show_message (window, TOAST);
  app_test_run_for (300);
  {
    GtkWidget *toast = app_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, text_shown, (gpointer) "Could not queue");

    g_assert_nonnull (toast);
    g_test_message ("toast: %s", gtk_label_get_text (GTK_LABEL (toast)));
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (toast)), ==, TOAST);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_application_quit (G_APPLICATION (f->app));
  g_clear_object (&f->app);
  g_clear_object (&f->server);
  g_clear_object (&f->bus);
  test_remove_tree (f->dir);
  g_free (f->dir);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/markup/is-text", test_markup_is_text);

  return g_test_run ();
}
