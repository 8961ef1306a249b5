/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pieper-outbox.h"

G_BEGIN_DECLS

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

G_END_DECLS
