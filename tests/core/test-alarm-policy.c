/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <pieper.h>

/*
 * The alarm rules at the top of src/core/pieper-alarm-policy.c, with a fake
 * clock: every time is a plain number of unix seconds, and "the store" is
 * an array of incidents the test edits between updates.
 */

/* Thursday 15 January 2026, 12:00:00 UTC. */
#define T0 G_GINT64_CONSTANT (1768478400)
#define MINUTE 60

#define ME_ID   "PME"
#define ME_NAME "Mia Example"

typedef struct
{
  PieperAlarmPolicy *policy;
  GPtrArray         *incidents;
  GPtrArray         *decisions;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  f->policy = pieper_alarm_policy_new ();
  pieper_alarm_policy_set_time_zone (f->policy, utc);
  pieper_alarm_policy_set_me (f->policy, 1, ME_ID, ME_NAME);
  f->incidents = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->decisions, g_ptr_array_unref);
  g_clear_pointer (&f->incidents, g_ptr_array_unref);
  g_clear_object (&f->policy);
}

/* A triggered incident of account 1, assigned to me. */
static PieperIncident *
add (Fixture       *f,
     gint64         id,
     PieperUrgency  urgency)
{
  g_autofree char *remote_id = g_strdup_printf ("P%" G_GINT64_FORMAT, id);
  const char * const ids[] = { ME_ID, NULL };
  const char * const names[] = { ME_NAME, NULL };
  PieperIncident *incident = pieper_incident_new (remote_id);

  pieper_incident_set_id (incident, id);
  pieper_incident_set_account_id (incident, 1);
  pieper_incident_set_number (incident, id);
  pieper_incident_set_title (incident, remote_id);
  pieper_incident_set_status (incident, PIEPER_STATUS_TRIGGERED);
  pieper_incident_set_urgency (incident, urgency);
  pieper_incident_set_escalation_policy (incident, "Ops");
  pieper_incident_set_escalation_level (incident, 1);
  pieper_incident_set_assignee_ids (incident, ids);
  pieper_incident_set_assignees (incident, names);
  pieper_incident_set_created_at (incident, T0 - 10);
  pieper_incident_set_last_status_change_at (incident, T0 - 10);
  g_ptr_array_add (f->incidents, incident);

  return incident;
}

static PieperIncident *
get (Fixture *f,
     gint64   id)
{
  for (guint i = 0; i < f->incidents->len; i++)
    {
      PieperIncident *incident = g_ptr_array_index (f->incidents, i);

      if (pieper_incident_get_id (incident) == id)
        return incident;
    }

  g_assert_not_reached ();
}

static void
set_status (Fixture      *f,
            gint64        id,
            PieperStatus  status)
{
  pieper_incident_set_status (get (f, id), status);
}

static void
assign (Fixture    *f,
        gint64      id,
        const char *user_id,
        const char *user_name)
{
  const char * const ids[] = { user_id, NULL };
  const char * const names[] = { user_name, NULL };

  pieper_incident_set_assignee_ids (get (f, id), ids);
  pieper_incident_set_assignees (get (f, id), names);
}

/* What the decisions say, in one line: "notify 1 loud, withdraw 2". A
 * summary shows its kind and its number of incidents; "loud" is critical
 * with sound, "critical" without, "quiet" neither. */
static char *
describe (GPtrArray *decisions)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < decisions->len; i++)
    {
      PieperAlarmDecision *d = g_ptr_array_index (decisions, i);

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, pieper_alarm_kind_to_string (d->kind));

      switch (d->kind)
        {
        case PIEPER_ALARM_WITHDRAW:
          if (d->incident_id != 0)
            g_string_append_printf (out, " %" G_GINT64_FORMAT, d->incident_id);
          else
            g_string_append_printf (out, " %s", d->key);
          continue;

        case PIEPER_ALARM_STORM_SUMMARY:
        case PIEPER_ALARM_MISSED_SUMMARY:
          g_assert_nonnull (d->incident_ids);
          g_assert_null (d->incident);
          g_string_append_printf (out, " %u", d->incident_ids->len);
          break;

        case PIEPER_ALARM_NOTIFY:
        case PIEPER_ALARM_REALERT:
        default:
          g_assert_nonnull (d->incident);
          g_assert_cmpint (pieper_incident_get_id (d->incident), ==, d->incident_id);
          g_string_append_printf (out, " %" G_GINT64_FORMAT, d->incident_id);
          break;
        }

      g_assert_true (!d->sound || d->critical);
      if (d->critical && d->sound)
        g_string_append (out, " loud");
      else if (d->critical)
        g_string_append (out, " critical");
      else
        g_string_append (out, " quiet");
    }

  return g_string_free (out, FALSE);
}

