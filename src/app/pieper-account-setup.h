/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <pieper.h>

G_BEGIN_DECLS

/*
 * Adding an account from the app: the server is asked who the token
 * belongs to (whoami) before anything is kept; then the token goes to the
 * Secret Service and the account, with the user id and name the server
 * gave, to the store. On any failure nothing is kept, and the error's
 * message is one line for the responder.
 */
void           pieper_account_setup_async       (PieperStore          *store,
                                                 PieperAccount        *account,
                                                 const char           *token,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
/* The stored account, with its id. */
PieperAccount *pieper_account_setup_finish      (GAsyncResult         *result,
                                                 GError              **error);

/* Asks @provider who the responder is and stores the answer in @account
 * (and the store). */
void           pieper_account_learn_user_async  (PieperStore          *store,
                                                 PieperAccount        *account,
                                                 PieperProvider       *provider,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean       pieper_account_learn_user_finish (GAsyncResult         *result,
                                                 GError              **error);

/* Clears a removed account's token from the Secret Service; succeeds
 * when there was none. */
void           pieper_account_forget_token_async  (PieperAccount        *account,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean       pieper_account_forget_token_finish (GAsyncResult         *result,
                                                   GError              **error);

/* One line for the responder about a failed whoami. */
char          *pieper_account_describe_error    (const GError         *error);

G_END_DECLS
