/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <unistd.h>

#include "pieper-outbox-private.h"
#include "pieper-store-private.h"

/* How long a sync may hold an action inflight before another sync (say,
 * after the first one crashed) may take it over, in seconds. */
#define INFLIGHT_LEASE 120

#define MAX_USER_BYTES 256
#define MAX_SNOOZE_MINUTES (7 * 24 * 60)
#define MAX_ESCALATION_LEVEL 100

struct _PieperOutbox
{
  GObject      parent_instance;

  PieperStore *store;
};

G_DEFINE_FINAL_TYPE (PieperOutbox, pieper_outbox, G_TYPE_OBJECT)

static void
pieper_outbox_dispose (GObject *object)
{
  PieperOutbox *self = (PieperOutbox *) object;

  g_clear_object (&self->store);

  G_OBJECT_CLASS (pieper_outbox_parent_class)->dispose (object);
}

static void
pieper_outbox_class_init (PieperOutboxClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pieper_outbox_dispose;
}

static void
pieper_outbox_init (PieperOutbox *self)
{
}

PieperOutbox *
pieper_outbox_new (PieperStore *store)
{
  PieperOutbox *self;

  g_return_val_if_fail (PIEPER_IS_STORE (store), NULL);

  self = g_object_new (PIEPER_TYPE_OUTBOX, NULL);
  self->store = g_object_ref (store);

  return self;
}

PieperStore *
pieper_outbox_get_store (PieperOutbox *self)
{
  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), NULL);
  return self->store;
}

/* Who sends an action. An inflight action is claimed by one process,
 * named by the machine's boot id, its pid and its start time (so a reused
 * pid is not mistaken for the sender), or by nobody once a send was cut
 * short. When that process is gone, its actions are taken over
 * UNKNOWN_OUTCOME_WAIT after they were claimed: a request it sent just
 * before it died may still be on its way or being handled, and the
 * read-back before the next try would miss it. The lease covers what
 * /proc cannot tell, such as a sender on another machine sharing the data
 * dir. */

static char *
read_boot_id (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL))
    return NULL;

  return g_strstrip (g_steal_pointer (&contents));
}

/* Field 22 of /proc/PID/stat, after the parenthesised command name. */
static char *
read_start_time (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;

  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      !(rest = strrchr (contents, ')')))
    return NULL;

  fields = g_strsplit (rest + 1, " ", 0);
  /* fields[0] is empty, fields[1] is field 3 (state). */
  if (g_strv_length (fields) < 21)
    return NULL;

  return g_strdup (fields[20]);
}

static const char *
self_owner (void)
{
  static gsize owner = 0;

  if (g_once_init_enter (&owner))
    {
      g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
      g_autofree char *boot_id = read_boot_id ();
      g_autofree char *start = read_start_time (pid);
      char *text = g_strdup_printf ("%s/%s/%s",
                                    boot_id != NULL ? boot_id : "-",
                                    pid,
                                    start != NULL ? start : "-");

      g_once_init_leave (&owner, (gsize) text);
    }

  return (const char *) owner;
}

/* TRUE only when the claiming process is known to be gone. */
static gboolean
owner_is_dead (const char *owner)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *boot_id = NULL;
  g_autofree char *start = NULL;

  if (owner == NULL)
    return TRUE;

  parts = g_strsplit (owner, "/", 3);
  if (g_strv_length (parts) != 3 || strcmp (parts[0], "-") == 0 || strcmp (parts[2], "-") == 0)
    return FALSE;

  if (!(boot_id = read_boot_id ()))
    return FALSE;
  if (strcmp (boot_id, parts[0]) != 0)
    return TRUE;

  start = read_start_time (parts[1]);
  return start == NULL || strcmp (start, parts[2]) != 0;
}

/* When an inflight action whose sender is gone, claimed (or cut short) at
 * @since, may be taken over. A clock that went back more than the wait
 * cannot say how long ago @since was: rather than hold the action until
 * the clock catches up, the wait is over then, so it lasts at most twice
 * UNKNOWN_OUTCOME_WAIT. */
static gint64
takeover_at (gint64 since,
             gint64 now)
{
  if (now < since - UNKNOWN_OUTCOME_WAIT)
    return now;

  return since + UNKNOWN_OUTCOME_WAIT;
}

/* When @action is due: its next attempt for a pending one, the end of its
 * lease for an inflight one, or sooner once its sender is gone. */
static gint64
due_at (PieperAction *action,
        gint64        now)
{
  gint64 at = pieper_action_get_next_attempt_at (action);

  if (pieper_action_get_state (action) == PIEPER_ACTION_INFLIGHT && at > now &&
      owner_is_dead (pieper_action_get_claimed_by (action)))
    at = MIN (at, takeover_at (pieper_action_get_updated_at (action), now));

  return at;
}

