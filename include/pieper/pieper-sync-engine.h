/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pieper-account.h"
#include "pieper-incident.h"
#include "pieper-provider.h"
#include "pieper-store.h"

G_BEGIN_DECLS

typedef enum
{
  PIEPER_SYNC_STATE_IDLE,
  PIEPER_SYNC_STATE_SYNCING,
  /* The server cannot be reached: a normal state, not an error. Actions
   * wait in the outbox and go out the moment it can be reached again. */
  PIEPER_SYNC_STATE_OFFLINE,
  /* The server refused the token. */
  PIEPER_SYNC_STATE_AUTH_FAILED,
  /* The last round failed for another reason, most often that the store
   * could not be written; pieper_sync_engine_get_last_error() says why.
   * Actions stay in the outbox. */
  PIEPER_SYNC_STATE_ERROR,
} PieperSyncState;

typedef struct
{
  guint pulled;     /* incidents written from the server */
  guint sent;       /* actions the server confirmed */
  guint conflicts;  /* actions that became conflicts */
  guint failed;     /* actions the server refused for good */
  guint unsent;     /* actions still waiting after the round */
} PieperSyncStats;

#define PIEPER_TYPE_SYNC_ENGINE (pieper_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (PieperSyncEngine, pieper_sync_engine, PIEPER, SYNC_ENGINE, GObject)

PieperSyncEngine *pieper_sync_engine_new               (PieperStore       *store);
PieperStore      *pieper_sync_engine_get_store         (PieperSyncEngine  *self);
void              pieper_sync_engine_add_account       (PieperSyncEngine  *self,
                                                        PieperAccount     *account,
                                                        PieperProvider    *provider);
void              pieper_sync_engine_remove_account    (PieperSyncEngine  *self,
                                                        gint64             account_id);
PieperProvider   *pieper_sync_engine_get_provider      (PieperSyncEngine  *self,
                                                        gint64             account_id);
/* Seconds between polls (default 30). */
void              pieper_sync_engine_set_poll_interval (PieperSyncEngine  *self,
                                                        guint              seconds);
guint             pieper_sync_engine_get_poll_interval (PieperSyncEngine  *self);
PieperSyncState   pieper_sync_engine_get_state         (PieperSyncEngine  *self);
/* Why the last round failed, or NULL; set before the state changes. */
const char       *pieper_sync_engine_get_last_error    (PieperSyncEngine  *self);
/* Timelines of watched incidents are pulled on every round. */
void              pieper_sync_engine_watch_incident    (PieperSyncEngine  *self,
                                                        gint64             incident_id,
                                                        gboolean           watch);

/* One round of push and pull for every account. Fails when a server could
 * not be reached; the outbox is intact either way. */
void              pieper_sync_engine_sync_async        (PieperSyncEngine  *self,
                                                        GCancellable      *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer           user_data);
gboolean          pieper_sync_engine_sync_finish       (PieperSyncEngine  *self,
                                                        GAsyncResult      *result,
                                                        PieperSyncStats   *stats,
                                                        GError           **error);

/* Keeps syncing: every poll interval, with backoff after failures, and at
 * once when the network comes back or the machine wakes from suspend. */
void              pieper_sync_engine_start             (PieperSyncEngine  *self);
void              pieper_sync_engine_stop              (PieperSyncEngine  *self);
/* Asks for a round now (or right after the one running): the world may
 * have changed (the network came back, the user asked), so every action
 * waiting for a retry is due and the round pulls in full. */
void              pieper_sync_engine_sync_now          (PieperSyncEngine  *self);
/* Asks for a round now (or right after the one running) to send an action
 * just queued. Nothing else changed: actions waiting for a retry keep
 * waiting, and the pull is the usual one. */
void              pieper_sync_engine_send_queued       (PieperSyncEngine  *self);

G_END_DECLS
