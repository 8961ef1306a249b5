/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "test-common.h"

/*
 * Every schema that ever shipped is a fixture in tests/fixtures/: a SQL
 * script that builds a store at that version with realistic rows. Each one
 * is opened with today's code, which must migrate it to the latest schema
 * and keep every row.
 *
 * When you add schema version N+1, add tests/fixtures/schema-vN.sql (dump
 * a store at version N with the same rows as the older fixtures, plus
 * whatever version N added) and a line to the table below.
 */
typedef void (*CheckFunc) (PieperStore *store);

static void check_rows (PieperStore *store);
static void check_rows_v2 (PieperStore *store);

static const struct {
  const char *file;
  int         version;
  CheckFunc   check;
} fixtures[] = {
  { "schema-v1.sql", 1, check_rows },
  { "schema-v2.sql", 2, check_rows_v2 },
  { "schema-v3.sql", 3, check_rows_v2 },
  { "schema-v4.sql", 4, check_rows_v2 },
};

/* The fixtures are old; "now" in them is late November 2025. */
#define FIXTURE_NOW 1764040600

/* Raw SQL */

static sqlite3 *
open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  return db;
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 result = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return result;
}

static gboolean
has_column (sqlite3    *db,
            const char *table,
            const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                                          table, column);

  return query_int (db, sql) == 1;
}

static gboolean
has_index (sqlite3    *db,
           const char *name)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_master"
                                          " WHERE type = 'index' AND name = '%s'", name);

  return query_int (db, sql) == 1;
}

/* Whether SQLite's program for @sql builds an ephemeral table: what it
 * does, on every execution, for a CHECK (x IN (...)) of three or more
 * values on a column the statement writes. */
