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
      /* Taken means released: the round (and the engine it holds) would
       * otherwise outlive stop(). */
      GTask *taken = g_steal_pointer (task);

      g_task_return_error (taken, g_steal_pointer (error));
      g_object_unref (taken);
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

static gint64
sync_state_time (Round      *round,
                 const char *key)
{
  g_autofree char *value = pieper_store_get_sync_state (round->engine->store,
                                                        pieper_account_get_id (round->current->account),
                                                        key);

  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
}

/* Whether the account's open incidents are pulled in full this round, or
 * only the incidents the change feed names. */
static gboolean
wants_full_pull (Round *round)
{
  PieperCapabilities capabilities = pieper_provider_get_capabilities (round->current->provider);
  gint64 full_pull_at = sync_state_time (round, "full-pull-at");

  return round->reconcile ||
         (capabilities & PIEPER_CAPABILITY_CHANGE_FEED) == 0 ||
         round->changes_since <= 0 ||
         full_pull_at <= 0 ||
         round->started_at - full_pull_at >= FULL_PULL_INTERVAL ||
         round->started_at < full_pull_at;
}

/* A round reads the change feed first, when it has one to ask: everything
 * the feed names then happened before the open list (in a full pull) or
 * the incident (otherwise) is read, so both show it. A first sync has no
 * feed to ask yet. */
void
_pieper_sync_pull_start (GTask *task)
{
  Round *round = _pieper_sync_round (task);

  round->open_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  round->changes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  round->unfetched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  round->named = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  round->to_fetch = g_ptr_array_new_with_free_func (g_free);
  round->fetch_index = 0;
  round->timelines = g_ptr_array_new_with_free_func (g_free);
  round->timeline_index = 0;
  round->changes_since = sync_state_time (round, "changes-since");
  round->full_pull = wants_full_pull (round);

  if (round->changes_since > 0)
    changes_page (task, NULL);
  else
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
  /* A first sync of 10,000 incidents would otherwise read each one back
   * (about a third of the main thread's work) for a signal nobody hears. */
  gboolean wants_paged = _pieper_sync_wants_paged (round->engine);

  for (guint i = 0; wants_paged && i < incidents->len; i++)
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
  if (round->pull_error != NULL)
    {
      /* The store failed while this page was on its way. */
      g_autoptr(GError) store_error = g_steal_pointer (&round->pull_error);

      _pieper_sync_store_failed (g_steal_pointer (&task), &store_error);
      return;
    }

  if (incidents == NULL)
    {
      pull_stops (&task, &error, FALSE);
      return;
    }

  for (guint i = 0; i < incidents->len; i++)
    g_hash_table_add (round->open_ids,
                      g_strdup (pieper_incident_get_remote_id (g_ptr_array_index (incidents, i))));

  /* Ask for the next page first, so the server prepares it (and a worker
   * thread parses it) while this one is written. A store error then ends
   * the round when that request is back. */
  if (next_cursor != NULL)
    pull_page (g_object_ref (task), next_cursor);

  if (!apply_incidents (task, incidents, &error))
    {
      if (next_cursor != NULL)
        round->pull_error = g_steal_pointer (&error);
      else
        _pieper_sync_store_failed (g_steal_pointer (&task), &error);
      return;
    }

  if (next_cursor == NULL)
    {
      /* What the feed named and the open list showed needs no fetch. */
      for (guint i = round->to_fetch->len; i > 0; i--)
        {
          const char *id = g_ptr_array_index (round->to_fetch, i - 1);

          if (g_hash_table_contains (round->open_ids, id))
            g_ptr_array_remove_index (round->to_fetch, i - 1);
        }

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
  g_auto(GStrv) change_ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_cursor = NULL;
  Round *round = _pieper_sync_round (task);
  GHashTable *seen = round->current->seen_changes;

  ids = pieper_provider_list_changes_finish (PIEPER_PROVIDER (object), result, &change_ids,
                                             &next_cursor, &error);
  if (ids == NULL)
    {
      pull_stops (&task, &error, FALSE);
      return;
    }

  /* The feed is asked with some overlap, so most of what it names was read
   * by an earlier round, and the incident fetched (or listed) since: only a
   * change not seen before, or one without an id, is worth a fetch. */
  for (guint i = 0; ids[i] != NULL; i++)
    {
      gboolean known = change_ids[i][0] != '\0';

      if (known)
        g_hash_table_insert (round->changes, g_strdup (change_ids[i]), g_strdup (ids[i]));

      if ((!known || !g_hash_table_contains (seen, change_ids[i])) &&
          !g_hash_table_contains (round->named, ids[i]))
        {
          g_hash_table_add (round->named, g_strdup (ids[i]));
          g_ptr_array_add (round->to_fetch, g_strdup (ids[i]));
        }
    }

  if (!round->full_pull && round->to_fetch->len > MAX_CHANGED_PER_ROUND)
    {
      /* A storm: a full pull is cheaper than fetching each. */
      g_debug ("%u incidents changed; pulling all open incidents", round->to_fetch->len);
      round->full_pull = TRUE;
    }

  if (next_cursor != NULL)
    changes_page (g_steal_pointer (&task), next_cursor);
  else if (round->full_pull)
    pull_page (g_steal_pointer (&task), NULL);
  else
    fetch_next (g_steal_pointer (&task));
}

static void
changes_page (GTask      *task,
              const char *cursor)
{
  Round *round = _pieper_sync_round (task);

  pieper_provider_list_changes_async (round->current->provider, round->changes_since, cursor,
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
      g_hash_table_add (round->unfetched,
                        g_strdup (g_ptr_array_index (round->to_fetch, round->fetch_index)));
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

  /* Once, after a full pull: incidents open here that the server did not
   * list as open. */
  if (round->fetch_index == 0 && round->full_pull)
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

          if (!g_hash_table_contains (round->open_ids, id) &&
              !g_hash_table_contains (round->named, id))
            {
              g_hash_table_add (round->named, g_strdup (id));
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
remember_changes (Round *round)
{
  GHashTable *seen = round->current->seen_changes;
  GHashTableIter iter;
  gpointer change, remote_id;

  g_hash_table_remove_all (seen);
  g_hash_table_iter_init (&iter, round->changes);
  while (g_hash_table_iter_next (&iter, &change, &remote_id))
    {
      if (!g_hash_table_contains (round->unfetched, remote_id))
        {
          g_hash_table_iter_steal (&iter);
          g_hash_table_add (seen, change);
          g_free (remote_id);
        }
    }
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

  if (round->full_pull)
    {
      g_autofree char *at = g_strdup_printf ("%" G_GINT64_FORMAT, round->started_at);
      g_autoptr(GError) error = NULL;

      if (!pieper_store_set_sync_state (round->engine->store,
                                        pieper_account_get_id (round->current->account),
                                        "full-pull-at", at, &error))
        {
          _pieper_sync_store_failed (task, &error);
          return;
        }
    }

  /* The store shows every change the feed named, but those of incidents
   * that could not be fetched. */
  remember_changes (round);
  _pieper_sync_next_account (task);
}
