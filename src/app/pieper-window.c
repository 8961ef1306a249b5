/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "pieper-account-form.h"
#include "pieper-application-private.h"
#include "pieper-incident-page.h"
#include "pieper-incident-row.h"
#include "pieper-incident-status-filter.h"
#include "pieper-row-text.h"
#include "pieper-welcome-page.h"
#include "pieper-window.h"

/*
 * The main window: the incident list and the incident page side by side in
 * an AdwLeaflet, folding to one at a time on a phone. The leaflet is the
 * one place to change when moving to AdwNavigationSplitView (libadwaita
 * 1.4). The window owns no data: it filters the application's list model
 * and reads the shown incident from the store.
 *
 * The list shows one of two models through the selection: the list model
 * through a GtkFilterListModel (all incidents, Mine, and any search), or,
 * for a status alone, a PieperIncidentStatusFilter, which filters on the
 * model's keys and reads no incident that it hides.
 *
 * Until the window's first frame, the list has only as many incidents as
 * fit in the window (self->shown): GTK 4.8's grid view makes, binds, styles
 * and measures 31 rows however few are seen, and with 10,000 incidents the
 * rows below the window were about 5 ms of the first frame
 * (tests/bench/RESULTS.md). The rest come once that frame is painted, at
 * idle, and the application is told so that it goes online then.
 */

typedef enum
{
  FILTER_MINE,
  FILTER_ALL,
  FILTER_TRIGGERED,
  FILTER_ACKNOWLEDGED,
  FILTER_RESOLVED,
} Filter;

struct _PieperWindow
{
  AdwApplicationWindow  parent_instance;

  PieperApplication    *application;
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;
  /* self->filtered or a PieperIncidentStatusFilter, cut to the rows that
   * fit until the first frame is painted. */
  GtkSliceListModel    *shown;
  GtkSingleSelection   *selection;
  gulong                first_frame_id;
  guint                 first_frame_idle_id;
  char                 *search;
  gint64                incident_id;

  /* Made when first needed: the welcome page on a first run only, the
   * incident page once an incident is shown. */
  PieperWelcomePage    *welcome_page;
  PieperIncidentPage   *incident_page;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwLeaflet           *leaflet;
  GtkWidget            *list_pane;
  GtkWidget            *incident_pane;
  AdwWindowTitle       *list_title;
  AdwWindowTitle       *incident_title;
  GtkRevealer          *offline_revealer;
  PieperRowText        *offline_label;
  PieperRowText        *offline_reason;
  GtkWidget            *search_button;
  GtkWidget            *menu_button;
  GMenuModel           *primary_menu;
  GtkWidget            *back_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkDropDown          *filter_dropdown;
  GtkStack             *list_stack;
  GtkGridView          *incident_list;
  AdwStatusPage        *empty_page;        /* made when first shown */
  GtkWidget            *incident_placeholder;
};

G_DEFINE_FINAL_TYPE (PieperWindow, pieper_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_APPLICATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
matches_search (PieperIncident *incident,
                const char     *search)
{
  g_autofree char *number = NULL;
  const char *fields[4];

  if (search == NULL || *search == '\0')
    return TRUE;

  number = g_strdup_printf ("%" G_GINT64_FORMAT, pieper_incident_get_number (incident));
  fields[0] = pieper_incident_get_title (incident);
  fields[1] = pieper_incident_get_service (incident);
  fields[2] = pieper_incident_get_remote_id (incident);
  fields[3] = number;

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *folded = NULL;

      if (fields[i] == NULL)
        continue;
      folded = g_utf8_casefold (fields[i], -1);
      if (strstr (folded, search) != NULL)
        return TRUE;
    }

  return FALSE;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  PieperWindow *self = user_data;
  PieperIncident *incident = item;
  PieperStatus status = pieper_incident_get_status (incident);
  gboolean shown;

  switch ((Filter) gtk_drop_down_get_selected (self->filter_dropdown))
    {
    case FILTER_MINE:
      shown = status != PIEPER_STATUS_RESOLVED &&
              pieper_application_is_mine (self->application, incident);
      break;
    case FILTER_TRIGGERED:
      shown = status == PIEPER_STATUS_TRIGGERED;
      break;
    case FILTER_ACKNOWLEDGED:
      shown = status == PIEPER_STATUS_ACKNOWLEDGED;
      break;
    case FILTER_RESOLVED:
      shown = status == PIEPER_STATUS_RESOLVED;
      break;
    case FILTER_ALL:
    default:
      shown = TRUE;
      break;
    }

  return shown && matches_search (incident, self->search);
}

