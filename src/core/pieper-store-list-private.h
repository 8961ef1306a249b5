/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pieper-store.h"

G_BEGIN_DECLS

#define PIEPER_STORE_LIST_MAX_IDS 64

/* The effective incidents with the store ids @ids (at most
 * PIEPER_STORE_LIST_MAX_IDS), in no particular order, those gone left out:
 * what a list shows of a window of it, without reading the others. */
GPtrArray *_pieper_store_list_incidents_by_id (PieperStore   *self,
                                               const gint64  *ids,
                                               guint          n_ids,
                                               GError       **error);

/* The incidents whose effective status is @status, in the list's order,
 * reading only those (and the ones unsent actions may have changed). */
GPtrArray *_pieper_store_list_incidents_with_status (PieperStore   *self,
                                                     PieperStatus   status,
                                                     GError       **error);

G_END_DECLS
