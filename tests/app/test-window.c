/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "app-test-util.h"
#include "pieper-application-private.h"
#include "pieper-incident-list-model-private.h"
#include "pieper-incident-page.h"
#include "pieper-incident-row.h"
#include "pieper-incident-status-filter.h"
#include "pieper-preferences-window.h"
#include "pieper-row-text.h"
#include "pieper-window.h"
#include "test-util.h"

/*
 * The window against a store with incidents and a server that cannot be
 * reached: it folds on a phone and unfolds on a desktop, and acknowledging
 * from the incident page puts exactly one action in the outbox and shows it
 * pending on the page and in the list.
 */

static char *dir;
static PieperApplication *app;

#define N_INCIDENTS 12
/* More than a window shows at once. */
#define N_MANY      40

/* The account's incidents @first to @last, numbered from 100 + @first; the
 * list shows the highest first. */
static GPtrArray *
incidents_new (guint first,
               guint last)
{
  GPtrArray *incidents = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint n = first; n <= last; n++)
    {
      g_autofree char *remote_id = g_strdup_printf ("PWIN%04u", n);
      g_autofree char *title = g_strdup_printf ("checkout-api: p99 latency above %u00 ms", n);
      PieperIncident *incident = pieper_incident_new (remote_id);

      pieper_incident_set_number (incident, 100 + n);
      pieper_incident_set_title (incident, title);
      pieper_incident_set_status (incident, n % 3 == 0 ? PIEPER_STATUS_ACKNOWLEDGED : PIEPER_STATUS_TRIGGERED);
      pieper_incident_set_urgency (incident, n % 2 ? PIEPER_URGENCY_HIGH : PIEPER_URGENCY_LOW);
      pieper_incident_set_service (incident, "checkout-api");
      pieper_incident_set_escalation_policy (incident, "Checkout On-Call");
      pieper_incident_set_escalation_level (incident, 1);
      pieper_incident_set_created_at (incident, 1700000000 + n * 60);
      g_ptr_array_add (incidents, incident);
    }
  return incidents;
}

static void
fill_store (const char *data_dir)
{
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(PieperAccount) added = NULL;
  g_autoptr(GPtrArray) incidents = incidents_new (1, N_INCIDENTS);
  g_autoptr(GError) error = NULL;

  store = pieper_store_open (data_dir, &error);
  g_assert_no_error (error);
  /* Port 9 (discard) on loopback: nothing listens, so the app is offline. */
  account = pieper_account_new ("pagerduty", "http://127.0.0.1:9", "mira.jansen@example.com");
  added = pieper_store_add_account (store, account, &error);
  g_assert_no_error (error);

  g_assert_true (pieper_store_apply_snapshot (store, pieper_account_get_id (added), incidents, &error));
  g_assert_no_error (error);
}

static gboolean
offline (gpointer data)
{
  return pieper_sync_engine_get_state (pieper_application_get_engine (app)) == PIEPER_SYNC_STATE_OFFLINE;
}

static AdwLeaflet *
get_leaflet (PieperWindow *window)
{
  return ADW_LEAFLET (gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "leaflet"));
}

