/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperSync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "pieper-sync-engine-private.h"

/*
 * Push: the outbox, oldest first per incident.
 *
 * A batch holds the oldest unsent action of each incident, so the actions
 * of one batch belong to different incidents and may be sent at the same
 * time: up to MAX_SENDS_IN_FLIGHT of them. Each send claims its action
 * (inflight, with this process as the sender) before anything goes out,
 * exactly as one send at a time did.
 *
 * When an action is done, the transaction that says so also claims the
 * action to send next in its place: the same incident's next one, if it is
 * now the incident's oldest unsent and due, else the batch's next one. So
 * an incident's next action never leaves before the one queued before it
 * is settled and committed. The actions confirmed while others were being
 * read are settled together, in one transaction, once the responses in
 * have been read: a flush costs a commit per few actions, not two per
 * action. Any other outcome is committed at once and ends that line of
 * sends; the next batch, taken only when every send has ended, picks up
 * what is left.
 *
 * The push phase ends when nothing is left to send or a send stopped the
 * account (offline, rate limited, refused token, a store error, cancelled);
 * it waits for the sends still in flight before it goes on.
 */

/* Below the network's priority, so that the responses in are all read
 * before their outcomes are committed, together. */
#define SETTLE_PRIORITY (G_PRIORITY_DEFAULT + 10)

typedef struct
{
  GTask               *task;          /* the round */
  PieperAction        *action;
  gboolean             maybe_sent;    /* an earlier attempt may have arrived */
  int                  level;         /* escalate: the level to send */
  PieperIncident      *confirmed;     /* done: the incident as the server has it */
  PieperTimelineEntry *note;          /* done: the note as delivered */
} Send;

static void send_action (Send *send);
static void pump        (GTask *task);
static void begin_send  (GTask        *task,
                         PieperAction *action);

static void
send_free (Send *send)
{
  g_clear_object (&send->confirmed);
  g_clear_object (&send->note);
  g_clear_object (&send->action);
  g_clear_object (&send->task);
  g_free (send);
}

static Round *
send_round (Send *send)
{
  return _pieper_sync_round (send->task);
}

/* A send is over, whatever came of it: start the next ones. */
static void
action_finished (Send *send)
{
  g_autoptr(GTask) task = g_object_ref (send->task);
  Round *round = _pieper_sync_round (task);

  g_assert (round->n_sending > 0);
  round->n_sending--;
  send_free (send);

  pump (task);
}

/* Stops the account's push: the disk failed. The round ends once the
 * sends in flight are through. */
static void
push_store_failed (Send    *send,
                   GError **error)
{
  Round *round = send_round (send);

  if (round->push_error == NULL)
    round->push_error = g_steal_pointer (error);
  g_clear_error (error);
  round->push_stopped = TRUE;

  action_finished (send);
}

/* Decides what a failed send means for the action and the round. */
static void
action_error (Send   *send,
              GError *error)
{
  Round *round = send_round (send);
  PieperOutbox *outbox = round->engine->outbox;
  gint64 id = pieper_action_get_id (send->action);
  guint attempts = pieper_action_get_attempts (send->action);
  g_autoptr(GError) store_error = NULL;
  gboolean ok = TRUE;
  gboolean stop = FALSE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The outcome is unknown, and the request may still be on its way
       * to the server or being handled there: a read-back now could miss
       * it and send the note twice. So the next try (which reads back
       * first) waits a little, even if a Refresh comes meanwhile. Should
       * this write fail, the action keeps its claim until its lease ends. */
      _pieper_outbox_cut_short (outbox, id, error->message, NULL);
      round->push_stopped = TRUE;
      action_finished (send);
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
            ok = pieper_outbox_retry_later (outbox, id, _pieper_sync_now () + wait, error->message, &store_error);
            stop = TRUE;
          }
          break;

        case PIEPER_PROVIDER_ERROR_AUTH:
          ok = pieper_outbox_retry_later (outbox, id, _pieper_sync_now () + AUTH_RETRY, error->message, &store_error);
          stop = TRUE;
          break;

        case PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME:
          /* As for a send cut short: the write timed out or lost its
           * connection after it left, and the server may still be
           * handling it. It waits, and a Refresh does not hurry it. */
          ok = _pieper_outbox_cut_short (outbox, id, error->message, &store_error);
          stop = TRUE;
          break;

        case PIEPER_PROVIDER_ERROR_TRANSIENT:
        default:
          ok = pieper_outbox_retry_later (outbox, id, _pieper_sync_now () + _pieper_sync_backoff (attempts),
                                          error->message, &store_error);
          stop = TRUE;
          break;
        }
    }
  else
    {
      ok = pieper_outbox_retry_later (outbox, id, _pieper_sync_now () + _pieper_sync_backoff (attempts),
                                      error->message, &store_error);
      stop = TRUE;
    }

  if (!ok)
    {
      push_store_failed (send, &store_error);
      return;
    }

  if (stop && !round->push_stopped)
    {
      /* The server cannot take more now; what is left waits for its time. */
      _pieper_sync_account_failed (send->task, _pieper_sync_classify (error), error);
      round->push_stopped = TRUE;
    }

  action_finished (send);
}

