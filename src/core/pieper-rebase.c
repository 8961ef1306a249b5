/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include "pieper-rebase-private.h"

/*
 * The rebase rules. What a reader sees is the server snapshot with every
 * unsent action re-applied, in the order the responder took them, the way
 * the server will apply them when they arrive:
 *
 *  - acknowledge: triggered → acknowledged. A resolved incident stays
 *    resolved: the sync engine will not send a stale acknowledge (PagerDuty
 *    would reopen the incident) and records a conflict instead.
 *  - resolve: → resolved.
 *  - escalate: the chosen level, or the next one (decided when queued, and
 *    raised if the server escalated by itself since); an open incident goes
 *    back to triggered, as the new level's responders are paged.
 *  - reassign: the new assignee is the incident manager; an open incident
 *    goes back to triggered, as the servers page the new assignee.
 *  - snooze: an open incident is acknowledged until the snooze ends.
 *  - note: no change to the incident; it shows on the timeline.
 */
static void
apply_one (PieperRebaseState *state,
           PieperAction      *action)
{
  gboolean open = state->status != PIEPER_STATUS_RESOLVED;

  switch (pieper_action_get_op (action))
    {
    case PIEPER_OP_ACKNOWLEDGE:
      if (state->status == PIEPER_STATUS_TRIGGERED)
        state->status = PIEPER_STATUS_ACKNOWLEDGED;
      break;

    case PIEPER_OP_RESOLVE:
      state->status = PIEPER_STATUS_RESOLVED;
      state->snoozed_until = 0;
      break;

    case PIEPER_OP_ESCALATE:
      if (open)
        {
          int level = pieper_action_get_level (action);
          int server_next = state->escalation_level + 1;

          /* "The next level" stays the next one when the server escalated
           * by itself since (the sync engine sends the same). */
          if (level <= 0 || (pieper_action_get_next (action) && server_next > level))
            level = server_next;
          state->escalation_level = level;
          state->status = PIEPER_STATUS_TRIGGERED;
          state->snoozed_until = 0;
        }
      break;

    case PIEPER_OP_REASSIGN:
      if (open)
        {
          state->assignee = pieper_action_get_user (action);
          state->reassigned = TRUE;
          state->status = PIEPER_STATUS_TRIGGERED;
          state->snoozed_until = 0;
        }
      break;

    case PIEPER_OP_SNOOZE:
      if (open)
        {
          state->status = PIEPER_STATUS_ACKNOWLEDGED;
          state->snoozed_until = pieper_action_get_created_at (action) +
                                 60 * (gint64) pieper_action_get_minutes (action);
        }
      break;

    case PIEPER_OP_NOTE:
      break;

    default:
      g_assert_not_reached ();
    }
}

void
_pieper_rebase_state (PieperRebaseState *state,
                      GPtrArray         *actions)
{
  g_return_if_fail (state != NULL);
  g_return_if_fail (actions != NULL);

  for (guint i = 0; i < actions->len; i++)
    apply_one (state, g_ptr_array_index (actions, i));
}

void
_pieper_rebase (PieperIncident *incident,
                GPtrArray      *actions)
{
  PieperRebaseState state = { 0, };

  g_return_if_fail (PIEPER_IS_INCIDENT (incident));
  g_return_if_fail (actions != NULL);

  state.status = pieper_incident_get_status (incident);
  state.escalation_level = pieper_incident_get_escalation_level (incident);
  state.snoozed_until = pieper_incident_get_snoozed_until (incident);
  _pieper_rebase_state (&state, actions);

  pieper_incident_set_status (incident, state.status);
  pieper_incident_set_escalation_level (incident, state.escalation_level);
  pieper_incident_set_snoozed_until (incident, state.snoozed_until);
  if (state.reassigned)
    {
      const char * const assignees[] = { state.assignee, NULL };

      pieper_incident_set_assignees (incident, assignees);
      pieper_incident_set_assignee_ids (incident, assignees);
    }
}

static PieperTimelineKind
kind_for_op (PieperOp op)
{
  switch (op)
    {
    case PIEPER_OP_ACKNOWLEDGE:
      return PIEPER_TIMELINE_ACKNOWLEDGE;
    case PIEPER_OP_RESOLVE:
      return PIEPER_TIMELINE_RESOLVE;
    case PIEPER_OP_ESCALATE:
      return PIEPER_TIMELINE_ESCALATE;
    case PIEPER_OP_REASSIGN:
      return PIEPER_TIMELINE_REASSIGN;
    case PIEPER_OP_SNOOZE:
      return PIEPER_TIMELINE_SNOOZE;
    case PIEPER_OP_NOTE:
      return PIEPER_TIMELINE_NOTE;
    default:
      g_assert_not_reached ();
    }
}

PieperTimelineEntry *
_pieper_rebase_timeline_entry (PieperAction *action)
{
  PieperTimelineEntry *entry;

  g_return_val_if_fail (PIEPER_IS_ACTION (action), NULL);

  entry = pieper_timeline_entry_new (kind_for_op (pieper_action_get_op (action)));
  pieper_timeline_entry_set_incident_id (entry, pieper_action_get_incident_id (action));
  pieper_timeline_entry_set_origin (entry, PIEPER_ORIGIN_LOCAL);
  pieper_timeline_entry_set_action_id (entry, pieper_action_get_id (action));
  pieper_timeline_entry_set_sync_state (entry, pieper_action_get_state (action));
  pieper_timeline_entry_set_at (entry, pieper_action_get_created_at (action));

  switch (pieper_action_get_op (action))
    {
    case PIEPER_OP_NOTE:
      pieper_timeline_entry_set_body (entry, pieper_action_get_text (action));
      break;

    case PIEPER_OP_REASSIGN:
      pieper_timeline_entry_set_body (entry, pieper_action_get_user (action));
      break;

    case PIEPER_OP_ESCALATE:
    case PIEPER_OP_SNOOZE:
    case PIEPER_OP_ACKNOWLEDGE:
    case PIEPER_OP_RESOLVE:
    default:
      /* The kind says it all; the view words it in the reader's language. */
      break;
    }

  return entry;
}
