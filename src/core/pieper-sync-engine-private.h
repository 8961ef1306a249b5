/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pieper-outbox-private.h"
#include "pieper-store-private.h"
#include "pieper-sync-engine.h"

G_BEGIN_DECLS

/*
 * A sync round is a chain of callbacks on one GTask whose task data is a
 * Round: pushing (pieper-sync-push.c), then pulling (pieper-sync-pull.c),
 * account by account (pieper-sync-engine.c).
 */

/* Backoff after failures: 5 s, 10 s, 20 s … up to 10 minutes, ±25 %. */
#define BACKOFF_BASE 5
#define BACKOFF_MAX (10 * 60)
/* An account whose token was refused is retried rarely. */
#define AUTH_RETRY (5 * 60)
/* Changes are asked for with some overlap, for clock skew. */
#define CHANGES_OVERLAP 120
/* A note found on the server with our words, posted this long before we
 * queued it or later, is taken as our earlier delivery. */
#define NOTE_READBACK_SLACK 300
/* Incidents open here but not on the server's open list are checked one by
 * one; at most this many per round. */
#define MAX_VANISHED_PER_ROUND 100
/* Between full pulls a round asks only for the change feed and fetches
 * the incidents it names. A full pull of every open incident reconciles
 * what the feed may have missed: at the first round, after the network
 * came back or the machine resumed, after a failed round, at least this
 * often, and when the feed names more incidents than are worth fetching
 * one by one. */
#define FULL_PULL_INTERVAL (30 * 60)
#define MAX_CHANGED_PER_ROUND 100
/* Actions of different incidents sent at once; one incident's actions are
 * always sent one after another, in order. */
#define MAX_SENDS_IN_FLIGHT 8

typedef struct
{
  PieperAccount  *account;
  PieperProvider *provider;
  /* Ids of the changes in the feed's last window that the store already
   * shows: a round fetches an incident only for a change not in here.
   * Shared with the round's copy of the entry, which replaces what it
   * holds when the account's pull succeeds. */
  GHashTable     *seen_changes;
} AccountEntry;

struct _PieperSyncEngine
{
  GObject          parent_instance;

  PieperStore     *store;
  PieperOutbox    *outbox;
  GPtrArray       *accounts;        /* AccountEntry */
  GHashTable      *watched;         /* incident id (gint64*) set */

  guint            poll_interval;
  PieperSyncState  state;
  char            *last_error;
  guint            failures;        /* consecutive failed rounds */
  guint            retry_after;     /* from the last rate-limited answer */

  gboolean         reconcile;       /* the next round pulls in full */
  gboolean         running;         /* started: keeps syncing */
  gboolean         round_active;
  gboolean         again;           /* a round was asked for during one */
  guint            timeout_id;
  GCancellable    *cancellable;

  GNetworkMonitor *network_monitor;
  GNetworkMonitor *network_monitor_override;
  gulong           network_changed_id;
  GDBusConnection *system_bus;
  guint            sleep_subscription;
};

typedef enum
{
  OUTCOME_OK,
  OUTCOME_OFFLINE,
  OUTCOME_RATE_LIMITED,
  OUTCOME_AUTH,
} Outcome;

typedef struct
{
  PieperSyncEngine *engine;
  GPtrArray        *accounts;      /* AccountEntry copies */
  guint             account_index;
  AccountEntry     *current;
  gint64            started_at;
  PieperSyncStats   stats;

  /* Push */
  GPtrArray        *due;           /* PieperAction, at most one per incident */
  guint             due_index;
  GHashTable       *processed;     /* action ids (gint64*) tried this round */
  guint             n_sending;     /* actions in flight, or confirmed and not yet settled */
  GPtrArray        *settling;      /* sends confirmed, to be committed together */
  guint             settle_source;
  gboolean          push_stopped;  /* start no more sends for this account */
  GError           *push_error;    /* a store error: ends the round */

  /* Pull */
  gboolean          reconcile;     /* every account pulls in full */
  gboolean          full_pull;     /* this account's pull is a full one */
  gint64            changes_since; /* the feed is asked from here; 0: not yet */
  GHashTable       *open_ids;      /* remote ids on the server's open list */
  GError           *pull_error;    /* a store error, told when the next page is back */
  GHashTable       *changes;       /* change id → remote id: the feed's window */
  GHashTable       *unfetched;     /* remote ids whose fetch failed this round */
  GHashTable       *named;         /* remote ids in to_fetch */
  GPtrArray        *to_fetch;      /* remote ids to get one by one */
  guint             fetch_index;
  GPtrArray        *timelines;     /* incident ids (gint64*) to pull timelines of */
  guint             timeline_index;

  Outcome           worst;
  GError           *first_error;
} Round;

Round    *_pieper_sync_round             (GTask     *task);
gint64    _pieper_sync_now               (void);
guint     _pieper_sync_backoff           (guint      failures);
Outcome   _pieper_sync_classify          (GError    *error);
/* The server could not be reached, or would not talk to us now. */
gboolean  _pieper_sync_is_unreachable    (GError    *error);
/* Records why an account's part of the round stopped. */
void      _pieper_sync_account_failed    (GTask     *task,
                                          Outcome    outcome,
                                          GError    *error);
/* Ends the round: store errors are the one thing a round cannot work
 * around. Takes the task. */
void      _pieper_sync_store_failed      (GTask     *task,
                                          GError   **error);
/* Goes on with the next account, or ends the round. Takes the task. */
void      _pieper_sync_next_account      (GTask     *task);
gboolean  _pieper_sync_wants_paged       (PieperSyncEngine *self);
void      _pieper_sync_emit_paged        (PieperSyncEngine *self,
                                          PieperIncident   *incident);

/* For tests: the network monitor to use instead of GIO's default. */
void      _pieper_sync_engine_set_network_monitor (PieperSyncEngine *self,
                                                   GNetworkMonitor  *monitor);

/* pieper-sync-push.c: sends the account's outbox, then pulls. */
void      _pieper_sync_push_next         (GTask     *task);
/* pieper-sync-pull.c: pulls the account, then goes on. */
void      _pieper_sync_pull_start        (GTask     *task);

G_END_DECLS
