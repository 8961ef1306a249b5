/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "app-test-util.h"
#include "pieper-incident-page.h"
#include "pieper-incident-row.h"
#include "pieper-timeline-row.h"
#include "pieper-window.h"
#include "test-util.h"

/*
 * The incident page's choosers: Escalate offers the next level and the
 * other levels, Snooze offers durations, Reassign offers the people the
 * account's incidents name. Each choice goes through an app action into
 * the outbox, exactly once, and shows pending; what the server cannot do
 * is not offered. The server cannot be reached (port 9), as offline is the
 * case that matters.
 */

static char *dir;
static PieperApplication *app;

typedef struct
{
  char     *label;
  char     *action;
  GVariant *target;
} Choice;

static void
choice_clear (gpointer data)
{
  Choice *choice = data;

  g_free (choice->label);
  g_free (choice->action);
  g_clear_pointer (&choice->target, g_variant_unref);
}

static PieperIncident *
make_incident (const char         *remote_id,
               PieperStatus        status,
               int                 level,
               const char * const *names,
               const char * const *ids)
{
  PieperIncident *incident = pieper_incident_new (remote_id);

  pieper_incident_set_title (incident, remote_id);
  pieper_incident_set_status (incident, status);
  pieper_incident_set_urgency (incident, PIEPER_URGENCY_HIGH);
  pieper_incident_set_service (incident, "billing & <payments>");
  pieper_incident_set_escalation_policy (incident, "Billing On-Call");
  pieper_incident_set_escalation_level (incident, level);
  pieper_incident_set_assignees (incident, names);
  pieper_incident_set_assignee_ids (incident, ids);
  pieper_incident_set_created_at (incident, 1700000000);
  return incident;
}

static void
fill_store (const char *data_dir)
{
  const char *mira[] = { "Mira Jansen", NULL };
  const char *mira_id[] = { "PMIRA01", NULL };
  const char *both[] = { "Joris <b>de</b> Vries & co", "Mira Jansen", NULL };
  const char *both_ids[] = { "PJORIS1", "PMIRA01", NULL };
  const char *sam[] = { "Sam Bakker", NULL };
  const char *sam_id[] = { "PSAM001", NULL };
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(PieperAccount) pagerduty = NULL;
  g_autoptr(PieperAccount) alertmanager = NULL;
  g_autoptr(PieperAccount) added = NULL;
  g_autoptr(PieperAccount) added_am = NULL;
  g_autoptr(GPtrArray) incidents = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  store = pieper_store_open (data_dir, &error);
  g_assert_no_error (error);
  pagerduty = pieper_account_new ("pagerduty", "http://127.0.0.1:9", "mira.jansen@example.com");
  added = pieper_store_add_account (store, pagerduty, &error);
  g_assert_no_error (error);
  /* Who the responder is on the server, as whoami said. */
  pieper_account_set_user_id (added, "PTESS01");
  pieper_account_set_user_name (added, "Tess Visser");
  g_assert_true (pieper_store_update_account (store, added, &error));
  g_assert_no_error (error);
  alertmanager = pieper_account_new ("alertmanager", "http://127.0.0.1:9", NULL);
  added_am = pieper_store_add_account (store, alertmanager, &error);
  g_assert_no_error (error);

  g_ptr_array_add (incidents, make_incident ("PPAGE01", PIEPER_STATUS_TRIGGERED, 2, mira, mira_id));
  g_ptr_array_add (incidents, make_incident ("PPAGE02", PIEPER_STATUS_TRIGGERED, 1, both, both_ids));
  g_ptr_array_add (incidents, make_incident ("PPAGE03", PIEPER_STATUS_ACKNOWLEDGED, 1, sam, sam_id));
  g_ptr_array_add (incidents, make_incident ("PPAGE04", PIEPER_STATUS_ACKNOWLEDGED, 5, NULL, NULL));
  g_assert_true (pieper_store_apply_snapshot (store, pieper_account_get_id (added), incidents, &error));
  g_assert_no_error (error);

  g_ptr_array_add (alerts, make_incident ("am-alert-1", PIEPER_STATUS_TRIGGERED, 1, NULL, NULL));
  g_ptr_array_add (alerts, make_incident ("am-alert-2", PIEPER_STATUS_ACKNOWLEDGED, 1, NULL, NULL));
  g_assert_true (pieper_store_apply_snapshot (store, pieper_account_get_id (added_am), alerts, &error));
  g_assert_no_error (error);
}

