/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include "pieper-timeline-entry.h"

struct _PieperTimelineEntry
{
  GObject            parent_instance;

  gint64             id;
  gint64             incident_id;
  PieperTimelineKind kind;
  char              *remote_id;
  char              *author;
  gint64             at;
  char              *body;
  PieperOrigin       origin;
  gint64             action_id;
  PieperActionState  sync_state;
};

G_DEFINE_FINAL_TYPE (PieperTimelineEntry, pieper_timeline_entry, G_TYPE_OBJECT)

static void
pieper_timeline_entry_finalize (GObject *object)
{
  PieperTimelineEntry *self = (PieperTimelineEntry *) object;

  g_free (self->remote_id);
  g_free (self->author);
  g_free (self->body);

  G_OBJECT_CLASS (pieper_timeline_entry_parent_class)->finalize (object);
}

static void
pieper_timeline_entry_class_init (PieperTimelineEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pieper_timeline_entry_finalize;
}

static void
pieper_timeline_entry_init (PieperTimelineEntry *self)
{
  self->sync_state = PIEPER_ACTION_DONE;
}

PieperTimelineEntry *
pieper_timeline_entry_new (PieperTimelineKind kind)
{
  PieperTimelineEntry *self = g_object_new (PIEPER_TYPE_TIMELINE_ENTRY, NULL);

  self->kind = kind;

  return self;
}

PieperTimelineKind
pieper_timeline_entry_get_kind (PieperTimelineEntry *self)
{
  g_return_val_if_fail (PIEPER_IS_TIMELINE_ENTRY (self), PIEPER_TIMELINE_OTHER);
  return self->kind;
}

#define SCALAR_ACCESSORS(type, name)                                       \
  type                                                                     \
  pieper_timeline_entry_get_##name (PieperTimelineEntry *self)             \
  {                                                                        \
    g_return_val_if_fail (PIEPER_IS_TIMELINE_ENTRY (self), (type) 0);      \
    return self->name;                                                     \
  }                                                                        \
                                                                           \
  void                                                                     \
  pieper_timeline_entry_set_##name (PieperTimelineEntry *self,             \
                                    type                 name)             \
  {                                                                        \
    g_return_if_fail (PIEPER_IS_TIMELINE_ENTRY (self));                    \
    self->name = name;                                                     \
  }

#define STRING_ACCESSORS(name)                                             \
  const char *                                                             \
  pieper_timeline_entry_get_##name (PieperTimelineEntry *self)             \
  {                                                                        \
    g_return_val_if_fail (PIEPER_IS_TIMELINE_ENTRY (self), NULL);          \
    return self->name;                                                     \
  }                                                                        \
                                                                           \
  void                                                                     \
  pieper_timeline_entry_set_##name (PieperTimelineEntry *self,             \
                                    const char          *name)             \
  {                                                                        \
    g_return_if_fail (PIEPER_IS_TIMELINE_ENTRY (self));                    \
    g_free (self->name);                                                   \
    self->name = g_strdup (name);                                          \
  }

SCALAR_ACCESSORS (gint64, id)
SCALAR_ACCESSORS (gint64, incident_id)
SCALAR_ACCESSORS (gint64, at)
SCALAR_ACCESSORS (PieperOrigin, origin)
SCALAR_ACCESSORS (gint64, action_id)
SCALAR_ACCESSORS (PieperActionState, sync_state)
STRING_ACCESSORS (remote_id)
STRING_ACCESSORS (author)
STRING_ACCESSORS (body)
