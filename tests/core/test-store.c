/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pieper-store-private.h"
#include "test-common.h"

/* Helpers */

static sqlite3 *
open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return result;
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

static gint64
count_rows (TestStore  *ts,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  sqlite3 *db = open_raw (pieper_store_get_path (ts->store));
  gint64 n = query_int (db, sql);

  sqlite3_close (db);
  return n;
}

static void
exec_raw (const char *path,
          const char *sql)
{
  sqlite3 *db = open_raw (path);
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static gboolean
import_text (TestStore   *ts,
             const char  *text,
             guint       *n_imported,
             GError     **error)
{
  g_autoptr(JsonNode) root = parse_json (text);

  return pieper_store_import (ts->store, root, n_imported, error);
}

static gint64
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

/* Opening */

static void
test_open_creates_private_files (void)
{
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = test_make_tmp_dir ();
  g_autofree char *data_dir = g_build_filename (tmp, "nested", "pieper", NULL);
  g_autofree char *db_path = g_build_filename (data_dir, "pieper.db", NULL);
  g_autofree char *journal_mode = NULL;
  sqlite3 *db;

  store = pieper_store_open (data_dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  g_assert_cmpstr (pieper_store_get_data_dir (store), ==, data_dir);
  g_assert_cmpstr (pieper_store_get_path (store), ==, db_path);
  g_assert_cmpint (mode_of (data_dir), ==, 0700);
  g_assert_cmpint (mode_of (db_path), ==, 0600);

  /* A store an older build left readable by others is made private. */
  g_clear_object (&store);
  g_assert_cmpint (g_chmod (db_path, 0644), ==, 0);
  store = pieper_store_open (data_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mode_of (db_path), ==, 0600);

  /* The write-ahead log holds the same data, so it is as private. */
  {
    G_GNUC_UNUSED g_autoptr(PieperAccount) account = pieper_store_ensure_account (store, "local", "local:", "", &error);

    g_assert_no_error (error);
  }
  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);

    g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
    g_assert_cmpint (mode_of (wal), ==, 0600);
  }

  db = open_raw (db_path);
  journal_mode = query_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, PIEPER_STORE_SCHEMA_VERSION);
  sqlite3_close (db);

  pieper_store_check_integrity (store, &error);
  g_assert_no_error (error);

  g_clear_object (&store);
  test_remove_tree (tmp);
}

static void
test_open_twice (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperStore) second = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  /* A second Pieper on the same data sees the first one's writes. */
  second = pieper_store_open (ts->dir, &error);
  g_assert_no_error (error);

  accounts = pieper_store_list_accounts (second, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
}

static void
test_foreign_keys (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) incident = test_make_incident ("PORPHAN", 1, PIEPER_STATUS_TRIGGERED, 100);
  g_autoptr(GPtrArray) incidents = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  /* Only foreign_keys = ON makes this fail. */
  g_ptr_array_add (incidents, incident);
  g_assert_false (pieper_store_apply_snapshot (ts->store, 4242, incidents, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);
  g_assert_cmpint (count_rows (ts, "incidents"), ==, 0);
}

static void
test_data_version (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperStore) other = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before;

  other = pieper_store_open (ts->dir, &error);
  g_assert_no_error (error);

  before = pieper_store_get_data_version (ts->store);
  g_assert_cmpint (before, >=, 0);

  pieper_store_set_sync_state (other, pieper_account_get_id (ts->account), "cursor", "1", &error);
  g_assert_no_error (error);

  g_assert_cmpint (pieper_store_get_data_version (ts->store), !=, before);
}

/* The change stamp moves on every write that a reader could show, by this
 * store or by another connection, and on nothing else. */
static void
test_change_stamp (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = test_store_add_incident (ts, "P1", 1, PIEPER_STATUS_TRIGGERED, 100);
  guint64 stamp = pieper_store_get_change_stamp (ts->store);
  sqlite3 *db;

  g_assert_cmpuint (stamp, !=, 0);
  g_assert_cmpuint (pieper_store_get_change_stamp (ts->store), ==, stamp);

  /* Reads, and the sync bookkeeping every round writes, are no change. */
  listed = pieper_store_list_incidents (ts->store, PIEPER_FILTER_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_true (pieper_store_set_sync_state (ts->store, pieper_account_get_id (ts->account),
                                              "changes-since", "12345", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pieper_store_get_change_stamp (ts->store), ==, stamp);

  /* A snapshot written through the store. */
  test_store_add_incident (ts, "P2", 2, PIEPER_STATUS_TRIGGERED, 200);
  g_assert_cmpuint (pieper_store_get_change_stamp (ts->store), !=, stamp);
  stamp = pieper_store_get_change_stamp (ts->store);

  /* An action queued in the outbox. */
  action = pieper_outbox_acknowledge (ts->outbox, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pieper_store_get_change_stamp (ts->store), !=, stamp);
  stamp = pieper_store_get_change_stamp (ts->store);

  /* A commit by another connection, as pieperctl makes. */
  db = open_raw (pieper_store_get_path (ts->store));
  g_assert_cmpint (sqlite3_exec (db, "UPDATE incidents SET title = 'edited elsewhere' WHERE remote_id = 'P1'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpuint (pieper_store_get_change_stamp (ts->store), !=, stamp);
  stamp = pieper_store_get_change_stamp (ts->store);

  /* And another connection's read is none. */
  db = open_raw (pieper_store_get_path (ts->store));
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM incidents"), ==, 2);
  sqlite3_close (db);
  g_assert_cmpuint (pieper_store_get_change_stamp (ts->store), ==, stamp);
}

static void
test_busy (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAction) refused = NULL;
  g_autoptr(PieperAction) accepted = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *other;
  gint64 id;

  id = test_store_add_incident (ts, "PBUSY", 1, PIEPER_STATUS_TRIGGERED, 100);

  /* Another process holds the write lock for longer than the busy
   * timeout: the action is refused cleanly, and nothing is half done. */
  other = open_raw (pieper_store_get_path (ts->store));
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  refused = pieper_outbox_acknowledge (ts->outbox, id, &error);
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_BUSY);
  g_assert_null (refused);
  g_clear_error (&error);

  /* Readers are not blocked by a writer. */
  {
    g_autoptr(GPtrArray) incidents = pieper_store_list_incidents (ts->store, PIEPER_FILTER_ALL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (incidents->len, ==, 1);
  }

  g_assert_cmpint (sqlite3_exec (other, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);

  accepted = pieper_outbox_acknowledge (ts->outbox, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (ts, "outbox"), ==, 1);
}

/* Frames in the WAL, as a checkpoint by another connection reports them. */
static gint64
wal_frames (const char *path)
{
  sqlite3 *db = open_raw (path);
  sqlite3_stmt *stmt = NULL;
  gint64 frames = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA wal_checkpoint(PASSIVE)", -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    frames = sqlite3_column_int64 (stmt, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return frames;
}

/* A long WAL is checkpointed on a worker thread, not by the commit that
 * made it long (an acknowledgement, say, on the main thread). */
static void
test_checkpoint_off_main_thread (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperStore) reopened = NULL;
  GThread *thread = NULL;
  guint completed = 0;
  guint written = 0;

  /* Batches of 200 incidents, a commit each, until the WAL has grown past
   * SQLite's usual 1,000 pages and a checkpoint has run. */
  for (guint batch = 0; batch < 100 && completed == 0; batch++)
    {
      g_autoptr(GPtrArray) incidents = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < 200; i++, written++)
        {
          g_autofree char *remote_id = g_strdup_printf ("PCKPT%u", written);

          g_ptr_array_add (incidents, test_make_incident (remote_id, written + 1, PIEPER_STATUS_TRIGGERED, 100));
        }
      g_assert_true (pieper_store_apply_snapshot (ts->store, pieper_account_get_id (ts->account), incidents, &error));
      g_assert_no_error (error);
      _pieper_store_wait_for_checkpoints (ts->store, &completed, &thread);
    }

  g_assert_cmpuint (completed, >=, 1);
  g_assert_nonnull (thread);
  g_assert_true (thread != g_thread_self ());

  /* It was a whole checkpoint: the next commit starts the WAL afresh. */
  test_store_add_incident (ts, "PAFTER", 1, PIEPER_STATUS_TRIGGERED, 100);
  written++;
  g_assert_cmpint (wal_frames (pieper_store_get_path (ts->store)), <, 100);

  /* Nothing lost, in this connection or another. */
  listed = pieper_store_list_incidents (ts->store, PIEPER_FILTER_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, written);
  reopened = pieper_store_open (ts->dir, &error);
  g_assert_no_error (error);
  g_assert_true (pieper_store_check_integrity (reopened, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (ts, "incidents"), ==, written);
}

/* Should the worker not checkpoint (held back here), the committing thread
 * does once the WAL is eight times as long: it never grows without end. */
static void
test_checkpoint_fallback (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GError) error = NULL;
  int longest = 0;
  guint written = 0;
  gboolean wrapped = FALSE;

  _pieper_store_hold_checkpoints (ts->store, TRUE);
  for (guint batch = 0; batch < 200 && !wrapped; batch++)
    {
      g_autoptr(GPtrArray) incidents = g_ptr_array_new_with_free_func (g_object_unref);
      int frames;

      for (guint i = 0; i < 500; i++, written++)
        {
          g_autofree char *remote_id = g_strdup_printf ("PFALLBACK%u", written);

          g_ptr_array_add (incidents, test_make_incident (remote_id, written + 1, PIEPER_STATUS_TRIGGERED, 100));
        }
      g_assert_true (pieper_store_apply_snapshot (ts->store, pieper_account_get_id (ts->account), incidents, &error));
      g_assert_no_error (error);

      /* A shorter WAL than the last commit left: it was checkpointed and
       * started again. */
      frames = _pieper_store_get_wal_frames (ts->store);
      wrapped = frames < longest;
      longest = MAX (longest, frames);
    }

  g_assert_true (wrapped);
  g_assert_cmpint (longest, >=, 8000);
  g_assert_cmpint (longest, <, 9000);
  _pieper_store_hold_checkpoints (ts->store, FALSE);
  g_assert_cmpint (count_rows (ts, "incidents"), ==, written);
}

static void
test_open_too_new (void)
{
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (tmp, "pieper.db", NULL);
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d", PIEPER_STORE_SCHEMA_VERSION + 1);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE future (x)", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = pieper_store_open (tmp, &error);
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_TOO_NEW);
  g_assert_null (store);

  /* The newer store is left as it was. */
  db = open_raw (path);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, PIEPER_STORE_SCHEMA_VERSION + 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_master WHERE name = 'accounts'"), ==, 0);
  sqlite3_close (db);

  test_remove_tree (tmp);
}

static void
test_open_not_a_database (void)
{
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (tmp, "pieper.db", NULL);
  g_autofree char *junk = NULL;

  junk = g_strnfill (8192, 'x');
  g_file_set_contents (path, junk, -1, &error);
  g_assert_no_error (error);

  store = pieper_store_open (tmp, &error);
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_CORRUPT);
  g_assert_null (store);

  test_remove_tree (tmp);
}

