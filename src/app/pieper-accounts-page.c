/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "pieper-account-form.h"
#include "pieper-accounts-page.h"

/*
 * The Accounts page of the preferences: every account, with Remove (after
 * a confirmation that says what is lost), and Add Account… opening the
 * same form as the first-run page. The list follows
 * PieperApplication::accounts-changed.
 */

struct _PieperAccountsPage
{
  AdwPreferencesPage  parent_instance;

  PieperApplication  *application;

  GtkListBox         *list_box;
  GtkButton          *add_button;
};

G_DEFINE_FINAL_TYPE (PieperAccountsPage, pieper_accounts_page, ADW_TYPE_PREFERENCES_PAGE)

#define ACCOUNT_KEY "pieper-account"

static const char *
kind_label (const char *provider)
{
  if (g_strcmp0 (provider, "pagerduty") == 0)
    return _("PagerDuty");
  if (g_strcmp0 (provider, "alertmanager") == 0)
    return _("Prometheus Alertmanager");
  if (g_strcmp0 (provider, "local") == 0)
    return _("Imported incidents");
  return provider;
}

static void
show_message (PieperAccountsPage *self,
              const char         *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (message));
  else
    g_printerr ("pieper: %s\n", message);
}

static guint
count_unsent (PieperAccountsPage *self,
              gint64              account_id)
{
  g_autoptr(GPtrArray) actions = NULL;
  guint n = 0;

  actions = pieper_outbox_list (pieper_application_get_outbox (self->application), -1, NULL);
  for (guint i = 0; actions != NULL && i < actions->len; i++)
    {
      PieperAction *action = g_ptr_array_index (actions, i);
      PieperActionState state = pieper_action_get_state (action);

      if (pieper_action_get_account_id (action) == account_id &&
          (state == PIEPER_ACTION_PENDING || state == PIEPER_ACTION_INFLIGHT))
        n++;
    }

  return n;
}

static void
remove_response_cb (AdwMessageDialog   *dialog,
                    const char         *response,
                    PieperAccountsPage *self)
{
  PieperAccount *account = g_object_get_data (G_OBJECT (dialog), ACCOUNT_KEY);
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "remove") != 0 || self->application == NULL)
    return;

  if (!pieper_application_remove_account (self->application, pieper_account_get_id (account), &error))
    show_message (self, error->message);
}

static char *
account_title (PieperAccount *account)
{
  const char *name = pieper_account_get_user_name (account);

  if (name == NULL || *name == '\0')
    name = pieper_account_get_email (account);
  if (name == NULL || *name == '\0')
    name = pieper_account_get_url (account);

  return pieper_utf8_cap (name, 200);
}

static void
remove_clicked_cb (GtkButton          *button,
                   PieperAccountsPage *self)
{
  PieperAccount *account = g_object_get_data (G_OBJECT (button), ACCOUNT_KEY);
  g_autofree char *title = account_title (account);
  g_autofree char *heading = g_strdup_printf (_("Remove %s?"), title);
  g_autoptr(GString) body = g_string_new (NULL);
  guint unsent = count_unsent (self, pieper_account_get_id (account));
  GtkWidget *dialog;

  g_string_append (body, _("Its incidents leave this computer and its token leaves the keyring. "
                           "The account itself stays on the server."));
  if (unsent > 0)
    {
      g_string_append (body, "\n\n");
      g_string_append_printf (body,
                              ngettext ("%u action is still waiting to sync and will never be sent.",
                                        "%u actions are still waiting to sync and will never be sent.",
                                        unsent),
                              unsent);
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), ACCOUNT_KEY, g_object_ref (account), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
account_row (PieperAccountsPage *self,
             PieperAccount      *account)
{
  g_autofree char *title = account_title (account);
  g_autofree char *url = pieper_utf8_cap (pieper_account_get_url (account), 200);
  /* TRANSLATORS: an account's kind of server and its address. */
  g_autofree char *subtitle = g_strdup_printf (_("%s · %s"),
                                               kind_label (pieper_account_get_provider (account)), url);
  g_autofree char *tooltip = g_strdup_printf (_("Remove %s"), title);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  /* Names come from the server: text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, tooltip);
  gtk_widget_add_css_class (remove, "flat");
  g_object_set_data_full (G_OBJECT (remove), ACCOUNT_KEY, g_object_ref (account), g_object_unref);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (remove_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

  g_object_set_data_full (G_OBJECT (row), ACCOUNT_KEY, g_object_ref (account), g_object_unref);
  return row;
}

static void
accounts_changed_cb (PieperAccountsPage *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  if (self->application == NULL)
    return;

  if (!(accounts = pieper_store_list_accounts (pieper_application_get_store (self->application), &error)))
    {
      show_message (self, error->message);
      return;
    }

  for (guint i = 0; i < accounts->len; i++)
    gtk_list_box_append (self->list_box, account_row (self, g_ptr_array_index (accounts, i)));
}

static void
account_added_cb (PieperAccountForm *form,
                  PieperAccount     *account,
                  GtkWindow         *dialog)
{
  gtk_window_close (dialog);
}

static void
add_clicked_cb (PieperAccountsPage *self)
{
  GtkWidget *dialog = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *form = pieper_account_form_new (self->application);

  gtk_window_set_title (GTK_WINDOW (dialog), _("Add Account"));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  gtk_window_set_default_size (GTK_WINDOW (dialog), 480, 520);

  g_object_set (form, "margin-top", 18, "margin-bottom", 18, "margin-start", 12, "margin-end", 12, NULL);
  adw_clamp_set_child (ADW_CLAMP (clamp), form);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), scrolled);
  adw_window_set_content (ADW_WINDOW (dialog), box);

  g_signal_connect_object (form, "account-added", G_CALLBACK (account_added_cb), dialog, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
pieper_accounts_page_set_application (PieperAccountsPage *self,
                                      PieperApplication  *application)
{
  g_return_if_fail (PIEPER_IS_ACCOUNTS_PAGE (self));
  g_return_if_fail (application == NULL || PIEPER_IS_APPLICATION (application));

  if (self->application != NULL)
    g_signal_handlers_disconnect_by_data (self->application, self);
  g_set_object (&self->application, application);
  if (application != NULL)
    g_signal_connect_object (application, "accounts-changed", G_CALLBACK (accounts_changed_cb),
                             self, G_CONNECT_SWAPPED);

  gtk_widget_set_sensitive (GTK_WIDGET (self), application != NULL);
  accounts_changed_cb (self);
}

static void
pieper_accounts_page_dispose (GObject *object)
{
  PieperAccountsPage *self = PIEPER_ACCOUNTS_PAGE (object);

  g_clear_object (&self->application);
  gtk_widget_dispose_template (GTK_WIDGET (self), PIEPER_TYPE_ACCOUNTS_PAGE);

  G_OBJECT_CLASS (pieper_accounts_page_parent_class)->dispose (object);
}

static void
pieper_accounts_page_class_init (PieperAccountsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pieper_accounts_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pieper/Pieper/ui/pieper-accounts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PieperAccountsPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, PieperAccountsPage, add_button);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
}

static void
pieper_accounts_page_init (PieperAccountsPage *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));

  placeholder = gtk_label_new (_("No accounts yet"));
  g_object_set (placeholder, "margin-top", 12, "margin-bottom", 12, "margin-start", 12, "margin-end", 12, NULL);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_list_box_set_placeholder (self->list_box, placeholder);
}
