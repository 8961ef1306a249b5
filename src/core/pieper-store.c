/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "pieper-action-private.h"
#include "pieper-json.h"
#include "pieper-rebase-private.h"
#include "pieper-store-private.h"

#define BUSY_TIMEOUT_MS 5000

/* WAL checkpoints. SQLite's own autocheckpoint runs on the committing
 * connection: the commit that takes the WAL past 1,000 pages copies them
 * into the database and syncs both files before it returns, 2 to 30 ms on
 * the main thread, whichever commit it falls on (an acknowledgement, say).
 * Instead a commit that finds the WAL that long asks a worker thread, on a
 * connection of its own, for a PASSIVE checkpoint: the same copy and the
 * same two syncs, while the main thread goes on. A commit is as durable
 * as before either way: in WAL mode with synchronous = NORMAL it is in the
 * WAL when COMMIT returns, and a checkpoint only moves it. Should the WAL
 * still grow to CHECKPOINT_FALLBACK_FRAMES (the worker failing, or never
 * getting the time), the committing thread checkpoints as SQLite would. */
#define CHECKPOINT_FRAMES          1000
#define CHECKPOINT_FALLBACK_FRAMES (8 * CHECKPOINT_FRAMES)

typedef struct
{
  char        *path;
  GThreadPool *pool;
  sqlite3     *db;         /* the worker's connection, opened on first use */
  GMutex       lock;
  GCond        idle;
  gboolean     queued;     /* a checkpoint is asked for or running */
  guint        completed;  /* checkpoints tried, for tests */
  GThread     *thread;     /* the thread of the last checkpoint, for tests */
} Checkpointer;

struct _PieperStore
{
  GObject     parent_instance;

  char       *data_dir;
  char       *path;
  sqlite3    *db;
  /* SQL text → sqlite3_stmt, reused for the store's life. Keyed by the
   * text's address, not its contents: every caller passes a string
   * literal, and hashing a kilobyte of SQL on every call cost more than
   * binding the statement (about 9,700 instructions an upsert). */
  GHashTable *statements;
  guint       transaction_depth;
  /* Rows written for the store's own bookkeeping (sync_state), which no
   * reader shows, left out of the change stamp. */
  gint64      bookkeeping_changes;
  /* The change stamp, and what it was last computed from. */
  guint64     stamp;
  gint64      stamp_changes;
  gint64      stamp_version;
  Checkpointer checkpointer;
  int         wal_frames;  /* the WAL's length after the last commit */
};

G_DEFINE_FINAL_TYPE (PieperStore, pieper_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (pieper-store-error-quark, pieper_store_error)

static void
pieper_store_finalize (GObject *object)
{
  PieperStore *self = (PieperStore *) object;

  /* The worker first: the main connection, closed last, checkpoints what
   * is left and removes the WAL. */
  if (self->checkpointer.pool != NULL)
    {
      g_thread_pool_set_max_threads (self->checkpointer.pool, 1, NULL);
      g_thread_pool_free (self->checkpointer.pool, FALSE, TRUE);
    }
  if (self->checkpointer.db != NULL)
    sqlite3_close_v2 (self->checkpointer.db);
  g_free (self->checkpointer.path);
  g_mutex_clear (&self->checkpointer.lock);
  g_cond_clear (&self->checkpointer.idle);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_free (self->data_dir);
  g_free (self->path);

  G_OBJECT_CLASS (pieper_store_parent_class)->finalize (object);
}

static void
pieper_store_class_init (PieperStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pieper_store_finalize;
}

static void
pieper_store_init (PieperStore *self)
{
  self->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                            (GDestroyNotify) sqlite3_finalize);
  /* No version reads as -2: the first stamp handed out is 1, never 0. */
  self->stamp_version = -2;
  g_mutex_init (&self->checkpointer.lock);
  g_cond_init (&self->checkpointer.idle);
}

gint64
_pieper_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Errors */

