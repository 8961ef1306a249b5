/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperPagerduty"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include <libsoup/soup.h>

#include "pieper-json-private.h"
#include "pieper-pagerduty-private.h"

/*
 * The mapping between PagerDuty REST API v2 JSON and Pieper's model.
 *
 * Everything the server sends is untrusted: a member of the wrong JSON type
 * is ignored (never passed to a json-glib getter that would complain), every
 * string is made valid UTF-8, stripped of control characters and capped, and
 * only http(s) links are kept. An incident, note or log entry without a
 * usable id is dropped, because nothing could refer to it later.
 */

/* Retry-After or ratelimit-reset values beyond this are not believed. */
#define MAX_RETRY_AFTER 3600
/* PagerDuty ids are short; anything longer is not an id. */
#define MAX_ID_BYTES    128
/* More assignees than this on one incident is not a real incident. */
#define MAX_ASSIGNEES   100
/* Error details kept in a one-line message. */
#define MAX_ERROR_BYTES 400

/* JSON helpers that never warn (pieper-json-private.h's are NULL-safe) */

typedef PieperJsonValue JsonValue;

static const JsonValue *
node_object (const JsonValue *node)
{
  return _pieper_json_is (node, PIEPER_JSON_OBJECT) ? node : NULL;
}

static const JsonValue *
member_object (const JsonValue *object,
               const char      *name)
{
  return node_object (_pieper_json_get_member (object, name));
}

static const JsonValue *
member_array (const JsonValue *object,
              const char      *name)
{
  const JsonValue *node = _pieper_json_get_member (object, name);

  return _pieper_json_is (node, PIEPER_JSON_ARRAY) ? node : NULL;
}

static const char *
member_string (const JsonValue *object,
               const char      *name)
{
  return _pieper_json_get_string (_pieper_json_get_member (object, name));
}

static gboolean
member_int (const JsonValue *object,
            const char      *name,
            gint64          *value)
{
  const JsonValue *node = _pieper_json_get_member (object, name);

  if (_pieper_json_is (node, PIEPER_JSON_INT))
    {
      *value = node->v.integer;
      return TRUE;
    }

  /* 3.0 is a number too; 3.5 or 1e300 is not an integer we want. */
  if (_pieper_json_is (node, PIEPER_JSON_DOUBLE))
    {
      double d = node->v.number;

      if (d >= -9.0e15 && d <= 9.0e15 && d == (double) (gint64) d)
        {
          *value = (gint64) d;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
member_bool (const JsonValue *object,
             const char      *name,
             gboolean        *value)
{
  const JsonValue *node = _pieper_json_get_member (object, name);

  if (!_pieper_json_is (node, PIEPER_JSON_BOOLEAN))
    return FALSE;

  *value = node->v.boolean;
  return TRUE;
}

static GError *
transient (const char *message)
{
  return g_error_new_literal (PIEPER_PROVIDER_ERROR,
                              PIEPER_PROVIDER_ERROR_TRANSIENT,
                              message);
}

/* Text */

char *
_pieper_pagerduty_text (const char *text,
                        gsize       max_bytes,
                        gboolean    multi_line)
{
  /* The core's rule, so a note reads back exactly as the outbox holds it. */
  return pieper_text_clean (text, max_bytes, multi_line);
}

static char *
member_text (const JsonValue *object,
             const char *name,
             gsize       max_bytes)
{
  const char *text = member_string (object, name);
  gsize len = 0;
  char *clean;

  if (text == NULL)
    return NULL;

  /* Most text is printable ASCII, short enough and without spaces to
   * strip, which the core's rule would give back as it is: it costs half
   * of mapping a page otherwise. */
  while (len <= max_bytes && (guchar) text[len] >= 0x20 && (guchar) text[len] < 0x7f)
    len++;
  if (len <= max_bytes && text[len] == '\0' && len > 0 && text[0] != ' ' && text[len - 1] != ' ')
    return g_strndup (text, len);

  clean = _pieper_pagerduty_text (text, max_bytes, FALSE);
  if (clean != NULL && clean[0] == '\0')
    g_clear_pointer (&clean, g_free);

  return clean;
}

gboolean
_pieper_pagerduty_id_is_valid (const char *id)
{
  gsize len;

  if (id == NULL)
    return FALSE;

  len = strlen (id);
  if (len == 0 || len > MAX_ID_BYTES)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) id[i];

      if (c <= 0x20 || c >= 0x7f || c == '/' || c == '\\' || c == '?' || c == '#')
        return FALSE;
    }

  return TRUE;
}

static const char *
member_id (const JsonValue *object,
           const char *name)
{
  const char *id = member_string (object, name);

  return _pieper_pagerduty_id_is_valid (id) ? id : NULL;
}

/* Only absolute http(s) links are kept: the app opens them. */
static char *
member_url (const JsonValue *object,
            const char *name)
{
  const char *url = member_string (object, name);
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  gsize len;

  if (url == NULL)
    return NULL;

  len = strlen (url);
  if (len == 0 || len > PIEPER_FIELD_MAX_BYTES)
    return NULL;

  for (gsize i = 0; i < len; i++)
    if ((guchar) url[i] <= 0x20 || (guchar) url[i] >= 0x7f)
      return NULL;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      g_ascii_strcasecmp (scheme, "http") != 0)
    return NULL;

  if (g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return NULL;

  return g_strdup (url);
}

/* Time */

gint64
_pieper_pagerduty_parse_time (const char *iso8601)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) dt = NULL;

  if (iso8601 == NULL || strlen (iso8601) > 64)
    return 0;

  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (iso8601, utc);
  if (dt == NULL)
    return 0;

  return g_date_time_to_unix (dt);
}

