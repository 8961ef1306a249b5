/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "app-test-util.h"
#include "pieper-incident-page.h"
#include "pieper-incident-row.h"
#include "pieper-preferences-window.h"
#include "pieper-welcome-page.h"
#include "pieper-window.h"
#include "test-util.h"

/*
 * Accessibility, checked on every window the app shows, by walking its
 * widget tree rather than naming widgets, so that pages added later are
 * covered as they come:
 *
 * - every control a person can operate (buttons, menu and split buttons,
 *   menu items, activatable rows, toggles, switches, check buttons,
 *   drop-downs) has a name: a label of
 *   its own, a label inside it, or a tooltip. GTK 4.8 has no getter for
 *   accessible properties, so an accessible label alone does not count;
 * - status and urgency are said in words in every list row and on the
 *   incident page, never by colour alone;
 * - on a phone (360 px wide), nothing makes the window wider, and every
 *   control shown is at least 32×32 px, the size of libadwaita's own
 *   buttons (34 px high), so it can be hit with a finger.
 *
 * The walk covers every widget whose visible property is set and whose
 * ancestors' are too, mapped or not, so a stack page or preferences page
 * not on screen is still checked for names; sizes are checked on what is
 * mapped, which is what has been laid out.
 */

#define MIN_TARGET 32
#define PHONE_WIDTH 360

static char *dir;
static PieperApplication *app;

/* Incidents like the demo's: several services and statuses, both
 * urgencies, links, assignees and a timeline with a conflict. */
static void
fill_store (const char *data_dir)
{
  static const struct
  {
    const char   *title;
    const char   *service;
    PieperStatus  status;
    PieperUrgency urgency;
  } incidents[] = {
    { "checkout-api: p99 latency above 2 s", "checkout-api", PIEPER_STATUS_TRIGGERED, PIEPER_URGENCY_HIGH },
    { "payments: card authorisations failing", "payments", PIEPER_STATUS_ACKNOWLEDGED, PIEPER_URGENCY_HIGH },
    { "search: index lagging behind by 10 minutes", "search", PIEPER_STATUS_TRIGGERED, PIEPER_URGENCY_LOW },
    { "cdn: error rate above 1% in eu-west", "cdn", PIEPER_STATUS_ACKNOWLEDGED, PIEPER_URGENCY_LOW },
    { "auth: token refresh errors", "auth", PIEPER_STATUS_RESOLVED, PIEPER_URGENCY_HIGH },
    { "billing: nightly invoice run late", "billing", PIEPER_STATUS_TRIGGERED, PIEPER_URGENCY_HIGH },
  };
  const char *names[] = { "Mira Jansen", NULL };
  const char *ids[] = { "PMIRA01", NULL };
  const char *others[] = { "Joris de Vries", NULL };
  const char *other_ids[] = { "PJORIS1", NULL };
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(PieperAccount) added = NULL;
  g_autoptr(PieperIncident) first = NULL;
  g_autoptr(GPtrArray) snapshot = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) timeline = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  PieperTimelineEntry *entry;

  store = pieper_store_open (data_dir, &error);
  g_assert_no_error (error);
  /* Port 9 on loopback: nothing listens, so the app is offline, with the
   * banner showing. */
  account = pieper_account_new ("pagerduty", "http://127.0.0.1:9", "mira.jansen@example.com");
  added = pieper_store_add_account (store, account, &error);
  g_assert_no_error (error);

  for (guint n = 0; n < G_N_ELEMENTS (incidents); n++)
    {
      g_autofree char *remote_id = g_strdup_printf ("PA11Y%02u", n);
      PieperIncident *incident = pieper_incident_new (remote_id);

      pieper_incident_set_number (incident, 2001 + n);
      pieper_incident_set_title (incident, incidents[n].title);
      pieper_incident_set_status (incident, incidents[n].status);
      pieper_incident_set_urgency (incident, incidents[n].urgency);
      pieper_incident_set_service (incident, incidents[n].service);
      pieper_incident_set_priority (incident, "P1");
      pieper_incident_set_escalation_policy (incident, "Platform On-Call");
      pieper_incident_set_escalation_level (incident, 1);
      pieper_incident_set_assignees (incident, n % 2 ? others : names);
      pieper_incident_set_assignee_ids (incident, n % 2 ? other_ids : ids);
      pieper_incident_set_created_at (incident, 1700000000 - n * 600);
      pieper_incident_set_chat_url (incident, "https://chat.example.com/incident");
      pieper_incident_set_video_url (incident, "https://meet.example.com/incident");
      pieper_incident_set_status_page_url (incident, "https://status.example.com/");
      pieper_incident_set_postmortem_url (incident, "https://wiki.example.com/postmortem");
      g_ptr_array_add (snapshot, incident);
    }
  g_assert_true (pieper_store_apply_snapshot (store, pieper_account_get_id (added), snapshot, &error));
  g_assert_no_error (error);

  first = pieper_store_find_incident (store, "PA11Y00", &error);
  g_assert_no_error (error);
  entry = pieper_timeline_entry_new (PIEPER_TIMELINE_NOTE);
  pieper_timeline_entry_set_remote_id (entry, "NOTE1");
  pieper_timeline_entry_set_author (entry, "Joris de Vries");
  pieper_timeline_entry_set_at (entry, 1700000300);
  pieper_timeline_entry_set_body (entry, "Rolled back the 14:02 deploy; watching the graphs.");
  g_ptr_array_add (timeline, entry);
  entry = pieper_timeline_entry_new (PIEPER_TIMELINE_CONFLICT);
  pieper_timeline_entry_set_remote_id (entry, "CONFLICT1");
  pieper_timeline_entry_set_author (entry, "Joris de Vries");
  pieper_timeline_entry_set_at (entry, 1700000400);
  pieper_timeline_entry_set_body (entry, "Resolved on the server before your acknowledgement was sent");
  g_ptr_array_add (timeline, entry);
  g_assert_true (pieper_store_apply_timeline (store, pieper_incident_get_id (first), timeline, &error));
  g_assert_no_error (error);
}