static void
test_folds (void)
{
  PieperWindow *phone = pieper_window_new (app);
  PieperWindow *desktop = pieper_window_new (app);

  app_test_present (GTK_WINDOW (phone), 360, 640);
  g_assert_true (adw_leaflet_get_folded (get_leaflet (phone)));
  /* Nothing wider than the phone. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (phone)), ==, 360);

  app_test_present (GTK_WINDOW (desktop), 1280, 800);
  g_assert_false (adw_leaflet_get_folded (get_leaflet (desktop)));

  gtk_window_destroy (GTK_WINDOW (phone));
  gtk_window_destroy (GTK_WINDOW (desktop));
}

/* What a window built at start holds: how many incident pages and account
 * forms, and how many of the app's widgets have a tooltip set (setting one
 * costs a round trip to the display). */
typedef struct
{
  guint pages;
  guint forms;
  guint tooltips_set;
} Held;

static void
count_held (GtkWidget *widget,
            Held      *held)
{
  if (PIEPER_IS_INCIDENT_PAGE (widget))
    held->pages++;
  if (PIEPER_IS_ACCOUNT_FORM (widget))
    held->forms++;
  /* GTK's own search entries set one on their clear icon. */
  if (gtk_widget_get_tooltip_text (widget) != NULL &&
      gtk_widget_get_ancestor (widget, GTK_TYPE_SEARCH_ENTRY) == NULL)
    {
      g_test_message ("tooltip set on a %s: %s", G_OBJECT_TYPE_NAME (widget),
                      gtk_widget_get_tooltip_text (widget));
      held->tooltips_set++;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count_held (child, held);
}

/* Whether librsvg is loaded in this process. */
static gboolean
librsvg_loaded (void)
{
  g_autofree char *maps = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, "librsvg") != NULL;
}

/* Whether @page's icon, at the size it is drawn, comes from an SVG file
 * (which GTK renders with librsvg) rather than one the theme has drawn. */
static gboolean
icon_drawn_from_svg (GtkWidget *page)
{
  GtkWidget *image = page;
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (page));
  g_autoptr(GtkIconPaintable) icon = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;
  int size;

  /* The status page's image: its first GtkImage, depth first. */
  while (image != NULL && !GTK_IS_IMAGE (image))
    {
      GtkWidget *next = gtk_widget_get_first_child (image);

      while (next == NULL && image != page)
        {
          next = gtk_widget_get_next_sibling (image);
          if (next == NULL)
            image = gtk_widget_get_parent (image);
        }
      if (image == page && next == NULL)
        break;
      image = next;
    }
  g_assert_true (GTK_IS_IMAGE (image));
  /* An image asks for exactly its icon's size. */
  gtk_widget_measure (image, GTK_ORIENTATION_HORIZONTAL, -1, &size, NULL, NULL, NULL);
  g_assert_cmpint (size, >, 0);

  icon = gtk_icon_theme_lookup_icon (theme, adw_status_page_get_icon_name (ADW_STATUS_PAGE (page)), NULL,
                                     size, gtk_widget_get_scale_factor (image),
                                     gtk_widget_get_direction (image), 0);
  file = gtk_icon_paintable_get_file (icon);
  g_assert_nonnull (file);
  uri = g_file_get_uri (file);

  return g_str_has_suffix (uri, ".svg");
}

/* Draws @widget once, as a frame would, so that its icons are loaded. */
static void
draw (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot),
                          gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
}

/* The first frame builds what it shows: not the incident page (no
 * incident is shown yet), not the first run's account form (there is an
 * account), and it sets no tooltip (they are given when asked for). The
 * page comes when an incident is shown, and the empty pane says what the
 * page would say. */
