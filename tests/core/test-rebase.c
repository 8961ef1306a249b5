/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "test-common.h"

/*
 * The rebase rules at the top of src/core/pieper-rebase.c, seen the way a
 * reader sees them: actions queued in the outbox, incidents read back from
 * the store.
 */

static PieperIncident *
effective (TestStore *ts,
           gint64     id)
{
  g_autoptr(GError) error = NULL;
  PieperIncident *incident = pieper_store_get_incident (ts->store, id, &error);

  g_assert_no_error (error);
  return incident;
}

static PieperIncident *
snapshot (TestStore *ts,
          gint64     id)
{
  g_autoptr(GError) error = NULL;
  PieperIncident *incident = pieper_store_get_snapshot (ts->store, id, &error);

  g_assert_no_error (error);
  return incident;
}

static void
assert_status (TestStore    *ts,
               gint64        id,
               PieperStatus  status,
               guint         pending)
{
  g_autoptr(PieperIncident) incident = effective (ts, id);

  g_assert_cmpstr (pieper_status_to_string (pieper_incident_get_status (incident)), ==,
                   pieper_status_to_string (status));
  g_assert_cmpuint (pieper_incident_get_pending (incident), ==, pending);
}

static PieperAction *
check_action (PieperAction *action,
              GError       *error)
{
  g_assert_no_error (error);
  g_assert_nonnull (action);
  return action;
}

#define QUEUE(call) G_STMT_START {                  \
    g_autoptr(GError) queue_error = NULL;           \
    g_autoptr(PieperAction) queued = NULL;          \
    queued = (call);                                \
    check_action (queued, queue_error);             \
  } G_STMT_END

static gint64
first_action_id (TestStore *ts)
{
  g_autoptr(GPtrArray) actions = NULL;
  g_autoptr(GError) error = NULL;

  actions = pieper_outbox_list (ts->outbox, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (actions->len, >, 0);

  return pieper_action_get_id (g_ptr_array_index (actions, 0));
}

/* Rules */

static void
test_acknowledge (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) raw = NULL;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_TRIGGERED, 100);

  QUEUE (pieper_outbox_acknowledge (ts->outbox, id, &queue_error));
  assert_status (ts, id, PIEPER_STATUS_ACKNOWLEDGED, 1);

  raw = snapshot (ts, id);
  g_assert_cmpint (pieper_incident_get_status (raw), ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpuint (pieper_incident_get_pending (raw), ==, 0);
}

static void
test_acknowledge_then_resolve (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_TRIGGERED, 100);

  QUEUE (pieper_outbox_acknowledge (ts->outbox, id, &queue_error));
  QUEUE (pieper_outbox_resolve (ts->outbox, id, &queue_error));
  assert_status (ts, id, PIEPER_STATUS_RESOLVED, 2);
}

static void
test_escalate_next (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperIncident) twice = NULL;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_ACKNOWLEDGED, 100);

  QUEUE (pieper_outbox_escalate (ts->outbox, id, 0, &queue_error));
  incident = effective (ts, id);
  g_assert_cmpint (pieper_incident_get_escalation_level (incident), ==, 2);
  /* The new level's responders are paged. */
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpuint (pieper_incident_get_pending (incident), ==, 1);

  /* Escalating again goes one further. */
  QUEUE (pieper_outbox_escalate (ts->outbox, id, 0, &queue_error));
  twice = effective (ts, id);
  g_assert_cmpint (pieper_incident_get_escalation_level (twice), ==, 3);
}

/* The server escalated by itself (a timeout) before "next" was sent: the
 * next level is the one after the server's, never a step back. */
static void
test_escalate_next_after_server_escalated (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) pulled = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_ACKNOWLEDGED, 100);

  QUEUE (pieper_outbox_escalate (ts->outbox, id, 0, &queue_error));

  pulled = test_make_incident ("PR1", 1, PIEPER_STATUS_TRIGGERED, 200);
  pieper_incident_set_escalation_level (pulled, 2);
  test_store_put_snapshot (ts, pulled);

  incident = effective (ts, id);
  g_assert_cmpint (pieper_incident_get_escalation_level (incident), ==, 3);

  /* A chosen level stays what was chosen. */
  QUEUE (pieper_outbox_escalate (ts->outbox, id, 2, &queue_error));
  g_clear_object (&incident);
  incident = effective (ts, id);
  g_assert_cmpint (pieper_incident_get_escalation_level (incident), ==, 2);
}

static void
test_escalate_to_level (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) incident = NULL;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_ACKNOWLEDGED, 100);

  QUEUE (pieper_outbox_escalate (ts->outbox, id, 3, &queue_error));
  incident = effective (ts, id);
  g_assert_cmpint (pieper_incident_get_escalation_level (incident), ==, 3);
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_TRIGGERED);
}

