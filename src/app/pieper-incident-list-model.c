/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "pieper-incident-list-model-private.h"

/*
 * The effective incidents of the store, newest first, as a GListModel.
 *
 * The model keeps a key per incident, not the incident: its store id,
 * created_at, effective status and a digest that changes whenever what it
 * shows may change (pieper_store_list_incident_keys(), read from one
 * index, 32 bytes an incident). The incidents a view asks for are read
 * from the store a window at a time, and the last few hundred are kept.
 * A view that shows some of them (PieperIncidentStatusFilter) filters on
 * the keys, and asks for its items so that a read brings in the ones it
 * shows next, not their neighbours here, which it hides
 * (pieper-incident-list-model-private.h).
 *
 * A refresh reads the keys again and compares them with the ones shown,
 * by store id and digest, so the model emits items-changed for exactly the
 * runs that changed: a sync that touched three incidents out of ten
 * thousand makes three small signals, and the list view rebinds three rows.
 *
 * Most sync rounds change nothing: a refresh first asks the store for its
 * change stamp and reads nothing when it is the one of the last refresh.
 * The engine's rounds are taken in from the main loop, one refresh however
 * many rounds ended since. Not at idle priority: the notifier pages from
 * what this list says changed, and in a storm a busy loop would hold an
 * idle source back for seconds; at the default priority the refresh waits
 * only for what is already due (input included).
 */

/* What the model keeps of each incident. */
typedef PieperIncidentKey Row;

/* How many incidents stay materialised, and how many are read at once. */
#define CACHE_SIZE 256
#define BLOCK_SIZE 64

typedef struct
{
  gint64          id;
  PieperIncident *incident;
  GList           link;
} CacheEntry;

struct _PieperIncidentListModel
{
  GObject           parent_instance;

