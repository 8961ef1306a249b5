/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "app-test-util.h"
#include "pieper-account-form.h"
#include "pieper-accounts-page.h"
#include "pieper-preferences-window.h"
#include "pieper-secret.h"
#include "pieper-sim.h"
#include "pieper-welcome-page.h"
#include "pieper-window.h"
#include "test-util.h"

/*
 * Accounts in the app, against two pieper-sims in this process and a real
 * GNOME Keyring on a private bus (run-with-keyring.sh, through
 * run-app-with-keyring.sh, which keeps the display). The tests run in
 * order on one application with a store that starts empty: the first-run
 * page, a refused token, an account added through the form, a second one
 * through the preferences, and removing one.
 *
 * Run with --no-keyring (and no session bus), only the last test runs:
 * without a Secret Service the form says so, and keeps nothing.
 */

#define TOKEN_1  "sim-token-one"
#define TOKEN_2  "sim-token-two"
#define USER_1   "PMIRA01"
#define USER_2   "PJOOS02"
#define EMAIL_1  "mira.jansen@example.com"
#define EMAIL_2  "joost.devries@example.com"
#define N_SIM_1  30
#define N_SIM_2  12

static char *dir;
static PieperApplication *app;
static PieperWindow *window;
static PieperSim *sim_1;
static PieperSim *sim_2;

static PieperSim *
start_sim (const char *token,
           const char *user_id,
           const char *name,
           const char *email,
           guint       n_incidents)
{
  g_autoptr(PieperSim) sim = pieper_sim_new ();
  g_autoptr(GError) error = NULL;

  pieper_sim_set_token (sim, token);
  pieper_sim_set_me (sim, user_id, name, email);
  pieper_sim_add_incidents (sim, n_incidents);
  g_assert_true (pieper_sim_start (sim, 0, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&sim);
}

/* Reading the app */

static GPtrArray *
list_accounts (void)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *accounts = pieper_store_list_accounts (pieper_application_get_store (app), &error);

  g_assert_no_error (error);
  return accounts;
}

static const char *
visible_page (void)
{
  GObject *stack = gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "main_stack");

  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static guint
count_incidents_of (gint64 account_id)
{
  GListModel *model = G_LIST_MODEL (pieper_application_get_incidents (app));
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PieperIncident) incident = g_list_model_get_item (model, i);

      if (account_id == 0 || pieper_incident_get_account_id (incident) == account_id)
        n++;
    }

  return n;
}

static char *
keyring_token (PieperAccount *account)
{
  g_autoptr(GError) error = NULL;
  char *token = pieper_secret_lookup_token (account, NULL, &error);

  g_assert_no_error (error);
  return token;
}

/* Whether @needle is in any file of the data directory: the database, its
 * WAL and shared memory, a journal. */
static gboolean
data_dir_contains (const char *needle)
{
  g_autoptr(GDir) data = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n_files = 0;

  g_assert_nonnull (data);
  while ((name = g_dir_read_name (data)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &contents, &length, NULL))
        continue;
      n_files++;
      for (gsize i = 0; i + strlen (needle) <= length; i++)
        if (memcmp (contents + i, needle, strlen (needle)) == 0)
          return TRUE;
    }

  g_assert_cmpuint (n_files, >, 0);
  return FALSE;
}

/* Driving the form */

static GtkWidget *
form_child (PieperAccountForm *form,
            const char        *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (form), PIEPER_TYPE_ACCOUNT_FORM, name));
}

static gboolean
form_idle (gpointer data)
{
  return !pieper_account_form_get_busy (data);
}

static void
fill_and_add (PieperAccountForm *form,
              PieperSim         *sim,
              const char        *email,
              const char        *token)
{
  g_autofree char *url = pieper_sim_dup_url (sim);
  /* The form may be gone once it succeeded: its dialog closes. */
  G_GNUC_UNUSED g_autoptr(PieperAccountForm) held = g_object_ref (form);
  g_autoptr(GtkWidget) spinner = g_object_ref (form_child (form, "spinner"));

  gtk_editable_set_text (GTK_EDITABLE (form_child (form, "url_row")), url);
  gtk_editable_set_text (GTK_EDITABLE (form_child (form, "email_row")), email);
  gtk_editable_set_text (GTK_EDITABLE (form_child (form, "token_row")), token);
  g_signal_emit_by_name (form_child (form, "add_button"), "clicked");

  /* Asked asynchronously, with a spinner, in a window that stays usable. */
  g_assert_true (pieper_account_form_get_busy (form));
  g_assert_true (gtk_widget_get_visible (spinner));
  app_test_wait_for (form_idle, form, 20, "the form to hear from the server");
  g_assert_false (gtk_widget_get_visible (spinner));
}

