/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <pieper.h>

#include "pieper-incident-list-model.h"

G_BEGIN_DECLS

#define PIEPER_TYPE_INCIDENT_STATUS_FILTER (pieper_incident_status_filter_get_type ())
G_DECLARE_FINAL_TYPE (PieperIncidentStatusFilter, pieper_incident_status_filter, PIEPER, INCIDENT_STATUS_FILTER, GObject)

PieperIncidentStatusFilter *pieper_incident_status_filter_new        (PieperIncidentListModel    *model,
                                                                      PieperStatus                status);
PieperStatus                pieper_incident_status_filter_get_status (PieperIncidentStatusFilter *self);

G_END_DECLS