static void
mark_processed (Round        *round,
                PieperAction *action)
{
  gint64 id = pieper_action_get_id (action);

  g_hash_table_add (round->processed, g_memdup2 (&id, sizeof id));
}

/* Whether @id is one of the batch's actions tried as fallbacks by the
 * settle that began at @first. */
static gboolean
is_fallback (Round  *round,
             guint   first,
             gint64  id)
{
  for (guint i = first; round->due != NULL && i < round->due_index; i++)
    if (pieper_action_get_id (g_ptr_array_index (round->due, i)) == id)
      return TRUE;

  return FALSE;
}

/* Settles the actions the server confirmed since the last time, in one
 * transaction that also claims what to send next in their places, and
 * starts sending what it claimed. */
static void
settle (GTask *task)
{
  Round *round = _pieper_sync_round (task);
  PieperOutbox *outbox = round->engine->outbox;
  g_autoptr(GPtrArray) sends = g_steal_pointer (&round->settling);
  g_autofree PieperSettled *settled = NULL;
  g_autoptr(GError) error = NULL;
  guint first_fallback = round->due_index;
  gboolean claim_next;

  if (sends == NULL || sends->len == 0)
    return;

  claim_next = !round->push_stopped && !g_cancellable_is_cancelled (g_task_get_cancellable (task));
  settled = g_new0 (PieperSettled, sends->len);
  for (guint i = 0; i < sends->len; i++)
    {
      Send *send = g_ptr_array_index (sends, i);

      settled[i].action_id = pieper_action_get_id (send->action);
      settled[i].confirmed = send->confirmed;
      settled[i].note = send->note;
    }

  if (!_pieper_outbox_settle_and_claim (outbox, settled, sends->len, claim_next,
                                        claim_next ? round->due : NULL, &round->due_index, &error))
    {
      /* Nothing was written: the actions stay inflight, and the next round
       * checks with the server before it sends any of them again. */
      if (round->push_error == NULL)
        round->push_error = g_steal_pointer (&error);
      round->push_stopped = TRUE;
    }
  else
    {
      /* The batch's actions tried as fallbacks, claimed or not, are not
       * tried again this round. */
      for (guint i = first_fallback; i < round->due_index; i++)
        mark_processed (round, g_ptr_array_index (round->due, i));

      for (guint i = 0; i < sends->len; i++)
        {
          g_autoptr(PieperAction) next = g_steal_pointer (&settled[i].claimed);
          gint64 next_id;

          round->stats.sent++;
          if (next == NULL)
            continue;

          next_id = pieper_action_get_id (next);
          if (g_hash_table_contains (round->processed, &next_id) &&
              !is_fallback (round, first_fallback, next_id))
            {
              /* Tried this round already. That cannot happen while the
               * push goes on (a send that leaves its action unsent stops
               * the push); should it, give the action back for a later
               * round. */
              if (!pieper_outbox_retry_later (outbox, next_id, 0, NULL, &error) &&
                  round->push_error == NULL)
                {
                  round->push_error = g_steal_pointer (&error);
                  round->push_stopped = TRUE;
                }
              g_clear_error (&error);
              continue;
            }

          mark_processed (round, next);
          begin_send (task, next);
        }
    }

  for (guint i = 0; i < sends->len; i++)
    {
      g_assert (round->n_sending > 0);
      round->n_sending--;
      send_free (g_ptr_array_index (sends, i));
    }

  pump (task);
}

