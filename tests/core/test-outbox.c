/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <unistd.h>

#include <sqlite3.h>
#include <string.h>

#include "pieper-outbox-private.h"
#include "test-common.h"

/* Helpers */

static gint64
now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
exec_raw (TestStore  *ts,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (pieper_store_get_path (ts->store), &db, SQLITE_OPEN_READWRITE, NULL),
                   ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static guint
count_actions (TestStore *ts)
{
  g_autoptr(GPtrArray) actions = NULL;
  g_autoptr(GError) error = NULL;

  actions = pieper_outbox_list (ts->outbox, -1, &error);
  g_assert_no_error (error);

  return actions->len;
}

static PieperAction *
get_action (TestStore *ts,
            gint64     id)
{
  g_autoptr(GError) error = NULL;
  PieperAction *action = pieper_outbox_get (ts->outbox, id, &error);

  g_assert_no_error (error);
  return action;
}

static void
assert_state (TestStore         *ts,
              gint64             id,
              PieperActionState  state)
{
  g_autoptr(PieperAction) action = get_action (ts, id);

  g_assert_cmpstr (pieper_action_state_to_string (pieper_action_get_state (action)), ==,
                   pieper_action_state_to_string (state));
}

static void
mark_inflight (TestStore *ts,
               gint64     id)
{
  g_autoptr(GError) error = NULL;

  pieper_outbox_mark_inflight (ts->outbox, id, &error);
  g_assert_no_error (error);
}

static gint64
queue_ack (TestStore *ts,
           gint64     incident_id)
{
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;

  action = pieper_outbox_acknowledge (ts->outbox, incident_id, &error);
  g_assert_no_error (error);

  return pieper_action_get_id (action);
}

static void
assert_fresh_action (PieperAction *action,
                     TestStore    *ts,
                     gint64        incident_id,
                     PieperOp      op)
{
  g_assert_nonnull (action);
  g_assert_cmpint (pieper_action_get_id (action), >, 0);
  g_assert_cmpint (pieper_action_get_op (action), ==, op);
  g_assert_cmpint (pieper_action_get_incident_id (action), ==, incident_id);
  g_assert_cmpint (pieper_action_get_account_id (action), ==, pieper_account_get_id (ts->account));
  g_assert_cmpstr (pieper_action_get_incident_remote_id (action), ==, "PQ1");
  g_assert_cmpint (pieper_action_get_state (action), ==, PIEPER_ACTION_PENDING);
  g_assert_cmpuint (pieper_action_get_attempts (action), ==, 0);
  g_assert_cmpint (pieper_action_get_next_attempt_at (action), ==, 0);
  g_assert_null (pieper_action_get_last_error (action));
  g_assert_cmpint (ABS (pieper_action_get_created_at (action) - now ()), <=, 5);
  g_assert_cmpint (pieper_action_get_updated_at (action), ==, pieper_action_get_created_at (action));
  g_assert_cmpuint (strlen (pieper_action_get_idempotency_key (action)), ==, 36);
  g_assert_true (g_uuid_string_is_valid (pieper_action_get_idempotency_key (action)));
  g_assert_nonnull (pieper_action_get_payload (action));
}

/* Queueing */

static void
test_queue_each_op (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);

  {
    g_autoptr(PieperAction) action = pieper_outbox_add_note (ts->outbox, id, "Looking into it", &error);

    g_assert_no_error (error);
    assert_fresh_action (action, ts, id, PIEPER_OP_NOTE);
    g_assert_cmpstr (pieper_action_get_text (action), ==, "Looking into it");
    g_hash_table_add (keys, g_strdup (pieper_action_get_idempotency_key (action)));
  }

  {
    g_autoptr(PieperAction) action = pieper_outbox_acknowledge (ts->outbox, id, &error);

    g_assert_no_error (error);
    assert_fresh_action (action, ts, id, PIEPER_OP_ACKNOWLEDGE);
    g_hash_table_add (keys, g_strdup (pieper_action_get_idempotency_key (action)));
  }

  {
    g_autoptr(PieperAction) action = pieper_outbox_snooze (ts->outbox, id, 30, &error);

    g_assert_no_error (error);
    assert_fresh_action (action, ts, id, PIEPER_OP_SNOOZE);
    g_assert_cmpuint (pieper_action_get_minutes (action), ==, 30);
    g_hash_table_add (keys, g_strdup (pieper_action_get_idempotency_key (action)));
  }

  {
    g_autoptr(PieperAction) action = pieper_outbox_escalate (ts->outbox, id, 0, &error);

    g_assert_no_error (error);
    assert_fresh_action (action, ts, id, PIEPER_OP_ESCALATE);
    /* "Next" is stored as the level it means now, so a resend after a
     * timeout escalates once, not twice. */
    g_assert_cmpint (pieper_action_get_level (action), ==, 2);
    g_assert_nonnull (strstr (pieper_action_get_payload (action), "\"next\""));
    g_hash_table_add (keys, g_strdup (pieper_action_get_idempotency_key (action)));
  }

  {
    g_autoptr(PieperAction) action = pieper_outbox_escalate (ts->outbox, id, 3, &error);

    g_assert_no_error (error);
    assert_fresh_action (action, ts, id, PIEPER_OP_ESCALATE);
    g_assert_cmpint (pieper_action_get_level (action), ==, 3);
    g_hash_table_add (keys, g_strdup (pieper_action_get_idempotency_key (action)));
  }

  {
    /* The user id is trimmed. */
    g_autoptr(PieperAction) action = pieper_outbox_reassign (ts->outbox, id, "  PGRACE \n", &error);

    g_assert_no_error (error);
    assert_fresh_action (action, ts, id, PIEPER_OP_REASSIGN);
    g_assert_cmpstr (pieper_action_get_user (action), ==, "PGRACE");
    g_hash_table_add (keys, g_strdup (pieper_action_get_idempotency_key (action)));
  }

  {
    g_autoptr(PieperAction) action = pieper_outbox_resolve (ts->outbox, id, &error);

    g_assert_no_error (error);
    assert_fresh_action (action, ts, id, PIEPER_OP_RESOLVE);
    g_hash_table_add (keys, g_strdup (pieper_action_get_idempotency_key (action)));
  }

  /* Seven rows, oldest first, seven different keys. */
  g_assert_cmpuint (g_hash_table_size (keys), ==, 7);
  all = pieper_outbox_list (ts->outbox, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 7);
  for (guint i = 1; i < all->len; i++)
    g_assert_cmpint (pieper_action_get_id (g_ptr_array_index (all, i - 1)), <,
                     pieper_action_get_id (g_ptr_array_index (all, i)));
  g_assert_cmpint (pieper_action_get_op (g_ptr_array_index (all, 0)), ==, PIEPER_OP_NOTE);
  g_assert_cmpint (pieper_action_get_op (g_ptr_array_index (all, 6)), ==, PIEPER_OP_RESOLVE);
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, id), ==, 7);
}

