/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "pieper-application.h"

G_BEGIN_DECLS

#define PIEPER_TYPE_PREFERENCES_WINDOW (pieper_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (PieperPreferencesWindow, pieper_preferences_window, PIEPER, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* @settings: the application's settings, or NULL where the schema is not
 * installed (the rows then change nothing). */
GtkWidget *pieper_preferences_window_new (GSettings *settings);
/* For the Accounts page. */
void       pieper_preferences_window_set_application (PieperPreferencesWindow *self,
                                                      PieperApplication       *application);

G_END_DECLS