static void
test_open_damaged (void)
{
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (tmp, "pieper.db", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;

  /* A real store whose pages after the header are overwritten. */
  store = pieper_store_open (tmp, &error);
  g_assert_no_error (error);
  {
    g_autoptr(PieperAccount) account = pieper_store_ensure_account (store, "local", "local:", "", &error);
    g_autoptr(GPtrArray) incidents = g_ptr_array_new_with_free_func (g_object_unref);

    g_assert_no_error (error);
    for (int i = 0; i < 50; i++)
      {
        g_autofree char *remote_id = g_strdup_printf ("PDMG%d", i);

        g_ptr_array_add (incidents, test_make_incident (remote_id, i + 1, PIEPER_STATUS_TRIGGERED, 100));
      }
    pieper_store_apply_snapshot (store, pieper_account_get_id (account), incidents, &error);
    g_assert_no_error (error);
  }
  g_clear_object (&store);

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 4096);
  memset (contents + 4096, 0xA5, length - 4096);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);

  /* Either opening or the integrity check says so; nothing crashes. */
  store = pieper_store_open (tmp, &error);
  if (store != NULL)
    {
      g_assert_no_error (error);
      g_assert_false (pieper_store_check_integrity (store, &error));
    }
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_CORRUPT);

  g_clear_object (&store);
  test_remove_tree (tmp);
}

static void
test_open_unwritable (void)
{
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = test_make_tmp_dir ();
  g_autofree char *data_dir = NULL;

  if (geteuid () == 0)
    {
      /* root writes through any mode bits; a path under a regular file
       * cannot be created by anyone (ENOTDIR). */
      g_autofree char *file = g_build_filename (tmp, "file", NULL);

      g_file_set_contents (file, "", 0, &error);
      g_assert_no_error (error);
      data_dir = g_build_filename (file, "sub", NULL);
    }
  else
    {
      g_assert_cmpint (g_chmod (tmp, 0500), ==, 0);
      data_dir = g_build_filename (tmp, "pieper", NULL);
    }

  store = pieper_store_open (data_dir, &error);
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_READ_ONLY);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, data_dir));

  test_remove_tree (tmp);
}

/* Accounts */

static void
test_accounts (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAccount) second = NULL;
  g_autoptr(PieperAccount) again = NULL;
  g_autoptr(PieperAccount) duplicate = pieper_account_new ("pagerduty", "https://api.example.com",
                                                           "oncall@example.com");
  g_autoptr(PieperAccount) fresh = pieper_account_new ("alertmanager", "http://127.0.0.1:9093", NULL);
  g_autoptr(PieperAccount) read_back = NULL;
  g_autoptr(PieperAccount) missing = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (pieper_account_get_id (ts->account), >, 0);
  g_assert_cmpstr (pieper_account_get_provider (ts->account), ==, "pagerduty");
  g_assert_cmpstr (pieper_account_get_url (ts->account), ==, "https://api.example.com");
  g_assert_cmpstr (pieper_account_get_email (ts->account), ==, "oncall@example.com");
  g_assert_cmpint (pieper_account_get_created_at (ts->account), >, 0);

  /* ensure finds the existing one. */
  again = pieper_store_ensure_account (ts->store, "pagerduty", "https://api.example.com",
                                       "oncall@example.com", &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_account_get_id (again), ==, pieper_account_get_id (ts->account));

  /* add refuses a second copy. */
  g_assert_null (pieper_store_add_account (ts->store, duplicate, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);
  g_clear_error (&error);

  pieper_account_set_user_id (fresh, "PUSER");
  pieper_account_set_user_name (fresh, "Ada");
  second = pieper_store_add_account (ts->store, fresh, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_account_get_id (second), >, pieper_account_get_id (ts->account));
  g_assert_cmpstr (pieper_account_get_email (second), ==, "");
  g_assert_cmpstr (pieper_account_get_user_id (second), ==, "PUSER");
  g_assert_cmpstr (pieper_account_get_user_name (second), ==, "Ada");

  accounts = pieper_store_list_accounts (ts->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 2);
  g_assert_cmpint (pieper_account_get_id (g_ptr_array_index (accounts, 0)), ==, pieper_account_get_id (ts->account));
  g_assert_cmpint (pieper_account_get_id (g_ptr_array_index (accounts, 1)), ==, pieper_account_get_id (second));

  /* whoami fills in the responder's own id and name. */
  pieper_account_set_user_id (ts->account, "PME");
  pieper_account_set_user_name (ts->account, "Me");
  pieper_store_update_account (ts->store, ts->account, &error);
  g_assert_no_error (error);
  read_back = pieper_store_get_account (ts->store, pieper_account_get_id (ts->account), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_account_get_user_id (read_back), ==, "PME");
  g_assert_cmpstr (pieper_account_get_user_name (read_back), ==, "Me");

  missing = pieper_store_get_account (ts->store, 999, &error);
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND);
  g_assert_null (missing);
}

static void
test_remove_account (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id = pieper_account_get_id (ts->account);
  gint64 id;

  id = test_store_add_incident (ts, "PREMOVE", 1, PIEPER_STATUS_TRIGGERED, 100);
  pieper_store_set_sync_state (ts->store, account_id, "cursor", "abc", &error);
  g_assert_no_error (error);
  action = pieper_outbox_acknowledge (ts->outbox, id, &error);
  g_assert_no_error (error);

  /* The responder's unsent work is not dropped without asking. */
  g_assert_false (pieper_store_remove_account (ts->store, account_id, FALSE, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (ts, "accounts"), ==, 1);
  g_assert_cmpint (count_rows (ts, "outbox"), ==, 1);

  pieper_store_remove_account (ts->store, account_id, TRUE, &error);
  g_assert_no_error (error);

  accounts = pieper_store_list_accounts (ts->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 0);
  g_assert_cmpint (count_rows (ts, "incidents"), ==, 0);
  g_assert_cmpint (count_rows (ts, "outbox"), ==, 0);
  g_assert_cmpint (count_rows (ts, "sync_state"), ==, 0);

  g_assert_false (pieper_store_remove_account (ts->store, account_id, TRUE, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND);
}

static void
test_remove_account_without_unsent (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GError) error = NULL;

  test_store_add_incident (ts, "PQUIET", 1, PIEPER_STATUS_TRIGGERED, 100);
  pieper_store_remove_account (ts->store, pieper_account_get_id (ts->account), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (ts, "incidents"), ==, 0);
}

/* Snapshots */

static void
assert_same_strv (const char * const *a,
                  const char * const *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_true (g_strv_equal ((const char **) a, (const char **) b));
}

/* A snapshot the same as the stored row writes nothing (no row changed,
 * the change stamp stays); one that differs in any single column writes. */
/* The list's key of an incident: pieper_store_get_incident_key()'s,
 * checked against the one pieper_store_list_incident_keys() lists. */
static PieperIncidentKey
key_of_id (TestStore *ts,
           gint64     id)
{
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  PieperIncidentKey key = { 0, };
  gboolean listed = FALSE;

  g_assert_true (pieper_store_get_incident_key (ts->store, id, &key, &error));
  g_assert_no_error (error);
  g_assert_cmpint (key.id, ==, id);

  keys = pieper_store_list_incident_keys (ts->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < keys->len; i++)
    {
      PieperIncidentKey *other = &g_array_index (keys, PieperIncidentKey, i);

      if (other->id != id)
        continue;
      g_assert_cmpint (other->created_at, ==, key.created_at);
      g_assert_cmpuint (other->digest, ==, key.digest);
      g_assert_cmpint (other->status, ==, key.status);
      listed = TRUE;
    }
  g_assert_true (listed);

  return key;
}

static guint64
digest_of (TestStore  *ts,
           const char *remote_id)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  incident = pieper_store_lookup_incident (ts->store, pieper_account_get_id (ts->account), remote_id, &error);
  g_assert_no_error (error);
  return key_of_id (ts, pieper_incident_get_id (incident)).digest;
}