static gboolean
settle_cb (gpointer data)
{
  GTask *task = data;

  _pieper_sync_round (task)->settle_source = 0;
  settle (task);

  return G_SOURCE_REMOVE;
}

/* The server confirmed the action. Its outcome is committed together with
 * those of the other sends that end meanwhile: once the responses that are
 * in have been read (a priority just below the network's), in one
 * transaction. The send stays counted as in flight until then. */
static void
mark_done (Send                *send,
           PieperIncident      *confirmed,
           PieperTimelineEntry *note)
{
  Round *round = send_round (send);

  g_set_object (&send->confirmed, confirmed);
  g_set_object (&send->note, note);

  if (round->settling == NULL)
    round->settling = g_ptr_array_new ();
  g_ptr_array_add (round->settling, send);

  if (round->settle_source == 0)
    round->settle_source = g_idle_add_full (SETTLE_PRIORITY, settle_cb,
                                            g_object_ref (send->task), g_object_unref);
}

static void
conflict (Send       *send,
          const char *reason)
{
  Round *round = send_round (send);
  g_autoptr(GError) error = NULL;

  if (!pieper_outbox_mark_conflict (round->engine->outbox, pieper_action_get_id (send->action),
                                    reason, &error))
    {
      push_store_failed (send, &error);
      return;
    }

  round->stats.conflicts++;
  action_finished (send);
}

static void
update_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Send *send = user_data;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  incident = pieper_provider_update_finish (PIEPER_PROVIDER (object), result, &error);
  if (incident == NULL)
    {
      /* Resolving what is resolved already is what the responder wanted. */
      if (pieper_action_get_op (send->action) == PIEPER_OP_RESOLVE &&
          g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_CONFLICT))
        {
          mark_done (send, NULL, NULL);
          return;
        }

      action_error (send, error);
      return;
    }

  mark_done (send, incident, NULL);
}

static void
add_note_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Send *send = user_data;
  g_autoptr(PieperTimelineEntry) note = NULL;
  g_autoptr(GError) error = NULL;

  note = pieper_provider_add_note_finish (PIEPER_PROVIDER (object), result, &error);
  if (note == NULL)
    {
      action_error (send, error);
      return;
    }

  mark_done (send, NULL, note);
}

