/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "pieper-account-form.h"
#include "pieper-application.h"
#include "pieper-incident-page.h"

G_BEGIN_DECLS

#define PIEPER_TYPE_WINDOW (pieper_window_get_type ())
G_DECLARE_FINAL_TYPE (PieperWindow, pieper_window, PIEPER, WINDOW, AdwApplicationWindow)

PieperWindow *pieper_window_new           (PieperApplication *application);
/* Opens the incident page of the incident with store id @id. */
void          pieper_window_show_incident (PieperWindow      *self,
                                           gint64             id);
gint64        pieper_window_get_incident_id (PieperWindow    *self);
void          pieper_window_show_message  (PieperWindow      *self,
                                           const char        *message);
PieperIncidentPage *pieper_window_get_incident_page (PieperWindow *self);
PieperAccountForm  *pieper_window_get_account_form  (PieperWindow *self);

G_END_DECLS
