/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include <json-glib/json-glib.h>

#include "pieper-rebase-private.h"
#include "pieper-store-list-private.h"
#include "pieper-store-private.h"

/* Windows of the effective incidents, for a list model that materialises
 * only the incidents a view asks for. The reading of a row and the overlay
 * of unsent actions are the ones of pieper_store_list_incidents() in
 * pieper-store.c. */

#define INCIDENT_COLUMNS \
  "i.id, i.account_id, i.remote_id, i.number, i.title, i.status, i.urgency, i.priority," \
  " i.service, i.escalation_policy, i.escalation_level, i.assignees, i.assignee_ids," \
  " i.html_url, i.created_at, i.updated_at, i.last_status_change_at, i.chat_url," \
  " i.video_url, i.status_page_url, i.postmortem_url"

static char **
strv_from_json (const char *json)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;
  JsonNode *root;

  if (json == NULL)
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_ARRAY (root))
    return NULL;

  array = json_node_get_array (root);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *s = json_array_get_string_element (array, i);

      if (s != NULL)
        g_strv_builder_add (builder, s);
    }

  return g_strv_builder_end (builder);
}

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
  assignees = strv_from_json (_pieper_column_text (stmt, 11));
  pieper_incident_set_assignees (incident, (const char * const *) assignees);
  assignee_ids = strv_from_json (_pieper_column_text (stmt, 12));
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

/* The unsent state-changing actions, in order, by incident id, and the
 * count of all unsent actions by incident id. */
static gboolean
load_overlay (PieperStore  *self,
              GHashTable   *actions,
              GHashTable   *counts,
              GError      **error)
{
  int rc;

  {
    g_autoptr(PieperStmt) stmt = NULL;

    if (!(stmt = _pieper_store_prepare (self,
                                        "SELECT " ACTION_COLUMNS " FROM outbox o"
                                        " JOIN incidents i ON i.id = o.incident_id"
                                        " WHERE o.state IN ('pending', 'inflight')"
                                        " AND o.op != 'note'"
                                        " ORDER BY o.incident_id, o.id",
                                        error)))
      return FALSE;

    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        PieperAction *action = _pieper_action_from_row (stmt);
        gint64 key = pieper_action_get_incident_id (action);
        GPtrArray *list = g_hash_table_lookup (actions, &key);

        if (list == NULL)
          {
            list = g_ptr_array_new_with_free_func (g_object_unref);
            g_hash_table_insert (actions, g_memdup2 (&key, sizeof key), list);
          }
        g_ptr_array_add (list, action);
      }
    if (rc != SQLITE_DONE)
      return _pieper_store_set_error (self, rc, error);
  }

  {
    g_autoptr(PieperStmt) stmt = NULL;

    if (!(stmt = _pieper_store_prepare (self,
                                        "SELECT incident_id, count(*) FROM outbox"
                                        " WHERE state IN ('pending', 'inflight')"
                                        " GROUP BY incident_id",
                                        error)))
      return FALSE;

    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 key = sqlite3_column_int64 (stmt, 0);

        g_hash_table_insert (counts, g_memdup2 (&key, sizeof key),
                             GUINT_TO_POINTER ((guint) sqlite3_column_int64 (stmt, 1)));
      }
    if (rc != SQLITE_DONE)
      return _pieper_store_set_error (self, rc, error);
  }

  return TRUE;
}

/* The effective incidents that @sql selects (INCIDENT_COLUMNS from
 * "incidents i"), with ?1 and ?2 bound to @a and @b (?3 to @text when
 * given, and ?4 on to @ids), in a static string: the store's statement cache keeps it. Those whose
 * effective status is not @status dropped unless @status is -1. */
static GPtrArray *
read_incidents (PieperStore  *self,
                const char   *sql,
                gint64        a,
                gint64        b,
                const char   *text,
                const gint64 *ids,
                guint         n_ids,
                int           status,
                GError      **error)
{
  g_autoptr(GHashTable) actions = NULL;
  g_autoptr(GHashTable) counts = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  sqlite3 *db;
  gboolean own_transaction;
  int rc;

  db = _pieper_store_get_db (self);
  /* One read transaction, so the snapshot and the outbox agree. */
  own_transaction = sqlite3_get_autocommit (db);
  if (own_transaction && !_pieper_store_exec (self, "BEGIN", error))
    return NULL;

  actions = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                   (GDestroyNotify) g_ptr_array_unref);
  counts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  if (load_overlay (self, actions, counts, error))
    {
      g_autoptr(PieperStmt) stmt = NULL;

      if ((stmt = _pieper_store_prepare (self, sql, error)))
        {
          sqlite3_bind_int64 (stmt, 1, a);
          sqlite3_bind_int64 (stmt, 2, b);
          if (text != NULL)
            _pieper_bind_text (stmt, 3, text);
          for (guint k = 0; k < n_ids; k++)
            sqlite3_bind_int64 (stmt, 4 + (int) k, ids[k]);

          incidents = g_ptr_array_new_with_free_func (g_object_unref);
          while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
            {
              g_autoptr(PieperIncident) incident = incident_from_row (stmt);
              gint64 id = pieper_incident_get_id (incident);
              GPtrArray *list = g_hash_table_lookup (actions, &id);

              if (list != NULL)
                _pieper_rebase (incident, list);
              pieper_incident_set_pending (incident, GPOINTER_TO_UINT (g_hash_table_lookup (counts, &id)));
              if (status < 0 || (int) pieper_incident_get_status (incident) == status)
                g_ptr_array_add (incidents, g_steal_pointer (&incident));
            }

          if (rc != SQLITE_DONE)
            {
              _pieper_store_set_error (self, rc, error);
              g_clear_pointer (&incidents, g_ptr_array_unref);
            }
        }
    }

  if (own_transaction)
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);

  return g_steal_pointer (&incidents);
}

GPtrArray *
_pieper_store_list_incidents_by_id (PieperStore   *self,
                                    const gint64  *ids,
                                    guint          n_ids,
                                    GError       **error)
{
  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);
  g_return_val_if_fail (n_ids <= PIEPER_STORE_LIST_MAX_IDS, NULL);

  /* By primary key: the list's order has no index to read a window of it
   * from, and sorting the table for each window costs as much as reading
   * all of it. Parameters left unbound are NULL, and match nothing. */
  return read_incidents (self,
                         "SELECT " INCIDENT_COLUMNS " FROM incidents i"
                         " WHERE ?1 = ?2 AND i.id IN (?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,?34,?35,?36,?37,?38,?39,?40,?41,?42,?43,?44,?45,?46,?47,?48,?49,?50,?51,?52,?53,?54,?55,?56,?57,?58,?59,?60,?61,?62,?63,?64,?65,?66,?67)",
                         0, 0, NULL, ids, n_ids, -1, error);
}

GPtrArray *
_pieper_store_list_incidents_with_status (PieperStore   *self,
                                          PieperStatus   status,
                                          GError       **error)
{
  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);

  /* Only an incident with unsent actions can have a status other than
   * its snapshot's: those are read whatever their snapshot says. */
  return read_incidents (self,
                         "SELECT " INCIDENT_COLUMNS " FROM incidents i"
                         " WHERE i.status = ?3 OR (?1 = ?2 AND i.id IN"
                         " (SELECT incident_id FROM outbox WHERE state IN ('pending', 'inflight')))"
                         " ORDER BY i.created_at DESC, i.id DESC",
                         0, 0, pieper_status_to_string (status), NULL, 0, status, error);
}