  PieperStore      *store;
  PieperSyncEngine *engine;
  GArray           *rows;
  /* Store id → CacheEntry, the most recently used first in @lru. */
  GHashTable       *cache;
  GQueue            lru;
  /* The store's change stamp when the items were read, 0 before that. */
  guint64           stamp;
  guint             refresh_id;
  guint             n_read;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PieperIncidentListModel, pieper_incident_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

#define ROW(self, k) (&g_array_index ((self)->rows, Row, (k)))

static void
cache_entry_free (gpointer data)
{
  CacheEntry *entry = data;

  g_object_unref (entry->incident);
  g_free (entry);
}

static PieperIncident *
cache_lookup (PieperIncidentListModel *self,
              gint64                   id)
{
  CacheEntry *entry = g_hash_table_lookup (self->cache, &id);

  if (entry == NULL)
    return NULL;

  g_queue_unlink (&self->lru, &entry->link);
  g_queue_push_head_link (&self->lru, &entry->link);
  return entry->incident;
}

static void
cache_remove (PieperIncidentListModel *self,
              gint64                   id)
{
  CacheEntry *entry = g_hash_table_lookup (self->cache, &id);

  if (entry == NULL)
    return;

  g_queue_unlink (&self->lru, &entry->link);
  g_hash_table_remove (self->cache, &id);
}

static void
cache_insert (PieperIncidentListModel *self,
              PieperIncident          *incident)
{
  gint64 id = pieper_incident_get_id (incident);
  CacheEntry *entry = g_hash_table_lookup (self->cache, &id);

  if (entry != NULL)
    {
      g_set_object (&entry->incident, incident);
      g_queue_unlink (&self->lru, &entry->link);
      g_queue_push_head_link (&self->lru, &entry->link);
      return;
    }

  entry = g_new0 (CacheEntry, 1);
  entry->id = id;
  entry->incident = g_object_ref (incident);
  entry->link.data = entry;
  g_hash_table_insert (self->cache, &entry->id, entry);
  g_queue_push_head_link (&self->lru, &entry->link);

  while (self->lru.length > CACHE_SIZE)
    {
      CacheEntry *oldest = self->lru.tail->data;

      cache_remove (self, oldest->id);
    }
}

static void
cache_clear (PieperIncidentListModel *self)
{
  while (self->lru.head != NULL)
    cache_remove (self, ((CacheEntry *) self->lru.head->data)->id);
}

static GType
get_item_type (GListModel *model)
{
  return PIEPER_TYPE_INCIDENT;
}

static guint
get_n_items (GListModel *model)
{
  return PIEPER_INCIDENT_LIST_MODEL (model)->rows->len;
}

/* Reads the incidents at @block, positions around @position (which is one
 * of them) that a view shows together, into the cache, but for those
 * already there (an object handed out stays the object it is). */
static void
read_block (PieperIncidentListModel *self,
            guint                    position,
            const guint             *block,
            guint                    n_block)
{
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  PieperIncident *asked = NULL;
  gint64 ids[BLOCK_SIZE];
  guint n = 0;

  g_assert (n_block <= BLOCK_SIZE);
  for (guint k = 0; k < n_block; k++)
    if (block[k] == position || !g_hash_table_contains (self->cache, &ROW (self, block[k])->id))
      ids[n++] = ROW (self, block[k])->id;

  if (!(incidents = pieper_store_get_incidents (self->store, ids, n, &error)))
    {
      g_warning ("Could not read the incidents: %s", error->message);
      return;
    }
  self->n_read += incidents->len;

  for (guint k = 0; k < incidents->len; k++)
    {
      PieperIncident *incident = g_ptr_array_index (incidents, k);
      gint64 id = pieper_incident_get_id (incident);

      if (id == ROW (self, position)->id)
        asked = incident;
      else if (!g_hash_table_contains (self->cache, &id))
        cache_insert (self, incident);
    }
  /* The one asked for last, so it is the last evicted. */
  if (asked != NULL && !g_hash_table_contains (self->cache, &ROW (self, position)->id))
    cache_insert (self, asked);
}

/* The incident at @position, read with the rest of @block if it is not
 * cached. */
static PieperIncident *
get_incident (PieperIncidentListModel *self,
              guint                    position,
              const guint             *block,
              guint                    n_block)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  PieperIncident *cached;
  Row *row = ROW (self, position);

  if ((cached = cache_lookup (self, row->id)) != NULL)
    return g_object_ref (cached);

  read_block (self, position, block, n_block);
  if ((cached = cache_lookup (self, row->id)) != NULL)
    return g_object_ref (cached);

  /* The store changed since the last refresh, which is on its way: this
   * incident moved, or is gone. */
  self->n_read++;
  if ((incident = pieper_store_get_incident (self->store, row->id, &error)) == NULL)
    {
      /* Gone: what the list knows of it, until the refresh takes it out. */
      incident = pieper_incident_new ("");
      pieper_incident_set_id (incident, row->id);
      pieper_incident_set_created_at (incident, row->created_at);
      pieper_incident_set_status (incident, row->status);
    }
  cache_insert (self, incident);

  return g_steal_pointer (&incident);
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  PieperIncidentListModel *self = PIEPER_INCIDENT_LIST_MODEL (model);
  guint block[BLOCK_SIZE];
  guint n = 0;

  if (position >= self->rows->len)
    return NULL;

  /* The block of the model that @position is in. */
  for (guint at = position - position % BLOCK_SIZE; n < BLOCK_SIZE && at < self->rows->len; at++)
    block[n++] = at;

  return get_incident (self, position, block, n);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
pieper_incident_list_model_dispose (GObject *object)
{
  PieperIncidentListModel *self = PIEPER_INCIDENT_LIST_MODEL (object);

  pieper_incident_list_model_set_engine (self, NULL);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (pieper_incident_list_model_parent_class)->dispose (object);
}

static void
pieper_incident_list_model_finalize (GObject *object)
{
  PieperIncidentListModel *self = PIEPER_INCIDENT_LIST_MODEL (object);

  cache_clear (self);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_array_unref);