/* The status a filter asks for, when that is all it asks for. */
static gboolean
status_only (Filter        filter,
             PieperStatus *status)
{
  switch (filter)
    {
    case FILTER_TRIGGERED:
      *status = PIEPER_STATUS_TRIGGERED;
      return TRUE;
    case FILTER_ACKNOWLEDGED:
      *status = PIEPER_STATUS_ACKNOWLEDGED;
      return TRUE;
    case FILTER_RESOLVED:
      *status = PIEPER_STATUS_RESOLVED;
      return TRUE;
    case FILTER_MINE:
    case FILTER_ALL:
    default:
      return FALSE;
    }
}

static void update_list_state (PieperWindow *self);
static void items_changed_cb  (PieperWindow *self);

/* Shows @model in the list, through an empty list: the list view, told
 * that its rows were replaced, looks for the ones it tracks (the one in
 * view, the focused one) among all the new items, and the model reads
 * each of them from the store; with nothing left, it tracks none. The
 * selection goes with the rows; the shown incident stays. */
static void
show_model (PieperWindow *self,
            GListModel   *model)
{
  if (gtk_slice_list_model_get_model (self->shown) == model)
    return;

  g_signal_handlers_block_by_func (self->selection, items_changed_cb, self);
  gtk_slice_list_model_set_model (self->shown, NULL);
  gtk_slice_list_model_set_model (self->shown, model);
  g_signal_handlers_unblock_by_func (self->selection, items_changed_cb, self);
  update_list_state (self);
}

/* Shows the incidents of one status from the model's keys: the filter
 * would read every incident from the store (the model keeps only the few
 * a view asks for), to hide most of them. */
static void
show_status (PieperWindow *self,
             PieperStatus  status)
{
  GListModel *shown = gtk_slice_list_model_get_model (self->shown);
  g_autoptr(PieperIncidentStatusFilter) by_status = NULL;

  if (PIEPER_IS_INCIDENT_STATUS_FILTER (shown) &&
      pieper_incident_status_filter_get_status (PIEPER_INCIDENT_STATUS_FILTER (shown)) == status)
    return;

  by_status = pieper_incident_status_filter_new (pieper_application_get_incidents (self->application),
                                                 status);
  show_model (self, G_LIST_MODEL (by_status));
  /* Not shown, so nothing to filter. */
  gtk_filter_list_model_set_filter (self->filtered, NULL);
}

/* What the list shows: a status alone from the model's keys; anything
 * else through the filter, when there is one to apply: "All" without a
 * search shows every incident, and a filter would read each of them. The
 * model to show is made ready before the list shows it. */
static void
refilter (PieperWindow *self)
{
  Filter filter;
  PieperStatus status;
  gboolean searching;

  if (self->filter == NULL || self->filtered == NULL || self->shown == NULL)
    return;

  filter = (Filter) gtk_drop_down_get_selected (self->filter_dropdown);
  searching = self->search != NULL && *self->search != '\0';
  if (!searching && status_only (filter, &status))
    {
      show_status (self, status);
      return;
    }

  if (filter == FILTER_ALL && !searching)
    gtk_filter_list_model_set_filter (self->filtered, NULL);
  else if (gtk_filter_list_model_get_filter (self->filtered) == NULL)
    gtk_filter_list_model_set_filter (self->filtered, GTK_FILTER (self->filter));
  else
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  show_model (self, G_LIST_MODEL (self->filtered));
}

