/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "pieper-json.h"
#include "pieper-json-private.h"
#include "pieper-store.h"

char *
pieper_time_to_iso8601 (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_seconds <= 0)
    return NULL;

  if (!(dt = g_date_time_new_from_unix_utc (unix_seconds)))
    return NULL;

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

gboolean
pieper_time_from_iso8601 (const char *text,
                          gint64     *unix_seconds)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL)
    return FALSE;

  if (!(dt = g_date_time_new_from_iso8601 (text, NULL)))
    return FALSE;

  *unix_seconds = g_date_time_to_unix (dt);
  return TRUE;
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_time (JsonBuilder *builder,
          const char  *name,
          gint64       value)
{
  g_autofree char *iso = pieper_time_to_iso8601 (value);

  add_string (builder, name, iso);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_strv (JsonBuilder        *builder,
          const char         *name,
          const char * const *strv)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

JsonNode *
pieper_incident_to_json (PieperIncident *incident)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (PIEPER_IS_INCIDENT (incident), NULL);

  json_builder_begin_object (builder);
  add_string (builder, "id", pieper_incident_get_remote_id (incident));
  add_int (builder, "number", pieper_incident_get_number (incident));
  add_int (builder, "account", pieper_incident_get_account_id (incident));
  add_string (builder, "title", pieper_incident_get_title (incident));
  add_string (builder, "status", pieper_status_to_string (pieper_incident_get_status (incident)));
  add_string (builder, "urgency", pieper_urgency_to_string (pieper_incident_get_urgency (incident)));
  add_string (builder, "priority", pieper_incident_get_priority (incident));
  add_string (builder, "service", pieper_incident_get_service (incident));
  add_string (builder, "escalation_policy", pieper_incident_get_escalation_policy (incident));
  add_int (builder, "escalation_level", pieper_incident_get_escalation_level (incident));
  add_strv (builder, "assignees", pieper_incident_get_assignees (incident));
  add_strv (builder, "assignee_ids", pieper_incident_get_assignee_ids (incident));
  add_string (builder, "html_url", pieper_incident_get_html_url (incident));
  add_time (builder, "created_at", pieper_incident_get_created_at (incident));
  add_time (builder, "updated_at", pieper_incident_get_updated_at (incident));
  add_time (builder, "last_status_change_at", pieper_incident_get_last_status_change_at (incident));
  add_time (builder, "snoozed_until", pieper_incident_get_snoozed_until (incident));
  json_builder_set_member_name (builder, "links");
  json_builder_begin_object (builder);
  add_string (builder, "chat", pieper_incident_get_chat_url (incident));
  add_string (builder, "video", pieper_incident_get_video_url (incident));
  add_string (builder, "status_page", pieper_incident_get_status_page_url (incident));
  add_string (builder, "postmortem", pieper_incident_get_postmortem_url (incident));
  json_builder_end_object (builder);
  add_int (builder, "pending", pieper_incident_get_pending (incident));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
pieper_timeline_entry_to_json (PieperTimelineEntry *entry)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (PIEPER_IS_TIMELINE_ENTRY (entry), NULL);

  json_builder_begin_object (builder);
  add_string (builder, "id", pieper_timeline_entry_get_remote_id (entry));
  add_string (builder, "kind", pieper_timeline_kind_to_string (pieper_timeline_entry_get_kind (entry)));
  add_string (builder, "origin", pieper_origin_to_string (pieper_timeline_entry_get_origin (entry)));
  add_string (builder, "state", pieper_action_state_to_string (pieper_timeline_entry_get_sync_state (entry)));
  add_string (builder, "author", pieper_timeline_entry_get_author (entry));
  add_time (builder, "at", pieper_timeline_entry_get_at (entry));
  add_string (builder, "body", pieper_timeline_entry_get_body (entry));
  if (pieper_timeline_entry_get_action_id (entry) > 0)
    add_int (builder, "action", pieper_timeline_entry_get_action_id (entry));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
pieper_action_to_json (PieperAction *action)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) args = NULL;

  g_return_val_if_fail (PIEPER_IS_ACTION (action), NULL);

  args = json_from_string (pieper_action_get_payload (action), NULL);

  json_builder_begin_object (builder);
  add_int (builder, "id", pieper_action_get_id (action));
  add_int (builder, "account", pieper_action_get_account_id (action));
  add_string (builder, "incident", pieper_action_get_incident_remote_id (action));
  add_string (builder, "op", pieper_op_to_string (pieper_action_get_op (action)));
  json_builder_set_member_name (builder, "args");
  if (args != NULL)
    json_builder_add_value (builder, g_steal_pointer (&args));
  else
    json_builder_add_null_value (builder);
  add_string (builder, "idempotency_key", pieper_action_get_idempotency_key (action));
  add_string (builder, "state", pieper_action_state_to_string (pieper_action_get_state (action)));
  add_int (builder, "attempts", pieper_action_get_attempts (action));
  add_time (builder, "next_attempt_at", pieper_action_get_next_attempt_at (action));
  add_string (builder, "last_error", pieper_action_get_last_error (action));
  add_time (builder, "created_at", pieper_action_get_created_at (action));
  add_time (builder, "updated_at", pieper_action_get_updated_at (action));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
