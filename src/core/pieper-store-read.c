/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "pieper-action-private.h"
#include "pieper-json.h"
#include "pieper-rebase-private.h"
#include "pieper-store-private.h"

/*
 * What the store reads: incidents as they show, with the outbox's unsent
 * actions laid over the server's snapshot (pieper-rebase.c), the list's
 * keys, the people to reassign to, and timelines. pieper-store.c writes.
 */

/* Reading the effective state */

/* A reader reads in one transaction, so that a snapshot and the outbox's
 * unsent actions agree; within a caller's transaction, in that one.
 * @own says whether read_end() has one to end. */
static gboolean
read_begin (PieperStore  *self,
            gboolean     *own,
            GError      **error)
{
  *own = sqlite3_get_autocommit (_pieper_store_get_db (self));
  return !*own || _pieper_store_exec (self, "BEGIN", error);
}

static void
read_end (PieperStore *self,
          gboolean     own)
{
  if (own)
    sqlite3_exec (_pieper_store_get_db (self), "COMMIT", NULL, NULL, NULL);
}

#define INCIDENT_COLUMNS \
  "i.id, i.account_id, i.remote_id, i.number, i.title, i.status, i.urgency, i.priority," \
  " i.service, i.escalation_policy, i.escalation_level, i.assignees, i.assignee_ids," \
  " i.html_url, i.created_at, i.updated_at, i.last_status_change_at, i.chat_url," \
  " i.video_url, i.status_page_url, i.postmortem_url"

static PieperIncident *
incident_from_row (PieperStmt *stmt)
{
  PieperIncident *incident;
  PieperStatus status = PIEPER_STATUS_TRIGGERED;
  PieperUrgency urgency = PIEPER_URGENCY_HIGH;
  g_auto(GStrv) assignees = NULL;
  g_auto(GStrv) assignee_ids = NULL;

  incident = pieper_incident_new (_pieper_column_text (stmt, 2));
  pieper_incident_set_id (incident, sqlite3_column_int64 (stmt, 0));
  pieper_incident_set_account_id (incident, sqlite3_column_int64 (stmt, 1));
  pieper_incident_set_number (incident, sqlite3_column_int64 (stmt, 3));
  pieper_incident_set_title (incident, _pieper_column_text (stmt, 4));
  pieper_status_from_string (_pieper_column_text (stmt, 5), &status);
  pieper_incident_set_status (incident, status);
  pieper_urgency_from_string (_pieper_column_text (stmt, 6), &urgency);
  pieper_incident_set_urgency (incident, urgency);
  pieper_incident_set_priority (incident, _pieper_column_text (stmt, 7));
  pieper_incident_set_service (incident, _pieper_column_text (stmt, 8));
  pieper_incident_set_escalation_policy (incident, _pieper_column_text (stmt, 9));
  pieper_incident_set_escalation_level (incident, sqlite3_column_int (stmt, 10));
  assignees = _pieper_store_strv_from_json (_pieper_column_text (stmt, 11));
  pieper_incident_set_assignees (incident, (const char * const *) assignees);
  assignee_ids = _pieper_store_strv_from_json (_pieper_column_text (stmt, 12));
  pieper_incident_set_assignee_ids (incident, (const char * const *) assignee_ids);
  pieper_incident_set_html_url (incident, _pieper_column_text (stmt, 13));
  pieper_incident_set_created_at (incident, sqlite3_column_int64 (stmt, 14));
  pieper_incident_set_updated_at (incident, sqlite3_column_int64 (stmt, 15));
  pieper_incident_set_last_status_change_at (incident, sqlite3_column_int64 (stmt, 16));
  pieper_incident_set_chat_url (incident, _pieper_column_text (stmt, 17));
  pieper_incident_set_video_url (incident, _pieper_column_text (stmt, 18));
  pieper_incident_set_status_page_url (incident, _pieper_column_text (stmt, 19));
  pieper_incident_set_postmortem_url (incident, _pieper_column_text (stmt, 20));

  return incident;
}

