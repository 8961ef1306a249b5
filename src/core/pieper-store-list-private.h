/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pieper-store.h"

G_BEGIN_DECLS

/* The effective incidents at positions @offset to @offset + @limit - 1 of
 * the store's list (newest first, as pieper_store_list_incidents() orders
 * them with PIEPER_FILTER_ALL): what a list shows of a window of it,
 * without reading the other incidents. */
GPtrArray *_pieper_store_list_incident_range (PieperStore  *self,
                                              guint         offset,
                                              guint         limit,
                                              GError      **error);

/* The incidents whose effective status is @status, in the list's order,
 * reading only those (and the ones unsent actions may have changed). */
GPtrArray *_pieper_store_list_incidents_with_status (PieperStore   *self,
                                                     PieperStatus   status,
                                                     GError       **error);

G_END_DECLS
