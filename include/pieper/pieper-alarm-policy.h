/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "pieper-incident.h"

G_BEGIN_DECLS

/**
 * PieperAlarmKind:
 * @PIEPER_ALARM_NOTIFY: a new page: show the incident's notification.
 * @PIEPER_ALARM_REALERT: the incident still pages and was not acted on
 *   within the re-alert interval: show its notification again.
 * @PIEPER_ALARM_WITHDRAW: stop paging: close the notification named by the
 *   key and stop its sound.
 * @PIEPER_ALARM_STORM_SUMMARY: show (or replace) the one notification that
 *   stands for an incident storm.
 * @PIEPER_ALARM_MISSED_SUMMARY: show (or replace) the one notification for
 *   the pages that began while Pieper was not watching.
 */
typedef enum
{
  PIEPER_ALARM_NOTIFY,
  PIEPER_ALARM_REALERT,
  PIEPER_ALARM_WITHDRAW,
  PIEPER_ALARM_STORM_SUMMARY,
  PIEPER_ALARM_MISSED_SUMMARY,
} PieperAlarmKind;

const char *pieper_alarm_kind_to_string (PieperAlarmKind kind);

/**
 * PieperAlarmDecision:
 * @kind: what to do
 * @key: the notification this is about: "incident-<id>" for one incident,
 *   "storm" or "missed" for a summary. Use it as the notification id, so a
 *   re-alert or an updated summary replaces the notification it follows
 *   and a withdrawal closes it.
 * @incident_id: the incident's store id; 0 for a summary
 * @incident: (nullable): the incident as last given to the policy; %NULL
 *   for a summary
 * @incident_ids: for a summary, the store ids (gint64) of every incident
 *   it stands for now, oldest page first; %NULL otherwise
 * @critical: a high-urgency page: show it with critical urgency, which
 *   stays on screen and is shown through Do Not Disturb
 * @sound: play the alarm sound now (never without @critical); both are
 *   %FALSE for a withdrawal
 * @since: for a missed-page summary, when Pieper stopped watching (unix
 *   seconds; 0 when unknown); 0 otherwise
 *
 * One thing for the application to do. Read-only.
 */
typedef struct
{
  PieperAlarmKind  kind;
  char            *key;
  gint64           incident_id;
  PieperIncident  *incident;
  GArray          *incident_ids;
  gboolean         critical;
  gboolean         sound;
  gint64           since;
} PieperAlarmDecision;

#define PIEPER_TYPE_ALARM_DECISION (pieper_alarm_decision_get_type ())
GType                pieper_alarm_decision_get_type (void) G_GNUC_CONST;
PieperAlarmDecision *pieper_alarm_decision_copy     (const PieperAlarmDecision *decision);
void                 pieper_alarm_decision_free     (PieperAlarmDecision       *decision);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PieperAlarmDecision, pieper_alarm_decision_free)

#define PIEPER_TYPE_ALARM_POLICY (pieper_alarm_policy_get_type ())
G_DECLARE_FINAL_TYPE (PieperAlarmPolicy, pieper_alarm_policy, PIEPER, ALARM_POLICY, GObject)

/**
 * PieperAlarmPolicy:
 *
 * Which incidents page the responder, and when to alert again: pure logic,
 * with no timers and no I/O. The caller feeds it the effective incidents
 * and the time, and does what the returned decisions say. Every time is
 * unix seconds (UTC), like the incidents' own times. The rules are at the
 * top of pieper-alarm-policy.c.
 *
 * The settings are also properties ("realert-interval", "dnd-override",
 * "quiet-hours-enabled", "quiet-hours-start", "quiet-hours-end"), so they
 * can be bound to GSettings keys.
 */
PieperAlarmPolicy *pieper_alarm_policy_new                  (void);

/* Who "me" is on an account's server. With no user id and no name (a token
 * without a user), every triggered incident of that account pages. */
void               pieper_alarm_policy_set_me               (PieperAlarmPolicy *self,
                                                             gint64             account_id,
                                                             const char        *user_id,
                                                             const char        *user_name);
/* The responder is on call at @level of @escalation_policy, so the
 * incidents at that level page even when their assignees do not name
 * the responder. */
void               pieper_alarm_policy_set_on_call          (PieperAlarmPolicy *self,
                                                             gint64             account_id,
                                                             const char        *escalation_policy,
                                                             int                level,
                                                             gboolean           on_call);

/* Minutes between re-alerts of an unanswered high-urgency page (default
 * 2); 0 alerts once. */
void               pieper_alarm_policy_set_realert_interval (PieperAlarmPolicy *self,
                                                             guint              minutes);
guint              pieper_alarm_policy_get_realert_interval (PieperAlarmPolicy *self);
/* Minutes of the day, 0 to 1439, local time; @end before @start spans
 * midnight, and @start equal to @end is no quiet hours at all. Off by
 * default (22:00 to 07:00 when switched on). */
void               pieper_alarm_policy_set_quiet_hours      (PieperAlarmPolicy *self,
                                                             guint              start_minute,
                                                             guint              end_minute,
                                                             gboolean           enabled);
/* The zone quiet hours are read in; %NULL for the local one (the default). */
void               pieper_alarm_policy_set_time_zone        (PieperAlarmPolicy *self,
                                                             GTimeZone         *time_zone);
/* Whether high-urgency pages are shown (and sound) during Do Not Disturb;
 * on by default. */
void               pieper_alarm_policy_set_dnd_override     (PieperAlarmPolicy *self,
                                                             gboolean           dnd_override);
gboolean           pieper_alarm_policy_get_dnd_override     (PieperAlarmPolicy *self);
/* @n_pages new pages within @window_seconds are a storm, shown as one
 * summary (default 5 in 60 s); 0 pages never coalesces. */
void               pieper_alarm_policy_set_storm_threshold  (PieperAlarmPolicy *self,
                                                             guint              n_pages,
                                                             guint              window_seconds);

/* Pieper was not watching since @asleep_since (suspended, offline, not
 * running; 0 when unknown). The new pages of the next update are reported
 * as one missed-page summary. */
void               pieper_alarm_policy_resume               (PieperAlarmPolicy *self,
                                                             gint64             asleep_since);

/* Feeds the effective incidents (as read from the store, so with their
 * store ids; every incident the responder could be paged for, at least the
 * triggered ones) and the time. Returns what to do: an array of
 * PieperAlarmDecision, possibly empty. */
GPtrArray         *pieper_alarm_policy_update               (PieperAlarmPolicy *self,
                                                             GPtrArray         *incidents,
                                                             gint64             now,
                                                             gboolean           dnd_active);
/* When to call update again though nothing else changed (a re-alert, the
 * end of quiet hours or of a snooze): unix seconds, never before @now, or
 * 0 when nothing is due. Changes of Do Not Disturb, of the settings and of
 * the store call for an update of their own. */
gint64             pieper_alarm_policy_next_wakeup          (PieperAlarmPolicy *self,
                                                             gint64             now);
/* Whether the incident pages the responder now, shown or held back (by
 * quiet hours or Do Not Disturb). */
gboolean           pieper_alarm_policy_is_paging            (PieperAlarmPolicy *self,
                                                             gint64             incident_id);

G_END_DECLS