static void
update_list_state (PieperWindow *self)
{
  /* All of them, the ones below the cut before the first frame too (a
   * change down there is counted when the cut opens). */
  guint n = g_list_model_get_n_items (gtk_slice_list_model_get_model (self->shown));
  g_autofree char *count = g_strdup_printf (ngettext ("%u incident", "%u incidents", n), n);

  adw_window_title_set_subtitle (self->list_title, count);
  /* The empty list's page, made when first shown: most starts have
   * incidents, and its dozen widgets would be made and styled for the
   * first frame for nothing. Its icon at 128 px is drawn from an SVG,
   * which loads librsvg (+6 MB). */
  if (n == 0 && self->empty_page == NULL)
    {
      self->empty_page = ADW_STATUS_PAGE (adw_status_page_new ());
      adw_status_page_set_title (self->empty_page, _("No Incidents"));
      adw_status_page_set_description (self->empty_page, _("Nothing here needs you"));
      adw_status_page_set_icon_name (self->empty_page, "emblem-ok-symbolic");
      gtk_stack_add_named (self->list_stack, GTK_WIDGET (self->empty_page), "empty");
    }
  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
}

static void
update_actions (PieperWindow *self)
{
  gboolean shown = self->incident_page != NULL &&
                   pieper_incident_page_get_incident (self->incident_page) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.acknowledge", shown);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.escalate", shown);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.resolve", shown);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.note", shown);
}

/* The incident page, made the first time an incident is shown: until then
 * the pane shows the placeholder, which looks as the page does without an
 * incident. Building it from its template costs a few per cent of the
 * start, for a page most starts never show. */
static PieperIncidentPage *
ensure_incident_page (PieperWindow *self)
{
  GtkWidget *page;

  if (self->incident_page != NULL)
    return self->incident_page;

  page = pieper_incident_page_new ();
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_remove (GTK_BOX (self->incident_pane), self->incident_placeholder);
  self->incident_placeholder = NULL;
  gtk_box_append (GTK_BOX (self->incident_pane), page);
  self->incident_page = PIEPER_INCIDENT_PAGE (page);
  return self->incident_page;
}

/* Reads the shown incident again: its effective state and timeline. */
static void
reload_page (PieperWindow *self)
{
  PieperStore *store = pieper_application_get_store (self->application);
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GListStore) timeline = g_list_store_new (PIEPER_TYPE_TIMELINE_ENTRY);
  g_autofree char *title = NULL;

  if (self->incident_id != 0)
    incident = pieper_store_get_incident (store, self->incident_id, NULL);

  if (incident == NULL)
    {
      if (self->incident_page != NULL)
        pieper_incident_page_set_incident (self->incident_page, NULL, PIEPER_CAPABILITY_NONE, NULL);
      adw_window_title_set_title (self->incident_title, "");
      update_actions (self);
      return;
    }

  entries = pieper_store_list_timeline (store, self->incident_id, NULL);
  if (entries != NULL)
    g_list_store_splice (timeline, 0, 0, entries->pdata, entries->len);

  pieper_incident_page_set_incident (ensure_incident_page (self), incident,
                                     pieper_application_get_capabilities (self->application, incident),
                                     G_LIST_MODEL (timeline));
  /* TRANSLATORS: the title of the incident page: the incident's number. */
  title = g_strdup_printf (_("Incident #%lld"), (long long) pieper_incident_get_number (incident));
  adw_window_title_set_title (self->incident_title, title);
  update_actions (self);
}

void
pieper_window_show_incident (PieperWindow *self,
                             gint64        id)
{
  PieperSyncEngine *engine;

  g_return_if_fail (PIEPER_IS_WINDOW (self));

  engine = pieper_application_get_engine (self->application);
  if (self->incident_id != 0 && self->incident_id != id)
    pieper_sync_engine_watch_incident (engine, self->incident_id, FALSE);
  self->incident_id = id;
  if (id != 0)
    pieper_sync_engine_watch_incident (engine, id, TRUE);

  reload_page (self);
  adw_leaflet_set_visible_child (self->leaflet, id != 0 ? self->incident_pane : self->list_pane);
}

