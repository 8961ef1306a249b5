/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pieper-action.h"
#include "pieper-incident.h"
#include "pieper-timeline-entry.h"

G_BEGIN_DECLS

/* Re-applies unsent actions (oldest first) to a server snapshot. Notes
 * change nothing here, so callers may leave them out; the count of unsent
 * actions is theirs to set. */
void                 _pieper_rebase                (PieperIncident *incident,
                                                    GPtrArray      *actions);
/* How an unsent action shows on the timeline until the server confirms it. */
PieperTimelineEntry *_pieper_rebase_timeline_entry (PieperAction   *action);

G_END_DECLS