/* The checks */

typedef struct
{
  const char *where;
  gboolean    check_size;
  GString    *failures;
  guint       n_controls;
  guint       n_sized;
} Walk;

/* The items of a menu (GMenuModel in a GtkPopoverMenu) are GTK's private
 * GtkModelButton, named by their "text". */
static gboolean
is_menu_item (GtkWidget *widget)
{
  return g_str_equal (G_OBJECT_TYPE_NAME (widget), "GtkModelButton");
}

static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) ||        /* and toggle, link, check-less toggles */
         is_menu_item (widget) ||
         (GTK_IS_LIST_BOX_ROW (widget) && gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget))) ||
         GTK_IS_MENU_BUTTON (widget) ||
         ADW_IS_SPLIT_BUTTON (widget) ||
         GTK_IS_SWITCH (widget) ||
         GTK_IS_CHECK_BUTTON (widget) ||
         GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_SCALE_BUTTON (widget);
}

static gboolean
has_text (const char *text)
{
  return text != NULL && *text != '\0';
}

/* A visible GtkLabel with text inside @widget. */
static gboolean
has_label_inside (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child) && has_text (gtk_label_get_text (GTK_LABEL (child))))
        return TRUE;
      if (has_label_inside (child))
        return TRUE;
    }

  return FALSE;
}