static gboolean
is_due (PieperAction *action,
        gint64        now)
{
  return due_at (action, now) <= now;
}

gboolean
pieper_outbox_is_unconfirmed (PieperOutbox *self,
                              PieperAction *action,
                              gint64        now,
                              gint64       *check_at)
{
  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (PIEPER_IS_ACTION (action), FALSE);

  if (pieper_action_get_state (action) != PIEPER_ACTION_INFLIGHT ||
      !owner_is_dead (pieper_action_get_claimed_by (action)))
    return FALSE;

  if (check_at != NULL)
    *check_at = due_at (action, now);

  return TRUE;
}

/* Reading */

PieperAction *
pieper_outbox_get (PieperOutbox  *self,
                   gint64         action_id,
                   GError       **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), NULL);

  if (!(stmt = _pieper_store_prepare (self->store,
                                      "SELECT " ACTION_COLUMNS " FROM outbox o"
                                      " JOIN incidents i ON i.id = o.incident_id WHERE o.id = ?",
                                      error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, action_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return _pieper_action_from_row (stmt);

  if (rc == SQLITE_DONE)
    g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND,
                 _("No action %lld in the outbox"), (long long) action_id);
  else
    _pieper_store_set_error (self->store, rc, error);

  return NULL;
}

static GPtrArray *
collect_actions (PieperOutbox  *self,
                 PieperStmt    *stmt,
                 GError       **error)
{
  g_autoptr(GPtrArray) actions = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (actions, _pieper_action_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      _pieper_store_set_error (self->store, rc, error);
      return NULL;
    }

  return g_steal_pointer (&actions);
}

GPtrArray *
pieper_outbox_list (PieperOutbox  *self,
                    int            state,
                    GError       **error)
{
  g_autoptr(PieperStmt) stmt = NULL;

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), NULL);

  if (!(stmt = _pieper_store_prepare (self->store,
                                      "SELECT " ACTION_COLUMNS " FROM outbox o"
                                      " JOIN incidents i ON i.id = o.incident_id"
                                      " WHERE ?1 IS NULL OR o.state = ?1 ORDER BY o.id",
                                      error)))
    return NULL;

  if (state >= 0)
    _pieper_bind_text (stmt, 1, pieper_action_state_to_string ((PieperActionState) state));

  return collect_actions (self, stmt, error);
}

guint
pieper_outbox_count_unsent (PieperOutbox *self,
                            gint64        incident_id)
{
  g_autoptr(PieperStmt) stmt = NULL;

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), 0);

  if (!(stmt = _pieper_store_prepare (self->store,
                                      "SELECT count(*) FROM outbox WHERE state IN ('pending', 'inflight')"
                                      " AND (?1 = 0 OR incident_id = ?1)",
                                      NULL)))
    return 0;

  sqlite3_bind_int64 (stmt, 1, incident_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;

  return (guint) sqlite3_column_int64 (stmt, 0);
}

GPtrArray *
pieper_outbox_next_due (PieperOutbox  *self,
                        gint64         account_id,
                        gint64         now,
                        GError       **error)
{
  g_autoptr(PieperStmt) stmt = NULL;

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), NULL);

  g_autoptr(GPtrArray) actions = NULL;

  /* An inflight action is due when its lease ran out (the sender gave up
   * without saying how it went), or a while after its sender is gone. */
  if (!(stmt = _pieper_store_prepare (self->store,
                                      "SELECT " ACTION_COLUMNS " FROM outbox o"
                                      " JOIN incidents i ON i.id = o.incident_id"
                                      " WHERE o.account_id = ?1 AND o.state IN ('pending', 'inflight')"
                                      " AND o.id = (SELECT min(o2.id) FROM outbox o2"
                                      "             WHERE o2.incident_id = o.incident_id"
                                      "             AND o2.state IN ('pending', 'inflight'))"
                                      " AND (o.next_attempt_at <= ?2 OR o.state = 'inflight')"
                                      " ORDER BY o.id",
                                      error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, now);

  if (!(actions = collect_actions (self, stmt, error)))
    return NULL;

  for (guint i = actions->len; i > 0; i--)
    if (!is_due (g_ptr_array_index (actions, i - 1), now))
      g_ptr_array_remove_index (actions, i - 1);

  return g_steal_pointer (&actions);
}

gint64
pieper_outbox_next_wakeup (PieperOutbox *self,
                           gint64        account_id)
{
  g_autoptr(PieperStmt) stmt = NULL;
  g_autoptr(GPtrArray) actions = NULL;
  gint64 now = _pieper_now ();
  gint64 wakeup = G_MAXINT64;

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), 0);

  /* Only each incident's oldest unsent action can be due: a later one
   * behind it (say, a note queued behind one cut short) must not wake the
   * engine for a round that cannot send it, again and again. */
  if (!(stmt = _pieper_store_prepare (self->store,
                                      "SELECT " ACTION_COLUMNS " FROM outbox o"
                                      " JOIN incidents i ON i.id = o.incident_id"
                                      " WHERE o.account_id = ?1 AND o.state IN ('pending', 'inflight')"
                                      " AND o.id = (SELECT min(o2.id) FROM outbox o2"
                                      "             WHERE o2.incident_id = o.incident_id"
                                      "             AND o2.state IN ('pending', 'inflight'))",
                                      NULL)))
    return 0;

  sqlite3_bind_int64 (stmt, 1, account_id);
  if (!(actions = collect_actions (self, stmt, NULL)) || actions->len == 0)
    return 0;

  for (guint i = 0; i < actions->len; i++)
    wakeup = MIN (wakeup, due_at (g_ptr_array_index (actions, i), now));

  return MAX (1, wakeup);
}

