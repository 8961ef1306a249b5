/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pieper/pieper-provider.h>

G_BEGIN_DECLS

#define PIEPER_TYPE_PAGERDUTY (pieper_pagerduty_get_type ())
G_DECLARE_FINAL_TYPE (PieperPagerduty, pieper_pagerduty, PIEPER, PAGERDUTY, GObject)

PieperProvider *pieper_pagerduty_new (const char *base_url,
                                      const char *email,
                                      const char *token);

G_END_DECLS