static PieperIncident *
make_same_incident (void)
{
  PieperIncident *incident = test_make_incident ("PSAME", 7, PIEPER_STATUS_TRIGGERED, 1700000500);

  pieper_incident_set_chat_url (incident, "https://chat.example.com/room/7");
  return incident;
}

static void
test_snapshot_same_writes_nothing (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) in = make_same_incident ();
  sqlite3 *db = _pieper_store_get_db (ts->store);
  static const char * const other_names[] = { "Grace Hopper", NULL };
  guint64 stamp;
  guint64 digest;
  gint64 changes;

  test_store_put_snapshot (ts, in);
  stamp = pieper_store_get_change_stamp (ts->store);
  changes = sqlite3_total_changes64 (db);
  digest = digest_of (ts, "PSAME");

  /* The same again, and the same with no title (which keeps the stored
   * one): nothing written. */
  test_store_put_snapshot (ts, in);
  g_assert_cmpint (sqlite3_total_changes64 (db), ==, changes);
  g_assert_cmpuint (pieper_store_get_change_stamp (ts->store), ==, stamp);
  g_assert_cmpuint (digest_of (ts, "PSAME"), ==, digest);
  {
    g_autoptr(PieperIncident) untitled = make_same_incident ();

    pieper_incident_set_title (untitled, "");
    test_store_put_snapshot (ts, untitled);
    g_assert_cmpint (sqlite3_total_changes64 (db), ==, changes);
    g_assert_cmpuint (pieper_store_get_change_stamp (ts->store), ==, stamp);
    g_assert_cmpuint (digest_of (ts, "PSAME"), ==, digest);
  }

  /* Each column changed alone is written, and moves the stamp. */
  for (guint i = 0; i < 18; i++)
    {
      g_autoptr(PieperIncident) changed = make_same_incident ();
      g_autoptr(PieperIncident) out = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("column %u", i);
      switch (i)
        {
        case 0: pieper_incident_set_number (changed, 8); break;
        case 1: pieper_incident_set_title (changed, "A new title"); break;
        case 2: pieper_incident_set_status (changed, PIEPER_STATUS_ACKNOWLEDGED); break;
        case 3: pieper_incident_set_urgency (changed, PIEPER_URGENCY_LOW); break;
        case 4: pieper_incident_set_priority (changed, NULL); break;
        case 5: pieper_incident_set_service (changed, "payments"); break;
        case 6: pieper_incident_set_escalation_policy (changed, "Other"); break;
        case 7: pieper_incident_set_escalation_level (changed, 2); break;
        case 8: pieper_incident_set_assignees (changed, other_names); break;
        case 9: pieper_incident_set_assignee_ids (changed, NULL); break;
        case 10: pieper_incident_set_html_url (changed, "https://example.com/other"); break;
        case 11: pieper_incident_set_created_at (changed, 1600000000); break;
        /* Unknown (0): a newer time would hold back the way back. */
        case 12: pieper_incident_set_updated_at (changed, 0); break;
        case 13: pieper_incident_set_last_status_change_at (changed, 1700000450); break;
        case 14: pieper_incident_set_chat_url (changed, NULL); break;
        case 15: pieper_incident_set_video_url (changed, "https://meet.example.com/7"); break;
        case 16: pieper_incident_set_status_page_url (changed, "https://status.example.com/7"); break;
        case 17: pieper_incident_set_postmortem_url (changed, "https://wiki.example.com/7"); break;
        default: g_assert_not_reached ();
        }
      test_store_put_snapshot (ts, changed);
      g_assert_cmpint (sqlite3_total_changes64 (db), ==, changes + 1);
      g_assert_cmpuint (pieper_store_get_change_stamp (ts->store), !=, stamp);
      /* The list's key of the row moves too (a list shows it anew). */
      g_assert_cmpuint (digest_of (ts, "PSAME"), !=, digest);
      out = pieper_store_lookup_incident (ts->store, pieper_account_get_id (ts->account), "PSAME", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (pieper_incident_get_title (out), ==, pieper_incident_get_title (changed));
      g_assert_cmpstr (pieper_incident_get_chat_url (out), ==, pieper_incident_get_chat_url (changed));

      /* Back as it was, for the next column: a write again, so another
       * key again (not the first one back). */
      test_store_put_snapshot (ts, in);
      g_assert_cmpuint (digest_of (ts, "PSAME"), !=, digest);
      changes = sqlite3_total_changes64 (db);
      stamp = pieper_store_get_change_stamp (ts->store);
      digest = digest_of (ts, "PSAME");
    }
}

/* The list's keys are pieper_store_list_incidents()'s list: the same
 * incidents, in the same order, with the same effective status. */