char *
_pieper_pagerduty_format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = NULL;

  dt = g_date_time_new_from_unix_utc (MAX (unix_seconds, 0));
  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* Parsing */

/**
 * _pieper_pagerduty_parse:
 *
 * Parses a response body with pieper-json.c's parser (not json-glib: it
 * is several times faster on a page of incidents, and bounded). Invalid
 * UTF-8 is replaced, not refused, so that one bad byte in one title does
 * not hide every other incident.
 *
 * Returns: (transfer full): the document, or %NULL with a
 *   %PIEPER_PROVIDER_ERROR_TRANSIENT error
 */
PieperJsonDoc *
_pieper_pagerduty_parse (const char  *data,
                         gsize        length,
                         GError     **error)
{
  g_autofree char *detail = NULL;
  PieperJsonShape problem = PIEPER_JSON_SHAPE_OK;
  PieperJsonDoc *doc;

  if (data == NULL || length == 0)
    {
      g_propagate_error (error, transient (_("PagerDuty sent an empty response")));
      return NULL;
    }

  if ((doc = _pieper_json_parse_untrusted (data, length, PIEPER_PD_MAX_DEPTH, &problem, &detail)))
    return doc;

  if (problem == PIEPER_JSON_SHAPE_TOO_DEEP)
    g_propagate_error (error, transient (_("PagerDuty sent JSON nested too deeply")));
  else
    /* The detail is technical (untranslated). */
    g_set_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT,
                 _("PagerDuty sent malformed or truncated JSON (%s)"), detail);

  return NULL;
}

/* Incidents */

static gboolean
status_from_pd (const char   *text,
                PieperStatus *status)
{
  if (g_strcmp0 (text, "triggered") == 0)
    *status = PIEPER_STATUS_TRIGGERED;
  else if (g_strcmp0 (text, "acknowledged") == 0)
    *status = PIEPER_STATUS_ACKNOWLEDGED;
  else if (g_strcmp0 (text, "resolved") == 0)
    *status = PIEPER_STATUS_RESOLVED;
  else
    return FALSE;

  return TRUE;
}

static char *
reference_name (const JsonValue *object,
                const char *name)
{
  const JsonValue *ref = member_object (object, name);
  char *text;

  /* A reference carries "summary"; a full object (include[]=…) "name". */
  text = member_text (ref, "summary", PIEPER_FIELD_MAX_BYTES);
  if (text == NULL)
    text = member_text (ref, "name", PIEPER_FIELD_MAX_BYTES);

  return text;
}

static gboolean
is_chat_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *host;

  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL)
    return FALSE;

  return g_ascii_strcasecmp (host, "slack.com") == 0 ||
         g_str_has_suffix (host, ".slack.com") ||
         g_ascii_strcasecmp (host, "teams.microsoft.com") == 0;
}