static void
test_reassign (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) incident = NULL;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_ACKNOWLEDGED, 100);

  QUEUE (pieper_outbox_reassign (ts->outbox, id, "PBOB", &queue_error));
  incident = effective (ts, id);
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpuint (g_strv_length ((GStrv) pieper_incident_get_assignees (incident)), ==, 1);
  g_assert_cmpstr (pieper_incident_get_assignees (incident)[0], ==, "PBOB");
  g_assert_cmpstr (pieper_incident_get_assignee_ids (incident)[0], ==, "PBOB");
}

static void
test_snooze (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) snoozed = NULL;
  g_autoptr(PieperIncident) escalated = NULL;
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_TRIGGERED, 100);

  QUEUE (pieper_outbox_acknowledge (ts->outbox, id, &queue_error));
  action = pieper_outbox_snooze (ts->outbox, id, 30, &error);
  g_assert_no_error (error);

  snoozed = effective (ts, id);
  g_assert_cmpint (pieper_incident_get_status (snoozed), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpint (pieper_incident_get_snoozed_until (snoozed), ==,
                   pieper_action_get_created_at (action) + 30 * 60);
  g_assert_cmpuint (pieper_incident_get_pending (snoozed), ==, 2);

  /* Escalating ends the snooze. */
  QUEUE (pieper_outbox_escalate (ts->outbox, id, 0, &queue_error));
  escalated = effective (ts, id);
  g_assert_cmpint (pieper_incident_get_snoozed_until (escalated), ==, 0);
  g_assert_cmpint (pieper_incident_get_status (escalated), ==, PIEPER_STATUS_TRIGGERED);
}

static void
test_resolve_ends_snooze (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) incident = NULL;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_ACKNOWLEDGED, 100);

  QUEUE (pieper_outbox_snooze (ts->outbox, id, 60, &queue_error));
  QUEUE (pieper_outbox_resolve (ts->outbox, id, &queue_error));
  incident = effective (ts, id);
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_RESOLVED);
  g_assert_cmpint (pieper_incident_get_snoozed_until (incident), ==, 0);
}

static void
test_note_on_timeline (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GPtrArray) remote = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;
  PieperTimelineEntry *entry;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_TRIGGERED, 100);

  entry = pieper_timeline_entry_new (PIEPER_TIMELINE_TRIGGER);
  pieper_timeline_entry_set_remote_id (entry, "LE1");
  pieper_timeline_entry_set_at (entry, 100);
  g_ptr_array_add (remote, entry);
  pieper_store_apply_timeline (ts->store, id, remote, &error);
  g_assert_no_error (error);

  QUEUE (pieper_outbox_add_note (ts->outbox, id, "Rolled back to v41", &queue_error));
  QUEUE (pieper_outbox_reassign (ts->outbox, id, "PBOB", &queue_error));

  /* A note changes nothing on the incident, but counts as pending. */
  incident = effective (ts, id);
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpuint (pieper_incident_get_pending (incident), ==, 2);

  timeline = pieper_store_list_timeline (ts->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (timeline->len, ==, 3);

  entry = g_ptr_array_index (timeline, 0);
  g_assert_cmpstr (pieper_timeline_entry_get_remote_id (entry), ==, "LE1");
  g_assert_cmpint (pieper_timeline_entry_get_origin (entry), ==, PIEPER_ORIGIN_REMOTE);

  entry = g_ptr_array_index (timeline, 1);
  g_assert_cmpint (pieper_timeline_entry_get_kind (entry), ==, PIEPER_TIMELINE_NOTE);
  g_assert_cmpint (pieper_timeline_entry_get_origin (entry), ==, PIEPER_ORIGIN_LOCAL);
  g_assert_cmpint (pieper_timeline_entry_get_sync_state (entry), ==, PIEPER_ACTION_PENDING);
  g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==, "Rolled back to v41");
  g_assert_cmpint (pieper_timeline_entry_get_incident_id (entry), ==, id);
  g_assert_cmpint (pieper_timeline_entry_get_action_id (entry), ==, first_action_id (ts));

  entry = g_ptr_array_index (timeline, 2);
  g_assert_cmpint (pieper_timeline_entry_get_kind (entry), ==, PIEPER_TIMELINE_REASSIGN);
  g_assert_cmpint (pieper_timeline_entry_get_origin (entry), ==, PIEPER_ORIGIN_LOCAL);
  g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==, "PBOB");
}

/* The key property: a pull never erases an unsent action. */