static void
test_note_limits (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autofree char *longest = g_strnfill (PIEPER_NOTE_MAX_BYTES, 'n');
  g_autofree char *too_long = g_strnfill (PIEPER_NOTE_MAX_BYTES + 1, 'n');
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);

  {
    g_autoptr(PieperAction) action = pieper_outbox_add_note (ts->outbox, id, longest, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (strlen (pieper_action_get_text (action)), ==, PIEPER_NOTE_MAX_BYTES);
  }

  {
    g_autoptr(PieperAction) action = pieper_outbox_add_note (ts->outbox, id, too_long, &error);

    g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);
    g_assert_null (action);
  }

  g_assert_cmpuint (count_actions (ts), ==, 1);
}

typedef PieperAction *(*QueueFunc) (TestStore  *ts,
                                    gint64      incident_id,
                                    GError    **error);

static PieperAction *
try_empty_note (TestStore  *ts,
                gint64      id,
                GError    **error)
{
  return pieper_outbox_add_note (ts->outbox, id, "", error);
}

static PieperAction *
try_blank_note (TestStore  *ts,
                gint64      id,
                GError    **error)
{
  return pieper_outbox_add_note (ts->outbox, id, " \t\n ", error);
}

static PieperAction *
try_invalid_note (TestStore  *ts,
                  gint64      id,
                  GError    **error)
{
  return pieper_outbox_add_note (ts->outbox, id, "caf\xc3\x28", error);
}

static PieperAction *
try_snooze_0 (TestStore  *ts,
              gint64      id,
              GError    **error)
{
  return pieper_outbox_snooze (ts->outbox, id, 0, error);
}

static PieperAction *
try_snooze_week_and_a_minute (TestStore  *ts,
                              gint64      id,
                              GError    **error)
{
  return pieper_outbox_snooze (ts->outbox, id, 7 * 24 * 60 + 1, error);
}

static PieperAction *
try_snooze_30 (TestStore  *ts,
               gint64      id,
               GError    **error)
{
  return pieper_outbox_snooze (ts->outbox, id, 30, error);
}

static PieperAction *
try_escalate_101 (TestStore  *ts,
                  gint64      id,
                  GError    **error)
{
  return pieper_outbox_escalate (ts->outbox, id, 101, error);
}

static PieperAction *
try_escalate_negative (TestStore  *ts,
                       gint64      id,
                       GError    **error)
{
  return pieper_outbox_escalate (ts->outbox, id, -1, error);
}

static PieperAction *
try_escalate_next (TestStore  *ts,
                   gint64      id,
                   GError    **error)
{
  return pieper_outbox_escalate (ts->outbox, id, 0, error);
}

static PieperAction *
try_reassign_empty (TestStore  *ts,
                    gint64      id,
                    GError    **error)
{
  return pieper_outbox_reassign (ts->outbox, id, "", error);
}

static PieperAction *
try_reassign_blank (TestStore  *ts,
                    gint64      id,
                    GError    **error)
{
  return pieper_outbox_reassign (ts->outbox, id, "   ", error);
}

static PieperAction *
try_reassign_huge (TestStore  *ts,
                   gint64      id,
                   GError    **error)
{
  g_autofree char *user = g_strnfill (257, 'u');

  return pieper_outbox_reassign (ts->outbox, id, user, error);
}

static PieperAction *
try_reassign (TestStore  *ts,
              gint64      id,
              GError    **error)
{
  return pieper_outbox_reassign (ts->outbox, id, "PBOB", error);
}

static PieperAction *
try_ack (TestStore  *ts,
         gint64      id,
         GError    **error)
{
  return pieper_outbox_acknowledge (ts->outbox, id, error);
}

static PieperAction *
try_resolve (TestStore  *ts,
             gint64      id,
             GError    **error)
{
  return pieper_outbox_resolve (ts->outbox, id, error);
}

static PieperAction *
try_good_note (TestStore  *ts,
               gint64      id,
               GError    **error)
{
  return pieper_outbox_add_note (ts->outbox, id, "A note", error);
}

