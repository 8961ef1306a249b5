/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sqlite3.h>

#include "pieper-outbox-private.h"
#include "pieper-store-private.h"
#include "test-common.h"

/*
 * The push side of the outbox as the sync engine uses it: an action is
 * settled and the next one claimed in one transaction, and the rules of
 * one action at a time still hold (an incident's actions leave in order,
 * only what is due is claimed, and nothing is claimed twice).
 */

static int
count_commit (void *data)
{
  (*(guint *) data)++;
  return 0;
}

static guint n_commits;

static void
count_commits (TestStore *ts)
{
  n_commits = 0;
  sqlite3_commit_hook (_pieper_store_get_db (ts->store), count_commit, &n_commits);
}

static PieperActionState
state_of (TestStore *ts,
          gint64     id)
{
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;

  action = pieper_outbox_get (ts->outbox, id, &error);
  g_assert_no_error (error);

  return pieper_action_get_state (action);
}

static void
mark_inflight (TestStore *ts,
               gint64     id)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pieper_outbox_mark_inflight (ts->outbox, id, &error));
  g_assert_no_error (error);
}

/* Settles one action, with at most one fallback, as the push settles a
 * batch of one. */
static gboolean
mark_done_and_claim (TestStore            *ts,
                     gint64                action_id,
                     PieperTimelineEntry  *note,
                     gint64                fallback_id,
                     PieperAction        **claimed,
                     GError              **error)
{
  PieperSettled settled = { action_id, NULL, note, NULL };
  g_autoptr(GPtrArray) fallbacks = g_ptr_array_new_with_free_func (g_object_unref);
  guint fallback_index = 0;

  if (fallback_id > 0)
    {
      g_autoptr(GError) local_error = NULL;
      PieperAction *fallback = pieper_outbox_get (ts->outbox, fallback_id, &local_error);

      g_assert_no_error (local_error);
      g_ptr_array_add (fallbacks, fallback);
    }

  if (!_pieper_outbox_settle_and_claim (ts->outbox, &settled, 1, TRUE, fallbacks, &fallback_index, error))
    return FALSE;

  *claimed = settled.claimed;
  return TRUE;
}

/* Marks @id done; returns the id of the action claimed with it, or 0. */
static gint64
done_and_claim (TestStore           *ts,
                gint64               id,
                PieperTimelineEntry *note,
                gint64               fallback_id,
                guint               *attempts_before)
{
  g_autoptr(PieperAction) claimed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (mark_done_and_claim (ts, id, note, fallback_id, &claimed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (state_of (ts, id), ==, PIEPER_ACTION_DONE);

  if (claimed == NULL)
    return 0;

  g_assert_cmpint (state_of (ts, pieper_action_get_id (claimed)), ==, PIEPER_ACTION_INFLIGHT);
  if (attempts_before != NULL)
    *attempts_before = pieper_action_get_attempts (claimed);

  return pieper_action_get_id (claimed);
}

/* The incident's next note is claimed in the commit that settles the one
 * before it, and the delivered note is on the timeline, linked. */
static void
test_claims_the_incidents_next (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperTimelineEntry) note = pieper_timeline_entry_new (PIEPER_TIMELINE_NOTE);
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;
  gint64 incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  gint64 other = test_store_add_incident (ts, "PQ2", 2, PIEPER_STATUS_TRIGGERED, 100);
  gint64 a = test_queue_note (ts, incident, "first");
  gint64 c = test_queue_note (ts, other, "elsewhere");
  gint64 b = test_queue_note (ts, incident, "second");
  guint attempts = 99;

  pieper_timeline_entry_set_remote_id (note, "N1");
  pieper_timeline_entry_set_body (note, "first");
  pieper_timeline_entry_set_at (note, g_get_real_time () / G_USEC_PER_SEC);

  mark_inflight (ts, a);
  count_commits (ts);
  /* The incident's own next one wins over the other incident's. */
  g_assert_cmpint (done_and_claim (ts, a, note, c, &attempts), ==, b);
  g_assert_cmpuint (n_commits, ==, 1);
  g_assert_cmpuint (attempts, ==, 0);  /* as it was before the claim */
  g_assert_cmpint (state_of (ts, c), ==, PIEPER_ACTION_PENDING);

  timeline = pieper_store_list_timeline (ts->store, incident, &error);
  g_assert_no_error (error);
  {
    guint found = 0;

    for (guint i = 0; i < timeline->len; i++)
      found += g_strcmp0 (pieper_timeline_entry_get_remote_id (g_ptr_array_index (timeline, i)), "N1") == 0;
    g_assert_cmpuint (found, ==, 1);
  }
  g_assert_true (_pieper_store_note_claimed (ts->store, incident, "N1", a + 1000));

  /* Nothing left of that incident: the other incident's is taken. */
  g_assert_cmpint (done_and_claim (ts, b, NULL, c, NULL), ==, c);
  g_assert_cmpuint (n_commits, ==, 2);

  /* Nothing left at all. */
  g_assert_cmpint (done_and_claim (ts, c, NULL, 0, NULL), ==, 0);
  g_assert_cmpuint (n_commits, ==, 3);
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, 0), ==, 0);
}