static void
assert_keys_are_list (TestStore *ts)
{
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;

  keys = pieper_store_list_incident_keys (ts->store, &error);
  g_assert_no_error (error);
  listed = pieper_store_list_incidents (ts->store, PIEPER_FILTER_ALL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (keys->len, ==, listed->len);
  for (guint i = 0; i < keys->len; i++)
    {
      PieperIncidentKey *key = &g_array_index (keys, PieperIncidentKey, i);
      PieperIncident *incident = g_ptr_array_index (listed, i);

      g_assert_cmpint (key->id, ==, pieper_incident_get_id (incident));
      g_assert_cmpint (key->created_at, ==, pieper_incident_get_created_at (incident));
      g_assert_cmpint (key->status, ==, pieper_incident_get_status (incident));
    }
}

static gint64
add_incident_at (TestStore    *ts,
                 const char   *remote_id,
                 gint64        number,
                 PieperStatus  status,
                 gint64        created_at)
{
  g_autoptr(PieperIncident) incident = test_make_incident (remote_id, number, status, 1700000500);
  g_autoptr(PieperIncident) stored = NULL;
  g_autoptr(GError) error = NULL;

  pieper_incident_set_created_at (incident, created_at);
  test_store_put_snapshot (ts, incident);
  stored = pieper_store_lookup_incident (ts->store, pieper_account_get_id (ts->account), remote_id, &error);
  g_assert_no_error (error);
  return pieper_incident_get_id (stored);
}

/* The keys: the list's order (newest first, the larger id first between
 * two of the same time), the status with unsent actions re-applied, and a
 * digest that moves with what the incident shows and only then. */
static void
test_incident_keys (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperAction) ack = NULL;
  g_autoptr(PieperAction) escalation = NULL;
  g_autoptr(PieperAction) reassign = NULL;
  g_autoptr(PieperAction) resolve = NULL;
  PieperIncidentKey a_key, b_key, c_key, d_key, key;
  gint64 a, b, c, d;

  a = add_incident_at (ts, "PA", 1, PIEPER_STATUS_TRIGGERED, 1700000300);
  b = add_incident_at (ts, "PB", 2, PIEPER_STATUS_ACKNOWLEDGED, 1700000100);
  c = add_incident_at (ts, "PC", 3, PIEPER_STATUS_TRIGGERED, 1700000200);
  /* The same time as PC, a larger id: before it. */
  d = add_incident_at (ts, "PD", 4, PIEPER_STATUS_RESOLVED, 1700000200);

  keys = pieper_store_list_incident_keys (ts->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 4);
  g_assert_cmpint (g_array_index (keys, PieperIncidentKey, 0).id, ==, a);
  g_assert_cmpint (g_array_index (keys, PieperIncidentKey, 1).id, ==, d);
  g_assert_cmpint (g_array_index (keys, PieperIncidentKey, 2).id, ==, c);
  g_assert_cmpint (g_array_index (keys, PieperIncidentKey, 3).id, ==, b);
  assert_keys_are_list (ts);

  a_key = key_of_id (ts, a);
  b_key = key_of_id (ts, b);
  c_key = key_of_id (ts, c);
  d_key = key_of_id (ts, d);
  g_assert_cmpint (a_key.status, ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpint (b_key.status, ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpint (d_key.status, ==, PIEPER_STATUS_RESOLVED);

  /* Acknowledged while unsent: another status, another digest, the
   * others untouched. */
  ack = pieper_outbox_acknowledge (ts->outbox, a, &error);
  g_assert_no_error (error);
  key = key_of_id (ts, a);
  g_assert_cmpint (key.status, ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpuint (key.digest, !=, a_key.digest);
  g_assert_cmpuint (key_of_id (ts, c).digest, ==, c_key.digest);
  a_key = key;

  /* A note changes no status, but the row's count of unsent actions. */
  test_queue_note (ts, b, "Looking");
  key = key_of_id (ts, b);
  g_assert_cmpint (key.status, ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpuint (key.digest, !=, b_key.digest);
  b_key = key;

  /* Escalated: acknowledged in its snapshot, triggered again. */
  escalation = pieper_outbox_escalate (ts->outbox, b, 0, &error);
  g_assert_no_error (error);
  key = key_of_id (ts, b);
  g_assert_cmpint (key.status, ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpuint (key.digest, !=, b_key.digest);
  b_key = key;

  /* Reassigned, then resolved: the rules of pieper-rebase.c in order. */
  reassign = pieper_outbox_reassign (ts->outbox, c, "PGRACE", &error);
  g_assert_no_error (error);
  g_assert_cmpint (key_of_id (ts, c).status, ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpuint (key_of_id (ts, c).digest, !=, c_key.digest);
  resolve = pieper_outbox_resolve (ts->outbox, c, &error);
  g_assert_no_error (error);
  g_assert_cmpint (key_of_id (ts, c).status, ==, PIEPER_STATUS_RESOLVED);
  g_assert_cmpuint (key_of_id (ts, d).digest, ==, d_key.digest);
  assert_keys_are_list (ts);

  /* Being sent shows nothing new: the same digest. */
  g_assert_true (pieper_outbox_mark_inflight (ts->outbox, pieper_action_get_id (ack), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (key_of_id (ts, a).digest, ==, a_key.digest);

  /* Sent (without the server's incident): out of the overlay, the
   * snapshot's status again and another digest. */
  g_assert_true (pieper_outbox_mark_done (ts->outbox, pieper_action_get_id (ack), NULL, NULL, &error));
  g_assert_no_error (error);
  key = key_of_id (ts, a);
  g_assert_cmpint (key.status, ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpuint (key.digest, !=, a_key.digest);
  assert_keys_are_list (ts);

  /* Unknown id. */
  g_assert_false (pieper_store_get_incident_key (ts->store, 4242, &key, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND);
}

/* An incident stored under the id of one deleted since does not take
 * its key: a list holding the old one would show the new one as the old. */
static void
test_incident_keys_reused_id (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  PieperIncidentKey old_key;
  gint64 id;

  id = add_incident_at (ts, "POLD", 1, PIEPER_STATUS_TRIGGERED, 1700000100);
  old_key = key_of_id (ts, id);
  exec_raw (pieper_store_get_path (ts->store), "DELETE FROM incidents");
  g_assert_cmpint (add_incident_at (ts, "PNEW", 1, PIEPER_STATUS_TRIGGERED, 1700000100), ==, id);
  g_assert_cmpuint (key_of_id (ts, id).digest, !=, old_key.digest);
}

static void
trace_keys_cb (GString    *sql,
               const char *text)
{
  if (strstr (text, "FROM incidents") != NULL && strstr (text, "version") != NULL &&
      strstr (text, "ORDER BY") != NULL)
    g_string_assign (sql, text);
}

static int
trace_cb (unsigned int  type,
          void         *user_data,
          void         *statement,
          void         *unused)
{
  const char *text = sqlite3_sql (statement);

  if (text != NULL)
    trace_keys_cb (user_data, text);
  return 0;
}

/* The keys are read from one index, which SQLite reads alone and in
 * order: no table row, no sort. */
static void
test_incident_keys_from_index (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) plan = g_string_new (NULL);
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *explain = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = _pieper_store_get_db (ts->store);

  add_incident_at (ts, "PA", 1, PIEPER_STATUS_TRIGGERED, 1700000100);
  sqlite3_trace_v2 (db, SQLITE_TRACE_STMT, trace_cb, sql);
  keys = pieper_store_list_incident_keys (ts->store, &error);
  g_assert_no_error (error);
  sqlite3_trace_v2 (db, 0, NULL, NULL);
  g_assert_cmpuint (sql->len, >, 0);

  explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql->str, NULL);
  g_assert_cmpint (sqlite3_prepare_v2 (db, explain, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const char *) sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);

  g_test_message ("%s", plan->str);
  g_assert_nonnull (strstr (plan->str, "USING COVERING INDEX incidents_by_list"));
  g_assert_null (strstr (plan->str, "TEMP B-TREE"));
}

/* Incidents by store id: in the order asked, effective, the gone left out. */
static void
test_get_incidents (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAction) ack = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ids[4];

  ids[1] = test_store_add_incident (ts, "PA", 1, PIEPER_STATUS_TRIGGERED, 1700000500);
  ids[3] = test_store_add_incident (ts, "PB", 2, PIEPER_STATUS_TRIGGERED, 1700000500);
  ids[0] = test_store_add_incident (ts, "PC", 3, PIEPER_STATUS_RESOLVED, 1700000500);
  ids[2] = 4242;
  ack = pieper_outbox_acknowledge (ts->outbox, ids[1], &error);
  g_assert_no_error (error);

  incidents = pieper_store_get_incidents (ts->store, ids, G_N_ELEMENTS (ids), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, ==, 3);
  g_assert_cmpstr (pieper_incident_get_remote_id (g_ptr_array_index (incidents, 0)), ==, "PC");
  g_assert_cmpstr (pieper_incident_get_remote_id (g_ptr_array_index (incidents, 1)), ==, "PA");
  g_assert_cmpstr (pieper_incident_get_remote_id (g_ptr_array_index (incidents, 2)), ==, "PB");
  g_assert_cmpint (pieper_incident_get_status (g_ptr_array_index (incidents, 1)), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpuint (pieper_incident_get_pending (g_ptr_array_index (incidents, 1)), ==, 1);
  g_assert_cmpstr (pieper_incident_get_title (g_ptr_array_index (incidents, 2)), ==, "Incident PB: checkout is slow");

  g_clear_pointer (&incidents, g_ptr_array_unref);
  incidents = pieper_store_get_incidents (ts->store, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, ==, 0);
}

static void
put_assigned (TestStore          *ts,
              gint64              account_id,
              const char         *remote_id,
              const char * const *names,
              const char * const *ids)
{
  g_autoptr(PieperIncident) incident = test_make_incident (remote_id, 1, PIEPER_STATUS_TRIGGERED, 1700000500);
  g_autoptr(GPtrArray) incidents = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  pieper_incident_set_assignees (incident, names);
  pieper_incident_set_assignee_ids (incident, ids);
  g_ptr_array_add (incidents, incident);
  g_assert_true (pieper_store_apply_snapshot (ts->store, account_id, incidents, &error));
  g_assert_no_error (error);
}

/* The people an account's incidents name, as the reassign popover offers
 * them: by server id, the name where there is one; an unsent reassignment
 * names its assignee instead of the snapshot's. */
static void
test_list_people (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAccount) other = pieper_account_new ("pagerduty", "https://other.example.com", "me@example.com");
  g_autoptr(PieperAccount) other_added = NULL;
  g_autoptr(PieperAction) reassign = NULL;
  g_autoptr(GHashTable) people = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id = pieper_account_get_id (ts->account);
  const char * const ada_grace[] = { "Ada Lovelace", "Grace Hopper", NULL };
  const char * const ada_grace_ids[] = { "PADA", "PGRACE", NULL };
  const char * const grace_linus[] = { "Grace Hopper", "", NULL };
  const char * const grace_linus_ids[] = { "PGRACE", "PLIN", NULL };
  const char * const uneven[] = { "Edsger", "Barbara", NULL };
  const char * const uneven_ids[] = { "PEDS", NULL };
  const char * const nameless[] = { "Nobody", NULL };
  const char * const nameless_ids[] = { "", NULL };
  const char * const others[] = { "Someone Else", NULL };
  const char * const others_ids[] = { "POTHER", NULL };
  gint64 x;

  put_assigned (ts, account_id, "PX", ada_grace, ada_grace_ids);
  put_assigned (ts, account_id, "PY", grace_linus, grace_linus_ids);
  put_assigned (ts, account_id, "PZ", uneven, uneven_ids);
  put_assigned (ts, account_id, "PW", nameless, nameless_ids);
  other_added = pieper_store_add_account (ts->store, other, &error);
  g_assert_no_error (error);
  put_assigned (ts, pieper_account_get_id (other_added), "PV", others, others_ids);

  people = pieper_store_list_people (ts->store, account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (people), ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (people, "PADA"), ==, "Ada Lovelace");
  g_assert_cmpstr (g_hash_table_lookup (people, "PGRACE"), ==, "Grace Hopper");
  /* No name: the id. */
  g_assert_cmpstr (g_hash_table_lookup (people, "PLIN"), ==, "PLIN");
  g_clear_pointer (&people, g_hash_table_unref);

  /* PX handed to PNEW, unsent: Ada is named by no incident any more. */
  {
    g_autoptr(PieperIncident) px = pieper_store_lookup_incident (ts->store, account_id, "PX", &error);

    g_assert_no_error (error);
    x = pieper_incident_get_id (px);
  }
  reassign = pieper_outbox_reassign (ts->outbox, x, "PNEW", &error);
  g_assert_no_error (error);
  people = pieper_store_list_people (ts->store, account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (people), ==, 3);
  g_assert_null (g_hash_table_lookup (people, "PADA"));
  g_assert_cmpstr (g_hash_table_lookup (people, "PGRACE"), ==, "Grace Hopper");
  g_assert_cmpstr (g_hash_table_lookup (people, "PNEW"), ==, "PNEW");
}

static void
test_snapshot_round_trip (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) in = test_make_incident ("PABC123", 4711, PIEPER_STATUS_ACKNOWLEDGED, 1700000500);
  g_autoptr(PieperIncident) out = NULL;
  g_autoptr(PieperIncident) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  pieper_incident_set_urgency (in, PIEPER_URGENCY_LOW);
  pieper_incident_set_escalation_level (in, 3);
  pieper_incident_set_last_status_change_at (in, 1700000400);
  pieper_incident_set_chat_url (in, "https://chat.example.com/room/1");
  pieper_incident_set_video_url (in, "https://meet.example.com/abc");
  pieper_incident_set_status_page_url (in, "https://status.example.com/1");
  pieper_incident_set_postmortem_url (in, "https://wiki.example.com/pm/1");
  test_store_put_snapshot (ts, in);

  out = pieper_store_lookup_incident (ts->store, pieper_account_get_id (ts->account), "PABC123", &error);
  g_assert_no_error (error);

  g_assert_cmpint (pieper_incident_get_id (out), >, 0);
  g_assert_cmpint (pieper_incident_get_account_id (out), ==, pieper_account_get_id (ts->account));
  g_assert_cmpstr (pieper_incident_get_remote_id (out), ==, "PABC123");
  g_assert_cmpint (pieper_incident_get_number (out), ==, 4711);
  g_assert_cmpstr (pieper_incident_get_title (out), ==, pieper_incident_get_title (in));
  g_assert_cmpint (pieper_incident_get_status (out), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpint (pieper_incident_get_urgency (out), ==, PIEPER_URGENCY_LOW);
  g_assert_cmpstr (pieper_incident_get_priority (out), ==, "P1");
  g_assert_cmpstr (pieper_incident_get_service (out), ==, "checkout");
  g_assert_cmpstr (pieper_incident_get_escalation_policy (out), ==, "Web on-call");
  g_assert_cmpint (pieper_incident_get_escalation_level (out), ==, 3);
  assert_same_strv (pieper_incident_get_assignees (out), pieper_incident_get_assignees (in));
  assert_same_strv (pieper_incident_get_assignee_ids (out), pieper_incident_get_assignee_ids (in));
  g_assert_cmpstr (pieper_incident_get_html_url (out), ==, "https://example.pagerduty.com/incidents/PABC123");
  g_assert_cmpint (pieper_incident_get_created_at (out), ==, 1700000000 + 4711);
  g_assert_cmpint (pieper_incident_get_updated_at (out), ==, 1700000500);
  g_assert_cmpint (pieper_incident_get_last_status_change_at (out), ==, 1700000400);
  g_assert_cmpstr (pieper_incident_get_chat_url (out), ==, "https://chat.example.com/room/1");
  g_assert_cmpstr (pieper_incident_get_video_url (out), ==, "https://meet.example.com/abc");
  g_assert_cmpstr (pieper_incident_get_status_page_url (out), ==, "https://status.example.com/1");
  g_assert_cmpstr (pieper_incident_get_postmortem_url (out), ==, "https://wiki.example.com/pm/1");
  g_assert_cmpuint (pieper_incident_get_pending (out), ==, 0);
  g_assert_cmpint (pieper_incident_get_snoozed_until (out), ==, 0);

  snapshot = pieper_store_get_snapshot (ts->store, pieper_incident_get_id (out), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_incident_get_remote_id (snapshot), ==, "PABC123");
}

static void
test_snapshot_empty_fields (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) in = pieper_incident_new ("PBARE");
  g_autoptr(PieperIncident) out = NULL;
  g_autoptr(GError) error = NULL;
  const char * const none[] = { NULL };

  pieper_incident_set_title (in, "Bare");
  pieper_incident_set_assignees (in, none);
  test_store_put_snapshot (ts, in);

  out = pieper_store_lookup_incident (ts->store, pieper_account_get_id (ts->account), "PBARE", &error);
  g_assert_no_error (error);
  g_assert_null (pieper_incident_get_priority (out));
  g_assert_null (pieper_incident_get_chat_url (out));
  /* No assignees, whether said as NULL or as an empty list, reads as NULL. */
  g_assert_null (pieper_incident_get_assignee_ids (out));
  g_assert_null (pieper_incident_get_assignees (out));
}

static void
test_snapshot_older_does_not_overwrite (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) older = test_make_incident ("POOO", 7, PIEPER_STATUS_TRIGGERED, 1000);
  g_autoptr(PieperIncident) newer = test_make_incident ("POOO", 7, PIEPER_STATUS_RESOLVED, 3000);
  g_autoptr(PieperIncident) out = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = test_store_add_incident (ts, "POOO", 7, PIEPER_STATUS_ACKNOWLEDGED, 2000);

  /* An out-of-order response with an older snapshot changes nothing. */
  test_store_put_snapshot (ts, older);
  out = pieper_store_get_snapshot (ts->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_status (out), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpint (pieper_incident_get_updated_at (out), ==, 2000);
  g_clear_object (&out);

  test_store_put_snapshot (ts, newer);
  out = pieper_store_get_snapshot (ts->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_status (out), ==, PIEPER_STATUS_RESOLVED);
  g_assert_cmpint (pieper_incident_get_updated_at (out), ==, 3000);
  g_assert_cmpint (count_rows (ts, "incidents"), ==, 1);
}

/* A snapshot that does not know the title (an Alertmanager alert that is
 * gone, fetched by a process that never saw it fire) keeps the stored one. */
static void
test_snapshot_without_title_keeps_title (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) gone = test_make_incident ("PGONE", 9, PIEPER_STATUS_RESOLVED, 3000);
  g_autoptr(PieperIncident) renamed = test_make_incident ("PGONE", 9, PIEPER_STATUS_RESOLVED, 4000);
  g_autoptr(PieperIncident) out = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = test_store_add_incident (ts, "PGONE", 9, PIEPER_STATUS_TRIGGERED, 2000);
  out = pieper_store_get_snapshot (ts->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_incident_get_title (out), !=, "");
  pieper_incident_set_title (renamed, pieper_incident_get_title (out));
  g_clear_object (&out);

  pieper_incident_set_title (gone, "");
  test_store_put_snapshot (ts, gone);
  out = pieper_store_get_snapshot (ts->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_status (out), ==, PIEPER_STATUS_RESOLVED);
  g_assert_cmpstr (pieper_incident_get_title (out), ==, pieper_incident_get_title (renamed));
  g_clear_object (&out);

  /* A real title still replaces it. */
  pieper_incident_set_title (renamed, "Renamed on the server");
  test_store_put_snapshot (ts, renamed);
  out = pieper_store_get_snapshot (ts->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_incident_get_title (out), ==, "Renamed on the server");
}

/* Timeline */

static PieperTimelineEntry *
make_entry (const char         *remote_id,
            PieperTimelineKind  kind,
            gint64              at,
            const char         *body)
{
  PieperTimelineEntry *entry = pieper_timeline_entry_new (kind);

  pieper_timeline_entry_set_remote_id (entry, remote_id);
  pieper_timeline_entry_set_author (entry, "Ada Lovelace");
  pieper_timeline_entry_set_at (entry, at);
  pieper_timeline_entry_set_body (entry, body);

  return entry;
}

static void
test_timeline (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) update = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;
  PieperTimelineEntry *entry;
  gint64 id;

  id = test_store_add_incident (ts, "PTL", 1, PIEPER_STATUS_TRIGGERED, 100);

  /* Out of order on purpose: the store sorts by time. */
  g_ptr_array_add (entries, make_entry ("LE3", PIEPER_TIMELINE_NOTE, 300, "Rolled back"));
  g_ptr_array_add (entries, make_entry ("LE1", PIEPER_TIMELINE_TRIGGER, 100, NULL));
  g_ptr_array_add (entries, make_entry ("LE2", PIEPER_TIMELINE_ACKNOWLEDGE, 200, NULL));
  /* Without a server id an entry cannot be matched again, so it is skipped. */
  g_ptr_array_add (entries, make_entry (NULL, PIEPER_TIMELINE_NOTE, 150, "no id"));
  pieper_store_apply_timeline (ts->store, id, entries, &error);
  g_assert_no_error (error);

  /* A second pull of the same entry updates it rather than adding one. */
  g_ptr_array_add (update, make_entry ("LE3", PIEPER_TIMELINE_NOTE, 300, "Rolled back to v41"));
  pieper_store_apply_timeline (ts->store, id, update, &error);
  g_assert_no_error (error);

  timeline = pieper_store_list_timeline (ts->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (timeline->len, ==, 3);

  entry = g_ptr_array_index (timeline, 0);
  g_assert_cmpstr (pieper_timeline_entry_get_remote_id (entry), ==, "LE1");
  g_assert_cmpint (pieper_timeline_entry_get_kind (entry), ==, PIEPER_TIMELINE_TRIGGER);
  g_assert_cmpint (pieper_timeline_entry_get_incident_id (entry), ==, id);
  g_assert_cmpint (pieper_timeline_entry_get_origin (entry), ==, PIEPER_ORIGIN_REMOTE);
  g_assert_cmpint (pieper_timeline_entry_get_sync_state (entry), ==, PIEPER_ACTION_DONE);
  entry = g_ptr_array_index (timeline, 1);
  g_assert_cmpstr (pieper_timeline_entry_get_remote_id (entry), ==, "LE2");
  g_assert_cmpint (pieper_timeline_entry_get_kind (entry), ==, PIEPER_TIMELINE_ACKNOWLEDGE);
  entry = g_ptr_array_index (timeline, 2);
  g_assert_cmpstr (pieper_timeline_entry_get_remote_id (entry), ==, "LE3");
  g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==, "Rolled back to v41");
  g_assert_cmpstr (pieper_timeline_entry_get_author (entry), ==, "Ada Lovelace");
  g_assert_cmpint (pieper_timeline_entry_get_at (entry), ==, 300);
}

/* Finding */

static void
test_find_incident (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAccount) other = NULL;
  g_autoptr(PieperIncident) twin = test_make_incident ("PTWIN", 77, PIEPER_STATUS_TRIGGERED, 100);
  g_autoptr(GPtrArray) incidents = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 first, second;

  first = test_store_add_incident (ts, "PFIRST", 42, PIEPER_STATUS_TRIGGERED, 100);
  second = test_store_add_incident (ts, "PSECOND", 43, PIEPER_STATUS_TRIGGERED, 100);
  test_store_add_incident (ts, "PTWIN", 77, PIEPER_STATUS_TRIGGERED, 100);

  /* Another server with the same remote id and number. */
  other = pieper_store_ensure_account (ts->store, "pagerduty", "https://api.eu.example.com", "", &error);
  g_assert_no_error (error);
  g_ptr_array_add (incidents, twin);
  pieper_store_apply_snapshot (ts->store, pieper_account_get_id (other), incidents, &error);
  g_assert_no_error (error);

  {
    g_autoptr(PieperIncident) found = pieper_store_find_incident (ts->store, "PFIRST", &error);

    g_assert_no_error (error);
    g_assert_cmpint (pieper_incident_get_id (found), ==, first);
  }

  {
    g_autoptr(PieperIncident) found = pieper_store_find_incident (ts->store, "43", &error);

    g_assert_no_error (error);
    g_assert_cmpint (pieper_incident_get_id (found), ==, second);
  }

  {
    g_autoptr(PieperIncident) found = pieper_store_find_incident (ts->store, "#42", &error);

    g_assert_no_error (error);
    g_assert_cmpint (pieper_incident_get_id (found), ==, first);
  }

  {
    g_autoptr(PieperIncident) found = pieper_store_find_incident (ts->store, "PTWIN", &error);

    g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_AMBIGUOUS);
    g_assert_null (found);
    g_clear_error (&error);
  }

  {
    g_autoptr(PieperIncident) found = pieper_store_find_incident (ts->store, "#77", &error);

    g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_AMBIGUOUS);
    g_assert_null (found);
    g_clear_error (&error);
  }

  {
    /* Number 0 means "unknown", never a match. */
    const char *missing[] = { "PNOPE", "#999", "999", "#", "", "#-1", "4x", "0", "#0" };

    for (guint i = 0; i < G_N_ELEMENTS (missing); i++)
      {
        g_autoptr(PieperIncident) found = pieper_store_find_incident (ts->store, missing[i], &error);

        g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND);
        g_assert_null (found);
        g_clear_error (&error);
      }
  }

  {
    g_autoptr(PieperIncident) found = pieper_store_get_incident (ts->store, 12345, &error);

    g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND);
    g_assert_null (found);
    g_clear_error (&error);
  }

  {
    g_autoptr(PieperIncident) found = pieper_store_lookup_incident (ts->store, pieper_account_get_id (ts->account),
                                                                    "PSECOND", &error);

    g_assert_no_error (error);
    g_assert_cmpint (pieper_incident_get_id (found), ==, second);
  }
}

