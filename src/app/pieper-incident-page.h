/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <pieper.h>

G_BEGIN_DECLS

#define PIEPER_TYPE_INCIDENT_PAGE (pieper_incident_page_get_type ())
G_DECLARE_FINAL_TYPE (PieperIncidentPage, pieper_incident_page, PIEPER, INCIDENT_PAGE, GtkWidget)

GtkWidget      *pieper_incident_page_new          (void);
/* Shows @incident (NULL for none) with the actions its server can do and
 * its @timeline, a model of PieperTimelineEntry, oldest first. */
void            pieper_incident_page_set_incident (PieperIncidentPage *self,
                                                   PieperIncident     *incident,
                                                   PieperCapabilities  capabilities,
                                                   GListModel         *timeline);
PieperIncident *pieper_incident_page_get_incident (PieperIncidentPage *self);
void            pieper_incident_page_focus_note   (PieperIncidentPage *self);

G_END_DECLS
