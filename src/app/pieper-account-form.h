/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "pieper-application.h"

G_BEGIN_DECLS

#define PIEPER_TYPE_ACCOUNT_FORM (pieper_account_form_get_type ())
G_DECLARE_FINAL_TYPE (PieperAccountForm, pieper_account_form, PIEPER, ACCOUNT_FORM, GtkBox)

GtkWidget *pieper_account_form_new             (PieperApplication *application);
void       pieper_account_form_set_application (PieperAccountForm *self,
                                                PieperApplication *application);
/* Whether the server is being asked right now. */
gboolean   pieper_account_form_get_busy        (PieperAccountForm *self);

G_END_DECLS
