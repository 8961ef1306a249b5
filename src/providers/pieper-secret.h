/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

#include <pieper/pieper-account.h>

G_BEGIN_DECLS

/*
 * API tokens live in the Secret Service (GNOME Keyring, KWallet…), keyed by
 * the account's provider, URL and e-mail, and nowhere else: not in the
 * database, the settings, the logs or a command line. Scripts and CI, where
 * no Secret Service runs, pass the token in PIEPER_TOKEN instead.
 *
 * Every token this API returns is a copy in ordinary memory; free it with
 * pieper_secret_token_free(), which wipes it first.
 */

#define PIEPER_SECRET_SCHEMA_NAME "io.github.pieper.Token"
#define PIEPER_TOKEN_ENV          "PIEPER_TOKEN"

#define PIEPER_SECRET_ERROR (pieper_secret_error_quark ())

typedef enum
{
  /* No session bus, or nothing provides org.freedesktop.secrets on it. */
  PIEPER_SECRET_ERROR_NO_SERVICE,
  /* A Secret Service answered, but could not keep or give the token (a
   * locked keyring nobody can unlock, a dismissed prompt…). */
  PIEPER_SECRET_ERROR_FAILED,
  /* pieper_secret_get_token(): neither PIEPER_TOKEN nor a stored token. */
  PIEPER_SECRET_ERROR_NO_TOKEN,
} PieperSecretError;

GQuark              pieper_secret_error_quark          (void);

/* The SecretSchema "io.github.pieper.Token": provider, url and email, all
 * strings. */
const SecretSchema *pieper_secret_get_schema           (void);

gboolean            pieper_secret_store_token          (PieperAccount        *account,
                                                        const char           *token,
                                                        GCancellable         *cancellable,
                                                        GError              **error);
/* NULL without an error when no token is stored for @account. */
char               *pieper_secret_lookup_token         (PieperAccount        *account,
                                                        GCancellable         *cancellable,
                                                        GError              **error);
void                pieper_secret_lookup_token_async   (PieperAccount        *account,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
char               *pieper_secret_lookup_token_finish  (GAsyncResult         *result,
                                                        GError              **error);
/* Whether a token is stored, without unlocking or reading it. */
gboolean            pieper_secret_has_token            (PieperAccount        *account,
                                                        gboolean             *has_token,
                                                        GCancellable         *cancellable,
                                                        GError              **error);
/* Succeeds, doing nothing, when no token is stored. */
gboolean            pieper_secret_clear_token          (PieperAccount        *account,
                                                        GCancellable         *cancellable,
                                                        GError              **error);

/* PIEPER_TOKEN when it is set and not empty, else NULL. */
const char         *pieper_secret_get_env_token        (void);
/* The token to use for @account: PIEPER_TOKEN when set, else the Secret
 * Service's. PIEPER_SECRET_ERROR_NO_TOKEN when there is none. */
char               *pieper_secret_get_token            (PieperAccount        *account,
                                                        GError              **error);

void                pieper_secret_token_free           (char                 *token);

G_END_DECLS