static gboolean
has_own_label (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && has_text (gtk_button_get_label (GTK_BUTTON (widget))))
    return TRUE;
  if (GTK_IS_MENU_BUTTON (widget) && has_text (gtk_menu_button_get_label (GTK_MENU_BUTTON (widget))))
    return TRUE;
  if (ADW_IS_SPLIT_BUTTON (widget) && has_text (adw_split_button_get_label (ADW_SPLIT_BUTTON (widget))))
    return TRUE;
  if (GTK_IS_CHECK_BUTTON (widget) && has_text (gtk_check_button_get_label (GTK_CHECK_BUTTON (widget))))
    return TRUE;
  if (is_menu_item (widget))
    {
      g_autofree char *text = NULL;

      g_object_get (widget, "text", &text, NULL);
      return has_text (text);
    }
  return FALSE;
}

/* Whether @widget has a tooltip to show now. */
static gboolean
queries_tooltip (GtkWidget *widget)
{
  g_autoptr(GtkTooltip) tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  gboolean shown = FALSE;

  g_signal_emit_by_name (widget, "query-tooltip", 0, 0, FALSE, tooltip, &shown);
  return shown;
}

/* A tooltip set, or one given when asked for (the window's are: setting
 * one costs a round trip to the display at start). */
static gboolean
has_tooltip (GtkWidget *widget)
{
  return has_text (gtk_widget_get_tooltip_text (widget)) ||
         has_text (gtk_widget_get_tooltip_markup (widget)) ||
         (gtk_widget_get_has_tooltip (widget) && queries_tooltip (widget));
}

/* The control a part belongs to: the button inside a menu button, and the
 * + and − of a spin button, are named by the widget they are part of. */
static GtkWidget *
owner (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  if (parent != NULL && (GTK_IS_MENU_BUTTON (parent) || GTK_IS_SPIN_BUTTON (parent)))
    return parent;
  return widget;
}

/* What a finger has to hit: a row that activates the widget (a switch at
 * the end of a preferences row) is the target, else the widget itself. */
static GtkWidget *
target (GtkWidget *widget)
{
  GtkWidget *row = gtk_widget_get_ancestor (widget, ADW_TYPE_ACTION_ROW);

  if (row != NULL && adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)) == widget &&
      gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)))
    return row;
  return widget;
}

/* A switch or check button at the end of a preferences row is named by
 * the row's title, which is its label on screen. */
static gboolean
named_by_row (GtkWidget *widget)
{
  GtkWidget *row;

  if (!GTK_IS_SWITCH (widget) && !GTK_IS_CHECK_BUTTON (widget))
    return FALSE;

  row = gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_ROW);
  return row != NULL && has_text (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
}

/* Two sets of buttons are GTK's own, built in code where no template can
 * reach them, and GTK gives them accessible labels: the window's close,
 * minimize and maximize buttons, and the search and section buttons in the
 * shortcuts window's header bar. Everything else is the app's to name. */
static gboolean
named_by_toolkit (GtkWidget *widget)
{
  return gtk_widget_get_ancestor (widget, GTK_TYPE_WINDOW_CONTROLS) != NULL ||
         (gtk_widget_get_ancestor (widget, GTK_TYPE_SHORTCUTS_WINDOW) != NULL &&
          gtk_widget_get_ancestor (widget, GTK_TYPE_HEADER_BAR) != NULL);
}

static gboolean
is_named (GtkWidget *widget)
{
  GtkWidget *control = owner (widget);

  return has_own_label (control) || has_tooltip (control) ||
         has_label_inside (widget) || named_by_row (widget) || named_by_toolkit (widget);
}

static void
fail (Walk       *walk,
      GtkWidget  *widget,
      const char *why)
{
  g_autofree char *path = NULL;
  GString *trail = g_string_new (NULL);

  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      const char *id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (w));

      g_string_prepend (trail, id != NULL ? id : G_OBJECT_TYPE_NAME (w));
      if (gtk_widget_get_parent (w) != NULL)
        g_string_prepend (trail, " > ");
    }
  path = g_string_free (trail, FALSE);
  g_string_append_printf (walk->failures, "%s: %s: %s\n", walk->where, why, path);
}

