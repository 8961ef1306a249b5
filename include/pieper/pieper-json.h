/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pieper-account.h"
#include "pieper-action.h"
#include "pieper-incident.h"
#include "pieper-timeline-entry.h"

G_BEGIN_DECLS

/*
 * Pieper's own JSON: what `pieperctl list --json`, `show --json`, `outbox
 * --json` and `export` print, and what `pieperctl import` reads. The import
 * form is documented in docs/import-format.md.
 */

char     *pieper_time_to_iso8601          (gint64               unix_seconds);
gboolean  pieper_time_from_iso8601        (const char          *text,
                                           gint64              *unix_seconds);

JsonNode *pieper_incident_to_json         (PieperIncident      *incident);
JsonNode *pieper_timeline_entry_to_json   (PieperTimelineEntry *entry);
JsonNode *pieper_action_to_json           (PieperAction        *action);
JsonNode *pieper_account_to_json          (PieperAccount       *account);

/* One incident of the import form, with its timeline (a GPtrArray of
 * PieperTimelineEntry) when it has one. */
PieperIncident *pieper_incident_from_json (JsonNode            *node,
                                           GPtrArray          **timeline,
                                           GError             **error);

G_END_DECLS