PieperAction *
_pieper_action_from_row (PieperStmt *stmt)
{
  PieperActionRow row = { 0, };

  row.id = sqlite3_column_int64 (stmt, 0);
  row.account_id = sqlite3_column_int64 (stmt, 1);
  row.incident_id = sqlite3_column_int64 (stmt, 2);
  row.incident_remote_id = _pieper_column_text (stmt, 3);
  pieper_op_from_string (_pieper_column_text (stmt, 4), &row.op);
  row.payload = _pieper_column_text (stmt, 5);
  row.idempotency_key = _pieper_column_text (stmt, 6);
  pieper_action_state_from_string (_pieper_column_text (stmt, 7), &row.state);
  row.attempts = (guint) sqlite3_column_int (stmt, 8);
  row.next_attempt_at = sqlite3_column_int64 (stmt, 9);
  row.last_error = _pieper_column_text (stmt, 10);
  row.created_at = sqlite3_column_int64 (stmt, 11);
  row.updated_at = sqlite3_column_int64 (stmt, 12);
  row.claimed_by = _pieper_column_text (stmt, 13);

  return _pieper_action_new (&row);
}

/* The unsent actions of one incident (or all, for @incident_id 0), in
 * order, grouped by incident: incident id → GPtrArray of PieperAction.
 * Notes change no state, so a caller that needs only the state skips
 * them: an incident may carry hundreds. */
