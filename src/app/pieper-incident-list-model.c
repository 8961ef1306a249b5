/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "pieper-incident-list-model.h"

/*
 * The effective incidents of the store, newest first, as a GListModel.
 *
 * A refresh reads the whole list again and compares it with the one shown,
 * by store id and content, so the model emits items-changed for exactly the
 * runs that changed: a sync that touched three incidents out of ten
 * thousand makes three small signals, and the list view rebinds three rows.
 *
 * Reading ten thousand incidents still costs tens of milliseconds, and most
 * sync rounds change nothing: a refresh first asks the store for its change
 * stamp and reads nothing when it is the one of the last refresh. The
 * engine's rounds are taken in from the main loop, one refresh however many
 * rounds ended since. Not at idle priority: the notifier pages from this
 * list, and in a storm a busy loop would hold an idle source back for
 * seconds; at the default priority the refresh waits only for what is
 * already due (input included).
 */

struct _PieperIncidentListModel
{
  GObject           parent_instance;

  PieperStore      *store;
  PieperSyncEngine *engine;
  GPtrArray        *items;
  /* The store's change stamp when the items were read, 0 before that. */
  guint64           stamp;
  guint             refresh_id;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PieperIncidentListModel, pieper_incident_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return PIEPER_TYPE_INCIDENT;
}

