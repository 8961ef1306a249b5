/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <pieper.h>

#include "pieper-incident-list-model.h"

G_BEGIN_DECLS

/* What app.snooze, a notification's or a shortcut's, snoozes for. */
#define PIEPER_SNOOZE_DEFAULT_MINUTES 60

#define PIEPER_TYPE_APPLICATION (pieper_application_get_type ())
G_DECLARE_FINAL_TYPE (PieperApplication, pieper_application, PIEPER, APPLICATION, AdwApplication)

PieperApplication       *pieper_application_new            (void);

/* Valid from startup to shutdown. */
PieperStore             *pieper_application_get_store      (PieperApplication *self);
PieperOutbox            *pieper_application_get_outbox     (PieperApplication *self);
PieperSyncEngine        *pieper_application_get_engine     (PieperApplication *self);
PieperIncidentListModel *pieper_application_get_incidents  (PieperApplication *self);
/* What the account of @incident's server can do, or NONE without one. */
PieperCapabilities       pieper_application_get_capabilities (PieperApplication *self,
                                                              PieperIncident    *incident);
/* Whether an incident is assigned to the responder of its account. */
gboolean                 pieper_application_is_mine        (PieperApplication *self,
                                                            PieperIncident    *incident);
/* Re-reads the accounts (after one was added, or learnt who it is), and
 * emits PieperApplication::accounts-changed. */
void                     pieper_application_reload_accounts (PieperApplication *self);
/* Stops syncing the account, removes it with its incidents and unsent
 * actions, and clears its token from the keyring. */
gboolean                 pieper_application_remove_account (PieperApplication  *self,
                                                            gint64              id,
                                                            GError            **error);
gboolean                 pieper_application_get_demo       (PieperApplication *self);

G_END_DECLS