/* Sync state */

static void
test_sync_state (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GError) error = NULL;
  gint64 account_id = pieper_account_get_id (ts->account);
  g_autofree char *missing = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  missing = pieper_store_get_sync_state (ts->store, account_id, "since");
  g_assert_null (missing);

  pieper_store_set_sync_state (ts->store, account_id, "since", "2026-01-01T00:00:00Z", &error);
  g_assert_no_error (error);
  first = pieper_store_get_sync_state (ts->store, account_id, "since");
  g_assert_cmpstr (first, ==, "2026-01-01T00:00:00Z");

  pieper_store_set_sync_state (ts->store, account_id, "since", "2026-01-02T00:00:00Z", &error);
  g_assert_no_error (error);
  second = pieper_store_get_sync_state (ts->store, account_id, "since");
  g_assert_cmpstr (second, ==, "2026-01-02T00:00:00Z");
  g_assert_cmpint (count_rows (ts, "sync_state"), ==, 1);

  /* State is per account. */
  g_assert_null (pieper_store_get_sync_state (ts->store, account_id + 1, "since"));
}

/* Export */

static void
test_export (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object, *incident, *account, *queued;
  JsonArray *array, *timeline;
  gint64 id;

  id = test_store_add_incident (ts, "PEXP", 9, PIEPER_STATUS_TRIGGERED, 100);
  g_ptr_array_add (entries, make_entry ("E1", PIEPER_TIMELINE_TRIGGER, 100, NULL));
  pieper_store_apply_timeline (ts->store, id, entries, &error);
  g_assert_no_error (error);
  action = pieper_outbox_acknowledge (ts->outbox, id, &error);
  g_assert_no_error (error);

  root = pieper_store_export (ts->store, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_node_get_object (root);

  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "pieper-export");
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "schema_version"), ==, PIEPER_STORE_SCHEMA_VERSION);
  g_assert_true (json_object_has_member (object, "exported_at"));

  array = json_object_get_array_member (object, "accounts");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  account = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (account, "provider"), ==, "pagerduty");
  g_assert_false (json_object_has_member (account, "token"));

  array = json_object_get_array_member (object, "incidents");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  incident = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (incident, "id"), ==, "PEXP");
  g_assert_cmpint (json_object_get_int_member (incident, "number"), ==, 9);
  /* What the responder sees, and what the server last said. */
  g_assert_cmpstr (json_object_get_string_member (incident, "status"), ==, "acknowledged");
  g_assert_cmpstr (json_object_get_string_member (incident, "server_status"), ==, "triggered");
  g_assert_cmpint (json_object_get_int_member (incident, "pending"), ==, 1);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (incident, "links")));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (incident, "assignees")), ==, 2);
  timeline = json_object_get_array_member (incident, "timeline");
  g_assert_cmpuint (json_array_get_length (timeline), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (timeline, 0), "kind"),
                   ==, "trigger");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (timeline, 1), "origin"),
                   ==, "local");

  array = json_object_get_array_member (object, "outbox");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  queued = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (queued, "op"), ==, "acknowledge");
  g_assert_cmpstr (json_object_get_string_member (queued, "incident"), ==, "PEXP");
  g_assert_cmpstr (json_object_get_string_member (queued, "state"), ==, "pending");
  g_assert_cmpstr (json_object_get_string_member (queued, "idempotency_key"), ==,
                   pieper_action_get_idempotency_key (action));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (queued, "args")));
}

