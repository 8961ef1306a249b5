/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "pieper-action.h"
#include "pieper-store.h"

G_BEGIN_DECLS

/* A prepared statement from the store's cache. Its g_autoptr cleanup resets
 * it for the next user instead of finalizing it. */
typedef sqlite3_stmt PieperStmt;

void        _pieper_stmt_release         (PieperStmt   *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PieperStmt, _pieper_stmt_release)

/* sql should be a string literal: the cache is keyed by its address (and
 * checked by its text, so a string built at run time is safe, but it is
 * prepared again and kept until the store closes). */
PieperStmt *_pieper_store_prepare        (PieperStore  *self,
                                          const char   *sql,
                                          GError      **error);
/* Steps a statement that returns no rows. */
gboolean    _pieper_store_step_done      (PieperStore  *self,
                                          PieperStmt   *stmt,
                                          GError      **error);
gboolean    _pieper_store_exec           (PieperStore  *self,
                                          const char   *sql,
                                          GError      **error);
gboolean    _pieper_store_set_error      (PieperStore  *self,
                                          int           rc,
                                          GError      **error);
sqlite3    *_pieper_store_get_db         (PieperStore  *self);

/* Write transactions nest: only the outermost one begins and commits. */
gboolean    _pieper_store_begin          (PieperStore  *self,
                                          GError      **error);
gboolean    _pieper_store_commit         (PieperStore  *self,
                                          GError      **error);
void        _pieper_store_rollback       (PieperStore  *self);

gboolean    _pieper_store_insert_timeline (PieperStore         *self,
                                           gint64               incident_id,
                                           PieperTimelineEntry *entry,
                                           gint64               action_id,
                                           GError             **error);
gboolean    _pieper_store_upsert_incident (PieperStore         *self,
                                           gint64               account_id,
                                           PieperIncident      *incident,
                                           GError             **error);

#define ACTION_COLUMNS \
  "o.id, o.account_id, o.incident_id, i.remote_id, o.op, o.payload, o.idempotency_key," \
  " o.state, o.attempts, o.next_attempt_at, o.last_error, o.created_at, o.updated_at," \
  " o.claimed_by"

/* Reads a row selected with ACTION_COLUMNS from "outbox o JOIN incidents i". */
PieperAction *_pieper_action_from_row    (PieperStmt   *stmt);

/* For the sync engine. */
gboolean    _pieper_store_note_claimed   (PieperStore  *self,
                                          gint64        incident_id,
                                          const char   *remote_id,
                                          gint64        action_id);
GPtrArray  *_pieper_store_list_open_remote_ids (PieperStore  *self,
                                                gint64        account_id,
                                                GError      **error);
int         _pieper_store_get_snapshot_status  (PieperStore  *self,
                                                gint64        account_id,
                                                const char   *remote_id);

/* For tests: waits until no checkpoint is asked for or running, and says
 * how many the worker has made and on which thread the last one ran. */
void        _pieper_store_wait_for_checkpoints (PieperStore  *self,
                                                guint        *completed,
                                                GThread     **thread);
/* For tests: holds the worker's checkpoints back (or lets them go), and
 * the WAL's length in pages after the last commit. */
void        _pieper_store_hold_checkpoints     (PieperStore  *self,
                                                gboolean      hold);
int         _pieper_store_get_wal_frames       (PieperStore  *self);

/* A list of strings as a compact JSON array (the assignees columns);
 * NULL for NULL. Exposed for its tests. And back, for the readers
 * (pieper-store-read.c). */
char       *_pieper_store_strv_to_json   (const char * const *strv);
GStrv       _pieper_store_strv_from_json (const char *json);

/* Schema (pieper-store-schema.c). Brings the store to the current
 * schema and turns foreign keys on. */
gboolean    _pieper_store_migrate        (PieperStore  *self,
                                          GError      **error);

static inline const char *
_pieper_column_text (PieperStmt *stmt,
                     int         column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* Bind helpers. */
void        _pieper_bind_text            (PieperStmt   *stmt,
                                          int           index,
                                          const char   *text);

gint64      _pieper_now                  (void);

G_END_DECLS