/* Queueing */

static gboolean
check_allowed (PieperIncident  *incident,
               PieperOp         op,
               GError         **error)
{
  PieperStatus status = pieper_incident_get_status (incident);
  const char *message = NULL;

  switch (op)
    {
    case PIEPER_OP_ACKNOWLEDGE:
      if (status == PIEPER_STATUS_ACKNOWLEDGED)
        message = _("The incident is already acknowledged");
      else if (status == PIEPER_STATUS_RESOLVED)
        message = _("The incident is resolved");
      break;

    case PIEPER_OP_RESOLVE:
      if (status == PIEPER_STATUS_RESOLVED)
        message = _("The incident is already resolved");
      break;

    case PIEPER_OP_ESCALATE:
    case PIEPER_OP_REASSIGN:
      if (status == PIEPER_STATUS_RESOLVED)
        message = _("The incident is resolved");
      break;

    case PIEPER_OP_SNOOZE:
      if (status == PIEPER_STATUS_RESOLVED)
        message = _("The incident is resolved");
      else if (status == PIEPER_STATUS_TRIGGERED)
        message = _("Acknowledge the incident before snoozing it");
      break;

    case PIEPER_OP_NOTE:
      break;

    default:
      g_assert_not_reached ();
    }

  if (message != NULL)
    {
      g_set_error_literal (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID, message);
      return FALSE;
    }

  return TRUE;
}

static PieperAction *
enqueue (PieperOutbox  *self,
         gint64         incident_id,
         PieperOp       op,
         JsonBuilder   *args,
         GError       **error)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *key = NULL;
  gint64 action_id;
  gint64 now;

  /* Check and insert under one write lock, so the check still holds when
   * the row lands, whatever another process does meanwhile. */
  if (!_pieper_store_begin (self->store, error))
    return NULL;

  if (!(incident = pieper_store_get_incident (self->store, incident_id, error)) ||
      !check_allowed (incident, op, error))
    goto failed;

  root = json_builder_get_root (args);
  payload = json_to_string (root, FALSE);
  key = g_uuid_string_random ();
  now = _pieper_now ();

  {
    g_autoptr(PieperStmt) stmt = NULL;

    if (!(stmt = _pieper_store_prepare (self->store,
                                        "INSERT INTO outbox (account_id, incident_id, op, payload,"
                                        " idempotency_key, state, attempts, next_attempt_at,"
                                        " created_at, updated_at)"
                                        " VALUES (?, ?, ?, ?, ?, 'pending', 0, 0, ?, ?)",
                                        error)))
      goto failed;

    sqlite3_bind_int64 (stmt, 1, pieper_incident_get_account_id (incident));
    sqlite3_bind_int64 (stmt, 2, incident_id);
    _pieper_bind_text (stmt, 3, pieper_op_to_string (op));
    _pieper_bind_text (stmt, 4, payload);
    _pieper_bind_text (stmt, 5, key);
    sqlite3_bind_int64 (stmt, 6, now);
    sqlite3_bind_int64 (stmt, 7, now);

    if (!_pieper_store_step_done (self->store, stmt, error))
      goto failed;
  }

  action_id = sqlite3_last_insert_rowid (_pieper_store_get_db (self->store));

  /* The caller hears of success only once the row is committed. */
  if (!_pieper_store_commit (self->store, error))
    return NULL;

  return pieper_outbox_get (self, action_id, error);

failed:
  _pieper_store_rollback (self->store);
  return NULL;
}

static JsonBuilder *
begin_args (void)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  return builder;
}

static PieperAction *
enqueue_plain (PieperOutbox  *self,
               gint64         incident_id,
               PieperOp       op,
               GError       **error)
{
  g_autoptr(JsonBuilder) args = begin_args ();

  json_builder_end_object (args);
  return enqueue (self, incident_id, op, args, error);
}

