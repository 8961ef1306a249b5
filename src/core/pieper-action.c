/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include <json-glib/json-glib.h>

#include "pieper-action-private.h"

struct _PieperAction
{
  GObject            parent_instance;

  gint64             id;
  gint64             account_id;
  gint64             incident_id;
  char              *incident_remote_id;
  PieperOp           op;
  char              *payload;
  char              *idempotency_key;
  PieperActionState  state;
  guint              attempts;
  gint64             next_attempt_at;
  char              *last_error;
  gint64             created_at;
  gint64             updated_at;
  char              *claimed_by;

  /* Parsed from the payload when first asked for: listing an incident
   * with hundreds of unsent notes must not parse each of them. */
  gboolean           parsed;
  gboolean           next;
  int                level;
  char              *user;
  guint              minutes;
  char              *text;
};

G_DEFINE_FINAL_TYPE (PieperAction, pieper_action, G_TYPE_OBJECT)

static void
pieper_action_finalize (GObject *object)
{
  PieperAction *self = (PieperAction *) object;

  g_free (self->incident_remote_id);
  g_free (self->payload);
  g_free (self->idempotency_key);
  g_free (self->last_error);
  g_free (self->claimed_by);
  g_free (self->user);
  g_free (self->text);

  G_OBJECT_CLASS (pieper_action_parent_class)->finalize (object);
}

static void
pieper_action_class_init (PieperActionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pieper_action_finalize;
}

static void
pieper_action_init (PieperAction *self)
{
}

static void
parse_payload (PieperAction *self)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  JsonNode *root;

  if (self->parsed)
    return;
  self->parsed = TRUE;

  if (self->payload == NULL || !json_parser_load_from_data (parser, self->payload, -1, NULL))
    return;

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;

  object = json_node_get_object (root);
  self->level = (int) json_object_get_int_member_with_default (object, "level", 0);
  self->next = json_object_get_boolean_member_with_default (object, "next", FALSE);
  self->minutes = (guint) json_object_get_int_member_with_default (object, "minutes", 0);
  self->user = g_strdup (json_object_get_string_member_with_default (object, "user", NULL));
  self->text = g_strdup (json_object_get_string_member_with_default (object, "text", NULL));
}

PieperAction *
_pieper_action_new (const PieperActionRow *row)
{
  PieperAction *self = g_object_new (PIEPER_TYPE_ACTION, NULL);

  self->id = row->id;
  self->account_id = row->account_id;
  self->incident_id = row->incident_id;
  self->incident_remote_id = g_strdup (row->incident_remote_id);
  self->op = row->op;
  self->payload = g_strdup (row->payload);
  self->idempotency_key = g_strdup (row->idempotency_key);
  self->state = row->state;
  self->attempts = row->attempts;
  self->next_attempt_at = row->next_attempt_at;
  self->last_error = g_strdup (row->last_error);
  self->created_at = row->created_at;
  self->updated_at = row->updated_at;
  self->claimed_by = g_strdup (row->claimed_by);

  return self;
}

#define GETTER(type, name)                                       \
  type                                                           \
  pieper_action_get_##name (PieperAction *self)                  \
  {                                                              \
    g_return_val_if_fail (PIEPER_IS_ACTION (self), (type) 0);    \
    return self->name;                                           \
  }

GETTER (gint64, id)
GETTER (gint64, account_id)
GETTER (gint64, incident_id)
GETTER (const char *, incident_remote_id)
GETTER (PieperOp, op)
GETTER (const char *, idempotency_key)
GETTER (PieperActionState, state)
GETTER (guint, attempts)
GETTER (gint64, next_attempt_at)
GETTER (const char *, last_error)
GETTER (gint64, created_at)
GETTER (gint64, updated_at)
GETTER (const char *, claimed_by)
#define PAYLOAD_GETTER(type, name)                               \
  type                                                           \
  pieper_action_get_##name (PieperAction *self)                  \
  {                                                              \
    g_return_val_if_fail (PIEPER_IS_ACTION (self), (type) 0);    \
    parse_payload (self);                                        \
    return self->name;                                           \
  }

PAYLOAD_GETTER (int, level)
PAYLOAD_GETTER (gboolean, next)
PAYLOAD_GETTER (const char *, user)
PAYLOAD_GETTER (guint, minutes)
PAYLOAD_GETTER (const char *, text)
GETTER (const char *, payload)