static void
test_validation (void)
{
  /* The incident each case runs against, by the status its snapshot has. */
  enum { TRIGGERED, ACKNOWLEDGED, RESOLVED, MISSING };
  static const struct {
    const char *name;
    QueueFunc   queue;
    int         on;
    int         code;
  } cases[] = {
    { "empty note", try_empty_note, TRIGGERED, PIEPER_STORE_ERROR_INVALID },
    { "blank note", try_blank_note, TRIGGERED, PIEPER_STORE_ERROR_INVALID },
    { "invalid UTF-8 note", try_invalid_note, TRIGGERED, PIEPER_STORE_ERROR_INVALID },
    { "snooze 0 minutes", try_snooze_0, ACKNOWLEDGED, PIEPER_STORE_ERROR_INVALID },
    { "snooze over a week", try_snooze_week_and_a_minute, ACKNOWLEDGED, PIEPER_STORE_ERROR_INVALID },
    { "snooze triggered", try_snooze_30, TRIGGERED, PIEPER_STORE_ERROR_INVALID },
    { "snooze resolved", try_snooze_30, RESOLVED, PIEPER_STORE_ERROR_INVALID },
    { "escalate to 101", try_escalate_101, TRIGGERED, PIEPER_STORE_ERROR_INVALID },
    { "escalate to -1", try_escalate_negative, TRIGGERED, PIEPER_STORE_ERROR_INVALID },
    { "escalate resolved", try_escalate_next, RESOLVED, PIEPER_STORE_ERROR_INVALID },
    { "reassign to empty", try_reassign_empty, TRIGGERED, PIEPER_STORE_ERROR_INVALID },
    { "reassign to blank", try_reassign_blank, TRIGGERED, PIEPER_STORE_ERROR_INVALID },
    { "reassign to huge id", try_reassign_huge, TRIGGERED, PIEPER_STORE_ERROR_INVALID },
    { "reassign resolved", try_reassign, RESOLVED, PIEPER_STORE_ERROR_INVALID },
    { "ack acknowledged", try_ack, ACKNOWLEDGED, PIEPER_STORE_ERROR_INVALID },
    { "ack resolved", try_ack, RESOLVED, PIEPER_STORE_ERROR_INVALID },
    { "resolve resolved", try_resolve, RESOLVED, PIEPER_STORE_ERROR_INVALID },
    { "ack unknown", try_ack, MISSING, PIEPER_STORE_ERROR_NOT_FOUND },
    { "resolve unknown", try_resolve, MISSING, PIEPER_STORE_ERROR_NOT_FOUND },
    { "escalate unknown", try_escalate_next, MISSING, PIEPER_STORE_ERROR_NOT_FOUND },
    { "reassign unknown", try_reassign, MISSING, PIEPER_STORE_ERROR_NOT_FOUND },
    { "snooze unknown", try_snooze_30, MISSING, PIEPER_STORE_ERROR_NOT_FOUND },
    { "note unknown", try_good_note, MISSING, PIEPER_STORE_ERROR_NOT_FOUND },
  };
  g_autoptr(TestStore) ts = test_store_new ();
  gint64 ids[4];

  ids[TRIGGERED] = test_store_add_incident (ts, "PTRIG", 1, PIEPER_STATUS_TRIGGERED, 100);
  ids[ACKNOWLEDGED] = test_store_add_incident (ts, "PACK", 2, PIEPER_STATUS_ACKNOWLEDGED, 100);
  ids[RESOLVED] = test_store_add_incident (ts, "PRES", 3, PIEPER_STATUS_RESOLVED, 100);
  ids[MISSING] = 4242;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PieperAction) action = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].name);
      action = cases[i].queue (ts, ids[cases[i].on], &error);
      g_assert_error (error, PIEPER_STORE_ERROR, cases[i].code);
      g_assert_null (action);
    }

  g_assert_cmpuint (count_actions (ts), ==, 0);

  /* What is allowed on a resolved incident: a note. */
  {
    g_autoptr(PieperAction) action = NULL;
    g_autoptr(GError) error = NULL;

    action = try_good_note (ts, ids[RESOLVED], &error);
    g_assert_no_error (error);
  }
}

static void
test_validation_uses_effective_state (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAction) second_ack = NULL;
  g_autoptr(PieperAction) snooze = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = test_store_add_incident (ts, "PEFF", 1, PIEPER_STATUS_TRIGGERED, 100);
  queue_ack (ts, id);

  /* The snapshot still says triggered; the unsent acknowledge counts. */
  second_ack = pieper_outbox_acknowledge (ts->outbox, id, &error);
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);
  g_assert_null (second_ack);
  g_clear_error (&error);

  snooze = pieper_outbox_snooze (ts->outbox, id, 15, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_actions (ts), ==, 2);
}

/* The state machine */

static void
test_happy_path (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAction) inflight = NULL;
  g_autoptr(PieperAction) done = NULL;
  g_autoptr(GError) error = NULL;
  gint64 incident, id;

  incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  id = queue_ack (ts, incident);

  pieper_outbox_mark_inflight (ts->outbox, id, &error);
  g_assert_no_error (error);
  inflight = get_action (ts, id);
  g_assert_cmpint (pieper_action_get_state (inflight), ==, PIEPER_ACTION_INFLIGHT);
  g_assert_cmpuint (pieper_action_get_attempts (inflight), ==, 1);
  /* The lease. */
  g_assert_cmpint (pieper_action_get_next_attempt_at (inflight), >, now ());
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, incident), ==, 1);

  pieper_outbox_mark_done (ts->outbox, id, NULL, NULL, &error);
  g_assert_no_error (error);
  done = get_action (ts, id);
  g_assert_cmpint (pieper_action_get_state (done), ==, PIEPER_ACTION_DONE);
  g_assert_cmpuint (pieper_action_get_attempts (done), ==, 1);
  g_assert_cmpint (pieper_action_get_next_attempt_at (done), ==, 0);
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, incident), ==, 0);
}

typedef enum
{
  MOVE_INFLIGHT,
  MOVE_DONE,
  MOVE_CONFLICT,
  MOVE_FAILED,
  MOVE_RETRY_LATER,
  MOVE_RETRY_NOW,
} Move;