gint64
pieper_window_get_incident_id (PieperWindow *self)
{
  g_return_val_if_fail (PIEPER_IS_WINDOW (self), 0);

  return self->incident_id;
}

void
pieper_window_show_message (PieperWindow *self,
                            const char   *message)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (PIEPER_IS_WINDOW (self));

  /* A toast's title is markup; a message may quote server text. */
  escaped = g_markup_escape_text (message, -1);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

static void
items_changed_cb (PieperWindow *self)
{
  update_list_state (self);
  if (self->incident_id != 0)
    reload_page (self);
}

/* The banner says what is wrong, and below it why: the engine's last
 * error (plain text, server words included, never markup). A round with
 * the same state but another reason changes only the reason. */
static void
update_banner (PieperWindow     *self,
               PieperSyncEngine *engine)
{
  const char *reason = pieper_sync_engine_get_last_error (engine);
  const char *text = NULL;

  switch (pieper_sync_engine_get_state (engine))
    {
    case PIEPER_SYNC_STATE_OFFLINE:
      text = _("Offline — your actions are kept and sent when the server can be reached");
      break;

    case PIEPER_SYNC_STATE_AUTH_FAILED:
      text = _("The server refused the token — check the account");
      break;

    case PIEPER_SYNC_STATE_ERROR:
      text = _("Cannot sync — your actions are kept and sent once this is solved");
      break;

    case PIEPER_SYNC_STATE_IDLE:
    case PIEPER_SYNC_STATE_SYNCING:
    default:
      break;
    }

  if (text != NULL)
    {
      pieper_row_text_set_text (self->offline_label, text);
      pieper_row_text_set_text (self->offline_reason, reason);
      gtk_widget_set_visible (GTK_WIDGET (self->offline_reason), reason != NULL);
    }
  gtk_revealer_set_reveal_child (self->offline_revealer, text != NULL);
}

/* A round may have pulled the shown incident's timeline, and may have
 * failed for another reason than the last. */
static void
synced_cb (PieperWindow     *self,
           PieperSyncEngine *engine)
{
  update_banner (self, engine);
  if (self->incident_id != 0)
    reload_page (self);
}

static void
state_changed_cb (PieperWindow     *self,
                  GParamSpec       *pspec,
                  PieperSyncEngine *engine)
{
  update_banner (self, engine);
}

/* The first-run page while there is no account (a demo has its own). */
static void
accounts_changed_cb (PieperWindow *self)
{
  PieperStore *store = pieper_application_get_store (self->application);
  g_autoptr(GPtrArray) accounts = NULL;
  gboolean first_run;

  accounts = pieper_store_list_accounts (store, NULL);
  first_run = !pieper_application_get_demo (self->application) &&
              accounts != NULL && accounts->len == 0;
  /* The page only the first run shows, made when it is. */
  if (first_run && self->welcome_page == NULL)
    {
      self->welcome_page = PIEPER_WELCOME_PAGE (pieper_welcome_page_new (self->application,
                                                                         self->primary_menu));
      gtk_stack_add_named (self->main_stack, GTK_WIDGET (self->welcome_page), "welcome");
    }
  gtk_stack_set_visible_child_name (self->main_stack, first_run ? "welcome" : "incidents");

  /* Mine may have learnt who the responder is. */
  refilter (self);
}

static void
search_changed_cb (PieperWindow *self)
{
  g_free (self->search);
  self->search = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), -1);
  refilter (self);
}

static void
filter_changed_cb (PieperWindow *self)
{
  refilter (self);
}

static void
list_activate_cb (PieperWindow *self,
                  guint         position)
{
  g_autoptr(PieperIncident) incident = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (incident != NULL)
    pieper_window_show_incident (self, pieper_incident_get_id (incident));
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (item, pieper_incident_row_new ());
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  pieper_incident_row_set_incident (PIEPER_INCIDENT_ROW (gtk_list_item_get_child (item)),
                                    gtk_list_item_get_item (item));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  pieper_incident_row_set_incident (PIEPER_INCIDENT_ROW (gtk_list_item_get_child (item)), NULL);
}

/* Window actions: the shown incident, through the app's actions. */