static void
map_assignments (PieperIncident *incident,
                 const JsonValue     *object)
{
  const JsonValue *assignments = member_array (object, "assignments");
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  guint n;

  if (assignments == NULL)
    return;

  n = MIN (_pieper_json_get_length (assignments), MAX_ASSIGNEES);
  for (guint i = 0; i < n; i++)
    {
      const JsonValue *assignment = node_object (_pieper_json_get_element (assignments, i));
      const JsonValue *assignee = member_object (assignment, "assignee");
      const char *id = member_id (assignee, "id");
      char *name;

      if (id == NULL)
        continue;

      name = member_text (assignee, "summary", PIEPER_FIELD_MAX_BYTES);
      if (name == NULL)
        name = member_text (assignee, "name", PIEPER_FIELD_MAX_BYTES);
      if (name == NULL)
        name = g_strdup (id);

      g_ptr_array_add (names, name);
      g_ptr_array_add (ids, g_strdup (id));
    }

  g_ptr_array_add (names, NULL);
  g_ptr_array_add (ids, NULL);

  pieper_incident_set_assignees (incident, (const char * const *) names->pdata);
  pieper_incident_set_assignee_ids (incident, (const char * const *) ids->pdata);
}

/**
 * _pieper_pagerduty_incident_from_json:
 * @node: one incident object
 *
 * Fields used: id, incident_number, title (else summary), status, urgency,
 * priority.summary (else .name), service.summary, escalation_policy.summary,
 * escalation_level (not in the documented read schema, but the field that
 * update takes; 1 when absent), assignments[].assignee.{id,summary},
 * html_url, created_at, updated_at, last_status_change_at and
 * conference_bridge.conference_url (with include[]=conference_bridge): a
 * Slack or Teams link becomes the chat link, anything else the video bridge.
 * PagerDuty's incident object has no status page or postmortem link.
 *
 * Returns: (transfer full): the incident, or %NULL with an error if it has
 *   no usable id or status
 */
PieperIncident *
_pieper_pagerduty_incident_from_json (const JsonValue  *node,
                                      GError   **error)
{
  g_autoptr(PieperIncident) incident = NULL;
  const JsonValue *object = node_object (node);
  const JsonValue *bridge;
  const char *id;
  const char *urgency;
  PieperStatus status;
  gint64 number = 0;
  gint64 level = 0;
  char *text;

  if (object == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty sent an incident that is not a JSON object")));
      return NULL;
    }

  id = member_id (object, "id");
  if (id == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty sent an incident without a valid id")));
      return NULL;
    }

  if (!status_from_pd (member_string (object, "status"), &status))
    {
      g_set_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT,
                   _("PagerDuty sent incident %s without a known status"), id);
      return NULL;
    }

  incident = pieper_incident_new (id);
  pieper_incident_set_status (incident, status);

  if (member_int (object, "incident_number", &number) && number > 0)
    pieper_incident_set_number (incident, number);

  text = member_text (object, "title", PIEPER_TITLE_MAX_BYTES);
  if (text == NULL)
    text = member_text (object, "summary", PIEPER_TITLE_MAX_BYTES);
  pieper_incident_set_title (incident, text);
  g_free (text);

  /* An urgency Pieper does not know pages loudly rather than not at all. */
  urgency = member_string (object, "urgency");
  pieper_incident_set_urgency (incident,
                               g_strcmp0 (urgency, "low") == 0 ? PIEPER_URGENCY_LOW
                                                               : PIEPER_URGENCY_HIGH);

  text = reference_name (object, "priority");
  pieper_incident_set_priority (incident, text);
  g_free (text);

  text = reference_name (object, "service");
  pieper_incident_set_service (incident, text);
  g_free (text);

  text = reference_name (object, "escalation_policy");
  pieper_incident_set_escalation_policy (incident, text);
  g_free (text);

  if (member_int (object, "escalation_level", &level) && level >= 1 && level <= 1000)
    pieper_incident_set_escalation_level (incident, (int) level);
  else
    pieper_incident_set_escalation_level (incident, 1);

  map_assignments (incident, object);

  text = member_url (object, "html_url");
  pieper_incident_set_html_url (incident, text);
  g_free (text);

  pieper_incident_set_created_at (incident,
                                  _pieper_pagerduty_parse_time (member_string (object, "created_at")));
  pieper_incident_set_updated_at (incident,
                                  _pieper_pagerduty_parse_time (member_string (object, "updated_at")));
  pieper_incident_set_last_status_change_at (incident,
                                             _pieper_pagerduty_parse_time (member_string (object, "last_status_change_at")));

  bridge = member_object (object, "conference_bridge");
  text = member_url (bridge, "conference_url");
  if (text != NULL && is_chat_url (text))
    pieper_incident_set_chat_url (incident, text);
  else if (text != NULL)
    pieper_incident_set_video_url (incident, text);
  g_free (text);

  return g_steal_pointer (&incident);
}