static gboolean
do_move (TestStore  *ts,
         gint64      id,
         Move        move,
         GError    **error)
{
  switch (move)
    {
    case MOVE_INFLIGHT:
      return pieper_outbox_mark_inflight (ts->outbox, id, error);
    case MOVE_DONE:
      return pieper_outbox_mark_done (ts->outbox, id, NULL, NULL, error);
    case MOVE_CONFLICT:
      return pieper_outbox_mark_conflict (ts->outbox, id, "conflict", error);
    case MOVE_FAILED:
      return pieper_outbox_mark_failed (ts->outbox, id, "failed", error);
    case MOVE_RETRY_LATER:
      return pieper_outbox_retry_later (ts->outbox, id, 0, "retry", error);
    case MOVE_RETRY_NOW:
      return pieper_outbox_retry_now (ts->outbox, id, error);
    default:
      g_assert_not_reached ();
    }
}

/* Brings a fresh action to @state along legal moves. */
static gint64
action_in_state (TestStore         *ts,
                 gint64             incident,
                 PieperActionState  state)
{
  gint64 id = test_queue_note (ts, incident, "note");
  g_autoptr(GError) error = NULL;

  if (state == PIEPER_ACTION_PENDING)
    return id;

  mark_inflight (ts, id);
  if (state == PIEPER_ACTION_DONE)
    pieper_outbox_mark_done (ts->outbox, id, NULL, NULL, &error);
  else if (state == PIEPER_ACTION_CONFLICT)
    pieper_outbox_mark_conflict (ts->outbox, id, "conflict", &error);
  else if (state == PIEPER_ACTION_FAILED)
    pieper_outbox_mark_failed (ts->outbox, id, "failed", &error);
  g_assert_no_error (error);
  assert_state (ts, id, state);

  return id;
}

static void
test_illegal_moves (void)
{
  static const struct {
    PieperActionState from;
    Move              move;
  } illegal[] = {
    { PIEPER_ACTION_PENDING, MOVE_DONE },
    { PIEPER_ACTION_PENDING, MOVE_CONFLICT },
    { PIEPER_ACTION_PENDING, MOVE_FAILED },
    { PIEPER_ACTION_PENDING, MOVE_RETRY_LATER },
    { PIEPER_ACTION_PENDING, MOVE_RETRY_NOW },
    { PIEPER_ACTION_INFLIGHT, MOVE_RETRY_NOW },
    { PIEPER_ACTION_DONE, MOVE_INFLIGHT },
    { PIEPER_ACTION_DONE, MOVE_DONE },
    { PIEPER_ACTION_DONE, MOVE_CONFLICT },
    { PIEPER_ACTION_DONE, MOVE_FAILED },
    { PIEPER_ACTION_DONE, MOVE_RETRY_LATER },
    { PIEPER_ACTION_DONE, MOVE_RETRY_NOW },
    { PIEPER_ACTION_CONFLICT, MOVE_INFLIGHT },
    { PIEPER_ACTION_CONFLICT, MOVE_DONE },
    { PIEPER_ACTION_CONFLICT, MOVE_FAILED },
    { PIEPER_ACTION_CONFLICT, MOVE_RETRY_LATER },
    { PIEPER_ACTION_CONFLICT, MOVE_RETRY_NOW },
    { PIEPER_ACTION_FAILED, MOVE_INFLIGHT },
    { PIEPER_ACTION_FAILED, MOVE_DONE },
    { PIEPER_ACTION_FAILED, MOVE_CONFLICT },
    { PIEPER_ACTION_FAILED, MOVE_RETRY_LATER },
  };
  g_autoptr(TestStore) ts = test_store_new ();
  gint64 incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);

  for (guint i = 0; i < G_N_ELEMENTS (illegal); i++)
    {
      g_autoptr(PieperAction) after = NULL;
      g_autoptr(PieperAction) before = NULL;
      g_autoptr(GError) error = NULL;
      gint64 id = action_in_state (ts, incident, illegal[i].from);

      g_test_message ("case %u: from %s", i, pieper_action_state_to_string (illegal[i].from));
      before = get_action (ts, id);
      g_assert_false (do_move (ts, id, illegal[i].move, &error));
      g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);

      /* Nothing changed. */
      after = get_action (ts, id);
      g_assert_cmpint (pieper_action_get_state (after), ==, illegal[i].from);
      g_assert_cmpuint (pieper_action_get_attempts (after), ==, pieper_action_get_attempts (before));
      g_assert_cmpstr (pieper_action_get_last_error (after), ==, pieper_action_get_last_error (before));
    }

  /* An action that does not exist. */
  for (Move move = MOVE_INFLIGHT; move <= MOVE_RETRY_NOW; move++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (do_move (ts, 4242, move, &error));
      g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND);
    }
}