PieperAction *
pieper_outbox_acknowledge (PieperOutbox  *self,
                           gint64         incident_id,
                           GError       **error)
{
  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), NULL);

  return enqueue_plain (self, incident_id, PIEPER_OP_ACKNOWLEDGE, error);
}

PieperAction *
pieper_outbox_resolve (PieperOutbox  *self,
                       gint64         incident_id,
                       GError       **error)
{
  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), NULL);

  return enqueue_plain (self, incident_id, PIEPER_OP_RESOLVE, error);
}

PieperAction *
pieper_outbox_escalate (PieperOutbox  *self,
                        gint64         incident_id,
                        int            level,
                        GError       **error)
{
  g_autoptr(JsonBuilder) args = NULL;
  g_autoptr(PieperAction) action = NULL;

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), NULL);

  if (level < 0 || level > MAX_ESCALATION_LEVEL)
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                   _("The escalation level must be between 1 and %d"), MAX_ESCALATION_LEVEL);
      return NULL;
    }

  /* "The next level" is decided now, from what the responder sees, and
   * stored as a level: sending it twice (after a timeout with no answer)
   * then escalates once, not twice. */
  if (!_pieper_store_begin (self->store, error))
    return NULL;

  args = begin_args ();
  if (level == 0)
    {
      g_autoptr(PieperIncident) incident = NULL;

      if (!(incident = pieper_store_get_incident (self->store, incident_id, error)))
        {
          _pieper_store_rollback (self->store);
          return NULL;
        }

      level = pieper_incident_get_escalation_level (incident) + 1;
      json_builder_set_member_name (args, "next");
      json_builder_add_boolean_value (args, TRUE);
    }
  json_builder_set_member_name (args, "level");
  json_builder_add_int_value (args, level);
  json_builder_end_object (args);

  action = enqueue (self, incident_id, PIEPER_OP_ESCALATE, args, error);
  if (action == NULL)
    {
      /* enqueue() rolled back already, unless reading the row back failed. */
      if (!sqlite3_get_autocommit (_pieper_store_get_db (self->store)))
        _pieper_store_rollback (self->store);
      return NULL;
    }

  if (!_pieper_store_commit (self->store, error))
    g_clear_object (&action);

  return g_steal_pointer (&action);
}

PieperAction *
pieper_outbox_reassign (PieperOutbox  *self,
                        gint64         incident_id,
                        const char    *user,
                        GError       **error)
{
  g_autoptr(JsonBuilder) args = NULL;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (user != NULL, NULL);

  trimmed = g_strstrip (g_strdup (user));
  if (*trimmed == '\0' || strlen (trimmed) > MAX_USER_BYTES ||
      !g_utf8_validate (trimmed, -1, NULL))
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                   _("The user to reassign to must be a server user id of at most %d bytes"),
                   MAX_USER_BYTES);
      return NULL;
    }

  args = begin_args ();
  json_builder_set_member_name (args, "user");
  json_builder_add_string_value (args, trimmed);
  json_builder_end_object (args);

  return enqueue (self, incident_id, PIEPER_OP_REASSIGN, args, error);
}

PieperAction *
pieper_outbox_snooze (PieperOutbox  *self,
                      gint64         incident_id,
                      guint          minutes,
                      GError       **error)
{
  g_autoptr(JsonBuilder) args = NULL;

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), NULL);

  if (minutes < 1 || minutes > MAX_SNOOZE_MINUTES)
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                   _("A snooze lasts from 1 to %d minutes"), MAX_SNOOZE_MINUTES);
      return NULL;
    }

  args = begin_args ();
  json_builder_set_member_name (args, "minutes");
  json_builder_add_int_value (args, minutes);
  json_builder_end_object (args);

  return enqueue (self, incident_id, PIEPER_OP_SNOOZE, args, error);
}

PieperAction *
pieper_outbox_add_note (PieperOutbox  *self,
                        gint64         incident_id,
                        const char    *text,
                        GError       **error)
{
  g_autoptr(JsonBuilder) args = NULL;
  g_autofree char *clean = NULL;
  gsize len;

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  len = strlen (text);
  if (!g_utf8_validate (text, len, NULL))
    {
      g_set_error_literal (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                           _("The note is not valid UTF-8 text"));
      return NULL;
    }

  if (len > PIEPER_NOTE_MAX_BYTES)
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                   _("The note is too long (%lu bytes; at most %d)"),
                   (unsigned long) len, PIEPER_NOTE_MAX_BYTES);
      return NULL;
    }

  {
    g_autofree char *trimmed = g_strstrip (g_strdup (text));

    if (*trimmed == '\0')
      {
        g_set_error_literal (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                             _("The note is empty"));
        return NULL;
      }
  }

  clean = pieper_text_clean (text, PIEPER_NOTE_MAX_BYTES, TRUE);

  args = begin_args ();
  json_builder_set_member_name (args, "text");
  json_builder_add_string_value (args, clean);
  json_builder_end_object (args);

  return enqueue (self, incident_id, PIEPER_OP_NOTE, args, error);
}

