/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PIEPER_TYPE_SIM (pieper_sim_get_type ())
G_DECLARE_FINAL_TYPE (PieperSim, pieper_sim, PIEPER, SIM, GObject)

/**
 * PieperSim:
 *
 * A local incident server that speaks the part of PagerDuty's REST API v2
 * that Pieper uses, and PagerDuty's Events API v2, on 127.0.0.1 only.
 *
 * The sim shares no code with Pieper's PagerDuty provider: its JSON is
 * written from PagerDuty's documentation, so a mapping mistake cannot hide
 * on both sides of the wire.
 *
 * Every public function may be called from any thread: the state is
 * guarded by a lock. Requests are served on the #GMainContext that was the
 * thread-default one when pieper_sim_start() was called, or on a private
 * thread with pieper_sim_start_in_thread().
 */

/* The fault kinds accepted by pieper_sim_set_fault(). */
#define PIEPER_SIM_FAULT_500             "500"
#define PIEPER_SIM_FAULT_429             "429"
#define PIEPER_SIM_FAULT_401             "401"
#define PIEPER_SIM_FAULT_RESET           "reset"
#define PIEPER_SIM_FAULT_RESET_AFTER     "reset-after"
#define PIEPER_SIM_FAULT_STALL           "stall"
#define PIEPER_SIM_FAULT_TRUNCATED       "truncated"
#define PIEPER_SIM_FAULT_CONTENT_TYPE    "content-type"
#define PIEPER_SIM_FAULT_HUGE            "huge"

PieperSim  *pieper_sim_new                (void);

/* Configuration: call before or after start. */
void        pieper_sim_set_token          (PieperSim   *self,
                                           const char  *token);
void        pieper_sim_set_me             (PieperSim   *self,
                                           const char  *id,
                                           const char  *name,
                                           const char  *email);
void        pieper_sim_set_seed           (PieperSim   *self,
                                           guint32      seed);
void        pieper_sim_set_stall_seconds  (PieperSim   *self,
                                           double       seconds);
void        pieper_sim_set_huge_size      (PieperSim   *self,
                                           gsize        bytes);
void        pieper_sim_set_routing_key    (PieperSim   *self,
                                           const char  *routing_key);

/* Data. */
void        pieper_sim_add_incidents      (PieperSim   *self,
                                           guint        n);
guint       pieper_sim_get_n_incidents    (PieperSim   *self);
const char *pieper_sim_trigger            (PieperSim   *self,
                                           const char  *summary,
                                           const char  *service,
                                           const char  *urgency);
char       *pieper_sim_dup_incident_status (PieperSim  *self,
                                           const char  *incident_id);
/* For tests: a change that leaves no log entry, as if the change feed
 * missed it. */
gboolean    pieper_sim_set_status_unlogged (PieperSim  *self,
                                            const char *incident_id,
                                            const char *status);

/* Faults. */
gboolean    pieper_sim_set_fault          (PieperSim   *self,
                                           const char  *kind,
                                           double       rate,
                                           GError     **error);
void        pieper_sim_clear_faults       (PieperSim   *self);

/* Server. */
gboolean    pieper_sim_start              (PieperSim   *self,
                                           guint        port,
                                           GError     **error);
gboolean    pieper_sim_start_in_thread    (PieperSim   *self,
                                           guint        port,
                                           GError     **error);
guint       pieper_sim_get_port           (PieperSim   *self);
char       *pieper_sim_dup_url            (PieperSim   *self);
void        pieper_sim_stop               (PieperSim   *self);

/* The record of writes (every request that is not a GET or HEAD). */
guint       pieper_sim_count_writes       (PieperSim   *self,
                                           const char  *method,
                                           const char  *path_prefix);
guint       pieper_sim_count_all_writes   (PieperSim   *self,
                                           const char  *method,
                                           const char  *path_prefix);
JsonNode   *pieper_sim_dup_writes         (PieperSim   *self);
void        pieper_sim_reset_record       (PieperSim   *self);
guint       pieper_sim_get_n_requests     (PieperSim   *self);
guint       pieper_sim_count_connections  (PieperSim   *self);
/* Every API request, reads too; pieper_sim_reset_record() clears it. */
guint       pieper_sim_count_requests     (PieperSim   *self,
                                           const char  *method,
                                           const char  *path_prefix);

G_END_DECLS
