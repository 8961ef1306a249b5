/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperSync"

#include "config.h"

#include <string.h>

#include "pieper-outbox.h"
#include "pieper-store-private.h"
#include "pieper-sync-engine.h"

#define DEFAULT_POLL_INTERVAL 30
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

typedef struct
{
  PieperAccount  *account;
  PieperProvider *provider;
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

  gboolean         running;         /* started: keeps syncing */
  gboolean         round_active;
  gboolean         again;           /* a round was asked for during one */
  guint            timeout_id;
  GCancellable    *cancellable;

  GNetworkMonitor *network_monitor;
  gulong           network_changed_id;
  GDBusConnection *system_bus;
  guint            sleep_subscription;
};

G_DEFINE_FINAL_TYPE (PieperSyncEngine, pieper_sync_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum {
  INCIDENT_PAGED,
  SYNCED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule_next (PieperSyncEngine *self);

static void
account_entry_free (AccountEntry *entry)
{
  g_clear_object (&entry->account);
  g_clear_object (&entry->provider);
  g_free (entry);
}

static AccountEntry *
account_entry_ref_copy (AccountEntry *entry)
{
  AccountEntry *copy = g_new0 (AccountEntry, 1);

  copy->account = g_object_ref (entry->account);
  copy->provider = g_object_ref (entry->provider);

  return copy;
}

static void
pieper_sync_engine_dispose (GObject *object)
{
  PieperSyncEngine *self = (PieperSyncEngine *) object;

  pieper_sync_engine_stop (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_object (&self->outbox);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (pieper_sync_engine_parent_class)->dispose (object);
}

static void
pieper_sync_engine_finalize (GObject *object)
{
  PieperSyncEngine *self = (PieperSyncEngine *) object;

  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_free (self->last_error);

  G_OBJECT_CLASS (pieper_sync_engine_parent_class)->finalize (object);
}

static void
pieper_sync_engine_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PieperSyncEngine *self = PIEPER_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_sync_engine_class_init (PieperSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pieper_sync_engine_dispose;
  object_class->finalize = pieper_sync_engine_finalize;
  object_class->get_property = pieper_sync_engine_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      PIEPER_SYNC_STATE_IDLE, PIEPER_SYNC_STATE_AUTH_FAILED,
                      PIEPER_SYNC_STATE_IDLE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PieperSyncEngine::incident-paged:
   * @incident: the incident, as the server has it now
   *
   * An incident became triggered: new, or re-triggered (escalated to a new
   * level, reassigned, or reopened).
   */
  signals[INCIDENT_PAGED] =
    g_signal_new ("incident-paged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PIEPER_TYPE_INCIDENT);

  /**
   * PieperSyncEngine::synced:
   *
   * A round ended and the store may have changed.
   */
  signals[SYNCED] =
    g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pieper_sync_engine_init (PieperSyncEngine *self)
{
  self->accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) account_entry_free);
  self->watched = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->poll_interval = DEFAULT_POLL_INTERVAL;
  self->cancellable = g_cancellable_new ();
}

PieperSyncEngine *
pieper_sync_engine_new (PieperStore *store)
{
  PieperSyncEngine *self;

  g_return_val_if_fail (PIEPER_IS_STORE (store), NULL);

  self = g_object_new (PIEPER_TYPE_SYNC_ENGINE, NULL);
  self->store = g_object_ref (store);
  self->outbox = pieper_outbox_new (store);

  return self;
}

PieperStore *
pieper_sync_engine_get_store (PieperSyncEngine *self)
{
  g_return_val_if_fail (PIEPER_IS_SYNC_ENGINE (self), NULL);
  return self->store;
}

void
pieper_sync_engine_add_account (PieperSyncEngine *self,
                                PieperAccount    *account,
                                PieperProvider   *provider)
{
  AccountEntry *entry;

  g_return_if_fail (PIEPER_IS_SYNC_ENGINE (self));
  g_return_if_fail (PIEPER_IS_ACCOUNT (account));
  g_return_if_fail (PIEPER_IS_PROVIDER (provider));

  pieper_sync_engine_remove_account (self, pieper_account_get_id (account));

  entry = g_new0 (AccountEntry, 1);
  entry->account = g_object_ref (account);
  entry->provider = g_object_ref (provider);
  g_ptr_array_add (self->accounts, entry);
}

void
pieper_sync_engine_remove_account (PieperSyncEngine *self,
                                   gint64            account_id)
{
  g_return_if_fail (PIEPER_IS_SYNC_ENGINE (self));

  for (guint i = 0; i < self->accounts->len; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->accounts, i);

      if (pieper_account_get_id (entry->account) == account_id)
        {
          g_ptr_array_remove_index (self->accounts, i);
          return;
        }
    }
}

PieperProvider *
pieper_sync_engine_get_provider (PieperSyncEngine *self,
                                 gint64            account_id)
{
  g_return_val_if_fail (PIEPER_IS_SYNC_ENGINE (self), NULL);

  for (guint i = 0; i < self->accounts->len; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->accounts, i);

      if (pieper_account_get_id (entry->account) == account_id)
        return entry->provider;
    }

  return NULL;
}

void
pieper_sync_engine_set_poll_interval (PieperSyncEngine *self,
                                      guint             seconds)
{
  g_return_if_fail (PIEPER_IS_SYNC_ENGINE (self));

  self->poll_interval = MAX (1, seconds);
  if (self->running && !self->round_active)
    schedule_next (self);
}

guint
pieper_sync_engine_get_poll_interval (PieperSyncEngine *self)
{
  g_return_val_if_fail (PIEPER_IS_SYNC_ENGINE (self), 0);
  return self->poll_interval;
}

PieperSyncState
pieper_sync_engine_get_state (PieperSyncEngine *self)
{
  g_return_val_if_fail (PIEPER_IS_SYNC_ENGINE (self), PIEPER_SYNC_STATE_IDLE);
  return self->state;
}

const char *
pieper_sync_engine_get_last_error (PieperSyncEngine *self)
{
  g_return_val_if_fail (PIEPER_IS_SYNC_ENGINE (self), NULL);
  return self->last_error;
}

void
pieper_sync_engine_watch_incident (PieperSyncEngine *self,
                                   gint64            incident_id,
                                   gboolean          watch)
{
  g_return_if_fail (PIEPER_IS_SYNC_ENGINE (self));

  if (watch)
    g_hash_table_add (self->watched, g_memdup2 (&incident_id, sizeof incident_id));
  else
    g_hash_table_remove (self->watched, &incident_id);
}

static void
set_state (PieperSyncEngine *self,
           PieperSyncState   state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* A round: push, then pull, account by account. */

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
  GPtrArray        *due;           /* PieperAction */
  guint             due_index;
  GHashTable       *processed;     /* action ids (gint64*) tried this round */
  PieperAction     *action;        /* being sent */
  gboolean          maybe_sent;    /* an earlier attempt may have arrived */
  int               level;         /* escalate: the level to send */

  /* Pull */
  GHashTable       *open_ids;      /* remote ids on the server's open list */
  GPtrArray        *to_fetch;      /* remote ids to get one by one */
  guint             fetch_index;
  GPtrArray        *timelines;     /* incident ids (gint64*) to pull timelines of */
  guint             timeline_index;

  Outcome           worst;
  GError           *first_error;
} Round;

static void
round_free (Round *round)
{
  g_clear_pointer (&round->accounts, g_ptr_array_unref);
  g_clear_pointer (&round->due, g_ptr_array_unref);
  g_clear_pointer (&round->processed, g_hash_table_unref);
  g_clear_object (&round->action);
  g_clear_pointer (&round->open_ids, g_hash_table_unref);
  g_clear_pointer (&round->to_fetch, g_ptr_array_unref);
  g_clear_pointer (&round->timelines, g_ptr_array_unref);
  g_clear_error (&round->first_error);
  g_clear_object (&round->engine);
  g_free (round);
}

static Round *
task_round (GTask *task)
{
  return g_task_get_task_data (task);
}

static void next_account   (GTask *task);
static void push_next      (GTask *task);
static void pull_start     (GTask *task);
static void pull_page      (GTask *task,
                            const char *cursor);
static void changes_page   (GTask *task,
                            const char *cursor);
static void fetch_next     (GTask *task);
static void timeline_next  (GTask *task);

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static guint
backoff_seconds (guint failures)
{
  guint delay = BACKOFF_BASE << MIN (failures, 10u);
  double jitter = g_random_double_range (0.75, 1.25);

  return (guint) CLAMP (delay * jitter, 1, BACKOFF_MAX);
}

static const char *
account_name (AccountEntry *entry)
{
  return pieper_account_get_url (entry->account);
}

/* Records why an account's part of the round stopped. */
static void
account_failed (GTask   *task,
                Outcome  outcome,
                GError  *error)
{
  Round *round = task_round (task);

  round->worst = MAX (round->worst, outcome);
  if (round->first_error == NULL)
    round->first_error = g_error_new (error->domain, error->code, "%s: %s",
                                      account_name (round->current), error->message);
}

static Outcome
classify (GError *error)
{
  if (g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_RATE_LIMITED))
    return OUTCOME_RATE_LIMITED;
  if (g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH))
    return OUTCOME_AUTH;
  return OUTCOME_OFFLINE;
}