/* Only the incident's oldest unsent action may follow, and only when it is
 * due: a younger one never overtakes it. */
static void
test_never_overtakes (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GError) error = NULL;
  gint64 incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  gint64 other = test_store_add_incident (ts, "PQ2", 2, PIEPER_STATUS_TRIGGERED, 100);
  gint64 a = test_queue_note (ts, incident, "one");
  gint64 b = test_queue_note (ts, incident, "two");
  gint64 c = test_queue_note (ts, incident, "three");
  gint64 d = test_queue_note (ts, other, "elsewhere");
  gint64 wait_until = g_get_real_time () / G_USEC_PER_SEC + 3600;

  /* b was tried and waits for its retry. */
  mark_inflight (ts, b);
  g_assert_true (pieper_outbox_retry_later (ts->outbox, b, wait_until, "timed out", &error));
  g_assert_no_error (error);

  /* a is settled (say, it had been sent by an earlier run). b is not due,
   * so neither it nor c goes; the fallback does. */
  mark_inflight (ts, a);
  g_assert_cmpint (done_and_claim (ts, a, NULL, d, NULL), ==, d);
  g_assert_cmpint (state_of (ts, b), ==, PIEPER_ACTION_PENDING);
  g_assert_cmpint (state_of (ts, c), ==, PIEPER_ACTION_PENDING);

  /* Without a fallback nothing is claimed. */
  g_assert_cmpint (done_and_claim (ts, d, NULL, 0, NULL), ==, 0);
  g_assert_cmpint (state_of (ts, c), ==, PIEPER_ACTION_PENDING);
}

/* A fallback that is not claimable (settled, or claimed already) is
 * skipped; settling the action still counts. */
static void
test_fallback_not_claimable (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GError) error = NULL;
  gint64 incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  gint64 other = test_store_add_incident (ts, "PQ2", 2, PIEPER_STATUS_TRIGGERED, 100);
  gint64 third = test_store_add_incident (ts, "PQ3", 3, PIEPER_STATUS_TRIGGERED, 100);
  gint64 a = test_queue_note (ts, incident, "one");
  gint64 b = test_queue_note (ts, other, "two");
  gint64 c = test_queue_note (ts, third, "three");
  g_autoptr(PieperAction) before = NULL;

  /* b is inflight, claimed by this (live) process: another send has it. */
  mark_inflight (ts, b);
  before = pieper_outbox_get (ts->outbox, b, &error);
  g_assert_no_error (error);

  mark_inflight (ts, a);
  g_assert_cmpint (done_and_claim (ts, a, NULL, b, NULL), ==, 0);
  {
    g_autoptr(PieperAction) after = pieper_outbox_get (ts->outbox, b, &error);

    g_assert_no_error (error);
    g_assert_cmpint (pieper_action_get_state (after), ==, PIEPER_ACTION_INFLIGHT);
    g_assert_cmpuint (pieper_action_get_attempts (after), ==, pieper_action_get_attempts (before));
  }

  /* A settled one, and one that does not exist. */
  g_assert_true (pieper_outbox_mark_done (ts->outbox, b, NULL, NULL, &error));
  g_assert_no_error (error);
  mark_inflight (ts, c);
  g_assert_cmpint (done_and_claim (ts, c, NULL, b, NULL), ==, 0);
  g_assert_cmpint (state_of (ts, b), ==, PIEPER_ACTION_DONE);
}

/* Settling what is not inflight fails, and claims nothing. */
static void
test_not_inflight (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAction) claimed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  gint64 a = test_queue_note (ts, incident, "one");
  gint64 b = test_queue_note (ts, incident, "two");

  g_assert_false (mark_done_and_claim (ts, a, NULL, 0, &claimed, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);
  g_assert_null (claimed);
  g_assert_cmpint (state_of (ts, a), ==, PIEPER_ACTION_PENDING);
  g_assert_cmpint (state_of (ts, b), ==, PIEPER_ACTION_PENDING);
}

