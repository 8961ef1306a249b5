/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PIEPER_TYPE_ACCOUNT (pieper_account_get_type ())
G_DECLARE_FINAL_TYPE (PieperAccount, pieper_account, PIEPER, ACCOUNT, GObject)

/**
 * PieperAccount:
 *
 * A server the responder is on call for. The API token is never part of it:
 * it lives in the Secret Service, keyed by the account's provider, URL and
 * e-mail (see pieper-secret.h).
 */
PieperAccount *pieper_account_new           (const char    *provider,
                                             const char    *url,
                                             const char    *email);

gint64         pieper_account_get_id        (PieperAccount *self);
void           pieper_account_set_id        (PieperAccount *self,
                                             gint64         id);
const char    *pieper_account_get_provider  (PieperAccount *self);
const char    *pieper_account_get_url       (PieperAccount *self);
const char    *pieper_account_get_email     (PieperAccount *self);
/* The responder's own user id and name on the server, learnt from whoami. */
const char    *pieper_account_get_user_id   (PieperAccount *self);
void           pieper_account_set_user_id   (PieperAccount *self,
                                             const char    *user_id);
const char    *pieper_account_get_user_name (PieperAccount *self);
void           pieper_account_set_user_name (PieperAccount *self,
                                             const char    *user_name);
gint64         pieper_account_get_created_at (PieperAccount *self);
void           pieper_account_set_created_at (PieperAccount *self,
                                              gint64         at);

G_END_DECLS