static gboolean
is_unreachable (GError *error)
{
  return error->domain != PIEPER_PROVIDER_ERROR ||
         error->code == PIEPER_PROVIDER_ERROR_TRANSIENT ||
         error->code == PIEPER_PROVIDER_ERROR_RATE_LIMITED ||
         error->code == PIEPER_PROVIDER_ERROR_AUTH;
}

/* Store errors end the whole round: the disk is the one thing we cannot
 * work around. */
static gboolean
store_failed (GTask   *task,
              GError **error)
{
  g_task_return_error (task, g_steal_pointer (error));
  g_object_unref (task);
  return FALSE;
}

static void
round_finish (GTask *task)
{
  Round *round = task_round (task);

  round->stats.unsent = pieper_outbox_count_unsent (round->engine->outbox, 0);

  if (round->first_error != NULL)
    g_task_return_error (task, g_steal_pointer (&round->first_error));
  else
    g_task_return_boolean (task, TRUE);

  g_object_unref (task);
}

static void
next_account (GTask *task)
{
  Round *round = task_round (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (round->account_index >= round->accounts->len)
    {
      round_finish (task);
      return;
    }

  round->current = g_ptr_array_index (round->accounts, round->account_index++);
  g_clear_pointer (&round->due, g_ptr_array_unref);
  g_clear_pointer (&round->open_ids, g_hash_table_unref);
  g_clear_pointer (&round->to_fetch, g_ptr_array_unref);
  g_clear_pointer (&round->timelines, g_ptr_array_unref);
  g_hash_table_remove_all (round->processed);

  push_next (task);
}

/* Push: the outbox, oldest first per incident. */

static void send_action      (GTask *task);

static void
action_finished (GTask *task)
{
  Round *round = task_round (task);

  g_clear_object (&round->action);
  round->due_index++;
  push_next (task);
}

/* Decides what a failed send means for the action and the round. */
static void
action_error (GTask  *task,
              GError *error)
{
  Round *round = task_round (task);
  PieperOutbox *outbox = round->engine->outbox;
  gint64 id = pieper_action_get_id (round->action);
  g_autoptr(GError) store_error = NULL;
  gboolean ok = TRUE;
  gboolean stop = FALSE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The outcome is unknown; the next round reads back before resending. */
      pieper_outbox_retry_later (outbox, id, 0, error->message, NULL);
      g_task_return_error (task, g_error_copy (error));
      g_object_unref (task);
      return;
    }

  if (error->domain == PIEPER_PROVIDER_ERROR)
    {
      switch ((PieperProviderError) error->code)
        {
        case PIEPER_PROVIDER_ERROR_NOT_FOUND:
          ok = pieper_outbox_mark_failed (outbox, id, error->message, &store_error);
          round->stats.failed++;
          break;

        case PIEPER_PROVIDER_ERROR_CONFLICT:
          ok = pieper_outbox_mark_conflict (outbox, id, error->message, &store_error);
          round->stats.conflicts++;
          break;

        case PIEPER_PROVIDER_ERROR_PERMANENT:
        case PIEPER_PROVIDER_ERROR_UNSUPPORTED:
          ok = pieper_outbox_mark_failed (outbox, id, error->message, &store_error);
          round->stats.failed++;
          break;

        case PIEPER_PROVIDER_ERROR_RATE_LIMITED:
          {
            guint wait = MAX (1, pieper_provider_get_retry_after (round->current->provider));

            round->engine->retry_after = wait;
            ok = pieper_outbox_retry_later (outbox, id, now_seconds () + wait, error->message, &store_error);
            stop = TRUE;
          }
          break;

        case PIEPER_PROVIDER_ERROR_AUTH:
          ok = pieper_outbox_retry_later (outbox, id, now_seconds () + AUTH_RETRY, error->message, &store_error);
          stop = TRUE;
          break;

        case PIEPER_PROVIDER_ERROR_TRANSIENT:
        default:
          ok = pieper_outbox_retry_later (outbox, id,
                                          now_seconds () + backoff_seconds (pieper_action_get_attempts (round->action)),
                                          error->message, &store_error);
          stop = TRUE;
          break;
        }
    }
  else
    {
      ok = pieper_outbox_retry_later (outbox, id,
                                      now_seconds () + backoff_seconds (pieper_action_get_attempts (round->action)),
                                      error->message, &store_error);
      stop = TRUE;
    }

  if (!ok)
    {
      store_failed (task, &store_error);
      return;
    }

  if (stop)
    {
      /* The server cannot take more now; what is left waits for its time. */
      account_failed (task, classify (error), error);
      g_clear_object (&round->action);
      next_account (task);
      return;
    }

  action_finished (task);
}