static GPtrArray *
run_dnd (Fixture  *f,
         gint64    now,
         gboolean  dnd)
{
  g_clear_pointer (&f->decisions, g_ptr_array_unref);
  f->decisions = pieper_alarm_policy_update (f->policy, f->incidents, now, dnd);
  g_assert_nonnull (f->decisions);

  return f->decisions;
}

#define assert_update_dnd(f, now, dnd, expected) G_STMT_START {  \
    g_autofree char *said = describe (run_dnd ((f), (now), (dnd))); \
    g_assert_cmpstr (said, ==, (expected));                       \
  } G_STMT_END
#define assert_update(f, now, expected) assert_update_dnd ((f), (now), FALSE, (expected))

static PieperAlarmDecision *
decision (Fixture *f,
          guint    index)
{
  g_assert_cmpuint (index, <, f->decisions->len);
  return g_ptr_array_index (f->decisions, index);
}

/* New pages, and the end of them */

static void
test_new_page_loud (Fixture       *f,
                    gconstpointer  data)
{
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0), ==, 0);

  add (f, 1, PIEPER_URGENCY_HIGH);
  assert_update (f, T0, "notify 1 loud");
  g_assert_cmpstr (decision (f, 0)->key, ==, "incident-1");
  g_assert_true (pieper_alarm_policy_is_paging (f->policy, 1));

  /* The same state again is nothing new. */
  assert_update (f, T0 + 5, "");
  assert_update (f, T0 + 30, "");
}

static void
test_ack_elsewhere_withdraws_once (Fixture       *f,
                                   gconstpointer  data)
{
  add (f, 1, PIEPER_URGENCY_HIGH);
  add (f, 2, PIEPER_URGENCY_HIGH);
  add (f, 3, PIEPER_URGENCY_LOW);
  add (f, 4, PIEPER_URGENCY_HIGH);
  assert_update (f, T0, "notify 1 loud, notify 2 loud, notify 3 quiet, notify 4 loud");

  /* Acknowledged from another device, resolved on the server, snoozed here
   * (the rebase makes it acknowledged until then), gone from the store. */
  set_status (f, 1, PIEPER_STATUS_ACKNOWLEDGED);
  set_status (f, 2, PIEPER_STATUS_RESOLVED);
  set_status (f, 3, PIEPER_STATUS_ACKNOWLEDGED);
  pieper_incident_set_snoozed_until (get (f, 3), T0 + 60 * MINUTE);
  g_ptr_array_remove (f->incidents, get (f, 4));
  assert_update (f, T0 + 30, "withdraw 1, withdraw 2, withdraw 3, withdraw 4");
  g_assert_cmpstr (decision (f, 0)->key, ==, "incident-1");
  g_assert_cmpint (pieper_incident_get_status (decision (f, 0)->incident), ==,
                   PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_false (pieper_alarm_policy_is_paging (f->policy, 1));

  assert_update (f, T0 + 31, "");
  assert_update (f, T0 + 10 * MINUTE, "");
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 10 * MINUTE), ==, 0);

  /* Triggered again: a new page. */
  set_status (f, 1, PIEPER_STATUS_TRIGGERED);
  assert_update (f, T0 + 11 * MINUTE, "notify 1 loud");
}

/* Re-alerts */

static void
test_realert_timing (Fixture       *f,
                     gconstpointer  data)
{
  add (f, 1, PIEPER_URGENCY_HIGH);
  assert_update (f, T0, "notify 1 loud");
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0), ==, T0 + 2 * MINUTE);

  assert_update (f, T0 + 2 * MINUTE - 1, "");
  assert_update (f, T0 + 2 * MINUTE, "realert 1 loud");
  g_assert_cmpstr (decision (f, 0)->key, ==, "incident-1");
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 2 * MINUTE), ==,
                   T0 + 4 * MINUTE);
  assert_update (f, T0 + 4 * MINUTE - 1, "");
  assert_update (f, T0 + 4 * MINUTE, "realert 1 loud");

  /* A late update: the next one counts from the re-alert it made. */
  assert_update (f, T0 + 6 * MINUTE + 30, "realert 1 loud");
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 6 * MINUTE + 30), ==,
                   T0 + 8 * MINUTE + 30);

  /* An overdue wakeup is now, never in the past. */
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 9 * MINUTE), ==,
                   T0 + 9 * MINUTE);

  /* A second page keeps its own rhythm. */
  add (f, 2, PIEPER_URGENCY_HIGH);
  assert_update (f, T0 + 7 * MINUTE, "notify 2 loud");
  assert_update (f, T0 + 8 * MINUTE + 30, "realert 1 loud");
  assert_update (f, T0 + 9 * MINUTE, "realert 2 loud");

  /* A clock that went back does not hold re-alerts back for longer than
   * one interval. */
  assert_update (f, T0 + 5 * MINUTE, "");
  assert_update (f, T0 + 7 * MINUTE, "realert 1 loud, realert 2 loud");

  set_status (f, 1, PIEPER_STATUS_ACKNOWLEDGED);
  set_status (f, 2, PIEPER_STATUS_ACKNOWLEDGED);
  assert_update (f, T0 + 8 * MINUTE, "withdraw 1, withdraw 2");
  assert_update (f, T0 + 20 * MINUTE, "");
}