static void
activate_on_shown (PieperWindow *self,
                   const char   *action)
{
  PieperIncident *incident;

  if (self->incident_page == NULL)
    return;

  incident = pieper_incident_page_get_incident (self->incident_page);
  if (incident != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), action, "x", pieper_incident_get_id (incident));
}

static void
acknowledge_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  activate_on_shown (PIEPER_WINDOW (widget), "app.acknowledge");
}

static void
escalate_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  activate_on_shown (PIEPER_WINDOW (widget), "app.escalate");
}

static void
resolve_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  activate_on_shown (PIEPER_WINDOW (widget), "app.resolve");
}

static void
note_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PieperWindow *self = PIEPER_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->incident_pane);
  if (self->incident_page != NULL)
    pieper_incident_page_focus_note (self->incident_page);
}

static void
search_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PieperWindow *self = PIEPER_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->list_pane);
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
back_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PieperWindow *self = PIEPER_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* The shortcuts window, built the first time it is asked for rather than
 * with every window (as GTK does for a resource at gtk/help-overlay.ui:
 * a whole GtkShortcutsWindow, 2 % of the start, for a window seldom
 * opened). The action is the one GTK would add, win.show-help-overlay. */
static void
show_help_overlay_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (user_data);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (window);

  if (overlay == NULL)
    {
      g_autoptr(GtkBuilder) builder = NULL;

      builder = gtk_builder_new_from_resource ("/io/github/pieper/Pieper/ui/pieper-shortcuts-window.ui");
      overlay = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      /* Modal, hidden on close, and transient for this window; the action
       * stays this one. */
      gtk_application_window_set_help_overlay (window, overlay);
    }

  gtk_window_present (GTK_WINDOW (overlay));
}

/* The window's tooltips are given when asked for rather than set: setting
 * one makes GTK ask the display where the pointer is, a round trip to the
 * X server for each, before the first frame. A screen reader has the same
 * words as the accessible description, as a set tooltip would give it, and
 * a button with only an icon has them as its name too. */
