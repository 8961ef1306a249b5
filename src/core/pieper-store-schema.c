/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pieper-store-private.h"

/*
 * Forward migrations. Migration N takes a database at user_version N-1 to
 * user_version N. Never edit a migration that has shipped: add a new one,
 * and a fixture of the old schema to tests/fixtures/ (see test-store.c).
 */
static const char * const migrations[] = {
  /* 1: the first schema. */
  "CREATE TABLE accounts ("
  "  id INTEGER PRIMARY KEY,"
  "  provider TEXT NOT NULL,"
  "  url TEXT NOT NULL,"
  "  email TEXT NOT NULL DEFAULT '',"
  "  user_id TEXT,"
  "  user_name TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  UNIQUE (provider, url, email));"
  "CREATE TABLE incidents ("
  "  id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  remote_id TEXT NOT NULL,"
  "  number INTEGER NOT NULL DEFAULT 0,"
  "  title TEXT NOT NULL,"
  "  status TEXT NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),"
  "  urgency TEXT NOT NULL CHECK (urgency IN ('high', 'low')),"
  "  priority TEXT,"
  "  service TEXT,"
  "  escalation_policy TEXT,"
  "  escalation_level INTEGER NOT NULL DEFAULT 1,"
  "  assignees TEXT,"
  "  assignee_ids TEXT,"
  "  html_url TEXT,"
  "  created_at INTEGER NOT NULL DEFAULT 0,"
  "  updated_at INTEGER NOT NULL DEFAULT 0,"
  "  last_status_change_at INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (account_id, remote_id));"
  "CREATE INDEX incidents_by_number ON incidents (number);"
  "CREATE TABLE timeline ("
  "  id INTEGER PRIMARY KEY,"
  "  incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,"
  "  remote_id TEXT,"
  "  kind TEXT NOT NULL,"
  "  origin TEXT NOT NULL DEFAULT 'remote' CHECK (origin IN ('remote', 'local')),"
  "  action_id INTEGER,"
  "  author TEXT,"
  "  at INTEGER NOT NULL,"
  "  body TEXT,"
  "  UNIQUE (incident_id, remote_id));"
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id),"
  "  incident_id INTEGER NOT NULL REFERENCES incidents (id),"
  "  op TEXT NOT NULL CHECK (op IN ('acknowledge', 'resolve', 'escalate', 'reassign', 'snooze', 'note')),"
  "  payload TEXT NOT NULL DEFAULT '{}',"
  "  idempotency_key TEXT NOT NULL UNIQUE,"
  "  state TEXT NOT NULL CHECK (state IN ('pending', 'inflight', 'done', 'conflict', 'failed')),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL);"
  "CREATE INDEX outbox_unsent ON outbox (incident_id, id)"
  "  WHERE state IN ('pending', 'inflight');"
  "CREATE TABLE sync_state ("
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  key TEXT NOT NULL,"
  "  value TEXT,"
  "  PRIMARY KEY (account_id, key)) WITHOUT ROWID;",

  /* 2: the links an incident room needs: chat, video bridge, status page,
   * postmortem; and outbox lookups per account for the sync engine. */
  "ALTER TABLE incidents ADD COLUMN chat_url TEXT;"
  "ALTER TABLE incidents ADD COLUMN video_url TEXT;"
  "ALTER TABLE incidents ADD COLUMN status_page_url TEXT;"
  "ALTER TABLE incidents ADD COLUMN postmortem_url TEXT;"
  "CREATE INDEX outbox_unsent_by_account ON outbox (account_id, incident_id, id)"
  "  WHERE state IN ('pending', 'inflight');",

  /* 3: who holds an inflight action, so a sender that died (a crash, a
   * SIGKILL) is noticed at once instead of when its lease runs out. */
  "ALTER TABLE outbox ADD COLUMN claimed_by TEXT;",

  /* 4: what the incident list needs, read from one index: a row version
   * that every write of the row changes (_pieper_store_upsert_incident),
   * and the list's order with the snapshot's status and that version, so
   * pieper_store_list_incident_rows() reads no table row and sorts
   * nothing. Rows stored before start at version 0. */
  ("ALTER TABLE incidents ADD COLUMN version INTEGER NOT NULL DEFAULT 0;"
   "CREATE INDEX incidents_by_list ON incidents (created_at DESC, id DESC, status, version);"),
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == PIEPER_STORE_SCHEMA_VERSION);

static int
get_user_version (PieperStore  *self,
                  GError      **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  int rc;

  if (!(stmt = _pieper_store_prepare (self, "PRAGMA user_version", error)))
    return -1;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _pieper_store_set_error (self, rc, error);
      return -1;
    }

  return sqlite3_column_int (stmt, 0);
}

gboolean
_pieper_store_migrate (PieperStore  *self,
                       GError      **error)
{
  int version;

  /* An exclusive lock first: two processes opening a new store at once
   * must not both run migration 1. */
  if (!_pieper_store_begin (self, error))
    return FALSE;

  if ((version = get_user_version (self, error)) < 0)
    goto failed;

  if (version > PIEPER_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_TOO_NEW,
                   _("The store was written by a newer Pieper (schema %d; this one knows %d)"),
                   version, PIEPER_STORE_SCHEMA_VERSION);
      goto failed;
    }

  for (int v = version; v < PIEPER_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *set_version = NULL;

      g_debug ("Migrating the store from schema %d to %d", v, v + 1);

      if (!_pieper_store_exec (self, migrations[v], error))
        goto failed;

      set_version = g_strdup_printf ("PRAGMA user_version = %d", v + 1);
      if (!_pieper_store_exec (self, set_version, error))
        goto failed;
    }

  return _pieper_store_commit (self, error);

failed:
  _pieper_store_rollback (self);
  return FALSE;
}