static gboolean
uses_ephemeral_table (sqlite3    *db,
                      const char *sql)
{
  g_autofree char *explain = g_strconcat ("EXPLAIN ", sql, NULL);
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  g_assert_cmpint (sqlite3_prepare_v2 (db, explain, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    found |= g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "OpenEphemeral") == 0;
  sqlite3_finalize (stmt);

  return found;
}

/* Appends every row of @sql to @dump, each value with its type. */
static void
dump_query (sqlite3    *db,
            GString    *dump,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  g_string_append_printf (dump, "%s\n", sql);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (dump, "%d:%s|", sqlite3_column_type (stmt, i),
                                (const char *) sqlite3_column_text (stmt, i));
      g_string_append_c (dump, '\n');
    }
  g_assert_cmpint (sqlite3_errcode (db), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

/* Every row of every table (sqlite_sequence too, if there is one), every
 * column's definition, foreign key and index, and every trigger and view:
 * all a table rebuild must keep. Not the tables' CREATE statements, whose
 * CHECKs are written another way since version 4. */
static char *
dump_store (sqlite3 *db)
{
  GString *dump = g_string_new (NULL);
  sqlite3_stmt *objects = NULL;
  sqlite3_stmt *tables = NULL;

  /* Indexes, triggers and views, their SQL with the spaces squeezed: a
   * fixture's has the line breaks of the script that made it. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT type, name, tbl_name, coalesce (sql, '') FROM sqlite_master"
                                       " WHERE type IN ('index', 'trigger', 'view') ORDER BY name",
                                       -1, &objects, NULL), ==, SQLITE_OK);
  while (sqlite3_step (objects) == SQLITE_ROW)
    {
      g_auto(GStrv) words = g_strsplit_set ((const char *) sqlite3_column_text (objects, 3), " \n", -1);
      g_autoptr(GString) sql = g_string_new (NULL);

      for (guint i = 0; words[i] != NULL; i++)
        if (words[i][0] != '\0')
          g_string_append_printf (sql, "%s%s", sql->len > 0 ? " " : "", words[i]);

      g_string_append_printf (dump, "%s %s on %s: %s\n", sqlite3_column_text (objects, 0),
                              sqlite3_column_text (objects, 1), sqlite3_column_text (objects, 2), sql->str);
    }
  sqlite3_finalize (objects);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                                       -1, &tables, NULL), ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      const char *table = (const char *) sqlite3_column_text (tables, 0);
      const char *queries[] = {
        "SELECT * FROM \"%w\" ORDER BY 1, 2",
        "SELECT * FROM pragma_table_xinfo (%Q)",
        "SELECT * FROM pragma_foreign_key_list (%Q)",
        "SELECT name, \"unique\", origin, partial FROM pragma_index_list (%Q) ORDER BY name",
        ("SELECT il.name, ix.* FROM pragma_index_list (%Q) AS il, pragma_index_xinfo (il.name) AS ix"
         " ORDER BY il.name, ix.seqno"),
      };

      for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
        {
          char *sql = sqlite3_mprintf (queries[i], table);

          dump_query (db, dump, sql);
          sqlite3_free (sql);
        }
    }
  sqlite3_finalize (tables);

  return g_string_free (dump, FALSE);
}

/* The result code of @sql, run and then undone. */
static int
try_write (sqlite3    *db,
           const char *sql)
{
  int rc;

  g_assert_cmpint (sqlite3_exec (db, "SAVEPOINT try", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_exec (db, sql, NULL, NULL, NULL);
  rc = sqlite3_extended_errcode (db);
  g_assert_cmpint (sqlite3_exec (db, "ROLLBACK TO try; RELEASE try", NULL, NULL, NULL), ==, SQLITE_OK);

  return rc;
}

/* Builds pieper.db in @dir from a fixture script. */
static void
build_from_fixture (const char *dir,
                    const char *file)
{
  g_autofree char *script = NULL;
  g_autofree char *db_path = g_build_filename (dir, "pieper.db", NULL);
  g_autoptr(GError) error = NULL;
  const char *fixture = g_test_get_filename (G_TEST_DIST, "fixtures", file, NULL);
  char *message = NULL;
  sqlite3 *db;

  g_file_get_contents (fixture, &script, NULL, &error);
  g_assert_no_error (error);

  db = open_raw (db_path);
  if (sqlite3_exec (db, script, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", fixture, message);
  sqlite3_close (db);
}

/* Checks shared by every fixture */

static void
check_latest_schema (PieperStore *store)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = open_raw (pieper_store_get_path (store));

  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, PIEPER_STORE_SCHEMA_VERSION);

  /* Version 2. */
  g_assert_true (has_column (db, "incidents", "chat_url"));
  g_assert_true (has_column (db, "incidents", "video_url"));
  g_assert_true (has_column (db, "incidents", "status_page_url"));
  g_assert_true (has_column (db, "incidents", "postmortem_url"));
  g_assert_true (has_index (db, "outbox_unsent_by_account"));

  /* Version 4: no write of a checked column builds an ephemeral table. */
  g_assert_false (uses_ephemeral_table (db, "UPDATE outbox SET state = 'done' WHERE id = 1"));
  g_assert_false (uses_ephemeral_table (db, "UPDATE outbox SET op = 'note' WHERE id = 1"));
  g_assert_false (uses_ephemeral_table (db, "INSERT INTO outbox (account_id, incident_id, op,"
                                            " idempotency_key, state, created_at, updated_at)"
                                            " VALUES (1, 1, 'note', 'k', 'pending', 0, 0)"));
  g_assert_false (uses_ephemeral_table (db, "UPDATE incidents SET status = 'resolved', urgency = 'low'"
                                            " WHERE id = 1"));
  g_assert_false (uses_ephemeral_table (db, "INSERT INTO incidents (account_id, remote_id, title, status,"
                                            " urgency) VALUES (1, 'r', 't', 'triggered', 'high')"));
  g_assert_false (uses_ephemeral_table (db, "UPDATE timeline SET origin = 'local' WHERE id = 1"));

  g_assert_cmpint (query_int (db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  sqlite3_close (db);

  pieper_store_check_integrity (store, &error);
  g_assert_no_error (error);
}

/* The rows of the fixtures, read back through today's API. */
static void
check_rows (PieperStore *store)
{
  g_autoptr(PieperOutbox) outbox = pieper_outbox_new (store);
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GPtrArray) finished = NULL;
  g_autoptr(PieperIncident) triggered = NULL;
  g_autoptr(PieperIncident) snapshot = NULL;
  g_autoptr(PieperIncident) acked = NULL;
  g_autoptr(PieperIncident) resolved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *since = NULL;
  g_autofree char *cursor = NULL;
  PieperAccount *account;
  PieperTimelineEntry *entry;

  accounts = pieper_store_list_accounts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  account = g_ptr_array_index (accounts, 0);
  g_assert_cmpint (pieper_account_get_id (account), ==, 1);
  g_assert_cmpstr (pieper_account_get_provider (account), ==, "pagerduty");
  g_assert_cmpstr (pieper_account_get_email (account), ==, "ada@example.com");
  g_assert_cmpstr (pieper_account_get_user_name (account), ==, "Ada Lovelace");

  incidents = pieper_store_list_incidents (store, PIEPER_FILTER_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, ==, 3);

  /* The pending acknowledge is still re-applied on top of the snapshot. */
  triggered = pieper_store_find_incident (store, "Q1TRIGGERED", &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_number (triggered), ==, 1201);
  g_assert_cmpstr (pieper_incident_get_title (triggered), ==, "Checkout latency above 2 s");
  g_assert_cmpint (pieper_incident_get_status (triggered), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpuint (pieper_incident_get_pending (triggered), ==, 1);
  g_assert_cmpstr (pieper_incident_get_assignees (triggered)[0], ==, "Ada Lovelace");
  g_assert_cmpint (pieper_incident_get_updated_at (triggered), ==, 1764040100);
  g_assert_null (pieper_incident_get_chat_url (triggered));
  snapshot = pieper_store_get_snapshot (store, pieper_incident_get_id (triggered), &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_status (snapshot), ==, PIEPER_STATUS_TRIGGERED);

  acked = pieper_store_find_incident (store, "#1202", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_incident_get_remote_id (acked), ==, "Q2ACKED");
  g_assert_cmpint (pieper_incident_get_status (acked), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpint (pieper_incident_get_urgency (acked), ==, PIEPER_URGENCY_LOW);
  g_assert_cmpint (pieper_incident_get_escalation_level (acked), ==, 2);
  g_assert_cmpuint (g_strv_length ((GStrv) pieper_incident_get_assignees (acked)), ==, 2);
  g_assert_cmpstr (pieper_incident_get_assignee_ids (acked)[1], ==, "PADA");
  g_assert_cmpuint (pieper_incident_get_pending (acked), ==, 1);

  resolved = pieper_store_find_incident (store, "Q3RESOLVED", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_incident_get_title (resolved), ==, "Ünïcode tïtle — resolved");
  g_assert_cmpint (pieper_incident_get_status (resolved), ==, PIEPER_STATUS_RESOLVED);
  g_assert_null (pieper_incident_get_assignees (resolved));
  g_assert_cmpuint (pieper_incident_get_pending (resolved), ==, 0);

  /* Remote entries, and the unsent note where it will land. */
  timeline = pieper_store_list_timeline (store, pieper_incident_get_id (acked), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (timeline->len, ==, 4);
  entry = g_ptr_array_index (timeline, 2);
  g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==, "Log rotation is stuck");
  entry = g_ptr_array_index (timeline, 3);
  g_assert_cmpint (pieper_timeline_entry_get_origin (entry), ==, PIEPER_ORIGIN_LOCAL);
  g_assert_cmpint (pieper_timeline_entry_get_sync_state (entry), ==, PIEPER_ACTION_PENDING);
  g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==, "Freed 20 GB, watching");
  g_clear_pointer (&timeline, g_ptr_array_unref);

  timeline = pieper_store_list_timeline (store, pieper_incident_get_id (resolved), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (timeline->len, ==, 1);
  entry = g_ptr_array_index (timeline, 0);
  g_assert_cmpint (pieper_timeline_entry_get_kind (entry), ==, PIEPER_TIMELINE_CONFLICT);
  g_assert_cmpint (pieper_timeline_entry_get_action_id (entry), ==, 3);

  /* The outbox picks up where it was: both unsent actions are due now. */
  pending = pieper_outbox_list (outbox, PIEPER_ACTION_PENDING, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 2);
  g_assert_cmpstr (pieper_action_get_idempotency_key (g_ptr_array_index (pending, 0)), ==,
                   "0b6d9a57-1d0e-4b8f-9a4e-3c2b1a0f9e8d");
  g_assert_cmpuint (pieper_action_get_attempts (g_ptr_array_index (pending, 1)), ==, 2);
  g_assert_cmpstr (pieper_action_get_last_error (g_ptr_array_index (pending, 1)), ==, "Network is unreachable");
  g_assert_cmpstr (pieper_action_get_text (g_ptr_array_index (pending, 1)), ==, "Freed 20 GB, watching");
  g_assert_cmpuint (pieper_outbox_count_unsent (outbox, 0), ==, 2);

  due = pieper_outbox_next_due (outbox, 1, FIXTURE_NOW, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 2);
  g_clear_pointer (&due, g_ptr_array_unref);
  due = pieper_outbox_next_due (outbox, 1, 1764040400, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);

  finished = pieper_outbox_list (outbox, PIEPER_ACTION_CONFLICT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (finished->len, ==, 1);
  g_clear_pointer (&finished, g_ptr_array_unref);
  finished = pieper_outbox_list (outbox, PIEPER_ACTION_DONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (finished->len, ==, 1);
  g_assert_cmpint (pieper_action_get_op (g_ptr_array_index (finished, 0)), ==, PIEPER_OP_ESCALATE);

  since = pieper_store_get_sync_state (store, 1, "incidents_since");
  g_assert_cmpstr (since, ==, "2025-11-25T03:00:00Z");
  cursor = pieper_store_get_sync_state (store, 1, "log_entries_cursor");
  g_assert_cmpstr (cursor, ==, "opaque-cursor-42");
}

/* Version 2 added the incident room's links; the fixture uses one. */
static void
check_rows_v2 (PieperStore *store)
{
  g_autoptr(PieperIncident) acked = NULL;
  g_autoptr(GError) error = NULL;

  check_rows (store);

  acked = pieper_store_find_incident (store, "Q2ACKED", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_incident_get_chat_url (acked), ==, "https://chat.example.com/rooms/db-2");
}

/* After the migration the store takes new writes, new columns included. */
static void
check_writable (PieperStore *store)
{
  g_autoptr(PieperOutbox) outbox = pieper_outbox_new (store);
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperIncident) update = NULL;
  g_autoptr(PieperIncident) read_back = NULL;
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GPtrArray) incidents = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  incident = pieper_store_find_incident (store, "Q3RESOLVED", &error);
  g_assert_no_error (error);

  update = test_make_incident ("Q3RESOLVED", 1203, PIEPER_STATUS_RESOLVED,
                               pieper_incident_get_updated_at (incident) + 10);
  pieper_incident_set_postmortem_url (update, "https://wiki.example.com/pm/1203");
  g_ptr_array_add (incidents, update);
  pieper_store_apply_snapshot (store, pieper_incident_get_account_id (incident), incidents, &error);
  g_assert_no_error (error);

  read_back = pieper_store_get_incident (store, pieper_incident_get_id (incident), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_incident_get_postmortem_url (read_back), ==, "https://wiki.example.com/pm/1203");

  action = pieper_outbox_add_note (outbox, pieper_incident_get_id (incident), "Postmortem scheduled", &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_action_get_id (action), ==, 5);
}

/* Tests */

static void
test_fixture (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_make_tmp_dir ();

  build_from_fixture (dir, fixtures[i].file);

  {
    g_autofree char *db_path = g_build_filename (dir, "pieper.db", NULL);
    sqlite3 *db = open_raw (db_path);

    g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, fixtures[i].version);
    sqlite3_close (db);
  }

  store = pieper_store_open (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  check_latest_schema (store);
  fixtures[i].check (store);
  check_writable (store);

  /* Opening the migrated store again migrates nothing and loses nothing. */
  g_clear_object (&store);
  store = pieper_store_open (dir, &error);
  g_assert_no_error (error);
  check_latest_schema (store);
  {
    g_autoptr(PieperOutbox) outbox = pieper_outbox_new (store);

    g_assert_cmpuint (pieper_outbox_count_unsent (outbox, 0), ==, 3);
  }

  g_clear_object (&store);
  test_remove_tree (dir);
}

/* Each CHECKed column with every value it allows. */
static const struct {
  const char *table;
  const char *column;
  const char *allowed[7];
} checked_columns[] = {
  { "incidents", "status", { "triggered", "acknowledged", "resolved", NULL } },
  { "incidents", "urgency", { "high", "low", NULL } },
  { "timeline", "origin", { "remote", "local", NULL } },
  { "outbox", "op", { "acknowledge", "resolve", "escalate", "reassign", "snooze", "note", NULL } },
  { "outbox", "state", { "pending", "inflight", "done", "conflict", "failed", NULL } },
};

/* Every allowed value is taken, anything else refused. */
static void
check_constraints (sqlite3 *db)
{
  for (guint i = 0; i < G_N_ELEMENTS (checked_columns); i++)
    {
      const char *table = checked_columns[i].table;
      const char *column = checked_columns[i].column;

      for (const char * const *value = checked_columns[i].allowed; *value != NULL; value++)
        {
          g_autofree char *capital = g_strdup (*value);
          char *sql;

          sql = sqlite3_mprintf ("UPDATE %s SET %s = %Q WHERE id = 1", table, column, *value);
          g_assert_cmpint (try_write (db, sql), ==, SQLITE_OK);
          sqlite3_free (sql);

          capital[0] = g_ascii_toupper (capital[0]);
          sql = sqlite3_mprintf ("UPDATE %s SET %s = %Q WHERE id = 1", table, column, capital);
          g_assert_cmpint (try_write (db, sql), ==, SQLITE_CONSTRAINT_CHECK);
          sqlite3_free (sql);

          sql = sqlite3_mprintf ("UPDATE %s SET %s = '%q ' WHERE id = 1", table, column, *value);
          g_assert_cmpint (try_write (db, sql), ==, SQLITE_CONSTRAINT_CHECK);
          sqlite3_free (sql);

          sql = sqlite3_mprintf ("UPDATE %s SET %s = CAST (%Q AS BLOB) WHERE id = 1", table, column, *value);
          g_assert_cmpint (try_write (db, sql), ==, SQLITE_CONSTRAINT_CHECK);
          sqlite3_free (sql);
        }

      for (guint j = 0; j < 3; j++)
        {
          const char *other[] = { "''", "'unknown'", "1" };
          char *sql = sqlite3_mprintf ("UPDATE %s SET %s = %s WHERE id = 1", table, column, other[j]);

          g_assert_cmpint (try_write (db, sql), ==, SQLITE_CONSTRAINT_CHECK);
          sqlite3_free (sql);
        }

      {
        char *sql = sqlite3_mprintf ("UPDATE %s SET %s = NULL WHERE id = 1", table, column);

        g_assert_cmpint (try_write (db, sql), ==, SQLITE_CONSTRAINT_NOTNULL);
        sqlite3_free (sql);
      }
    }
}

/* The store as migration 4 left it: a copy of @db with what later
 * migrations added taken out again (5: incidents.version and the list's
 * index). */
static char *
dump_without_later_migrations (sqlite3    *db,
                               const char *dir)
{
  g_autofree char *copy_path = g_build_filename (dir, "v4-copy.db", NULL);
  char *sql = sqlite3_mprintf ("VACUUM INTO %Q", copy_path);
  sqlite3 *copy;
  char *dump;

  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_free (sql);

  copy = open_raw (copy_path);
  g_assert_cmpint (sqlite3_exec (copy,
                                 "DROP INDEX incidents_by_list;"
                                 "ALTER TABLE incidents DROP COLUMN version;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  dump = dump_store (copy);
  sqlite3_close (copy);
  g_unlink (copy_path);

  return dump;
}

/* Version 4 rebuilt incidents and outbox (new CHECKs). A store with
 * incidents in every status and actions of every kind in every state,
 * inflight and queued ones among them, ids with gaps, keeps every row,
 * id, index and constraint. */
static void
test_rebuild_keeps_everything (void)
{
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(PieperOutbox) outbox = NULL;
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (dir, "pieper.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  sqlite3 *db;

  build_from_fixture (dir, "schema-v3.sql");
  db = open_raw (db_path);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO incidents (id, account_id, remote_id, number, title, status,"
                                 " urgency, created_at, updated_at) VALUES"
                                 " (7, 1, 'Q7', 1207, 'Queue depth', 'triggered', 'high', 1764040000, 1764040000);"
                                 "INSERT INTO outbox (id, account_id, incident_id, op, payload, idempotency_key,"
                                 " state, attempts, next_attempt_at, last_error, created_at, updated_at,"
                                 " claimed_by) VALUES"
                                 " (9, 1, 7, 'resolve', '{}', 'k-9', 'inflight', 1, 0, NULL, 1764040600,"
                                 "  1764040600, 'pieper:4242:boot-1'),"
                                 " (10, 1, 2, 'reassign', '{\"user_ids\":[\"PADA\"]}', 'k-10', 'failed', 5, 0,"
                                 "  'Forbidden', 1764040000, 1764040100, NULL),"
                                 " (11, 1, 1, 'note', '{\"text\":\"Rolled back\"}', 'k-11', 'done', 1, 0, NULL,"
                                 "  1764040000, 1764040050, NULL),"
                                 " (12, 1, 7, 'snooze', '{\"seconds\":3600}', 'k-12', 'pending', 0, 0, NULL,"
                                 "  1764040700, 1764040700, NULL);"
                                 "INSERT INTO timeline (id, incident_id, remote_id, kind, origin, action_id, at,"
                                 " body) VALUES (8, 7, NULL, 'snooze', 'local', 12, 1764040700, NULL);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 3);
  before = dump_store (db);
  sqlite3_close (db);

  store = pieper_store_open (dir, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  db = open_raw (db_path);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, PIEPER_STORE_SCHEMA_VERSION);
  after = dump_without_later_migrations (db, dir);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  check_constraints (db);
  sqlite3_close (db);

  /* The queue carries on: the inflight and the three pending actions are
   * unsent, and the next action takes the next id. */
  store = pieper_store_open (dir, &error);
  g_assert_no_error (error);
  outbox = pieper_outbox_new (store);
  g_assert_cmpuint (pieper_outbox_count_unsent (outbox, 0), ==, 4);
  action = pieper_outbox_add_note (outbox, 7, "Still paging", &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_action_get_id (action), ==, 13);

  g_clear_object (&outbox);
  g_clear_object (&store);
  test_remove_tree (dir);
}

static void
test_fixture_is_complete (void)
{
  /* Every earlier version has a fixture. */
  for (int version = 1; version < PIEPER_STORE_SCHEMA_VERSION; version++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
        found |= fixtures[i].version == version;

      if (!found)
        g_error ("No fixture of schema version %d in tests/fixtures", version);
    }
}

static void
test_empty_file (void)
{
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (dir, "pieper.db", NULL);

  /* A zero-byte file is a database at user_version 0. */
  g_file_set_contents (db_path, "", 0, &error);
  g_assert_no_error (error);

  store = pieper_store_open (dir, &error);
  g_assert_no_error (error);
  check_latest_schema (store);

  incidents = pieper_store_list_incidents (store, PIEPER_FILTER_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, ==, 0);

  g_clear_object (&store);
  test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *path = g_strdup_printf ("/migrations/from-v%d", fixtures[i].version);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_fixture);
    }
  g_test_add_func ("/migrations/every-version-has-a-fixture", test_fixture_is_complete);
  g_test_add_func ("/migrations/empty-file", test_empty_file);
  g_test_add_func ("/migrations/v4-rebuild-keeps-everything", test_rebuild_keeps_everything);

  return g_test_run ();
}