static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  const char *text)
{
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
set_tooltip (GtkWidget  *widget,
             const char *text,
             gboolean    names)
{
  gtk_widget_set_has_tooltip (widget, TRUE);
  /* @text is a translation, which stays. */
  g_signal_connect (widget, "query-tooltip", G_CALLBACK (query_tooltip_cb), (gpointer) text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  if (names)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

/* The main menu's popover is made when it is first opened: with its
 * items, a dozen widgets the first frame would make and style for
 * nothing. */
static void
create_primary_menu_cb (GtkMenuButton *button,
                        gpointer       user_data)
{
  PieperWindow *self = user_data;

  /* The model first: with neither a popover nor this function, GTK 4.8
   * makes the button insensitive for a moment, mid-click. */
  gtk_menu_button_set_menu_model (button, self->primary_menu);
  gtk_menu_button_set_create_popup_func (button, NULL, NULL, NULL);
}

static void
set_tooltips (PieperWindow *self)
{
  set_tooltip (self->search_button, _("Search"), TRUE);
  set_tooltip (self->menu_button, _("Main Menu"), TRUE);
  set_tooltip (GTK_WIDGET (self->filter_dropdown), _("Which incidents to show"), FALSE);
  set_tooltip (self->back_button, _("Back to Incidents"), TRUE);
}

/* The least a row is: a line of title over the badges, 49 px with GTK's
 * default font, less a tenth for a smaller one. */
#define FIRST_FRAME_ROW_HEIGHT 44
/* The least there is above the list: the header bar and the filter row
 * (105 px with the default font). */
#define FIRST_FRAME_CHROME 100

/* The rows the first frame needs: as many as fit in the window's default
 * height, or in 720 px if that is more (or none is set), and one more cut
 * by the bottom edge. A window that opens taller (a maximized one) shows
 * the rest a frame later. */
static guint
first_frame_rows (PieperWindow *self)
{
  int width, height;

  /* GTK 4.8 takes no NULL here. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  return (guint) (MAX (height, 720) - FIRST_FRAME_CHROME) / FIRST_FRAME_ROW_HEIGHT + 1;
}

/* The first frame is on the screen. The cut opens: the rest of the rows
 * come, and the count takes in what changed below the cut; the shown
 * incident is as it was. Then the application goes online. */
static gboolean
first_frame_shown_cb (gpointer user_data)
{
  PieperWindow *self = user_data;

  self->first_frame_idle_id = 0;
  g_signal_handlers_block_by_func (self->selection, items_changed_cb, self);
  gtk_slice_list_model_set_size (self->shown, G_MAXUINT);
  g_signal_handlers_unblock_by_func (self->selection, items_changed_cb, self);
  update_list_state (self);
  _pieper_application_first_frame_shown (self->application);

  return G_SOURCE_REMOVE;
}

/* At idle, not here: what comes next is the second frame's work, and the
 * first is on its way to the screen only once after-paint is over. */
static void
first_frame_painted_cb (GdkFrameClock *clock,
                        PieperWindow  *self)
{
  g_clear_signal_handler (&self->first_frame_id, clock);
  self->first_frame_idle_id = g_idle_add (first_frame_shown_cb, self);
}

static void
pieper_window_realize (GtkWidget *widget)
{
  PieperWindow *self = PIEPER_WINDOW (widget);

  GTK_WIDGET_CLASS (pieper_window_parent_class)->realize (widget);

  /* Still cut: the first frame is yet to be painted. */
  if (gtk_slice_list_model_get_size (self->shown) != G_MAXUINT &&
      self->first_frame_id == 0 && self->first_frame_idle_id == 0)
    self->first_frame_id = g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                                             G_CALLBACK (first_frame_painted_cb), self);
}

static void
pieper_window_unrealize (GtkWidget *widget)
{
  PieperWindow *self = PIEPER_WINDOW (widget);

  g_clear_signal_handler (&self->first_frame_id, gtk_widget_get_frame_clock (widget));

  GTK_WIDGET_CLASS (pieper_window_parent_class)->unrealize (widget);
}

static void
pieper_window_constructed (GObject *object)
{
  PieperWindow *self = PIEPER_WINDOW (object);
  GListModel *incidents;
  PieperSyncEngine *engine;
  GtkListItemFactory *factory;

  G_OBJECT_CLASS (pieper_window_parent_class)->constructed (object);

  g_assert (PIEPER_IS_APPLICATION (self->application));
  gtk_window_set_application (GTK_WINDOW (self), GTK_APPLICATION (self->application));

  {
    static const GActionEntry entries[] = {
      { "show-help-overlay", show_help_overlay_cb, NULL, NULL, NULL, { 0 } },
    };
    static const char *help_accels[] = { "<Control>question", NULL };

    g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
    gtk_application_set_accels_for_action (GTK_APPLICATION (self->application),
                                           "win.show-help-overlay", help_accels);
  }

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  incidents = G_LIST_MODEL (pieper_application_get_incidents (self->application));
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (incidents), NULL);
  self->shown = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered)), 0,
                                          first_frame_rows (self));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->shown)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  refilter (self);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);

  /* The list is a one-column GtkGridView. GTK 4.8's GtkListView makes,
   * binds and measures 200 rows around the one in view however few are
   * shown: with 10,000 incidents, nearly half of what Pieper adds to a
   * bare window's start, 6 MB, and most of a storm's main loop stalls. A
   * grid view keeps 31 rows, each at least a thirtieth of the view high,
   * so they always cover it. A screen reader hears a grid of one column
   * (tests/bench/RESULTS.md). */
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  gtk_grid_view_set_factory (self->incident_list, factory);
  g_object_unref (factory);
  gtk_grid_view_set_model (self->incident_list, GTK_SELECTION_MODEL (self->selection));

  engine = pieper_application_get_engine (self->application);
  g_signal_connect_object (engine, "notify::state", G_CALLBACK (state_changed_cb),
                           self, G_CONNECT_SWAPPED);
  state_changed_cb (self, NULL, engine);
  g_signal_connect_object (engine, "synced", G_CALLBACK (synced_cb), self, G_CONNECT_SWAPPED);

  set_tooltips (self);
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (self->menu_button),
                                         create_primary_menu_cb, self, NULL);
  g_signal_connect_object (self->application, "accounts-changed", G_CALLBACK (accounts_changed_cb),
                           self, G_CONNECT_SWAPPED);
  accounts_changed_cb (self);

  update_list_state (self);
  reload_page (self);
}