/* Import */

static const char import_array[] =
  "[{\"id\": \"PIMP1\", \"number\": 101, \"title\": \"Disk full on db-1\", \"status\": \"triggered\","
  "  \"urgency\": \"low\", \"priority\": \"P2\", \"service\": \"database\","
  "  \"escalation_policy\": \"DBA\", \"escalation_level\": 2,"
  "  \"assignees\": [\"Ada\"], \"assignee_ids\": [\"PADA\"],"
  "  \"html_url\": \"https://example.com/i/PIMP1\","
  "  \"created_at\": \"2026-11-25T03:14:00Z\", \"updated_at\": \"2026-11-25T03:20:00Z\","
  "  \"last_status_change_at\": \"2026-11-25T03:15:00+01:00\","
  "  \"links\": {\"chat\": \"https://chat.example.com/1\", \"video\": null},"
  "  \"timeline\": [{\"id\": \"T1\", \"kind\": \"trigger\", \"at\": \"2026-11-25T03:14:00Z\"},"
  "               {\"id\": \"T2\", \"kind\": \"note\", \"author\": \"Ada\", \"body\": \"Looking\","
  "                \"at\": \"2026-11-25T03:16:00Z\"}]},"
  " {\"id\": \"PIMP2\", \"title\": \"Latency\", \"status\": \"resolved\"}]";