static void
test_newer_snapshot_keeps_pending_action (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) pulled = test_make_incident ("PR1", 1, PIEPER_STATUS_TRIGGERED, 500);
  g_autoptr(PieperIncident) seen = NULL;
  g_autoptr(PieperIncident) raw = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_TRIGGERED, 100);
  gint64 action_id;

  QUEUE (pieper_outbox_acknowledge (ts->outbox, id, &queue_error));
  action_id = first_action_id (ts);

  /* The server, not yet told, still says triggered, and more recently. */
  pieper_incident_set_title (pulled, "Checkout is down");
  test_store_put_snapshot (ts, pulled);

  seen = effective (ts, id);
  g_assert_cmpint (pieper_incident_get_status (seen), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpuint (pieper_incident_get_pending (seen), ==, 1);
  /* The rest of the pull does land. */
  g_assert_cmpstr (pieper_incident_get_title (seen), ==, "Checkout is down");
  g_assert_cmpint (pieper_incident_get_updated_at (seen), ==, 500);
  g_clear_object (&seen);

  raw = snapshot (ts, id);
  g_assert_cmpint (pieper_incident_get_status (raw), ==, PIEPER_STATUS_TRIGGERED);
  g_clear_object (&raw);

  /* While it is being sent, it still shows. */
  pieper_outbox_mark_inflight (ts->outbox, action_id, &error);
  g_assert_no_error (error);
  test_store_put_snapshot (ts, pulled);
  assert_status (ts, id, PIEPER_STATUS_ACKNOWLEDGED, 1);

  /* Sent, with no confirmation: what the responder sees is the server's
   * snapshot, until the next pull brings the acknowledge. */
  pieper_outbox_mark_done (ts->outbox, action_id, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_status (ts, id, PIEPER_STATUS_TRIGGERED, 0);
}

static void
test_confirmation_replaces_overlay (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) confirmed = test_make_incident ("PR1", 1, PIEPER_STATUS_ACKNOWLEDGED, 600);
  g_autoptr(PieperIncident) raw = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_TRIGGERED, 100);
  gint64 action_id;

  QUEUE (pieper_outbox_acknowledge (ts->outbox, id, &queue_error));
  action_id = first_action_id (ts);
  pieper_outbox_mark_inflight (ts->outbox, action_id, &error);
  g_assert_no_error (error);

  /* The action leaves the overlay exactly when its effect enters the
   * snapshot: no moment shows the incident triggered again. */
  pieper_outbox_mark_done (ts->outbox, action_id, confirmed, NULL, &error);
  g_assert_no_error (error);
  assert_status (ts, id, PIEPER_STATUS_ACKNOWLEDGED, 0);
  raw = snapshot (ts, id);
  g_assert_cmpint (pieper_incident_get_status (raw), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpint (pieper_incident_get_updated_at (raw), ==, 600);
}

static void
test_resolved_on_server_meanwhile (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) resolved = test_make_incident ("PR1", 1, PIEPER_STATUS_RESOLVED, 500);
  g_autoptr(PieperIncident) incident = NULL;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_TRIGGERED, 100);

  QUEUE (pieper_outbox_acknowledge (ts->outbox, id, &queue_error));
  QUEUE (pieper_outbox_escalate (ts->outbox, id, 0, &queue_error));
  QUEUE (pieper_outbox_reassign (ts->outbox, id, "PBOB", &queue_error));
  QUEUE (pieper_outbox_add_note (ts->outbox, id, "Still here", &queue_error));

  /* Someone resolved it on the server: a stale acknowledge, escalate or
   * reassign does not reopen it. */
  test_store_put_snapshot (ts, resolved);
  incident = effective (ts, id);
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_RESOLVED);
  g_assert_cmpint (pieper_incident_get_escalation_level (incident), ==, 1);
  g_assert_cmpstr (pieper_incident_get_assignees (incident)[0], ==, "Ada Lovelace");
  g_assert_cmpuint (pieper_incident_get_pending (incident), ==, 4);
}

static void
test_finished_actions_leave_overlay (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GError) error = NULL;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_TRIGGERED, 100);
  gint64 action_id;

  QUEUE (pieper_outbox_acknowledge (ts->outbox, id, &queue_error));
  action_id = first_action_id (ts);
  pieper_outbox_mark_inflight (ts->outbox, action_id, &error);
  g_assert_no_error (error);
  pieper_outbox_mark_failed (ts->outbox, action_id, "HTTP 403", &error);
  g_assert_no_error (error);
  assert_status (ts, id, PIEPER_STATUS_TRIGGERED, 0);

  /* Retried, it shows again. */
  pieper_outbox_retry_now (ts->outbox, action_id, &error);
  g_assert_no_error (error);
  assert_status (ts, id, PIEPER_STATUS_ACKNOWLEDGED, 1);
}

