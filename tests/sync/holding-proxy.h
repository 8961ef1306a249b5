/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/*
 * A proxy for tests, in front of a server such as pieper-sim: a SoupServer
 * on 127.0.0.1 in the test's main context that passes every request on and
 * its answer back. While it holds notes, a note POST goes nowhere and gets
 * no answer, as if it were on its way or being handled; the server gets it
 * only when the test releases it (the client has given up by then).
 */
typedef struct _HoldingProxy HoldingProxy;

HoldingProxy *holding_proxy_new           (const char   *upstream_url);
void          holding_proxy_free          (HoldingProxy *self);
const char   *holding_proxy_get_url       (HoldingProxy *self);

void          holding_proxy_hold_notes    (HoldingProxy *self,
                                           gboolean      hold);
guint         holding_proxy_get_n_held    (HoldingProxy *self);
/* Passes the held requests on, and returns once the server answered them. */
void          holding_proxy_release       (HoldingProxy *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HoldingProxy, holding_proxy_free)

G_END_DECLS
