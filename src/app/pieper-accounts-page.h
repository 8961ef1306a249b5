/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "pieper-application.h"

G_BEGIN_DECLS

#define PIEPER_TYPE_ACCOUNTS_PAGE (pieper_accounts_page_get_type ())
G_DECLARE_FINAL_TYPE (PieperAccountsPage, pieper_accounts_page, PIEPER, ACCOUNTS_PAGE, AdwPreferencesPage)

void pieper_accounts_page_set_application (PieperAccountsPage *self,
                                           PieperApplication  *application);

G_END_DECLS
