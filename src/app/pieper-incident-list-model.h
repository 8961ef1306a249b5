/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <pieper.h>

G_BEGIN_DECLS

#define PIEPER_TYPE_INCIDENT_LIST_MODEL (pieper_incident_list_model_get_type ())
G_DECLARE_FINAL_TYPE (PieperIncidentListModel, pieper_incident_list_model, PIEPER, INCIDENT_LIST_MODEL, GObject)

PieperIncidentListModel *pieper_incident_list_model_new        (PieperStore             *store);
PieperStore             *pieper_incident_list_model_get_store  (PieperIncidentListModel *self);
/* Refreshes after the engine's "synced" signal, from the main loop: once
 * for any number of rounds that ended in the meantime. */
void                     pieper_incident_list_model_set_engine (PieperIncidentListModel *self,
                                                                PieperSyncEngine        *engine);
/* Reads the store's effective incidents again and emits items-changed for
 * exactly the runs of incidents that were added, removed or changed; reads
 * nothing when the store's change stamp is the one of the last refresh. */
gboolean                 pieper_incident_list_model_refresh    (PieperIncidentListModel *self,
                                                                GError                 **error);
/* Reads one incident again, after an action on it: what the responder
 * just did shows without reading every incident. Falls back to
 * pieper_incident_list_model_refresh() when the incident is new, gone or
 * would move. */
gboolean                 pieper_incident_list_model_refresh_incident (PieperIncidentListModel  *self,
                                                                      gint64                    id,
                                                                      GError                  **error);
/* The position of the incident with store id @id, or G_MAXUINT. */
guint                    pieper_incident_list_model_find       (PieperIncidentListModel *self,
                                                                gint64                   id);

G_END_DECLS