/* The state machine */

static gboolean
is_allowed_move (PieperActionState from,
                 PieperActionState to)
{
  switch (to)
    {
    case PIEPER_ACTION_INFLIGHT:
      /* Re-taking an inflight action is checked against its lease. */
      return from == PIEPER_ACTION_PENDING || from == PIEPER_ACTION_INFLIGHT;
    case PIEPER_ACTION_DONE:
    case PIEPER_ACTION_CONFLICT:
    case PIEPER_ACTION_FAILED:
      return from == PIEPER_ACTION_INFLIGHT;
    case PIEPER_ACTION_PENDING:
      return from == PIEPER_ACTION_INFLIGHT || from == PIEPER_ACTION_FAILED;
    default:
      return FALSE;
    }
}

/* Reads an action and checks that it may move to @to now. Returns it as
 * it is, or %NULL. */
static PieperAction *
check_move (PieperOutbox       *self,
            gint64              action_id,
            PieperActionState   to,
            PieperActionState   only_from,
            gint64              now,
            GError            **error)
{
  g_autoptr(PieperAction) action = NULL;
  PieperActionState from;

  if (!(action = pieper_outbox_get (self, action_id, error)))
    return NULL;

  from = pieper_action_get_state (action);
  if (!is_allowed_move (from, to) || (only_from != (PieperActionState) -1 && from != only_from))
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                   _("Action %lld cannot go from %s to %s"),
                   (long long) action_id, pieper_action_state_to_string (from),
                   pieper_action_state_to_string (to));
      return NULL;
    }

  /* A pending action waiting for its retry is not due yet; an inflight one
   * within its lease is being sent by someone else, unless they are gone. */
  if (to == PIEPER_ACTION_INFLIGHT && !is_due (action, now))
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_BUSY,
                   _("Action %lld is not due yet or is being sent by another sync"),
                   (long long) action_id);
      return NULL;
    }

  return g_steal_pointer (&action);
}

/* Moves several actions, checked already, to done or to inflight (claimed
 * by this process) within the current transaction, with one statement: the
 * outbox's CHECK on its state costs SQLite a temporary b-tree each time a
 * statement runs, whatever the number of rows. */
static gboolean
write_moves (PieperOutbox       *self,
             GArray             *ids,
             PieperActionState   to,
             gint64              now,
             GError            **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  g_autoptr(GString) list = NULL;

  g_assert (to == PIEPER_ACTION_DONE || to == PIEPER_ACTION_INFLIGHT);

  if (ids->len == 0)
    return TRUE;

  list = g_string_new ("[");
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (list, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "", g_array_index (ids, gint64, i));
  g_string_append_c (list, ']');

  /* As move() writes each, without a reason. */
  if (!(stmt = _pieper_store_prepare (self->store,
                                      "UPDATE outbox SET state = ?2,"
                                      " attempts = attempts + ?3,"
                                      " next_attempt_at = ?4,"
                                      " last_error = CASE WHEN ?7 THEN NULL ELSE last_error END,"
                                      " updated_at = ?5, claimed_by = ?6"
                                      " WHERE id IN (SELECT value FROM json_each (?1))",
                                      error)))
    return FALSE;

  _pieper_bind_text (stmt, 1, list->str);
  _pieper_bind_text (stmt, 2, pieper_action_state_to_string (to));
  sqlite3_bind_int (stmt, 3, to == PIEPER_ACTION_INFLIGHT ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, to == PIEPER_ACTION_INFLIGHT ? now + INFLIGHT_LEASE : 0);
  sqlite3_bind_int64 (stmt, 5, now);
  _pieper_bind_text (stmt, 6, to == PIEPER_ACTION_INFLIGHT ? self_owner () : NULL);
  sqlite3_bind_int (stmt, 7, to == PIEPER_ACTION_DONE);

  if (!_pieper_store_step_done (self->store, stmt, error))
    return FALSE;

  if (sqlite3_changes (_pieper_store_get_db (self->store)) != (int) ids->len)
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                   "%u actions were to move to %s, %d did",
                   ids->len, pieper_action_state_to_string (to),
                   sqlite3_changes (_pieper_store_get_db (self->store)));
      return FALSE;
    }

  return TRUE;
}

