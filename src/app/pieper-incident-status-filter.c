/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "pieper-incident-status-filter.h"
#include "pieper-incident-list-model-private.h"

/*
 * The incidents of a PieperIncidentListModel that have one effective
 * status, in the model's order, as a GListModel: the window's Triggered,
 * Acknowledged and Resolved lists.
 *
 * It filters on the model's keys, which are in memory, so it reads no
 * incident to hide it: a GtkFilterListModel would ask for every incident,
 * and the model would read each from the store. It keeps the model's
 * positions of the incidents it shows; when the model changes, it scans
 * only the keys that changed and says exactly which of its items did, so
 * a view keeps its selection and scroll. An incident it shows is the
 * model's item, read with the rest of its block in this list.
 *
 * The model itself is not filtered: the notifier and others listen to it
 * and see every incident.
 */

struct _PieperIncidentStatusFilter
{
  GObject                  parent_instance;

  PieperIncidentListModel *model;
  PieperStatus             status;
  /* The model's positions of the incidents with @status, ascending. */
  GArray                  *positions;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PieperIncidentStatusFilter, pieper_incident_status_filter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

#define POSITION(self, k) (g_array_index ((self)->positions, guint, (k)))

static GType
get_item_type (GListModel *model)
{
  return PIEPER_TYPE_INCIDENT;
}

static guint
get_n_items (GListModel *model)
{
  return PIEPER_INCIDENT_STATUS_FILTER (model)->positions->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  PieperIncidentStatusFilter *self = PIEPER_INCIDENT_STATUS_FILTER (model);
  const guint *positions = (const void *) self->positions->data;

  return _pieper_incident_list_model_get_item_among (self->model, positions, self->positions->len, position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* The first of the kept positions that is at or after the model's
 * @position. */
static guint
find_index (PieperIncidentStatusFilter *self,
            guint                       position)
{
  guint low = 0, high = self->positions->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (POSITION (self, middle) < position)
        low = middle + 1;
      else
        high = middle;
    }
  return low;
}

/* The model's @removed items at @position were replaced by @added items,
 * whose keys are already there: the kept positions in the removed range
 * go, those after it shift, and the added items with the status come in,
 * in one signal at the place they share. */
static void
model_items_changed_cb (PieperIncidentStatusFilter *self,
                        guint                       position,
                        guint                       removed,
                        guint                       added,
                        GListModel                 *model)
{
  g_autoptr(GArray) matches = g_array_new (FALSE, FALSE, sizeof (guint));
  guint first = find_index (self, position);
  guint end = find_index (self, position + removed);

  for (guint at = position; at < position + added; at++)
    if (_pieper_incident_list_model_get_status (self->model, at) == self->status)
      g_array_append_val (matches, at);

  for (guint k = end; k < self->positions->len; k++)
    POSITION (self, k) = POSITION (self, k) - removed + added;
  g_array_remove_range (self->positions, first, end - first);
  g_array_insert_vals (self->positions, first, matches->data, matches->len);

  if (end > first || matches->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), first, end - first, matches->len);
}

static void
pieper_incident_status_filter_dispose (GObject *object)
{
  PieperIncidentStatusFilter *self = PIEPER_INCIDENT_STATUS_FILTER (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, model_items_changed_cb, self);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (pieper_incident_status_filter_parent_class)->dispose (object);
}

static void
pieper_incident_status_filter_finalize (GObject *object)
{
  PieperIncidentStatusFilter *self = PIEPER_INCIDENT_STATUS_FILTER (object);

  g_clear_pointer (&self->positions, g_array_unref);

  G_OBJECT_CLASS (pieper_incident_status_filter_parent_class)->finalize (object);
}

static void
pieper_incident_status_filter_class_init (PieperIncidentStatusFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pieper_incident_status_filter_dispose;
  object_class->finalize = pieper_incident_status_filter_finalize;
}

static void
pieper_incident_status_filter_init (PieperIncidentStatusFilter *self)
{
  self->positions = g_array_new (FALSE, FALSE, sizeof (guint));
}

PieperIncidentStatusFilter *
pieper_incident_status_filter_new (PieperIncidentListModel *model,
                                   PieperStatus             status)
{
  PieperIncidentStatusFilter *self;
  guint n_items;

  g_return_val_if_fail (PIEPER_IS_INCIDENT_LIST_MODEL (model), NULL);

  self = g_object_new (PIEPER_TYPE_INCIDENT_STATUS_FILTER, NULL);
  self->model = g_object_ref (model);
  self->status = status;

  n_items = g_list_model_get_n_items (G_LIST_MODEL (model));
  for (guint at = 0; at < n_items; at++)
    if (_pieper_incident_list_model_get_status (model, at) == status)
      g_array_append_val (self->positions, at);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (model_items_changed_cb),
                           self, G_CONNECT_SWAPPED);

  return self;
}

PieperStatus
pieper_incident_status_filter_get_status (PieperIncidentStatusFilter *self)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT_STATUS_FILTER (self), PIEPER_STATUS_TRIGGERED);

  return self->status;
}
