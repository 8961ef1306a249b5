/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "app-test-util.h"
#include "pieper-incident-row.h"
#include "pieper-row-text.h"

/*
 * An incident row as the list shows it: laid out by the row itself (no
 * boxes), its title wrapped to two lines at most, its texts said whole to
 * a screen reader, and mirrored right to left.
 */

#define SHORT_TITLE "Disk full"
#define LONG_TITLE  "High 5xx error rate on checkout-api: 12.3% of requests failing since the deploy"

static PieperIncident *
make_incident (const char *title,
               guint       pending)
{
  PieperIncident *incident = pieper_incident_new ("PROW1");

  pieper_incident_set_id (incident, 1);
  pieper_incident_set_number (incident, 4711);
  pieper_incident_set_title (incident, title);
  pieper_incident_set_service (incident, "checkout-api");
  pieper_incident_set_status (incident, PIEPER_STATUS_TRIGGERED);
  pieper_incident_set_urgency (incident, PIEPER_URGENCY_HIGH);
  pieper_incident_set_pending (incident, pending);
  return incident;
}

/* A 360 px window (a phone) showing one row for @incident. */
static GtkWidget *
show_row (PieperIncident *incident,
          GtkWindow     **window_out)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *row = pieper_incident_row_new ();

  pieper_incident_row_set_incident (PIEPER_INCIDENT_ROW (row), incident);
  gtk_widget_set_valign (row, GTK_ALIGN_START);
  gtk_window_set_child (window, row);
  app_test_present (window, 360, 200);
  *window_out = window;
  return row;
}

static GtkWidget *
child (GtkWidget  *row,
       const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (row, PIEPER_TYPE_INCIDENT_ROW, name));
}

static graphene_rect_t
bounds (GtkWidget *row,
        const char *name)
{
  graphene_rect_t rect;

  g_assert_true (gtk_widget_compute_bounds (child (row, name), row, &rect));
  return rect;
}

static float
right (graphene_rect_t r)
{
  return r.origin.x + r.size.width;
}

static float
bottom (graphene_rect_t r)
{
  return r.origin.y + r.size.height;
}

static void
test_layout (void)
{
  g_autoptr(PieperIncident) incident = make_incident (LONG_TITLE, 1);
  GtkWindow *window = NULL;
  GtkWidget *row = show_row (incident, &window);
  graphene_rect_t icon = bounds (row, "status_icon");
  graphene_rect_t title = bounds (row, "title_label");
  graphene_rect_t status = bounds (row, "status_label");
  graphene_rect_t urgency = bounds (row, "urgency_label");
  graphene_rect_t subtitle = bounds (row, "subtitle_label");
  graphene_rect_t pending = bounds (row, "pending_icon");
  float width = gtk_widget_get_width (row);
  float height = gtk_widget_get_height (row);

  /* Icon | title over the badge line | pending icon, none overlapping. */
  g_assert_cmpfloat (icon.origin.x, ==, 0);
  g_assert_cmpfloat (right (icon) + 12, <=, title.origin.x);
  g_assert_cmpfloat (right (title) + 12, <=, pending.origin.x);
  g_assert_cmpfloat (right (pending), ==, width);
  g_assert_cmpfloat (bottom (title), <=, status.origin.y);
  g_assert_cmpfloat (status.origin.x, ==, title.origin.x);
  g_assert_cmpfloat (right (status), <=, urgency.origin.x);
  g_assert_cmpfloat (right (urgency), <=, subtitle.origin.x);
  g_assert_cmpfloat (right (subtitle), ==, right (title));
  g_assert_cmpfloat (status.origin.y, ==, subtitle.origin.y);
  g_assert_cmpfloat (urgency.origin.y, ==, subtitle.origin.y);
  g_assert_cmpfloat (bottom (subtitle), <=, height);
  g_assert_cmpfloat (status.size.width, >, 0);
  g_assert_cmpfloat (subtitle.size.width, >, 0);

  /* The icons in the middle of the row. */
  g_assert_cmpfloat (fabsf (icon.origin.y + icon.size.height / 2 - height / 2), <=, 1);
  g_assert_cmpfloat (fabsf (pending.origin.y + pending.size.height / 2 - height / 2), <=, 1);

  gtk_window_destroy (window);
}

static int
title_height (const char *title)
{
  g_autoptr(PieperIncident) incident = make_incident (title, 0);
  GtkWindow *window = NULL;
  GtkWidget *row = show_row (incident, &window);
  int height = gtk_widget_get_height (child (row, "title_label"));

  gtk_window_destroy (window);
  return height;
}