static GHashTable *
load_unsent (PieperStore  *self,
             gint64        incident_id,
             gboolean      with_notes,
             GError      **error)
{
  g_autoptr(GHashTable) unsent = NULL;
  g_autoptr(PieperStmt) stmt = NULL;
  int rc;

  if (!(stmt = _pieper_store_prepare (self,
                                      "SELECT " ACTION_COLUMNS " FROM outbox o"
                                      " JOIN incidents i ON i.id = o.incident_id"
                                      " WHERE o.state IN ('pending', 'inflight')"
                                      " AND (?1 = 0 OR o.incident_id = ?1)"
                                      " AND (?2 OR o.op != 'note')"
                                      " ORDER BY o.incident_id, o.id",
                                      error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, incident_id);
  sqlite3_bind_int (stmt, 2, with_notes);

  unsent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                  (GDestroyNotify) g_ptr_array_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PieperAction *action = _pieper_action_from_row (stmt);
      gint64 key = pieper_action_get_incident_id (action);
      GPtrArray *actions = g_hash_table_lookup (unsent, &key);

      if (actions == NULL)
        {
          actions = g_ptr_array_new_with_free_func (g_object_unref);
          g_hash_table_insert (unsent, g_memdup2 (&key, sizeof key), actions);
        }

      g_ptr_array_add (actions, action);
    }

  if (rc != SQLITE_DONE)
    {
      _pieper_store_set_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&unsent);
}

/* How many actions each incident has waiting (incident id → count). */
static GHashTable *
count_unsent (PieperStore  *self,
              gint64        incident_id,
              GError      **error)
{
  g_autoptr(GHashTable) counts = NULL;
  g_autoptr(PieperStmt) stmt = NULL;
  int rc;

  if (!(stmt = _pieper_store_prepare (self,
                                      "SELECT incident_id, count(*) FROM outbox"
                                      " WHERE state IN ('pending', 'inflight')"
                                      " AND (?1 = 0 OR incident_id = ?1)"
                                      " GROUP BY incident_id",
                                      error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, incident_id);

  counts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 key = sqlite3_column_int64 (stmt, 0);

      g_hash_table_insert (counts, g_memdup2 (&key, sizeof key),
                           GUINT_TO_POINTER ((guint) sqlite3_column_int64 (stmt, 1)));
    }

  if (rc != SQLITE_DONE)
    {
      _pieper_store_set_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&counts);
}

/* The overlay of unsent actions: the state-changing ones, re-applied, and
 * the count of all of them. */
typedef struct
{
  GHashTable *actions;
  GHashTable *counts;
} Overlay;

static void
overlay_clear (Overlay *overlay)
{
  g_clear_pointer (&overlay->actions, g_hash_table_unref);
  g_clear_pointer (&overlay->counts, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Overlay, overlay_clear)

static gboolean
load_overlay (PieperStore  *self,
              gint64        incident_id,
              Overlay      *overlay,
              GError      **error)
{
  overlay->actions = load_unsent (self, incident_id, FALSE, error);
  overlay->counts = overlay->actions != NULL ? count_unsent (self, incident_id, error) : NULL;

  return overlay->counts != NULL;
}

static void
apply_overlay (PieperIncident *incident,
               Overlay        *overlay)
{
  gint64 id = pieper_incident_get_id (incident);
  GPtrArray *actions = g_hash_table_lookup (overlay->actions, &id);

  if (actions != NULL)
    _pieper_rebase (incident, actions);

  pieper_incident_set_pending (incident, GPOINTER_TO_UINT (g_hash_table_lookup (overlay->counts, &id)));
}

static gboolean
matches_filter (PieperStatus status,
                PieperFilter filter)
{
  switch (filter)
    {
    case PIEPER_FILTER_ALL:
      return TRUE;
    case PIEPER_FILTER_OPEN:
      return status != PIEPER_STATUS_RESOLVED;
    case PIEPER_FILTER_TRIGGERED:
      return status == PIEPER_STATUS_TRIGGERED;
    case PIEPER_FILTER_ACKNOWLEDGED:
      return status == PIEPER_STATUS_ACKNOWLEDGED;
    case PIEPER_FILTER_RESOLVED:
      return status == PIEPER_STATUS_RESOLVED;
    default:
      g_assert_not_reached ();
    }
}

/* The list as rows */

/* SplitMix64's finaliser: every bit of the input moves half the output. */
static inline guint64
mix64 (guint64 h)
{
  h ^= h >> 30;
  h *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  h ^= h >> 27;
  h *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  h ^= h >> 31;
  return h;
}

/* A row's key: its snapshot's version (moved by every write of the row),
 * the count of its unsent actions and which state-changing ones they are:
 * what the effective incident is computed from. */
static guint64
row_key (gint64     version,
         guint      pending,
         GPtrArray *actions)
{
  guint64 key = mix64 ((guint64) version);

  key = mix64 (key ^ pending);
  for (guint i = 0; actions != NULL && i < actions->len; i++)
    key = mix64 (key ^ (guint64) pieper_action_get_id (g_ptr_array_index (actions, i)));

  return key;
}

/* A row of "SELECT id, created_at, status, version FROM incidents". */
static PieperIncidentKey
key_from_row (PieperStmt *stmt,
              Overlay    *overlay)
{
  PieperIncidentKey row = { 0, };
  PieperRebaseState state = { 0, };
  GPtrArray *actions;

  row.id = sqlite3_column_int64 (stmt, 0);
  row.created_at = sqlite3_column_int64 (stmt, 1);
  state.status = PIEPER_STATUS_TRIGGERED;
  pieper_status_from_string (_pieper_column_text (stmt, 2), &state.status);

  /* The rules of apply_overlay(), on the status alone. */
  actions = g_hash_table_lookup (overlay->actions, &row.id);
  if (actions != NULL)
    _pieper_rebase_state (&state, actions);
  row.status = state.status;
  row.digest = row_key (sqlite3_column_int64 (stmt, 3),
                        GPOINTER_TO_UINT (g_hash_table_lookup (overlay->counts, &row.id)),
                        actions);

  return row;
}

static GArray *
list_rows (PieperStore  *self,
           GError      **error)
{
  g_auto(Overlay) overlay = { NULL, NULL };
  g_autoptr(PieperStmt) stmt = NULL;
  g_autoptr(GArray) rows = NULL;
  int rc;

  if (!load_overlay (self, 0, &overlay, error))
    return NULL;

  /* The list's order, the status and the version are all in the index
   * incidents_by_list: SQLite reads it alone, in order, and sorts nothing. */
  if (!(stmt = _pieper_store_prepare (self,
                                      "SELECT id, created_at, status, version FROM incidents"
                                      " ORDER BY created_at DESC, id DESC",
                                      error)))
    return NULL;

  rows = g_array_new (FALSE, FALSE, sizeof (PieperIncidentKey));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PieperIncidentKey row = key_from_row (stmt, &overlay);

      g_array_append_val (rows, row);
    }

  if (rc != SQLITE_DONE)
    {
      _pieper_store_set_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&rows);
}

GArray *
pieper_store_list_incident_keys (PieperStore  *self,
                                 GError      **error)
{
  GArray *rows;
  gboolean own_transaction;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);

  if (!read_begin (self, &own_transaction, error))
    return NULL;

  rows = list_rows (self, error);

  read_end (self, own_transaction);

  return rows;
}

static void
unref_if_set (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

gboolean
pieper_store_get_incident_key (PieperStore        *self,
                               gint64              id,
                               PieperIncidentKey  *key,
                               GError            **error)
{
  g_auto(Overlay) overlay = { NULL, NULL };
  g_autoptr(PieperStmt) stmt = NULL;
  gboolean own_transaction;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (PIEPER_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!read_begin (self, &own_transaction, error))
    return FALSE;

  if (!load_overlay (self, id, &overlay, error) ||
      !(stmt = _pieper_store_prepare (self,
                                      "SELECT id, created_at, status, version FROM incidents WHERE id = ?",
                                      error)))
    goto out;

  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *key = key_from_row (stmt, &overlay);
      ok = TRUE;
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND,
                 _("No incident %lld"), (long long) id);
  else
    _pieper_store_set_error (self, rc, error);

out:
  g_clear_pointer (&stmt, _pieper_stmt_release);
  read_end (self, own_transaction);

  return ok;
}

static GPtrArray *
get_incidents (PieperStore   *self,
               const gint64  *ids,
               guint          n_ids,
               GError       **error)
{
  g_auto(Overlay) overlay = { NULL, NULL };
  g_autoptr(PieperStmt) stmt = NULL;
  g_autoptr(GHashTable) positions = NULL;
  g_autoptr(GPtrArray) slots = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GString) json = g_string_new ("[");
  int rc;

  if (!load_overlay (self, 0, &overlay, error))
    return NULL;

  /* The ids as one JSON array: one statement, however many. */
  for (guint i = 0; i < n_ids; i++)
    g_string_append_printf (json, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "", ids[i]);
  g_string_append_c (json, ']');

  if (!(stmt = _pieper_store_prepare (self,
                                      "SELECT " INCIDENT_COLUMNS " FROM incidents i"
                                      " WHERE i.id IN (SELECT value FROM json_each (?1))",
                                      error)))
    return NULL;

  sqlite3_bind_text (stmt, 1, json->str, json->len, SQLITE_STATIC);

  /* Each id's place in @ids (plus one): the rows come in the table's order. */
  positions = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < n_ids; i++)
    g_hash_table_insert (positions, (gpointer) &ids[i], GUINT_TO_POINTER (i + 1));
  slots = g_ptr_array_new_full (n_ids, unref_if_set);
  g_ptr_array_set_size (slots, n_ids);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      guint at = GPOINTER_TO_UINT (g_hash_table_lookup (positions, &id));
      PieperIncident *incident;

      if (at == 0 || g_ptr_array_index (slots, at - 1) != NULL)
        continue;
      incident = incident_from_row (stmt);
      apply_overlay (incident, &overlay);
      g_ptr_array_index (slots, at - 1) = incident;
    }

  if (rc != SQLITE_DONE)
    {
      _pieper_store_set_error (self, rc, error);
      return NULL;
    }

  /* The same id twice in @ids is read once, and listed once. */
  incidents = g_ptr_array_new_full (n_ids, g_object_unref);
  for (guint i = 0; i < n_ids; i++)
    if (g_ptr_array_index (slots, i) != NULL)
      g_ptr_array_add (incidents, g_steal_pointer (&g_ptr_array_index (slots, i)));

  return g_steal_pointer (&incidents);
}

