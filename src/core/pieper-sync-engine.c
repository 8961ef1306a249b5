/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperSync"

#include "config.h"

#include <string.h>

#include "pieper-outbox.h"
#include "pieper-store-private.h"
#include "pieper-sync-engine-private.h"

#define DEFAULT_POLL_INTERVAL 30
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
  g_clear_pointer (&entry->seen_changes, g_hash_table_unref);
  g_free (entry);
}

static AccountEntry *
account_entry_ref_copy (AccountEntry *entry)
{
  AccountEntry *copy = g_new0 (AccountEntry, 1);

  copy->account = g_object_ref (entry->account);
  copy->provider = g_object_ref (entry->provider);
  copy->seen_changes = g_hash_table_ref (entry->seen_changes);

  return copy;
}

static void
pieper_sync_engine_dispose (GObject *object)
{
  PieperSyncEngine *self = (PieperSyncEngine *) object;

  pieper_sync_engine_stop (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->network_monitor_override);
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
                      PIEPER_SYNC_STATE_IDLE, PIEPER_SYNC_STATE_ERROR,
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
  self->reconcile = TRUE;
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
  entry->seen_changes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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

static void
round_free (Round *round)
{
  g_clear_pointer (&round->accounts, g_ptr_array_unref);
  g_clear_pointer (&round->due, g_ptr_array_unref);
  g_clear_pointer (&round->processed, g_hash_table_unref);
  g_assert (round->settle_source == 0 && (round->settling == NULL || round->settling->len == 0));
  g_clear_pointer (&round->settling, g_ptr_array_unref);
  g_clear_error (&round->push_error);
  g_clear_error (&round->pull_error);
  g_clear_pointer (&round->open_ids, g_hash_table_unref);
  g_clear_pointer (&round->changes, g_hash_table_unref);
  g_clear_pointer (&round->unfetched, g_hash_table_unref);
  g_clear_pointer (&round->named, g_hash_table_unref);
  g_clear_pointer (&round->to_fetch, g_ptr_array_unref);
  g_clear_pointer (&round->timelines, g_ptr_array_unref);
  g_clear_error (&round->first_error);
  g_clear_object (&round->engine);
  g_free (round);
}

Round *
_pieper_sync_round (GTask *task)
{
  return g_task_get_task_data (task);
}

gint64
_pieper_sync_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

guint
_pieper_sync_backoff (guint failures)
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
void
_pieper_sync_account_failed (GTask   *task,
                             Outcome  outcome,
                             GError  *error)
{
  Round *round = _pieper_sync_round (task);

  round->worst = MAX (round->worst, outcome);
  if (round->first_error == NULL)
    round->first_error = g_error_new (error->domain, error->code, "%s: %s",
                                      account_name (round->current), error->message);
}

Outcome
_pieper_sync_classify (GError *error)
{
  if (g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_RATE_LIMITED))
    return OUTCOME_RATE_LIMITED;
  if (g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH))
    return OUTCOME_AUTH;
  return OUTCOME_OFFLINE;
}

gboolean
_pieper_sync_is_unreachable (GError *error)
{
  return error->domain != PIEPER_PROVIDER_ERROR ||
         error->code == PIEPER_PROVIDER_ERROR_TRANSIENT ||
         error->code == PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME ||
         error->code == PIEPER_PROVIDER_ERROR_RATE_LIMITED ||
         error->code == PIEPER_PROVIDER_ERROR_AUTH;
}

/* Store errors end the whole round: the disk is the one thing we cannot
 * work around. */
void
_pieper_sync_store_failed (GTask   *task,
                           GError **error)
{
  g_task_return_error (task, g_steal_pointer (error));
  g_object_unref (task);
}

static void
round_finish (GTask *task)
{
  Round *round = _pieper_sync_round (task);

  round->stats.unsent = pieper_outbox_count_unsent (round->engine->outbox, 0);

  if (round->first_error != NULL)
    g_task_return_error (task, g_steal_pointer (&round->first_error));
  else
    g_task_return_boolean (task, TRUE);

  g_object_unref (task);
}

void
_pieper_sync_next_account (GTask *task)
{
  Round *round = _pieper_sync_round (task);

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
  g_clear_pointer (&round->changes, g_hash_table_unref);
  g_clear_pointer (&round->unfetched, g_hash_table_unref);
  g_clear_pointer (&round->named, g_hash_table_unref);
  g_clear_pointer (&round->to_fetch, g_ptr_array_unref);
  g_clear_pointer (&round->timelines, g_ptr_array_unref);
  g_hash_table_remove_all (round->processed);
  round->push_stopped = FALSE;

  _pieper_sync_push_next (task);
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
  round->started_at = _pieper_sync_now ();
  round->reconcile = self->reconcile;
  self->reconcile = FALSE;
  round->processed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  round->accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) account_entry_free);
  for (guint i = 0; i < self->accounts->len; i++)
    g_ptr_array_add (round->accounts, account_entry_ref_copy (g_ptr_array_index (self->accounts, i)));
  g_task_set_task_data (task, round, (GDestroyNotify) round_free);

  self->round_active = TRUE;
  set_state (self, PIEPER_SYNC_STATE_SYNCING);

  _pieper_sync_next_account (g_steal_pointer (&task));
}