static void
test_wrap (void)
{
  g_autoptr(GString) longer = g_string_new (NULL);
  int one_line = title_height (SHORT_TITLE);
  int two_lines = title_height (LONG_TITLE);

  /* At 360 px the long title takes two lines; a longer one no more. */
  for (guint i = 0; i < 8; i++)
    g_string_append (longer, LONG_TITLE " ");

  g_assert_cmpint (one_line, >, 0);
  g_assert_cmpint (two_lines, >=, 2 * one_line - 2);
  g_assert_cmpint (two_lines, <=, 2 * one_line + 2);
  g_assert_cmpint (title_height (longer->str), ==, two_lines);
}

static int
height_for (GtkWidget *row,
            int        width)
{
  int height;

  gtk_widget_measure (row, GTK_ORIENTATION_VERTICAL, width, &height, NULL, NULL, NULL);
  return height;
}

static void
test_least_width (void)
{
  g_autoptr(PieperIncident) incident = make_incident (SHORT_TITLE, 0);
  GtkWindow *window = NULL;
  GtkWidget *row = show_row (incident, &window);
  int least, tallest, shown;

  gtk_widget_measure (row, GTK_ORIENTATION_HORIZONTAL, -1, &least, NULL, NULL, NULL);
  tallest = height_for (row, -1);
  shown = height_for (row, gtk_widget_get_width (row));

  /* The short title takes one line where the row is shown, and one a
   * pixel wider than its least width too; at that width (the grid view's
   * question for no width) the row answers as for none, its title's two
   * lines, without laying the title out. */
  g_assert_cmpint (least, <, gtk_widget_get_width (row));
  g_assert_cmpint (shown, <, tallest);
  g_assert_cmpint (height_for (row, least + 1), ==, shown);
  g_assert_cmpint (height_for (row, least), ==, tallest);

  gtk_window_destroy (window);
}

static void
test_pending_hidden (void)
{
  g_autoptr(PieperIncident) incident = make_incident (LONG_TITLE, 0);
  GtkWindow *window = NULL;
  GtkWidget *row = show_row (incident, &window);

  /* With nothing waiting to sync, the title reaches the row's end. */
  g_assert_false (gtk_widget_get_visible (child (row, "pending_icon")));
  g_assert_cmpfloat (right (bounds (row, "title_label")), ==, gtk_widget_get_width (row));

  gtk_window_destroy (window);
}

static void
test_right_to_left (void)
{
  g_autoptr(PieperIncident) incident = make_incident (LONG_TITLE, 1);
  GtkWindow *window = NULL;
  GtkWidget *row;
  graphene_rect_t icon, title, status, urgency, pending;

  gtk_widget_set_default_direction (GTK_TEXT_DIR_RTL);
  row = show_row (incident, &window);
  icon = bounds (row, "status_icon");
  title = bounds (row, "title_label");
  status = bounds (row, "status_label");
  urgency = bounds (row, "urgency_label");
  pending = bounds (row, "pending_icon");

  g_assert_cmpfloat (right (icon), ==, gtk_widget_get_width (row));
  g_assert_cmpfloat (right (title) + 12, <=, icon.origin.x);
  g_assert_cmpfloat (pending.origin.x, ==, 0);
  g_assert_cmpfloat (right (status), ==, right (title));
  g_assert_cmpfloat (right (urgency), <=, status.origin.x);

  gtk_window_destroy (window);
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);
}

static void
test_accessible (void)
{
  g_autoptr(PieperIncident) incident = make_incident (LONG_TITLE, 0);
  GtkWindow *window = NULL;
  GtkWidget *row = show_row (incident, &window);

  /* Said whole, however the row cuts it. */
  gtk_test_accessible_assert_role (child (row, "title_label"), GTK_ACCESSIBLE_ROLE_LABEL);
  gtk_test_accessible_assert_property (child (row, "title_label"), GTK_ACCESSIBLE_PROPERTY_LABEL, LONG_TITLE);
  gtk_test_accessible_assert_property (child (row, "subtitle_label"), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "#4711 · checkout-api");
  g_assert_cmpstr (pieper_row_text_get_text (PIEPER_ROW_TEXT (child (row, "title_label"))), ==, LONG_TITLE);

  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/incident-row/layout", test_layout);
  g_test_add_func ("/app/incident-row/wrap", test_wrap);
  g_test_add_func ("/app/incident-row/least-width", test_least_width);
  g_test_add_func ("/app/incident-row/pending-hidden", test_pending_hidden);
  g_test_add_func ("/app/incident-row/right-to-left", test_right_to_left);
  g_test_add_func ("/app/incident-row/accessible", test_accessible);

  return g_test_run ();
}