static void
check_control (Walk      *walk,
               GtkWidget *widget)
{
  walk->n_controls++;

  if (!is_named (widget))
    fail (walk, widget, "no label or tooltip");

  if (walk->check_size && gtk_widget_get_mapped (widget))
    {
      graphene_rect_t bounds;
      int width, height;

      /* The border box: where a tap lands on the widget (the content
       * size leaves out the padding). */
      g_assert_true (gtk_widget_compute_bounds (target (widget), target (widget), &bounds));
      width = (int) graphene_rect_get_width (&bounds);
      height = (int) graphene_rect_get_height (&bounds);

      walk->n_sized++;
      if (width < MIN_TARGET || height < MIN_TARGET)
        {
          g_autofree char *why = g_strdup_printf ("%d×%d px, smaller than %d×%d",
                                                  width, height, MIN_TARGET, MIN_TARGET);
          fail (walk, widget, why);
        }
    }
}

static void
walk_tree (Walk      *walk,
           GtkWidget *widget)
{
  if (!gtk_widget_get_visible (widget))
    return;

  if (is_control (widget))
    check_control (walk, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    walk_tree (walk, child);
}

/* Walks @root and fails the test with every widget that breaks a rule. */
static void
check_window (GtkWidget  *root,
              const char *where,
              gboolean    check_size)
{
  Walk walk = { where, check_size, g_string_new (NULL), 0, 0 };

  /* Nothing on a phone asks for more than its width: the window would
   * grow here, and be clipped on a phone, whose shell sets its size. */
  if (check_size && gtk_widget_get_width (root) != PHONE_WIDTH)
    g_string_append_printf (walk.failures, "%s: the window is %d px wide, not %d\n",
                            where, gtk_widget_get_width (root), PHONE_WIDTH);

  walk_tree (&walk, root);
  g_test_message ("%s: %u controls, %u of them measured", where, walk.n_controls, walk.n_sized);
  g_assert_cmpuint (walk.n_controls, >, 0);
  if (walk.failures->len > 0)
    g_error ("Accessibility:\n%s", walk.failures->str);
  g_string_free (walk.failures, TRUE);
}

static void
assert_says (GtkWidget  *widget,
             const char *text)
{
  g_assert_true (gtk_widget_is_visible (widget));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (widget)), ==, text);
}

/* Every row shown says its status and urgency in words. */
static guint
check_rows (GtkWidget *widget)
{
  guint n = 0;

  if (PIEPER_IS_INCIDENT_ROW (widget) && gtk_widget_get_mapped (widget))
    {
      PieperIncident *incident = pieper_incident_row_get_incident (PIEPER_INCIDENT_ROW (widget));
      GtkWidget *status = GTK_WIDGET (gtk_widget_get_template_child (widget, PIEPER_TYPE_INCIDENT_ROW, "status_label"));
      GtkWidget *urgency = GTK_WIDGET (gtk_widget_get_template_child (widget, PIEPER_TYPE_INCIDENT_ROW, "urgency_label"));

      g_assert_nonnull (incident);
      assert_says (status, _pieper_status_label (pieper_incident_get_status (incident)));
      assert_says (urgency, pieper_incident_get_urgency (incident) == PIEPER_URGENCY_HIGH ? "High" : "Low");
      /* What "High" is about: said to a screen reader, and shown as a
       * tooltip (asked for when shown, not set on every bind). */
      gtk_test_accessible_assert_property (urgency, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                           _pieper_urgency_label (pieper_incident_get_urgency (incident)));
      g_assert_true (gtk_widget_get_has_tooltip (urgency));
      g_assert_true (queries_tooltip (urgency));
      return 1;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += check_rows (child);

  return n;
}

static GtkWidget *
page_of (PieperWindow *window)
{
  return GTK_WIDGET (pieper_window_get_incident_page (window));
}

static GtkWidget *
page_child (GtkWidget  *page,
            const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (page, PIEPER_TYPE_INCIDENT_PAGE, name));
}