/* Moves one action within the current transaction. */
static gboolean
move (PieperOutbox       *self,
      gint64              action_id,
      PieperActionState   to,
      PieperActionState   only_from,
      gint64              next_attempt_at,
      const char         *reason,
      PieperAction      **out_action,
      GError            **error)
{
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(PieperStmt) stmt = NULL;
  g_autofree char *capped = NULL;
  gint64 now = _pieper_now ();

  if (!(action = check_move (self, action_id, to, only_from, now, error)))
    return FALSE;

  if (!(stmt = _pieper_store_prepare (self->store,
                                      "UPDATE outbox SET state = ?2,"
                                      " attempts = attempts + ?3,"
                                      " next_attempt_at = ?4,"
                                      " last_error = CASE WHEN ?8 THEN NULL ELSE coalesce(?5, last_error) END,"
                                      " updated_at = ?6, claimed_by = ?7 WHERE id = ?1",
                                      error)))
    return FALSE;

  capped = pieper_utf8_cap (reason, PIEPER_FIELD_MAX_BYTES);

  sqlite3_bind_int64 (stmt, 1, action_id);
  _pieper_bind_text (stmt, 2, pieper_action_state_to_string (to));
  sqlite3_bind_int (stmt, 3, to == PIEPER_ACTION_INFLIGHT ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, next_attempt_at);
  _pieper_bind_text (stmt, 5, capped);
  sqlite3_bind_int64 (stmt, 6, now);
  _pieper_bind_text (stmt, 7, to == PIEPER_ACTION_INFLIGHT ? self_owner () : NULL);
  /* Once the server confirmed it, an old error no longer describes it. */
  sqlite3_bind_int (stmt, 8, to == PIEPER_ACTION_DONE);

  if (!_pieper_store_step_done (self->store, stmt, error))
    return FALSE;

  if (out_action != NULL)
    *out_action = g_steal_pointer (&action);

  return TRUE;
}

static gboolean
move_committed (PieperOutbox       *self,
                gint64              action_id,
                PieperActionState   to,
                PieperActionState   only_from,
                gint64              next_attempt_at,
                const char         *reason,
                GError            **error)
{
  if (!_pieper_store_begin (self->store, error))
    return FALSE;

  if (!move (self, action_id, to, only_from, next_attempt_at, reason, NULL, error))
    {
      _pieper_store_rollback (self->store);
      return FALSE;
    }

  return _pieper_store_commit (self->store, error);
}

gboolean
pieper_outbox_mark_inflight (PieperOutbox  *self,
                             gint64         action_id,
                             GError       **error)
{
  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), FALSE);

  return move_committed (self, action_id, PIEPER_ACTION_INFLIGHT, -1,
                         _pieper_now () + INFLIGHT_LEASE, NULL, error);
}

/* What marking an action done writes besides its state: the incident as
 * the server confirmed it, the note as delivered. */
static gboolean
settle_one (PieperOutbox         *self,
            PieperAction         *action,
            PieperIncident       *confirmed,
            PieperTimelineEntry  *note,
            GError              **error)
{
  if (confirmed != NULL &&
      !_pieper_store_upsert_incident (self->store, pieper_action_get_account_id (action), confirmed, error))
    return FALSE;

  /* The note is linked to the action, so a later read-back never takes
   * it for the delivery of another note with the same words. */
  if (note != NULL &&
      !_pieper_store_insert_timeline (self->store, pieper_action_get_incident_id (action), note,
                                      pieper_action_get_id (action), error))
    return FALSE;

  return TRUE;
}

/* Marks an action done within the current transaction. Sets @incident_id
 * to its incident. */
static gboolean
move_done (PieperOutbox         *self,
           gint64                action_id,
           PieperIncident       *confirmed,
           PieperTimelineEntry  *note,
           gint64               *incident_id,
           GError              **error)
{
  g_autoptr(PieperAction) action = NULL;

  if (!move (self, action_id, PIEPER_ACTION_DONE, -1, 0, NULL, &action, error) ||
      !settle_one (self, action, confirmed, note, error))
    return FALSE;

  if (incident_id != NULL)
    *incident_id = pieper_action_get_incident_id (action);

  return TRUE;
}

gboolean
pieper_outbox_mark_done (PieperOutbox         *self,
                         gint64                action_id,
                         PieperIncident       *confirmed,
                         PieperTimelineEntry  *note,
                         GError              **error)
{
  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (confirmed == NULL || PIEPER_IS_INCIDENT (confirmed), FALSE);
  g_return_val_if_fail (note == NULL || PIEPER_IS_TIMELINE_ENTRY (note), FALSE);

  if (!_pieper_store_begin (self->store, error))
    return FALSE;

  if (!move_done (self, action_id, confirmed, note, NULL, error))
    {
      _pieper_store_rollback (self->store);
      return FALSE;
    }

  return _pieper_store_commit (self->store, error);
}

/* Checks that an action may be claimed, as pieper_outbox_mark_inflight()
 * would, and adds it to @claim_ids. An action that cannot be claimed (not
 * due, another sender's, no longer unsent, gone, or claimed already in
 * this transaction) is no error: @claimed stays %NULL. */