  G_OBJECT_CLASS (pieper_incident_list_model_parent_class)->finalize (object);
}

static void
pieper_incident_list_model_class_init (PieperIncidentListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pieper_incident_list_model_dispose;
  object_class->finalize = pieper_incident_list_model_finalize;
}

static void
pieper_incident_list_model_init (PieperIncidentListModel *self)
{
  self->rows = g_array_new (FALSE, FALSE, sizeof (Row));
  self->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, cache_entry_free);
}

PieperIncidentListModel *
pieper_incident_list_model_new (PieperStore *store)
{
  PieperIncidentListModel *self;

  g_return_val_if_fail (PIEPER_IS_STORE (store), NULL);

  self = g_object_new (PIEPER_TYPE_INCIDENT_LIST_MODEL, NULL);
  self->store = g_object_ref (store);
  return self;
}

PieperStore *
pieper_incident_list_model_get_store (PieperIncidentListModel *self)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT_LIST_MODEL (self), NULL);

  return self->store;
}

static gboolean
refresh_cb (gpointer user_data)
{
  PieperIncidentListModel *self = user_data;
  g_autoptr(GError) error = NULL;

  self->refresh_id = 0;
  if (!pieper_incident_list_model_refresh (self, &error))
    g_warning ("Could not read the incidents: %s", error->message);

  return G_SOURCE_REMOVE;
}

static void
synced_cb (PieperIncidentListModel *self,
           PieperSyncEngine        *engine)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_idle_add_full (G_PRIORITY_DEFAULT, refresh_cb, self, NULL);
}

void
pieper_incident_list_model_set_engine (PieperIncidentListModel *self,
                                       PieperSyncEngine        *engine)
{
  g_return_if_fail (PIEPER_IS_INCIDENT_LIST_MODEL (self));
  g_return_if_fail (engine == NULL || PIEPER_IS_SYNC_ENGINE (engine));

  if (self->engine == engine)
    return;

  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_func (self->engine, synced_cb, self);
  g_set_object (&self->engine, engine);
  if (engine != NULL)
    g_signal_connect_object (engine, "synced", G_CALLBACK (synced_cb), self, G_CONNECT_SWAPPED);
}

/* Replaces @removed rows at @position by @added rows of @fresh from
 * @from, then says so. */