gboolean
pieper_sync_engine_sync_finish (PieperSyncEngine  *self,
                                GAsyncResult      *result,
                                PieperSyncStats   *stats,
                                GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  Round *round;
  gboolean ok, cancelled;

  g_return_val_if_fail (PIEPER_IS_SYNC_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  round = _pieper_sync_round (G_TASK (result));
  if (stats != NULL)
    *stats = round->stats;

  ok = g_task_propagate_boolean (G_TASK (result), &local_error);
  cancelled = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The reason first: whoever hears the state change reads it. */
  if (ok)
    g_clear_pointer (&self->last_error, g_free);
  else if (!cancelled)
    {
      g_free (self->last_error);
      self->last_error = g_strdup (local_error->message);
    }

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
      /* No account failed, yet the round did: the store could not be
       * written (a full disk, say). */
      set_state (self, ok || cancelled ? PIEPER_SYNC_STATE_IDLE : PIEPER_SYNC_STATE_ERROR);
      break;
    }

  g_signal_emit (self, signals[SYNCED], 0);

  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return ok;
}

/* Continuous sync */

static void
round_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PieperSyncEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  Round *round = _pieper_sync_round (G_TASK (result));
  Outcome worst = round->worst;

  self->retry_after = 0;
  if (!pieper_sync_engine_sync_finish (self, result, NULL, &error))
    {
      /* Stopped; if started again meanwhile, the new start goes on below. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->reconcile |= round->reconcile;
          if (self->running)
            schedule_next (self);
          return;
        }

      self->failures++;
      /* What this round could not see, the next one pulls in full. */
      self->reconcile = TRUE;
      /* Offline is a state, not an error: say it quietly. */
      g_debug ("Sync round failed (%s): %s",
               worst == OUTCOME_OFFLINE ? "offline" : "error", error->message);
    }
  else
    self->failures = 0;

  if (self->running)
    schedule_next (self);
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
    delay = MAX (_pieper_sync_backoff (self->failures - 1), self->retry_after);
  else
    {
      /* An action waiting for its retry may be due before the next poll. */
      for (guint i = 0; i < self->accounts->len; i++)
        {
          AccountEntry *entry = g_ptr_array_index (self->accounts, i);
          gint64 wakeup = pieper_outbox_next_wakeup (self->outbox, pieper_account_get_id (entry->account));

          if (wakeup > 0)
            delay = MIN (delay, (guint) CLAMP (wakeup - _pieper_sync_now (), 0, G_MAXINT));
        }
    }

  self->timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, delay, timeout_cb, self, NULL);
}

void
pieper_sync_engine_sync_now (PieperSyncEngine *self)
{
  g_return_if_fail (PIEPER_IS_SYNC_ENGINE (self));

  /* Whatever the backoff said: the world changed, and the change feed
   * may not say how. */
  self->failures = 0;
  self->reconcile = TRUE;
  pieper_outbox_retry_all_now (self->outbox, 0, NULL);
  run_round (self);
}

void
pieper_sync_engine_send_queued (PieperSyncEngine *self)
{
  g_return_if_fail (PIEPER_IS_SYNC_ENGINE (self));

  /* Not sync_now(): a tap must not make every backed-off action go again
   * (a note whose outcome is unknown waits before it is read back), nor
   * pull ten thousand incidents in full. */
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

  self->network_monitor = g_object_ref (self->network_monitor_override != NULL
                                         ? self->network_monitor_override
                                         : g_network_monitor_get_default ());
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

  /* A round under way ends now; its action goes back to the outbox, and
   * the next start begins afresh. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_clear_signal_handler (&self->network_changed_id, self->network_monitor);
  g_clear_object (&self->network_monitor);
  if (self->system_bus != NULL && self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);
}

void
_pieper_sync_emit_paged (PieperSyncEngine *self,
                         PieperIncident   *incident)
{
  g_signal_emit (self, signals[INCIDENT_PAGED], 0, incident);
}

/* Whether anyone listens to ::incident-paged: if not, the pull need not
 * find out which incidents page, nor read them back from the store. */
gboolean
_pieper_sync_wants_paged (PieperSyncEngine *self)
{
  return g_signal_has_handler_pending (self, signals[INCIDENT_PAGED], 0, TRUE);
}

void
_pieper_sync_engine_set_network_monitor (PieperSyncEngine *self,
                                         GNetworkMonitor  *monitor)
{
  g_return_if_fail (!self->running);

  g_set_object (&self->network_monitor_override, monitor);
}