static void
mark_done (GTask               *task,
           PieperIncident      *confirmed,
           PieperTimelineEntry *note)
{
  Round *round = task_round (task);
  g_autoptr(GError) error = NULL;

  if (!pieper_outbox_mark_done (round->engine->outbox, pieper_action_get_id (round->action),
                                confirmed, note, &error))
    {
      store_failed (task, &error);
      return;
    }

  round->stats.sent++;
  action_finished (task);
}

static void
conflict (GTask      *task,
          const char *reason)
{
  Round *round = task_round (task);
  g_autoptr(GError) error = NULL;

  if (!pieper_outbox_mark_conflict (round->engine->outbox, pieper_action_get_id (round->action),
                                    reason, &error))
    {
      store_failed (task, &error);
      return;
    }

  round->stats.conflicts++;
  action_finished (task);
}

static void
update_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  Round *round = task_round (task);

  incident = pieper_provider_update_finish (PIEPER_PROVIDER (object), result, &error);
  if (incident == NULL)
    {
      /* Resolving what is resolved already is what the responder wanted. */
      if (pieper_action_get_op (round->action) == PIEPER_OP_RESOLVE &&
          g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_CONFLICT))
        {
          mark_done (g_steal_pointer (&task), NULL, NULL);
          return;
        }

      action_error (g_steal_pointer (&task), error);
      return;
    }

  mark_done (g_steal_pointer (&task), incident, NULL);
}