static void
test_start (void)
{
  PieperWindow *window = pieper_window_new (app);
  Held held = { 0, 0, 0 };
  GtkWidget *placeholder, *empty, *search;
  GtkStack *list_stack;
  gint64 id;

  app_test_present (GTK_WINDOW (window), 1280, 800);
  count_held (GTK_WIDGET (window), &held);
  g_assert_cmpuint (held.pages, ==, 0);
  g_assert_cmpuint (held.forms, ==, 0);
  g_assert_cmpuint (held.tooltips_set, ==, 0);
  g_assert_null (pieper_window_get_account_form (window));
  placeholder = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW,
                                                           "incident_placeholder"));
  g_assert_true (gtk_widget_get_mapped (placeholder));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (placeholder)), ==, "No Incident Selected");
  /* Its icon is one the icon theme has drawn at its size: one drawn from
   * its SVG would load librsvg, +8 MB at the first frame. */
  draw (placeholder);
  g_assert_false (icon_drawn_from_svg (placeholder));
  /* The development profile's striped header bar is itself drawn from an
   * SVG, so only a default build can show that nothing loaded librsvg. */
  if (g_strcmp0 (PROFILE, "development") != 0)
    g_assert_false (librsvg_loaded ());
  /* The empty list's page (its icon drawn from an SVG at its size, which
   * loads librsvg) is made only once it is shown. */
  list_stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "list_stack"));
  g_assert_null (gtk_stack_get_child_by_name (list_stack, "empty"));
  search = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "search_entry"));
  gtk_editable_set_text (GTK_EDITABLE (search), "no incident is called this");
  g_signal_emit_by_name (search, "search-changed");
  empty = gtk_stack_get_child_by_name (list_stack, "empty");
  g_assert_true (ADW_IS_STATUS_PAGE (empty));
  g_assert_true (gtk_stack_get_visible_child (list_stack) == empty);
  g_assert_true (gtk_widget_get_visible (empty) && gtk_widget_get_child_visible (empty));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (empty)), ==, "No Incidents");
  g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (empty)), ==, "emblem-ok-symbolic");
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  g_signal_emit_by_name (search, "search-changed");

  {
    g_autoptr(PieperIncident) incident = pieper_store_find_incident (pieper_application_get_store (app),
                                                                     "PWIN0001", NULL);
    id = pieper_incident_get_id (incident);
  }
  pieper_window_show_incident (window, id);
  memset (&held, 0, sizeof held);
  count_held (GTK_WIDGET (window), &held);
  g_assert_cmpuint (held.pages, ==, 1);
  g_assert_nonnull (pieper_incident_page_get_incident (pieper_window_get_incident_page (window)));
  g_assert_cmpint (pieper_incident_get_id (pieper_incident_page_get_incident (pieper_window_get_incident_page (window))),
                   ==, id);

  /* Back to none: the page stays, and says so itself. */
  pieper_window_show_incident (window, 0);
  g_assert_null (pieper_incident_page_get_incident (pieper_window_get_incident_page (window)));
  memset (&held, 0, sizeof held);
  count_held (GTK_WIDGET (window), &held);
  g_assert_cmpuint (held.pages, ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
row_of_incident (GtkWidget *widget,
                 gpointer   data)
{
  PieperIncident *incident = pieper_incident_row_get_incident (PIEPER_INCIDENT_ROW (widget));

  return incident != NULL && pieper_incident_get_id (incident) == *(gint64 *) data;
}

static gboolean
pending_shown (PieperWindow *window,
               gint64        id)
{
  GtkWidget *row = app_test_find_widget (GTK_WIDGET (window), PIEPER_TYPE_INCIDENT_ROW,
                                         row_of_incident, &id);
  GtkWidget *icon;

  g_assert_nonnull (row);
  icon = GTK_WIDGET (gtk_widget_get_template_child (row, PIEPER_TYPE_INCIDENT_ROW, "pending_icon"));
  return gtk_widget_get_visible (icon);
}

static void
test_acknowledge (void)
{
  PieperWindow *window = pieper_window_new (app);
  PieperOutbox *outbox = pieper_application_get_outbox (app);
  PieperStore *store = pieper_application_get_store (app);
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperIncident) after = NULL;
  g_autoptr(GPtrArray) actions = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *page, *button, *pending_box;
  gint64 id;

  incident = pieper_store_find_incident (store, "PWIN0005", &error);
  g_assert_no_error (error);
  id = pieper_incident_get_id (incident);
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_TRIGGERED);

  app_test_present (GTK_WINDOW (window), 1280, 800);
  g_assert_false (pending_shown (window, id));
  pieper_window_show_incident (window, id);

  page = GTK_WIDGET (pieper_window_get_incident_page (window));
  button = GTK_WIDGET (gtk_widget_get_template_child (page, PIEPER_TYPE_INCIDENT_PAGE, "acknowledge_button"));
  pending_box = GTK_WIDGET (gtk_widget_get_template_child (page, PIEPER_TYPE_INCIDENT_PAGE, "pending_box"));
  g_assert_true (gtk_widget_is_visible (button));
  g_assert_false (gtk_widget_is_visible (pending_box));

  /* A click, as the responder would. */
  g_signal_emit_by_name (button, "clicked");

  actions = pieper_outbox_list (outbox, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (actions->len, ==, 1);
  g_assert_cmpint (pieper_action_get_op (g_ptr_array_index (actions, 0)), ==, PIEPER_OP_ACKNOWLEDGE);
  g_assert_cmpint (pieper_action_get_incident_id (g_ptr_array_index (actions, 0)), ==, id);

  /* Shown pending at once, on the page and in the list. */
  g_assert_true (gtk_widget_is_visible (pending_box));
  app_test_run_for (300);
  g_assert_true (pending_shown (window, id));

  /* Acknowledged, so the button is gone; the action still waits, once. */
  g_assert_false (gtk_widget_is_visible (button));
  after = pieper_store_get_incident (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_status (after), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpuint (pieper_outbox_count_unsent (outbox, id), ==, 1);
  g_clear_pointer (&actions, g_ptr_array_unref);
  actions = pieper_outbox_list (outbox, -1, &error);
  g_assert_cmpuint (actions->len, ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The model the list shows, under the slice that keeps the first frame to
 * the rows that fit. */
static GListModel *
shown_model (GtkSelectionModel *selection)
{
  GListModel *slice = gtk_single_selection_get_model (GTK_SINGLE_SELECTION (selection));

  g_assert_true (GTK_IS_SLICE_LIST_MODEL (slice));
  return gtk_slice_list_model_get_model (GTK_SLICE_LIST_MODEL (slice));
}

/* The GtkFilterListModel the list shows, when it shows one. */
static GtkFilterListModel *
shown_filter (GtkSelectionModel *selection)
{
  GListModel *model = shown_model (selection);

  g_assert_true (GTK_IS_FILTER_LIST_MODEL (model));
  return GTK_FILTER_LIST_MODEL (model);
}

/* The list shows @incidents, in that order, and says how many. */
static void
assert_shown (PieperWindow *window,
              GPtrArray    *incidents)
{
  GtkWidget *list = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW,
                                                               "incident_list"));
  GObject *title = gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "list_title");
  GListModel *shown = G_LIST_MODEL (gtk_grid_view_get_model (GTK_GRID_VIEW (list)));
  g_autofree char *count = g_strdup_printf ("%u incidents", incidents->len);

  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, incidents->len);
  for (guint i = 0; i < incidents->len; i++)
    {
      g_autoptr(PieperIncident) item = g_list_model_get_item (shown, i);

      g_assert_cmpint (pieper_incident_get_id (item), ==, pieper_incident_get_id (g_ptr_array_index (incidents, i)));
    }
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title)), ==, count);
}