static void
test_realert_interval_change (Fixture       *f,
                              gconstpointer  data)
{
  g_assert_cmpuint (pieper_alarm_policy_get_realert_interval (f->policy), ==, 2);

  add (f, 1, PIEPER_URGENCY_HIGH);
  assert_update (f, T0, "notify 1 loud");

  pieper_alarm_policy_set_realert_interval (f->policy, 5);
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 1), ==, T0 + 5 * MINUTE);
  assert_update (f, T0 + 2 * MINUTE, "");
  assert_update (f, T0 + 5 * MINUTE - 1, "");
  assert_update (f, T0 + 5 * MINUTE, "realert 1 loud");

  /* As a property too, the way GSettings binds it. */
  g_object_set (f->policy, "realert-interval", 1, NULL);
  g_assert_cmpuint (pieper_alarm_policy_get_realert_interval (f->policy), ==, 1);
  assert_update (f, T0 + 6 * MINUTE, "realert 1 loud");

  /* 0 alerts once. */
  pieper_alarm_policy_set_realert_interval (f->policy, 0);
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 6 * MINUTE), ==, 0);
  assert_update (f, T0 + 60 * MINUTE, "");
  add (f, 2, PIEPER_URGENCY_HIGH);
  assert_update (f, T0 + 61 * MINUTE, "notify 2 loud");
  assert_update (f, T0 + 90 * MINUTE, "");
}

static void
test_low_urgency_quiet_once (Fixture       *f,
                             gconstpointer  data)
{
  add (f, 1, PIEPER_URGENCY_LOW);
  assert_update (f, T0, "notify 1 quiet");
  g_assert_false (decision (f, 0)->sound);
  g_assert_false (decision (f, 0)->critical);
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0), ==, 0);

  assert_update (f, T0 + 2 * MINUTE, "");
  assert_update (f, T0 + 60 * MINUTE, "");
  g_assert_true (pieper_alarm_policy_is_paging (f->policy, 1));

  /* Raised to high urgency: loud at once, then every interval. */
  pieper_incident_set_urgency (get (f, 1), PIEPER_URGENCY_HIGH);
  assert_update (f, T0 + 61 * MINUTE, "realert 1 loud");
  assert_update (f, T0 + 63 * MINUTE, "realert 1 loud");

  set_status (f, 1, PIEPER_STATUS_RESOLVED);
  assert_update (f, T0 + 64 * MINUTE, "withdraw 1");
}

/* Quiet hours and Do Not Disturb */

static void
test_quiet_hours_over_midnight (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GTimeZone) amsterdam = g_time_zone_new_identifier ("Europe/Amsterdam");
  /* 15 January, 22:30 in Amsterdam (CET, UTC+1). */
  gint64 evening = T0 + 9 * 60 * MINUTE + 30 * MINUTE;
  /* 16 January, 07:00 in Amsterdam. */
  gint64 morning = T0 + 18 * 60 * MINUTE;

  g_assert_nonnull (amsterdam);
  pieper_alarm_policy_set_time_zone (f->policy, amsterdam);
  pieper_alarm_policy_set_quiet_hours (f->policy, 22 * 60, 7 * 60, TRUE);
  pieper_alarm_policy_set_realert_interval (f->policy, 0);

  /* 21:30 in Amsterdam: not yet. */
  add (f, 1, PIEPER_URGENCY_LOW);
  assert_update (f, evening - 60 * MINUTE, "notify 1 quiet");

  /* Low urgency is held back: it pages, but is not shown. */
  add (f, 2, PIEPER_URGENCY_LOW);
  assert_update (f, evening, "");
  g_assert_true (pieper_alarm_policy_is_paging (f->policy, 2));
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, evening), ==, morning);

  /* High urgency is not. */
  add (f, 3, PIEPER_URGENCY_HIGH);
  assert_update (f, evening + 1, "notify 3 loud");

  /* Past midnight, still quiet; one held page ends before morning. */
  add (f, 4, PIEPER_URGENCY_LOW);
  assert_update (f, evening + 3 * 60 * MINUTE, "");
  set_status (f, 4, PIEPER_STATUS_ACKNOWLEDGED);
  assert_update (f, evening + 4 * 60 * MINUTE, "");
  assert_update (f, morning - 1, "");
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, morning - 1), ==, morning);

  /* 07:00: the held page still paging is shown, quietly. */
  assert_update (f, morning, "notify 2 quiet");
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, morning), ==, 0);

  /* Switching quiet hours off lets held pages out at the next update. */
  add (f, 5, PIEPER_URGENCY_LOW);
  assert_update (f, evening + 24 * 60 * MINUTE, "");
  g_object_set (f->policy, "quiet-hours-enabled", FALSE, NULL);
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, evening + 24 * 60 * MINUTE + 5), ==,
                   evening + 24 * 60 * MINUTE + 5);
  assert_update (f, evening + 24 * 60 * MINUTE + 5, "notify 5 quiet");
}

