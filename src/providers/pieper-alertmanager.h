/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pieper/pieper-provider.h>

G_BEGIN_DECLS

#define PIEPER_TYPE_ALERTMANAGER (pieper_alertmanager_get_type ())
G_DECLARE_FINAL_TYPE (PieperAlertmanager, pieper_alertmanager, PIEPER, ALERTMANAGER, GObject)

/* The acknowledgement silence lasts this long, and is extended while the
 * alert keeps firing, unless the account URL says otherwise (?ack=2h). */
#define PIEPER_ALERTMANAGER_DEFAULT_ACK_SECONDS 3600
/* Severity label values that page loudly, unless the account URL says
 * otherwise (?high=critical,page). An alert without a severity label
 * pages loudly too. */
#define PIEPER_ALERTMANAGER_DEFAULT_HIGH "critical,page,high,error,emergency,p1"

PieperProvider *pieper_alertmanager_new (const char  *url,
                                         const char  *created_by,
                                         const char  *token,
                                         GError     **error);

G_END_DECLS