PieperIncident *
_pieper_pagerduty_incident_from_wrapper (const JsonValue  *root,
                                         GError   **error)
{
  const JsonValue *object = node_object (root);
  const JsonValue *node = object != NULL ? _pieper_json_get_member (object, "incident") : NULL;

  if (node_object (node) == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty's response has no incident in it")));
      return NULL;
    }

  return _pieper_pagerduty_incident_from_json (node, error);
}

/**
 * _pieper_pagerduty_incidents_from_page:
 * @more: (out): the page's "more" (%FALSE when absent or not a boolean, so
 *   a broken server cannot keep a client paging forever)
 *
 * Returns: (transfer full) (element-type PieperIncident): the usable
 *   incidents of one page of GET /incidents
 */
GPtrArray *
_pieper_pagerduty_incidents_from_page (const JsonValue  *root,
                                       gboolean  *more,
                                       GError   **error)
{
  const JsonValue *list = member_array (node_object (root), "incidents");
  g_autoptr(GPtrArray) incidents = NULL;
  guint n;

  *more = FALSE;

  if (list == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty's response has no incident list in it")));
      return NULL;
    }

  member_bool (node_object (root), "more", more);

  incidents = g_ptr_array_new_with_free_func (g_object_unref);
  n = _pieper_json_get_length (list);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) local_error = NULL;
      PieperIncident *incident;

      incident = _pieper_pagerduty_incident_from_json (_pieper_json_get_element (list, i),
                                                       &local_error);
      if (incident == NULL)
        {
          g_debug ("Skipping incident %u of the page: %s", i, local_error->message);
          continue;
        }

      g_ptr_array_add (incidents, incident);
    }

  return g_steal_pointer (&incidents);
}

/* Timeline */

static PieperTimelineEntry *
note_from_object (const JsonValue  *object,
                  GError     **error)
{
  g_autoptr(PieperTimelineEntry) entry = NULL;
  g_autofree char *author = NULL;
  g_autofree char *body = NULL;
  const char *id;

  id = member_id (object, "id");
  if (id == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty sent a note without a valid id")));
      return NULL;
    }

  entry = pieper_timeline_entry_new (PIEPER_TIMELINE_NOTE);
  pieper_timeline_entry_set_remote_id (entry, id);
  pieper_timeline_entry_set_origin (entry, PIEPER_ORIGIN_REMOTE);

  author = reference_name (object, "user");
  pieper_timeline_entry_set_author (entry, author);

  pieper_timeline_entry_set_at (entry,
                                _pieper_pagerduty_parse_time (member_string (object, "created_at")));

  body = _pieper_pagerduty_text (member_string (object, "content"),
                                 PIEPER_NOTE_MAX_BYTES, TRUE);
  pieper_timeline_entry_set_body (entry, body != NULL ? body : "");

  return g_steal_pointer (&entry);
}

static PieperTimelineEntry *
note_from_json (const JsonValue  *node,
                GError          **error)
{
  const JsonValue *object = node_object (node);

  if (object == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty sent a note that is not a JSON object")));
      return NULL;
    }

  return note_from_object (object, error);
}

PieperTimelineEntry *
_pieper_pagerduty_note_from_wrapper (const JsonValue  *root,
                                     GError   **error)
{
  const JsonValue *note = member_object (node_object (root), "note");

  if (note == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty's response has no note in it")));
      return NULL;
    }

  return note_from_object (note, error);
}

/**
 * _pieper_pagerduty_notes_from_json:
 *
 * Returns: (transfer full) (element-type PieperTimelineEntry): the usable
 *   notes of GET /incidents/{id}/notes (which is not paginated)
 */
GPtrArray *
_pieper_pagerduty_notes_from_json (const JsonValue  *root,
                                   GError   **error)
{
  const JsonValue *list = member_array (node_object (root), "notes");
  g_autoptr(GPtrArray) notes = NULL;
  guint n;

  if (list == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty's response has no note list in it")));
      return NULL;
    }

  notes = g_ptr_array_new_with_free_func (g_object_unref);
  n = _pieper_json_get_length (list);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) local_error = NULL;
      PieperTimelineEntry *entry;

      entry = note_from_json (_pieper_json_get_element (list, i), &local_error);
      if (entry == NULL)
        {
          g_debug ("Skipping note %u: %s", i, local_error->message);
          continue;
        }

      g_ptr_array_add (notes, entry);
    }

  return g_steal_pointer (&notes);
}

