/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "pieper-types.h"

G_BEGIN_DECLS

#define PIEPER_TYPE_INCIDENT (pieper_incident_get_type ())
G_DECLARE_FINAL_TYPE (PieperIncident, pieper_incident, PIEPER, INCIDENT, GObject)

/**
 * PieperIncident:
 *
 * One incident. Objects read from the store carry the effective state: the
 * server snapshot with the responder's unsent actions re-applied on top.
 * Objects made by a provider carry the server snapshot alone.
 */
PieperIncident *pieper_incident_new                       (const char     *remote_id);

gint64          pieper_incident_get_id                    (PieperIncident *self);
void            pieper_incident_set_id                    (PieperIncident *self,
                                                           gint64          id);
gint64          pieper_incident_get_account_id            (PieperIncident *self);
void            pieper_incident_set_account_id            (PieperIncident *self,
                                                           gint64          account_id);
const char     *pieper_incident_get_remote_id             (PieperIncident *self);
gint64          pieper_incident_get_number                (PieperIncident *self);
void            pieper_incident_set_number                (PieperIncident *self,
                                                           gint64          number);
const char     *pieper_incident_get_title                 (PieperIncident *self);
void            pieper_incident_set_title                 (PieperIncident *self,
                                                           const char     *title);
PieperStatus    pieper_incident_get_status                (PieperIncident *self);
void            pieper_incident_set_status                (PieperIncident *self,
                                                           PieperStatus    status);
PieperUrgency   pieper_incident_get_urgency               (PieperIncident *self);
void            pieper_incident_set_urgency               (PieperIncident *self,
                                                           PieperUrgency   urgency);
const char     *pieper_incident_get_priority              (PieperIncident *self);
void            pieper_incident_set_priority              (PieperIncident *self,
                                                           const char     *priority);
const char     *pieper_incident_get_service               (PieperIncident *self);
void            pieper_incident_set_service               (PieperIncident *self,
                                                           const char     *service);
const char     *pieper_incident_get_escalation_policy     (PieperIncident *self);
void            pieper_incident_set_escalation_policy     (PieperIncident *self,
                                                           const char     *policy);
int             pieper_incident_get_escalation_level      (PieperIncident *self);
void            pieper_incident_set_escalation_level      (PieperIncident *self,
                                                           int             level);
/* The incident manager(s): the assignees' display names. */
const char * const *pieper_incident_get_assignees         (PieperIncident *self);
void            pieper_incident_set_assignees             (PieperIncident *self,
                                                           const char * const *assignees);
/* The assignees' server ids, parallel to the names where the server has them. */
const char * const *pieper_incident_get_assignee_ids      (PieperIncident *self);
void            pieper_incident_set_assignee_ids          (PieperIncident *self,
                                                           const char * const *ids);
const char     *pieper_incident_get_html_url              (PieperIncident *self);
void            pieper_incident_set_html_url              (PieperIncident *self,
                                                           const char     *url);
/* Times are unix seconds, UTC; 0 means unknown. */
gint64          pieper_incident_get_created_at            (PieperIncident *self);
void            pieper_incident_set_created_at            (PieperIncident *self,
                                                           gint64          at);
gint64          pieper_incident_get_updated_at            (PieperIncident *self);
void            pieper_incident_set_updated_at            (PieperIncident *self,
                                                           gint64          at);
gint64          pieper_incident_get_last_status_change_at (PieperIncident *self);
void            pieper_incident_set_last_status_change_at (PieperIncident *self,
                                                           gint64          at);
const char     *pieper_incident_get_chat_url              (PieperIncident *self);
void            pieper_incident_set_chat_url              (PieperIncident *self,
                                                           const char     *url);
const char     *pieper_incident_get_video_url             (PieperIncident *self);
void            pieper_incident_set_video_url             (PieperIncident *self,
                                                           const char     *url);
const char     *pieper_incident_get_status_page_url       (PieperIncident *self);
void            pieper_incident_set_status_page_url       (PieperIncident *self,
                                                           const char     *url);
const char     *pieper_incident_get_postmortem_url        (PieperIncident *self);
void            pieper_incident_set_postmortem_url        (PieperIncident *self,
                                                           const char     *url);
/* Effective state only: unsent actions and a local snooze. */
guint           pieper_incident_get_pending               (PieperIncident *self);
void            pieper_incident_set_pending               (PieperIncident *self,
                                                           guint           pending);
gint64          pieper_incident_get_snoozed_until         (PieperIncident *self);
void            pieper_incident_set_snoozed_until         (PieperIncident *self,
                                                           gint64          at);

G_END_DECLS
