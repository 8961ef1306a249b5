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

/* Checks before parsing */

/* The value of four hex digits at @p, or -1. */
static int
hex4 (const char *p,
      gsize       available)
{
  int value = 0;

  if (available < 4)
    return -1;

  for (guint k = 0; k < 4; k++)
    {
      int digit = g_ascii_xdigit_value (p[k]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }

  return value;
}

/**
 * _pieper_json_check_shape:
 * @data: a document, not necessarily NUL-terminated
 * @length: its length in bytes
 * @max_depth: the most arrays and objects one inside another
 *
 * Untrusted JSON goes past this before json-glib 1.6 sees it, for what that
 * parser does not survive or leaks on:
 *
 * - it recurses once per level, so megabytes of "[" would overflow the
 *   stack;
 * - it reads on after the first value, and when an array or object follows
 *   ("{…} {…}", "3 […]", two files concatenated) it succeeds with one and
 *   leaks the other; it also takes 'single-quoted' strings, and comments
 *   from one '/' to the next ("/…/", and so "/ * … * /" too), so those are
 *   skipped like strings;
 * - a \u escape of fewer than four hex digits swallows the character after
 *   it (even the closing quote), so does a surrogate escape not followed by
 *   another \u escape, and one followed by a \u escape that does not make a
 *   pair with it is an error that leaks the string: only whole surrogate
 *   pairs pass.
 *
 * Anything else that is not JSON is left to the parser to refuse.
 *
 * json-glib also turns a "\u0000" escape into a NUL byte inside the
 * string, and every getter then sees the string end there: a title is cut
 * short without a sign, and an id such as "P1\u0000x" reads as "P1",
 * another incident's id. When @nul_free is given, it is set to a
 * NUL-terminated copy of @data with each such escape made "\ufffd" (the
 * replacement character), or to %NULL when @data has none; parse that
 * copy instead.
 */
PieperJsonShape
_pieper_json_check_shape (const char  *data,
                          gsize        length,
                          guint        max_depth,
                          char       **nul_free)
{
  g_autofree char *copy = NULL;
  gboolean seen_value = FALSE;
  char quote = 0;
  guint depth = 0;

  if (nul_free != NULL)
    *nul_free = NULL;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (quote != 0)
        {
          if (c == quote)
            quote = 0;
          else if (c == '\\' && quote == '"' && i + 1 < length && data[i + 1] == 'u')
            {
              int unit = hex4 (data + i + 2, length - i - 2);

              if (unit < 0)
                return PIEPER_JSON_SHAPE_BAD_ESCAPE;

              if (unit == 0 && nul_free != NULL)
                {
                  if (copy == NULL)
                    {
                      copy = g_malloc (length + 1);
                      memcpy (copy, data, length);
                      copy[length] = '\0';
                    }
                  memcpy (copy + i + 2, "fffd", 4);
                }

              if (unit >= 0xd800 && unit <= 0xdfff)
                {
                  int low;

                  if (unit > 0xdbff || i + 7 >= length ||
                      data[i + 6] != '\\' || data[i + 7] != 'u')
                    return PIEPER_JSON_SHAPE_BAD_ESCAPE;

                  low = hex4 (data + i + 8, length - i - 8);
                  if (low < 0xdc00 || low > 0xdfff)
                    return PIEPER_JSON_SHAPE_BAD_ESCAPE;
                  i += 6;
                }
              i += 5;
            }
          else if (c == '\\' && quote == '"')
            i++;
          continue;
        }

      switch (c)
        {
        case '"':
        case '\'':
          quote = c;
          seen_value = TRUE;
          break;
        case '/':
          /* To json-glib, a comment runs from one '/' to the next. */
          for (i++; i < length && data[i] != '/'; i++)
            ;
          break;
        case '[':
        case '{':
          if (depth == 0 && seen_value)
            return PIEPER_JSON_SHAPE_SEVERAL_VALUES;
          if (++depth > max_depth)
            return PIEPER_JSON_SHAPE_TOO_DEEP;
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          seen_value = TRUE;
          break;
        default:
          if (g_ascii_isalnum (c) || c == '-')
            seen_value = TRUE;
          break;
        }
    }

  if (nul_free != NULL)
    *nul_free = g_steal_pointer (&copy);

  return PIEPER_JSON_SHAPE_OK;
}