GPtrArray *
pieper_store_get_incidents (PieperStore   *self,
                            const gint64  *ids,
                            guint          n_ids,
                            GError       **error)
{
  GPtrArray *incidents;
  gboolean own_transaction;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  if (!read_begin (self, &own_transaction, error))
    return NULL;

  incidents = get_incidents (self, ids, n_ids, error);

  read_end (self, own_transaction);

  return incidents;
}

/* The effective incidents whose status matches @filter, in the list's
 * order. In the caller's read transaction. */
static GPtrArray *
list_filtered (PieperStore   *self,
               PieperFilter   filter,
               GError       **error)
{
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GArray) ids = NULL;

  if (!(rows = list_rows (self, error)))
    return NULL;

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < rows->len; i++)
    {
      PieperIncidentKey *row = &g_array_index (rows, PieperIncidentKey, i);

      if (matches_filter (row->status, filter))
        g_array_append_val (ids, row->id);
    }

  return get_incidents (self, (const gint64 *) (gpointer) ids->data, ids->len, error);
}

GPtrArray *
pieper_store_list_incidents (PieperStore   *self,
                             PieperFilter   filter,
                             GError       **error)
{
  g_auto(Overlay) overlay = { NULL, NULL };
  g_autoptr(PieperStmt) stmt = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  gboolean own_transaction;
  int rc;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);

  if (!read_begin (self, &own_transaction, error))
    return NULL;

  /* A filter keeps a few of many (the notifier's triggered incidents):
   * the effective statuses first, from the list's index, and then only
   * the incidents that match. */
  if (filter != PIEPER_FILTER_ALL)
    {
      incidents = list_filtered (self, filter, error);
      goto out;
    }

  if (!load_overlay (self, 0, &overlay, error))
    goto out;

  if (!(stmt = _pieper_store_prepare (self,
                                      "SELECT " INCIDENT_COLUMNS " FROM incidents i"
                                      " ORDER BY i.created_at DESC, i.id DESC",
                                      error)))
    goto out;

  incidents = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(PieperIncident) incident = incident_from_row (stmt);

      apply_overlay (incident, &overlay);
      g_ptr_array_add (incidents, g_steal_pointer (&incident));
    }

  if (rc != SQLITE_DONE)
    {
      _pieper_store_set_error (self, rc, error);
      g_clear_pointer (&incidents, g_ptr_array_unref);
    }