/* The list's filter and search. "All" with no search shows the model as
 * it is, with no filter to run: a filter asks for every incident, which
 * the model reads from the store (it keeps the few a view shows). */
static void
test_filter (void)
{
  PieperWindow *window = pieper_window_new (app);
  PieperStore *store = pieper_application_get_store (app);
  GtkWidget *dropdown = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW,
                                                                   "filter_dropdown"));
  GtkWidget *search = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW,
                                                                 "search_entry"));
  GtkWidget *list = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW,
                                                               "incident_list"));
  GtkSelectionModel *selection = gtk_grid_view_get_model (GTK_GRID_VIEW (list));
  GListModel *shown = G_LIST_MODEL (selection);
  g_autoptr(GPtrArray) triggered = NULL;
  g_autoptr(GError) error = NULL;

  app_test_present (GTK_WINDOW (window), 1280, 800);
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (dropdown)), ==, 1);
  g_assert_null (gtk_filter_list_model_get_filter (shown_filter (selection)));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, N_INCIDENTS);

  /* Triggered: the store's triggered incidents, in its order, from the
   * model's keys rather than through a filter. */
  triggered = pieper_store_list_incidents (store, PIEPER_FILTER_TRIGGERED, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (triggered->len, >, 0);
  g_assert_cmpuint (triggered->len, <, N_INCIDENTS);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 2);
  g_assert_true (PIEPER_IS_INCIDENT_STATUS_FILTER (shown_model (selection)));
  assert_shown (window, triggered);

  /* Triggered with a search: through the filter, which reads the text. */
  gtk_editable_set_text (GTK_EDITABLE (search), "above 200 ms");
  g_signal_emit_by_name (search, "search-changed");
  g_assert_nonnull (gtk_filter_list_model_get_filter (shown_filter (selection)));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  gtk_editable_set_text (GTK_EDITABLE (search), "above 300 ms");
  g_signal_emit_by_name (search, "search-changed");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);

  /* All with a search: only what matches. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 1);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  {
    g_autoptr(PieperIncident) item = g_list_model_get_item (shown, 0);

    g_assert_cmpstr (pieper_incident_get_remote_id (item), ==, "PWIN0003");
  }

  /* And back: no filter again. */
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  g_signal_emit_by_name (search, "search-changed");
  g_assert_null (gtk_filter_list_model_get_filter (shown_filter (selection)));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, N_INCIDENTS);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Switching filters reads from the store what the list shows at first,
 * no more: with 600 incidents more, 120 of them triggered, switching to
 * Triggered reads none of those it hides (a filter would read every
 * incident), nor every triggered one; and back to All reads not every
 * incident either. At most a block of the model (64 incidents) each. */