pieper_account_to_json (PieperAccount *account)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (PIEPER_IS_ACCOUNT (account), NULL);

  json_builder_begin_object (builder);
  add_int (builder, "id", pieper_account_get_id (account));
  add_string (builder, "provider", pieper_account_get_provider (account));
  add_string (builder, "url", pieper_account_get_url (account));
  add_string (builder, "email", pieper_account_get_email (account));
  add_string (builder, "user_id", pieper_account_get_user_id (account));
  add_string (builder, "user_name", pieper_account_get_user_name (account));
  add_time (builder, "created_at", pieper_account_get_created_at (account));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Import */

static gboolean
invalid (GError     **error,
         const char  *where,
         const char  *member,
         const char  *what)
{
  g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
               /* TRANSLATORS: where (e.g. “incident “P1”), a JSON member
                * name (untranslated), and what is wrong with it, e.g.
                * “is missing”. */
               _("%s: “%s” %s"), where, member, what);
  return FALSE;
}

/* Reads an optional string member; a present member of another type, or
 * text that is not UTF-8, is an error. */
static gboolean
get_string (JsonObject  *object,
            const char  *member,
            gboolean     required,
            gsize        max_bytes,
            const char  *where,
            char       **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *value;

  *out = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return required ? invalid (error, where, member, _("is missing")) : TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, where, member, _("must be a string"));

  value = json_node_get_string (node);
  if (!g_utf8_validate (value, -1, NULL))
    return invalid (error, where, member, _("is not valid UTF-8"));
  if (required && *value == '\0')
    return invalid (error, where, member, _("is empty"));

  *out = pieper_utf8_cap (value, max_bytes);
  return TRUE;
}

static gboolean
get_int (JsonObject  *object,
         const char  *member,
         gint64       min,
         gint64       max,
         const char  *where,
         gint64      *out,
         GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  gint64 value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return invalid (error, where, member, _("must be a whole number"));

  value = json_node_get_int (node);
  if (value < min || value > max)
    return invalid (error, where, member, _("is out of range"));

  *out = value;
  return TRUE;
}

static gboolean
get_time (JsonObject  *object,
          const char  *member,
          const char  *where,
          gint64      *out,
          GError     **error)
{
  g_autofree char *text = NULL;

  if (!get_string (object, member, FALSE, 64, where, &text, error))
    return FALSE;

  if (text != NULL && !pieper_time_from_iso8601 (text, out))
    return invalid (error, where, member, _("must be an ISO 8601 time such as 2026-11-25T03:14:00Z"));

  return TRUE;
}