static void
add_note_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PieperTimelineEntry) note = NULL;
  g_autoptr(GError) error = NULL;

  note = pieper_provider_add_note_finish (PIEPER_PROVIDER (object), result, &error);
  if (note == NULL)
    {
      action_error (g_steal_pointer (&task), error);
      return;
    }

  mark_done (g_steal_pointer (&task), NULL, note);
}

static void
send_action (GTask *task)
{
  Round *round = task_round (task);
  PieperProvider *provider = round->current->provider;
  PieperAction *action = round->action;
  const char *incident = pieper_action_get_incident_remote_id (action);
  GCancellable *cancellable = g_task_get_cancellable (task);

  switch (pieper_action_get_op (action))
    {
    case PIEPER_OP_ACKNOWLEDGE:
      pieper_provider_acknowledge_async (provider, incident, cancellable, update_cb, task);
      break;

    case PIEPER_OP_RESOLVE:
      pieper_provider_resolve_async (provider, incident, cancellable, update_cb, task);
      break;

    case PIEPER_OP_ESCALATE:
      pieper_provider_escalate_async (provider, incident, round->level,
                                      cancellable, update_cb, task);
      break;

    case PIEPER_OP_REASSIGN:
      pieper_provider_reassign_async (provider, incident, pieper_action_get_user (action),
                                      cancellable, update_cb, task);
      break;

    case PIEPER_OP_SNOOZE:
      pieper_provider_snooze_async (provider, incident, 60 * pieper_action_get_minutes (action),
                                    cancellable, update_cb, task);
      break;

    case PIEPER_OP_NOTE:
      pieper_provider_add_note_async (provider, incident, pieper_action_get_text (action),
                                      cancellable, add_note_cb, task);
      break;

    default:
      g_assert_not_reached ();
    }
}

static char *
who_resolved (PieperIncident *incident)
{
  const char * const *assignees = pieper_incident_get_assignees (incident);

  if (assignees != NULL && assignees[0] != NULL)
    return g_strjoinv (", ", (GStrv) assignees);

  return NULL;
}

/* The conflict rules, decided on the incident as the server has it now. */
static void
precheck_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PieperIncident) current = NULL;
  g_autoptr(GError) error = NULL;
  Round *round = task_round (task);
  PieperOp op = pieper_action_get_op (round->action);
  PieperStatus status;

  current = pieper_provider_get_incident_finish (PIEPER_PROVIDER (object), result, &error);
  if (current == NULL)
    {
      action_error (g_steal_pointer (&task), error);
      return;
    }

  status = pieper_incident_get_status (current);

  if (status == PIEPER_STATUS_RESOLVED && op != PIEPER_OP_RESOLVE && op != PIEPER_OP_NOTE)
    {
      g_autofree char *by = who_resolved (current);
      g_autofree char *reason = NULL;

      /* Never send a stale acknowledge: PagerDuty would reopen the
       * incident. The same holds for escalating or reassigning. */
      if (by != NULL)
        reason = g_strdup_printf ("Not sent: the incident was resolved on the server (%s) before your %s arrived",
                                  by, pieper_op_to_string (op));
      else
        reason = g_strdup_printf ("Not sent: the incident was resolved on the server before your %s arrived",
                                  pieper_op_to_string (op));

      conflict (g_steal_pointer (&task), reason);
      return;
    }

  if (op == PIEPER_OP_ACKNOWLEDGE && status == PIEPER_STATUS_ACKNOWLEDGED)
    {
      /* Acknowledged already (by someone else, or by our own earlier try). */
      mark_done (g_steal_pointer (&task), current, NULL);
      return;
    }

  if (op == PIEPER_OP_SNOOZE && status == PIEPER_STATUS_TRIGGERED)
    {
      conflict (g_steal_pointer (&task),
                "Not sent: the incident is no longer acknowledged on the server, so it cannot be snoozed");
      return;
    }

  if (op == PIEPER_OP_ESCALATE)
    {
      int level = pieper_incident_get_escalation_level (current);

      round->level = pieper_action_get_level (round->action);

      if (round->maybe_sent && level == round->level)
        {
          /* Our earlier try arrived. */
          mark_done (g_steal_pointer (&task), current, NULL);
          return;
        }

      /* "The next level" was decided when the responder asked. If the
       * server escalated by itself since, the next level is higher now:
       * never send an escalation that would de-escalate. */
      if (pieper_action_get_next (round->action) && level >= round->level)
        round->level = level + 1;
    }

  send_action (g_steal_pointer (&task));
}

