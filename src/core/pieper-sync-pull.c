/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperSync"

#include "config.h"

#include <string.h>

#include "pieper-sync-engine-private.h"

static void pull_page      (GTask      *task,
                            const char *cursor);
static void changes_page   (GTask      *task,
                            const char *cursor);
static void fetch_next     (GTask      *task);
static void timeline_next  (GTask      *task);

/* A request of the pull failed. When the failure ends the account's part
 * of the round (cancelled, or the server cannot be reached) this takes the
 * task and returns TRUE; a failure about one incident (say, it is gone
 * from the server) returns FALSE, unless @about_one is FALSE. */
static gboolean
pull_stops (GTask    **task,
            GError   **error,
            gboolean   about_one)
{
  if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (g_steal_pointer (task), g_steal_pointer (error));
      return TRUE;
    }

  if (about_one && !_pieper_sync_is_unreachable (*error))
    {
      g_debug ("Could not refresh an incident: %s", (*error)->message);
      return FALSE;
    }

  _pieper_sync_account_failed (*task, _pieper_sync_classify (*error), *error);
  _pieper_sync_next_account (g_steal_pointer (task));
  return TRUE;
}

void
_pieper_sync_pull_start (GTask *task)
{
  Round *round = _pieper_sync_round (task);

  round->open_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  round->to_fetch = g_ptr_array_new_with_free_func (g_free);
  round->fetch_index = 0;
  round->timelines = g_ptr_array_new_with_free_func (g_free);
  round->timeline_index = 0;

  pull_page (task, NULL);
}

static gboolean
same_remote_id (gconstpointer a,
                gconstpointer b)
{
  return g_strcmp0 (pieper_incident_get_remote_id ((PieperIncident *) a),
                    pieper_incident_get_remote_id ((PieperIncident *) b)) == 0;
}

/* Writes server incidents and notices which of them now page. */
static gboolean
apply_incidents (GTask      *task,
                 GPtrArray  *incidents,
                 GError    **error)
{
  Round *round = _pieper_sync_round (task);
  gint64 account_id = pieper_account_get_id (round->current->account);
  g_autoptr(GPtrArray) paged = g_ptr_array_new ();

  for (guint i = 0; i < incidents->len; i++)
    {
      PieperIncident *incident = g_ptr_array_index (incidents, i);
      int before = _pieper_store_get_snapshot_status (round->engine->store, account_id,
                                                      pieper_incident_get_remote_id (incident));

      /* A server may list one incident twice in a page: it pages once. */
      if (pieper_incident_get_status (incident) == PIEPER_STATUS_TRIGGERED &&
          before != PIEPER_STATUS_TRIGGERED &&
          !g_ptr_array_find_with_equal_func (paged, incident, same_remote_id, NULL))
        g_ptr_array_add (paged, incident);
    }

  if (!pieper_store_apply_snapshot (round->engine->store, account_id, incidents, error))
    return FALSE;

  round->stats.pulled += incidents->len;

  for (guint i = 0; i < paged->len; i++)
    {
      PieperIncident *incident = g_ptr_array_index (paged, i);
      g_autoptr(PieperIncident) stored = NULL;

      stored = pieper_store_lookup_incident (round->engine->store, account_id,
                                             pieper_incident_get_remote_id (incident), NULL);
      if (stored != NULL)
        _pieper_sync_emit_paged (round->engine, stored);
    }

  return TRUE;
}

static void
list_incidents_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_cursor = NULL;
  Round *round = _pieper_sync_round (task);

  incidents = pieper_provider_list_incidents_finish (PIEPER_PROVIDER (object), result, &next_cursor, &error);
  if (incidents == NULL)
    {
      pull_stops (&task, &error, FALSE);
      return;
    }

  for (guint i = 0; i < incidents->len; i++)
    g_hash_table_add (round->open_ids,
                      g_strdup (pieper_incident_get_remote_id (g_ptr_array_index (incidents, i))));

  if (!apply_incidents (task, incidents, &error))
    {
      _pieper_sync_store_failed (g_steal_pointer (&task), &error);
      return;
    }

  if (next_cursor != NULL)
    pull_page (g_steal_pointer (&task), next_cursor);
  else
    {
      g_autofree char *since = pieper_store_get_sync_state (round->engine->store,
                                                            pieper_account_get_id (round->current->account),
                                                            "changes-since");

      if (since != NULL)
        changes_page (g_steal_pointer (&task), NULL);
      else
        fetch_next (g_steal_pointer (&task));
    }
}

static void
pull_page (GTask      *task,
           const char *cursor)
{
  Round *round = _pieper_sync_round (task);

  pieper_provider_list_incidents_async (round->current->provider, cursor,
                                        g_task_get_cancellable (task),
                                        list_incidents_cb, task);
}

static void
list_changes_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_auto(GStrv) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_cursor = NULL;
  Round *round = _pieper_sync_round (task);

  ids = pieper_provider_list_changes_finish (PIEPER_PROVIDER (object), result, &next_cursor, &error);
  if (ids == NULL)
    {
      pull_stops (&task, &error, FALSE);
      return;
    }

  /* Changed and no longer open: resolved, most likely. */
  for (guint i = 0; ids[i] != NULL; i++)
    {
      if (!g_hash_table_contains (round->open_ids, ids[i]))
        {
          g_hash_table_add (round->open_ids, g_strdup (ids[i]));
          g_ptr_array_add (round->to_fetch, g_strdup (ids[i]));
        }
    }

  if (next_cursor != NULL)
    changes_page (g_steal_pointer (&task), next_cursor);
  else
    fetch_next (g_steal_pointer (&task));
}

