/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pieper-account.h"
#include "pieper-incident.h"
#include "pieper-timeline-entry.h"

G_BEGIN_DECLS

#define PIEPER_STORE_ERROR (pieper_store_error_quark ())

typedef enum
{
  PIEPER_STORE_ERROR_FAILED,
  PIEPER_STORE_ERROR_NOT_FOUND,
  PIEPER_STORE_ERROR_AMBIGUOUS,
  PIEPER_STORE_ERROR_INVALID,
  PIEPER_STORE_ERROR_NO_SPACE,
  PIEPER_STORE_ERROR_READ_ONLY,
  PIEPER_STORE_ERROR_BUSY,
  PIEPER_STORE_ERROR_TOO_NEW,
  PIEPER_STORE_ERROR_CORRUPT,
} PieperStoreError;

GQuark pieper_store_error_quark (void);

/* The schema version this build writes (PRAGMA user_version). */
#define PIEPER_STORE_SCHEMA_VERSION 5

#define PIEPER_TYPE_STORE (pieper_store_get_type ())
G_DECLARE_FINAL_TYPE (PieperStore, pieper_store, PIEPER, STORE, GObject)

typedef enum
{
  PIEPER_FILTER_ALL,
  PIEPER_FILTER_OPEN,
  PIEPER_FILTER_TRIGGERED,
  PIEPER_FILTER_ACKNOWLEDGED,
  PIEPER_FILTER_RESOLVED,
} PieperFilter;

char          *pieper_store_default_data_dir  (void);

PieperStore   *pieper_store_open              (const char     *data_dir,
                                               GError        **error);
const char    *pieper_store_get_data_dir      (PieperStore    *self);
const char    *pieper_store_get_path          (PieperStore    *self);

/* Accounts */
PieperAccount *pieper_store_add_account       (PieperStore    *self,
                                               PieperAccount  *account,
                                               GError        **error);
PieperAccount *pieper_store_ensure_account    (PieperStore    *self,
                                               const char     *provider,
                                               const char     *url,
                                               const char     *email,
                                               GError        **error);
PieperAccount *pieper_store_get_account       (PieperStore    *self,
                                               gint64          id,
                                               GError        **error);
GPtrArray     *pieper_store_list_accounts     (PieperStore    *self,
                                               GError        **error);
gboolean       pieper_store_update_account    (PieperStore    *self,
                                               PieperAccount  *account,
                                               GError        **error);
gboolean       pieper_store_remove_account    (PieperStore    *self,
                                               gint64          id,
                                               gboolean        force,
                                               GError        **error);

/* Server snapshots: each call is one transaction. Snapshots never touch
 * the outbox, so a pending action survives any number of pulls. */
gboolean       pieper_store_apply_snapshot    (PieperStore    *self,
                                               gint64          account_id,
                                               GPtrArray      *incidents,
                                               GError        **error);
gboolean       pieper_store_apply_timeline    (PieperStore    *self,
                                               gint64          incident_id,
                                               GPtrArray      *entries,
                                               GError        **error);

/* Effective state: the snapshot with unsent actions re-applied. */
GPtrArray     *pieper_store_list_incidents    (PieperStore    *self,
                                               PieperFilter    filter,
                                               GError        **error);
PieperIncident *pieper_store_get_incident     (PieperStore    *self,
                                               gint64          id,
                                               GError        **error);
PieperIncident *pieper_store_lookup_incident  (PieperStore    *self,
                                               gint64          account_id,
                                               const char     *remote_id,
                                               GError        **error);
/* Finds an incident by server id, or by number; ambiguity is an error. */
PieperIncident *pieper_store_find_incident    (PieperStore    *self,
                                               const char     *id_or_number,
                                               GError        **error);
/* One incident of the effective list, as a list keeps it: enough to
 * order it, to filter it by status and to tell whether it changed. */
typedef struct
{
  gint64       id;
  gint64       created_at;
  /* Differs whenever what the incident shows may differ: after a write
   * of its snapshot, or with other unsent actions on it. */
  guint64      digest;
  PieperStatus status;      /* effective */
} PieperIncidentKey;

/* pieper_store_list_incidents (PIEPER_FILTER_ALL) as PieperIncidentKeys,
 * in the same order, without building the incidents: one index and the
 * unsent actions are all it reads. */
GArray        *pieper_store_list_incident_keys (PieperStore  *self,
                                                GError      **error);
/* The key of one incident, as pieper_store_list_incident_keys() has it. */
gboolean       pieper_store_get_incident_key  (PieperStore        *self,
                                               gint64              id,
                                               PieperIncidentKey  *key,
                                               GError            **error);
/* The effective incidents with the store ids @ids, in that order, those
 * gone left out. */
GPtrArray     *pieper_store_get_incidents     (PieperStore    *self,
                                               const gint64   *ids,
                                               guint           n_ids,
                                               GError        **error);
/* The people an account's effective incidents name (their assignees,
 * where the server gave both ids and names): server user id → name. */
GHashTable    *pieper_store_list_people       (PieperStore    *self,
                                               gint64          account_id,
                                               GError        **error);
/* The server snapshot, with nothing re-applied. */
PieperIncident *pieper_store_get_snapshot     (PieperStore    *self,
                                               gint64          id,
                                               GError        **error);
GPtrArray     *pieper_store_list_timeline     (PieperStore    *self,
                                               gint64          incident_id,
                                               GError        **error);

/* Per-account sync bookkeeping (cursors, watermarks). */
char          *pieper_store_get_sync_state    (PieperStore    *self,
                                               gint64          account_id,
                                               const char     *key);
gboolean       pieper_store_set_sync_state    (PieperStore    *self,
                                               gint64          account_id,
                                               const char     *key,
                                               const char     *value,
                                               GError        **error);

/* Bumps whenever another connection (another process) commits a write. */
gint64         pieper_store_get_data_version  (PieperStore    *self);
/* A token that changes whenever what the store shows may have changed since
 * it was last read: a write through this store (incidents, timeline,
 * outbox, accounts; not the sync bookkeeping) or a commit by another
 * connection, such as pieperctl's. Equal tokens mean nothing changed; a
 * reader keeps the one it saw before reading, and reads again only when
 * it differs. Never 0, so 0 can stand for "never read". */
guint64        pieper_store_get_change_stamp  (PieperStore    *self);

JsonNode      *pieper_store_export            (PieperStore    *self,
                                               GError        **error);
gboolean       pieper_store_check_integrity   (PieperStore    *self,
                                               GError        **error);

G_END_DECLS

G_BEGIN_DECLS

/* Imports incidents in the documented JSON form (docs/import-format.md),
 * all or nothing, as server snapshots of the document's account. */
gboolean       pieper_store_import            (PieperStore    *self,
                                               JsonNode       *root,
                                               guint          *n_imported,
                                               GError        **error);

G_END_DECLS
