/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pieper-incident-list-model.h"

G_BEGIN_DECLS

/* The effective status of the incident at @position, from its key: no
 * incident is read. */
PieperStatus    _pieper_incident_list_model_get_status     (PieperIncidentListModel *self,
                                                            guint                    position);
/* The incident at @positions[@index], for a view that shows the model's
 * incidents at @positions (ascending): what is read from the store with it
 * is the rest of its block in the view, not its neighbours in the model,
 * which the view hides. */
PieperIncident *_pieper_incident_list_model_get_item_among (PieperIncidentListModel *self,
                                                            const guint             *positions,
                                                            guint                    n_positions,
                                                            guint                    index);
/* How many incidents the model has read from the store, for tests. */
guint           _pieper_incident_list_model_get_n_read     (PieperIncidentListModel *self);

G_END_DECLS