static void
test_retry_later (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAction) waiting = NULL;
  g_autoptr(PieperAction) kept = NULL;
  g_autoptr(PieperAction) second = NULL;
  g_autoptr(GError) error = NULL;
  gint64 incident, id, later = now () + 600;

  incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  id = queue_ack (ts, incident);
  mark_inflight (ts, id);

  pieper_outbox_retry_later (ts->outbox, id, later, "Connection timed out", &error);
  g_assert_no_error (error);
  waiting = get_action (ts, id);
  g_assert_cmpint (pieper_action_get_state (waiting), ==, PIEPER_ACTION_PENDING);
  g_assert_cmpint (pieper_action_get_next_attempt_at (waiting), ==, later);
  g_assert_cmpstr (pieper_action_get_last_error (waiting), ==, "Connection timed out");
  g_assert_cmpuint (pieper_action_get_attempts (waiting), ==, 1);
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, incident), ==, 1);
  g_assert_cmpint (pieper_outbox_next_wakeup (ts->outbox, pieper_account_get_id (ts->account)), ==, later);

  /* Not due yet. */
  g_assert_false (pieper_outbox_mark_inflight (ts->outbox, id, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_BUSY);
  g_clear_error (&error);
  assert_state (ts, id, PIEPER_ACTION_PENDING);

  /* Once it is due, a second attempt; a retry without a new reason keeps
   * the last one. */
  exec_raw (ts, "UPDATE outbox SET next_attempt_at = 1");
  mark_inflight (ts, id);
  pieper_outbox_retry_later (ts->outbox, id, 1, NULL, &error);
  g_assert_no_error (error);
  kept = get_action (ts, id);
  g_assert_cmpstr (pieper_action_get_last_error (kept), ==, "Connection timed out");
  g_assert_cmpuint (pieper_action_get_attempts (kept), ==, 2);

  mark_inflight (ts, id);
  second = get_action (ts, id);
  g_assert_cmpuint (pieper_action_get_attempts (second), ==, 3);

  /* Delivered at last: the old error no longer describes it. */
  pieper_outbox_mark_done (ts->outbox, id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&second);
  second = get_action (ts, id);
  g_assert_null (pieper_action_get_last_error (second));
  g_assert_cmpuint (pieper_action_get_attempts (second), ==, 3);
}

static void
test_failed_and_retry_now (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAction) failed = NULL;
  g_autoptr(PieperAction) again = NULL;
  g_autoptr(PieperAction) capped = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *huge = g_strnfill (100000, 'r');
  g_autoptr(GError) error = NULL;
  gint64 incident, id;

  incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  id = queue_ack (ts, incident);
  mark_inflight (ts, id);

  pieper_outbox_mark_failed (ts->outbox, id, "HTTP 400: Invalid Input Provided", &error);
  g_assert_no_error (error);
  failed = get_action (ts, id);
  g_assert_cmpint (pieper_action_get_state (failed), ==, PIEPER_ACTION_FAILED);
  g_assert_cmpstr (pieper_action_get_last_error (failed), ==, "HTTP 400: Invalid Input Provided");
  /* A failed action is no longer unsent, and leaves the overlay. */
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, incident), ==, 0);

  list = pieper_outbox_list (ts->outbox, PIEPER_ACTION_FAILED, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);

  pieper_outbox_retry_now (ts->outbox, id, &error);
  g_assert_no_error (error);
  again = get_action (ts, id);
  g_assert_cmpint (pieper_action_get_state (again), ==, PIEPER_ACTION_PENDING);
  g_assert_cmpint (pieper_action_get_next_attempt_at (again), ==, 0);
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, incident), ==, 1);

  mark_inflight (ts, id);
  pieper_outbox_mark_failed (ts->outbox, id, huge, &error);
  g_assert_no_error (error);
  capped = get_action (ts, id);
  g_assert_cmpuint (pieper_action_get_attempts (capped), ==, 2);
  g_assert_cmpuint (strlen (pieper_action_get_last_error (capped)), <=, PIEPER_FIELD_MAX_BYTES);

  list = pieper_outbox_list (ts->outbox, PIEPER_ACTION_PENDING, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
}