static void
changes_page (GTask      *task,
              const char *cursor)
{
  Round *round = _pieper_sync_round (task);
  g_autofree char *since = NULL;
  gint64 since_seconds = 0;

  since = pieper_store_get_sync_state (round->engine->store,
                                       pieper_account_get_id (round->current->account),
                                       "changes-since");
  if (since != NULL)
    since_seconds = g_ascii_strtoll (since, NULL, 10);

  pieper_provider_list_changes_async (round->current->provider, since_seconds, cursor,
                                      g_task_get_cancellable (task),
                                      list_changes_cb, task);
}

static void
get_incident_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  Round *round = _pieper_sync_round (task);

  incident = pieper_provider_get_incident_finish (PIEPER_PROVIDER (object), result, &error);
  if (incident == NULL)
    {
      /* Gone from the server: keep what we have. */
      if (pull_stops (&task, &error, TRUE))
        return;
    }
  else
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      g_ptr_array_add (one, incident);
      if (!apply_incidents (task, one, &error))
        {
          _pieper_sync_store_failed (g_steal_pointer (&task), &error);
          return;
        }
    }

  round->fetch_index++;
  fetch_next (g_steal_pointer (&task));
}

static void
fetch_next (GTask *task)
{
  Round *round = _pieper_sync_round (task);
  gint64 account_id = pieper_account_get_id (round->current->account);

  /* Once: incidents open here that the server did not list as open. */
  if (round->fetch_index == 0)
    {
      g_autoptr(GPtrArray) open_here = NULL;
      g_autoptr(GError) error = NULL;
      guint added = 0;

      if (!(open_here = _pieper_store_list_open_remote_ids (round->engine->store, account_id, &error)))
        {
          _pieper_sync_store_failed (task, &error);
          return;
        }

      for (guint i = 0; i < open_here->len && added < MAX_VANISHED_PER_ROUND; i++)
        {
          const char *id = g_ptr_array_index (open_here, i);

          if (!g_hash_table_contains (round->open_ids, id))
            {
              g_hash_table_add (round->open_ids, g_strdup (id));
              g_ptr_array_add (round->to_fetch, g_strdup (id));
              added++;
            }
        }
    }

  if (round->fetch_index < round->to_fetch->len)
    {
      pieper_provider_get_incident_async (round->current->provider,
                                          g_ptr_array_index (round->to_fetch, round->fetch_index),
                                          g_task_get_cancellable (task),
                                          get_incident_cb, task);
      return;
    }

  /* The watched incidents of this account get their timelines. */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, round->engine->watched);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        g_autoptr(PieperIncident) incident = pieper_store_get_snapshot (round->engine->store, *(gint64 *) key, NULL);

        if (incident != NULL && pieper_incident_get_account_id (incident) == account_id)
          g_ptr_array_add (round->timelines, g_memdup2 (key, sizeof (gint64)));
      }
  }

  timeline_next (task);
}

static void
list_timeline_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  Round *round = _pieper_sync_round (task);
  gint64 incident_id = *(gint64 *) g_ptr_array_index (round->timelines, round->timeline_index);

  entries = pieper_provider_list_timeline_finish (PIEPER_PROVIDER (object), result, &error);
  if (entries == NULL)
    {
      if (pull_stops (&task, &error, TRUE))
        return;
    }
  else if (!pieper_store_apply_timeline (round->engine->store, incident_id, entries, &error))
    {
      _pieper_sync_store_failed (g_steal_pointer (&task), &error);
      return;
    }

  round->timeline_index++;
  timeline_next (g_steal_pointer (&task));
}

static void
timeline_next (GTask *task)
{
  Round *round = _pieper_sync_round (task);

  if (round->timeline_index < round->timelines->len)
    {
      g_autoptr(PieperIncident) incident = NULL;
      gint64 id = *(gint64 *) g_ptr_array_index (round->timelines, round->timeline_index);

      incident = pieper_store_get_snapshot (round->engine->store, id, NULL);
      if (incident == NULL)
        {
          round->timeline_index++;
          timeline_next (task);
          return;
        }

      pieper_provider_list_timeline_async (round->current->provider,
                                           pieper_incident_get_remote_id (incident),
                                           g_task_get_cancellable (task),
                                           list_timeline_cb, task);
      return;
    }

  /* The account is in sync up to the start of this round. */
  {
    g_autofree char *since = g_strdup_printf ("%" G_GINT64_FORMAT, round->started_at - CHANGES_OVERLAP);
    g_autoptr(GError) error = NULL;

    if (!pieper_store_set_sync_state (round->engine->store,
                                      pieper_account_get_id (round->current->account),
                                      "changes-since", since, &error))
      {
        _pieper_sync_store_failed (task, &error);
        return;
      }
  }

  _pieper_sync_next_account (task);
}