static void
test_import_array (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAccount) local = NULL;
  g_autoptr(PieperIncident) first = NULL;
  g_autoptr(PieperIncident) second = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  import_text (ts, import_array, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);

  /* Without an account in the document, incidents go to the local one. */
  local = pieper_store_ensure_account (ts->store, "local", "local:", "", &error);
  g_assert_no_error (error);

  first = pieper_store_lookup_incident (ts->store, pieper_account_get_id (local), "PIMP1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_number (first), ==, 101);
  g_assert_cmpstr (pieper_incident_get_title (first), ==, "Disk full on db-1");
  g_assert_cmpint (pieper_incident_get_status (first), ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpint (pieper_incident_get_urgency (first), ==, PIEPER_URGENCY_LOW);
  g_assert_cmpstr (pieper_incident_get_priority (first), ==, "P2");
  g_assert_cmpstr (pieper_incident_get_service (first), ==, "database");
  g_assert_cmpstr (pieper_incident_get_escalation_policy (first), ==, "DBA");
  g_assert_cmpint (pieper_incident_get_escalation_level (first), ==, 2);
  g_assert_cmpstr (pieper_incident_get_assignees (first)[0], ==, "Ada");
  g_assert_cmpstr (pieper_incident_get_assignee_ids (first)[0], ==, "PADA");
  g_assert_cmpstr (pieper_incident_get_html_url (first), ==, "https://example.com/i/PIMP1");
  g_assert_cmpint (pieper_incident_get_created_at (first), ==, 1795576440);
  g_assert_cmpint (pieper_incident_get_updated_at (first), ==, 1795576800);
  g_assert_cmpint (pieper_incident_get_last_status_change_at (first), ==, 1795576440 + 60 - 3600);
  g_assert_cmpstr (pieper_incident_get_chat_url (first), ==, "https://chat.example.com/1");
  g_assert_null (pieper_incident_get_video_url (first));

  timeline = pieper_store_list_timeline (ts->store, pieper_incident_get_id (first), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (timeline->len, ==, 2);
  g_assert_cmpstr (pieper_timeline_entry_get_remote_id (g_ptr_array_index (timeline, 1)), ==, "T2");
  g_assert_cmpstr (pieper_timeline_entry_get_body (g_ptr_array_index (timeline, 1)), ==, "Looking");

  second = pieper_store_lookup_incident (ts->store, pieper_account_get_id (local), "PIMP2", &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_status (second), ==, PIEPER_STATUS_RESOLVED);
  g_assert_cmpint (pieper_incident_get_urgency (second), ==, PIEPER_URGENCY_HIGH);
  g_assert_cmpint (pieper_incident_get_escalation_level (second), ==, 1);

  /* Importing again is idempotent. */
  import_text (ts, import_array, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (ts, "incidents"), ==, 2);
  g_assert_cmpint (count_rows (ts, "timeline"), ==, 2);
}

static void
test_import_object (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) found = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  import_text (ts,
               "{\"account\": {\"provider\": \"pagerduty\", \"url\": \"https://api.example.com\","
               "              \"email\": \"oncall@example.com\"},"
               " \"incidents\": [{\"id\": \"POBJ\", \"title\": \"From a file\", \"status\": \"acknowledged\"}]}",
               &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);

  /* The document's account is the existing one. */
  g_assert_cmpint (count_rows (ts, "accounts"), ==, 1);
  found = pieper_store_lookup_incident (ts->store, pieper_account_get_id (ts->account), "POBJ", &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_status (found), ==, PIEPER_STATUS_ACKNOWLEDGED);
}

static void
test_import_all_or_nothing (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (import_text (ts,
                               "[{\"id\": \"PGOOD1\", \"title\": \"ok\", \"status\": \"triggered\"},"
                               " {\"id\": \"PBAD\", \"title\": \"bad\", \"status\": \"on fire\"},"
                               " {\"id\": \"PGOOD2\", \"title\": \"ok\", \"status\": \"triggered\"}]",
                               NULL, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);
  /* The message names the incident, by position and by id, and the field. */
  g_assert_nonnull (strstr (error->message, "Incident 2 of 3"));
  g_assert_nonnull (strstr (error->message, "PBAD"));
  g_assert_nonnull (strstr (error->message, "status"));

  g_assert_cmpint (count_rows (ts, "incidents"), ==, 0);
  g_assert_cmpint (count_rows (ts, "accounts"), ==, 1);
}

static void
test_import_write_fails (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) later = NULL;

  /* The database itself refuses the second incident's timeline: the
   * incidents already written in the same import are rolled back. */
  exec_raw (pieper_store_get_path (ts->store),
            "CREATE TRIGGER refuse BEFORE INSERT ON timeline WHEN NEW.remote_id = 'BOOM'"
            " BEGIN SELECT RAISE(ABORT, 'refused'); END");

  g_assert_false (import_text (ts,
                               "{\"account\": {\"provider\": \"pagerduty\", \"url\": \"https://api.example.com\","
                               "              \"email\": \"oncall@example.com\"},"
                               " \"incidents\": ["
                               "  {\"id\": \"PW1\", \"title\": \"ok\", \"status\": \"triggered\","
                               "   \"timeline\": [{\"id\": \"FINE\", \"kind\": \"note\", \"body\": \"x\"}]},"
                               "  {\"id\": \"PW2\", \"title\": \"ok\", \"status\": \"triggered\","
                               "   \"timeline\": [{\"id\": \"BOOM\", \"kind\": \"note\", \"body\": \"y\"}]}]}",
                               NULL, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpint (count_rows (ts, "incidents"), ==, 0);
  g_assert_cmpint (count_rows (ts, "timeline"), ==, 0);

  /* The store is usable afterwards. */
  test_store_add_incident (ts, "PAFTER", 1, PIEPER_STATUS_TRIGGERED, 100);
  later = pieper_store_find_incident (ts->store, "PAFTER", &error);
  g_assert_no_error (error);
}

static void
test_import_wrong_types (void)
{
  static const struct {
    const char *json;
    const char *needle;
  } cases[] = {
    { "{\"incidents\": 5}", "incidents" },
    { "\"just a string\"", "incidents" },
    { "[5]", "Incident 1 of 1" },
    { "[{\"title\": \"t\", \"status\": \"triggered\"}]", "id" },
    { "[{\"id\": 7, \"title\": \"t\", \"status\": \"triggered\"}]", "id" },
    { "[{\"id\": \"P1\", \"status\": \"triggered\"}]", "title" },
    { "[{\"id\": \"P1\", \"title\": \"\", \"status\": \"triggered\"}]", "title" },
    { "[{\"id\": \"P1\", \"title\": [\"t\"], \"status\": \"triggered\"}]", "title" },
    { "[{\"id\": \"P1\", \"title\": \"t\"}]", "status" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"Triggered\"}]", "status" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"urgency\": \"urgent\"}]", "urgency" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"number\": \"12\"}]", "number" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"number\": 1.5}]", "number" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"number\": -1}]", "number" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"escalation_level\": 0}]", "escalation_level" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"escalation_level\": true}]", "escalation_level" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"assignees\": \"Ada\"}]", "assignees" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"assignees\": [1]}]", "assignees" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"created_at\": 1700000000}]", "created_at" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"created_at\": \"yesterday\"}]", "created_at" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"links\": []}]", "links" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"links\": {\"chat\": 1}}]", "chat" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"timeline\": {}}]", "timeline" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"timeline\": [3]}]", "timeline entry 1" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\", \"timeline\": [{\"kind\": \"note\"}]}]", "id" },
    { "[{\"id\": \"P1\", \"title\": \"t\", \"status\": \"triggered\","
      "  \"timeline\": [{\"id\": \"T\", \"kind\": \"conflict\"}]}]", "kind" },
    { "{\"account\": \"pagerduty\", \"incidents\": []}", "account" },
    { "{\"account\": {\"provider\": 5, \"url\": \"u\"}, \"incidents\": []}", "account" },
    { "{\"account\": {\"provider\": {}, \"url\": \"u\"}, \"incidents\": []}", "account" },
    { "{\"account\": {\"provider\": \"p\", \"url\": [\"u\"]}, \"incidents\": []}", "account" },
    { "{\"account\": {\"provider\": \"\", \"url\": \"u\"}, \"incidents\": []}", "account" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TestStore) ts = test_store_new ();
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u: %s", i, cases[i].json);
      g_assert_false (import_text (ts, cases[i].json, NULL, &error));
      g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
      g_assert_cmpint (count_rows (ts, "incidents"), ==, 0);
      g_assert_cmpint (count_rows (ts, "accounts"), ==, 1);
    }
}

static void
test_import_caps_title (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(PieperIncident) found = NULL;
  g_autoptr(GString) title = g_string_new ("x");
  g_autoptr(GError) error = NULL;
  const char *stored;

  /* One ASCII byte, then two-byte characters: a cut at the byte limit
   * would fall in the middle of one. */
  while (title->len < 100 * 1024)
    g_string_append (title, "é");

  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, "PHUGE");
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, title->str);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "triggered");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);

  pieper_store_import (ts->store, root, NULL, &error);
  g_assert_no_error (error);

  found = pieper_store_find_incident (ts->store, "PHUGE", &error);
  g_assert_no_error (error);
  stored = pieper_incident_get_title (found);
  g_assert_cmpuint (strlen (stored), <=, PIEPER_TITLE_MAX_BYTES);
  g_assert_cmpuint (strlen (stored), >=, PIEPER_TITLE_MAX_BYTES - 4);
  g_assert_true (g_utf8_validate (stored, -1, NULL));
  g_assert_true (g_str_has_prefix (stored, "xéé"));
  g_assert_true (g_str_has_suffix (stored, "é…"));
}

static void
test_snapshot_caps_title (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) in = test_make_incident ("PLONG", 1, PIEPER_STATUS_TRIGGERED, 100);
  g_autoptr(PieperIncident) out = NULL;
  g_autofree char *title = g_strnfill (5000, 'a');
  g_autoptr(GError) error = NULL;

  /* A provider's snapshot is capped too, not just an import. */
  pieper_incident_set_title (in, title);
  test_store_put_snapshot (ts, in);
  out = pieper_store_find_incident (ts->store, "PLONG", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (pieper_incident_get_title (out)), ==, PIEPER_TITLE_MAX_BYTES);
}

static JsonNode *
incident_node_with_title (const char *title)
{
  JsonObject *object = json_object_new ();
  JsonNode *title_node = json_node_new (JSON_NODE_VALUE);
  JsonNode *node;
  JsonArray *array = json_array_new ();

  /* JsonBuilder would not let invalid UTF-8 through; a node does. */
  json_node_set_string (title_node, title);
  json_object_set_string_member (object, "id", "PUTF");
  json_object_set_member (object, "title", title_node);
  json_object_set_string_member (object, "status", "triggered");
  json_array_add_object_element (array, object);

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, array);

  return node;
}

