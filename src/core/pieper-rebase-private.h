/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pieper-action.h"
#include "pieper-incident.h"
#include "pieper-timeline-entry.h"

G_BEGIN_DECLS

/* What the unsent actions change of an incident: the rules of
 * pieper-rebase.c work on this, so a reader that has only some columns
 * of a row (the list's status) applies the same rules as one with the
 * whole incident. @assignee is the action's, valid while it lives. */
typedef struct
{
  PieperStatus status;
  int          escalation_level;
  gint64       snoozed_until;
  /* A reassign: the one assignee (server user id) from now on. */
  gboolean     reassigned;
  const char  *assignee;
} PieperRebaseState;

/* Re-applies unsent actions (oldest first) to @state. */
void                 _pieper_rebase_state          (PieperRebaseState *state,
                                                    GPtrArray         *actions);
/* Re-applies unsent actions (oldest first) to a server snapshot. Notes
 * change nothing here, so callers may leave them out; the count of unsent
 * actions is theirs to set. */
void                 _pieper_rebase                (PieperIncident *incident,
                                                    GPtrArray      *actions);
/* How an unsent action shows on the timeline until the server confirms it. */
PieperTimelineEntry *_pieper_rebase_timeline_entry (PieperAction   *action);

G_END_DECLS