static void
test_quiet_hours_daytime (Fixture       *f,
                          gconstpointer  data)
{
  /* 12:00 to 13:00 UTC, within one day. */
  pieper_alarm_policy_set_quiet_hours (f->policy, 12 * 60, 13 * 60, TRUE);

  add (f, 1, PIEPER_URGENCY_LOW);
  assert_update (f, T0 - 1, "notify 1 quiet");
  add (f, 2, PIEPER_URGENCY_LOW);
  assert_update (f, T0, "");
  assert_update (f, T0 + 59 * MINUTE, "");
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0), ==, T0 + 60 * MINUTE);
  assert_update (f, T0 + 60 * MINUTE, "notify 2 quiet");

  /* Start equal to end is no quiet hours at all. */
  pieper_alarm_policy_set_quiet_hours (f->policy, 12 * 60, 12 * 60, TRUE);
  add (f, 3, PIEPER_URGENCY_LOW);
  assert_update (f, T0 + 24 * 60 * MINUTE, "notify 3 quiet");
}

static void
test_quiet_hours_dst (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GTimeZone) amsterdam = g_time_zone_new_identifier ("Europe/Amsterdam");
  /* Sunday 29 March 2026, 00:00 UTC, 01:00 CET; at 02:00 CET the clocks
   * go to 03:00 CEST, so 02:30 does not exist that night. */
  gint64 night = G_GINT64_CONSTANT (1774742400);

  pieper_alarm_policy_set_time_zone (f->policy, amsterdam);
  pieper_alarm_policy_set_quiet_hours (f->policy, 22 * 60, 2 * 60 + 30, TRUE);

  add (f, 1, PIEPER_URGENCY_LOW);
  assert_update (f, night, "");
  /* Quiet hours end when the clock leaves them: 03:00 CEST, 01:00 UTC. */
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, night), ==, night + 60 * MINUTE);
  assert_update (f, night + 60 * MINUTE - 1, "");
  assert_update (f, night + 60 * MINUTE, "notify 1 quiet");
}

static void
test_dnd_override_on (Fixture       *f,
                      gconstpointer  data)
{
  g_assert_true (pieper_alarm_policy_get_dnd_override (f->policy));

  add (f, 1, PIEPER_URGENCY_HIGH);
  add (f, 2, PIEPER_URGENCY_LOW);
  assert_update_dnd (f, T0, TRUE, "notify 1 loud");
  g_assert_true (decision (f, 0)->critical);
  g_assert_true (pieper_alarm_policy_is_paging (f->policy, 2));
  /* The held low page waits for Do Not Disturb to end, not for a time. */
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0), ==, T0 + 2 * MINUTE);

  assert_update_dnd (f, T0 + 2 * MINUTE, TRUE, "realert 1 loud");
  assert_update_dnd (f, T0 + 3 * MINUTE, FALSE, "notify 2 quiet");
}

static void
test_dnd_override_off (Fixture       *f,
                       gconstpointer  data)
{
  g_object_set (f->policy, "dnd-override", FALSE, NULL);
  g_assert_false (pieper_alarm_policy_get_dnd_override (f->policy));

  add (f, 1, PIEPER_URGENCY_HIGH);
  assert_update (f, T0, "notify 1 loud");

  /* Do Not Disturb: no re-alert, and a new page is held, not lost. */
  assert_update_dnd (f, T0 + 1 * MINUTE, TRUE, "");
  add (f, 2, PIEPER_URGENCY_HIGH);
  add (f, 3, PIEPER_URGENCY_LOW);
  assert_update_dnd (f, T0 + 90, TRUE, "");
  g_assert_true (pieper_alarm_policy_is_paging (f->policy, 2));
  assert_update_dnd (f, T0 + 3 * MINUTE, TRUE, "");
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 3 * MINUTE), ==, 0);

  /* One of them ends while held: it was never shown, so nothing to
   * withdraw. */
  add (f, 4, PIEPER_URGENCY_HIGH);
  assert_update_dnd (f, T0 + 4 * MINUTE, TRUE, "");
  set_status (f, 4, PIEPER_STATUS_ACKNOWLEDGED);
  assert_update_dnd (f, T0 + 4 * MINUTE + 1, TRUE, "");

  /* Do Not Disturb ends: the held pages are shown, the overdue re-alert
   * comes at once. */
  assert_update (f, T0 + 5 * MINUTE, "notify 2 loud, notify 3 quiet, realert 1 loud");
  assert_update (f, T0 + 7 * MINUTE, "realert 1 loud, realert 2 loud");
}