static void
test_filter_reads (void)
{
  PieperWindow *window = pieper_window_new (app);
  PieperStore *store = pieper_application_get_store (app);
  PieperIncidentListModel *model = pieper_application_get_incidents (app);
  GtkWidget *dropdown = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW,
                                                                   "filter_dropdown"));
  g_autoptr(PieperAccount) account = pieper_account_new ("pagerduty", "http://127.0.0.1:9", "other@example.com");
  g_autoptr(PieperAccount) added = NULL;
  g_autoptr(GPtrArray) incidents = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) triggered = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  guint n_read;

  added = pieper_store_add_account (store, account, &error);
  g_assert_no_error (error);
  for (guint n = 1; n <= 600; n++)
    {
      g_autofree char *remote_id = g_strdup_printf ("PREAD%04u", n);
      PieperIncident *incident = pieper_incident_new (remote_id);

      pieper_incident_set_number (incident, 1000 + n);
      pieper_incident_set_title (incident, "billing: queue depth");
      pieper_incident_set_status (incident, n % 5 == 0 ? PIEPER_STATUS_TRIGGERED : PIEPER_STATUS_RESOLVED);
      /* Older than the window's twelve, below them. */
      pieper_incident_set_created_at (incident, 1600000000 + n * 60);
      g_ptr_array_add (incidents, incident);
    }
  g_assert_true (pieper_store_apply_snapshot (store, pieper_account_get_id (added), incidents, &error));
  g_assert_no_error (error);
  g_assert_true (pieper_incident_list_model_refresh (model, &error));
  g_assert_no_error (error);
  triggered = pieper_store_list_incidents (store, PIEPER_FILTER_TRIGGERED, &error);
  g_assert_no_error (error);
  all = pieper_store_list_incidents (store, PIEPER_FILTER_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (triggered->len, >, 120);

  app_test_present (GTK_WINDOW (window), 1280, 800);
  n_read = _pieper_incident_list_model_get_n_read (model);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 2);
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_test_message ("%u incidents read to show %u", _pieper_incident_list_model_get_n_read (model) - n_read,
                  triggered->len);
  g_assert_cmpuint (_pieper_incident_list_model_get_n_read (model) - n_read, <=, 64);
  assert_shown (window, triggered);

  n_read = _pieper_incident_list_model_get_n_read (model);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 1);
  app_test_wait_frames (GTK_WIDGET (window), 2);
  g_test_message ("%u incidents read to show %u", _pieper_incident_list_model_get_n_read (model) - n_read,
                  all->len);
  g_assert_cmpuint (_pieper_incident_list_model_get_n_read (model) - n_read, <=, 64);
  assert_shown (window, all);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (pieper_store_remove_account (store, pieper_account_get_id (added), TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (pieper_incident_list_model_refresh (model, &error));
  g_assert_no_error (error);
}

static void
test_offline_banner (void)
{
  PieperWindow *window = pieper_window_new (app);
  GtkWidget *revealer;
  PieperRowText *reason;

  app_test_present (GTK_WINDOW (window), 1280, 800);
  app_test_wait_for (offline, NULL, 20, "the engine to find the server unreachable");
  revealer = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "offline_revealer"));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  /* And why, in the engine's words, as plain text. */
  reason = PIEPER_ROW_TEXT (gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "offline_reason"));
  g_assert_nonnull (pieper_sync_engine_get_last_error (pieper_application_get_engine (app)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (reason)));
  g_assert_cmpstr (pieper_row_text_get_text (reason), ==,
                   pieper_sync_engine_get_last_error (pieper_application_get_engine (app)));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The poll interval in the preferences is the engine's. */