static const char *
form_error (PieperAccountForm *form)
{
  GtkWidget *label = form_child (form, "error_label");

  return gtk_widget_get_visible (label) ? gtk_label_get_text (GTK_LABEL (label)) : NULL;
}

static PieperAccountForm *
welcome_form (void)
{
  return pieper_window_get_account_form (window);
}

/* Tests */

static void
test_first_run (void)
{
  g_autoptr(GPtrArray) accounts = list_accounts ();

  g_assert_cmpuint (accounts->len, ==, 0);
  g_assert_cmpstr (visible_page (), ==, "welcome");
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (welcome_form ())));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "try-demo"));
  /* The window's main menu, also on the first-run page. */
  {
    GObject *stack = gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "main_stack");
    GtkWidget *page = gtk_stack_get_child_by_name (GTK_STACK (stack), "welcome");
    GObject *menu = gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "primary_menu");
    GObject *page_menu_button = gtk_widget_get_template_child (page, PIEPER_TYPE_WELCOME_PAGE, "menu_button");

    g_assert_true (G_IS_MENU_MODEL (menu));
    g_assert_true (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (page_menu_button)) == G_MENU_MODEL (menu));
  }

  /* On a phone too: nothing wider than the screen. */
  {
    PieperWindow *phone = pieper_window_new (app);

    const char *screenshot_dir = g_getenv ("PIEPER_SCREENSHOT_DIR");

    app_test_present (GTK_WINDOW (phone), 360, 640);
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (phone)), ==, 360);
    /* For a reader, next to the other screenshots in the build dir. */
    if (screenshot_dir != NULL && g_mkdir_with_parents (screenshot_dir, 0755) == 0)
      {
        g_autofree char *path = g_build_filename (screenshot_dir, "pieper-first-run-360x640.png", NULL);

        app_test_save_png (GTK_WIDGET (phone), path);
      }
    gtk_window_destroy (GTK_WINDOW (phone));
  }
}

/* Alertmanager needs no token and no e-mail address; its address has no
 * default, and PagerDuty's comes back. */
static void
test_form_kinds (void)
{
  PieperAccountForm *form = welcome_form ();
  GtkWidget *provider_row = form_child (form, "provider_row");
  GtkWidget *url_row = form_child (form, "url_row");
  GtkWidget *token_row = form_child (form, "token_row");

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (url_row)), ==, "https://api.pagerduty.com");
  adw_combo_row_set_selected (ADW_COMBO_ROW (provider_row), 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (url_row)), ==, "");
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (token_row)), "optional"));

  /* An empty form says what is missing, without asking anyone. */
  g_signal_emit_by_name (form_child (form, "add_button"), "clicked");
  g_assert_false (pieper_account_form_get_busy (form));
  g_assert_cmpstr (form_error (form), ==, "Enter the server’s address");

  /* A password in the address would be kept in the store. */
  gtk_editable_set_text (GTK_EDITABLE (url_row), "https://me:secret@am.example.com");
  g_signal_emit_by_name (form_child (form, "add_button"), "clicked");
  g_assert_false (pieper_account_form_get_busy (form));
  g_assert_nonnull (strstr (form_error (form), "user name or password"));
  gtk_editable_set_text (GTK_EDITABLE (url_row), "");

  adw_combo_row_set_selected (ADW_COMBO_ROW (provider_row), 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (url_row)), ==, "https://api.pagerduty.com");
  g_assert_null (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (token_row)), "optional"));
}

static void
test_wrong_token (void)
{
  PieperAccountForm *form = welcome_form ();
  g_autofree char *url = pieper_sim_dup_url (sim_1);
  g_autoptr(PieperAccount) account = pieper_account_new ("pagerduty", url, EMAIL_1);
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *stored = NULL;

  fill_and_add (form, sim_1, EMAIL_1, "not-the-token");

  g_assert_cmpstr (form_error (form), ==, "The server refused this token");
  accounts = list_accounts ();
  g_assert_cmpuint (accounts->len, ==, 0);
  stored = keyring_token (account);
  g_assert_null (stored);
  g_assert_cmpstr (visible_page (), ==, "welcome");
}

static gboolean
has_incidents_of_first (gpointer data)
{
  return count_incidents_of (*(gint64 *) data) > 0;
}