/* SQLite does not always pass on why a write failed: a write past the
 * file size limit (EFBIG) comes back as an I/O error with no errno. Look
 * for the two ways a disk is "full" for us. */
static gboolean
looks_full (PieperStore *self)
{
  struct statvfs fs;
  struct rlimit limit;

  if (statvfs (self->data_dir, &fs) == 0 && (guint64) fs.f_bavail * fs.f_frsize < 64 * 1024)
    return TRUE;

  if (getrlimit (RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    {
      static const char * const suffixes[] = { "", "-wal", "-journal" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *path = g_strconcat (self->path, suffixes[i], NULL);
          GStatBuf st;

          if (g_stat (path, &st) == 0 && (guint64) st.st_size + 64 * 1024 >= (guint64) limit.rlim_cur)
            return TRUE;
        }
    }

  return FALSE;
}

gboolean
_pieper_store_set_error (PieperStore  *self,
                         int           rc,
                         GError      **error)
{
  int primary = rc & 0xff;
  int sys_errno = self->db != NULL ? sqlite3_system_errno (self->db) : 0;
  const char *detail = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  if (primary == SQLITE_FULL ||
      (primary == SQLITE_IOERR && (sys_errno == ENOSPC || sys_errno == EFBIG || sys_errno == EDQUOT)) ||
      (primary == SQLITE_IOERR && self->data_dir != NULL && looks_full (self)))
    g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NO_SPACE,
                 _("The disk holding %s is full; nothing was changed"), self->data_dir);
  else if (primary == SQLITE_READONLY || primary == SQLITE_PERM || primary == SQLITE_CANTOPEN ||
           (primary == SQLITE_IOERR && (sys_errno == EACCES || sys_errno == EROFS)))
    g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_READ_ONLY,
                 _("Cannot write to the store in %s: %s"), self->data_dir,
                 sys_errno != 0 ? g_strerror (sys_errno) : detail);
  else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_BUSY,
                 _("The store in %s is busy (another Pieper is writing); try again"),
                 self->data_dir);
  else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_CORRUPT,
                 _("The store %s is damaged or not a Pieper database"), self->path);
  else if (primary == SQLITE_CONSTRAINT)
    g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                 _("The store refused the change: %s"), detail);
  else
    g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_FAILED,
                 _("The store failed: %s"), detail);

  return FALSE;
}

/* Statements */

void
_pieper_stmt_release (PieperStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

sqlite3 *
_pieper_store_get_db (PieperStore *self)
{
  return self->db;
}

PieperStmt *
_pieper_store_prepare (PieperStore  *self,
                       const char   *sql,
                       GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  /* Found by the text's address (callers pass literals), checked by its
   * contents: a string built at run time and freed could leave its
   * address to another one, which must not get the first one's
   * statement. */
  if ((stmt = g_hash_table_lookup (self->statements, sql)) != NULL)
    {
      if (G_LIKELY (strcmp (sqlite3_sql (stmt), sql) == 0))
        return stmt;
      g_hash_table_remove (self->statements, sql);
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _pieper_store_set_error (self, rc, error);
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer) sql, stmt);

  return stmt;
}

gboolean
_pieper_store_step_done (PieperStore  *self,
                         PieperStmt   *stmt,
                         GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return _pieper_store_set_error (self, rc, error);

  return TRUE;
}

gboolean
_pieper_store_exec (PieperStore  *self,
                    const char   *sql,
                    GError      **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return _pieper_store_set_error (self, rc, error);

  return TRUE;
}