static void
test_import_invalid_utf8 (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(JsonNode) root = incident_node_with_title ("bad \xc3\x28 text");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (pieper_store_import (ts->store, root, NULL, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_assert_nonnull (strstr (error->message, "PUTF"));
  g_assert_cmpint (count_rows (ts, "incidents"), ==, 0);
  g_clear_error (&error);

  /* A file with invalid UTF-8 does not even parse. */
  g_assert_false (json_parser_load_from_data (parser,
                                              "[{\"id\": \"P\", \"title\": \"\xff\", \"status\": \"triggered\"}]",
                                              -1, &error));
  g_assert_nonnull (error);
}

/* pieper_utf8_cap */

static void
test_utf8_cap (void)
{
  static const struct {
    const char *in;
    gsize max;
    const char *out;
  } cases[] = {
    { "", 10, "" },
    { "short", 10, "short" },
    { "exactly10!", 10, "exactly10!" },
    { "eleven chars", 10, "eleven …" },
    { "abcdefgh", 6, "abc…" },
    { "abcdefgh", 7, "abcd…" },
    /* é is two bytes: never cut one in half. */
    { "éééé", 7, "éé…" },
    { "éééé", 6, "é…" },
    { "éééé", 8, "éééé" },
    /* 🚨 is four bytes. */
    { "🚨🚨🚨", 8, "🚨…" },
    { "a🚨🚨", 8, "a🚨…" },
    { "a🚨🚨", 7, "a…" },
    /* Invalid bytes become U+FFFD (three bytes). */
    { "a\xffz", 10, "a\xef\xbf\xbdz" },
    { "\xc3\x28", 10, "\xef\xbf\xbd(" },
  };

  g_assert_null (pieper_utf8_cap (NULL, 10));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = pieper_utf8_cap (cases[i].in, cases[i].max);

      g_test_message ("case %u", i);
      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_cmpuint (strlen (out), <=, cases[i].max);
      g_assert_true (g_utf8_validate (out, -1, NULL));
    }
}

/* json-glib's compact writing of a list of strings: what the assignees
 * columns held before the store wrote them itself. */
static char *
glib_strv_to_json (const char * const *strv)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

/* What a column reads back as, through json-glib's strict parser. */
static GStrv
strv_read_back (const char *json)
{
  g_autoptr(JsonNode) root = parse_json (json);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_strv_builder_add (builder, json_array_get_string_element (array, i));

  return g_strv_builder_end (builder);
}

static void
check_strv_json (const char * const *strv,
                 gboolean             same_as_glib)
{
  g_autofree char *ours = _pieper_store_strv_to_json (strv);
  g_auto(GStrv) back = strv_read_back (ours);

  /* Every byte JSON forbids raw in a string is escaped... */
  for (const char *p = ours; *p != '\0'; p++)
    g_assert_cmpint ((guchar) *p, >=, 0x20);
  /* ...and it reads back as exactly what was written. */
  g_assert_true (g_strv_equal ((const char * const *) back, strv));

  if (same_as_glib)
    {
      g_autofree char *theirs = glib_strv_to_json (strv);

      g_assert_cmpstr (ours, ==, theirs);
    }
}

static void
test_strv_json_escaping (void)
{
  static const char * const hostile[] = {
    "",
    "Ada Lovelace",
    "\"quoted\"",
    "back\\slash\\",
    "\\\"",
    "\"\\\"\\\\\"",
    "line\nbreak\r\n\ttab\bback\fform",
    "\x01\x02\x03\x07\x0b\x0e\x1b\x1e",
    "del\x7f",
    "ünïcödé ✓ 日本語 😀",
    "\u2028\u2029 separators",
    "</script><script>alert(1)</script>",
    "{\"a\": [1, 2]}",
    "'single' `back`",
    "\\u0000 not an escape",
    "trailing backslash \\",
  };
  const char *one[2] = { NULL, NULL };
  char byte[2] = { 0, 0 };
  char *none[] = { NULL };

  g_assert_null (_pieper_store_strv_to_json (NULL));
  check_strv_json ((const char * const *) none, TRUE);

  /* Each hostile string alone, then all of them in one list. */
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_test_message ("hostile %u", i);
      one[0] = hostile[i];
      check_strv_json (one, TRUE);
    }
  {
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
    g_auto(GStrv) all = NULL;

    for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
      g_strv_builder_add (builder, hostile[i]);
    all = g_strv_builder_end (builder);
    check_strv_json ((const char * const *) all, TRUE);
  }

  /* Every ASCII byte alone. json-glib 1.6 leaves U+001F raw, which JSON
   * forbids; the store escapes it (and json-glib reads that back). */
  for (guint c = 1; c < 0x80; c++)
    {
      g_test_message ("byte 0x%02x", c);
      byte[0] = (char) c;
      one[0] = byte;
      check_strv_json (one, c != 0x1f);
    }

  /* Text that is not UTF-8 is made valid, never written as it is. */
  {
    static const char * const broken[] = { "bad \xff\xfe byte", "cut \xe2\x9c", "\xc0\xaf", NULL };
    g_autofree char *json = _pieper_store_strv_to_json (broken);
    g_auto(GStrv) back = strv_read_back (json);

    g_assert_true (g_utf8_validate (json, -1, NULL));
    g_assert_cmpuint (g_strv_length (back), ==, 3);
    for (guint i = 0; i < 3; i++)
      g_assert_true (g_utf8_validate (back[i], -1, NULL));
    g_assert_true (g_str_has_prefix (back[0], "bad "));
    g_assert_true (g_str_has_suffix (back[0], " byte"));
  }
}

/* Statements are cached by their text's address; text at an address
 * seen before but with other contents gets a statement of its own. */
static void
test_statement_cache_checks_text (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autofree char *sql = g_strdup ("SELECT 1");
  PieperStmt *stmt;
  g_autoptr(GError) error = NULL;

  stmt = _pieper_store_prepare (ts->store, sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  _pieper_stmt_release (stmt);

  /* The same address, other words. */
  sql[7] = '2';
  stmt = _pieper_store_prepare (ts->store, sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 2);
  _pieper_stmt_release (stmt);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/open/private-files", test_open_creates_private_files);
  g_test_add_func ("/store/open/twice", test_open_twice);
  g_test_add_func ("/store/open/foreign-keys", test_foreign_keys);
  g_test_add_func ("/store/open/data-version", test_data_version);
  g_test_add_func ("/store/open/change-stamp", test_change_stamp);
  g_test_add_func ("/store/open/too-new", test_open_too_new);
  g_test_add_func ("/store/checkpoint/off-main-thread", test_checkpoint_off_main_thread);
  g_test_add_func ("/store/checkpoint/fallback", test_checkpoint_fallback);
  /* Takes the busy timeout, five seconds. */
  g_test_add_func ("/store/busy", test_busy);
  g_test_add_func ("/store/open/not-a-database", test_open_not_a_database);
  g_test_add_func ("/store/open/damaged", test_open_damaged);
  g_test_add_func ("/store/open/unwritable", test_open_unwritable);
  g_test_add_func ("/store/accounts/basics", test_accounts);
  g_test_add_func ("/store/accounts/remove", test_remove_account);
  g_test_add_func ("/store/accounts/remove-without-unsent", test_remove_account_without_unsent);
  g_test_add_func ("/store/snapshot/round-trip", test_snapshot_round_trip);
  g_test_add_func ("/store/snapshot/same-writes-nothing", test_snapshot_same_writes_nothing);
  g_test_add_func ("/store/incident-keys/effective", test_incident_keys);
  g_test_add_func ("/store/incident-keys/reused-id", test_incident_keys_reused_id);
  g_test_add_func ("/store/incident-keys/from-index", test_incident_keys_from_index);
  g_test_add_func ("/store/get-incidents", test_get_incidents);
  g_test_add_func ("/store/list-people", test_list_people);
  g_test_add_func ("/store/statement-cache/checks-text", test_statement_cache_checks_text);
  g_test_add_func ("/store/snapshot/assignees-json-escaping", test_strv_json_escaping);
  g_test_add_func ("/store/snapshot/empty-fields", test_snapshot_empty_fields);
  g_test_add_func ("/store/snapshot/older-does-not-overwrite", test_snapshot_older_does_not_overwrite);
  g_test_add_func ("/store/snapshot/caps-title", test_snapshot_caps_title);
  g_test_add_func ("/store/snapshot/without-title-keeps-title", test_snapshot_without_title_keeps_title);
  g_test_add_func ("/store/timeline", test_timeline);
  g_test_add_func ("/store/find-incident", test_find_incident);
  g_test_add_func ("/store/sync-state", test_sync_state);
  g_test_add_func ("/store/export", test_export);
  g_test_add_func ("/store/import/array", test_import_array);
  g_test_add_func ("/store/import/object", test_import_object);
  g_test_add_func ("/store/import/all-or-nothing", test_import_all_or_nothing);
  g_test_add_func ("/store/import/write-fails", test_import_write_fails);
  g_test_add_func ("/store/import/wrong-types", test_import_wrong_types);
  g_test_add_func ("/store/import/caps-title", test_import_caps_title);
  g_test_add_func ("/store/import/invalid-utf8", test_import_invalid_utf8);
  g_test_add_func ("/store/utf8-cap", test_utf8_cap);

  return g_test_run ();
}
