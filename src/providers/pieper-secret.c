/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperSecret"

#include "config.h"

#include "pieper-secret.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * The one place that talks to the Secret Service. Every call first makes
 * sure there is a session bus, so "no bus" and "no service on the bus" both
 * become PIEPER_SECRET_ERROR_NO_SERVICE, whatever libsecret or GDBus call
 * them; callers show one line that names PIEPER_TOKEN.
 *
 * Tokens never go to the log: messages name the account, not its secret.
 */

G_DEFINE_QUARK (pieper-secret-error-quark, pieper_secret_error)

const SecretSchema *
pieper_secret_get_schema (void)
{
  static const SecretSchema schema = {
    PIEPER_SECRET_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "email", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

/* A plain memset before free may be optimised away; a volatile store may
 * not. */
static void
wipe (char  *buffer,
      gsize  length)
{
  volatile char *p = buffer;

  while (length-- > 0)
    *p++ = '\0';
}

void
pieper_secret_token_free (char *token)
{
  if (token == NULL)
    return;

  wipe (token, strlen (token));
  g_free (token);
}

/*
 * Tokens are read with a search that loads the secret rather than with
 * secret_password_lookup*(): in libsecret 0.20.5 (Debian 12) every lookup
 * leaks the D-Bus reply it decodes (a test under LeakSanitizer with
 * G_SLICE=always-malloc shows it), a search does not. The result is the
 * same: the first matching item, its keyring unlocked when needed.
 */
#define LOOKUP_FLAGS (SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS)

/* libsecret keeps secrets in its own (non-pageable) memory; the rest of
 * Pieper frees tokens with pieper_secret_token_free(), so copy. NULL when
 * no item holds a text secret. Takes @items. */
static char *
take_token (GList *items)
{
  char *token = NULL;

  for (GList *l = items; l != NULL && token == NULL; l = l->next)
    {
      g_autoptr(SecretValue) value = NULL;
      const char *text;

      if (!SECRET_IS_ITEM (l->data) || !(value = secret_item_get_secret (l->data)))
        continue;
      if ((text = secret_value_get_text (value)) != NULL)
        token = g_strdup (text);
    }

  g_list_free_full (items, g_object_unref);

  return token;
}

static GHashTable *
account_attributes (PieperAccount *account)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  const char *email = pieper_account_get_email (account);

  g_hash_table_insert (attributes, (gpointer) "provider", g_strdup (pieper_account_get_provider (account)));
  g_hash_table_insert (attributes, (gpointer) "url", g_strdup (pieper_account_get_url (account)));
  g_hash_table_insert (attributes, (gpointer) "email", g_strdup (email != NULL ? email : ""));

  return attributes;
}

static const char *
no_service_message (void)
{
  return _("No Secret Service is running (e.g. GNOME Keyring), so the token cannot be kept safely; "
           "set PIEPER_TOKEN to pass it to pieperctl instead");
}

static gboolean
is_no_service_error (const GError *error)
{
  if (error->domain == G_DBUS_ERROR)
    {
      switch (error->code)
        {
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        case G_DBUS_ERROR_NO_SERVER:
        case G_DBUS_ERROR_DISCONNECTED:
          return TRUE;
        default:
          /* org.freedesktop.secrets is activatable, but starting it failed. */
          return error->code >= G_DBUS_ERROR_SPAWN_EXEC_FAILED &&
                 error->code <= G_DBUS_ERROR_SPAWN_NO_MEMORY;
        }
    }

  /* The bus went away between our check and libsecret's call. */
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
}

/* Takes @src and sets @dest to what Pieper's callers can act on. */
static void
propagate_error (GError **dest,
                 GError  *src,
                 gboolean no_bus)
{
  if (g_error_matches (src, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (dest, src);
      return;
    }

  if (no_bus || is_no_service_error (src))
    {
      g_debug ("No Secret Service: %s", src->message);
      g_set_error_literal (dest, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_NO_SERVICE,
                           no_service_message ());
    }
  else
    {
      g_debug ("The Secret Service failed: %s", src->message);
      g_set_error (dest, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_FAILED,
                   _("The Secret Service could not be used (%s); unlock your keyring, "
                     "or set PIEPER_TOKEN to pass the token to pieperctl instead"),
                   src->message);
    }

  g_error_free (src);
}

/* libsecret would fail without a bus too, but with whichever GIO error the
 * connection attempt gave; checking first gives one answer. The bus is
 * GLib's shared singleton, which libsecret then reuses. */
static gboolean
check_bus (GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GDBusConnection) bus = NULL;
  GError *local_error = NULL;

  if (!(bus = g_bus_get_sync (G_BUS_TYPE_SESSION, cancellable, &local_error)))
    {
      propagate_error (error, local_error, TRUE);
      return FALSE;
    }

  return TRUE;
}

gboolean
pieper_secret_store_token (PieperAccount  *account,
                           const char     *token,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (PIEPER_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (token != NULL && *token != '\0', FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_bus (cancellable, error))
    return FALSE;

  attributes = account_attributes (account);
  /* TRANSLATORS: the label of the token in the keyring: "Pieper: e-mail at URL". */
  label = g_strdup_printf (_("Pieper: %s at %s"),
                           pieper_account_get_email (account),
                           pieper_account_get_url (account));

  if (!secret_password_storev_sync (pieper_secret_get_schema (), attributes,
                                    SECRET_COLLECTION_DEFAULT, label, token,
                                    cancellable, &local_error))
    {
      propagate_error (error, local_error, FALSE);
      return FALSE;
    }

  g_debug ("Stored the token of the %s account %s at %s",
           pieper_account_get_provider (account),
           pieper_account_get_email (account),
           pieper_account_get_url (account));

  return TRUE;
}

char *
pieper_secret_lookup_token (PieperAccount  *account,
                            GCancellable   *cancellable,
                            GError        **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  GList *items;

  g_return_val_if_fail (PIEPER_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_bus (cancellable, error))
    return NULL;

  attributes = account_attributes (account);
  items = secret_password_searchv_sync (pieper_secret_get_schema (), attributes,
                                        LOOKUP_FLAGS, cancellable, &local_error);
  if (local_error != NULL)
    {
      propagate_error (error, local_error, FALSE);
      return NULL;
    }

  return take_token (items);
}

/* Async lookup: g_bus_get(), then secret_password_searchv(). */

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GError *mapped = NULL;
  GList *items;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      propagate_error (&mapped, error, FALSE);
      g_task_return_error (task, mapped);
      return;
    }

  g_task_return_pointer (task, take_token (items), (GDestroyNotify) pieper_secret_token_free);
}