void
_pieper_bind_text (PieperStmt *stmt,
                   int         index,
                   const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

/* Transactions */

gboolean
_pieper_store_begin (PieperStore  *self,
                     GError      **error)
{
  /* IMMEDIATE takes the write lock up front, so two processes never both
   * read and then deadlock upgrading to write. */
  if (self->transaction_depth == 0 &&
      !_pieper_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  self->transaction_depth++;
  return TRUE;
}

gboolean
_pieper_store_commit (PieperStore  *self,
                      GError      **error)
{
  g_assert (self->transaction_depth > 0);

  if (self->transaction_depth > 1)
    {
      self->transaction_depth--;
      return TRUE;
    }

  if (!_pieper_store_exec (self, "COMMIT", error))
    {
      _pieper_store_rollback (self);
      return FALSE;
    }

  self->transaction_depth = 0;
  return TRUE;
}

void
_pieper_store_rollback (PieperStore *self)
{
  /* A failed inner step fails the whole transaction: the inner level rolls
   * it all back, and the outer levels, unwinding, find nothing left to do. */
  if (self->transaction_depth == 0)
    return;

  self->transaction_depth = 0;
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Checkpoints */

static void
checkpoint_in_worker (gpointer data,
                      gpointer user_data)
{
  Checkpointer *cp = user_data;
  int rc = SQLITE_OK;

  if (cp->db == NULL)
    {
      rc = sqlite3_open_v2 (cp->path, &cp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
      if (rc == SQLITE_OK)
        rc = sqlite3_exec (cp->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        {
          g_debug ("Cannot open the store for checkpoints: %s", sqlite3_errstr (rc));
          g_clear_pointer (&cp->db, sqlite3_close_v2);
        }
    }

  /* PASSIVE never waits for a reader or a writer: it copies what it can,
   * and a later commit asks again for the rest. */
  if (cp->db != NULL &&
      (rc = sqlite3_wal_checkpoint_v2 (cp->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL)) != SQLITE_OK &&
      rc != SQLITE_BUSY)
    g_debug ("Checkpoint failed: %s", sqlite3_errmsg (cp->db));

  g_mutex_lock (&cp->lock);
  cp->queued = FALSE;
  if (cp->db != NULL)
    {
      cp->completed++;
      cp->thread = g_thread_self ();
    }
  g_cond_broadcast (&cp->idle);
  g_mutex_unlock (&cp->lock);
}

/* Called by SQLite after every commit, with the WAL's length in pages. */
static int
wal_hook_cb (void       *user_data,
             sqlite3    *db,
             const char *name,
             int         frames)
{
  PieperStore *self = user_data;
  Checkpointer *cp = &self->checkpointer;
  gboolean ask = FALSE;

  self->wal_frames = frames;
  if (frames < CHECKPOINT_FRAMES)
    return SQLITE_OK;

  if (frames >= CHECKPOINT_FALLBACK_FRAMES)
    {
      /* SQLITE_BUSY here means the worker is at it: fine too. */
      sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      return SQLITE_OK;
    }

  g_mutex_lock (&cp->lock);
  if (!cp->queued && cp->pool != NULL)
    ask = cp->queued = TRUE;
  g_mutex_unlock (&cp->lock);

  if (ask)
    g_thread_pool_push (cp->pool, GINT_TO_POINTER (1), NULL);

  return SQLITE_OK;
}

/* Checkpoints on a worker thread, and none on the committing one. */
static gboolean
start_checkpointer (PieperStore  *self,
                    GError      **error)
{
  Checkpointer *cp = &self->checkpointer;

  cp->path = g_strdup (self->path);
  if (!(cp->pool = g_thread_pool_new (checkpoint_in_worker, cp, 1, FALSE, error)))
    return FALSE;

  /* Replaces SQLite's autocheckpoint, which is a WAL hook too. */
  sqlite3_wal_hook (self->db, wal_hook_cb, self);
  return TRUE;
}

void
_pieper_store_wait_for_checkpoints (PieperStore *self,
                                    guint       *completed,
                                    GThread    **thread)
{
  Checkpointer *cp = &self->checkpointer;

  g_mutex_lock (&cp->lock);
  while (cp->queued)
    g_cond_wait (&cp->idle, &cp->lock);
  if (completed != NULL)
    *completed = cp->completed;
  if (thread != NULL)
    *thread = cp->thread;
  g_mutex_unlock (&cp->lock);
}

void
_pieper_store_hold_checkpoints (PieperStore *self,
                                gboolean     hold)
{
  /* No thread at all holds the pool's work until there is one again. */
  g_thread_pool_set_max_threads (self->checkpointer.pool, hold ? 0 : 1, NULL);
}

int
_pieper_store_get_wal_frames (PieperStore *self)
{
  return self->wal_frames;
}

/* Opening */

char *
pieper_store_default_data_dir (void)
{
  const char *env = g_getenv ("PIEPER_DATA_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  return g_build_filename (g_get_user_data_dir (), "pieper", NULL);
}

static gboolean
prepare_data_dir (const char  *data_dir,
                  const char  *path,
                  GError     **error)
{
  int fd;

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_READ_ONLY,
                   _("Cannot create the data directory %s: %s"),
                   data_dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* Create the database ourselves so it is private from its first byte;
   * SQLite gives the -wal and -shm files the same mode. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_READ_ONLY,
                   _("Cannot open the store %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  if (fchmod (fd, 0600) != 0)
    g_debug ("Could not make %s private: %s", path, g_strerror (errno));
  close (fd);

  return TRUE;
}

PieperStore *
pieper_store_open (const char  *data_dir,
                   GError     **error)
{
  g_autoptr(PieperStore) self = NULL;
  int rc;

  self = g_object_new (PIEPER_TYPE_STORE, NULL);
  self->data_dir = data_dir != NULL ? g_strdup (data_dir) : pieper_store_default_data_dir ();
  self->path = g_build_filename (self->data_dir, "pieper.db", NULL);

  if (!prepare_data_dir (self->data_dir, self->path, error))
    return NULL;

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      _pieper_store_set_error (self, rc, error);
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  if (!_pieper_store_exec (self, "PRAGMA journal_mode = WAL", error) ||
      !_pieper_store_exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !_pieper_store_migrate (self, error) ||
      !start_checkpointer (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
pieper_store_get_data_dir (PieperStore *self)
{
  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);
  return self->data_dir;
}

const char *
pieper_store_get_path (PieperStore *self)
{
  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);
  return self->path;
}

gint64
pieper_store_get_data_version (PieperStore *self)
{
  g_autoptr(PieperStmt) stmt = NULL;

  g_return_val_if_fail (PIEPER_IS_STORE (self), -1);

  if (!(stmt = _pieper_store_prepare (self, "PRAGMA data_version", NULL)))
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return -1;

  return sqlite3_column_int64 (stmt, 0);
}

/* Cheap enough to call after every sync round: reading a counter of the
 * connection and one pragma, no table. */
guint64
pieper_store_get_change_stamp (PieperStore *self)
{
  gint64 changes;
  gint64 version;

  g_return_val_if_fail (PIEPER_IS_STORE (self), 0);

  changes = sqlite3_total_changes64 (self->db) - self->bookkeeping_changes;
  version = pieper_store_get_data_version (self);

  /* A version that cannot be read says nothing: count it as a change, so a
   * reader reads again rather than miss one. */
  if (version < 0 || changes != self->stamp_changes || version != self->stamp_version)
    {
      self->stamp++;
      self->stamp_changes = changes;
      self->stamp_version = version;
    }

  return self->stamp;
}

gboolean
pieper_store_check_integrity (PieperStore  *self,
                              GError      **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  const char *result;
  int rc;

  g_return_val_if_fail (PIEPER_IS_STORE (self), FALSE);

  if (!(stmt = _pieper_store_prepare (self, "PRAGMA integrity_check", error)))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return _pieper_store_set_error (self, rc, error);

  result = _pieper_column_text (stmt, 0);
  if (g_strcmp0 (result, "ok") != 0)
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_CORRUPT,
                   _("The store %s failed its integrity check: %s"), self->path, result);
      return FALSE;
    }

  return TRUE;
}

/* Snapshots */

/* Appends text as a JSON string, quotes included. Everything JSON forbids
 * raw inside a string is escaped: the quote, the backslash and every
 * control character U+0000..U+001F (the short forms where JSON has them,
 * \u00XX otherwise); DEL too, as json-glib does. Text that is not valid
 * UTF-8 (which should not reach the store) is made valid first, so what
 * is written always reads back. */
static void
append_json_string (GString    *out,
                    const char *text)
{
  static const char hex[] = "0123456789abcdef";
  g_autofree char *valid = NULL;
  const guchar *p;

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (p = (const guchar *) text; *p != '\0'; p++)
    {
      const guchar *run = p;

      /* The common case: a run of bytes that need nothing. */
      while (*p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7f)
        p++;
      if (p > run)
        g_string_append_len (out, (const char *) run, p - run);
      if (*p == '\0')
        break;

      switch (*p)
        {
        case '"':  g_string_append_len (out, "\\\"", 2); break;
        case '\\': g_string_append_len (out, "\\\\", 2); break;
        case '\b': g_string_append_len (out, "\\b", 2); break;
        case '\f': g_string_append_len (out, "\\f", 2); break;
        case '\n': g_string_append_len (out, "\\n", 2); break;
        case '\r': g_string_append_len (out, "\\r", 2); break;
        case '\t': g_string_append_len (out, "\\t", 2); break;
        default:
          {
            char u[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 0xf] };

            g_string_append_len (out, u, sizeof u);
          }
          break;
        }
    }
  g_string_append_c (out, '"');
}

/* A list of strings as a JSON array, as json-glib writes it (compact). */
char *
_pieper_store_strv_to_json (const char * const *strv)
{
  GString *out;

  if (strv == NULL)
    return NULL;

  out = g_string_sized_new (64);
  g_string_append_c (out, '[');
  for (guint i = 0; strv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_json_string (out, strv[i]);
    }
  g_string_append_c (out, ']');

  return g_string_free (out, FALSE);
}

GStrv
_pieper_store_strv_from_json (const char *json)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;
  JsonNode *root;

  if (json == NULL)
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_ARRAY (root))
    return NULL;

  array = json_node_get_array (root);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *s = json_array_get_string_element (array, i);

      if (s != NULL)
        g_strv_builder_add (builder, s);
    }

  return g_strv_builder_end (builder);
}

/* A server's time stamp as the store keeps it: one before 1970, or more
 * than PIEPER_CLOCK_SKEW_MAX ahead of this computer's clock (year 9999, a
 * server whose clock is wrong), is not believed and becomes 0, "unknown".
 * An unknown updated_at neither pins the snapshot (the next one replaces
 * it, whatever its time) nor holds back the next one. */
static gint64
believable_time (gint64 server_time,
                 gint64 now)
{
  if (server_time < 0 || server_time > now + PIEPER_CLOCK_SKEW_MAX)
    return 0;

  return server_time;
}

/* Binds text that outlives the statement's next reset, without a copy. */
static inline void
bind_text_static (PieperStmt *stmt,
                  int         index,
                  const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

gboolean
_pieper_store_upsert_incident (PieperStore     *self,
                               gint64           account_id,
                               PieperIncident  *incident,
                               GError         **error)
{
  g_autofree char *assignees = NULL;
  g_autofree char *assignee_ids = NULL;
  g_autofree char *title = NULL;
  g_autofree char *priority = NULL;
  g_autofree char *service = NULL;
  g_autofree char *policy = NULL;
  /* Declared after the strings, so it is reset (and lets go of them)
   * before they are freed: they are bound without a copy. */
  g_autoptr(PieperStmt) stmt = NULL;
  gint64 now = _pieper_now ();

  /* A snapshot older than the one stored (an out-of-order response) does
   * not overwrite it. Unsent actions live in the outbox, not here, so no
   * snapshot can erase one. One the same as the stored row writes nothing:
   * no page of the WAL, and no move of the change stamp, when a round
   * pulls incidents that did not change.
   *
   * A write that changes the row changes its version (the list model's
   * sign that the row shows something else): one more than before on an
   * update; a random one on an insert, so that an incident stored under
   * the id of one deleted since (SQLite reuses the largest rowid) does
   * not take over the old one's version. */
  if (!(stmt = _pieper_store_prepare (self,
                                      "INSERT INTO incidents (account_id, remote_id, number, title, status,"
                                      " urgency, priority, service, escalation_policy, escalation_level,"
                                      " assignees, assignee_ids, html_url, created_at, updated_at,"
                                      " last_status_change_at, chat_url, video_url, status_page_url,"
                                      " postmortem_url, version)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                                      " ?15, ?16, ?17, ?18, ?19, ?20, ?21)"
                                      " ON CONFLICT (account_id, remote_id) DO UPDATE SET"
                                      " number = excluded.number,"
                                      " title = COALESCE (NULLIF (excluded.title, ''), incidents.title),"
                                      " status = excluded.status, urgency = excluded.urgency,"
                                      " priority = excluded.priority, service = excluded.service,"
                                      " escalation_policy = excluded.escalation_policy,"
                                      " escalation_level = excluded.escalation_level,"
                                      " assignees = excluded.assignees, assignee_ids = excluded.assignee_ids,"
                                      " html_url = excluded.html_url, created_at = excluded.created_at,"
                                      " updated_at = excluded.updated_at,"
                                      " last_status_change_at = excluded.last_status_change_at,"
                                      " chat_url = excluded.chat_url, video_url = excluded.video_url,"
                                      " status_page_url = excluded.status_page_url,"
                                      " postmortem_url = excluded.postmortem_url,"
                                      " version = incidents.version + 1"
                                      " WHERE (excluded.updated_at = 0 OR excluded.updated_at >= incidents.updated_at)"
                                      " AND (incidents.title IS NOT COALESCE (NULLIF (excluded.title, ''), incidents.title)"
                                      " OR incidents.number IS NOT excluded.number"
                                      " OR incidents.status IS NOT excluded.status"
                                      " OR incidents.urgency IS NOT excluded.urgency"
                                      " OR incidents.priority IS NOT excluded.priority"
                                      " OR incidents.service IS NOT excluded.service"
                                      " OR incidents.escalation_policy IS NOT excluded.escalation_policy"
                                      " OR incidents.escalation_level IS NOT excluded.escalation_level"
                                      " OR incidents.assignees IS NOT excluded.assignees"
                                      " OR incidents.assignee_ids IS NOT excluded.assignee_ids"
                                      " OR incidents.html_url IS NOT excluded.html_url"
                                      " OR incidents.created_at IS NOT excluded.created_at"
                                      " OR incidents.updated_at IS NOT excluded.updated_at"
                                      " OR incidents.last_status_change_at IS NOT excluded.last_status_change_at"
                                      " OR incidents.chat_url IS NOT excluded.chat_url"
                                      " OR incidents.video_url IS NOT excluded.video_url"
                                      " OR incidents.status_page_url IS NOT excluded.status_page_url"
                                      " OR incidents.postmortem_url IS NOT excluded.postmortem_url)",
                                      error)))
    return FALSE;

  /* The caps of pieper-types.h, whichever way the incident came. */
  title = pieper_utf8_cap (pieper_incident_get_title (incident), PIEPER_TITLE_MAX_BYTES);
  priority = pieper_utf8_cap (pieper_incident_get_priority (incident), PIEPER_FIELD_MAX_BYTES);
  service = pieper_utf8_cap (pieper_incident_get_service (incident), PIEPER_FIELD_MAX_BYTES);
  policy = pieper_utf8_cap (pieper_incident_get_escalation_policy (incident), PIEPER_FIELD_MAX_BYTES);
  assignees = _pieper_store_strv_to_json (pieper_incident_get_assignees (incident));
  assignee_ids = _pieper_store_strv_to_json (pieper_incident_get_assignee_ids (incident));

  sqlite3_bind_int64 (stmt, 1, account_id);
  bind_text_static (stmt, 2, pieper_incident_get_remote_id (incident));
  sqlite3_bind_int64 (stmt, 3, pieper_incident_get_number (incident));
  bind_text_static (stmt, 4, title);
  bind_text_static (stmt, 5, pieper_status_to_string (pieper_incident_get_status (incident)));
  bind_text_static (stmt, 6, pieper_urgency_to_string (pieper_incident_get_urgency (incident)));
  bind_text_static (stmt, 7, priority);
  bind_text_static (stmt, 8, service);
  bind_text_static (stmt, 9, policy);
  sqlite3_bind_int (stmt, 10, pieper_incident_get_escalation_level (incident));
  bind_text_static (stmt, 11, assignees);
  bind_text_static (stmt, 12, assignee_ids);
  bind_text_static (stmt, 13, pieper_incident_get_html_url (incident));
  sqlite3_bind_int64 (stmt, 14, believable_time (pieper_incident_get_created_at (incident), now));
  sqlite3_bind_int64 (stmt, 15, believable_time (pieper_incident_get_updated_at (incident), now));
  sqlite3_bind_int64 (stmt, 16, believable_time (pieper_incident_get_last_status_change_at (incident), now));
  bind_text_static (stmt, 17, pieper_incident_get_chat_url (incident));
  bind_text_static (stmt, 18, pieper_incident_get_video_url (incident));
  bind_text_static (stmt, 19, pieper_incident_get_status_page_url (incident));
  bind_text_static (stmt, 20, pieper_incident_get_postmortem_url (incident));
  sqlite3_bind_int64 (stmt, 21, ((gint64) g_random_int () << 31) ^ g_random_int ());

  return _pieper_store_step_done (self, stmt, error);
}

gboolean
pieper_store_apply_snapshot (PieperStore  *self,
                             gint64        account_id,
                             GPtrArray    *incidents,
                             GError      **error)
{
  g_return_val_if_fail (PIEPER_IS_STORE (self), FALSE);
  g_return_val_if_fail (incidents != NULL, FALSE);

  if (!_pieper_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < incidents->len; i++)
    {
      if (!_pieper_store_upsert_incident (self, account_id, g_ptr_array_index (incidents, i), error))
        {
          _pieper_store_rollback (self);
          return FALSE;
        }
    }

  return _pieper_store_commit (self, error);
}

gboolean
_pieper_store_insert_timeline (PieperStore          *self,
                               gint64                incident_id,
                               PieperTimelineEntry  *entry,
                               gint64                action_id,
                               GError              **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  g_autofree char *body = NULL;
  g_autofree char *author = NULL;

  if (!(stmt = _pieper_store_prepare (self,
                                      "INSERT INTO timeline (incident_id, remote_id, kind, origin, action_id,"
                                      " author, at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                                      " ON CONFLICT (incident_id, remote_id) DO UPDATE SET"
                                      " kind = excluded.kind, author = excluded.author,"
                                      " at = excluded.at, body = excluded.body,"
                                      " action_id = coalesce(timeline.action_id, excluded.action_id)",
                                      error)))
    return FALSE;

  body = pieper_utf8_cap (pieper_timeline_entry_get_body (entry), PIEPER_NOTE_MAX_BYTES);
  author = pieper_utf8_cap (pieper_timeline_entry_get_author (entry), PIEPER_FIELD_MAX_BYTES);

  sqlite3_bind_int64 (stmt, 1, incident_id);
  _pieper_bind_text (stmt, 2, pieper_timeline_entry_get_remote_id (entry));
  _pieper_bind_text (stmt, 3, pieper_timeline_kind_to_string (pieper_timeline_entry_get_kind (entry)));
  _pieper_bind_text (stmt, 4, pieper_origin_to_string (pieper_timeline_entry_get_origin (entry)));
  if (action_id > 0)
    sqlite3_bind_int64 (stmt, 5, action_id);
  _pieper_bind_text (stmt, 6, author);
  sqlite3_bind_int64 (stmt, 7, believable_time (pieper_timeline_entry_get_at (entry), _pieper_now ()));
  _pieper_bind_text (stmt, 8, body);

  return _pieper_store_step_done (self, stmt, error);
}

gboolean
pieper_store_apply_timeline (PieperStore  *self,
                             gint64        incident_id,
                             GPtrArray    *entries,
                             GError      **error)
{
  g_return_val_if_fail (PIEPER_IS_STORE (self), FALSE);
  g_return_val_if_fail (entries != NULL, FALSE);

  if (!_pieper_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < entries->len; i++)
    {
      PieperTimelineEntry *entry = g_ptr_array_index (entries, i);

      if (pieper_timeline_entry_get_remote_id (entry) == NULL)
        continue;

      if (!_pieper_store_insert_timeline (self, incident_id, entry, 0, error))
        {
          _pieper_store_rollback (self);
          return FALSE;
        }
    }

  return _pieper_store_commit (self, error);
}

/* Sync state */

char *
pieper_store_get_sync_state (PieperStore *self,
                             gint64       account_id,
                             const char  *key)
{
  g_autoptr(PieperStmt) stmt = NULL;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!(stmt = _pieper_store_prepare (self, "SELECT value FROM sync_state WHERE account_id = ? AND key = ?", NULL)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  _pieper_bind_text (stmt, 2, key);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;

  return g_strdup (_pieper_column_text (stmt, 0));
}

gboolean
pieper_store_set_sync_state (PieperStore  *self,
                             gint64        account_id,
                             const char   *key,
                             const char   *value,
                             GError      **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  sqlite3_int64 before;
  gboolean ok;

  g_return_val_if_fail (PIEPER_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!(stmt = _pieper_store_prepare (self,
                                      "INSERT INTO sync_state (account_id, key, value) VALUES (?, ?, ?)"
                                      " ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value",
                                      error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  _pieper_bind_text (stmt, 2, key);
  _pieper_bind_text (stmt, 3, value);

  /* Every round moves its cursor: that alone is no change to show. */
  before = sqlite3_total_changes64 (self->db);
  ok = _pieper_store_step_done (self, stmt, error);
  self->bookkeeping_changes += sqlite3_total_changes64 (self->db) - before;

  return ok;
}

gboolean
_pieper_store_note_claimed (PieperStore *self,
                            gint64       incident_id,
                            const char  *remote_id,
                            gint64       action_id)
{
  g_autoptr(PieperStmt) stmt = NULL;

  if (!(stmt = _pieper_store_prepare (self,
                                      "SELECT 1 FROM timeline WHERE incident_id = ? AND remote_id = ?"
                                      " AND action_id IS NOT NULL AND action_id != ?",
                                      NULL)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, incident_id);
  _pieper_bind_text (stmt, 2, remote_id);
  sqlite3_bind_int64 (stmt, 3, action_id);

  return sqlite3_step (stmt) == SQLITE_ROW;
}

/* Open incidents of an account in the snapshot, by server id. */
GPtrArray *
_pieper_store_list_open_remote_ids (PieperStore  *self,
                                    gint64        account_id,
                                    GError      **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (!(stmt = _pieper_store_prepare (self,
                                      "SELECT remote_id FROM incidents WHERE account_id = ?"
                                      " AND status != 'resolved'",
                                      error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup (_pieper_column_text (stmt, 0)));

  if (rc != SQLITE_DONE)
    {
      _pieper_store_set_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&ids);
}

/* The snapshot status of an incident, or -1 when it is not stored. */
int
_pieper_store_get_snapshot_status (PieperStore *self,
                                   gint64       account_id,
                                   const char  *remote_id)
{
  g_autoptr(PieperStmt) stmt = NULL;
  PieperStatus status;

  if (!(stmt = _pieper_store_prepare (self,
                                      "SELECT status FROM incidents WHERE account_id = ? AND remote_id = ?",
                                      NULL)))
    return -1;

  sqlite3_bind_int64 (stmt, 1, account_id);
  _pieper_bind_text (stmt, 2, remote_id);
  if (sqlite3_step (stmt) != SQLITE_ROW ||
      !pieper_status_from_string (_pieper_column_text (stmt, 0), &status))
    return -1;

  return status;
}