static void
test_preferences (void)
{
  PieperWindow *window = pieper_window_new (app);
  GtkWindow *preferences = NULL;
  g_autoptr(GListModel) toplevels = NULL;
  GObject *adjustment;

  app_test_present (GTK_WINDOW (window), 1280, 800);
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);

  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (PIEPER_IS_PREFERENCES_WINDOW (toplevel))
        preferences = toplevel;
    }
  g_assert_nonnull (preferences);

  adjustment = gtk_widget_get_template_child (GTK_WIDGET (preferences), PIEPER_TYPE_PREFERENCES_WINDOW,
                                              "poll_interval_adjustment");
  g_assert_cmpfloat (gtk_adjustment_get_value (GTK_ADJUSTMENT (adjustment)), ==, 30);
  gtk_adjustment_set_value (GTK_ADJUSTMENT (adjustment), 120);
  g_assert_cmpuint (pieper_sync_engine_get_poll_interval (pieper_application_get_engine (app)), ==, 120);

  /* The alarm's choices reach the notifier through their keys. */
  {
    PieperNotifier *notifier = _pieper_application_get_notifier (app);
    GObject *sound_row = gtk_widget_get_template_child (GTK_WIDGET (preferences), PIEPER_TYPE_PREFERENCES_WINDOW,
                                                        "alarm_sound_row");
    GObject *volume = gtk_widget_get_template_child (GTK_WIDGET (preferences), PIEPER_TYPE_PREFERENCES_WINDOW,
                                                     "alarm_volume_adjustment");
    GObject *realert = gtk_widget_get_template_child (GTK_WIDGET (preferences), PIEPER_TYPE_PREFERENCES_WINDOW,
                                                      "realert_interval_adjustment");
    GObject *quiet_start = gtk_widget_get_template_child (GTK_WIDGET (preferences), PIEPER_TYPE_PREFERENCES_WINDOW,
                                                          "quiet_hours_start_adjustment");
    g_autofree char *sound = NULL;
    double sound_volume = 0;
    guint quiet_start_minute = 0;

    g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (sound_row)), ==, 0);
    adw_combo_row_set_selected (ADW_COMBO_ROW (sound_row), 1);
    gtk_adjustment_set_value (GTK_ADJUSTMENT (volume), 0.5);
    gtk_adjustment_set_value (GTK_ADJUSTMENT (realert), 5);
    gtk_adjustment_set_value (GTK_ADJUSTMENT (quiet_start), 23);
    g_object_get (pieper_notifier_get_alarm_sound (notifier), "sound", &sound, "volume", &sound_volume, NULL);
    g_assert_cmpstr (sound, ==, "pieper-beeper");
    g_assert_cmpfloat (sound_volume, ==, 0.5);
    g_assert_cmpuint (pieper_alarm_policy_get_realert_interval (pieper_notifier_get_policy (notifier)), ==, 5);
    g_object_get (pieper_notifier_get_policy (notifier), "quiet-hours-start", &quiet_start_minute, NULL);
    g_assert_cmpuint (quiet_start_minute, ==, 23 * 60);
  }

  gtk_window_destroy (preferences);
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  GListModel *model;
  guint       n_items;
} ItemsData;

static gboolean
has_items (gpointer data)
{
  ItemsData *items = data;

  return g_list_model_get_n_items (items->model) == items->n_items;
}

/* The store is given the account's incidents @first to @last, and the
 * list model reads them. */
static void
set_incidents (guint first,
               guint last)
{
  PieperStore *store = pieper_application_get_store (app);
  g_autoptr(GPtrArray) accounts = pieper_store_list_accounts (store, NULL);
  g_autoptr(GPtrArray) incidents = incidents_new (first, last);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (accounts);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_true (pieper_store_apply_snapshot (store, pieper_account_get_id (accounts->pdata[0]), incidents, &error));
  g_assert_no_error (error);
  g_assert_true (pieper_incident_list_model_refresh (pieper_application_get_incidents (app), &error));
  g_assert_no_error (error);
}

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
has_popover (gpointer data)
{
  return gtk_menu_button_get_popover (data) != NULL;
}

static gboolean
popover_hidden (gpointer data)
{
  return !gtk_widget_get_mapped (data);
}

static void
count_changes_cb (guint *changes)
{
  (*changes)++;
}

/* The main menu: its popover is made when it is first opened, from the
 * window's menu, and kept. */