static void
test_inflight_lease (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAction) retaken = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;
  gint64 incident, id, account = 0;

  incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  account = pieper_account_get_id (ts->account);
  id = queue_ack (ts, incident);
  mark_inflight (ts, id);

  /* Another sync may not take it while the lease runs. */
  g_assert_false (pieper_outbox_mark_inflight (ts->outbox, id, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_BUSY);
  g_clear_error (&error);
  due = pieper_outbox_next_due (ts->outbox, account, now (), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 0);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* The sender died; once the lease runs out the action is due again. */
  due = pieper_outbox_next_due (ts->outbox, account, now () + 3600, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpint (pieper_action_get_state (g_ptr_array_index (due, 0)), ==, PIEPER_ACTION_INFLIGHT);

  exec_raw (ts, "UPDATE outbox SET next_attempt_at = 1");
  mark_inflight (ts, id);
  retaken = get_action (ts, id);
  g_assert_cmpuint (pieper_action_get_attempts (retaken), ==, 2);
}

/* A sender that is gone (killed, crashed) loses its actions, but only
 * UNKNOWN_OUTCOME_WAIT after it claimed them: a request it sent just
 * before it died may still be reaching the server, and the read-back
 * before the next try would miss it. */
static void
test_inflight_dead_owner (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAction) claimed = NULL;
  g_autoptr(PieperAction) retaken = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *boot_id = NULL;
  g_autofree char *sql = NULL;
  gint64 incident, id, account, claimed_at;

  incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  account = pieper_account_get_id (ts->account);
  id = queue_ack (ts, incident);
  mark_inflight (ts, id);

  /* Claimed by this very process, which is alive: not due. */
  claimed = get_action (ts, id);
  claimed_at = pieper_action_get_updated_at (claimed);
  g_assert_nonnull (pieper_action_get_claimed_by (claimed));
  due = pieper_outbox_next_due (ts->outbox, account, now (), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 0);
  g_clear_pointer (&due, g_ptr_array_unref);

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot_id, NULL, NULL))
    {
      g_test_skip ("no /proc here to tell a dead sender from a live one");
      return;
    }
  g_strstrip (boot_id);

  /* The same machine, a process that no longer runs (its start time does
   * not match whatever has that pid now). Within the wait: not due, not
   * to be claimed, and the engine is woken when the wait ends, not when
   * the lease would. */
  sql = g_strdup_printf ("UPDATE outbox SET claimed_by = '%s/%d/1'", boot_id, (int) getpid ());
  exec_raw (ts, sql);
  due = pieper_outbox_next_due (ts->outbox, account, claimed_at + UNKNOWN_OUTCOME_WAIT - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 0);
  g_clear_pointer (&due, g_ptr_array_unref);
  if (now () < claimed_at + UNKNOWN_OUTCOME_WAIT)
    {
      g_assert_false (pieper_outbox_mark_inflight (ts->outbox, id, &error));
      g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_BUSY);
      g_clear_error (&error);
    }
  g_assert_cmpint (pieper_outbox_next_wakeup (ts->outbox, account), ==, claimed_at + UNKNOWN_OUTCOME_WAIT);

  /* Once the wait is over, it is taken over. */
  due = pieper_outbox_next_due (ts->outbox, account, claimed_at + UNKNOWN_OUTCOME_WAIT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* The claim's time moved back, as if the wait had passed. */
  exec_raw (ts, "UPDATE outbox SET updated_at = updated_at - " G_STRINGIFY (UNKNOWN_OUTCOME_WAIT));
  mark_inflight (ts, id);
  retaken = get_action (ts, id);
  g_assert_cmpuint (pieper_action_get_attempts (retaken), ==, 2);
  g_assert_cmpstr (pieper_action_get_claimed_by (retaken), ==, pieper_action_get_claimed_by (claimed));

  /* Another machine's claim (another boot): dead from here too. */
  exec_raw (ts, "UPDATE outbox SET claimed_by = '00000000-0000-0000-0000-000000000000/1/1'");
  due = pieper_outbox_next_due (ts->outbox, account, now (), &error);
  g_assert_cmpuint (due->len, ==, 0);
  g_clear_pointer (&due, g_ptr_array_unref);
  due = pieper_outbox_next_due (ts->outbox, account, now () + UNKNOWN_OUTCOME_WAIT, &error);
  g_assert_cmpuint (due->len, ==, 1);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* A clock that went back a little holds it a little longer; one that
   * went back an hour does not hold it for an hour. */
  exec_raw (ts, "UPDATE outbox SET updated_at = 100000");
  due = pieper_outbox_next_due (ts->outbox, account, 100000 - UNKNOWN_OUTCOME_WAIT, &error);
  g_assert_cmpuint (due->len, ==, 0);
  g_clear_pointer (&due, g_ptr_array_unref);
  due = pieper_outbox_next_due (ts->outbox, account, 100000 - UNKNOWN_OUTCOME_WAIT - 1, &error);
  g_assert_cmpuint (due->len, ==, 1);
  g_clear_pointer (&due, g_ptr_array_unref);
  due = pieper_outbox_next_due (ts->outbox, account, 100000 - 3600, &error);
  g_assert_cmpuint (due->len, ==, 1);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* Finished actions hold no claim. */
  pieper_outbox_mark_failed (ts->outbox, id, "refused", &error);
  g_assert_no_error (error);
  g_clear_object (&retaken);
  retaken = get_action (ts, id);
  g_assert_null (pieper_action_get_claimed_by (retaken));
}

static void
test_next_due (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAccount) other = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;
  gint64 a, b, a_ack, a_note, b_note, account, t = now ();

  a = test_store_add_incident (ts, "PA", 1, PIEPER_STATUS_TRIGGERED, 100);
  b = test_store_add_incident (ts, "PB", 2, PIEPER_STATUS_TRIGGERED, 100);
  account = pieper_account_get_id (ts->account);
  g_assert_cmpint (pieper_outbox_next_wakeup (ts->outbox, account), ==, 0);

  a_ack = queue_ack (ts, a);
  a_note = test_queue_note (ts, a, "second on A");
  b_note = test_queue_note (ts, b, "first on B");

  /* One per incident: the oldest. */
  due = pieper_outbox_next_due (ts->outbox, account, t, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 2);
  g_assert_cmpint (pieper_action_get_id (g_ptr_array_index (due, 0)), ==, a_ack);
  g_assert_cmpint (pieper_action_get_id (g_ptr_array_index (due, 1)), ==, b_note);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* A's acknowledge waits for a retry: A's note must not overtake it. */
  mark_inflight (ts, a_ack);
  pieper_outbox_retry_later (ts->outbox, a_ack, t + 300, "503", &error);
  g_assert_no_error (error);
  due = pieper_outbox_next_due (ts->outbox, account, t, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpint (pieper_action_get_id (g_ptr_array_index (due, 0)), ==, b_note);
  g_clear_pointer (&due, g_ptr_array_unref);

  due = pieper_outbox_next_due (ts->outbox, account, t + 300, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 2);
  g_assert_cmpint (pieper_action_get_id (g_ptr_array_index (due, 0)), ==, a_ack);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* Once it is sent, the next one on A is up. */
  exec_raw (ts, "UPDATE outbox SET next_attempt_at = 0 WHERE state = 'pending'");
  mark_inflight (ts, a_ack);
  pieper_outbox_mark_done (ts->outbox, a_ack, NULL, NULL, &error);
  g_assert_no_error (error);
  due = pieper_outbox_next_due (ts->outbox, account, t, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 2);
  g_assert_cmpint (pieper_action_get_id (g_ptr_array_index (due, 0)), ==, a_note);
  g_assert_cmpint (pieper_action_get_id (g_ptr_array_index (due, 1)), ==, b_note);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* Other accounts have their own. */
  other = pieper_store_ensure_account (ts->store, "alertmanager", "http://127.0.0.1:9093", "", &error);
  g_assert_no_error (error);
  due = pieper_outbox_next_due (ts->outbox, pieper_account_get_id (other), t, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 0);

  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, 0), ==, 2);
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, a), ==, 1);
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, b), ==, 1);
}