/* Several actions settled in one commit, each with the next in its place:
 * the incident's next, else the first claimable of the fallbacks, each
 * tried one passed over. */
static void
test_settle_several (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GPtrArray) fallbacks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  gint64 one = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  gint64 two = test_store_add_incident (ts, "PQ2", 2, PIEPER_STATUS_TRIGGERED, 100);
  gint64 three = test_store_add_incident (ts, "PQ3", 3, PIEPER_STATUS_TRIGGERED, 100);
  gint64 four = test_store_add_incident (ts, "PQ4", 4, PIEPER_STATUS_TRIGGERED, 100);
  gint64 a1 = test_queue_note (ts, one, "a1");
  gint64 b1 = test_queue_note (ts, two, "b1");
  gint64 c1 = test_queue_note (ts, three, "c1");
  gint64 d1 = test_queue_note (ts, four, "d1");
  gint64 a2 = test_queue_note (ts, one, "a2");
  PieperSettled settled[2] = { { a1, NULL, NULL, NULL }, { b1, NULL, NULL, NULL } };
  guint index = 0;

  mark_inflight (ts, a1);
  mark_inflight (ts, b1);
  /* c1 is being sent by another send already. */
  mark_inflight (ts, c1);
  g_ptr_array_add (fallbacks, pieper_outbox_get (ts->outbox, c1, NULL));
  g_ptr_array_add (fallbacks, pieper_outbox_get (ts->outbox, d1, NULL));

  count_commits (ts);
  g_assert_true (_pieper_outbox_settle_and_claim (ts->outbox, settled, 2, TRUE, fallbacks, &index, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_commits, ==, 1);

  g_assert_cmpint (state_of (ts, a1), ==, PIEPER_ACTION_DONE);
  g_assert_cmpint (state_of (ts, b1), ==, PIEPER_ACTION_DONE);
  g_assert_nonnull (settled[0].claimed);
  g_assert_cmpint (pieper_action_get_id (settled[0].claimed), ==, a2);
  g_assert_nonnull (settled[1].claimed);
  g_assert_cmpint (pieper_action_get_id (settled[1].claimed), ==, d1);
  g_assert_cmpuint (index, ==, 2);
  g_assert_cmpint (state_of (ts, a2), ==, PIEPER_ACTION_INFLIGHT);
  g_assert_cmpint (state_of (ts, d1), ==, PIEPER_ACTION_INFLIGHT);

  g_clear_object (&settled[0].claimed);
  g_clear_object (&settled[1].claimed);
}

/* When one of them cannot be settled, none is, nothing is claimed, and
 * the fallbacks are as they were. */
static void
test_settle_all_or_nothing (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GPtrArray) fallbacks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  gint64 one = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  gint64 two = test_store_add_incident (ts, "PQ2", 2, PIEPER_STATUS_TRIGGERED, 100);
  gint64 three = test_store_add_incident (ts, "PQ3", 3, PIEPER_STATUS_TRIGGERED, 100);
  gint64 a1 = test_queue_note (ts, one, "a1");
  gint64 b1 = test_queue_note (ts, two, "b1");
  gint64 c1 = test_queue_note (ts, three, "c1");
  gint64 b2 = test_queue_note (ts, two, "b2");
  /* a1 has no next of its own: it takes the fallback, c1. */
  PieperSettled settled[2] = { { a1, NULL, NULL, NULL }, { b1, NULL, NULL, NULL } };
  guint index = 0;

  mark_inflight (ts, a1);
  /* b1 was never claimed: it cannot be done. */
  g_ptr_array_add (fallbacks, pieper_outbox_get (ts->outbox, c1, NULL));

  g_assert_false (_pieper_outbox_settle_and_claim (ts->outbox, settled, 2, TRUE, fallbacks, &index, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);
  g_assert_null (settled[0].claimed);
  g_assert_null (settled[1].claimed);
  g_assert_cmpuint (index, ==, 0);
  g_assert_cmpint (state_of (ts, a1), ==, PIEPER_ACTION_INFLIGHT);
  g_assert_cmpint (state_of (ts, b1), ==, PIEPER_ACTION_PENDING);
  g_assert_cmpint (state_of (ts, c1), ==, PIEPER_ACTION_PENDING);

  /* Without claiming, only the settling is done. */
  g_clear_error (&error);
  mark_inflight (ts, b1);
  g_assert_true (_pieper_outbox_settle_and_claim (ts->outbox, settled, 2, FALSE, fallbacks, &index, &error));
  g_assert_no_error (error);
  g_assert_null (settled[0].claimed);
  g_assert_null (settled[1].claimed);
  g_assert_cmpuint (index, ==, 0);
  g_assert_cmpint (state_of (ts, a1), ==, PIEPER_ACTION_DONE);
  g_assert_cmpint (state_of (ts, b1), ==, PIEPER_ACTION_DONE);
  g_assert_cmpint (state_of (ts, b2), ==, PIEPER_ACTION_PENDING);
  g_assert_cmpint (state_of (ts, c1), ==, PIEPER_ACTION_PENDING);
}