static void
check_page_words (GtkWidget *page)
{
  PieperIncident *incident = pieper_incident_page_get_incident (PIEPER_INCIDENT_PAGE (page));

  g_assert_nonnull (incident);
  assert_says (page_child (page, "status_label"), _pieper_status_label (pieper_incident_get_status (incident)));
  assert_says (page_child (page, "urgency_label"), _pieper_urgency_label (pieper_incident_get_urgency (incident)));
}

static gint64
incident_id (const char *remote_id)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  incident = pieper_store_find_incident (pieper_application_get_store (app), remote_id, &error);
  g_assert_no_error (error);
  return pieper_incident_get_id (incident);
}

static gboolean
leaflet_still (gpointer data)
{
  AdwLeaflet *leaflet = ADW_LEAFLET (gtk_widget_get_template_child (data, PIEPER_TYPE_WINDOW, "leaflet"));

  return !adw_leaflet_get_child_transition_running (leaflet);
}

static gboolean
mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
wait_shown (PieperWindow *window,
            GtkWidget    *widget)
{
  app_test_wait_for (mapped, widget, 30, "a widget to be shown");
  app_test_wait_for (leaflet_still, window, 30, "the leaflet to stop moving");
  app_test_wait_frames (widget, 3);
}

/* The incident page with every button its status allows: Acknowledge,
 * Escalate, Reassign and Resolve on a triggered incident, Snooze on an
 * acknowledged one. Each is walked with the reassign popover open too. */
static void
check_incident (PieperWindow *window,
                const char   *remote_id,
                const char   *where,
                gboolean      phone)
{
  GtkWidget *page;
  GtkWidget *reassign;
  g_autofree char *with_popover = g_strconcat (where, ", reassigning", NULL);

  pieper_window_show_incident (window, incident_id (remote_id));
  page = page_of (window);
  wait_shown (window, page);
  check_page_words (page);
  check_window (GTK_WIDGET (window), where, phone);

  reassign = page_child (page, "reassign_button");
  g_assert_true (gtk_widget_get_mapped (reassign));
  /* Under Xvfb, with no window manager, a popover's grab can fail on a
   * busy machine and hide it at once. */
  gtk_popover_set_autohide (gtk_menu_button_get_popover (GTK_MENU_BUTTON (reassign)), FALSE);
  gtk_menu_button_popup (GTK_MENU_BUTTON (reassign));
  wait_shown (window, GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (reassign))));
  check_window (GTK_WIDGET (window), with_popover, phone);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (reassign));
}

/* The choices of a menu button (the escalation levels, the snooze
 * durations), open. */
static void
check_menu (PieperWindow *window,
            GtkWidget    *menu_button,
            const char   *where,
            gboolean      phone)
{
  GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));

  g_assert_nonnull (popover);
  gtk_popover_set_autohide (popover, FALSE);
  gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
  wait_shown (window, GTK_WIDGET (popover));
  check_window (GTK_WIDGET (window), where, phone);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (menu_button));
}