out:
  g_clear_pointer (&stmt, _pieper_stmt_release);
  read_end (self, own_transaction);

  return g_steal_pointer (&incidents);
}

static PieperIncident *
get_incident (PieperStore  *self,
              gint64        id,
              gboolean      effective,
              GError      **error)
{
  g_autoptr(PieperIncident) incident = NULL;

  {
    g_autoptr(PieperStmt) stmt = NULL;
    int rc;

    if (!(stmt = _pieper_store_prepare (self, "SELECT " INCIDENT_COLUMNS " FROM incidents i WHERE i.id = ?", error)))
      return NULL;

    sqlite3_bind_int64 (stmt, 1, id);
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_DONE)
      {
        g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND,
                     _("No incident %lld"), (long long) id);
        return NULL;
      }
    if (rc != SQLITE_ROW)
      {
        _pieper_store_set_error (self, rc, error);
        return NULL;
      }

    incident = incident_from_row (stmt);
  }

  if (effective)
    {
      g_auto(Overlay) overlay = { NULL, NULL };

      if (!load_overlay (self, id, &overlay, error))
        return NULL;
      apply_overlay (incident, &overlay);
    }

  return g_steal_pointer (&incident);
}

/* Adds one person, by server id, named by the id when the name is empty. */
static void
add_people (GHashTable *people,
            const char *id,
            const char *name)
{
  if (id != NULL && *id != '\0')
    g_hash_table_replace (people, g_strdup (id), g_strdup (name != NULL && *name != '\0' ? name : id));
}