/* Storms */

static void
test_storm_batch (Fixture       *f,
                  gconstpointer  data)
{
  PieperAlarmDecision *summary;

  for (gint64 id = 1; id <= 50; id++)
    add (f, id, id % 2 ? PIEPER_URGENCY_HIGH : PIEPER_URGENCY_LOW);
  assert_update (f, T0, "storm-summary 50 loud");
  summary = decision (f, 0);
  g_assert_cmpstr (summary->key, ==, "storm");
  g_assert_cmpint (summary->incident_id, ==, 0);
  for (guint i = 0; i < 50; i++)
    g_assert_cmpint (g_array_index (summary->incident_ids, gint64, i), ==, i + 1);

  /* More of the same storm: the summary is replaced without a sound. */
  for (gint64 id = 51; id <= 60; id++)
    add (f, id, PIEPER_URGENCY_HIGH);
  assert_update (f, T0 + 30, "storm-summary 60 critical");
  assert_update (f, T0 + 31, "");

  /* The summary re-alerts, its members do not. */
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 31), ==, T0 + 2 * MINUTE);
  assert_update (f, T0 + 2 * MINUTE, "storm-summary 60 loud");

  /* Members that end are withdrawn and the summary follows, silently. */
  set_status (f, 1, PIEPER_STATUS_ACKNOWLEDGED);
  set_status (f, 2, PIEPER_STATUS_RESOLVED);
  assert_update (f, T0 + 3 * MINUTE, "withdraw 1, withdraw 2, storm-summary 58 critical");

  /* The last one closes it. */
  for (gint64 id = 3; id <= 60; id++)
    set_status (f, id, PIEPER_STATUS_RESOLVED);
  run_dnd (f, T0 + 4 * MINUTE, FALSE);
  g_assert_cmpuint (f->decisions->len, ==, 59);
  for (guint i = 0; i < 58; i++)
    g_assert_cmpint (decision (f, i)->kind, ==, PIEPER_ALARM_WITHDRAW);
  g_assert_cmpint (decision (f, 58)->kind, ==, PIEPER_ALARM_WITHDRAW);
  g_assert_cmpstr (decision (f, 58)->key, ==, "storm");
  g_assert_cmpint (decision (f, 58)->incident_id, ==, 0);
  for (gint64 id = 1; id <= 60; id++)
    g_assert_false (pieper_alarm_policy_is_paging (f->policy, id));
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 4 * MINUTE), ==, 0);

  /* Calm again: the next page is a page of its own. */
  add (f, 61, PIEPER_URGENCY_HIGH);
  assert_update (f, T0 + 5 * MINUTE, "notify 61 loud");
}

static void
test_storm_trickle (Fixture       *f,
                    gconstpointer  data)
{
  /* Four pages in a minute are shown one by one; the fifth makes a storm. */
  for (gint64 id = 1; id <= 4; id++)
    {
      g_autofree char *expected = g_strdup_printf ("notify %" G_GINT64_FORMAT " loud", id);

      add (f, id, PIEPER_URGENCY_HIGH);
      assert_update (f, T0 + 10 * (id - 1), expected);
    }
  add (f, 5, PIEPER_URGENCY_HIGH);
  assert_update (f, T0 + 40, "storm-summary 1 loud");

  /* While the storm lasts, new pages join it... */
  add (f, 6, PIEPER_URGENCY_LOW);
  assert_update (f, T0 + 50, "storm-summary 2 critical");

  /* ... a page a minute after the last one that joined is its own again. */
  add (f, 7, PIEPER_URGENCY_HIGH);
  assert_update (f, T0 + 110, "notify 7 loud");

  /* The pages shown one by one re-alert on their own; the summary as one. */
  assert_update (f, T0 + 2 * MINUTE, "realert 1 loud");
  assert_update (f, T0 + 2 * MINUTE + 30, "realert 2 loud, realert 3 loud, realert 4 loud");
  assert_update (f, T0 + 2 * MINUTE + 40, "storm-summary 2 loud");

  /* Coalescing switched off: a batch is shown page by page. */
  pieper_alarm_policy_set_storm_threshold (f->policy, 0, 60);
  for (gint64 id = 8; id <= 9; id++)
    add (f, id, PIEPER_URGENCY_LOW);
  assert_update (f, T0 + 2 * MINUTE + 41, "notify 8 quiet, notify 9 quiet");
}