/* An action is claimed once, even when two settled actions could take it
 * (the claims are written together at the end of the transaction). */
static void
test_settle_claims_once (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GPtrArray) fallbacks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  gint64 one = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  gint64 two = test_store_add_incident (ts, "PQ2", 2, PIEPER_STATUS_TRIGGERED, 100);
  gint64 three = test_store_add_incident (ts, "PQ3", 3, PIEPER_STATUS_TRIGGERED, 100);
  gint64 a1 = test_queue_note (ts, one, "a1");
  gint64 b1 = test_queue_note (ts, two, "b1");
  gint64 c1 = test_queue_note (ts, three, "c1");
  PieperSettled settled[2] = { { a1, NULL, NULL, NULL }, { b1, NULL, NULL, NULL } };
  guint index = 0;
  g_autoptr(PieperAction) attempts_of = NULL;

  mark_inflight (ts, a1);
  mark_inflight (ts, b1);
  g_ptr_array_add (fallbacks, pieper_outbox_get (ts->outbox, c1, NULL));
  g_ptr_array_add (fallbacks, pieper_outbox_get (ts->outbox, c1, NULL));

  g_assert_true (_pieper_outbox_settle_and_claim (ts->outbox, settled, 2, TRUE, fallbacks, &index, &error));
  g_assert_no_error (error);
  g_assert_nonnull (settled[0].claimed);
  g_assert_cmpint (pieper_action_get_id (settled[0].claimed), ==, c1);
  g_assert_null (settled[1].claimed);
  g_assert_cmpuint (index, ==, 2);
  g_assert_cmpint (state_of (ts, a1), ==, PIEPER_ACTION_DONE);
  g_assert_cmpint (state_of (ts, b1), ==, PIEPER_ACTION_DONE);

  attempts_of = pieper_outbox_get (ts->outbox, c1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_action_get_state (attempts_of), ==, PIEPER_ACTION_INFLIGHT);
  g_assert_cmpuint (pieper_action_get_attempts (attempts_of), ==, 1);

  g_clear_object (&settled[0].claimed);
}

static gint64
real_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static GPtrArray *
next_due (TestStore *ts,
          gint64     now)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *due = pieper_outbox_next_due (ts->outbox, pieper_account_get_id (ts->account), now, &error);

  g_assert_no_error (error);
  return due;
}

/* A send cut short (the app quit mid-send) may still reach the server: it
 * stays inflight, claimed by nobody, and waits UNKNOWN_OUTCOME_WAIT before
 * it is tried again, even when a Refresh makes every backed-off action due
 * at once. What is queued behind it waits too, and does not wake the
 * engine meanwhile. */