static gboolean
get_strv (JsonObject  *object,
          const char  *member,
          const char  *where,
          GStrv       *out,
          GError     **error)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array;

  *out = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, where, member, _("must be an array of strings"));

  array = json_node_get_array (node);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array) && i < 64; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *capped = NULL;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING ||
          !g_utf8_validate (json_node_get_string (element), -1, NULL))
        return invalid (error, where, member, _("must be an array of strings"));

      capped = pieper_utf8_cap (json_node_get_string (element), PIEPER_FIELD_MAX_BYTES);
      g_strv_builder_add (builder, capped);
    }

  *out = g_strv_builder_end (builder);
  return TRUE;
}

static PieperTimelineEntry *
timeline_entry_from_json (JsonNode    *node,
                          const char  *where,
                          GError     **error)
{
  g_autoptr(PieperTimelineEntry) entry = NULL;
  g_autofree char *id = NULL;
  g_autofree char *kind_name = NULL;
  g_autofree char *author = NULL;
  g_autofree char *body = NULL;
  PieperTimelineKind kind;
  JsonObject *object;
  gint64 at = 0;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                   _("%s: must be an object"), where);
      return NULL;
    }

  object = json_node_get_object (node);
  if (!get_string (object, "id", TRUE, PIEPER_FIELD_MAX_BYTES, where, &id, error) ||
      !get_string (object, "kind", TRUE, 32, where, &kind_name, error) ||
      !get_string (object, "author", FALSE, PIEPER_FIELD_MAX_BYTES, where, &author, error) ||
      !get_string (object, "body", FALSE, PIEPER_NOTE_MAX_BYTES, where, &body, error) ||
      !get_time (object, "at", where, &at, error))
    return NULL;

  if (!pieper_timeline_kind_from_string (kind_name, &kind) || kind == PIEPER_TIMELINE_CONFLICT)
    {
      invalid (error, where, "kind",
               _("must be one of note, trigger, acknowledge, escalate, reassign, snooze, resolve, other"));
      return NULL;
    }

  entry = pieper_timeline_entry_new (kind);
  pieper_timeline_entry_set_remote_id (entry, id);
  pieper_timeline_entry_set_author (entry, author);
  pieper_timeline_entry_set_body (entry, body);
  pieper_timeline_entry_set_at (entry, at);

  return g_steal_pointer (&entry);
}