static void
splice (PieperIncidentListModel *self,
        guint                    position,
        guint                    removed,
        GArray                  *fresh,
        guint                    from,
        guint                    added)
{
  if (removed == 0 && added == 0)
    return;

  g_array_remove_range (self->rows, position, removed);
  g_array_insert_vals (self->rows, position, &g_array_index (fresh, Row, from), added);
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static GHashTable *
index_ids (GArray *rows)
{
  GHashTable *positions = g_hash_table_new (g_int64_hash, g_int64_equal);

  /* The array no longer grows, so pointers into it make stable keys. */
  for (guint k = 0; k < rows->len; k++)
    g_hash_table_insert (positions, &g_array_index (rows, Row, k).id, GUINT_TO_POINTER (k));
  return positions;
}

gboolean
pieper_incident_list_model_refresh (PieperIncidentListModel  *self,
                                    GError                  **error)
{
  g_autoptr(GArray) old_ids = NULL;
  g_autoptr(GArray) fresh_ids = NULL;
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GHashTable) old_positions = NULL;
  g_autoptr(GHashTable) fresh_positions = NULL;
  g_autoptr(GHashTable) removed = NULL;
  g_autoptr(GHashTable) inserted = NULL;
  guint i = 0, j = 0;
  guint run_position = 0, run_removed = 0, run_added = 0;
  guint64 stamp;

  g_return_val_if_fail (PIEPER_IS_INCIDENT_LIST_MODEL (self), FALSE);

  /* This refresh stands for one that synced_cb left to come. */
  g_clear_handle_id (&self->refresh_id, g_source_remove);

  /* Taken before the read: a write that lands while reading changes the
   * stamp again, so the next refresh reads it. */
  stamp = pieper_store_get_change_stamp (self->store);
  if (stamp == self->stamp)
    return TRUE;

  /* Rows, not incidents: the store reads them from one index. */
  if (!(fresh_ids = pieper_store_list_incident_keys (self->store, error)))
    return FALSE;

  /* The first read (at start, before the first frame): all of it is new,
   * one run, and nothing to merge with. */
  if (self->rows->len == 0)
    {
      splice (self, 0, 0, fresh_ids, 0, fresh_ids->len);
      self->stamp = stamp;
      return TRUE;
    }

  old_ids = g_array_copy (self->rows);
  old_positions = index_ids (old_ids);
  fresh_positions = index_ids (fresh_ids);

  /* Before any signal asks for them: the cached incidents that changed or
   * are gone are let go, to be read again when asked for. One that shows
   * the same stays the object it was. */
  g_hash_table_iter_init (&iter, self->cache);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CacheEntry *entry = value;
      gpointer old_at, fresh_at;

      if (!g_hash_table_lookup_extended (fresh_positions, &entry->id, NULL, &fresh_at) ||
          !g_hash_table_lookup_extended (old_positions, &entry->id, NULL, &old_at) ||
          g_array_index (old_ids, Row, GPOINTER_TO_UINT (old_at)).digest !=
          g_array_index (fresh_ids, Row, GPOINTER_TO_UINT (fresh_at)).digest)
        {
          g_queue_unlink (&self->lru, &entry->link);
          g_hash_table_iter_remove (&iter);
        }
    }
  /* Old items taken out to enter again further down, and fresh items put
   * in whose old place is further down. */
  removed = g_hash_table_new (g_int64_hash, g_int64_equal);
  inserted = g_hash_table_new (g_int64_hash, g_int64_equal);

  /* A merge of the two lists, both in the store's order. An incident that
   * changed in place is replaced; one that moved (its sort key changed)
   * leaves where it was and enters where it is now, and of two incidents
   * that crossed, the one that went further is the one that moved. Edits
   * next to each other make one run; runs are applied left to right as
   * they end, so each signal's position is in the list as it is at that
   * moment: the first @run_position items are already the fresh ones, and
   * the old item i is at run_position + run_removed. */
  while (i < old_ids->len || j < fresh_ids->len)
    {
      gint64 *old_id = i < old_ids->len ? &g_array_index (old_ids, Row, i).id : NULL;
      gint64 *fresh_id = j < fresh_ids->len ? &g_array_index (fresh_ids, Row, j).id : NULL;
      gpointer old_in_fresh = NULL, fresh_in_old = NULL;
      gboolean old_known, fresh_known;

      if (old_id != NULL && g_hash_table_contains (inserted, old_id))
        {
          run_removed++;
          i++;
          continue;
        }
      if (fresh_id != NULL && g_hash_table_contains (removed, fresh_id))
        {
          run_added++;
          j++;
          continue;
        }

      if (old_id != NULL && fresh_id != NULL && *old_id == *fresh_id)
        {
          if (g_array_index (old_ids, Row, i).digest == g_array_index (fresh_ids, Row, j).digest)
            {
              splice (self, run_position, run_removed, fresh_ids, run_position, run_added);
              run_position += run_added + 1;
              run_removed = run_added = 0;
            }
          else
            {
              run_removed++;
              run_added++;
            }
          i++;
          j++;
          continue;
        }

      fresh_known = fresh_id != NULL &&
                    g_hash_table_lookup_extended (old_positions, fresh_id, NULL, &fresh_in_old);
      old_known = old_id != NULL &&
                  g_hash_table_lookup_extended (fresh_positions, old_id, NULL, &old_in_fresh);

      if (fresh_id != NULL && !fresh_known)
        {
          run_added++;            /* new */
          j++;
        }
      else if (old_id != NULL && !old_known)
        {
          run_removed++;          /* gone */
          i++;
        }
      else
        {
          /* Both are on both sides, further on (what is behind was taken
           * care of above), so they crossed: the one that went further
           * is the one that moved. */
          g_assert (old_id != NULL && fresh_id != NULL);
          g_assert (GPOINTER_TO_UINT (fresh_in_old) > i && GPOINTER_TO_UINT (old_in_fresh) > j);

          if (GPOINTER_TO_UINT (fresh_in_old) - i >= GPOINTER_TO_UINT (old_in_fresh) - j)
            {
              g_hash_table_add (inserted, fresh_id);
              run_added++;
              j++;
            }
          else
            {
              g_hash_table_add (removed, old_id);
              run_removed++;
              i++;
            }
        }
    }

  splice (self, run_position, run_removed, fresh_ids, run_position, run_added);
  g_assert (self->rows->len == fresh_ids->len);
  self->stamp = stamp;

  return TRUE;
}