static void
test_cut_short_waits (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAction) cut = NULL;
  g_autoptr(PieperAction) retaken = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;
  gint64 incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  gint64 other = test_store_add_incident (ts, "PQ2", 2, PIEPER_STATUS_TRIGGERED, 100);
  gint64 account = pieper_account_get_id (ts->account);
  gint64 a = test_queue_note (ts, incident, "on its way");
  gint64 b = test_queue_note (ts, incident, "queued behind it");
  gint64 c = test_queue_note (ts, other, "failed for lack of network");
  gint64 cut_at;

  mark_inflight (ts, a);
  g_assert_true (_pieper_outbox_cut_short (ts->outbox, a, "Operation was cancelled", &error));
  g_assert_no_error (error);
  cut = pieper_outbox_get (ts->outbox, a, &error);
  g_assert_no_error (error);
  cut_at = pieper_action_get_updated_at (cut);
  g_assert_cmpint (pieper_action_get_state (cut), ==, PIEPER_ACTION_INFLIGHT);
  g_assert_null (pieper_action_get_claimed_by (cut));
  g_assert_cmpuint (pieper_action_get_attempts (cut), ==, 1);
  g_assert_cmpint (pieper_action_get_next_attempt_at (cut), ==, cut_at + UNKNOWN_OUTCOME_WAIT);
  g_assert_cmpstr (pieper_action_get_last_error (cut), ==, "Operation was cancelled");

  mark_inflight (ts, c);
  g_assert_true (pieper_outbox_retry_later (ts->outbox, c, real_now () + 3600, "offline", &error));
  g_assert_no_error (error);

  /* Nothing due, and the engine wakes when the wait ends, not at once
   * for the note queued behind it. */
  due = next_due (ts, cut_at);
  g_assert_cmpuint (due->len, ==, 0);
  g_clear_pointer (&due, g_ptr_array_unref);
  g_assert_cmpint (pieper_outbox_next_wakeup (ts->outbox, account), ==, cut_at + UNKNOWN_OUTCOME_WAIT);

  /* A Refresh: the backed-off action is due at once, the cut-short one
   * (and so the one behind it) only when its wait is over. */
  g_assert_cmpuint (pieper_outbox_retry_all_now (ts->outbox, 0, &error), ==, 1);
  g_assert_no_error (error);
  due = next_due (ts, cut_at + UNKNOWN_OUTCOME_WAIT - 1);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpint (pieper_action_get_id (g_ptr_array_index (due, 0)), ==, c);
  g_clear_pointer (&due, g_ptr_array_unref);
  if (real_now () < cut_at + UNKNOWN_OUTCOME_WAIT)
    {
      g_assert_false (pieper_outbox_mark_inflight (ts->outbox, a, &error));
      g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_BUSY);
      g_clear_error (&error);
    }

  due = next_due (ts, cut_at + UNKNOWN_OUTCOME_WAIT);
  g_assert_cmpuint (due->len, ==, 2);
  g_assert_cmpint (pieper_action_get_id (g_ptr_array_index (due, 0)), ==, a);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* Once the wait is over (moved here by moving its times back), it is
   * claimed again, as a second attempt: the push reads back first. */
  g_assert_cmpint (sqlite3_exec (_pieper_store_get_db (ts->store),
                                 "UPDATE outbox SET updated_at = updated_at - " G_STRINGIFY (UNKNOWN_OUTCOME_WAIT) ","
                                 " next_attempt_at = next_attempt_at - " G_STRINGIFY (UNKNOWN_OUTCOME_WAIT)
                                 " WHERE state = 'inflight'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  mark_inflight (ts, a);
  retaken = pieper_outbox_get (ts->outbox, a, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pieper_action_get_attempts (retaken), ==, 2);
  g_assert_nonnull (pieper_action_get_claimed_by (retaken));
  g_assert_cmpint (state_of (ts, b), ==, PIEPER_ACTION_PENDING);

  /* A process that no longer holds an action cannot cut it short. */
  g_assert_cmpint (sqlite3_exec (_pieper_store_get_db (ts->store),
                                 "UPDATE outbox SET claimed_by = 'someone/else/1' WHERE state = 'inflight'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (_pieper_outbox_cut_short (ts->outbox, a, "late", &error));
  g_assert_no_error (error);
  g_clear_object (&retaken);
  retaken = pieper_outbox_get (ts->outbox, a, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_action_get_claimed_by (retaken), ==, "someone/else/1");
  g_assert_cmpstr (pieper_action_get_last_error (retaken), ==, "Operation was cancelled");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync-outbox/claims-the-incidents-next", test_claims_the_incidents_next);
  g_test_add_func ("/sync-outbox/never-overtakes", test_never_overtakes);
  g_test_add_func ("/sync-outbox/fallback-not-claimable", test_fallback_not_claimable);
  g_test_add_func ("/sync-outbox/not-inflight", test_not_inflight);
  g_test_add_func ("/sync-outbox/settle-several", test_settle_several);
  g_test_add_func ("/sync-outbox/settle-all-or-nothing", test_settle_all_or_nothing);
  g_test_add_func ("/sync-outbox/settle-claims-once", test_settle_claims_once);
  g_test_add_func ("/sync-outbox/cut-short-waits", test_cut_short_waits);

  return g_test_run ();
}