static gboolean
same_words (const char *a,
            const char *b)
{
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;

  ta = g_strstrip (g_strdup (a));
  tb = g_strstrip (g_strdup (b));

  return g_strcmp0 (ta, tb) == 0;
}

/* Exactly once for notes, which have no idempotency key on the server:
 * after an attempt whose outcome is unknown, look for the note first. */
static void
readback_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;
  Round *round = task_round (task);
  PieperAction *action = round->action;
  gint64 not_before = pieper_action_get_created_at (action) - NOTE_READBACK_SLACK;

  timeline = pieper_provider_list_timeline_finish (PIEPER_PROVIDER (object), result, &error);
  if (timeline == NULL)
    {
      action_error (g_steal_pointer (&task), error);
      return;
    }

  for (guint i = 0; i < timeline->len; i++)
    {
      PieperTimelineEntry *entry = g_ptr_array_index (timeline, i);
      const char *remote_id = pieper_timeline_entry_get_remote_id (entry);

      if (pieper_timeline_entry_get_kind (entry) != PIEPER_TIMELINE_NOTE ||
          remote_id == NULL ||
          pieper_timeline_entry_get_at (entry) < not_before ||
          !same_words (pieper_timeline_entry_get_body (entry), pieper_action_get_text (action)) ||
          _pieper_store_note_claimed (round->engine->store, pieper_action_get_incident_id (action),
                                      remote_id, pieper_action_get_id (action)))
        continue;

      g_debug ("Note of action %" G_GINT64_FORMAT " found on the server as %s; not sending it again",
               pieper_action_get_id (action), remote_id);
      mark_done (g_steal_pointer (&task), NULL, entry);
      return;
    }

  send_action (g_steal_pointer (&task));
}

static void
process_action (GTask *task)
{
  Round *round = task_round (task);
  PieperAction *action = round->action;
  PieperProvider *provider = round->current->provider;
  const char *incident = pieper_action_get_incident_remote_id (action);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  round->maybe_sent = pieper_action_get_attempts (action) > 0;

  if (!pieper_outbox_mark_inflight (round->engine->outbox, pieper_action_get_id (action), &error))
    {
      /* Another sync (the app, or another pieperctl) is sending it. */
      if (g_error_matches (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_BUSY) ||
          g_error_matches (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID))
        {
          action_finished (task);
          return;
        }

      store_failed (task, &error);
      return;
    }

  switch (pieper_action_get_op (action))
    {
    case PIEPER_OP_NOTE:
      if (round->maybe_sent)
        pieper_provider_list_timeline_async (provider, incident, cancellable, readback_cb, task);
      else
        send_action (task);
      break;

    case PIEPER_OP_RESOLVE:
      send_action (task);
      break;

    case PIEPER_OP_ACKNOWLEDGE:
    case PIEPER_OP_ESCALATE:
    case PIEPER_OP_REASSIGN:
    case PIEPER_OP_SNOOZE:
    default:
      pieper_provider_get_incident_async (provider, incident, cancellable, precheck_cb, task);
      break;
    }
}