static void
test_add (void)
{
  PieperAccountForm *form = welcome_form ();
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *stored = NULL;
  GObject *dropdown, *incident_list;
  GListModel *shown;
  PieperAccount *account;
  gint64 id;
  guint n_all, n_mine;

  fill_and_add (form, sim_1, EMAIL_1, TOKEN_1);
  g_assert_null (form_error (form));

  /* Kept with who the server said the token is. */
  accounts = list_accounts ();
  g_assert_cmpuint (accounts->len, ==, 1);
  account = g_ptr_array_index (accounts, 0);
  id = pieper_account_get_id (account);
  g_assert_cmpstr (pieper_account_get_provider (account), ==, "pagerduty");
  g_assert_cmpstr (pieper_account_get_email (account), ==, EMAIL_1);
  g_assert_cmpstr (pieper_account_get_user_id (account), ==, USER_1);
  g_assert_cmpstr (pieper_account_get_user_name (account), ==, "Mira Jansen");

  /* The token is in the keyring, and nowhere in the store's files. */
  stored = keyring_token (account);
  g_assert_cmpstr (stored, ==, TOKEN_1);
  g_assert_true (data_dir_contains (EMAIL_1));
  g_assert_false (data_dir_contains (TOKEN_1));
  /* The form forgot it too. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (form_child (form, "token_row"))), ==, "");

  /* The list fills from the server. */
  g_assert_cmpstr (visible_page (), ==, "incidents");
  app_test_wait_for (has_incidents_of_first, &id, 30, "the account's incidents");

  /* Mine: only the responder's own, and some of them. */
  dropdown = gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "filter_dropdown");
  incident_list = gtk_widget_get_template_child (GTK_WIDGET (window), PIEPER_TYPE_WINDOW, "incident_list");
  shown = G_LIST_MODEL (gtk_grid_view_get_model (GTK_GRID_VIEW (incident_list)));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 1);
  n_all = g_list_model_get_n_items (shown);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 0);
  n_mine = g_list_model_get_n_items (shown);
  g_test_message ("%u incidents, %u mine", n_all, n_mine);
  g_assert_cmpuint (n_mine, >, 0);
  g_assert_cmpuint (n_mine, <, n_all);
  for (guint i = 0; i < n_mine; i++)
    {
      g_autoptr(PieperIncident) incident = g_list_model_get_item (shown, i);
      const char * const *assignees = pieper_incident_get_assignee_ids (incident);

      g_assert_nonnull (assignees);
      g_assert_true (g_strv_contains (assignees, USER_1));
      g_assert_cmpint (pieper_incident_get_status (incident), !=, PIEPER_STATUS_RESOLVED);
    }
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 1);
}

static PieperPreferencesWindow *
open_preferences (void)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (PIEPER_IS_PREFERENCES_WINDOW (toplevel))
        return PIEPER_PREFERENCES_WINDOW (toplevel);
    }

  g_assert_not_reached ();
}

static GtkWindow *
find_toplevel (GType type)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (G_OBJECT_TYPE (toplevel) == type && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return toplevel;
    }

  return NULL;
}

static guint
count_rows (PieperPreferencesWindow *preferences)
{
  GObject *page = gtk_widget_get_template_child (GTK_WIDGET (preferences), PIEPER_TYPE_PREFERENCES_WINDOW,
                                                 "accounts_page");
  GObject *list_box = gtk_widget_get_template_child (GTK_WIDGET (page), PIEPER_TYPE_ACCOUNTS_PAGE, "list_box");
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list_box)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row))
      n++;

  return n;
}

static gboolean
both_accounts_synced (gpointer data)
{
  gint64 *ids = data;

  return count_incidents_of (ids[0]) > 0 && count_incidents_of (ids[1]) > 0;
}