static void
send_action (Send *send)
{
  Round *round = send_round (send);
  PieperProvider *provider = round->current->provider;
  PieperAction *action = send->action;
  const char *incident = pieper_action_get_incident_remote_id (action);
  GCancellable *cancellable = g_task_get_cancellable (send->task);

  switch (pieper_action_get_op (action))
    {
    case PIEPER_OP_ACKNOWLEDGE:
      pieper_provider_acknowledge_async (provider, incident, cancellable, update_cb, send);
      break;

    case PIEPER_OP_RESOLVE:
      pieper_provider_resolve_async (provider, incident, cancellable, update_cb, send);
      break;

    case PIEPER_OP_ESCALATE:
      pieper_provider_escalate_async (provider, incident, send->level,
                                      cancellable, update_cb, send);
      break;

    case PIEPER_OP_REASSIGN:
      pieper_provider_reassign_async (provider, incident, pieper_action_get_user (action),
                                      cancellable, update_cb, send);
      break;

    case PIEPER_OP_SNOOZE:
      pieper_provider_snooze_async (provider, incident, 60 * pieper_action_get_minutes (action),
                                    cancellable, update_cb, send);
      break;

    case PIEPER_OP_NOTE:
      pieper_provider_add_note_async (provider, incident, pieper_action_get_text (action),
                                      cancellable, add_note_cb, send);
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

/* Whole sentences, so each reads well once translated. */
static char *
resolved_reason (PieperOp    op,
                 const char *by)
{
  switch (op)
    {
    case PIEPER_OP_ACKNOWLEDGE:
      /* TRANSLATORS: %s is who the incident was assigned to, or “someone” */
      return g_strdup_printf (_("Not sent: the incident was resolved on the server (%s) before your acknowledgement arrived"), by);
    case PIEPER_OP_ESCALATE:
      return g_strdup_printf (_("Not sent: the incident was resolved on the server (%s) before your escalation arrived"), by);
    case PIEPER_OP_REASSIGN:
      return g_strdup_printf (_("Not sent: the incident was resolved on the server (%s) before your reassignment arrived"), by);
    case PIEPER_OP_SNOOZE:
      return g_strdup_printf (_("Not sent: the incident was resolved on the server (%s) before your snooze arrived"), by);
    case PIEPER_OP_RESOLVE:
    case PIEPER_OP_NOTE:
    default:
      g_assert_not_reached ();
    }
}

/* The conflict rules, decided on the incident as the server has it now. */
static void
precheck_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Send *send = user_data;
  g_autoptr(PieperIncident) current = NULL;
  g_autoptr(GError) error = NULL;
  PieperOp op = pieper_action_get_op (send->action);
  PieperStatus status;

  current = pieper_provider_get_incident_finish (PIEPER_PROVIDER (object), result, &error);
  if (current == NULL)
    {
      action_error (send, error);
      return;
    }

  status = pieper_incident_get_status (current);

  if (status == PIEPER_STATUS_RESOLVED && op != PIEPER_OP_RESOLVE && op != PIEPER_OP_NOTE)
    {
      g_autofree char *by = who_resolved (current);
      g_autofree char *reason = NULL;

      /* Never send a stale acknowledge: PagerDuty would reopen the
       * incident. The same holds for escalating, reassigning, snoozing. */
      reason = resolved_reason (op, by != NULL ? by : _("someone"));
      conflict (send, reason);
      return;
    }

  if (op == PIEPER_OP_ACKNOWLEDGE && status == PIEPER_STATUS_ACKNOWLEDGED)
    {
      /* Acknowledged already (by someone else, or by our own earlier try). */
      mark_done (send, current, NULL);
      return;
    }

  if (op == PIEPER_OP_SNOOZE && status == PIEPER_STATUS_TRIGGERED)
    {
      conflict (send, _("Not sent: the incident is no longer acknowledged on the server, so it cannot be snoozed"));
      return;
    }

  if (op == PIEPER_OP_ESCALATE)
    {
      int level = pieper_incident_get_escalation_level (current);

      send->level = pieper_action_get_level (send->action);

      if (send->maybe_sent && level == send->level)
        {
          /* Our earlier try arrived. */
          mark_done (send, current, NULL);
          return;
        }

      /* "The next level" was decided when the responder asked. If the
       * server escalated by itself since, the next level is higher now:
       * never send an escalation that would de-escalate. */
      if (pieper_action_get_next (send->action) && level >= send->level)
        send->level = level + 1;
    }

  send_action (send);
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
  Send *send = user_data;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;
  Round *round = send_round (send);
  PieperAction *action = send->action;
  gint64 not_before = pieper_action_get_created_at (action) - NOTE_READBACK_SLACK;

  timeline = pieper_provider_list_timeline_finish (PIEPER_PROVIDER (object), result, &error);
  if (timeline == NULL)
    {
      action_error (send, error);
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
      mark_done (send, NULL, entry);
      return;
    }

  send_action (send);
}

/* Starts sending an action claimed already. @action is as it was before
 * the claim. */
static void
begin_send (GTask        *task,
            PieperAction *action)
{
  Round *round = _pieper_sync_round (task);
  PieperProvider *provider = round->current->provider;
  const char *incident = pieper_action_get_incident_remote_id (action);
  GCancellable *cancellable = g_task_get_cancellable (task);
  Send *send;

  send = g_new0 (Send, 1);
  send->task = g_object_ref (task);
  send->action = g_object_ref (action);
  send->maybe_sent = pieper_action_get_attempts (action) > 0;
  round->n_sending++;

  switch (pieper_action_get_op (action))
    {
    case PIEPER_OP_NOTE:
      if (send->maybe_sent)
        pieper_provider_list_timeline_async (provider, incident, cancellable, readback_cb, send);
      else
        send_action (send);
      break;

    case PIEPER_OP_RESOLVE:
      send_action (send);
      break;

    case PIEPER_OP_ACKNOWLEDGE:
    case PIEPER_OP_ESCALATE:
    case PIEPER_OP_REASSIGN:
    case PIEPER_OP_SNOOZE:
    default:
      pieper_provider_get_incident_async (provider, incident, cancellable, precheck_cb, send);
      break;
    }
}

/* Claims the action and starts sending it. Returns FALSE when it was not
 * started: another sender has it, or the store failed (then the push
 * stops). */
static gboolean
start_send (GTask        *task,
            PieperAction *action)
{
  Round *round = _pieper_sync_round (task);
  g_autoptr(GError) error = NULL;

  if (!pieper_outbox_mark_inflight (round->engine->outbox, pieper_action_get_id (action), &error))
    {
      /* Another sync (the app, or another pieperctl) is sending it. */
      if (g_error_matches (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_BUSY) ||
          g_error_matches (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID))
        return FALSE;

      if (round->push_error == NULL)
        round->push_error = g_steal_pointer (&error);
      round->push_stopped = TRUE;
      return FALSE;
    }

  begin_send (task, action);
  return TRUE;
}

/* Takes the next batch: the oldest due action of each incident, less those
 * tried this round already. Returns FALSE when the store failed. */
static gboolean
take_batch (GTask *task)
{
  Round *round = _pieper_sync_round (task);
  g_autoptr(GError) error = NULL;
  GPtrArray *due;

  g_clear_pointer (&round->due, g_ptr_array_unref);
  round->due_index = 0;

  due = pieper_outbox_next_due (round->engine->outbox,
                                pieper_account_get_id (round->current->account),
                                _pieper_sync_now (), &error);
  if (due == NULL)
    {
      if (round->push_error == NULL)
        round->push_error = g_steal_pointer (&error);
      round->push_stopped = TRUE;
      return FALSE;
    }

  /* Each action is tried at most once a round. */
  for (guint i = due->len; i > 0; i--)
    {
      gint64 id = pieper_action_get_id (g_ptr_array_index (due, i - 1));

      if (g_hash_table_contains (round->processed, &id))
        g_ptr_array_remove_index (due, i - 1);
    }

  round->due = due;
  return TRUE;
}

/* The push phase is over and nothing is in flight: go on. Takes the task. */
static void
push_end (GTask *task)
{
  Round *round = _pieper_sync_round (task);

  g_clear_pointer (&round->due, g_ptr_array_unref);

  if (round->push_error != NULL)
    {
      g_autoptr(GError) error = g_steal_pointer (&round->push_error);

      _pieper_sync_store_failed (task, &error);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (round->push_stopped)
    {
      _pieper_sync_next_account (task);
      return;
    }

  _pieper_sync_pull_start (task);
}

/* Starts sends until the window is full; ends the phase when nothing is
 * in flight and nothing is left to start. Borrows the task. */
static void
pump (GTask *task)
{
  Round *round = _pieper_sync_round (task);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    round->push_stopped = TRUE;

  while (!round->push_stopped && round->n_sending < MAX_SENDS_IN_FLIGHT)
    {
      PieperAction *action;

      /* An action sent now may make the next one of its incident due, so
       * the next batch is taken only once this one is through. */
      if (round->due == NULL || round->due_index >= round->due->len)
        {
          if (round->n_sending > 0)
            break;
          if (!take_batch (task) || round->due->len == 0)
            break;
        }

      action = g_ptr_array_index (round->due, round->due_index++);
      mark_processed (round, action);

      start_send (task, action);
    }

  if (round->n_sending == 0)
    push_end (g_object_ref (task));
}

void
_pieper_sync_push_next (GTask *task)
{
  Round *round = _pieper_sync_round (task);

  round->push_stopped = FALSE;
  round->n_sending = 0;
  g_clear_pointer (&round->due, g_ptr_array_unref);

  pump (task);
  g_object_unref (task);
}