static gboolean
list_people (PieperStore  *self,
             gint64        account_id,
             GHashTable   *people,
             GError      **error)
{
  g_auto(Overlay) overlay = { NULL, NULL };
  GHashTableIter iter;
  gpointer key;
  int rc;

  if (!load_overlay (self, 0, &overlay, error))
    return FALSE;

  /* The snapshots' assignees, without reading the incidents into objects;
   * an incident with unsent state-changing actions (a reassign may name
   * someone else) is left to the loop below. In the list's order, as the
   * list's readers met them. */
  {
    g_autoptr(PieperStmt) stmt = NULL;

    if (!(stmt = _pieper_store_prepare (self,
                                        "SELECT i.id, ids.value, names.value FROM incidents i,"
                                        " json_each (CASE WHEN json_valid (i.assignee_ids) THEN i.assignee_ids END) ids,"
                                        " json_each (CASE WHEN json_valid (i.assignees) THEN i.assignees END) names"
                                        " WHERE i.account_id = ?1 AND ids.key = names.key"
                                        " AND json_array_length (i.assignee_ids) = json_array_length (i.assignees)"
                                        " ORDER BY i.created_at DESC, i.id DESC, ids.key",
                                        error)))
      return FALSE;

    sqlite3_bind_int64 (stmt, 1, account_id);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);

        if (!g_hash_table_contains (overlay.actions, &id))
          add_people (people, _pieper_column_text (stmt, 1), _pieper_column_text (stmt, 2));
      }

    if (rc != SQLITE_DONE)
      return _pieper_store_set_error (self, rc, error);
  }

  g_hash_table_iter_init (&iter, overlay.actions);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autoptr(PieperIncident) incident = NULL;
      const char * const *ids;
      const char * const *names;

      if (!(incident = get_incident (self, *(gint64 *) key, TRUE, error)))
        return FALSE;

      ids = pieper_incident_get_assignee_ids (incident);
      names = pieper_incident_get_assignees (incident);
      if (pieper_incident_get_account_id (incident) != account_id || ids == NULL || names == NULL ||
          g_strv_length ((char **) ids) != g_strv_length ((char **) names))
        continue;

      for (guint a = 0; ids[a] != NULL; a++)
        add_people (people, ids[a], names[a]);
    }

  return TRUE;
}

GHashTable *
pieper_store_list_people (PieperStore  *self,
                          gint64        account_id,
                          GError      **error)
{
  g_autoptr(GHashTable) people = NULL;
  gboolean own_transaction;
  gboolean ok;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);

  if (!read_begin (self, &own_transaction, error))
    return NULL;

  people = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ok = list_people (self, account_id, people, error);

  read_end (self, own_transaction);

  return ok ? g_steal_pointer (&people) : NULL;
}

PieperIncident *
pieper_store_get_incident (PieperStore  *self,
                           gint64        id,
                           GError      **error)
{
  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);

  return get_incident (self, id, TRUE, error);
}

PieperIncident *
pieper_store_get_snapshot (PieperStore  *self,
                           gint64        id,
                           GError      **error)
{
  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);

  return get_incident (self, id, FALSE, error);
}

PieperIncident *
pieper_store_lookup_incident (PieperStore  *self,
                              gint64        account_id,
                              const char   *remote_id,
                              GError      **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  gint64 id;
  int rc;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);
  g_return_val_if_fail (remote_id != NULL, NULL);

  if (!(stmt = _pieper_store_prepare (self, "SELECT id FROM incidents WHERE account_id = ? AND remote_id = ?", error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  _pieper_bind_text (stmt, 2, remote_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND,
                   _("No incident “%s”"), remote_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      _pieper_store_set_error (self, rc, error);
      return NULL;
    }

  id = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, _pieper_stmt_release);

  return pieper_store_get_incident (self, id, error);
}

static gint64
find_unique (PieperStore  *self,
             const char   *sql,
             const char   *text,
             gint64        number,
             const char   *what,
             GError      **error)
{
  g_autoptr(PieperStmt) stmt = NULL;
  gint64 found = 0;
  guint n = 0;
  int rc;

  if (!(stmt = _pieper_store_prepare (self, sql, error)))
    return -1;

  if (text != NULL)
    _pieper_bind_text (stmt, 1, text);
  else
    sqlite3_bind_int64 (stmt, 1, number);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      found = sqlite3_column_int64 (stmt, 0);
      n++;
    }

  if (rc != SQLITE_DONE)
    {
      _pieper_store_set_error (self, rc, error);
      return -1;
    }

  if (n > 1)
    {
      /* TRANSLATORS: the count, what they share (“number”), and its value. */
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_AMBIGUOUS,
                   ngettext ("%u incident has the %s “%s”; use the server id",
                             "%u incidents have the %s “%s”; use the server id", n),
                   n, _(what), text != NULL ? text : "");
      return -1;
    }

  return found;
}