static GtkWidget *
page_child (GtkWidget  *page,
            const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (page, PIEPER_TYPE_INCIDENT_PAGE, name));
}

static gint64
incident_id (const char *remote_id)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  incident = pieper_store_find_incident (pieper_application_get_store (app), remote_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (incident);
  return pieper_incident_get_id (incident);
}

/* The window showing @remote_id on a phone; the page in @page. */
static PieperWindow *
show (const char  *remote_id,
      GtkWidget  **page)
{
  PieperWindow *window = pieper_window_new (app);

  app_test_present (GTK_WINDOW (window), 360, 640);
  pieper_window_show_incident (window, incident_id (remote_id));
  *page = GTK_WIDGET (pieper_window_get_incident_page (window));
  app_test_run_for (200);
  return window;
}

static void
flatten (GMenuModel *model,
         GArray     *choices)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      Choice choice = { NULL, NULL, NULL };

      if (section != NULL)
        {
          flatten (section, choices);
          continue;
        }

      g_assert_true (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &choice.label));
      g_assert_true (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &choice.action));
      choice.target = g_menu_model_get_item_attribute_value (model, i, G_MENU_ATTRIBUTE_TARGET, NULL);
      g_assert_nonnull (choice.target);
      g_array_append_val (choices, choice);
    }
}

static GArray *
choices_of (GMenuModel *model)
{
  GArray *choices = g_array_new (FALSE, TRUE, sizeof (Choice));

  g_array_set_clear_func (choices, choice_clear);
  g_assert_nonnull (model);
  flatten (model, choices);
  return choices;
}

/* As a click on the menu item would: its action with its target. */
static void
choose (GtkWidget    *page,
        const Choice *choice)
{
  g_assert_true (gtk_widget_activate_action_variant (page, choice->action, choice->target));
}

/* The outbox's actions on @id, in order. */
static GPtrArray *
actions_of (gint64 id)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *actions = g_ptr_array_new_with_free_func (g_object_unref);

  all = pieper_outbox_list (pieper_application_get_outbox (app), -1, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < all->len; k++)
    if (pieper_action_get_incident_id (g_ptr_array_index (all, k)) == id)
      g_ptr_array_add (actions, g_object_ref (g_ptr_array_index (all, k)));
  return actions;
}

/* The outbox's one action on @id, which must be the only one. */
static PieperAction *
only_action (gint64 id)
{
  g_autoptr(GPtrArray) actions = actions_of (id);

  g_assert_cmpuint (actions->len, ==, 1);
  return g_object_ref (g_ptr_array_index (actions, 0));
}

static guint
n_actions (gint64 id)
{
  g_autoptr(GPtrArray) actions = actions_of (id);

  return actions->len;
}