static void
push_next (GTask *task)
{
  Round *round = task_round (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  /* Take the next batch once this one is through: an action sent now may
   * make the next one of its incident due. */
  if (round->due == NULL || round->due_index >= round->due->len)
    {
      g_autoptr(GError) error = NULL;
      GPtrArray *due;

      g_clear_pointer (&round->due, g_ptr_array_unref);
      due = pieper_outbox_next_due (round->engine->outbox,
                                    pieper_account_get_id (round->current->account),
                                    now_seconds (), &error);
      if (due == NULL)
        {
          store_failed (task, &error);
          return;
        }

      /* Each action is tried at most once a round. */
      for (guint i = due->len; i > 0; i--)
        {
          gint64 id = pieper_action_get_id (g_ptr_array_index (due, i - 1));

          if (g_hash_table_contains (round->processed, &id))
            g_ptr_array_remove_index (due, i - 1);
        }

      if (due->len == 0)
        {
          g_ptr_array_unref (due);
          pull_start (task);
          return;
        }

      round->due = due;
      round->due_index = 0;
    }

  round->action = g_object_ref (g_ptr_array_index (round->due, round->due_index));
  {
    gint64 id = pieper_action_get_id (round->action);

    g_hash_table_add (round->processed, g_memdup2 (&id, sizeof id));
  }

  process_action (task);
}

/* Pull */

static void
pull_start (GTask *task)
{
  Round *round = task_round (task);

  round->open_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  round->to_fetch = g_ptr_array_new_with_free_func (g_free);
  round->fetch_index = 0;
  round->timelines = g_ptr_array_new_with_free_func (g_free);
  round->timeline_index = 0;

  pull_page (task, NULL);
}

/* Writes server incidents and notices which of them now page. */
static gboolean
apply_incidents (GTask      *task,
                 GPtrArray  *incidents,
                 GError    **error)
{
  Round *round = task_round (task);
  gint64 account_id = pieper_account_get_id (round->current->account);
  g_autoptr(GPtrArray) paged = g_ptr_array_new ();

  for (guint i = 0; i < incidents->len; i++)
    {
      PieperIncident *incident = g_ptr_array_index (incidents, i);
      int before = _pieper_store_get_snapshot_status (round->engine->store, account_id,
                                                      pieper_incident_get_remote_id (incident));

      if (pieper_incident_get_status (incident) == PIEPER_STATUS_TRIGGERED &&
          before != PIEPER_STATUS_TRIGGERED)
        g_ptr_array_add (paged, incident);
    }

  if (!pieper_store_apply_snapshot (round->engine->store, account_id, incidents, error))
    return FALSE;

  round->stats.pulled += incidents->len;

  for (guint i = 0; i < paged->len; i++)
    {
      PieperIncident *incident = g_ptr_array_index (paged, i);
      g_autoptr(PieperIncident) stored = NULL;

      stored = pieper_store_lookup_incident (round->engine->store, account_id,
                                             pieper_incident_get_remote_id (incident), NULL);
      if (stored != NULL)
        g_signal_emit (round->engine, signals[INCIDENT_PAGED], 0, stored);
    }

  return TRUE;
}

static void
list_incidents_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_cursor = NULL;
  Round *round = task_round (task);

  incidents = pieper_provider_list_incidents_finish (PIEPER_PROVIDER (object), result, &next_cursor, &error);
  if (incidents == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
          return;
        }

      account_failed (task, classify (error), error);
      next_account (g_steal_pointer (&task));
      return;
    }

  for (guint i = 0; i < incidents->len; i++)
    g_hash_table_add (round->open_ids,
                      g_strdup (pieper_incident_get_remote_id (g_ptr_array_index (incidents, i))));

  if (!apply_incidents (task, incidents, &error))
    {
      store_failed (g_steal_pointer (&task), &error);
      return;
    }

  if (next_cursor != NULL)
    pull_page (g_steal_pointer (&task), next_cursor);
  else
    {
      g_autofree char *since = pieper_store_get_sync_state (round->engine->store,
                                                            pieper_account_get_id (round->current->account),
                                                            "changes-since");

      if (since != NULL)
        changes_page (g_steal_pointer (&task), NULL);
      else
        fetch_next (g_steal_pointer (&task));
    }
}

static void
pull_page (GTask      *task,
           const char *cursor)
{
  Round *round = task_round (task);

  pieper_provider_list_incidents_async (round->current->provider, cursor,
                                        g_task_get_cancellable (task),
                                        list_incidents_cb, task);
}

static void
list_changes_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_auto(GStrv) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_cursor = NULL;
  Round *round = task_round (task);

  ids = pieper_provider_list_changes_finish (PIEPER_PROVIDER (object), result, &next_cursor, &error);
  if (ids == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
          return;
        }

      account_failed (task, classify (error), error);
      next_account (g_steal_pointer (&task));
      return;
    }

  /* Changed and no longer open: resolved, most likely. */
  for (guint i = 0; ids[i] != NULL; i++)
    {
      if (!g_hash_table_contains (round->open_ids, ids[i]))
        {
          g_hash_table_add (round->open_ids, g_strdup (ids[i]));
          g_ptr_array_add (round->to_fetch, g_strdup (ids[i]));
        }
    }

  if (next_cursor != NULL)
    changes_page (g_steal_pointer (&task), next_cursor);
  else
    fetch_next (g_steal_pointer (&task));
}

static void
changes_page (GTask      *task,
              const char *cursor)
{
  Round *round = task_round (task);
  g_autofree char *since = NULL;
  gint64 since_seconds = 0;

  since = pieper_store_get_sync_state (round->engine->store,
                                       pieper_account_get_id (round->current->account),
                                       "changes-since");
  if (since != NULL)
    since_seconds = g_ascii_strtoll (since, NULL, 10);

  pieper_provider_list_changes_async (round->current->provider, since_seconds, cursor,
                                      g_task_get_cancellable (task),
                                      list_changes_cb, task);
}

static void
get_incident_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  Round *round = task_round (task);

  incident = pieper_provider_get_incident_finish (PIEPER_PROVIDER (object), result, &error);
  if (incident == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
          return;
        }

      if (is_unreachable (error))
        {
          account_failed (task, classify (error), error);
          next_account (g_steal_pointer (&task));
          return;
        }

      /* Gone from the server: keep what we have. */
      g_debug ("Could not refresh an incident: %s", error->message);
    }
  else
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      g_ptr_array_add (one, incident);
      if (!apply_incidents (task, one, &error))
        {
          store_failed (g_steal_pointer (&task), &error);
          return;
        }
    }

  round->fetch_index++;
  fetch_next (g_steal_pointer (&task));
}