static gboolean
check_claim (PieperOutbox  *self,
             gint64         action_id,
             gint64         now,
             GArray        *claim_ids,
             PieperAction **claimed,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  PieperAction *action;

  for (guint i = 0; i < claim_ids->len; i++)
    if (g_array_index (claim_ids, gint64, i) == action_id)
      return TRUE;

  if ((action = check_move (self, action_id, PIEPER_ACTION_INFLIGHT, -1, now, &local_error)))
    {
      g_array_append_val (claim_ids, action_id);
      *claimed = action;
      return TRUE;
    }

  if (g_error_matches (local_error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_BUSY) ||
      g_error_matches (local_error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID) ||
      g_error_matches (local_error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND))
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* The oldest unsent action of an incident but @settling (being marked done
 * in this transaction), or 0; -1 on error. */
static gint64
oldest_unsent (PieperOutbox  *self,
               gint64         incident_id,
               gint64         settling,
               GError       **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  int rc;

  if (!(stmt = _pieper_store_prepare (self->store,
                                      "SELECT id FROM outbox WHERE incident_id = ?1"
                                      " AND state IN ('pending', 'inflight') AND id != ?2"
                                      " ORDER BY id LIMIT 1",
                                      error)))
    return -1;

  sqlite3_bind_int64 (stmt, 1, incident_id);
  sqlite3_bind_int64 (stmt, 2, settling);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc == SQLITE_DONE)
    return 0;

  _pieper_store_set_error (self->store, rc, error);
  return -1;
}

/*
 * Marks actions done, each as pieper_outbox_mark_done() does, all in one
 * transaction, and in the same transaction claims what to send next in
 * each one's place: the incident's next action, when it is now the
 * incident's oldest unsent and due; else the first claimable one of
 * @fallbacks from *@fallback_index on (each tried one is passed over:
 * *@fallback_index ends after it). One commit then settles the actions and
 * claims the next ones, and both rules still hold: an outcome is committed
 * before the incident's next action leaves, and an action is claimed
 * before it leaves.
 *
 * Each claimed action is returned in its PieperSettled as it was before
 * the claim (so its attempts say whether an earlier attempt may have
 * arrived). With @claim_next FALSE nothing is claimed. On failure nothing
 * is written, nothing claimed, and *@fallback_index is as it was.
 */
gboolean
_pieper_outbox_settle_and_claim (PieperOutbox   *self,
                                 PieperSettled  *settled,
                                 guint           n_settled,
                                 gboolean        claim_next,
                                 GPtrArray      *fallbacks,
                                 guint          *fallback_index,
                                 GError        **error)
{
  guint first_fallback = fallback_index != NULL ? *fallback_index : 0;
  g_autoptr(GArray) done_ids = NULL;
  g_autoptr(GArray) claim_ids = NULL;
  gint64 now = _pieper_now ();

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (settled != NULL || n_settled == 0, FALSE);
  g_return_val_if_fail (fallbacks == NULL || fallback_index != NULL, FALSE);

  for (guint i = 0; i < n_settled; i++)
    {
      g_return_val_if_fail (settled[i].confirmed == NULL || PIEPER_IS_INCIDENT (settled[i].confirmed), FALSE);
      g_return_val_if_fail (settled[i].note == NULL || PIEPER_IS_TIMELINE_ENTRY (settled[i].note), FALSE);
      g_return_val_if_fail (settled[i].claimed == NULL, FALSE);
    }

  done_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_settled);
  claim_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_settled);

  if (!_pieper_store_begin (self->store, error))
    return FALSE;

  /* Each is checked and its timeline written as it comes; the state moves
   * are written together at the end. */
  for (guint i = 0; i < n_settled; i++)
    {
      PieperSettled *s = &settled[i];
      g_autoptr(PieperAction) action = NULL;
      gint64 next_id;

      if (!(action = check_move (self, s->action_id, PIEPER_ACTION_DONE, -1, now, error)) ||
          !settle_one (self, action, s->confirmed, s->note, error))
        goto failed;
      g_array_append_val (done_ids, s->action_id);

      if (!claim_next)
        continue;

      if ((next_id = oldest_unsent (self, pieper_action_get_incident_id (action), s->action_id, error)) < 0 ||
          (next_id > 0 && !check_claim (self, next_id, now, claim_ids, &s->claimed, error)))
        goto failed;

      while (s->claimed == NULL && fallbacks != NULL && *fallback_index < fallbacks->len)
        {
          PieperAction *fallback = g_ptr_array_index (fallbacks, (*fallback_index)++);

          if (!check_claim (self, pieper_action_get_id (fallback), now, claim_ids, &s->claimed, error))
            goto failed;
        }
    }

  if (!write_moves (self, done_ids, PIEPER_ACTION_DONE, now, error) ||
      !write_moves (self, claim_ids, PIEPER_ACTION_INFLIGHT, now, error))
    goto failed;

  if (_pieper_store_commit (self->store, error))
    return TRUE;

  /* The commit rolled back. */
  goto undo;