/* Filters */

static void
assert_listed (TestStore    *ts,
               PieperFilter  filter,
               const char   *expected)
{
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) ids = NULL;
  g_autofree char *joined = NULL;
  g_autoptr(GError) error = NULL;

  incidents = pieper_store_list_incidents (ts->store, filter, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < incidents->len; i++)
    g_strv_builder_add (builder, pieper_incident_get_remote_id (g_ptr_array_index (incidents, i)));
  ids = g_strv_builder_end (builder);
  joined = g_strjoinv (" ", ids);

  g_assert_cmpstr (joined, ==, expected);
}

static void
test_filters (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  gint64 t_ack, a_resolve, a_escalate;

  /* Newest first: numbers give the creation times. */
  test_store_add_incident (ts, "T", 1, PIEPER_STATUS_TRIGGERED, 100);
  t_ack = test_store_add_incident (ts, "T-ACKED", 2, PIEPER_STATUS_TRIGGERED, 100);
  test_store_add_incident (ts, "A", 3, PIEPER_STATUS_ACKNOWLEDGED, 100);
  a_resolve = test_store_add_incident (ts, "A-RESOLVED", 4, PIEPER_STATUS_ACKNOWLEDGED, 100);
  a_escalate = test_store_add_incident (ts, "A-ESCALATED", 5, PIEPER_STATUS_ACKNOWLEDGED, 100);
  test_store_add_incident (ts, "R", 6, PIEPER_STATUS_RESOLVED, 100);

  QUEUE (pieper_outbox_acknowledge (ts->outbox, t_ack, &queue_error));
  QUEUE (pieper_outbox_resolve (ts->outbox, a_resolve, &queue_error));
  QUEUE (pieper_outbox_escalate (ts->outbox, a_escalate, 0, &queue_error));

  assert_listed (ts, PIEPER_FILTER_ALL, "R A-ESCALATED A-RESOLVED A T-ACKED T");
  assert_listed (ts, PIEPER_FILTER_OPEN, "A-ESCALATED A T-ACKED T");
  assert_listed (ts, PIEPER_FILTER_TRIGGERED, "A-ESCALATED T");
  assert_listed (ts, PIEPER_FILTER_ACKNOWLEDGED, "A T-ACKED");
  assert_listed (ts, PIEPER_FILTER_RESOLVED, "R A-RESOLVED");
}

static void
test_list_carries_overlay (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  PieperIncident *incident;
  gint64 id = test_store_add_incident (ts, "PR1", 1, PIEPER_STATUS_TRIGGERED, 100);

  QUEUE (pieper_outbox_acknowledge (ts->outbox, id, &queue_error));
  QUEUE (pieper_outbox_snooze (ts->outbox, id, 10, &queue_error));

  incidents = pieper_store_list_incidents (ts->store, PIEPER_FILTER_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, ==, 1);
  incident = g_ptr_array_index (incidents, 0);
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpuint (pieper_incident_get_pending (incident), ==, 2);
  g_assert_cmpint (pieper_incident_get_snoozed_until (incident), >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rebase/acknowledge", test_acknowledge);
  g_test_add_func ("/rebase/acknowledge-then-resolve", test_acknowledge_then_resolve);
  g_test_add_func ("/rebase/escalate/next", test_escalate_next);
  g_test_add_func ("/rebase/escalate/to-level", test_escalate_to_level);
  g_test_add_func ("/rebase/escalate/next-after-server-escalated", test_escalate_next_after_server_escalated);
  g_test_add_func ("/rebase/reassign", test_reassign);
  g_test_add_func ("/rebase/snooze", test_snooze);
  g_test_add_func ("/rebase/resolve-ends-snooze", test_resolve_ends_snooze);
  g_test_add_func ("/rebase/note-on-timeline", test_note_on_timeline);
  g_test_add_func ("/rebase/pull/newer-snapshot-keeps-pending-action", test_newer_snapshot_keeps_pending_action);
  g_test_add_func ("/rebase/pull/confirmation-replaces-overlay", test_confirmation_replaces_overlay);
  g_test_add_func ("/rebase/pull/resolved-on-server-meanwhile", test_resolved_on_server_meanwhile);
  g_test_add_func ("/rebase/finished-actions-leave-overlay", test_finished_actions_leave_overlay);
  g_test_add_func ("/rebase/filters", test_filters);
  g_test_add_func ("/rebase/list-carries-overlay", test_list_carries_overlay);

  return g_test_run ();
}
