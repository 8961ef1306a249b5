/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperProviders"

#include "config.h"

#include <libsoup/soup.h>

#include <glib/gi18n-lib.h>

#include "pieper-providers.h"

#include "pieper-alertmanager.h"
#include "pieper-pagerduty.h"

/*
 * The one place that knows every provider: the sync engine, the app and
 * pieperctl turn an account into a PieperProvider here and talk only to
 * the interface afterwards.
 */

static const char * const provider_names[] = {
  "pagerduty",
  "alertmanager",
  NULL
};

/**
 * pieper_providers_list:
 *
 * Returns: (transfer none): the names of the providers this build knows,
 *   as stored in an account
 */
const char * const *
pieper_providers_list (void)
{
  return provider_names;
}

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* An API token may only travel over TLS, except to this machine (the
 * simulator in demo mode and in tests). */
static gboolean
check_url (const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  if (uri == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The server address is not a valid URL"));
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (host == NULL || host[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The server address has no host name"));
      return FALSE;
    }

  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;

  if (g_ascii_strcasecmp (scheme, "http") == 0 && is_loopback_host (host))
    return TRUE;

  if (g_ascii_strcasecmp (scheme, "http") == 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("The server address must start with https:// (plain http is only allowed to this computer)"));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("The server address must start with https://"));

  return FALSE;
}

/**
 * pieper_providers_token_is_optional:
 * @provider: a provider name, as stored in an account
 *
 * Returns: whether an account of @provider works without a token (an
 *   Alertmanager without a proxy in front needs none)
 */
gboolean
pieper_providers_token_is_optional (const char *provider)
{
  return g_strcmp0 (provider, "alertmanager") == 0;
}

/*
 * A proxy in front of the server gave up waiting for it (502, 504, and
 * Cloudflare's 524): a write may have reached the server, which may still
 * be handling it. A 500 is the server's own answer, so it is done with the
 * request; a 503 most often comes from a balancer with nowhere to send it.
 * Both stay transient: the next try reads back first anyway.
 */
gboolean
_pieper_providers_status_leaves_outcome_unknown (guint status)
{
  return status == SOUP_STATUS_BAD_GATEWAY ||
         status == SOUP_STATUS_GATEWAY_TIMEOUT ||
         status == 524;
}

/**
 * pieper_provider_new_for_account:
 * @account: the account
 * @token: (nullable): its API token, from the Secret Service (optional
 *   where pieper_providers_token_is_optional() says so)
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a provider for the account's server,
 *   or %NULL with %G_IO_ERROR_NOT_SUPPORTED for a provider this build does
 *   not know, or %G_IO_ERROR_INVALID_ARGUMENT for an unusable address or
 *   token
 */
PieperProvider *
pieper_provider_new_for_account (PieperAccount  *account,
                                 const char     *token,
                                 GError        **error)
{
  g_autofree char *name = NULL;
  const char *provider;

  g_return_val_if_fail (PIEPER_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  provider = pieper_account_get_provider (account);

  if (g_strcmp0 (provider, "pagerduty") == 0)
    {
      if (token == NULL || token[0] == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("This PagerDuty account has no API token"));
          return NULL;
        }

      if (!check_url (pieper_account_get_url (account), error))
        return NULL;

      return pieper_pagerduty_new (pieper_account_get_url (account),
                                   pieper_account_get_email (account),
                                   token);
    }

  if (g_strcmp0 (provider, "alertmanager") == 0)
    {
      /* The token, when there is one, is for a proxy in front; the e-mail
       * address, when there is one, names the responder in silences. */
      if (!check_url (pieper_account_get_url (account), error))
        return NULL;

      return pieper_alertmanager_new (pieper_account_get_url (account),
                                      pieper_account_get_email (account),
                                      token, error);
    }

  name = pieper_utf8_cap (provider != NULL ? provider : "(none)", 64);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("Pieper cannot talk to “%s” servers; it knows: pagerduty, alertmanager"),
               name);
  return NULL;
}