static void
fetch_next (GTask *task)
{
  Round *round = task_round (task);
  gint64 account_id = pieper_account_get_id (round->current->account);

  /* Once: incidents open here that the server did not list as open. */
  if (round->fetch_index == 0)
    {
      g_autoptr(GPtrArray) open_here = NULL;
      g_autoptr(GError) error = NULL;
      guint added = 0;

      if (!(open_here = _pieper_store_list_open_remote_ids (round->engine->store, account_id, &error)))
        {
          store_failed (task, &error);
          return;
        }

      for (guint i = 0; i < open_here->len && added < MAX_VANISHED_PER_ROUND; i++)
        {
          const char *id = g_ptr_array_index (open_here, i);

          if (!g_hash_table_contains (round->open_ids, id))
            {
              g_hash_table_add (round->open_ids, g_strdup (id));
              g_ptr_array_add (round->to_fetch, g_strdup (id));
              added++;
            }
        }
    }

  if (round->fetch_index < round->to_fetch->len)
    {
      pieper_provider_get_incident_async (round->current->provider,
                                          g_ptr_array_index (round->to_fetch, round->fetch_index),
                                          g_task_get_cancellable (task),
                                          get_incident_cb, task);
      return;
    }

  /* The watched incidents of this account get their timelines. */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, round->engine->watched);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        g_autoptr(PieperIncident) incident = pieper_store_get_snapshot (round->engine->store, *(gint64 *) key, NULL);

        if (incident != NULL && pieper_incident_get_account_id (incident) == account_id)
          g_ptr_array_add (round->timelines, g_memdup2 (key, sizeof (gint64)));
      }
  }

  timeline_next (task);
}

static void
list_timeline_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  Round *round = task_round (task);
  gint64 incident_id = *(gint64 *) g_ptr_array_index (round->timelines, round->timeline_index);

  entries = pieper_provider_list_timeline_finish (PIEPER_PROVIDER (object), result, &error);
  if (entries == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
          return;
        }

      if (is_unreachable (error))
        {
          account_failed (task, classify (error), error);
          next_account (g_steal_pointer (&task));
          return;
        }
    }
  else if (!pieper_store_apply_timeline (round->engine->store, incident_id, entries, &error))
    {
      store_failed (g_steal_pointer (&task), &error);
      return;
    }

  round->timeline_index++;
  timeline_next (g_steal_pointer (&task));
}

static void
timeline_next (GTask *task)
{
  Round *round = task_round (task);

  if (round->timeline_index < round->timelines->len)
    {
      g_autoptr(PieperIncident) incident = NULL;
      gint64 id = *(gint64 *) g_ptr_array_index (round->timelines, round->timeline_index);

      incident = pieper_store_get_snapshot (round->engine->store, id, NULL);
      if (incident == NULL)
        {
          round->timeline_index++;
          timeline_next (task);
          return;
        }

      pieper_provider_list_timeline_async (round->current->provider,
                                           pieper_incident_get_remote_id (incident),
                                           g_task_get_cancellable (task),
                                           list_timeline_cb, task);
      return;
    }

  /* The account is in sync up to the start of this round. */
  {
    g_autofree char *since = g_strdup_printf ("%" G_GINT64_FORMAT, round->started_at - CHANGES_OVERLAP);
    g_autoptr(GError) error = NULL;

    if (!pieper_store_set_sync_state (round->engine->store,
                                      pieper_account_get_id (round->current->account),
                                      "changes-since", since, &error))
      {
        store_failed (task, &error);
        return;
      }
  }

  next_account (task);
}

void
pieper_sync_engine_sync_async (PieperSyncEngine    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Round *round;

  g_return_if_fail (PIEPER_IS_SYNC_ENGINE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_sync_engine_sync_async);

  round = g_new0 (Round, 1);
  round->engine = g_object_ref (self);
  round->started_at = now_seconds ();
  round->processed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  round->accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) account_entry_free);
  for (guint i = 0; i < self->accounts->len; i++)
    g_ptr_array_add (round->accounts, account_entry_ref_copy (g_ptr_array_index (self->accounts, i)));
  g_task_set_task_data (task, round, (GDestroyNotify) round_free);

  self->round_active = TRUE;
  set_state (self, PIEPER_SYNC_STATE_SYNCING);

  next_account (g_steal_pointer (&task));
}