static void
pieper_window_dispose (GObject *object)
{
  PieperWindow *self = PIEPER_WINDOW (object);

  if (self->incident_id != 0 && self->application != NULL &&
      pieper_application_get_engine (self->application) != NULL)
    pieper_sync_engine_watch_incident (pieper_application_get_engine (self->application),
                                       self->incident_id, FALSE);
  self->incident_id = 0;
  g_clear_handle_id (&self->first_frame_idle_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), PIEPER_TYPE_WINDOW);
  /* Children of the template's boxes, gone with them. */
  self->empty_page = NULL;
  self->incident_page = NULL;
  self->welcome_page = NULL;
  self->incident_placeholder = NULL;
  g_clear_object (&self->selection);
  g_clear_object (&self->shown);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->application);

  G_OBJECT_CLASS (pieper_window_parent_class)->dispose (object);
}

static void
pieper_window_finalize (GObject *object)
{
  PieperWindow *self = PIEPER_WINDOW (object);

  g_free (self->search);

  G_OBJECT_CLASS (pieper_window_parent_class)->finalize (object);
}

static void
pieper_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PieperWindow *self = PIEPER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      self->application = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PieperWindow *self = PIEPER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_value_set_object (value, self->application);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_window_class_init (PieperWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pieper_window_constructed;
  object_class->dispose = pieper_window_dispose;
  object_class->finalize = pieper_window_finalize;
  object_class->get_property = pieper_window_get_property;
  object_class->set_property = pieper_window_set_property;
  widget_class->realize = pieper_window_realize;
  widget_class->unrealize = pieper_window_unrealize;

  /* The PieperApplication, as opposed to GtkWindow:application, which a
   * window loses when it is closed. */
  properties[PROP_APPLICATION] =
    g_param_spec_object ("pieper-application", NULL, NULL, PIEPER_TYPE_APPLICATION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PIEPER_TYPE_ROW_TEXT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pieper/Pieper/ui/pieper-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, list_pane);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, incident_pane);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, list_title);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, incident_title);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, offline_label);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, offline_reason);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, incident_list);
  gtk_widget_class_bind_template_child (widget_class, PieperWindow, incident_placeholder);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);

  gtk_widget_class_install_action (widget_class, "win.acknowledge", NULL, acknowledge_action_cb);
  gtk_widget_class_install_action (widget_class, "win.escalate", NULL, escalate_action_cb);
  gtk_widget_class_install_action (widget_class, "win.resolve", NULL, resolve_action_cb);
  gtk_widget_class_install_action (widget_class, "win.note", NULL, note_action_cb);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action_cb);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action_cb);
}

static void
pieper_window_init (PieperWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* The incident page, made if it was not yet. */
PieperIncidentPage *
pieper_window_get_incident_page (PieperWindow *self)
{
  g_return_val_if_fail (PIEPER_IS_WINDOW (self), NULL);

  return ensure_incident_page (self);
}

/* The first run's account form, or %NULL while it has not been shown. */
PieperAccountForm *
pieper_window_get_account_form (PieperWindow *self)
{
  g_return_val_if_fail (PIEPER_IS_WINDOW (self), NULL);

  if (self->welcome_page == NULL)
    return NULL;
  return pieper_welcome_page_get_account_form (self->welcome_page);
}

/* A window to be shown: until it has painted a frame, its list holds only
 * the incidents that fit in it. */
PieperWindow *
pieper_window_new (PieperApplication *application)
{
  g_return_val_if_fail (PIEPER_IS_APPLICATION (application), NULL);

  return g_object_new (PIEPER_TYPE_WINDOW, "pieper-application", application, NULL);
}