static void
test_storm_memory_bounded (Fixture       *f,
                           gconstpointer  data)
{
  gint64 now = T0;
  gint64 id = 0;

  pieper_alarm_policy_set_realert_interval (f->policy, 0);

  /* Hour after hour of storms, each page resolved a minute later: the
   * summary never holds more than the pages still open. */
  for (int round = 0; round < 200; round++, now += 10)
    {
      for (int i = 0; i < 10; i++)
        add (f, ++id, PIEPER_URGENCY_HIGH);

      run_dnd (f, now, FALSE);
      for (guint i = 0; i < f->decisions->len; i++)
        {
          PieperAlarmDecision *d = decision (f, i);

          g_assert_cmpint (d->kind, !=, PIEPER_ALARM_NOTIFY);
          if (d->kind == PIEPER_ALARM_STORM_SUMMARY)
            g_assert_cmpuint (d->incident_ids->len, <=, 70);
        }

      /* Resolve and forget the pages of six updates ago. */
      while (f->incidents->len > 60)
        g_ptr_array_remove_index (f->incidents, 0);
    }

  run_dnd (f, now, FALSE);
  for (gint64 old = 1; old <= id; old++)
    g_assert_cmpint (pieper_alarm_policy_is_paging (f->policy, old), ==, old > id - 60);
}

/* Missed pages */

static void
test_missed_summary (Fixture       *f,
                     gconstpointer  data)
{
  PieperAlarmDecision *summary;

  add (f, 1, PIEPER_URGENCY_HIGH);
  assert_update (f, T0, "notify 1 loud");

  /* Asleep from T0 + 1 min; three pages came in meanwhile. */
  add (f, 2, PIEPER_URGENCY_LOW);
  add (f, 3, PIEPER_URGENCY_HIGH);
  add (f, 4, PIEPER_URGENCY_LOW);
  pieper_incident_set_last_status_change_at (get (f, 3), T0 + 30 * MINUTE);
  pieper_incident_set_last_status_change_at (get (f, 4), T0 + 10 * MINUTE);
  pieper_alarm_policy_resume (f->policy, T0 + MINUTE);
  assert_update (f, T0 + 60 * MINUTE, "realert 1 loud, missed-summary 3 loud");
  summary = decision (f, 1);
  g_assert_cmpstr (summary->key, ==, "missed");
  g_assert_cmpint (summary->since, ==, T0 + MINUTE);
  /* Oldest page first. */
  g_assert_cmpint (g_array_index (summary->incident_ids, gint64, 0), ==, 2);
  g_assert_cmpint (g_array_index (summary->incident_ids, gint64, 1), ==, 4);
  g_assert_cmpint (g_array_index (summary->incident_ids, gint64, 2), ==, 3);

  /* Awake again: a new page is an ordinary page. */
  add (f, 5, PIEPER_URGENCY_HIGH);
  assert_update (f, T0 + 61 * MINUTE, "notify 5 loud");

  /* The summary re-alerts while a high-urgency page in it is open. */
  assert_update (f, T0 + 62 * MINUTE, "realert 1 loud, missed-summary 3 loud");
  set_status (f, 3, PIEPER_STATUS_ACKNOWLEDGED);
  assert_update (f, T0 + 63 * MINUTE, "withdraw 3, realert 5 loud, missed-summary 2 quiet");
  assert_update (f, T0 + 70 * MINUTE, "realert 1 loud, realert 5 loud");

  set_status (f, 2, PIEPER_STATUS_RESOLVED);
  set_status (f, 4, PIEPER_STATUS_RESOLVED);
  assert_update (f, T0 + 71 * MINUTE, "withdraw 2, withdraw 4, withdraw missed");

  /* A resume with nothing new says nothing. */
  pieper_alarm_policy_resume (f->policy, 0);
  assert_update (f, T0 + 72 * MINUTE, "realert 1 loud, realert 5 loud");
}

static void
test_missed_held_by_quiet_hours (Fixture       *f,
                                 gconstpointer  data)
{
  /* 11:00 to 13:00 UTC; no re-alerts, to see the summary change alone. */
  pieper_alarm_policy_set_quiet_hours (f->policy, 11 * 60, 13 * 60, TRUE);
  pieper_alarm_policy_set_realert_interval (f->policy, 0);

  add (f, 1, PIEPER_URGENCY_LOW);
  add (f, 2, PIEPER_URGENCY_HIGH);
  pieper_alarm_policy_resume (f->policy, 0);
  assert_update (f, T0, "missed-summary 1 loud");
  g_assert_cmpint (decision (f, 0)->since, ==, 0);

  /* The low page joins the summary when quiet hours end. */
  assert_update (f, T0 + 60 * MINUTE, "missed-summary 2 critical");
}

/* Snooze */

