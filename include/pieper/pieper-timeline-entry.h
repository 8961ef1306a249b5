/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "pieper-types.h"

G_BEGIN_DECLS

#define PIEPER_TYPE_TIMELINE_ENTRY (pieper_timeline_entry_get_type ())
G_DECLARE_FINAL_TYPE (PieperTimelineEntry, pieper_timeline_entry, PIEPER, TIMELINE_ENTRY, GObject)

/**
 * PieperTimelineEntry:
 *
 * A note or an event on an incident's timeline. Remote entries come from the
 * server; local ones are the responder's notes and actions that have not been
 * confirmed yet, and conflicts the sync engine found.
 */
PieperTimelineEntry *pieper_timeline_entry_new            (PieperTimelineKind   kind);

gint64             pieper_timeline_entry_get_id           (PieperTimelineEntry *self);
void               pieper_timeline_entry_set_id           (PieperTimelineEntry *self,
                                                           gint64               id);
gint64             pieper_timeline_entry_get_incident_id  (PieperTimelineEntry *self);
void               pieper_timeline_entry_set_incident_id  (PieperTimelineEntry *self,
                                                           gint64               incident_id);
PieperTimelineKind pieper_timeline_entry_get_kind         (PieperTimelineEntry *self);
const char        *pieper_timeline_entry_get_remote_id    (PieperTimelineEntry *self);
void               pieper_timeline_entry_set_remote_id    (PieperTimelineEntry *self,
                                                           const char          *remote_id);
const char        *pieper_timeline_entry_get_author       (PieperTimelineEntry *self);
void               pieper_timeline_entry_set_author       (PieperTimelineEntry *self,
                                                           const char          *author);
/* Unix seconds, UTC. */
gint64             pieper_timeline_entry_get_at           (PieperTimelineEntry *self);
void               pieper_timeline_entry_set_at           (PieperTimelineEntry *self,
                                                           gint64               at);
const char        *pieper_timeline_entry_get_body         (PieperTimelineEntry *self);
void               pieper_timeline_entry_set_body         (PieperTimelineEntry *self,
                                                           const char          *body);
PieperOrigin       pieper_timeline_entry_get_origin       (PieperTimelineEntry *self);
void               pieper_timeline_entry_set_origin       (PieperTimelineEntry *self,
                                                           PieperOrigin         origin);
/* For local entries: the outbox action behind it (0 for none) and its state. */
gint64             pieper_timeline_entry_get_action_id    (PieperTimelineEntry *self);
void               pieper_timeline_entry_set_action_id    (PieperTimelineEntry *self,
                                                           gint64               action_id);
PieperActionState  pieper_timeline_entry_get_sync_state   (PieperTimelineEntry *self);
void               pieper_timeline_entry_set_sync_state   (PieperTimelineEntry *self,
                                                           PieperActionState    state);

G_END_DECLS
