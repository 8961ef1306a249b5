/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pieper-account-form.h"
#include "pieper-account-setup.h"
#include "pieper-providers.h"
#include "pieper-secret.h"

/*
 * The form that adds an account, on the first-run page and in the
 * preferences. Add asks the server first (pieper-account-setup.c), with a
 * spinner; the fields stay usable meanwhile. A failure is one line in the
 * form, and nothing is kept.
 */

struct _PieperAccountForm
{
  GtkBox             parent_instance;

  PieperApplication *application;
  GCancellable      *cancellable;

  AdwComboRow       *provider_row;
  AdwEntryRow       *url_row;
  AdwEntryRow       *email_row;
  AdwPasswordEntryRow *token_row;
  GtkLabel          *error_label;
  GtkSpinner        *spinner;
  GtkButton         *add_button;
};

G_DEFINE_FINAL_TYPE (PieperAccountForm, pieper_account_form, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_APPLICATION,
  PROP_BUSY,
  N_PROPS
};

enum {
  ACCOUNT_ADDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* In the order of the provider row's model. */
static const struct
{
  const char *name;
  const char *default_url;
} providers[] = {
  { "pagerduty", "https://api.pagerduty.com" },
  { "alertmanager", "" },
};

static guint
selected_provider (PieperAccountForm *self)
{
  guint selected = adw_combo_row_get_selected (self->provider_row);

  return selected < G_N_ELEMENTS (providers) ? selected : 0;
}

static void
show_error (PieperAccountForm *self,
            const char        *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (PieperAccountForm *self,
          gboolean           busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

gboolean
pieper_account_form_get_busy (PieperAccountForm *self)
{
  g_return_val_if_fail (PIEPER_IS_ACCOUNT_FORM (self), FALSE);

  return self->cancellable != NULL;
}

static void
provider_changed_cb (PieperAccountForm *self)
{
  guint k = selected_provider (self);
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  gboolean optional = pieper_providers_token_is_optional (providers[k].name);

  if (self->email_row == NULL)
    return;

  /* Only an address the responder did not type is replaced. */
  for (guint i = 0; i < G_N_ELEMENTS (providers); i++)
    if (g_strcmp0 (url, providers[i].default_url) == 0)
      {
        gtk_editable_set_text (GTK_EDITABLE (self->url_row), providers[k].default_url);
        break;
      }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->email_row),
                                 optional ? _("Your _e-mail address (optional)") : _("Your _e-mail address"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->token_row),
                                 optional ? _("API _token (optional)") : _("API _token"));
}

static char *
field (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* What can be said without asking the server. */
static gboolean
check_fields (PieperAccountForm *self,
              const char        *provider,
              const char        *url,
              const char        *email,
              const char        *token)
{
  gboolean optional = pieper_providers_token_is_optional (provider);
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (*url == '\0')
    show_error (self, _("Enter the server’s address"));
  /* It would be kept in the store, which is no place for a password. */
  else if (uri != NULL && g_uri_get_userinfo (uri) != NULL)
    show_error (self, _("The address must not hold a user name or password; the token field is for those"));
  else if (*email == '\0' && !optional)
    show_error (self, _("Enter your e-mail address: the server needs it with every action"));
  else if (*email != '\0' && (strchr (email, '@') == NULL || strchr (email, ' ') != NULL))
    show_error (self, _("The e-mail address is not valid"));
  else if (*token == '\0' && !optional)
    show_error (self, _("Enter the API token"));
  else
    return TRUE;

  return FALSE;
}

static void
setup_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PieperAccountForm) self = user_data;
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = pieper_account_setup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (account == NULL)
    {
      show_error (self, error->message);
      return;
    }

  show_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->email_row), "");
  if (self->application != NULL)
    pieper_application_reload_accounts (self->application);
  g_signal_emit (self, signals[ACCOUNT_ADDED], 0, account);
}

static void
add_cb (PieperAccountForm *self)
{
  const char *provider = providers[selected_provider (self)].name;
  g_autofree char *url = field (self->url_row);
  g_autofree char *email = field (self->email_row);
  g_autoptr(PieperAccount) account = NULL;
  char *token;

  if (self->cancellable != NULL || self->application == NULL)
    return;

  /* The entry keeps its own copy; this one is wiped when freed. */
  token = field (ADW_ENTRY_ROW (self->token_row));
  if (!check_fields (self, provider, url, email, token))
    {
      pieper_secret_token_free (token);
      return;
    }

  show_error (self, NULL);
  account = pieper_account_new (provider, url, email);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  pieper_account_setup_async (pieper_application_get_store (self->application), account, token,
                              self->cancellable, setup_cb, g_object_ref (self));
  pieper_secret_token_free (token);
}

void
pieper_account_form_set_application (PieperAccountForm *self,
                                     PieperApplication *application)
{
  g_return_if_fail (PIEPER_IS_ACCOUNT_FORM (self));
  g_return_if_fail (application == NULL || PIEPER_IS_APPLICATION (application));

  if (g_set_object (&self->application, application))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APPLICATION]);
}

static void
pieper_account_form_dispose (GObject *object)
{
  PieperAccountForm *self = PIEPER_ACCOUNT_FORM (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->application);
  gtk_widget_dispose_template (GTK_WIDGET (self), PIEPER_TYPE_ACCOUNT_FORM);

  G_OBJECT_CLASS (pieper_account_form_parent_class)->dispose (object);
}

static void
pieper_account_form_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PieperAccountForm *self = PIEPER_ACCOUNT_FORM (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_value_set_object (value, self->application);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, pieper_account_form_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_account_form_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  PieperAccountForm *self = PIEPER_ACCOUNT_FORM (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      pieper_account_form_set_application (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_account_form_class_init (PieperAccountFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pieper_account_form_dispose;
  object_class->get_property = pieper_account_form_get_property;
  object_class->set_property = pieper_account_form_set_property;

  properties[PROP_APPLICATION] =
    g_param_spec_object ("application", NULL, NULL, PIEPER_TYPE_APPLICATION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PieperAccountForm::account-added:
   * @account: the stored account
   *
   * The server knew the token, and the account and its token are kept.
   */
  signals[ACCOUNT_ADDED] =
    g_signal_new ("account-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PIEPER_TYPE_ACCOUNT);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pieper/Pieper/ui/pieper-account-form.ui");
  gtk_widget_class_bind_template_child (widget_class, PieperAccountForm, provider_row);
  gtk_widget_class_bind_template_child (widget_class, PieperAccountForm, url_row);
  gtk_widget_class_bind_template_child (widget_class, PieperAccountForm, email_row);
  gtk_widget_class_bind_template_child (widget_class, PieperAccountForm, token_row);
  gtk_widget_class_bind_template_child (widget_class, PieperAccountForm, error_label);
  gtk_widget_class_bind_template_child (widget_class, PieperAccountForm, spinner);
  gtk_widget_class_bind_template_child (widget_class, PieperAccountForm, add_button);
  gtk_widget_class_bind_template_callback (widget_class, provider_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_cb);
}

static void
pieper_account_form_init (PieperAccountForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
pieper_account_form_new (PieperApplication *application)
{
  g_return_val_if_fail (application == NULL || PIEPER_IS_APPLICATION (application), NULL);

  return g_object_new (PIEPER_TYPE_ACCOUNT_FORM, "application", application, NULL);
}