/**
 * _pieper_pagerduty_log_entry_kind:
 * @type: a log entry's "type", e.g. "acknowledge_log_entry"
 *
 * annotate → note, trigger, acknowledge, escalate, assign → reassign,
 * snooze, resolve; everything else (notify, unacknowledge, urgency_change,
 * exhaust_escalation_path, …) → other.
 */
PieperTimelineKind
_pieper_pagerduty_log_entry_kind (const char *type)
{
  static const struct {
    const char *prefix;
    PieperTimelineKind kind;
  } kinds[] = {
    { "annotate", PIEPER_TIMELINE_NOTE },
    { "trigger", PIEPER_TIMELINE_TRIGGER },
    { "acknowledge", PIEPER_TIMELINE_ACKNOWLEDGE },
    { "escalate", PIEPER_TIMELINE_ESCALATE },
    { "assign", PIEPER_TIMELINE_REASSIGN },
    { "snooze", PIEPER_TIMELINE_SNOOZE },
    { "resolve", PIEPER_TIMELINE_RESOLVE },
  };
  g_autofree char *base = NULL;

  if (type == NULL)
    return PIEPER_TIMELINE_OTHER;

  base = g_strdup (type);
  if (g_str_has_suffix (base, "_log_entry_reference"))
    base[strlen (base) - strlen ("_log_entry_reference")] = '\0';
  else if (g_str_has_suffix (base, "_log_entry"))
    base[strlen (base) - strlen ("_log_entry")] = '\0';

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (base, kinds[i].prefix) == 0)
      return kinds[i].kind;

  return PIEPER_TIMELINE_OTHER;
}

static PieperTimelineEntry *
log_entry_from_json (const JsonValue  *node,
                     GError          **error)
{
  g_autoptr(PieperTimelineEntry) entry = NULL;
  g_autofree char *author = NULL;
  g_autofree char *body = NULL;
  const JsonValue *object = node_object (node);
  const char *id;

  if (object == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty sent a log entry that is not a JSON object")));
      return NULL;
    }

  id = member_id (object, "id");
  if (id == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty sent a log entry without a valid id")));
      return NULL;
    }

  entry = pieper_timeline_entry_new (_pieper_pagerduty_log_entry_kind (member_string (object, "type")));
  pieper_timeline_entry_set_remote_id (entry, id);
  pieper_timeline_entry_set_origin (entry, PIEPER_ORIGIN_REMOTE);

  author = reference_name (object, "agent");
  pieper_timeline_entry_set_author (entry, author);

  pieper_timeline_entry_set_at (entry,
                                _pieper_pagerduty_parse_time (member_string (object, "created_at")));

  body = member_text (object, "summary", PIEPER_FIELD_MAX_BYTES);
  pieper_timeline_entry_set_body (entry, body != NULL ? body : "");

  return g_steal_pointer (&entry);
}

/**
 * _pieper_pagerduty_log_entries_from_page:
 *
 * Returns: (transfer full) (element-type PieperTimelineEntry): the usable
 *   entries of one page of GET /incidents/{id}/log_entries
 */
GPtrArray *
_pieper_pagerduty_log_entries_from_page (const JsonValue  *root,
                                         gboolean  *more,
                                         GError   **error)
{
  const JsonValue *list = member_array (node_object (root), "log_entries");
  g_autoptr(GPtrArray) entries = NULL;
  guint n;

  *more = FALSE;

  if (list == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty's response has no log entry list in it")));
      return NULL;
    }

  member_bool (node_object (root), "more", more);

  entries = g_ptr_array_new_with_free_func (g_object_unref);
  n = _pieper_json_get_length (list);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) local_error = NULL;
      PieperTimelineEntry *entry;

      entry = log_entry_from_json (_pieper_json_get_element (list, i),
                                                     &local_error);
      if (entry == NULL)
        {
          g_debug ("Skipping log entry %u: %s", i, local_error->message);
          continue;
        }

      g_ptr_array_add (entries, entry);
    }

  return g_steal_pointer (&entries);
}

