/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pieper-store-private.h"

/* Accounts */

#define ACCOUNT_COLUMNS "id, provider, url, email, user_id, user_name, created_at"

static PieperAccount *
account_from_row (PieperStmt *stmt)
{
  PieperAccount *account;

  account = pieper_account_new (_pieper_column_text (stmt, 1), _pieper_column_text (stmt, 2), _pieper_column_text (stmt, 3));
  pieper_account_set_id (account, sqlite3_column_int64 (stmt, 0));
  pieper_account_set_user_id (account, _pieper_column_text (stmt, 4));
  pieper_account_set_user_name (account, _pieper_column_text (stmt, 5));
  pieper_account_set_created_at (account, sqlite3_column_int64 (stmt, 6));

  return account;
}

PieperAccount *
pieper_store_get_account (PieperStore  *self,
                          gint64        id,
                          GError      **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);

  if (!(stmt = _pieper_store_prepare (self, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?", error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return account_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND,
                 _("No account %lld"), (long long) id);
  else
    _pieper_store_set_error (self, rc, error);

  return NULL;
}

GPtrArray *
pieper_store_list_accounts (PieperStore  *self,
                            GError      **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  int rc;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);

  if (!(stmt = _pieper_store_prepare (self, "SELECT " ACCOUNT_COLUMNS " FROM accounts ORDER BY id", error)))
    return NULL;

  accounts = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (accounts, account_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      _pieper_store_set_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&accounts);
}

static gint64
lookup_account_id (PieperStore  *self,
                   const char   *provider,
                   const char   *url,
                   const char   *email,
                   GError      **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  int rc;

  if (!(stmt = _pieper_store_prepare (self, "SELECT id FROM accounts WHERE provider = ? AND url = ? AND email = ?", error)))
    return -1;

  _pieper_bind_text (stmt, 1, provider);
  _pieper_bind_text (stmt, 2, url);
  _pieper_bind_text (stmt, 3, email != NULL ? email : "");
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc == SQLITE_DONE)
    return 0;

  _pieper_store_set_error (self, rc, error);
  return -1;
}

PieperAccount *
pieper_store_add_account (PieperStore    *self,
                          PieperAccount  *account,
                          GError        **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  gint64 id;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);
  g_return_val_if_fail (PIEPER_IS_ACCOUNT (account), NULL);

  id = lookup_account_id (self,
                          pieper_account_get_provider (account),
                          pieper_account_get_url (account),
                          pieper_account_get_email (account),
                          error);
  if (id < 0)
    return NULL;
  if (id > 0)
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                   _("There is already a %s account for %s at %s"),
                   pieper_account_get_provider (account),
                   pieper_account_get_email (account),
                   pieper_account_get_url (account));
      return NULL;
    }

  if (!(stmt = _pieper_store_prepare (self,
                                      "INSERT INTO accounts (provider, url, email, user_id, user_name, created_at)"
                                      " VALUES (?, ?, ?, ?, ?, ?)",
                                      error)))
    return NULL;

  _pieper_bind_text (stmt, 1, pieper_account_get_provider (account));
  _pieper_bind_text (stmt, 2, pieper_account_get_url (account));
  _pieper_bind_text (stmt, 3, pieper_account_get_email (account));
  _pieper_bind_text (stmt, 4, pieper_account_get_user_id (account));
  _pieper_bind_text (stmt, 5, pieper_account_get_user_name (account));
  sqlite3_bind_int64 (stmt, 6, _pieper_now ());

  if (!_pieper_store_step_done (self, stmt, error))
    return NULL;

  return pieper_store_get_account (self, sqlite3_last_insert_rowid (_pieper_store_get_db (self)), error);
}

PieperAccount *
pieper_store_ensure_account (PieperStore  *self,
                             const char   *provider,
                             const char   *url,
                             const char   *email,
                             GError      **error)
{
  g_autoptr(PieperAccount) account = NULL;
  gint64 id;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);

  id = lookup_account_id (self, provider, url, email, error);
  if (id < 0)
    return NULL;
  if (id > 0)
    return pieper_store_get_account (self, id, error);

  account = pieper_account_new (provider, url, email);
  return pieper_store_add_account (self, account, error);
}

gboolean
pieper_store_update_account (PieperStore    *self,
                             PieperAccount  *account,
                             GError        **error)
{
  g_autoptr(PieperStmt) stmt = NULL;

  g_return_val_if_fail (PIEPER_IS_STORE (self), FALSE);
  g_return_val_if_fail (PIEPER_IS_ACCOUNT (account), FALSE);

  if (!(stmt = _pieper_store_prepare (self, "UPDATE accounts SET user_id = ?, user_name = ? WHERE id = ?", error)))
    return FALSE;

  _pieper_bind_text (stmt, 1, pieper_account_get_user_id (account));
  _pieper_bind_text (stmt, 2, pieper_account_get_user_name (account));
  sqlite3_bind_int64 (stmt, 3, pieper_account_get_id (account));

  return _pieper_store_step_done (self, stmt, error);
}

gboolean
pieper_store_remove_account (PieperStore  *self,
                             gint64        id,
                             gboolean      force,
                             GError      **error)
{
  g_autoptr(PieperAccount) account = NULL;
  gint64 unsent = 0;

  g_return_val_if_fail (PIEPER_IS_STORE (self), FALSE);

  if (!(account = pieper_store_get_account (self, id, error)))
    return FALSE;

  if (!_pieper_store_begin (self, error))
    return FALSE;

  {
    g_autoptr(PieperStmt) stmt = NULL;

    if (!(stmt = _pieper_store_prepare (self,
                                        "SELECT count(*) FROM outbox WHERE account_id = ?"
                                        " AND state IN ('pending', 'inflight')",
                                        error)))
      goto failed;

    sqlite3_bind_int64 (stmt, 1, id);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      unsent = sqlite3_column_int64 (stmt, 0);
  }

  /* Removing an account must not silently drop the responder's work. */
  if (unsent > 0 && !force)
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                   ngettext ("The account has %lld unsent action; sync first or force the removal",
                             "The account has %lld unsent actions; sync first or force the removal",
                             unsent),
                   (long long) unsent);
      goto failed;
    }

  {
    g_autoptr(PieperStmt) outbox = NULL;
    g_autoptr(PieperStmt) accounts = NULL;

    if (!(outbox = _pieper_store_prepare (self, "DELETE FROM outbox WHERE account_id = ?", error)))
      goto failed;
    sqlite3_bind_int64 (outbox, 1, id);
    if (!_pieper_store_step_done (self, outbox, error))
      goto failed;

    if (!(accounts = _pieper_store_prepare (self, "DELETE FROM accounts WHERE id = ?", error)))
      goto failed;
    sqlite3_bind_int64 (accounts, 1, id);
    if (!_pieper_store_step_done (self, accounts, error))
      goto failed;
  }

  return _pieper_store_commit (self, error);

failed:
  _pieper_store_rollback (self);
  return FALSE;
}