static void
test_snooze (Fixture       *f,
             gconstpointer  data)
{
  /* Triggered, but snoozed here until T0 + 10 min. */
  add (f, 1, PIEPER_URGENCY_HIGH);
  pieper_incident_set_snoozed_until (get (f, 1), T0 + 10 * MINUTE);
  assert_update (f, T0, "");
  g_assert_false (pieper_alarm_policy_is_paging (f->policy, 1));
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0), ==, T0 + 10 * MINUTE);
  assert_update (f, T0 + 10 * MINUTE - 1, "");
  assert_update (f, T0 + 10 * MINUTE, "notify 1 loud");

  /* Snoozed while paging (acknowledged until then): withdrawn, and a new
   * page when the server triggers it again. */
  set_status (f, 1, PIEPER_STATUS_ACKNOWLEDGED);
  pieper_incident_set_snoozed_until (get (f, 1), T0 + 40 * MINUTE);
  assert_update (f, T0 + 11 * MINUTE, "withdraw 1");
  assert_update (f, T0 + 39 * MINUTE, "");
  set_status (f, 1, PIEPER_STATUS_TRIGGERED);
  assert_update (f, T0 + 40 * MINUTE, "notify 1 loud");
}

/* Whose page */

static void
test_assigned_elsewhere (Fixture       *f,
                         gconstpointer  data)
{
  const char * const none[] = { NULL };

  add (f, 1, PIEPER_URGENCY_HIGH);
  assign (f, 1, "POTHER", "Otto Other");
  /* By name only (a server without ids). */
  add (f, 2, PIEPER_URGENCY_HIGH);
  pieper_incident_set_assignee_ids (get (f, 2), none);
  /* By id only. */
  add (f, 3, PIEPER_URGENCY_HIGH);
  pieper_incident_set_assignees (get (f, 3), none);
  /* Nobody's (an Alertmanager alert). */
  add (f, 4, PIEPER_URGENCY_HIGH);
  assign (f, 4, NULL, NULL);
  /* One of several. */
  add (f, 5, PIEPER_URGENCY_HIGH);
  {
    const char * const ids[] = { "POTHER", ME_ID, NULL };

    pieper_incident_set_assignee_ids (get (f, 5), ids);
  }
  assert_update (f, T0, "notify 2 loud, notify 3 loud, notify 4 loud, notify 5 loud");

  /* Reassigned away (here or on the server): withdrawn. */
  assign (f, 2, "POTHER", "Otto Other");
  assert_update (f, T0 + 61, "withdraw 2");
  /* Reassigned to me: a page (a minute later, so no storm). */
  assign (f, 1, ME_ID, ME_NAME);
  assert_update (f, T0 + 62, "notify 1 loud");
}

static void
test_me_unknown (Fixture       *f,
                 gconstpointer  data)
{
  /* Account 2 has no user (a token without one), so everything pages. */
  add (f, 1, PIEPER_URGENCY_HIGH);
  pieper_incident_set_account_id (get (f, 1), 2);
  assign (f, 1, "POTHER", "Otto Other");
  assert_update (f, T0, "notify 1 loud");

  /* Learning who "me" is takes it away. */
  pieper_alarm_policy_set_me (f->policy, 2, "PME2", NULL);
  assert_update (f, T0 + 10, "withdraw 1");

  /* And forgetting brings it back. */
  pieper_alarm_policy_set_me (f->policy, 2, NULL, "");
  assert_update (f, T0 + 20, "notify 1 loud");
}

static void
test_escalated (Fixture       *f,
                gconstpointer  data)
{
  add (f, 1, PIEPER_URGENCY_HIGH);
  add (f, 2, PIEPER_URGENCY_HIGH);
  add (f, 3, PIEPER_URGENCY_HIGH);
  assert_update (f, T0, "notify 1 loud, notify 2 loud, notify 3 loud");

  /* Escalated here, not sent yet (offline): the rebase raised the level
   * and left the assignees. It stops paging me, and stays stopped. */
  pieper_incident_set_escalation_level (get (f, 1), 2);
  pieper_incident_set_pending (get (f, 1), 1);
  assert_update (f, T0 + 10, "withdraw 1");
  assert_update (f, T0 + 5 * MINUTE, "realert 2 loud, realert 3 loud");
  g_assert_false (pieper_alarm_policy_is_paging (f->policy, 1));

  /* The server took it and assigned level 2: not mine. */
  pieper_incident_set_pending (get (f, 1), 0);
  assign (f, 1, "POTHER", "Otto Other");
  assert_update (f, T0 + 6 * MINUTE, "");

  /* Escalated by the server to someone else: withdrawn. */
  pieper_incident_set_escalation_level (get (f, 2), 2);
  assign (f, 2, "POTHER", "Otto Other");
  assert_update (f, T0 + 6 * MINUTE + 1, "withdraw 2");

  /* Escalated here, and the server says I am on level 2 as well: a page
   * again, as the server pages me. */
  pieper_incident_set_escalation_level (get (f, 3), 2);
  pieper_incident_set_pending (get (f, 3), 1);
  assert_update (f, T0 + 6 * MINUTE + 2, "withdraw 3");
  pieper_incident_set_pending (get (f, 3), 0);
  assert_update (f, T0 + 6 * MINUTE + 3, "notify 3 loud");

  /* On call at level 2 of "Ops": pages whoever it is assigned to. */
  pieper_alarm_policy_set_on_call (f->policy, 1, "Ops", 2, TRUE);
  assert_update (f, T0 + 6 * MINUTE + 4, "notify 1 loud, notify 2 loud");
  pieper_alarm_policy_set_on_call (f->policy, 1, "Ops", 2, FALSE);
  assert_update (f, T0 + 6 * MINUTE + 5, "withdraw 1, withdraw 2");
}