static void
test_second_account (void)
{
  PieperPreferencesWindow *preferences = open_preferences ();
  GObject *page = gtk_widget_get_template_child (GTK_WIDGET (preferences), PIEPER_TYPE_PREFERENCES_WINDOW,
                                                 "accounts_page");
  GObject *add_button = gtk_widget_get_template_child (GTK_WIDGET (page), PIEPER_TYPE_ACCOUNTS_PAGE, "add_button");
  g_autoptr(GPtrArray) accounts = NULL;
  GtkWindow *dialog;
  PieperAccountForm *form;
  gint64 ids[2];

  g_assert_cmpuint (count_rows (preferences), ==, 1);

  g_signal_emit_by_name (add_button, "clicked");
  dialog = find_toplevel (ADW_TYPE_WINDOW);
  g_assert_nonnull (dialog);
  form = PIEPER_ACCOUNT_FORM (app_test_find_widget (GTK_WIDGET (dialog), PIEPER_TYPE_ACCOUNT_FORM, NULL, NULL));
  g_assert_nonnull (form);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  fill_and_add (form, sim_2, EMAIL_2, TOKEN_2);
  app_test_run_for (100);
  /* Added, so the dialog closed. */
  g_assert_null (dialog);

  accounts = list_accounts ();
  g_assert_cmpuint (accounts->len, ==, 2);
  g_assert_cmpstr (pieper_account_get_user_id (g_ptr_array_index (accounts, 1)), ==, USER_2);
  g_assert_cmpuint (count_rows (preferences), ==, 2);

  /* One list, with the incidents of both. */
  ids[0] = pieper_account_get_id (g_ptr_array_index (accounts, 0));
  ids[1] = pieper_account_get_id (g_ptr_array_index (accounts, 1));
  app_test_wait_for (both_accounts_synced, ids, 30, "incidents of both accounts");

  gtk_window_destroy (GTK_WINDOW (preferences));
}

static void
test_remove (void)
{
  PieperPreferencesWindow *preferences = open_preferences ();
  g_autoptr(GPtrArray) before = list_accounts ();
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *token = NULL;
  PieperAccount *second = g_ptr_array_index (before, 1);
  GtkWidget *remove_button;
  GtkWindow *dialog;
  gint64 first_id = pieper_account_get_id (g_ptr_array_index (before, 0));
  gint64 second_id = pieper_account_get_id (second);
  guint n_first = count_incidents_of (first_id);
  g_autofree char *tooltip = g_strdup_printf ("Remove %s", pieper_account_get_user_name (second));

  g_assert_cmpuint (count_incidents_of (second_id), >, 0);

  {
    GObject *page = gtk_widget_get_template_child (GTK_WIDGET (preferences), PIEPER_TYPE_PREFERENCES_WINDOW,
                                                   "accounts_page");
    GObject *list_box = gtk_widget_get_template_child (GTK_WIDGET (page), PIEPER_TYPE_ACCOUNTS_PAGE, "list_box");
    GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box), 1));

    remove_button = app_test_find_widget (row, GTK_TYPE_BUTTON, NULL, NULL);
  }
  g_assert_nonnull (remove_button);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (remove_button), ==, tooltip);

  /* Asked first; Cancel keeps everything. */
  g_signal_emit_by_name (remove_button, "clicked");
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (dialog);
  g_clear_pointer (&after, g_ptr_array_unref);
  after = list_accounts ();
  g_assert_cmpuint (after->len, ==, 2);

  /* An action still waiting to sync is lost with the account: said so. */
  {
    GListModel *model = G_LIST_MODEL (pieper_application_get_incidents (app));
    g_autoptr(PieperAction) action = NULL;
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (model) && action == NULL; i++)
      {
        g_autoptr(PieperIncident) incident = g_list_model_get_item (model, i);

        if (pieper_incident_get_account_id (incident) == second_id)
          action = pieper_outbox_add_note (pieper_application_get_outbox (app),
                                           pieper_incident_get_id (incident), "Looking into it", &error);
      }
    g_assert_no_error (error);
    g_assert_nonnull (action);
  }

  g_signal_emit_by_name (remove_button, "clicked");
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "1 action is still waiting to sync"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "remove");
  gtk_window_destroy (dialog);

  g_clear_pointer (&after, g_ptr_array_unref);
  after = list_accounts ();
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpint (pieper_account_get_id (g_ptr_array_index (after, 0)), ==, first_id);
  g_assert_null (pieper_sync_engine_get_provider (pieper_application_get_engine (app), second_id));

  /* Its incidents are gone from the list; the other account's stay. */
  g_assert_cmpuint (count_incidents_of (second_id), ==, 0);
  g_assert_cmpuint (count_incidents_of (first_id), >=, n_first);
  g_assert_cmpuint (count_rows (preferences), ==, 1);

  /* With its unsent action. */
  {
    g_autoptr(GPtrArray) actions = pieper_outbox_list (pieper_application_get_outbox (app), -1, NULL);

    g_assert_nonnull (actions);
    for (guint i = 0; i < actions->len; i++)
      g_assert_cmpint (pieper_action_get_account_id (g_ptr_array_index (actions, i)), !=, second_id);
  }

  /* And its token from the keyring. */
  app_test_run_for (500);
  token = keyring_token (second);
  g_assert_null (token);

  gtk_window_destroy (GTK_WINDOW (preferences));
}

