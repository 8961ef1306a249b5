/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <pieper.h>

G_BEGIN_DECLS

#define PIEPER_TYPE_INCIDENT_ROW (pieper_incident_row_get_type ())
G_DECLARE_FINAL_TYPE (PieperIncidentRow, pieper_incident_row, PIEPER, INCIDENT_ROW, GtkWidget)

GtkWidget      *pieper_incident_row_new          (void);
PieperIncident *pieper_incident_row_get_incident (PieperIncidentRow *self);
void            pieper_incident_row_set_incident (PieperIncidentRow *self,
                                                  PieperIncident    *incident);

/* Words and looks shared by the row and the page: status is always said
 * in words, colour only repeats it. */
const char     *_pieper_status_label             (PieperStatus       status);
const char     *_pieper_status_icon              (PieperStatus       status);
const char     *_pieper_status_css_class         (PieperStatus       status);
const char     *_pieper_urgency_label            (PieperUrgency      urgency);
void            _pieper_set_badge                (GtkWidget         *badge,
                                                  const char        *css_class);

G_END_DECLS