static int
compare_at (gconstpointer a,
            gconstpointer b)
{
  gint64 at_a = pieper_timeline_entry_get_at (*(PieperTimelineEntry **) a);
  gint64 at_b = pieper_timeline_entry_get_at (*(PieperTimelineEntry **) b);

  return (at_a > at_b) - (at_a < at_b);
}

/**
 * _pieper_pagerduty_merge_timeline:
 * @notes: (nullable) (element-type PieperTimelineEntry): from /notes
 * @log_entries: (element-type PieperTimelineEntry): from /log_entries,
 *   in the server's order (newest or oldest first)
 *
 * Every note also appears as an annotate log entry whose summary may be
 * cut short. When the notes were read, those duplicates are dropped and
 * the note (with its note id, which a read-back looks for) is kept.
 *
 * Returns: (transfer full) (element-type PieperTimelineEntry): one timeline,
 *   oldest first; entries at the same second keep the server's order
 */
GPtrArray *
_pieper_pagerduty_merge_timeline (GPtrArray *notes,
                                  GPtrArray *log_entries)
{
  GPtrArray *timeline = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean newest_first = FALSE;
  guint n = log_entries->len;

  if (n > 1)
    newest_first = pieper_timeline_entry_get_at (g_ptr_array_index (log_entries, 0)) >
                   pieper_timeline_entry_get_at (g_ptr_array_index (log_entries, n - 1));

  for (guint i = 0; i < n; i++)
    {
      PieperTimelineEntry *entry = g_ptr_array_index (log_entries, newest_first ? n - 1 - i : i);

      if (notes != NULL && pieper_timeline_entry_get_kind (entry) == PIEPER_TIMELINE_NOTE)
        continue;

      g_ptr_array_add (timeline, g_object_ref (entry));
    }

  for (guint i = 0; notes != NULL && i < notes->len; i++)
    g_ptr_array_add (timeline, g_object_ref (g_ptr_array_index (notes, i)));

  /* Stable since GLib 2.32. */
  g_ptr_array_sort (timeline, compare_at);

  return timeline;
}

/**
 * _pieper_pagerduty_changes_from_log_entries:
 * @change_ids: (out) (transfer full): each change's log entry id, in the
 *   same order as the incident ids, "" where the entry has none
 *
 * Returns: (transfer full): for each log entry of one page of
 *   GET /log_entries, the id of the incident it is about (entries about
 *   no incident are left out), so an incident may appear more than once
 */
GStrv
_pieper_pagerduty_changes_from_log_entries (const JsonValue  *root,
                                            GStrv            *change_ids,
                                            gboolean         *more,
                                            GError          **error)
{
  const JsonValue *list = member_array (node_object (root), "log_entries");
  g_autoptr(GStrvBuilder) incidents = NULL;
  g_autoptr(GStrvBuilder) changes = NULL;
  guint n;

  *more = FALSE;
  *change_ids = NULL;

  if (list == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty's response has no log entry list in it")));
      return NULL;
    }

  member_bool (node_object (root), "more", more);

  incidents = g_strv_builder_new ();
  changes = g_strv_builder_new ();
  n = _pieper_json_get_length (list);
  for (guint i = 0; i < n; i++)
    {
      const JsonValue *entry = node_object (_pieper_json_get_element (list, i));
      const char *incident = member_id (member_object (entry, "incident"), "id");
      const char *change = member_id (entry, "id");

      if (incident == NULL)
        continue;

      g_strv_builder_add (incidents, incident);
      g_strv_builder_add (changes, change != NULL ? change : "");
    }

  *change_ids = g_strv_builder_end (changes);
  return g_strv_builder_end (incidents);
}

/* Users */

gboolean
_pieper_pagerduty_user_from_json (const JsonValue  *root,
                                  char     **user_id,
                                  char     **user_name,
                                  GError   **error)
{
  const JsonValue *user = member_object (node_object (root), "user");
  const char *id = member_id (user, "id");
  char *name;

  if (id == NULL)
    {
      g_propagate_error (error, transient (_("PagerDuty's response has no user with a valid id")));
      return FALSE;
    }

  name = member_text (user, "name", PIEPER_FIELD_MAX_BYTES);
  if (name == NULL)
    name = member_text (user, "summary", PIEPER_FIELD_MAX_BYTES);
  if (name == NULL)
    name = g_strdup (id);

  if (user_id != NULL)
    *user_id = g_strdup (id);
  if (user_name != NULL)
    *user_name = name;
  else
    g_free (name);

  return TRUE;
}