gboolean
pieper_sync_engine_sync_finish (PieperSyncEngine  *self,
                                GAsyncResult      *result,
                                PieperSyncStats   *stats,
                                GError           **error)
{
  Round *round;
  gboolean ok;

  g_return_val_if_fail (PIEPER_IS_SYNC_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  round = task_round (G_TASK (result));
  if (stats != NULL)
    *stats = round->stats;

  ok = g_task_propagate_boolean (G_TASK (result), error);

  self->round_active = FALSE;
  switch (round->worst)
    {
    case OUTCOME_AUTH:
      set_state (self, PIEPER_SYNC_STATE_AUTH_FAILED);
      break;

    case OUTCOME_OFFLINE:
    case OUTCOME_RATE_LIMITED:
      set_state (self, PIEPER_SYNC_STATE_OFFLINE);
      break;

    case OUTCOME_OK:
    default:
      set_state (self, PIEPER_SYNC_STATE_IDLE);
      break;
    }

  g_signal_emit (self, signals[SYNCED], 0);

  return ok;
}

/* Continuous sync */

static void
round_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  PieperSyncEngine *self = PIEPER_SYNC_ENGINE (object);
  g_autoptr(GError) error = NULL;
  Round *round = task_round (G_TASK (result));
  Outcome worst = round->worst;

  self->retry_after = 0;
  if (!pieper_sync_engine_sync_finish (self, result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_free (self->last_error);
      self->last_error = g_strdup (error->message);
      self->failures++;
      /* Offline is a state, not an error: say it quietly. */
      g_debug ("Sync round failed (%s): %s",
               worst == OUTCOME_OFFLINE ? "offline" : "error", error->message);
    }
  else
    {
      g_clear_pointer (&self->last_error, g_free);
      self->failures = 0;
    }

  if (self->running)
    schedule_next (self);

  g_object_unref (self);
}

static void
run_round (PieperSyncEngine *self)
{
  if (self->round_active)
    {
      self->again = TRUE;
      return;
    }

  self->again = FALSE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  pieper_sync_engine_sync_async (self, self->cancellable, round_done_cb, g_object_ref (self));
}

static gboolean
timeout_cb (gpointer user_data)
{
  PieperSyncEngine *self = user_data;

  self->timeout_id = 0;
  run_round (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_next (PieperSyncEngine *self)
{
  guint delay = self->poll_interval;

  g_clear_handle_id (&self->timeout_id, g_source_remove);

  if (self->again)
    delay = 0;
  else if (self->failures > 0)
    delay = MAX (backoff_seconds (self->failures - 1), self->retry_after);
  else
    {
      /* An action waiting for its retry may be due before the next poll. */
      for (guint i = 0; i < self->accounts->len; i++)
        {
          AccountEntry *entry = g_ptr_array_index (self->accounts, i);
          gint64 wakeup = pieper_outbox_next_wakeup (self->outbox, pieper_account_get_id (entry->account));

          if (wakeup > 0)
            delay = MIN (delay, (guint) CLAMP (wakeup - now_seconds (), 0, G_MAXINT));
        }
    }

  self->timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, delay, timeout_cb, self, NULL);
}

void
pieper_sync_engine_sync_now (PieperSyncEngine *self)
{
  g_return_if_fail (PIEPER_IS_SYNC_ENGINE (self));

  /* Whatever the backoff said: the world changed. */
  self->failures = 0;
  pieper_outbox_retry_all_now (self->outbox, 0, NULL);
  run_round (self);
}

static void
network_changed_cb (GNetworkMonitor  *monitor,
                    gboolean          available,
                    PieperSyncEngine *self)
{
  if (available && self->state == PIEPER_SYNC_STATE_OFFLINE)
    {
      g_debug ("The network is back; syncing now");
      pieper_sync_engine_sync_now (self);
    }
}

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender_name,
                      const char      *object_path,
                      const char      *interface_name,
                      const char      *signal_name,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  PieperSyncEngine *self = user_data;
  gboolean going_to_sleep = TRUE;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &going_to_sleep);
  if (!going_to_sleep)
    {
      g_debug ("Resumed from suspend; syncing now");
      pieper_sync_engine_sync_now (self);
    }
}

static void
system_bus_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PieperSyncEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus;

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      g_debug ("No system bus, so no resume notices: %s", error->message);
      return;
    }

  if (!self->running)
    {
      g_object_unref (bus);
      return;
    }

  self->system_bus = bus;
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1",
                                        "org.freedesktop.login1.Manager", "PrepareForSleep",
                                        "/org/freedesktop/login1", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        prepare_for_sleep_cb, self, NULL);
}

void
pieper_sync_engine_start (PieperSyncEngine *self)
{
  g_return_if_fail (PIEPER_IS_SYNC_ENGINE (self));

  if (self->running)
    return;

  self->running = TRUE;

  self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_changed_id = g_signal_connect (self->network_monitor, "network-changed",
                                               G_CALLBACK (network_changed_cb), self);
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, system_bus_cb, g_object_ref (self));

  run_round (self);
}

void
pieper_sync_engine_stop (PieperSyncEngine *self)
{
  g_return_if_fail (PIEPER_IS_SYNC_ENGINE (self));

  if (!self->running)
    return;

  self->running = FALSE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_signal_handler (&self->network_changed_id, self->network_monitor);
  g_clear_object (&self->network_monitor);
  if (self->system_bus != NULL && self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);
}