failed:
  _pieper_store_rollback (self->store);
undo:
  for (guint i = 0; i < n_settled; i++)
    g_clear_object (&settled[i].claimed);
  if (fallback_index != NULL)
    *fallback_index = first_fallback;
  return FALSE;
}

gboolean
pieper_outbox_mark_conflict (PieperOutbox  *self,
                             gint64         action_id,
                             const char    *reason,
                             GError       **error)
{
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(PieperTimelineEntry) entry = NULL;

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (reason != NULL, FALSE);

  if (!_pieper_store_begin (self->store, error))
    return FALSE;

  if (!move (self, action_id, PIEPER_ACTION_CONFLICT, -1, 0, reason, &action, error))
    goto failed;

  /* The responder sees on the timeline why their action did not land. */
  entry = pieper_timeline_entry_new (PIEPER_TIMELINE_CONFLICT);
  pieper_timeline_entry_set_origin (entry, PIEPER_ORIGIN_LOCAL);
  pieper_timeline_entry_set_at (entry, _pieper_now ());
  pieper_timeline_entry_set_body (entry, reason);
  if (!_pieper_store_insert_timeline (self->store, pieper_action_get_incident_id (action),
                                      entry, action_id, error))
    goto failed;

  return _pieper_store_commit (self->store, error);

failed:
  _pieper_store_rollback (self->store);
  return FALSE;
}

gboolean
_pieper_outbox_cut_short (PieperOutbox  *self,
                          gint64         action_id,
                          const char    *reason,
                          GError       **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  g_autofree char *capped = NULL;
  gint64 now = _pieper_now ();

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), FALSE);

  /* Inflight, not pending: the request may be out there, and a Refresh,
   * which makes every pending action due at once, must not send it again
   * before the wait is over. Claimed by nobody, it is due when the wait
   * is over whoever looks, as a dead sender's would be. */
  if (!(stmt = _pieper_store_prepare (self->store,
                                      "UPDATE outbox SET next_attempt_at = ?2,"
                                      " last_error = coalesce(?3, last_error),"
                                      " updated_at = ?4, claimed_by = NULL"
                                      " WHERE id = ?1 AND state = 'inflight' AND claimed_by = ?5",
                                      error)))
    return FALSE;

  capped = pieper_utf8_cap (reason, PIEPER_FIELD_MAX_BYTES);

  sqlite3_bind_int64 (stmt, 1, action_id);
  sqlite3_bind_int64 (stmt, 2, now + UNKNOWN_OUTCOME_WAIT);
  _pieper_bind_text (stmt, 3, capped);
  sqlite3_bind_int64 (stmt, 4, now);
  _pieper_bind_text (stmt, 5, self_owner ());

  return _pieper_store_step_done (self->store, stmt, error);
}

gboolean
pieper_outbox_mark_failed (PieperOutbox  *self,
                           gint64         action_id,
                           const char    *reason,
                           GError       **error)
{
  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (reason != NULL, FALSE);

  return move_committed (self, action_id, PIEPER_ACTION_FAILED, -1, 0, reason, error);
}

gboolean
pieper_outbox_retry_later (PieperOutbox  *self,
                           gint64         action_id,
                           gint64         next_attempt_at,
                           const char    *reason,
                           GError       **error)
{
  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), FALSE);

  return move_committed (self, action_id, PIEPER_ACTION_PENDING, PIEPER_ACTION_INFLIGHT,
                         next_attempt_at, reason, error);
}

gboolean
pieper_outbox_retry_now (PieperOutbox  *self,
                         gint64         action_id,
                         GError       **error)
{
  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), FALSE);

  return move_committed (self, action_id, PIEPER_ACTION_PENDING, PIEPER_ACTION_FAILED,
                         0, NULL, error);
}

guint
pieper_outbox_retry_all_now (PieperOutbox  *self,
                             gint64         account_id,
                             GError       **error)
{
  g_autoptr(PieperStmt) stmt = NULL;

  g_return_val_if_fail (PIEPER_IS_OUTBOX (self), 0);

  if (!(stmt = _pieper_store_prepare (self->store,
                                      "UPDATE outbox SET next_attempt_at = 0"
                                      " WHERE state = 'pending' AND next_attempt_at > 0"
                                      " AND (?1 = 0 OR account_id = ?1)",
                                      error)))
    return 0;

  sqlite3_bind_int64 (stmt, 1, account_id);
  if (!_pieper_store_step_done (self->store, stmt, error))
    return 0;

  return (guint) sqlite3_changes (_pieper_store_get_db (self->store));
}