static void
test_main_window (gconstpointer data)
{
  gboolean phone = GPOINTER_TO_INT (data);
  PieperWindow *window = pieper_window_new (app);
  GtkWidget *page;
  const char *size = phone ? "360×640" : "1280×800";
  g_autofree char *list = g_strdup_printf ("window %s, list", size);
  g_autofree char *triggered = g_strdup_printf ("window %s, triggered incident", size);
  g_autofree char *acknowledged = g_strdup_printf ("window %s, acknowledged incident", size);
  g_autofree char *levels = g_strdup_printf ("window %s, escalation levels", size);
  g_autofree char *durations = g_strdup_printf ("window %s, snooze durations", size);

  app_test_present (GTK_WINDOW (window), phone ? PHONE_WIDTH : 1280, phone ? 640 : 800);
  g_assert_cmpuint (check_rows (GTK_WIDGET (window)), >=, 4);
  check_window (GTK_WIDGET (window), list, phone);

  check_incident (window, "PA11Y00", triggered, phone);
  page = page_of (window);
  g_assert_true (gtk_widget_get_mapped (page_child (page, "acknowledge_button")));
  g_assert_true (gtk_widget_get_mapped (page_child (page, "escalate_button")));
  g_assert_true (gtk_widget_get_mapped (page_child (page, "resolve_button")));
  /* The split button's arrow half is the menu button. */
  check_menu (window, gtk_widget_get_last_child (page_child (page, "escalate_button")), levels, phone);

  check_incident (window, "PA11Y01", acknowledged, phone);
  g_assert_true (gtk_widget_get_mapped (page_child (page, "snooze_button")));
  check_menu (window, page_child (page, "snooze_button"), durations, phone);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The first-run page, which a window has only while there is no account. */
static void
test_welcome_page (gconstpointer data)
{
  gboolean phone = GPOINTER_TO_INT (data);
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkWidget *window = adw_window_new ();
  GtkWidget *page;

  g_menu_append (menu, "_Preferences", "app.preferences");
  page = pieper_welcome_page_new (app, G_MENU_MODEL (menu));
  adw_window_set_content (ADW_WINDOW (window), page);
  app_test_present (GTK_WINDOW (window), phone ? PHONE_WIDTH : 1280, phone ? 640 : 800);
  check_window (window, phone ? "welcome page 360×640" : "welcome page 1280×800", phone);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (pieper_welcome_page_get_account_form (PIEPER_WELCOME_PAGE (page)))));

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWindow *
find_toplevel (GType type)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (g_type_is_a (G_OBJECT_TYPE (toplevel), type) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return toplevel;
    }

  return NULL;
}

static void
test_preferences (gconstpointer data)
{
  gboolean phone = GPOINTER_TO_INT (data);
  PieperWindow *window = pieper_window_new (app);
  GtkWindow *preferences;

  app_test_present (GTK_WINDOW (window), 1280, 800);
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  preferences = find_toplevel (PIEPER_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  app_test_present (preferences, phone ? PHONE_WIDTH : 1280, phone ? 640 : 800);
  check_window (GTK_WIDGET (preferences), phone ? "preferences 360×640" : "preferences 1280×800", phone);

  gtk_window_destroy (preferences);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_shortcuts (void)
{
  PieperWindow *window = pieper_window_new (app);
  GtkShortcutsWindow *shortcuts;

  app_test_present (GTK_WINDOW (window), 1280, 800);
  /* Built when first asked for, from the main menu or Ctrl+?. */
  g_assert_null (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  shortcuts = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (shortcuts);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (shortcuts)) == GTK_WINDOW (window));
  {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay");

    g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>question"));
  }
  app_test_present (GTK_WINDOW (shortcuts), 1280, 800);
  check_window (GTK_WIDGET (shortcuts), "shortcuts", FALSE);

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
  g_setenv ("PIEPER_TOKEN", "accessibility-test-token", TRUE);
  app = app_test_application (dir, FALSE);

  g_test_add_data_func ("/app/accessibility/window-phone", GINT_TO_POINTER (TRUE), test_main_window);
  g_test_add_data_func ("/app/accessibility/window-desktop", GINT_TO_POINTER (FALSE), test_main_window);
  g_test_add_data_func ("/app/accessibility/welcome-phone", GINT_TO_POINTER (TRUE), test_welcome_page);
  g_test_add_data_func ("/app/accessibility/welcome-desktop", GINT_TO_POINTER (FALSE), test_welcome_page);
  g_test_add_data_func ("/app/accessibility/preferences-phone", GINT_TO_POINTER (TRUE), test_preferences);
  g_test_add_data_func ("/app/accessibility/preferences-desktop", GINT_TO_POINTER (FALSE), test_preferences);
  g_test_add_func ("/app/accessibility/shortcuts", test_shortcuts);

  status = g_test_run ();

  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  test_remove_tree (dir);
  g_free (dir);
  return status;
}