static void
test_retry_all_now (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAccount) other = NULL;
  g_autoptr(PieperIncident) elsewhere = test_make_incident ("PO", 3, PIEPER_STATUS_TRIGGERED, 100);
  g_autoptr(GPtrArray) incidents = g_ptr_array_new ();
  g_autoptr(PieperIncident) stored = NULL;
  g_autoptr(PieperAction) inflight = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;
  gint64 a, b, a_ack, b_ack, o_ack, account, t = now ();

  a = test_store_add_incident (ts, "PA", 1, PIEPER_STATUS_TRIGGERED, 100);
  b = test_store_add_incident (ts, "PB", 2, PIEPER_STATUS_TRIGGERED, 100);
  account = pieper_account_get_id (ts->account);
  other = pieper_store_ensure_account (ts->store, "pagerduty", "https://api.eu.example.com", "", &error);
  g_assert_no_error (error);
  g_ptr_array_add (incidents, elsewhere);
  pieper_store_apply_snapshot (ts->store, pieper_account_get_id (other), incidents, &error);
  g_assert_no_error (error);
  stored = pieper_store_lookup_incident (ts->store, pieper_account_get_id (other), "PO", &error);
  g_assert_no_error (error);

  a_ack = queue_ack (ts, a);
  b_ack = queue_ack (ts, b);
  o_ack = queue_ack (ts, pieper_incident_get_id (stored));

  /* A and the other account's action wait for a backoff; B is being sent. */
  mark_inflight (ts, a_ack);
  pieper_outbox_retry_later (ts->outbox, a_ack, t + 3600, "503", &error);
  g_assert_no_error (error);
  mark_inflight (ts, o_ack);
  pieper_outbox_retry_later (ts->outbox, o_ack, t + 3600, "503", &error);
  g_assert_no_error (error);
  mark_inflight (ts, b_ack);

  g_assert_cmpuint (pieper_outbox_retry_all_now (ts->outbox, account, &error), ==, 1);
  g_assert_no_error (error);

  due = pieper_outbox_next_due (ts->outbox, account, t, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpint (pieper_action_get_id (g_ptr_array_index (due, 0)), ==, a_ack);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* The lease of an action being sent is not cut short. */
  inflight = get_action (ts, b_ack);
  g_assert_cmpint (pieper_action_get_state (inflight), ==, PIEPER_ACTION_INFLIGHT);
  g_assert_cmpint (pieper_action_get_next_attempt_at (inflight), >, t);

  /* The other account's action still waits, until every account's turn. */
  due = pieper_outbox_next_due (ts->outbox, pieper_account_get_id (other), t, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 0);
  g_clear_pointer (&due, g_ptr_array_unref);

  g_assert_cmpuint (pieper_outbox_retry_all_now (ts->outbox, 0, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (pieper_outbox_retry_all_now (ts->outbox, 0, &error), ==, 0);
  g_assert_no_error (error);
  due = pieper_outbox_next_due (ts->outbox, pieper_account_get_id (other), t, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);
}

/* Finishing */

static void
test_mark_done_with_confirmation (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) confirmed = NULL;
  g_autoptr(PieperTimelineEntry) note = NULL;
  g_autoptr(PieperIncident) effective = NULL;
  g_autoptr(PieperIncident) snapshot = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;
  PieperTimelineEntry *entry;
  gint64 incident, id;

  incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  id = test_queue_note (ts, incident, "Rolled back to v41");
  mark_inflight (ts, id);

  /* Before: the note shows as a local, pending entry. */
  timeline = pieper_store_list_timeline (ts->store, incident, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (timeline->len, ==, 1);
  entry = g_ptr_array_index (timeline, 0);
  g_assert_cmpint (pieper_timeline_entry_get_origin (entry), ==, PIEPER_ORIGIN_LOCAL);
  g_assert_cmpint (pieper_timeline_entry_get_sync_state (entry), ==, PIEPER_ACTION_INFLIGHT);
  g_assert_cmpint (pieper_timeline_entry_get_action_id (entry), ==, id);
  g_clear_pointer (&timeline, g_ptr_array_unref);

  confirmed = test_make_incident ("PQ1", 1, PIEPER_STATUS_ACKNOWLEDGED, 200);
  note = pieper_timeline_entry_new (PIEPER_TIMELINE_NOTE);
  pieper_timeline_entry_set_remote_id (note, "NOTE-R1");
  pieper_timeline_entry_set_author (note, "Ada Lovelace");
  pieper_timeline_entry_set_at (note, 150);
  pieper_timeline_entry_set_body (note, "Rolled back to v41");

  pieper_outbox_mark_done (ts->outbox, id, confirmed, note, &error);
  g_assert_no_error (error);

  assert_state (ts, id, PIEPER_ACTION_DONE);
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, incident), ==, 0);

  /* After: one entry, the server's. */
  timeline = pieper_store_list_timeline (ts->store, incident, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (timeline->len, ==, 1);
  entry = g_ptr_array_index (timeline, 0);
  g_assert_cmpint (pieper_timeline_entry_get_origin (entry), ==, PIEPER_ORIGIN_REMOTE);
  g_assert_cmpstr (pieper_timeline_entry_get_remote_id (entry), ==, "NOTE-R1");
  g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==, "Rolled back to v41");
  g_assert_cmpint (pieper_timeline_entry_get_sync_state (entry), ==, PIEPER_ACTION_DONE);

  snapshot = pieper_store_get_snapshot (ts->store, incident, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_status (snapshot), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpint (pieper_incident_get_updated_at (snapshot), ==, 200);
  effective = pieper_store_get_incident (ts->store, incident, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pieper_incident_get_pending (effective), ==, 0);
}

static void
test_mark_done_is_atomic (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperIncident) confirmed = NULL;
  g_autoptr(PieperTimelineEntry) note = NULL;
  g_autoptr(PieperIncident) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  gint64 incident, id;

  incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  id = test_queue_note (ts, incident, "Rolled back");
  mark_inflight (ts, id);

  /* The note cannot be written: then neither the snapshot nor the state
   * changes, and the action stays inflight for the next sync. */
  exec_raw (ts, "CREATE TRIGGER refuse BEFORE INSERT ON timeline"
                " BEGIN SELECT RAISE(ABORT, 'refused'); END");

  confirmed = test_make_incident ("PQ1", 1, PIEPER_STATUS_RESOLVED, 200);
  note = pieper_timeline_entry_new (PIEPER_TIMELINE_NOTE);
  pieper_timeline_entry_set_remote_id (note, "NOTE-R1");
  pieper_timeline_entry_set_at (note, 150);
  pieper_timeline_entry_set_body (note, "Rolled back");

  g_assert_false (pieper_outbox_mark_done (ts->outbox, id, confirmed, note, &error));
  g_assert_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID);
  g_clear_error (&error);

  assert_state (ts, id, PIEPER_ACTION_INFLIGHT);
  snapshot = pieper_store_get_snapshot (ts->store, incident, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_status (snapshot), ==, PIEPER_STATUS_TRIGGERED);
}

