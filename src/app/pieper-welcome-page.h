/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "pieper-account-form.h"
#include "pieper-application.h"

G_BEGIN_DECLS

#define PIEPER_TYPE_WELCOME_PAGE (pieper_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (PieperWelcomePage, pieper_welcome_page, PIEPER, WELCOME_PAGE, GtkBox)

GtkWidget         *pieper_welcome_page_new              (PieperApplication *application,
                                                         GMenuModel        *menu);
PieperAccountForm *pieper_welcome_page_get_account_form (PieperWelcomePage *self);

G_END_DECLS
