/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pieper-action.h"
#include "pieper-store.h"

G_BEGIN_DECLS

#define PIEPER_TYPE_OUTBOX (pieper_outbox_get_type ())
G_DECLARE_FINAL_TYPE (PieperOutbox, pieper_outbox, PIEPER, OUTBOX, GObject)

/**
 * PieperOutbox:
 *
 * The responder's actions, committed to the store before anyone is told they
 * were taken, and replayed to the server in order per incident.
 */
PieperOutbox *pieper_outbox_new              (PieperStore   *store);
PieperStore  *pieper_outbox_get_store        (PieperOutbox  *self);

/* Queueing: each returns the committed action, or NULL and an error. */
PieperAction *pieper_outbox_acknowledge      (PieperOutbox  *self,
                                              gint64         incident_id,
                                              GError       **error);
PieperAction *pieper_outbox_resolve          (PieperOutbox  *self,
                                              gint64         incident_id,
                                              GError       **error);
/* level 0 escalates to the next level. */
PieperAction *pieper_outbox_escalate         (PieperOutbox  *self,
                                              gint64         incident_id,
                                              int            level,
                                              GError       **error);
PieperAction *pieper_outbox_reassign         (PieperOutbox  *self,
                                              gint64         incident_id,
                                              const char    *user,
                                              GError       **error);
PieperAction *pieper_outbox_snooze           (PieperOutbox  *self,
                                              gint64         incident_id,
                                              guint          minutes,
                                              GError       **error);
PieperAction *pieper_outbox_add_note         (PieperOutbox  *self,
                                              gint64         incident_id,
                                              const char    *text,
                                              GError       **error);

PieperAction *pieper_outbox_get              (PieperOutbox  *self,
                                              gint64         action_id,
                                              GError       **error);
/* All actions, oldest first; states < 0 means every state. */
GPtrArray    *pieper_outbox_list             (PieperOutbox  *self,
                                              int            state,
                                              GError       **error);
/* Actions not yet confirmed (pending or inflight). */
guint         pieper_outbox_count_unsent     (PieperOutbox  *self,
                                              gint64         incident_id);
/* For each incident of the account, its oldest unfinished action, if that
 * one is due at @now: replaying in order per incident means a later action
 * never overtakes an earlier one that is waiting for a retry. */
GPtrArray    *pieper_outbox_next_due         (PieperOutbox  *self,
                                              gint64         account_id,
                                              gint64         now,
                                              GError       **error);
/* When the earliest of the account's actions that can be sent next is
 * due (it may be past), or 0 for none. */
gint64        pieper_outbox_next_wakeup      (PieperOutbox  *self,
                                              gint64         account_id);

/* Whether @action waits to learn if the server got it: in flight, but
 * sent by nobody now (its send was cut short, or its sender is gone). If
 * so, *@check_at (may be NULL) is when the server is asked, before the
 * action is sent again only if it did not get it. */
gboolean      pieper_outbox_is_unconfirmed   (PieperOutbox  *self,
                                              PieperAction  *action,
                                              gint64         now,
                                              gint64        *check_at);

/* Makes the account's pending actions due now (0 for every account): the
 * responder asked for a sync, or the network came back, so backoff waits
 * are over. A send whose outcome is unknown (inflight, its sender gone or
 * cut short) keeps its wait: the request may still be reaching the server.
 * Returns how many were waiting. */
guint         pieper_outbox_retry_all_now    (PieperOutbox  *self,
                                              gint64         account_id,
                                              GError       **error);

/* The state machine. Each is one committed transaction; an illegal move
 * (say, done → pending) is refused with PIEPER_STORE_ERROR_INVALID. */
gboolean      pieper_outbox_mark_inflight    (PieperOutbox  *self,
                                              gint64         action_id,
                                              GError       **error);
/* inflight → done. The server's confirmation, when it sent one (the
 * incident as it is now, the note as it stored it), is written in the same
 * transaction, so the action leaves the overlay exactly when its effect
 * enters the snapshot. */
gboolean      pieper_outbox_mark_done        (PieperOutbox        *self,
                                              gint64               action_id,
                                              PieperIncident      *confirmed,
                                              PieperTimelineEntry *note,
                                              GError             **error);
gboolean      pieper_outbox_mark_conflict    (PieperOutbox  *self,
                                              gint64         action_id,
                                              const char    *reason,
                                              GError       **error);
gboolean      pieper_outbox_mark_failed      (PieperOutbox  *self,
                                              gint64         action_id,
                                              const char    *reason,
                                              GError       **error);
/* inflight → pending, with one more attempt counted and a time to retry. */
gboolean      pieper_outbox_retry_later      (PieperOutbox  *self,
                                              gint64         action_id,
                                              gint64         next_attempt_at,
                                              const char    *reason,
                                              GError       **error);
/* failed → pending, at the responder's request. */
gboolean      pieper_outbox_retry_now        (PieperOutbox  *self,
                                              gint64         action_id,
                                              GError       **error);

G_END_DECLS