PieperIncident *
pieper_store_find_incident (PieperStore  *self,
                            const char   *id_or_number,
                            GError      **error)
{
  gint64 id;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);
  g_return_val_if_fail (id_or_number != NULL, NULL);

  id = find_unique (self, "SELECT id FROM incidents WHERE remote_id = ? LIMIT 2",
                    id_or_number, 0, "id", error);
  if (id < 0)
    return NULL;

  if (id == 0)
    {
      guint64 number = 0;
      const char *digits = id_or_number[0] == '#' ? id_or_number + 1 : id_or_number;

      if (g_ascii_string_to_unsigned (digits, 10, 1, G_MAXINT64, &number, NULL))
        {
          id = find_unique (self, "SELECT id FROM incidents WHERE number = ? LIMIT 2",
                            digits, 0, N_("number"), error);
          if (id < 0)
            return NULL;
        }
    }

  if (id == 0)
    {
      g_autofree char *shown = pieper_utf8_cap (id_or_number, 64);

      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND,
                   _("No incident “%s”"), shown);
      return NULL;
    }

  return pieper_store_get_incident (self, id, error);
}

static PieperTimelineEntry *
timeline_from_row (PieperStmt *stmt)
{
  PieperTimelineKind kind = PIEPER_TIMELINE_OTHER;
  PieperTimelineEntry *entry;

  pieper_timeline_kind_from_string (_pieper_column_text (stmt, 3), &kind);
  entry = pieper_timeline_entry_new (kind);
  pieper_timeline_entry_set_id (entry, sqlite3_column_int64 (stmt, 0));
  pieper_timeline_entry_set_incident_id (entry, sqlite3_column_int64 (stmt, 1));
  pieper_timeline_entry_set_remote_id (entry, _pieper_column_text (stmt, 2));
  pieper_timeline_entry_set_origin (entry, g_strcmp0 (_pieper_column_text (stmt, 4), "local") == 0
                                             ? PIEPER_ORIGIN_LOCAL : PIEPER_ORIGIN_REMOTE);
  pieper_timeline_entry_set_action_id (entry, sqlite3_column_int64 (stmt, 5));
  pieper_timeline_entry_set_author (entry, _pieper_column_text (stmt, 6));
  pieper_timeline_entry_set_at (entry, sqlite3_column_int64 (stmt, 7));
  pieper_timeline_entry_set_body (entry, _pieper_column_text (stmt, 8));

  if (kind == PIEPER_TIMELINE_CONFLICT)
    pieper_timeline_entry_set_sync_state (entry, PIEPER_ACTION_CONFLICT);

  return entry;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  PieperTimelineEntry *ea = *(PieperTimelineEntry **) a;
  PieperTimelineEntry *eb = *(PieperTimelineEntry **) b;
  gint64 at_a = pieper_timeline_entry_get_at (ea);
  gint64 at_b = pieper_timeline_entry_get_at (eb);

  if (at_a != at_b)
    return at_a < at_b ? -1 : 1;

  return (pieper_timeline_entry_get_id (ea) > pieper_timeline_entry_get_id (eb)) -
         (pieper_timeline_entry_get_id (ea) < pieper_timeline_entry_get_id (eb));
}

GPtrArray *
pieper_store_list_timeline (PieperStore  *self,
                            gint64        incident_id,
                            GError      **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) unsent = NULL;
  GPtrArray *actions;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);

  entries = g_ptr_array_new_with_free_func (g_object_unref);

  {
    g_autoptr(PieperStmt) stmt = NULL;
    int rc;

    if (!(stmt = _pieper_store_prepare (self,
                                        "SELECT id, incident_id, remote_id, kind, origin, action_id,"
                                        " author, at, body FROM timeline WHERE incident_id = ?",
                                        error)))
      return NULL;

    sqlite3_bind_int64 (stmt, 1, incident_id);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_ptr_array_add (entries, timeline_from_row (stmt));

    if (rc != SQLITE_DONE)
      {
        _pieper_store_set_error (self, rc, error);
        return NULL;
      }
  }

  /* The responder's unsent actions, shown where they will land. */
  if (!(unsent = load_unsent (self, incident_id, TRUE, error)))
    return NULL;

  actions = g_hash_table_lookup (unsent, &incident_id);
  for (guint i = 0; actions != NULL && i < actions->len; i++)
    g_ptr_array_add (entries, _pieper_rebase_timeline_entry (g_ptr_array_index (actions, i)));

  g_ptr_array_sort (entries, compare_entries);

  return g_steal_pointer (&entries);
}
