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

  /* 4: the same CHECKs of incidents.status, outbox.op and outbox.state as
   * comparisons joined by OR. SQLite codes an IN list of three or more
   * constants as an ephemeral table, built each time a statement writes
   * the column: every upsert of an incident and every change of an
   * action's state paid for it (an IN of two is coded as two comparisons,
   * so urgency, origin and the indexes' WHERE stay as they are). SQLite
   * cannot alter a constraint, so both tables are rebuilt as
   * https://www.sqlite.org/lang_altertable.html#otheralter says: a new
   * table, every row copied with its id, the old one dropped, the new one
   * renamed, its indexes made again. No table has a trigger, a view or
   * AUTOINCREMENT. _pieper_store_migrate turns foreign keys off around
   * this, or dropping incidents would delete the timeline (ON DELETE
   * CASCADE), and checks them before it commits. */
  "CREATE TABLE incidents_new ("
  "  id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  remote_id TEXT NOT NULL,"
  "  number INTEGER NOT NULL DEFAULT 0,"
  "  title TEXT NOT NULL,"
  "  status TEXT NOT NULL"
  "    CHECK (status = 'triggered' OR status = 'acknowledged' OR status = 'resolved'),"
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
  "  chat_url TEXT,"
  "  video_url TEXT,"
  "  status_page_url TEXT,"
  "  postmortem_url TEXT,"
  "  UNIQUE (account_id, remote_id));"
  "INSERT INTO incidents_new (id, account_id, remote_id, number, title, status, urgency,"
  "  priority, service, escalation_policy, escalation_level, assignees, assignee_ids,"
  "  html_url, created_at, updated_at, last_status_change_at, chat_url, video_url,"
  "  status_page_url, postmortem_url)"
  "  SELECT id, account_id, remote_id, number, title, status, urgency,"
  "  priority, service, escalation_policy, escalation_level, assignees, assignee_ids,"
  "  html_url, created_at, updated_at, last_status_change_at, chat_url, video_url,"
  "  status_page_url, postmortem_url FROM incidents;"
  "DROP TABLE incidents;"
  "ALTER TABLE incidents_new RENAME TO incidents;"
  "CREATE INDEX incidents_by_number ON incidents (number);"
  "CREATE TABLE outbox_new ("
  "  id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id),"
  "  incident_id INTEGER NOT NULL REFERENCES incidents (id),"
  "  op TEXT NOT NULL"
  "    CHECK (op = 'acknowledge' OR op = 'resolve' OR op = 'escalate' OR op = 'reassign'"
  " OR op = 'snooze' OR op = 'note'),"
  "  payload TEXT NOT NULL DEFAULT '{}',"
  "  idempotency_key TEXT NOT NULL UNIQUE,"
  "  state TEXT NOT NULL"
  "    CHECK (state = 'pending' OR state = 'inflight' OR state = 'done' OR state = 'conflict'"
  " OR state = 'failed'),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  claimed_by TEXT);"
  "INSERT INTO outbox_new (id, account_id, incident_id, op, payload, idempotency_key, state,"
  "  attempts, next_attempt_at, last_error, created_at, updated_at, claimed_by)"
  "  SELECT id, account_id, incident_id, op, payload, idempotency_key, state,"
  "  attempts, next_attempt_at, last_error, created_at, updated_at, claimed_by FROM outbox;"
  "DROP TABLE outbox;"
  "ALTER TABLE outbox_new RENAME TO outbox;"
  "CREATE INDEX outbox_unsent ON outbox (incident_id, id)"
  "  WHERE state IN ('pending', 'inflight');"
  "CREATE INDEX outbox_unsent_by_account ON outbox (account_id, incident_id, id)"
  "  WHERE state IN ('pending', 'inflight');",

  /* 5: what the incident list needs, read from one index: a row version
   * that every write of the row changes (_pieper_store_upsert_incident),
   * and the list's order with the snapshot's status and that version, so
   * pieper_store_list_incident_keys() reads no table row and sorts
   * nothing. Rows stored before start at version 0. */
  ("ALTER TABLE incidents ADD COLUMN version INTEGER NOT NULL DEFAULT 0;"
   "CREATE INDEX incidents_by_list ON incidents (created_at DESC, id DESC, status, version);"),
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == PIEPER_STORE_SCHEMA_VERSION);

/* The one number @sql answers (a PRAGMA, a count), or -1. */
static gint64
query_number (PieperStore  *self,
              const char   *sql,
              GError      **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  int rc;

  if (!(stmt = _pieper_store_prepare (self, sql, error)))
    return -1;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _pieper_store_set_error (self, rc, error);
      return -1;
    }

  return sqlite3_column_int64 (stmt, 0);
}

static int
get_user_version (PieperStore  *self,
                  GError      **error)
{
  return (int) query_number (self, "PRAGMA user_version", error);
}

/* The rows PRAGMA foreign_key_check reports, or -1. */
static gint64
count_broken_references (PieperStore  *self,
                         GError      **error)
{
  return query_number (self, "SELECT count(*) FROM pragma_foreign_key_check", error);
}

static gboolean
migrate_in_transaction (PieperStore  *self,
                        GError      **error)
{
  gint64 broken_before = 0;
  gint64 broken_after;
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

  if (version == PIEPER_STORE_SCHEMA_VERSION)
    return _pieper_store_commit (self, error);

  if ((broken_before = count_broken_references (self, error)) < 0)
    goto failed;

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

  /* With foreign keys off nothing stops a rebuild that leaves out rows
   * others refer to; SQLite's procedure checks before the commit. A
   * reference that was already broken (no Pieper makes one) does not keep
   * the store from opening. */
  if ((broken_after = count_broken_references (self, error)) < 0)
    goto failed;

  if (broken_after > broken_before)
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_FAILED,
                   _("The store failed: %s"), "a migration broke references between its tables");
      goto failed;
    }

  return _pieper_store_commit (self, error);

failed:
  _pieper_store_rollback (self);
  return FALSE;
}

gboolean
_pieper_store_migrate (PieperStore  *self,
                       GError      **error)
{
  gboolean migrated;

  /* A table rebuild (migration 4) needs foreign keys off: with them on,
   * dropping the old table deletes every row that refers to it with ON
   * DELETE CASCADE. The pragma does nothing inside a transaction, so it
   * goes around it. The store runs with foreign keys on. */
  if (!_pieper_store_exec (self, "PRAGMA foreign_keys = OFF", error))
    return FALSE;

  migrated = migrate_in_transaction (self, error);

  if (!_pieper_store_exec (self, "PRAGMA foreign_keys = ON", migrated ? error : NULL))
    return FALSE;

  return migrated;
}