static void
bus_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GDBusConnection) bus = NULL;
  GError *error = NULL;
  GError *mapped = NULL;

  if (!(bus = g_bus_get_finish (result, &error)))
    {
      propagate_error (&mapped, error, TRUE);
      g_task_return_error (task, mapped);
      return;
    }

  secret_password_searchv (pieper_secret_get_schema (),
                           g_task_get_task_data (task),
                           LOOKUP_FLAGS,
                           g_task_get_cancellable (task),
                           lookup_cb,
                           g_object_ref (task));
}

void
pieper_secret_lookup_token_async (PieperAccount       *account,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PIEPER_IS_ACCOUNT (account));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (account, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_secret_lookup_token_async);
  g_task_set_task_data (task, account_attributes (account), (GDestroyNotify) g_hash_table_unref);

  g_bus_get (G_BUS_TYPE_SESSION, cancellable, bus_cb, g_steal_pointer (&task));
}

char *
pieper_secret_lookup_token_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pieper_secret_lookup_token_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
pieper_secret_has_token (PieperAccount  *account,
                         gboolean       *has_token,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  GList *items;

  g_return_val_if_fail (PIEPER_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (has_token != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *has_token = FALSE;

  if (!check_bus (cancellable, error))
    return FALSE;

  /* No SECRET_SEARCH_UNLOCK or LOAD_SECRETS: the token stays where it is,
   * and a locked keyring asks for no password just to list accounts. */
  attributes = account_attributes (account);
  items = secret_password_searchv_sync (pieper_secret_get_schema (), attributes,
                                        SECRET_SEARCH_NONE, cancellable, &local_error);
  if (local_error != NULL)
    {
      propagate_error (error, local_error, FALSE);
      return FALSE;
    }

  *has_token = items != NULL;
  g_list_free_full (items, g_object_unref);

  return TRUE;
}

gboolean
pieper_secret_clear_token (PieperAccount  *account,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  gboolean removed;

  g_return_val_if_fail (PIEPER_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_bus (cancellable, error))
    return FALSE;

  attributes = account_attributes (account);
  removed = secret_password_clearv_sync (pieper_secret_get_schema (), attributes,
                                         cancellable, &local_error);
  if (local_error != NULL)
    {
      propagate_error (error, local_error, FALSE);
      return FALSE;
    }

  g_debug ("%s for the %s account %s at %s",
           removed ? "Cleared the token" : "No token to clear",
           pieper_account_get_provider (account),
           pieper_account_get_email (account),
           pieper_account_get_url (account));

  return TRUE;
}

const char *
pieper_secret_get_env_token (void)
{
  const char *token = g_getenv (PIEPER_TOKEN_ENV);

  return token != NULL && *token != '\0' ? token : NULL;
}

char *
pieper_secret_get_token (PieperAccount  *account,
                         GError        **error)
{
  const char *env = pieper_secret_get_env_token ();
  g_autoptr(GError) local_error = NULL;
  char *token;

  g_return_val_if_fail (PIEPER_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Scripts and CI, where no Secret Service runs. */
  if (env != NULL)
    return g_strdup (env);

  if (!(token = pieper_secret_lookup_token (account, NULL, &local_error)))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_NO_TOKEN,
                     _("No token is stored for %s at %s; remove the account and add it again, "
                       "or set PIEPER_TOKEN"),
                     pieper_account_get_email (account),
                     pieper_account_get_url (account));
      return NULL;
    }

  return token;
}