guint
pieper_incident_list_model_find (PieperIncidentListModel *self,
                                 gint64                   id)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT_LIST_MODEL (self), G_MAXUINT);

  for (guint k = 0; k < self->rows->len; k++)
    if (ROW (self, k)->id == id)
      return k;

  return G_MAXUINT;
}

gboolean
pieper_incident_list_model_refresh_incident (PieperIncidentListModel  *self,
                                             gint64                    id,
                                             GError                  **error)
{
  g_autoptr(PieperIncident) fresh = NULL;
  g_autoptr(GError) local_error = NULL;
  Row *shown;
  Row row;
  guint position;

  g_return_val_if_fail (PIEPER_IS_INCIDENT_LIST_MODEL (self), FALSE);

  /* Only an incident that stays where it is can be replaced alone: one
   * that is new, gone or moved (its sort key changed) needs the merge. */
  position = pieper_incident_list_model_find (self, id);
  if (position == G_MAXUINT)
    return pieper_incident_list_model_refresh (self, error);

  /* The key before the incident: should another process write in
   * between, the incident is the newer, and the next refresh, finding
   * another key, reads it again. */
  if (!pieper_store_get_incident_key (self->store, id, &row, &local_error) ||
      !(fresh = pieper_store_get_incident (self->store, id, &local_error)))
    {
      if (!g_error_matches (local_error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return pieper_incident_list_model_refresh (self, error);
    }

  shown = ROW (self, position);
  if (row.created_at != shown->created_at)
    return pieper_incident_list_model_refresh (self, error);

  if (row.digest != shown->digest)
    {
      *shown = row;
      cache_insert (self, fresh);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }

  return TRUE;
}

PieperStatus
_pieper_incident_list_model_get_status (PieperIncidentListModel *self,
                                        guint                    position)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT_LIST_MODEL (self), PIEPER_STATUS_TRIGGERED);
  g_return_val_if_fail (position < self->rows->len, PIEPER_STATUS_TRIGGERED);

  return ROW (self, position)->status;
}

PieperIncident *
_pieper_incident_list_model_get_item_among (PieperIncidentListModel *self,
                                            const guint             *positions,
                                            guint                    n_positions,
                                            guint                    index)
{
  guint offset;

  g_return_val_if_fail (PIEPER_IS_INCIDENT_LIST_MODEL (self), NULL);

  if (index >= n_positions || positions[index] >= self->rows->len)
    return NULL;

  /* The block of the view that @index is in. */
  offset = index - index % BLOCK_SIZE;
  return get_incident (self, positions[index], positions + offset, MIN (BLOCK_SIZE, n_positions - offset));
}

guint
_pieper_incident_list_model_get_n_read (PieperIncidentListModel *self)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT_LIST_MODEL (self), 0);

  return self->n_read;
}
