/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "pieper-account-setup.h"
#include "pieper-providers.h"
#include "pieper-secret.h"

/*
 * The order matters: a duplicate is refused before the server is asked (its
 * token in the keyring must not be replaced); the server is asked before
 * anything is kept (a refused token must leave no trace); the keyring is
 * written before the store (an account whose token could not be kept would
 * only fail later, further from the cause).
 */

typedef struct
{
  PieperStore    *store;
  PieperAccount  *account;
  PieperProvider *provider;
  char           *token;
} SetupData;

static void
setup_data_free (SetupData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->account);
  g_clear_object (&data->provider);
  pieper_secret_token_free (data->token);
  g_free (data);
}

char *
pieper_account_describe_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != PIEPER_PROVIDER_ERROR)
    return g_strdup (error->message);

  switch ((PieperProviderError) error->code)
    {
    case PIEPER_PROVIDER_ERROR_AUTH:
      return g_strdup (_("The server refused this token"));

    case PIEPER_PROVIDER_ERROR_RATE_LIMITED:
      return g_strdup (_("The server is busy; try again in a minute"));

    case PIEPER_PROVIDER_ERROR_NOT_FOUND:
    case PIEPER_PROVIDER_ERROR_UNSUPPORTED:
      /* TRANSLATORS: %s is the server's own reason, in its language. */
      return g_strdup_printf (_("The server did not answer as expected (%s); check the address"),
                              error->message);

    case PIEPER_PROVIDER_ERROR_PERMANENT:
    case PIEPER_PROVIDER_ERROR_CONFLICT:
      /* TRANSLATORS: %s is the server's own reason, in its language. */
      return g_strdup_printf (_("The server did not accept this: %s"), error->message);

    case PIEPER_PROVIDER_ERROR_TRANSIENT:
    case PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME:
    default:
      /* Already says what went wrong: unreachable, TLS, a broken answer. */
      return g_strdup (error->message);
    }
}

static gboolean
is_duplicate (PieperStore    *store,
              PieperAccount  *account,
              GError        **error)
{
  g_autoptr(GPtrArray) accounts = NULL;

  if (!(accounts = pieper_store_list_accounts (store, error)))
    return TRUE;

  for (guint i = 0; i < accounts->len; i++)
    {
      PieperAccount *other = g_ptr_array_index (accounts, i);

      if (g_strcmp0 (pieper_account_get_provider (other), pieper_account_get_provider (account)) == 0 &&
          g_strcmp0 (pieper_account_get_url (other), pieper_account_get_url (account)) == 0 &&
          g_strcmp0 (pieper_account_get_email (other), pieper_account_get_email (account)) == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       _("There is already an account for %s at %s"),
                       pieper_account_get_email (account), pieper_account_get_url (account));
          return TRUE;
        }
    }

  return FALSE;
}

/* The last step, back on the main thread: the store. */
static void
keep_account (GTask *task)
{
  SetupData *data = g_task_get_task_data (task);
  g_autoptr(PieperAccount) added = NULL;
  g_autoptr(GError) error = NULL;

  if (!(added = pieper_store_add_account (data->store, data->account, &error)))
    {
      g_autoptr(GError) clear_error = NULL;

      if (data->token != NULL &&
          !pieper_secret_clear_token (data->account, NULL, &clear_error))
        g_warning ("Could not take back the token of an account that was not added: %s",
                   clear_error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&added), g_object_unref);
}

static void
store_token_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  SetupData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (!pieper_secret_store_token (data->account, data->token, cancellable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
store_token_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_NO_SERVICE))
        g_task_return_new_error (task, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_NO_SERVICE,
                                 _("No keyring (Secret Service) is running, so the token cannot be kept; start one and try again"));
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_FAILED,
                                 _("The keyring did not keep the token: %s"), error->message);
      return;
    }

  keep_account (task);
}

static void
setup_whoami_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SetupData *data = g_task_get_task_data (task);
  g_autoptr(GTask) thread_task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *user_name = NULL;

  if (!pieper_provider_whoami_finish (PIEPER_PROVIDER (object), result, &user_id, &user_name, &error))
    {
      g_autofree char *message = pieper_account_describe_error (error);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, error->domain, error->code, "%s", message);
      return;
    }

  pieper_account_set_user_id (data->account, user_id);
  pieper_account_set_user_name (data->account, user_name);

  if (data->token == NULL)
    {
      keep_account (task);
      return;
    }

  /* libsecret's calls block, and a keyring may have to be unlocked. */
  thread_task = g_task_new (NULL, g_task_get_cancellable (task), store_token_cb, g_object_ref (task));
  g_task_set_task_data (thread_task, data, NULL);
  g_task_run_in_thread (thread_task, store_token_thread);
}

void
pieper_account_setup_async (PieperStore         *store,
                            PieperAccount       *account,
                            const char          *token,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  SetupData *data;

  g_return_if_fail (PIEPER_IS_STORE (store));
  g_return_if_fail (PIEPER_IS_ACCOUNT (account));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_account_setup_async);
  data = g_new0 (SetupData, 1);
  data->store = g_object_ref (store);
  data->account = g_object_ref (account);
  data->token = token != NULL && *token != '\0' ? g_strdup (token) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) setup_data_free);

  if (is_duplicate (store, account, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!(data->provider = pieper_provider_new_for_account (account, data->token, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pieper_provider_whoami_async (data->provider, cancellable, setup_whoami_cb, g_steal_pointer (&task));
}

PieperAccount *
pieper_account_setup_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pieper_account_setup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Learning who the responder is, for an account that does not know yet. */

static void
learn_whoami_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SetupData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *user_name = NULL;

  if (!pieper_provider_whoami_finish (PIEPER_PROVIDER (object), result, &user_id, &user_name, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pieper_account_set_user_id (data->account, user_id);
  pieper_account_set_user_name (data->account, user_name);
  if (!pieper_store_update_account (data->store, data->account, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
pieper_account_learn_user_async (PieperStore         *store,
                                 PieperAccount       *account,
                                 PieperProvider      *provider,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SetupData *data;

  g_return_if_fail (PIEPER_IS_STORE (store));
  g_return_if_fail (PIEPER_IS_ACCOUNT (account));
  g_return_if_fail (PIEPER_IS_PROVIDER (provider));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_account_learn_user_async);
  data = g_new0 (SetupData, 1);
  data->store = g_object_ref (store);
  data->account = g_object_ref (account);
  g_task_set_task_data (task, data, (GDestroyNotify) setup_data_free);

  pieper_provider_whoami_async (provider, cancellable, learn_whoami_cb, g_steal_pointer (&task));
}

gboolean
pieper_account_learn_user_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Forgetting a removed account's token. */

static void
clear_token_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (!pieper_secret_clear_token (task_data, cancellable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
pieper_account_forget_token_async (PieperAccount       *account,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PIEPER_IS_ACCOUNT (account));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_account_forget_token_async);
  g_task_set_task_data (task, g_object_ref (account), g_object_unref);
  g_task_run_in_thread (task, clear_token_thread);
}

gboolean
pieper_account_forget_token_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