static void
test_escalate_levels (void)
{
  GtkWidget *page = NULL;
  PieperWindow *window = show ("PPAGE01", &page);
  GtkWidget *button = page_child (page, "escalate_button");
  g_autoptr(GArray) choices = NULL;
  g_autoptr(PieperAction) action = NULL;
  gint64 id = incident_id ("PPAGE01");
  const int expected[] = { 0, 1, 3, 4 };
  gint64 target_id;
  gint32 level;

  g_assert_true (gtk_widget_is_visible (button));
  choices = choices_of (adw_split_button_get_menu_model (ADW_SPLIT_BUTTON (button)));

  /* At level 2: the next level, then 1, 3 and 4, never 2 itself. */
  g_assert_cmpuint (choices->len, ==, G_N_ELEMENTS (expected));
  g_assert_cmpstr (g_array_index (choices, Choice, 0).label, ==, "Next Level (3)");
  for (guint k = 0; k < choices->len; k++)
    {
      Choice *choice = &g_array_index (choices, Choice, k);

      g_assert_cmpstr (choice->action, ==, "app.escalate-to");
      g_assert_true (g_variant_is_of_type (choice->target, G_VARIANT_TYPE ("(xi)")));
      g_variant_get (choice->target, "(xi)", &target_id, &level);
      g_assert_cmpint (target_id, ==, id);
      g_assert_cmpint (level, ==, expected[k]);
    }

  /* Level 4, chosen: one action, for level 4 and not "the next". */
  choose (page, &g_array_index (choices, Choice, 3));
  action = only_action (id);
  g_assert_cmpint (pieper_action_get_op (action), ==, PIEPER_OP_ESCALATE);
  g_assert_cmpint (pieper_action_get_level (action), ==, 4);
  g_assert_false (pieper_action_get_next (action));
  g_assert_true (gtk_widget_is_visible (page_child (page, "pending_box")));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The button itself is one tap to the next level, as the shortcut and the
 * notification are. */
static void
test_escalate_next (void)
{
  GtkWidget *page = NULL;
  PieperWindow *window = show ("PPAGE02", &page);
  GtkWidget *button = page_child (page, "escalate_button");
  g_autoptr(PieperAction) action = NULL;
  gint64 id = incident_id ("PPAGE02");

  /* The split button's own half, as a tap on it. */
  g_assert_true (GTK_IS_BUTTON (gtk_widget_get_first_child (button)));
  g_signal_emit_by_name (gtk_widget_get_first_child (button), "clicked");
  action = only_action (id);
  g_assert_cmpint (pieper_action_get_op (action), ==, PIEPER_OP_ESCALATE);
  g_assert_cmpint (pieper_action_get_level (action), ==, 2);
  g_assert_true (pieper_action_get_next (action));
  g_assert_true (gtk_widget_is_visible (page_child (page, "pending_box")));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_snooze_durations (void)
{
  GtkWidget *page = NULL;
  PieperWindow *window = show ("PPAGE03", &page);
  GtkWidget *button = page_child (page, "snooze_button");
  g_autoptr(GArray) choices = NULL;
  g_autoptr(PieperAction) action = NULL;
  gint64 id = incident_id ("PPAGE03");
  const guint32 expected[] = { 15, 30, 60, 120, 240, 480, 1440 };
  gint64 target_id;
  guint32 minutes;

  g_assert_true (gtk_widget_is_visible (button));
  choices = choices_of (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button)));
  g_assert_cmpuint (choices->len, ==, G_N_ELEMENTS (expected));
  g_assert_cmpstr (g_array_index (choices, Choice, 0).label, ==, "15 minutes");
  g_assert_cmpstr (g_array_index (choices, Choice, 2).label, ==, "1 hour");
  g_assert_cmpstr (g_array_index (choices, Choice, 6).label, ==, "24 hours");
  for (guint k = 0; k < choices->len; k++)
    {
      Choice *choice = &g_array_index (choices, Choice, k);

      g_assert_cmpstr (choice->action, ==, "app.snooze-for");
      g_variant_get (choice->target, "(xu)", &target_id, &minutes);
      g_assert_cmpint (target_id, ==, id);
      g_assert_cmpuint (minutes, ==, expected[k]);
    }

  choose (page, &g_array_index (choices, Choice, 1));
  action = only_action (id);
  g_assert_cmpint (pieper_action_get_op (action), ==, PIEPER_OP_SNOOZE);
  g_assert_cmpuint (pieper_action_get_minutes (action), ==, 30);
  g_assert_true (gtk_widget_is_visible (page_child (page, "pending_box")));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The parameterless forms keep their defaults; a duration out of range is
 * refused with a message, and nothing is queued. */
static void
test_defaults_and_bad_input (void)
{
  gint64 id = incident_id ("PPAGE04");
  g_autoptr(PieperAction) action = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (app), "snooze-for", g_variant_new ("(xu)", id, 0));
  g_action_group_activate_action (G_ACTION_GROUP (app), "snooze-for",
                                  g_variant_new ("(xu)", id, G_MAXUINT32));
  g_action_group_activate_action (G_ACTION_GROUP (app), "escalate-to", g_variant_new ("(xi)", id, -1));
  g_assert_cmpuint (n_actions (id), ==, 0);

  g_action_group_activate_action (G_ACTION_GROUP (app), "snooze", g_variant_new_int64 (id));
  action = only_action (id);
  g_assert_cmpuint (pieper_action_get_minutes (action), ==, PIEPER_SNOOZE_DEFAULT_MINUTES);
  g_clear_object (&action);
}

