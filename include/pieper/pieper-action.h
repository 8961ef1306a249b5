/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "pieper-types.h"

G_BEGIN_DECLS

#define PIEPER_TYPE_ACTION (pieper_action_get_type ())
G_DECLARE_FINAL_TYPE (PieperAction, pieper_action, PIEPER, ACTION, GObject)

/**
 * PieperAction:
 *
 * One row of the outbox: a responder action waiting to be sent, being sent,
 * or finished. Read-only; the outbox makes and changes them.
 */
gint64            pieper_action_get_id              (PieperAction *self);
gint64            pieper_action_get_account_id      (PieperAction *self);
gint64            pieper_action_get_incident_id     (PieperAction *self);
/* The incident's server id. */
const char       *pieper_action_get_incident_remote_id (PieperAction *self);
PieperOp          pieper_action_get_op              (PieperAction *self);
const char       *pieper_action_get_idempotency_key (PieperAction *self);
PieperActionState pieper_action_get_state           (PieperAction *self);
guint             pieper_action_get_attempts        (PieperAction *self);
/* Unix seconds; 0 for "as soon as possible". */
gint64            pieper_action_get_next_attempt_at (PieperAction *self);
const char       *pieper_action_get_last_error      (PieperAction *self);
gint64            pieper_action_get_created_at      (PieperAction *self);
gint64            pieper_action_get_updated_at      (PieperAction *self);
/* For an inflight action: the process sending it (see pieper-outbox.c). */
const char       *pieper_action_get_claimed_by      (PieperAction *self);

/* The op's arguments. */
int               pieper_action_get_level           (PieperAction *self); /* escalate */
/* escalate: the responder asked for "the next level"; the level is what
 * that meant when they asked. */
gboolean          pieper_action_get_next            (PieperAction *self);
const char       *pieper_action_get_user            (PieperAction *self); /* reassign */
guint             pieper_action_get_minutes         (PieperAction *self); /* snooze */
const char       *pieper_action_get_text            (PieperAction *self); /* note */
/* The op's arguments as a JSON object, as stored. */
const char       *pieper_action_get_payload         (PieperAction *self);

G_END_DECLS