/* GET /users?query=EMAIL: the user whose e-mail address is @email, for an
 * account-level token, which /users/me cannot name. The query matches
 * parts of names and addresses; only the whole address counts. */
gboolean
_pieper_pagerduty_user_by_email_from_json (const JsonValue    *root,
                                           const char  *email,
                                           char       **user_id,
                                           char       **user_name,
                                           GError     **error)
{
  const JsonValue *users = member_array (node_object (root), "users");

  for (guint i = 0; users != NULL && i < _pieper_json_get_length (users); i++)
    {
      const JsonValue *user = node_object (_pieper_json_get_element (users, i));
      g_autofree char *address = member_text (user, "email", PIEPER_FIELD_MAX_BYTES);
      const char *id = member_id (user, "id");

      if (id == NULL || address == NULL || g_ascii_strcasecmp (address, email) != 0)
        continue;

      if (user_id != NULL)
        *user_id = g_strdup (id);
      if (user_name != NULL)
        {
          *user_name = member_text (user, "name", PIEPER_FIELD_MAX_BYTES);
          if (*user_name == NULL)
            *user_name = g_strdup (id);
        }
      return TRUE;
    }

  if (users == NULL)
    g_propagate_error (error, transient (_("PagerDuty's response has no list of users")));
  else
    g_set_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                 _("PagerDuty has no user with the e-mail address %s"), email);
  return FALSE;
}

/* Errors */

static const char *
conflict_reason (gint64 code)
{
  switch (code)
    {
    case 1001:
      return "The incident is already resolved";
    case 1002:
      return "The incident is already acknowledged";
    case 1006:
      return "The incident cannot be escalated";
    case 1012:
      return "The incident is not acknowledged";
    case 1019:
      return "The incident was merged into another one";
    default:
      return NULL;
    }
}

/**
 * _pieper_pagerduty_error_from_response:
 * @http_status: the HTTP status, not 2xx
 * @reason: (nullable): the HTTP reason phrase
 * @root: (nullable): the parsed error body
 *
 * Maps an error response to a #PieperProviderError with one line of
 * message: 429 → rate limited; 401, 403 → auth; codes 1001, 1002, 1006
 * (and 1012, 1019) → conflict; 404 or codes 2100, 5001 → not found;
 * 5xx, 408 and code 2000 → transient; everything else → permanent.
 */
GError *
_pieper_pagerduty_error_from_response (guint       http_status,
                                       const char *reason,
                                       const JsonValue   *root)
{
  const JsonValue *error_object = member_object (node_object (root), "error");
  const JsonValue *errors = member_array (error_object, "errors");
  g_autofree char *pd_message = NULL;
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autofree char *line = NULL;
  g_autofree char *capped = NULL;
  PieperProviderError code;
  const char *what;
  gint64 pd_code = 0;
  gboolean has_code;

  has_code = member_int (error_object, "code", &pd_code);
  pd_message = member_text (error_object, "message", MAX_ERROR_BYTES);

  if (pd_message != NULL)
    g_string_append (detail, pd_message);
  else if (reason != NULL && reason[0] != '\0')
    {
      g_autofree char *clean = _pieper_pagerduty_text (reason, MAX_ERROR_BYTES, FALSE);
      g_string_append (detail, clean);
    }

  /* The first details, which say which input was wrong. */
  for (guint i = 0; errors != NULL && i < MIN (_pieper_json_get_length (errors), 3); i++)
    {
      const char *text = _pieper_json_get_string (_pieper_json_get_element (errors, i));
      g_autofree char *clean = NULL;

      if (text == NULL)
        continue;

      clean = _pieper_pagerduty_text (text, MAX_ERROR_BYTES, FALSE);
      if (clean == NULL || clean[0] == '\0')
        continue;

      g_string_append (detail, detail->len > 0 ? ": " : "");
      g_string_append (detail, clean);
    }

  if (http_status == 429 || (has_code && pd_code == 2020))
    {
      code = PIEPER_PROVIDER_ERROR_RATE_LIMITED;
      what = _("PagerDuty is rate limiting requests");
    }
  else if (http_status == 401 || http_status == 403)
    {
      code = PIEPER_PROVIDER_ERROR_AUTH;
      what = http_status == 401 ? "PagerDuty refused the API token"
                                : "PagerDuty does not allow this token to do that";
    }
  else if (has_code && conflict_reason (pd_code) != NULL)
    {
      code = PIEPER_PROVIDER_ERROR_CONFLICT;
      what = conflict_reason (pd_code);
    }
  else if (http_status == 404 || (has_code && (pd_code == 2100 || pd_code == 5001)))
    {
      code = PIEPER_PROVIDER_ERROR_NOT_FOUND;
      what = _("PagerDuty has no such incident");
    }
  else if (http_status >= 500 || http_status == 408 || (has_code && pd_code == 2000))
    {
      code = PIEPER_PROVIDER_ERROR_TRANSIENT;
      what = _("PagerDuty had a problem");
    }
  else
    {
      code = PIEPER_PROVIDER_ERROR_PERMANENT;
      what = _("PagerDuty refused the request");
    }

  if (has_code)
    line = g_strdup_printf ("%s (HTTP %u, code %" G_GINT64_FORMAT "%s%s)",
                            what, http_status, pd_code,
                            detail->len > 0 ? ": " : "", detail->str);
  else
    line = g_strdup_printf ("%s (HTTP %u%s%s)",
                            what, http_status,
                            detail->len > 0 ? ": " : "", detail->str);

  capped = pieper_utf8_cap (line, 2 * MAX_ERROR_BYTES);

  return g_error_new_literal (PIEPER_PROVIDER_ERROR, code, capped);
}