/* Ctrl+Shift+E, the window's escalate, still means the next level. */
static void
test_shortcut_escalates_next (void)
{
  GtkWidget *page = NULL;
  PieperWindow *window = show ("PPAGE04", &page);
  gint64 id = incident_id ("PPAGE04");
  guint before = n_actions (id);
  g_autoptr(GPtrArray) actions = NULL;
  PieperAction *action;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.escalate", NULL));
  actions = actions_of (id);
  g_assert_cmpuint (actions->len, ==, before + 1);
  action = g_ptr_array_index (actions, before);
  g_assert_cmpint (pieper_action_get_op (action), ==, PIEPER_OP_ESCALATE);
  g_assert_cmpint (pieper_action_get_level (action), ==, 6);
  g_assert_true (pieper_action_get_next (action));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
row_named (GtkWidget *widget,
           gpointer   data)
{
  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

static void
test_reassign_people (void)
{
  GtkWidget *page = NULL;
  PieperWindow *window = show ("PPAGE01", &page);
  GtkWidget *button = page_child (page, "reassign_button");
  GtkWidget *people = page_child (page, "people_list");
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GPtrArray) actions = NULL;
  gint64 id = incident_id ("PPAGE01");
  /* The escalation test queued one already. */
  guint before = n_actions (id);
  GtkWidget *joris, *sam, *mira;
  guint n_rows = 0;

  g_assert_true (gtk_widget_is_visible (button));
  /* Under Xvfb, with no window manager, a popover's grab can fail on a
   * busy machine and hide it at once; the rows are what is tested here. */
  gtk_popover_set_autohide (GTK_POPOVER (page_child (page, "reassign_popover")), FALSE);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  app_test_run_for (200);
  g_assert_true (gtk_widget_get_visible (people));

  for (GtkWidget *row = gtk_widget_get_first_child (people); row != NULL; row = gtk_widget_get_next_sibling (row))
    n_rows++;
  /* Joris and Sam from other incidents, and Tess, the responder; not Mira,
   * who has it already. In name order; a name is text as the server sent
   * it, not markup. */
  g_assert_cmpuint (n_rows, ==, 3);
  joris = app_test_find_widget (people, ADW_TYPE_ACTION_ROW, row_named, (gpointer) "Joris <b>de</b> Vries & co");
  sam = app_test_find_widget (people, ADW_TYPE_ACTION_ROW, row_named, (gpointer) "Sam Bakker");
  mira = app_test_find_widget (people, ADW_TYPE_ACTION_ROW, row_named, (gpointer) "Mira Jansen");
  g_assert_nonnull (joris);
  g_assert_nonnull (sam);
  g_assert_null (mira);
  g_assert_true (gtk_widget_get_prev_sibling (sam) == joris);
  g_assert_nonnull (app_test_find_widget (people, ADW_TYPE_ACTION_ROW, row_named, (gpointer) "Tess Visser"));
  g_assert_true (row_named (gtk_widget_get_next_sibling (sam), (gpointer) "Tess Visser"));

  g_signal_emit_by_name (joris, "activate");
  actions = actions_of (id);
  g_assert_cmpuint (actions->len, ==, before + 1);
  action = g_object_ref (g_ptr_array_index (actions, before));
  g_assert_cmpint (pieper_action_get_op (action), ==, PIEPER_OP_REASSIGN);
  g_assert_cmpstr (pieper_action_get_user (action), ==, "PJORIS1");
  g_assert_false (gtk_widget_get_visible (page_child (page, "reassign_popover")));
  g_assert_true (gtk_widget_is_visible (page_child (page, "pending_box")));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Server text on the page is shown as it is: "&" and "<" are no markup. */
static void
test_server_text (void)
{
  GtkWidget *page = NULL;
  PieperWindow *window = show ("PPAGE03", &page);
  GtkWidget *row = page_child (page, "service_row");

  g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (row)));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "billing & <payments>");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Alertmanager cannot escalate, reassign or resolve: none is offered. A
 * triggered incident is acknowledged before it is snoozed. */