static guint
get_n_items (GListModel *model)
{
  return PIEPER_INCIDENT_LIST_MODEL (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  PieperIncidentListModel *self = PIEPER_INCIDENT_LIST_MODEL (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
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

  g_clear_pointer (&self->items, g_ptr_array_unref);

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
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
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

static gboolean
strv_equal (const char * const *a,
            const char * const *b)
{
  if (a == NULL || b == NULL)
    return (a == NULL || a[0] == NULL) && (b == NULL || b[0] == NULL);
  return g_strv_equal (a, b);
}

/* Whether a row showing @a would show @b the same way. */
static gboolean
incident_equal (PieperIncident *a,
                PieperIncident *b)
{
  return pieper_incident_get_id (a) == pieper_incident_get_id (b) &&
         pieper_incident_get_status (a) == pieper_incident_get_status (b) &&
         pieper_incident_get_urgency (a) == pieper_incident_get_urgency (b) &&
         pieper_incident_get_pending (a) == pieper_incident_get_pending (b) &&
         pieper_incident_get_number (a) == pieper_incident_get_number (b) &&
         pieper_incident_get_escalation_level (a) == pieper_incident_get_escalation_level (b) &&
         pieper_incident_get_updated_at (a) == pieper_incident_get_updated_at (b) &&
         pieper_incident_get_created_at (a) == pieper_incident_get_created_at (b) &&
         pieper_incident_get_last_status_change_at (a) == pieper_incident_get_last_status_change_at (b) &&
         pieper_incident_get_snoozed_until (a) == pieper_incident_get_snoozed_until (b) &&
         g_strcmp0 (pieper_incident_get_title (a), pieper_incident_get_title (b)) == 0 &&
         g_strcmp0 (pieper_incident_get_priority (a), pieper_incident_get_priority (b)) == 0 &&
         g_strcmp0 (pieper_incident_get_service (a), pieper_incident_get_service (b)) == 0 &&
         g_strcmp0 (pieper_incident_get_escalation_policy (a), pieper_incident_get_escalation_policy (b)) == 0 &&
         g_strcmp0 (pieper_incident_get_chat_url (a), pieper_incident_get_chat_url (b)) == 0 &&
         g_strcmp0 (pieper_incident_get_video_url (a), pieper_incident_get_video_url (b)) == 0 &&
         g_strcmp0 (pieper_incident_get_status_page_url (a), pieper_incident_get_status_page_url (b)) == 0 &&
         g_strcmp0 (pieper_incident_get_postmortem_url (a), pieper_incident_get_postmortem_url (b)) == 0 &&
         strv_equal (pieper_incident_get_assignees (a), pieper_incident_get_assignees (b)) &&
         strv_equal (pieper_incident_get_assignee_ids (a), pieper_incident_get_assignee_ids (b));
}

/* Replaces @removed items at @position by @added items of @fresh from
 * @from, then says so. */
static void
splice (PieperIncidentListModel *self,
        guint                    position,
        guint                    removed,
        GPtrArray               *fresh,
        guint                    from,
        guint                    added)
{
  if (removed == 0 && added == 0)
    return;

  g_ptr_array_remove_range (self->items, position, removed);
  for (guint k = 0; k < added; k++)
    g_ptr_array_insert (self->items, position + k,
                        g_object_ref (g_ptr_array_index (fresh, from + k)));
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static GHashTable *
index_ids (GArray *ids)
{
  GHashTable *positions = g_hash_table_new (g_int64_hash, g_int64_equal);

  /* The array no longer grows, so pointers into it make stable keys. */
  for (guint k = 0; k < ids->len; k++)
    g_hash_table_insert (positions, &g_array_index (ids, gint64, k), GUINT_TO_POINTER (k));
  return positions;
}

static GArray *
ids_of (GPtrArray *incidents)
{
  GArray *ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), incidents->len);

  for (guint k = 0; k < incidents->len; k++)
    {
      gint64 id = pieper_incident_get_id (g_ptr_array_index (incidents, k));
      g_array_append_val (ids, id);
    }
  return ids;
}

gboolean
pieper_incident_list_model_refresh (PieperIncidentListModel  *self,
                                    GError                  **error)
{
  g_autoptr(GPtrArray) fresh = NULL;
  g_autoptr(GArray) old_ids = NULL;
  g_autoptr(GArray) fresh_ids = NULL;
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

  if (!(fresh = pieper_store_list_incidents (self->store, PIEPER_FILTER_ALL, error)))
    return FALSE;

  old_ids = ids_of (self->items);
  fresh_ids = ids_of (fresh);
  old_positions = index_ids (old_ids);
  fresh_positions = index_ids (fresh_ids);
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
      gint64 *old_id = i < old_ids->len ? &g_array_index (old_ids, gint64, i) : NULL;
      gint64 *fresh_id = j < fresh_ids->len ? &g_array_index (fresh_ids, gint64, j) : NULL;
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
          if (incident_equal (g_ptr_array_index (self->items, run_position + run_removed),
                              g_ptr_array_index (fresh, j)))
            {
              splice (self, run_position, run_removed, fresh, run_position, run_added);
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

  splice (self, run_position, run_removed, fresh, run_position, run_added);
  g_assert (self->items->len == fresh->len);
  self->stamp = stamp;

  return TRUE;
}

guint
pieper_incident_list_model_find (PieperIncidentListModel *self,
                                 gint64                   id)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT_LIST_MODEL (self), G_MAXUINT);

  for (guint k = 0; k < self->items->len; k++)
    if (pieper_incident_get_id (g_ptr_array_index (self->items, k)) == id)
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
  PieperIncident *shown;
  guint position;

  g_return_val_if_fail (PIEPER_IS_INCIDENT_LIST_MODEL (self), FALSE);

  /* Only an incident that stays where it is can be replaced alone: one
   * that is new, gone or moved (its sort key changed) needs the merge. */
  position = pieper_incident_list_model_find (self, id);
  if (position == G_MAXUINT)
    return pieper_incident_list_model_refresh (self, error);

  if (!(fresh = pieper_store_get_incident (self->store, id, &local_error)))
    {
      if (local_error != NULL && !g_error_matches (local_error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return pieper_incident_list_model_refresh (self, error);
    }

  shown = g_ptr_array_index (self->items, position);
  if (pieper_incident_get_created_at (fresh) != pieper_incident_get_created_at (shown))
    return pieper_incident_list_model_refresh (self, error);

  if (!incident_equal (shown, fresh))
    {
      g_ptr_array_index (self->items, position) = g_steal_pointer (&fresh);
      g_object_unref (shown);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }

  return TRUE;
}