PieperIncident *
pieper_incident_from_json (JsonNode   *node,
                           GPtrArray **timeline,
                           GError    **error)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *where = NULL;
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  g_autofree char *status_name = NULL;
  g_autofree char *urgency_name = NULL;
  g_autofree char *priority = NULL;
  g_autofree char *service = NULL;
  g_autofree char *policy = NULL;
  g_autofree char *html_url = NULL;
  g_auto(GStrv) assignees = NULL;
  g_auto(GStrv) assignee_ids = NULL;
  gint64 number = 0, level = 1;
  gint64 created_at = 0, updated_at = 0, changed_at = 0;
  PieperStatus status;
  PieperUrgency urgency = PIEPER_URGENCY_HIGH;
  JsonObject *object;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                           _("An incident must be a JSON object"));
      return NULL;
    }

  object = json_node_get_object (node);
  if (!get_string (object, "id", TRUE, PIEPER_FIELD_MAX_BYTES, "incident", &id, error))
    return NULL;

  where = g_strdup_printf (_("incident “%s”"), id);
  if (!get_string (object, "title", TRUE, PIEPER_TITLE_MAX_BYTES, where, &title, error) ||
      !get_string (object, "status", TRUE, 32, where, &status_name, error) ||
      !get_string (object, "urgency", FALSE, 32, where, &urgency_name, error) ||
      !get_string (object, "priority", FALSE, PIEPER_FIELD_MAX_BYTES, where, &priority, error) ||
      !get_string (object, "service", FALSE, PIEPER_FIELD_MAX_BYTES, where, &service, error) ||
      !get_string (object, "escalation_policy", FALSE, PIEPER_FIELD_MAX_BYTES, where, &policy, error) ||
      !get_string (object, "html_url", FALSE, PIEPER_FIELD_MAX_BYTES, where, &html_url, error) ||
      !get_int (object, "number", 0, G_MAXINT64, where, &number, error) ||
      !get_int (object, "escalation_level", 1, 100, where, &level, error) ||
      !get_strv (object, "assignees", where, &assignees, error) ||
      !get_strv (object, "assignee_ids", where, &assignee_ids, error) ||
      !get_time (object, "created_at", where, &created_at, error) ||
      !get_time (object, "updated_at", where, &updated_at, error) ||
      !get_time (object, "last_status_change_at", where, &changed_at, error))
    return NULL;

  if (!pieper_status_from_string (status_name, &status))
    {
      invalid (error, where, "status", _("must be triggered, acknowledged or resolved"));
      return NULL;
    }

  if (urgency_name != NULL && !pieper_urgency_from_string (urgency_name, &urgency))
    {
      invalid (error, where, "urgency", _("must be high or low"));
      return NULL;
    }

  incident = pieper_incident_new (id);
  pieper_incident_set_number (incident, number);
  pieper_incident_set_title (incident, title);
  pieper_incident_set_status (incident, status);
  pieper_incident_set_urgency (incident, urgency);
  pieper_incident_set_priority (incident, priority);
  pieper_incident_set_service (incident, service);
  pieper_incident_set_escalation_policy (incident, policy);
  pieper_incident_set_escalation_level (incident, (int) level);
  pieper_incident_set_assignees (incident, (const char * const *) assignees);
  pieper_incident_set_assignee_ids (incident, (const char * const *) assignee_ids);
  pieper_incident_set_html_url (incident, html_url);
  pieper_incident_set_created_at (incident, created_at);
  pieper_incident_set_updated_at (incident, updated_at);
  pieper_incident_set_last_status_change_at (incident, changed_at);

  member = json_object_get_member (object, "links");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      static const struct {
        const char *name;
        void (*set) (PieperIncident *, const char *);
      } links[] = {
        { "chat", pieper_incident_set_chat_url },
        { "video", pieper_incident_set_video_url },
        { "status_page", pieper_incident_set_status_page_url },
        { "postmortem", pieper_incident_set_postmortem_url },
      };
      g_autofree char *links_where = g_strdup_printf (_("%s links"), where);

      if (!JSON_NODE_HOLDS_OBJECT (member))
        {
          invalid (error, where, "links", _("must be an object"));
          return NULL;
        }

      for (guint i = 0; i < G_N_ELEMENTS (links); i++)
        {
          g_autofree char *url = NULL;

          if (!get_string (json_node_get_object (member), links[i].name, FALSE,
                           PIEPER_FIELD_MAX_BYTES, links_where, &url, error))
            return NULL;
          links[i].set (incident, url);
        }
    }

  entries = g_ptr_array_new_with_free_func (g_object_unref);
  member = json_object_get_member (object, "timeline");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (member))
        {
          invalid (error, where, "timeline", _("must be an array"));
          return NULL;
        }

      array = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *entry_where = g_strdup_printf (_("%s timeline entry %u"), where, i + 1);
          PieperTimelineEntry *entry;

          if (!(entry = timeline_entry_from_json (json_array_get_element (array, i), entry_where, error)))
            return NULL;
          g_ptr_array_add (entries, entry);
        }
    }

  if (timeline != NULL)
    *timeline = g_steal_pointer (&entries);

  return g_steal_pointer (&incident);
}

/* Untrusted documents */

/**
 * _pieper_json_parse_untrusted:
 * @data: a document from a server or a file, not necessarily NUL-terminated
 * @length: its length in bytes
 * @max_depth: the most arrays and objects one inside another
 * @problem: (out): what is wrong with @data when it is refused
 * @detail: (out) (optional): then, what or where: "more than one value" or
 *   "a broken \u escape" (translated), or the place as line:column
 *
 * Parses with _pieper_json_parse(). Text that is not UTF-8 is made valid
 * (each bad byte U+FFFD) and parsed again, so that one bad byte in one
 * title does not hide everything else.
 *
 * Returns: (transfer full) (nullable): the document
 */