static void
test_capabilities (void)
{
  GtkWidget *page = NULL;
  PieperWindow *window = show ("am-alert-1", &page);

  g_assert_false (gtk_widget_is_visible (page_child (page, "escalate_button")));
  g_assert_false (gtk_widget_is_visible (page_child (page, "reassign_button")));
  g_assert_false (gtk_widget_is_visible (page_child (page, "resolve_button")));
  g_assert_false (gtk_widget_is_visible (page_child (page, "snooze_button")));
  g_assert_true (gtk_widget_is_visible (page_child (page, "acknowledge_button")));

  pieper_window_show_incident (window, incident_id ("am-alert-2"));
  g_assert_false (gtk_widget_is_visible (page_child (page, "escalate_button")));
  g_assert_false (gtk_widget_is_visible (page_child (page, "reassign_button")));
  g_assert_true (gtk_widget_is_visible (page_child (page, "snooze_button")));
  g_assert_false (gtk_widget_is_visible (page_child (page, "acknowledge_button")));

  /* PagerDuty can do everything; snoozing waits for the acknowledgement. */
  pieper_window_show_incident (window, incident_id ("PPAGE02"));
  g_assert_true (gtk_widget_is_visible (page_child (page, "escalate_button")));
  g_assert_true (gtk_widget_is_visible (page_child (page, "reassign_button")));
  g_assert_true (gtk_widget_is_visible (page_child (page, "resolve_button")));
  g_assert_false (gtk_widget_is_visible (page_child (page, "snooze_button")));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
label_is (GtkWidget *widget,
          gpointer   text)
{
  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static PieperTimelineEntry *
entry_new (gint64             id,
           PieperTimelineKind kind,
           const char        *body,
           PieperOrigin       origin,
           PieperActionState  state)
{
  PieperTimelineEntry *entry = pieper_timeline_entry_new (kind);

  pieper_timeline_entry_set_id (entry, id);
  pieper_timeline_entry_set_incident_id (entry, 4242);
  pieper_timeline_entry_set_author (entry, "Mira Jansen");
  pieper_timeline_entry_set_at (entry, 1700000000 + id);
  pieper_timeline_entry_set_body (entry, body);
  pieper_timeline_entry_set_origin (entry, origin);
  pieper_timeline_entry_set_sync_state (entry, state);
  return entry;
}

/* The timeline as the window reads it each time: new entries, from the
 * store, oldest first; @ack adds the responder's acknowledgement. */
static GListModel *
timeline_new (gboolean          ack,
              PieperActionState ack_state)
{
  GListStore *timeline = g_list_store_new (PIEPER_TYPE_TIMELINE_ENTRY);
  g_autoptr(PieperTimelineEntry) trigger = entry_new (1, PIEPER_TIMELINE_TRIGGER, NULL, PIEPER_ORIGIN_REMOTE, PIEPER_ACTION_DONE);
  g_autoptr(PieperTimelineEntry) note = entry_new (2, PIEPER_TIMELINE_NOTE, "disk <full> & more", PIEPER_ORIGIN_REMOTE, PIEPER_ACTION_DONE);
  g_autoptr(PieperTimelineEntry) other = entry_new (3, PIEPER_TIMELINE_OTHER, "paged", PIEPER_ORIGIN_REMOTE, PIEPER_ACTION_DONE);

  g_list_store_append (timeline, trigger);
  g_list_store_append (timeline, note);
  g_list_store_append (timeline, other);
  if (ack)
    {
      g_autoptr(PieperTimelineEntry) entry = entry_new (4, PIEPER_TIMELINE_ACKNOWLEDGE, NULL, PIEPER_ORIGIN_LOCAL, ack_state);

      g_list_store_append (timeline, entry);
    }
  return G_LIST_MODEL (timeline);
}

static GPtrArray *
timeline_rows (GtkWidget *page)
{
  GPtrArray *rows = g_ptr_array_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (page_child (page, "timeline_list")); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (PIEPER_IS_TIMELINE_ROW (row))
      g_ptr_array_add (rows, row);
  return rows;
}

/* The same incident shown again, changed (what an acknowledgement does):
 * the page says the new status and pending changes and offers what now
 * makes sense, with the same widgets; of the timeline only the rows of
 * entries that changed are made again. Another incident is shown anew. */
static void
test_update_in_place (void)
{
  static const char * const names[] = { "Mira Jansen", NULL };
  static const char * const ids[] = { "PMIRA01", NULL };
  GtkWidget *page = g_object_ref_sink (pieper_incident_page_new ());
  g_autoptr(PieperIncident) triggered = make_incident ("PPAGE90", PIEPER_STATUS_TRIGGERED, 1, names, ids);
  g_autoptr(PieperIncident) acknowledged = make_incident ("PPAGE90", PIEPER_STATUS_ACKNOWLEDGED, 1, names, ids);
  g_autoptr(PieperIncident) escalated = make_incident ("PPAGE90", PIEPER_STATUS_ACKNOWLEDGED, 2, names, ids);
  g_autoptr(PieperIncident) other = make_incident ("PPAGE91", PIEPER_STATUS_TRIGGERED, 1, names, ids);
  g_autoptr(GListModel) timeline = timeline_new (FALSE, PIEPER_ACTION_DONE);
  g_autoptr(GListModel) pending = timeline_new (TRUE, PIEPER_ACTION_PENDING);
  g_autoptr(GListModel) sent = timeline_new (TRUE, PIEPER_ACTION_DONE);
  g_autoptr(GListModel) other_timeline = timeline_new (FALSE, PIEPER_ACTION_DONE);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GVariant) target = NULL;
  GMenuModel *escalate_menu, *snooze_menu;
  PieperCapabilities all = PIEPER_CAPABILITY_ACKNOWLEDGE | PIEPER_CAPABILITY_RESOLVE | PIEPER_CAPABILITY_ESCALATE |
                           PIEPER_CAPABILITY_REASSIGN | PIEPER_CAPABILITY_SNOOZE | PIEPER_CAPABILITY_NOTE;

  pieper_incident_set_id (triggered, 4242);
  pieper_incident_set_id (acknowledged, 4242);
  pieper_incident_set_pending (acknowledged, 1);
  pieper_incident_set_id (escalated, 4242);
  pieper_incident_set_id (other, 4243);
  for (guint k = 0; k < g_list_model_get_n_items (other_timeline); k++)
    {
      g_autoptr(PieperTimelineEntry) entry = g_list_model_get_item (other_timeline, k);

      pieper_timeline_entry_set_incident_id (entry, 4243);
      pieper_timeline_entry_set_id (entry, 10 + k);
    }

  pieper_incident_page_set_incident (PIEPER_INCIDENT_PAGE (page), triggered, all, timeline);
  before = timeline_rows (page);
  g_assert_cmpuint (before->len, ==, 3);
  g_assert_true (gtk_widget_is_visible (page_child (page, "acknowledge_button")));
  g_assert_false (gtk_widget_is_visible (page_child (page, "snooze_button")));
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (page_child (page, "pending_box"))));
  escalate_menu = adw_split_button_get_menu_model (ADW_SPLIT_BUTTON (page_child (page, "escalate_button")));
  snooze_menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (page_child (page, "snooze_button")));
  gtk_editable_set_text (GTK_EDITABLE (page_child (page, "note_entry")), "half written");

  /* Acknowledged, pending, one entry more. */
  pieper_incident_page_set_incident (PIEPER_INCIDENT_PAGE (page), acknowledged, all, pending);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (page_child (page, "status_label"))), ==,
                   _pieper_status_label (PIEPER_STATUS_ACKNOWLEDGED));
  g_assert_true (gtk_widget_has_css_class (page_child (page, "status_label"), "acknowledged"));
  g_assert_false (gtk_widget_has_css_class (page_child (page, "status_label"), "triggered"));
  g_assert_false (gtk_widget_is_visible (page_child (page, "acknowledge_button")));
  g_assert_true (gtk_widget_is_visible (page_child (page, "snooze_button")));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (page_child (page, "pending_box"))));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (page_child (page, "pending_label"))), ==, "1 change waiting to sync");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page_child (page, "note_entry"))), ==, "half written");
  g_assert_true (adw_split_button_get_menu_model (ADW_SPLIT_BUTTON (page_child (page, "escalate_button"))) == escalate_menu);
  g_assert_true (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (page_child (page, "snooze_button"))) == snooze_menu);
  after = timeline_rows (page);
  g_assert_cmpuint (after->len, ==, 4);
  for (guint k = 0; k < 3; k++)
    g_assert_true (g_ptr_array_index (after, k) == g_ptr_array_index (before, k));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (g_ptr_array_index (after, 3),
                                                                                   PIEPER_TYPE_TIMELINE_ROW,
                                                                                   "state_label"))));
  /* Server text, as it is. */
  g_assert_nonnull (app_test_find_widget (page_child (page, "timeline_list"), GTK_TYPE_LABEL, label_is,
                                          (gpointer) "disk <full> & more"));

  /* The acknowledgement sent: its row alone is made again. */
  g_clear_pointer (&before, g_ptr_array_unref);
  before = g_steal_pointer (&after);
  pieper_incident_page_set_incident (PIEPER_INCIDENT_PAGE (page), acknowledged, all, sent);
  after = timeline_rows (page);
  g_assert_cmpuint (after->len, ==, 4);
  for (guint k = 0; k < 3; k++)
    g_assert_true (g_ptr_array_index (after, k) == g_ptr_array_index (before, k));
  g_assert_true (g_ptr_array_index (after, 3) != g_ptr_array_index (before, 3));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (g_ptr_array_index (after, 3),
                                                                                    PIEPER_TYPE_TIMELINE_ROW,
                                                                                    "state_label"))));

  /* Another level: Escalate offers other levels. */
  pieper_incident_page_set_incident (PIEPER_INCIDENT_PAGE (page), escalated, all, sent);
  g_assert_true (adw_split_button_get_menu_model (ADW_SPLIT_BUTTON (page_child (page, "escalate_button"))) != escalate_menu);
  g_assert_true (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (page_child (page, "snooze_button"))) == snooze_menu);

  /* Another incident: all anew, its own targets, no note carried over. */
  g_clear_pointer (&before, g_ptr_array_unref);
  before = g_steal_pointer (&after);
  pieper_incident_page_set_incident (PIEPER_INCIDENT_PAGE (page), other, all, other_timeline);
  after = timeline_rows (page);
  g_assert_cmpuint (after->len, ==, 3);
  for (guint k = 0; k < 3; k++)
    g_assert_true (g_ptr_array_index (after, k) != g_ptr_array_index (before, k));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page_child (page, "note_entry"))), ==, "");
  g_assert_true (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (page_child (page, "snooze_button"))) != snooze_menu);
  target = g_variant_ref_sink (g_variant_new_int64 (4243));
  g_assert_true (g_variant_equal (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (page_child (page, "acknowledge_button"))),
                                  target));
  g_assert_true (gtk_widget_is_visible (page_child (page, "acknowledge_button")));

  /* None: the timeline empties. */
  pieper_incident_page_set_incident (PIEPER_INCIDENT_PAGE (page), NULL, PIEPER_CAPABILITY_NONE, NULL);
  g_clear_pointer (&after, g_ptr_array_unref);
  after = timeline_rows (page);
  g_assert_cmpuint (after->len, ==, 0);

  g_object_unref (page);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);

  dir = test_make_tmp_dir ();
  fill_store (dir);
  g_setenv ("PIEPER_TOKEN", "incident-page-test-token", TRUE);
  app = app_test_application (dir, FALSE);

  g_test_add_func ("/app/incident-page/escalate-levels", test_escalate_levels);
  g_test_add_func ("/app/incident-page/escalate-next", test_escalate_next);
  g_test_add_func ("/app/incident-page/snooze-durations", test_snooze_durations);
  g_test_add_func ("/app/incident-page/defaults-and-bad-input", test_defaults_and_bad_input);
  g_test_add_func ("/app/incident-page/shortcut-escalates-next", test_shortcut_escalates_next);
  g_test_add_func ("/app/incident-page/reassign-people", test_reassign_people);
  g_test_add_func ("/app/incident-page/server-text", test_server_text);
  g_test_add_func ("/app/incident-page/capabilities", test_capabilities);
  g_test_add_func ("/app/incident-page/update-in-place", test_update_in_place);

  status = g_test_run ();

  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  test_remove_tree (dir);
  g_free (dir);
  return status;
}