/* The wakeup the application sets its one timer to */

static void
test_next_wakeup (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0), ==, 0);

  add (f, 1, PIEPER_URGENCY_HIGH);
  assert_update (f, T0, "notify 1 loud");
  add (f, 2, PIEPER_URGENCY_HIGH);
  add (f, 3, PIEPER_URGENCY_HIGH);
  pieper_incident_set_snoozed_until (get (f, 3), T0 + 90);
  assert_update (f, T0 + 30, "notify 2 loud");

  /* The soonest of the re-alerts and the snooze's end. */
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 30), ==, T0 + 90);
  assert_update (f, T0 + 90, "notify 3 loud");
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 90), ==, T0 + 120);
  assert_update (f, T0 + 120, "realert 1 loud");
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 120), ==, T0 + 150);

  /* Following the wakeups alone gives every re-alert on time. */
  for (int i = 0; i < 6; i++)
    {
      gint64 at = pieper_alarm_policy_next_wakeup (f->policy, T0 + 120);
      g_free (describe (run_dnd (f, at, FALSE)));

      g_assert_cmpint ((at - T0) % 30, ==, 0);
      g_assert_cmpuint (f->decisions->len, ==, 1);
      g_assert_cmpint (decision (f, 0)->kind, ==, PIEPER_ALARM_REALERT);
    }

  for (gint64 id = 1; id <= 3; id++)
    set_status (f, id, PIEPER_STATUS_RESOLVED);
  assert_update (f, T0 + 20 * MINUTE, "withdraw 1, withdraw 2, withdraw 3");
  g_assert_cmpint (pieper_alarm_policy_next_wakeup (f->policy, T0 + 20 * MINUTE), ==, 0);
}

static void
test_decision_boxed (void)
{
  g_autoptr(PieperIncident) incident = pieper_incident_new ("P1");
  g_autoptr(PieperAlarmDecision) copy = NULL;
  PieperAlarmDecision decision = {
    .kind = PIEPER_ALARM_NOTIFY,
    .key = (char *) "incident-1",
    .incident_id = 1,
    .incident = incident,
    .critical = TRUE,
    .sound = TRUE,
  };

  g_assert_true (G_TYPE_IS_BOXED (PIEPER_TYPE_ALARM_DECISION));
  copy = pieper_alarm_decision_copy (&decision);
  g_assert_cmpstr (copy->key, ==, "incident-1");
  g_assert_true (copy->incident == incident);
  g_assert_null (copy->incident_ids);
  g_assert_cmpstr (pieper_alarm_kind_to_string (PIEPER_ALARM_MISSED_SUMMARY), ==, "missed-summary");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/alarm-policy/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("new-page-loud", test_new_page_loud);
  ADD ("ack-elsewhere-withdraws-once", test_ack_elsewhere_withdraws_once);
  ADD ("realert/timing", test_realert_timing);
  ADD ("realert/interval-change", test_realert_interval_change);
  ADD ("realert/low-urgency-once", test_low_urgency_quiet_once);
  ADD ("quiet-hours/over-midnight", test_quiet_hours_over_midnight);
  ADD ("quiet-hours/daytime", test_quiet_hours_daytime);
  ADD ("quiet-hours/dst", test_quiet_hours_dst);
  ADD ("dnd/override-on", test_dnd_override_on);
  ADD ("dnd/override-off", test_dnd_override_off);
  ADD ("storm/batch", test_storm_batch);
  ADD ("storm/trickle", test_storm_trickle);
  ADD ("storm/memory-bounded", test_storm_memory_bounded);
  ADD ("missed/summary", test_missed_summary);
  ADD ("missed/held-by-quiet-hours", test_missed_held_by_quiet_hours);
  ADD ("snooze", test_snooze);
  ADD ("whose/assigned-elsewhere", test_assigned_elsewhere);
  ADD ("whose/me-unknown", test_me_unknown);
  ADD ("whose/escalated", test_escalated);
  ADD ("next-wakeup", test_next_wakeup);
#undef ADD
  g_test_add_func ("/alarm-policy/decision-boxed", test_decision_boxed);

  return g_test_run ();
}