static gboolean
parse_seconds (const char *text,
               guint64    *seconds)
{
  g_autofree char *copy = NULL;

  if (text == NULL)
    return FALSE;

  copy = g_strstrip (g_strdup (text));
  if (copy[0] == '\0' || strlen (copy) > 12)
    return FALSE;

  return g_ascii_string_to_unsigned (copy, 10, 0, G_MAXUINT64, seconds, NULL);
}

/**
 * _pieper_pagerduty_parse_retry_after:
 * @retry_after: (nullable): the Retry-After header: seconds or an HTTP date
 * @ratelimit_reset: (nullable): PagerDuty's ratelimit-reset header: seconds
 * @now_unix: the time now, for an HTTP date
 *
 * Returns: seconds to wait, at most an hour; 0 when neither header says
 */
guint
_pieper_pagerduty_parse_retry_after (const char *retry_after,
                                     const char *ratelimit_reset,
                                     gint64      now_unix)
{
  guint64 seconds = 0;

  if (parse_seconds (retry_after, &seconds))
    return (guint) MIN (seconds, MAX_RETRY_AFTER);

  if (retry_after != NULL && strlen (retry_after) < 64)
    {
      g_autoptr(GDateTime) date = soup_date_time_new_from_http_string (retry_after);

      if (date != NULL)
        {
          gint64 delta = g_date_time_to_unix (date) - now_unix;

          return (guint) CLAMP (delta, 0, MAX_RETRY_AFTER);
        }
    }

  if (parse_seconds (ratelimit_reset, &seconds))
    return (guint) MIN (seconds, MAX_RETRY_AFTER);

  return 0;
}

/* Cursors */

/**
 * _pieper_pagerduty_next_cursor:
 * @offset: the offset of the page just read
 * @more: the page's "more"
 *
 * Returns: (transfer full) (nullable): the next page's offset as a string,
 *   or %NULL after the last page or at PagerDuty's 10000-record ceiling
 */
char *
_pieper_pagerduty_next_cursor (guint    offset,
                               gboolean more)
{
  guint next = offset + PIEPER_PD_PAGE_LIMIT;

  if (!more)
    return NULL;

  if (next + PIEPER_PD_PAGE_LIMIT > PIEPER_PD_MAX_RECORDS)
    {
      g_debug ("Stopping after %u records: PagerDuty allows at most %u through pagination",
               next, PIEPER_PD_MAX_RECORDS);
      return NULL;
    }

  return g_strdup_printf ("%u", next);
}

gboolean
_pieper_pagerduty_parse_cursor (const char *cursor,
                                guint      *offset)
{
  guint64 value = 0;

  *offset = 0;

  if (cursor == NULL)
    return TRUE;

  if (!g_ascii_string_to_unsigned (cursor, 10, 0,
                                   PIEPER_PD_MAX_RECORDS - PIEPER_PD_PAGE_LIMIT,
                                   &value, NULL))
    return FALSE;

  *offset = (guint) value;
  return TRUE;
}