static void
test_main_menu (void)
{
  PieperWindow *window = pieper_window_new (app);
  GObject *button = gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "menu_button");
  GObject *menu = gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "primary_menu");
  GtkWidget *toggle;
  GtkPopover *popover;
  guint sensitivity_changes = 0;

  app_test_present (GTK_WINDOW (window), 1280, 800);
  /* GTK 4.8 makes the button inside insensitive when there is nothing to
   * open; clicks and screen readers go to it. */
  toggle = gtk_widget_get_first_child (GTK_WIDGET (button));
  g_assert_true (GTK_IS_TOGGLE_BUTTON (toggle));
  g_assert_null (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  g_assert_true (gtk_widget_is_sensitive (toggle));
  g_assert_true (gtk_menu_button_get_primary (GTK_MENU_BUTTON (button)));
  g_assert_cmpint (g_menu_model_get_n_items (G_MENU_MODEL (menu)), >, 0);

  /* As a click does (GtkButton's activation ends a moment later). */
  g_signal_connect_swapped (toggle, "notify::sensitive", G_CALLBACK (count_changes_cb), &sensitivity_changes);
  gtk_widget_activate (toggle);
  app_test_wait_for (has_popover, button, 10, "the main menu to be made");
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  g_assert_true (GTK_IS_POPOVER_MENU (popover));
  g_assert_true (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button)) == G_MENU_MODEL (menu));
  app_test_wait_for (popover_shown, popover, 10, "the main menu to open");
  g_assert_cmpuint (sensitivity_changes, ==, 0);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  app_test_wait_for (popover_hidden, popover, 10, "the main menu to close");

  /* Opened again: the same popover. */
  gtk_widget_activate (toggle);
  g_assert_true (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)) == popover);
  app_test_wait_for (popover_shown, popover, 10, "the main menu to open again");
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (toggle));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Until its first frame, a window has rows only for the incidents that fit
 * in it, however small they are; the rest come once the frame is painted.
 * Its count is of all of them throughout, also of one that comes below the
 * cut before that frame. Last: it leaves the account more incidents than
 * the tests before it expect. */
static void
test_first_frame_rows (void)
{
  PieperWindow *window;
  GObject *list, *title;
  ItemsData items;

  set_incidents (1, N_MANY);

  window = pieper_window_new (app);
  list = gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "incident_list");
  title = gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "list_title");
  items.model = G_LIST_MODEL (gtk_grid_view_get_model (GTK_GRID_VIEW (list)));
  items.n_items = N_MANY;
  /* Fewer rows than incidents, but all that the window's default 720 px
   * show: the list has about 620 px of them, and a row is 49 px at the
   * least with the default font (the window counts 44, for a smaller one;
   * below about 9 pt the first frame leaves a strip at the bottom). */
  g_assert_cmpuint (g_list_model_get_n_items (items.model), <, N_MANY);
  g_assert_cmpuint (g_list_model_get_n_items (items.model), >=, (720 - 100) / 49 + 1);
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title)), ==, "40 incidents");

  /* One more, listed last: below the cut. */
  set_incidents (0, N_MANY);
  items.n_items = N_MANY + 1;

  app_test_present (GTK_WINDOW (window), 1280, 800);
  app_test_wait_for (has_items, &items, 10, "all incidents in the list");
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title)), ==, "41 incidents");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);

  dir = test_make_tmp_dir ();
  fill_store (dir);
  g_setenv ("PIEPER_TOKEN", "window-test-token", TRUE);
  app = app_test_application (dir, FALSE);

  g_test_add_func ("/app/window/folds", test_folds);
  g_test_add_func ("/app/window/start", test_start);
  g_test_add_func ("/app/window/acknowledge", test_acknowledge);
  g_test_add_func ("/app/window/filter", test_filter);
  g_test_add_func ("/app/window/filter-reads", test_filter_reads);
  g_test_add_func ("/app/window/offline-banner", test_offline_banner);
  g_test_add_func ("/app/window/preferences", test_preferences);
  g_test_add_func ("/app/window/main-menu", test_main_menu);
  g_test_add_func ("/app/window/first-frame-rows", test_first_frame_rows);

  status = g_test_run ();

  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  test_remove_tree (dir);
  g_free (dir);
  return status;
}
