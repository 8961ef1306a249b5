/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pieper-outbox.h"

G_BEGIN_DECLS

/* A send whose outcome is unknown (cut short, or its sender died) may
 * still reach the server, or be handled there, after it was given up: it
 * is read back and tried again only this many seconds after it left. */
#define UNKNOWN_OUTCOME_WAIT 10

/* An action the server confirmed, to be marked done. */
typedef struct
{
  gint64               action_id;
  PieperIncident      *confirmed;   /* the incident as the server answered, or NULL */
  PieperTimelineEntry *note;        /* the note as delivered, or NULL */
  PieperAction        *claimed;     /* out: claimed to be sent next, or NULL */
} PieperSettled;

/* Marks actions done in one transaction and claims, in the same one, what
 * to send next in each one's place (the incident's next, else the first
 * claimable of @fallbacks from *@fallback_index on). For the push
 * (pieper-sync-push.c). */
gboolean  _pieper_outbox_settle_and_claim (PieperOutbox  *self,
                                           PieperSettled *settled,
                                           guint          n_settled,
                                           gboolean       claim_next,
                                           GPtrArray     *fallbacks,
                                           guint         *fallback_index,
                                           GError       **error);

/* Gives up a send cut short (cancelled: the app quit, the account was
 * removed), or one that timed out or lost its connection after it left
 * (PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME), with its outcome unknown. The action stays inflight, claimed by
 * nobody, and is due again UNKNOWN_OUTCOME_WAIT from now; a Refresh
 * (pieper_outbox_retry_all_now()) does not bring that forward. Nothing
 * happens when this process no longer holds the action. For the push
 * (pieper-sync-push.c). */
gboolean  _pieper_outbox_cut_short        (PieperOutbox  *self,
                                           gint64         action_id,
                                           const char    *reason,
                                           GError       **error);

G_END_DECLS