PieperJsonDoc *
_pieper_json_parse_untrusted (const char       *data,
                              gsize             length,
                              guint             max_depth,
                              PieperJsonShape  *problem,
                              char            **detail)
{
  g_autofree char *valid = NULL;
  const char *text = data;
  PieperJsonDoc *doc;
  guint line = 1, column = 1;
  gsize where = 0;

  if (detail != NULL)
    *detail = NULL;

  doc = _pieper_json_parse (data, length, max_depth, problem, &where);
  if (doc == NULL && *problem == PIEPER_JSON_SHAPE_NOT_UTF8)
    {
      /* The parser checks the UTF-8 as it goes; only a document with a
       * bad byte is made valid and read again. */
      text = valid = g_utf8_make_valid (data, length);
      doc = _pieper_json_parse (valid, strlen (valid), max_depth, problem, &where);
    }
  if (doc != NULL || detail == NULL)
    return doc;

  switch (*problem)
    {
    case PIEPER_JSON_SHAPE_SEVERAL_VALUES:
      /* TRANSLATORS: what is wrong with a JSON document, shown after
       * "… sent malformed or truncated JSON" or "… is not valid JSON". */
      *detail = g_strdup (_("more than one value"));
      break;
    case PIEPER_JSON_SHAPE_BAD_ESCAPE:
      /* TRANSLATORS: as "more than one value"; \u starts an escape such
       * as \u00e9 in a JSON string. */
      *detail = g_strdup (_("a broken \\u escape"));
      break;
    case PIEPER_JSON_SHAPE_OK:
    case PIEPER_JSON_SHAPE_TOO_DEEP:
    case PIEPER_JSON_SHAPE_SYNTAX:
    case PIEPER_JSON_SHAPE_NOT_UTF8:
    default:
      /* Where, as line:column. */
      for (gsize i = 0; i < where && text[i] != '\0'; i++)
        {
          if (text[i] == '\n')
            {
              line++;
              column = 1;
            }
          else if (((guchar) text[i] & 0xc0) != 0x80)
            column++;
        }
      *detail = g_strdup_printf ("%u:%u", line, column);
      break;
    }

  return NULL;
}

/**
 * _pieper_json_value_to_node:
 * @value: a value of a document from _pieper_json_parse()
 *
 * The same value as a json-glib tree, for code that maps JSON with
 * json-glib. Of members with the same name the last is kept, as
 * _pieper_json_get_member() finds it. Recursion is as deep as the
 * document, which its parse bounded.
 *
 * Returns: (transfer full): the node
 */
JsonNode *
_pieper_json_value_to_node (const PieperJsonValue *value)
{
  JsonNode *node;

  switch (value->type)
    {
    case PIEPER_JSON_BOOLEAN:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, value->v.boolean);
      return node;
    case PIEPER_JSON_INT:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (node, value->v.integer);
      return node;
    case PIEPER_JSON_DOUBLE:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_double (node, value->v.number);
      return node;
    case PIEPER_JSON_STRING:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, value->v.string);
      return node;
    case PIEPER_JSON_ARRAY:
      {
        JsonArray *array = json_array_sized_new (value->length);

        for (guint i = 0; i < value->length; i++)
          json_array_add_element (array, _pieper_json_value_to_node (&value->v.children[i]));
        node = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (node, array);
        return node;
      }
    case PIEPER_JSON_OBJECT:
      {
        JsonObject *object = json_object_new ();

        for (guint i = 0; i < value->length; i++)
          json_object_set_member (object, value->v.children[i].name,
                                  _pieper_json_value_to_node (&value->v.children[i]));
        node = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (node, object);
        return node;
      }
    case PIEPER_JSON_NULL:
    default:
      return json_node_new (JSON_NODE_NULL);
    }
}