static void
test_mark_conflict (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(PieperIncident) effective = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;
  PieperTimelineEntry *entry;
  gint64 incident, id;

  incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  id = queue_ack (ts, incident);
  mark_inflight (ts, id);

  pieper_outbox_mark_conflict (ts->outbox, id, "Already resolved by Grace Hopper", &error);
  g_assert_no_error (error);

  action = get_action (ts, id);
  g_assert_cmpint (pieper_action_get_state (action), ==, PIEPER_ACTION_CONFLICT);
  g_assert_cmpstr (pieper_action_get_last_error (action), ==, "Already resolved by Grace Hopper");
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, incident), ==, 0);

  timeline = pieper_store_list_timeline (ts->store, incident, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (timeline->len, ==, 1);
  entry = g_ptr_array_index (timeline, 0);
  g_assert_cmpint (pieper_timeline_entry_get_kind (entry), ==, PIEPER_TIMELINE_CONFLICT);
  g_assert_cmpint (pieper_timeline_entry_get_origin (entry), ==, PIEPER_ORIGIN_LOCAL);
  g_assert_cmpint (pieper_timeline_entry_get_sync_state (entry), ==, PIEPER_ACTION_CONFLICT);
  g_assert_cmpint (pieper_timeline_entry_get_action_id (entry), ==, id);
  g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==, "Already resolved by Grace Hopper");

  /* The acknowledge no longer shows. */
  effective = pieper_store_get_incident (ts->store, incident, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_status (effective), ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpuint (pieper_incident_get_pending (effective), ==, 0);
}

static void
test_list_by_state (void)
{
  g_autoptr(TestStore) ts = test_store_new ();
  g_autoptr(GError) error = NULL;
  gint64 incident;
  static const PieperActionState states[] = {
    PIEPER_ACTION_PENDING, PIEPER_ACTION_INFLIGHT, PIEPER_ACTION_DONE,
    PIEPER_ACTION_CONFLICT, PIEPER_ACTION_FAILED,
  };

  incident = test_store_add_incident (ts, "PQ1", 1, PIEPER_STATUS_TRIGGERED, 100);
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    action_in_state (ts, incident, states[i]);
  /* A second pending one. */
  action_in_state (ts, incident, PIEPER_ACTION_PENDING);

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autoptr(GPtrArray) list = pieper_outbox_list (ts->outbox, states[i], &error);

      g_assert_no_error (error);
      g_assert_cmpuint (list->len, ==, states[i] == PIEPER_ACTION_PENDING ? 2 : 1);
      for (guint j = 0; j < list->len; j++)
        g_assert_cmpint (pieper_action_get_state (g_ptr_array_index (list, j)), ==, states[i]);
    }

  g_assert_cmpuint (count_actions (ts), ==, 6);
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, incident), ==, 3);
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, 0), ==, 3);
  g_assert_cmpuint (pieper_outbox_count_unsent (ts->outbox, incident + 1), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/outbox/queue/each-op", test_queue_each_op);
  g_test_add_func ("/outbox/queue/note-limits", test_note_limits);
  g_test_add_func ("/outbox/queue/validation", test_validation);
  g_test_add_func ("/outbox/queue/validation-uses-effective-state", test_validation_uses_effective_state);
  g_test_add_func ("/outbox/state/happy-path", test_happy_path);
  g_test_add_func ("/outbox/state/illegal-moves", test_illegal_moves);
  g_test_add_func ("/outbox/state/retry-later", test_retry_later);
  g_test_add_func ("/outbox/state/failed-and-retry-now", test_failed_and_retry_now);
  g_test_add_func ("/outbox/state/inflight-lease", test_inflight_lease);
  g_test_add_func ("/outbox/next-due", test_next_due);
  g_test_add_func ("/outbox/retry-all-now", test_retry_all_now);
  g_test_add_func ("/outbox/inflight-dead-owner", test_inflight_dead_owner);
  g_test_add_func ("/outbox/mark-done/with-confirmation", test_mark_done_with_confirmation);
  g_test_add_func ("/outbox/mark-done/atomic", test_mark_done_is_atomic);
  g_test_add_func ("/outbox/mark-conflict", test_mark_conflict);
  g_test_add_func ("/outbox/list-by-state", test_list_by_state);

  return g_test_run ();
}