static gboolean
user_learnt (gpointer data)
{
  g_autoptr(PieperAccount) account = pieper_store_get_account (pieper_application_get_store (app),
                                                               *(gint64 *) data, NULL);

  return account != NULL && pieper_account_get_user_id (account) != NULL;
}

/* An account kept without a user id by another process (pieperctl while
 * offline, an older Pieper) is noticed at the next sync, and learns who
 * the responder is, so Mine can find its incidents. */
static void
test_learn_user (void)
{
  g_autofree char *url = pieper_sim_dup_url (sim_2);
  g_autoptr(PieperAccount) account = pieper_account_new ("pagerduty", url, EMAIL_2);
  g_autoptr(PieperStore) elsewhere = pieper_store_open (dir, NULL);
  g_autoptr(PieperAccount) added = NULL;
  g_autoptr(PieperAccount) after = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  g_assert_nonnull (elsewhere);
  added = pieper_store_add_account (elsewhere, account, &error);
  g_assert_no_error (error);
  g_assert_null (pieper_account_get_user_id (added));
  g_assert_true (pieper_secret_store_token (added, TOKEN_2, NULL, &error));
  g_assert_no_error (error);
  id = pieper_account_get_id (added);

  pieper_sync_engine_sync_now (pieper_application_get_engine (app));
  app_test_wait_for (user_learnt, &id, 30, "the account to learn who the responder is");
  g_assert_nonnull (pieper_sync_engine_get_provider (pieper_application_get_engine (app), id));

  after = pieper_store_get_account (pieper_application_get_store (app), id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_account_get_user_id (after), ==, USER_2);
  g_assert_cmpstr (pieper_account_get_user_name (after), ==, "Joost de Vries");
}

static void
test_no_secret_service (void)
{
  PieperAccountForm *form = welcome_form ();
  g_autoptr(GPtrArray) accounts = NULL;

  fill_and_add (form, sim_1, EMAIL_1, TOKEN_1);

  g_assert_nonnull (form_error (form));
  g_assert_nonnull (strstr (form_error (form), "token cannot be kept"));
  accounts = list_accounts ();
  g_assert_cmpuint (accounts->len, ==, 0);
  g_assert_cmpstr (visible_page (), ==, "welcome");
}

int
main (int   argc,
      char *argv[])
{
  gboolean no_keyring = FALSE;
  int status;

  /* Taken out of argv: GTest would not know it. */
  for (int i = 1; i < argc; i++)
    if (g_strcmp0 (argv[i], "--no-keyring") == 0)
      {
        no_keyring = TRUE;
        memmove (&argv[i], &argv[i + 1], (argc - i) * sizeof (char *));
        argc--;
        break;
      }

  gtk_test_init (&argc, &argv, NULL);

  dir = test_make_tmp_dir ();
  g_unsetenv ("PIEPER_TOKEN");
  sim_1 = start_sim (TOKEN_1, USER_1, "Mira Jansen", EMAIL_1, N_SIM_1);
  sim_2 = start_sim (TOKEN_2, USER_2, "Joost de Vries", EMAIL_2, N_SIM_2);
  app = app_test_application (dir, FALSE);
  window = g_object_ref_sink (pieper_window_new (app));
  app_test_present (GTK_WINDOW (window), 1280, 800);

  if (no_keyring)
    {
      g_test_add_func ("/app/accounts/no-secret-service", test_no_secret_service);
    }
  else
    {
      g_test_add_func ("/app/accounts/first-run", test_first_run);
      g_test_add_func ("/app/accounts/form-kinds", test_form_kinds);
      g_test_add_func ("/app/accounts/wrong-token", test_wrong_token);
      g_test_add_func ("/app/accounts/add", test_add);
      g_test_add_func ("/app/accounts/second-account", test_second_account);
      g_test_add_func ("/app/accounts/remove", test_remove);
      g_test_add_func ("/app/accounts/learn-user", test_learn_user);
    }

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&window);
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  pieper_sim_stop (sim_1);
  pieper_sim_stop (sim_2);
  g_clear_object (&sim_1);
  g_clear_object (&sim_2);
  test_remove_tree (dir);
  g_free (dir);
  return status;
}
