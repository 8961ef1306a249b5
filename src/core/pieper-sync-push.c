/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperSync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "pieper-sync-engine-private.h"

/* Push: the outbox, oldest first per incident. */

static void send_action      (GTask *task);

static void
action_finished (GTask *task)
{
  Round *round = _pieper_sync_round (task);

  g_clear_object (&round->action);
  round->due_index++;
  _pieper_sync_push_next (task);
}

/* Decides what a failed send means for the action and the round. */
static void
action_error (GTask  *task,
              GError *error)
{
  Round *round = _pieper_sync_round (task);
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
            ok = pieper_outbox_retry_later (outbox, id, _pieper_sync_now () + wait, error->message, &store_error);
            stop = TRUE;
          }
          break;

        case PIEPER_PROVIDER_ERROR_AUTH:
          ok = pieper_outbox_retry_later (outbox, id, _pieper_sync_now () + AUTH_RETRY, error->message, &store_error);
          stop = TRUE;
          break;

        case PIEPER_PROVIDER_ERROR_TRANSIENT:
        default:
          ok = pieper_outbox_retry_later (outbox, id,
                                          _pieper_sync_now () + _pieper_sync_backoff (pieper_action_get_attempts (round->action)),
                                          error->message, &store_error);
          stop = TRUE;
          break;
        }
    }
  else
    {
      ok = pieper_outbox_retry_later (outbox, id,
                                      _pieper_sync_now () + _pieper_sync_backoff (pieper_action_get_attempts (round->action)),
                                      error->message, &store_error);
      stop = TRUE;
    }

  if (!ok)
    {
      _pieper_sync_store_failed (task, &store_error);
      return;
    }

  if (stop)
    {
      /* The server cannot take more now; what is left waits for its time. */
      _pieper_sync_account_failed (task, _pieper_sync_classify (error), error);
      g_clear_object (&round->action);
      _pieper_sync_next_account (task);
      return;
    }

  action_finished (task);
}

static void
mark_done (GTask               *task,
           PieperIncident      *confirmed,
           PieperTimelineEntry *note)
{
  Round *round = _pieper_sync_round (task);
  g_autoptr(GError) error = NULL;

  if (!pieper_outbox_mark_done (round->engine->outbox, pieper_action_get_id (round->action),
                                confirmed, note, &error))
    {
      _pieper_sync_store_failed (task, &error);
      return;
    }

  round->stats.sent++;
  action_finished (task);
}

static void
conflict (GTask      *task,
          const char *reason)
{
  Round *round = _pieper_sync_round (task);
  g_autoptr(GError) error = NULL;

  if (!pieper_outbox_mark_conflict (round->engine->outbox, pieper_action_get_id (round->action),
                                    reason, &error))
    {
      _pieper_sync_store_failed (task, &error);
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
  Round *round = _pieper_sync_round (task);

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
  Round *round = _pieper_sync_round (task);
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
  g_autoptr(GTask) task = user_data;
  g_autoptr(PieperIncident) current = NULL;
  g_autoptr(GError) error = NULL;
  Round *round = _pieper_sync_round (task);
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
       * incident. The same holds for escalating, reassigning, snoozing. */
      reason = resolved_reason (op, by != NULL ? by : _("someone"));
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
                _("Not sent: the incident is no longer acknowledged on the server, so it cannot be snoozed"));
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
  Round *round = _pieper_sync_round (task);
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
  Round *round = _pieper_sync_round (task);
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

      _pieper_sync_store_failed (task, &error);
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

void
_pieper_sync_push_next (GTask *task)
{
  Round *round = _pieper_sync_round (task);

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
                                    _pieper_sync_now (), &error);
      if (due == NULL)
        {
          _pieper_sync_store_failed (task, &error);
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
          _pieper_sync_pull_start (task);
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
