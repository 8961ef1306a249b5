/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pieper/pieper-provider.h>

G_BEGIN_DECLS

PieperProvider     *pieper_provider_new_for_account (PieperAccount  *account,
                                                     const char     *token,
                                                     GError        **error);
const char * const *pieper_providers_list           (void);
gboolean            pieper_providers_token_is_optional (const char *provider);

/* For the providers' HTTP code. */
gboolean            _pieper_providers_status_leaves_outcome_unknown (guint status);

G_END_DECLS
