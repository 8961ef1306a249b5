/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperAlertmanager"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include <libsoup/soup.h>

#include "pieper-json-private.h"
#include "pieper-alertmanager-private.h"

/*
 * The mapping between Alertmanager API v2 JSON and Pieper's model.
 *
 * An alert is an incident, named by its fingerprint. It is triggered while
 * it fires, acknowledged while a silence mutes it (a Pieper silence names
 * the responder who acknowledged it; a silence made elsewhere counts too,
 * since Alertmanager does not notify anyone of a silenced alert either),
 * and resolved once Alertmanager no longer lists it.
 *
 * A Pieper silence is recognised by the marker at the end of its comment's
 * first line, "[pieper:ack]" or "[pieper:snooze]". Notes follow in the
 * comment, each under a line "[pieper:note TIME WHO]"; a note's own line
 * that would read as a marker gets one more leading space, taken off again
 * when the comment is read.
 *
 * Everything the server sends is untrusted: a member of the wrong JSON type
 * is ignored, text is cleaned and capped (pieper_text_clean), and only
 * http(s) links are kept. Label values are kept as sent, because a silence
 * must name them exactly to match; they are cleaned where they are shown.
 */

#define MAX_ID_BYTES      64
#define MAX_LABELS        256
#define MAX_LABEL_BYTES   (16 * 1024)
#define MAX_LIST          256
#define MAX_ERROR_BYTES   400
#define MAX_WHO_BYTES     200
#define MAX_DESCRIPTION   (8 * 1024)
#define MAX_DURATION      (7 * 24 * 3600)
#define MIN_DURATION      60

#define MARKER_PREFIX     "[pieper:"
#define NOTE_PREFIX       "[pieper:note "

/* JSON helpers that never warn */

static JsonObject *
node_object (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  if (object == NULL)
    return NULL;

  return node_object (json_object_get_member (object, name));
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

static const char *
node_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  if (object == NULL)
    return NULL;

  return node_string (json_object_get_member (object, name));
}

static gboolean
member_bool (JsonObject *object,
             const char *name,
             gboolean   *value)
{
  JsonNode *node;

  if (object == NULL)
    return FALSE;

  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;

  *value = json_node_get_boolean (node);
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

static char *
clean_line (const char *text,
            gsize       max_bytes)
{
  char *clean;

  if (text == NULL)
    return NULL;

  clean = pieper_text_clean (text, max_bytes, FALSE);
  if (clean != NULL)
    g_strstrip (clean);
  if (clean != NULL && clean[0] == '\0')
    g_clear_pointer (&clean, g_free);

  return clean;
}

static char *
member_text (JsonObject *object,
             const char *name,
             gsize       max_bytes)
{
  return clean_line (member_string (object, name), max_bytes);
}

/* Only absolute http(s) links are kept: the app opens them. */
static char *
http_url (const char *url)
{
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

/* Silence ids are UUIDs; anything else is kept only if it is a short
 * printable token, so it can go into a path and a comparison safely. */
static gboolean
id_is_valid (const char *id)
{
  gsize len;

  if (id == NULL)
    return FALSE;

  len = strlen (id);
  if (len == 0 || len > MAX_ID_BYTES)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-')
      return FALSE;

  return TRUE;
}

gboolean
_pieper_am_fingerprint_is_valid (const char *fingerprint)
{
  gsize len;

  if (fingerprint == NULL)
    return FALSE;

  len = strlen (fingerprint);
  if (len == 0 || len > 32)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (fingerprint[i]))
      return FALSE;

  return TRUE;
}

/* The fingerprint Alertmanager gives an alert: FNV-1a (64 bit) over the
 * labels sorted by name, each name and value followed by a 0xff byte
 * (prometheus/common model.LabelSet.Fingerprint). */
char *
_pieper_am_fingerprint (const char * const *names,
                        const char * const *values)
{
  guint64 hash = G_GUINT64_CONSTANT (14695981039346656037);
  const guint64 prime = G_GUINT64_CONSTANT (1099511628211);

  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *parts[2] = { names[i], values[i] };

      for (guint k = 0; k < 2; k++)
        {
          for (const guchar *p = (const guchar *) parts[k]; *p != '\0'; p++)
            {
              hash ^= *p;
              hash *= prime;
            }
          hash ^= 0xff;
          hash *= prime;
        }
    }

  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", hash);
}

/* A small number a responder can type: 10000-99999, the same for the same
 * alert on every machine. Two alerts may share one; pieperctl then asks
 * for the fingerprint. */
gint64
_pieper_am_number (const char *fingerprint)
{
  guint64 value;

  if (!_pieper_am_fingerprint_is_valid (fingerprint))
    return 0;

  value = g_ascii_strtoull (fingerprint, NULL, 16);
  return 10000 + (gint64) (value % 90000);
}

/* Time */

gint64
_pieper_am_parse_time (const char *iso8601)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) dt = NULL;
  gint64 t;

  if (iso8601 == NULL || strlen (iso8601) > 64)
    return 0;

  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (iso8601, utc);
  if (dt == NULL)
    return 0;

  /* Go's zero time, 0001-01-01, means "not set". */
  t = g_date_time_to_unix (dt);
  return t > 0 ? t : 0;
}

gboolean
_pieper_am_clock_offset (const char *http_date,
                         gint64      now,
                         gint64     *offset)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 off;

  if (http_date == NULL || strlen (http_date) > 64 ||
      (dt = soup_date_time_new_from_http_string (http_date)) == NULL)
    return FALSE;

  off = g_date_time_to_unix (dt) - now;
  if (off > PIEPER_AM_MAX_CLOCK_OFFSET || off < -PIEPER_AM_MAX_CLOCK_OFFSET)
    return FALSE;

  *offset = off;
  return TRUE;
}

char *
_pieper_am_format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = NULL;

  dt = g_date_time_new_from_unix_utc (MAX (unix_seconds, 0));
  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

gboolean
_pieper_am_parse_duration (const char *text,
                           guint      *seconds)
{
  guint64 value;
  guint64 unit = 1;
  g_autofree char *digits = NULL;
  gsize len;

  if (text == NULL || (len = strlen (text)) == 0 || len > 16)
    return FALSE;

  switch (text[len - 1])
    {
    case 's': unit = 1; len--; break;
    case 'm': unit = 60; len--; break;
    case 'h': unit = 3600; len--; break;
    case 'd': unit = 86400; len--; break;
    default: break;
    }

  digits = g_strndup (text, len);
  if (!g_ascii_string_to_unsigned (digits, 10, 1, MAX_DURATION, &value, NULL))
    return FALSE;

  value *= unit;
  if (value < MIN_DURATION || value > MAX_DURATION)
    return FALSE;

  *seconds = (guint) value;
  return TRUE;
}

/* Parsing */

/**
 * _pieper_am_parse:
 *
 * Parses a response body with the strict parser PagerDuty's bodies go
 * through (_pieper_json_parse_untrusted()), into a json-glib tree for the
 * mapping below. Invalid UTF-8 is replaced, not refused, so that one bad
 * byte in one annotation does not hide every other alert.
 *
 * Returns: (transfer full): the root node, or %NULL with a
 *   %PIEPER_PROVIDER_ERROR_TRANSIENT error
 */
JsonNode *
_pieper_am_parse (const char  *data,
                  gsize        length,
                  GError     **error)
{
  g_autoptr(PieperJsonDoc) doc = NULL;
  g_autofree char *detail = NULL;
  PieperJsonShape problem = PIEPER_JSON_SHAPE_OK;

  if (data == NULL || length == 0)
    {
      g_propagate_error (error, transient (_("Alertmanager sent an empty response")));
      return NULL;
    }

  if ((doc = _pieper_json_parse_untrusted (data, length, PIEPER_AM_MAX_DEPTH, &problem, &detail)))
    return _pieper_json_value_to_node (_pieper_json_doc_get_root (doc));

  if (problem == PIEPER_JSON_SHAPE_TOO_DEEP)
    g_propagate_error (error, transient (_("Alertmanager sent JSON nested too deeply")));
  else
    /* The detail is technical (untranslated). */
    g_set_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT,
                 _("Alertmanager sent malformed or truncated JSON (%s)"), detail);

  return NULL;
}

/* Alerts */

void
_pieper_am_alert_free (PieperAmAlert *alert)
{
  if (alert == NULL)
    return;

  g_free (alert->fingerprint);
  g_strfreev (alert->label_names);
  g_strfreev (alert->label_values);
  g_free (alert->summary);
  g_free (alert->description);
  g_free (alert->runbook_url);
  g_free (alert->dashboard_url);
  g_free (alert->generator_url);
  g_free (alert->state);
  g_strfreev (alert->silenced_by);
  g_strfreev (alert->inhibited_by);
  g_strfreev (alert->receivers);
  g_free (alert);
}

/* Ids (or names, with @member) from an array, capped. */
static GStrv
string_list (JsonArray  *array,
             const char *member)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < MIN (json_array_get_length (array), MAX_LIST); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *text = member != NULL ? member_string (node_object (node), member)
                                        : node_string (node);
      g_autofree char *clean = NULL;

      if (member == NULL)
        {
          if (id_is_valid (text))
            g_strv_builder_add (builder, text);
          continue;
        }

      clean = clean_line (text, PIEPER_FIELD_MAX_BYTES);
      if (clean != NULL)
        g_strv_builder_add (builder, clean);
    }

  return g_strv_builder_end (builder);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Labels as sorted parallel arrays; FALSE when they cannot be used. */
static gboolean
labels_from_object (JsonObject  *object,
                    GStrv       *names_out,
                    GStrv       *values_out)
{
  g_autoptr(GList) members = NULL;
  g_autoptr(GPtrArray) names = NULL;
  GStrv values;
  guint n;

  if (object == NULL)
    return FALSE;

  members = json_object_get_members (object);
  n = g_list_length (members);
  if (n == 0 || n > MAX_LABELS)
    return FALSE;

  names = g_ptr_array_new ();
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *value = member_string (object, l->data);

      if (value == NULL || strlen (value) > MAX_LABEL_BYTES ||
          ((const char *) l->data)[0] == '\0')
        return FALSE;
      g_ptr_array_add (names, l->data);
    }

  g_ptr_array_sort (names, compare_names);

  *names_out = g_new0 (char *, n + 1);
  values = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      (*names_out)[i] = g_strdup (g_ptr_array_index (names, i));
      values[i] = g_strdup (member_string (object, g_ptr_array_index (names, i)));
    }
  *values_out = values;

  return TRUE;
}

static const char *
label_value (const char * const *names,
             const char * const *values,
             const char         *name)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    if (strcmp (names[i], name) == 0)
      return values[i];

  return NULL;
}

static PieperAmAlert *
alert_from_json (JsonNode *node)
{
  JsonObject *object = node_object (node);
  JsonObject *annotations = member_object (object, "annotations");
  JsonObject *status = member_object (object, "status");
  g_autoptr(PieperAmAlert) alert = g_new0 (PieperAmAlert, 1);
  const char *fingerprint = member_string (object, "fingerprint");

  if (!_pieper_am_fingerprint_is_valid (fingerprint))
    return NULL;

  alert->fingerprint = g_ascii_strdown (fingerprint, -1);

  if (!labels_from_object (member_object (object, "labels"),
                           &alert->label_names, &alert->label_values))
    return NULL;

  alert->summary = member_text (annotations, "summary", PIEPER_TITLE_MAX_BYTES);
  if (alert->summary == NULL)
    alert->summary = member_text (annotations, "title", PIEPER_TITLE_MAX_BYTES);

  {
    const char *description = member_string (annotations, "description");

    if (description == NULL)
      description = member_string (annotations, "message");
    if (description != NULL)
      {
        alert->description = pieper_text_clean (description, MAX_DESCRIPTION, TRUE);
        if (alert->description != NULL)
          g_strstrip (alert->description);
      }
  }

  alert->runbook_url = http_url (member_string (annotations, "runbook_url"));
  if (alert->runbook_url == NULL)
    alert->runbook_url = http_url (member_string (annotations, "runbook"));
  alert->dashboard_url = http_url (member_string (annotations, "dashboard"));
  if (alert->dashboard_url == NULL)
    alert->dashboard_url = http_url (member_string (annotations, "dashboard_url"));
  alert->generator_url = http_url (member_string (object, "generatorURL"));

  alert->state = member_text (status, "state", 32);
  alert->silenced_by = string_list (member_array (status, "silencedBy"), NULL);
  alert->inhibited_by = string_list (member_array (status, "inhibitedBy"), NULL);
  alert->receivers = string_list (member_array (object, "receivers"), "name");

  alert->starts_at = _pieper_am_parse_time (member_string (object, "startsAt"));
  alert->updated_at = _pieper_am_parse_time (member_string (object, "updatedAt"));

  return g_steal_pointer (&alert);
}

/**
 * _pieper_am_alerts_from_json:
 *
 * Returns: (transfer full): the usable alerts of GET /api/v2/alerts; one
 *   without a fingerprint or labels is dropped
 */
GPtrArray *
_pieper_am_alerts_from_json (JsonNode  *root,
                             GError   **error)
{
  g_autoptr(GPtrArray) alerts = NULL;
  g_autoptr(GHashTable) seen = NULL;
  JsonArray *array;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_propagate_error (error, transient (_("Alertmanager's list of alerts is not a list")));
      return NULL;
    }

  array = json_node_get_array (root);
  alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) _pieper_am_alert_free);
  seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      PieperAmAlert *alert = alert_from_json (json_array_get_element (array, i));

      if (alert == NULL)
        continue;

      /* One incident per fingerprint, whatever the server says: the
       * first one wins. (g_hash_table_add would put the later duplicate's
       * key in place of the first one's, and free it with the duplicate.) */
      if (g_hash_table_contains (seen, alert->fingerprint))
        {
          _pieper_am_alert_free (alert);
          continue;
        }

      g_hash_table_add (seen, alert->fingerprint);
      g_ptr_array_add (alerts, alert);
    }

  return g_steal_pointer (&alerts);
}

PieperAmAlert *
_pieper_am_find_alert (GPtrArray  *alerts,
                       const char *fingerprint)
{
  for (guint i = 0; alerts != NULL && i < alerts->len; i++)
    {
      PieperAmAlert *alert = g_ptr_array_index (alerts, i);

      if (g_ascii_strcasecmp (alert->fingerprint, fingerprint) == 0)
        return alert;
    }

  return NULL;
}

/* Silences */

void
_pieper_am_silence_free (PieperAmSilence *silence)
{
  if (silence == NULL)
    return;

  g_free (silence->id);
  g_free (silence->state);
  g_free (silence->created_by);
  g_free (silence->comment);
  g_free (silence->starts_at_text);
  g_free (silence->ends_at_text);
  g_clear_pointer (&silence->matchers, json_node_unref);
  g_free (silence->fingerprint);
  g_free (silence);
}

/* The fingerprint of the label set that @matchers name exactly, or NULL. */
static char *
matchers_fingerprint (JsonArray *matchers)
{
  g_autoptr(GPtrArray) pairs = g_ptr_array_new ();
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) values = NULL;
  guint n;

  n = json_array_get_length (matchers);
  if (n == 0 || n > MAX_LABELS)
    return NULL;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *matcher = node_object (json_array_get_element (matchers, i));
      gboolean is_regex = FALSE;
      gboolean is_equal = TRUE;

      if (matcher == NULL ||
          member_string (matcher, "name") == NULL ||
          member_string (matcher, "value") == NULL)
        return NULL;

      member_bool (matcher, "isRegex", &is_regex);
      member_bool (matcher, "isEqual", &is_equal);
      if (is_regex || !is_equal)
        return NULL;

      g_ptr_array_add (pairs, matcher);
    }

  names = g_new0 (char *, n + 1);
  values = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    names[i] = g_strdup (member_string (g_ptr_array_index (pairs, i), "name"));

  /* Sort the names, carrying their values along. */
  for (guint i = 0; i < n; i++)
    {
      guint min = i;

      for (guint k = i + 1; k < n; k++)
        if (strcmp (names[k], names[min]) < 0)
          min = k;

      if (min != i)
        {
          char *name = names[i];
          gpointer pair = g_ptr_array_index (pairs, i);

          names[i] = names[min];
          names[min] = name;
          pairs->pdata[i] = pairs->pdata[min];
          pairs->pdata[min] = pair;
        }

      if (i > 0 && strcmp (names[i - 1], names[i]) == 0)
        return NULL;
    }

  for (guint i = 0; i < n; i++)
    values[i] = g_strdup (member_string (g_ptr_array_index (pairs, i), "value"));

  return _pieper_am_fingerprint ((const char * const *) names, (const char * const *) values);
}

static PieperAmSilence *
silence_from_json (JsonNode *node)
{
  JsonObject *object = node_object (node);
  JsonArray *matchers = member_array (object, "matchers");
  g_autoptr(PieperAmSilence) silence = g_new0 (PieperAmSilence, 1);
  const char *id = member_string (object, "id");
  const char *starts = member_string (object, "startsAt");
  const char *ends = member_string (object, "endsAt");
  const char *comment = member_string (object, "comment");

  if (!id_is_valid (id) || matchers == NULL)
    return NULL;

  silence->id = g_strdup (id);
  silence->state = member_text (member_object (object, "status"), "state", 32);
  silence->created_by = member_text (object, "createdBy", MAX_WHO_BYTES);
  if (comment != NULL)
    silence->comment = pieper_text_clean (comment, PIEPER_AM_MAX_COMMENT, TRUE);

  silence->starts_at = _pieper_am_parse_time (starts);
  silence->ends_at = _pieper_am_parse_time (ends);
  silence->updated_at = _pieper_am_parse_time (member_string (object, "updatedAt"));
  if (silence->starts_at > 0)
    silence->starts_at_text = g_strdup (starts);
  if (silence->ends_at > 0)
    silence->ends_at_text = g_strdup (ends);

  silence->matchers = json_node_copy (json_object_get_member (object, "matchers"));
  silence->fingerprint = matchers_fingerprint (matchers);
  silence->marker = _pieper_am_comment_marker (silence->comment);

  return g_steal_pointer (&silence);
}

GPtrArray *
_pieper_am_silences_from_json (JsonNode  *root,
                               GError   **error)
{
  g_autoptr(GPtrArray) silences = NULL;
  JsonArray *array;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_propagate_error (error, transient (_("Alertmanager's list of silences is not a list")));
      return NULL;
    }

  array = json_node_get_array (root);
  silences = g_ptr_array_new_with_free_func ((GDestroyNotify) _pieper_am_silence_free);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      PieperAmSilence *silence = silence_from_json (json_array_get_element (array, i));

      if (silence != NULL)
        g_ptr_array_add (silences, silence);
    }

  return g_steal_pointer (&silences);
}

char *
_pieper_am_silence_id_from_json (JsonNode  *root,
                                 GError   **error)
{
  const char *id = member_string (node_object (root), "silenceID");

  if (!id_is_valid (id))
    {
      g_propagate_error (error, transient (_("Alertmanager did not say which silence it made")));
      return NULL;
    }

  return g_strdup (id);
}

PieperAmSilence *
_pieper_am_find_silence (GPtrArray  *silences,
                         const char *id)
{
  for (guint i = 0; silences != NULL && i < silences->len; i++)
    {
      PieperAmSilence *silence = g_ptr_array_index (silences, i);

      if (g_strcmp0 (silence->id, id) == 0)
        return silence;
    }

  return NULL;
}

static gboolean
is_live (PieperAmSilence *silence)
{
  return g_strcmp0 (silence->state, "active") == 0 ||
         g_strcmp0 (silence->state, "pending") == 0;
}

static gboolean
is_ours_for (PieperAmSilence *silence,
             const char      *fingerprint)
{
  return silence->marker != PIEPER_AM_MARKER_NONE &&
         silence->fingerprint != NULL &&
         g_ascii_strcasecmp (silence->fingerprint, fingerprint) == 0;
}

PieperAmSilence *
_pieper_am_find_pieper_silence (GPtrArray  *silences,
                                const char *fingerprint,
                                const char *created_by)
{
  PieperAmSilence *best = NULL;

  for (guint i = 0; silences != NULL && i < silences->len; i++)
    {
      PieperAmSilence *silence = g_ptr_array_index (silences, i);
      gboolean own, best_own;

      if (!is_live (silence) || !is_ours_for (silence, fingerprint))
        continue;

      if (best == NULL)
        {
          best = silence;
          continue;
        }

      own = g_strcmp0 (silence->created_by, created_by) == 0;
      best_own = g_strcmp0 (best->created_by, created_by) == 0;
      if ((own && !best_own) || (own == best_own && silence->ends_at > best->ends_at))
        best = silence;
    }

  return best;
}

/* Incidents */

static char *
title_from_labels (const char * const *names,
                   const char * const *values,
                   const char         *fallback)
{
  g_autoptr(GString) title = g_string_new (NULL);
  const char *alertname = label_value (names, values, "alertname");
  gboolean first = TRUE;

  g_string_append (title, alertname != NULL ? alertname : fallback);

  for (guint i = 0; names != NULL && names[i] != NULL && title->len < PIEPER_TITLE_MAX_BYTES; i++)
    {
      if (strcmp (names[i], "alertname") == 0)
        continue;

      g_string_append (title, first ? " (" : ", ");
      g_string_append_printf (title, "%s=%s", names[i], values[i]);
      first = FALSE;
    }

  if (!first)
    g_string_append_c (title, ')');

  return pieper_text_clean (title->str, PIEPER_TITLE_MAX_BYTES, FALSE);
}

static gboolean
is_high (const char         *severity,
         const char * const *high)
{
  g_autofree char *lower = NULL;

  /* A pager errs on the side of waking someone. */
  if (severity == NULL || severity[0] == '\0')
    return TRUE;

  lower = g_ascii_strdown (severity, -1);
  return high != NULL && g_strv_contains (high, lower);
}

/* The silences that mute the alert now: those Alertmanager names, and a
 * Pieper silence for it that the server has not applied yet. */
static GPtrArray *
muting_silences (PieperAmAlert *alert,
                 GPtrArray     *silences)
{
  GPtrArray *muting = g_ptr_array_new ();

  for (guint i = 0; silences != NULL && i < silences->len; i++)
    {
      PieperAmSilence *silence = g_ptr_array_index (silences, i);

      if ((alert->silenced_by != NULL && g_strv_contains ((const char * const *) alert->silenced_by, silence->id)) ||
          (g_strcmp0 (silence->state, "active") == 0 && is_ours_for (silence, alert->fingerprint)))
        g_ptr_array_add (muting, silence);
    }

  /* Pieper's first: they name the responder. */
  for (guint i = 1; i < muting->len; i++)
    {
      PieperAmSilence *s = g_ptr_array_index (muting, i);

      if (s->marker != PIEPER_AM_MARKER_NONE)
        {
          g_ptr_array_steal_index (muting, i);
          g_ptr_array_insert (muting, 0, s);
        }
    }

  return muting;
}

PieperIncident *
_pieper_am_incident_from_alert (PieperAmAlert      *alert,
                                GPtrArray          *silences,
                                const char * const *high,
                                const char         *ui_url)
{
  const char * const *names = (const char * const *) alert->label_names;
  const char * const *values = (const char * const *) alert->label_values;
  g_autoptr(PieperIncident) incident = pieper_incident_new (alert->fingerprint);
  g_autoptr(GPtrArray) muting = muting_silences (alert, silences);
  g_autoptr(GStrvBuilder) assignees = g_strv_builder_new ();
  g_auto(GStrv) who = NULL;
  g_autofree char *title = NULL;
  g_autofree char *service = NULL;
  g_autofree char *severity = NULL;
  g_autofree char *policy = NULL;
  const char *raw_service;
  gint64 updated_at = alert->updated_at;
  gint64 changed_at = alert->starts_at;
  gboolean inhibited;

  pieper_incident_set_number (incident, _pieper_am_number (alert->fingerprint));

  if (alert->summary != NULL)
    title = g_strdup (alert->summary);
  else
    title = title_from_labels (names, values, "Alert");
  pieper_incident_set_title (incident, title);

  raw_service = label_value (names, values, "service");
  if (raw_service == NULL)
    raw_service = label_value (names, values, "job");
  service = clean_line (raw_service, PIEPER_FIELD_MAX_BYTES);
  pieper_incident_set_service (incident, service);

  severity = clean_line (label_value (names, values, "severity"), 64);
  pieper_incident_set_priority (incident, severity);

  inhibited = alert->inhibited_by != NULL && alert->inhibited_by[0] != NULL;
  /* An inhibited alert is shown, but quietly: Alertmanager holds its
   * notifications back because a more important alert already pages. */
  pieper_incident_set_urgency (incident,
                               !inhibited && is_high (label_value (names, values, "severity"), high)
                               ? PIEPER_URGENCY_HIGH : PIEPER_URGENCY_LOW);

  if (alert->receivers != NULL && alert->receivers[0] != NULL)
    {
      policy = g_strjoinv (", ", alert->receivers);
      pieper_incident_set_escalation_policy (incident, policy);
    }

  pieper_incident_set_html_url (incident, alert->generator_url != NULL ? alert->generator_url : ui_url);
  pieper_incident_set_created_at (incident, alert->starts_at);

  pieper_incident_set_status (incident, muting->len > 0 ? PIEPER_STATUS_ACKNOWLEDGED
                                                        : PIEPER_STATUS_TRIGGERED);

  for (guint i = 0; i < muting->len; i++)
    {
      PieperAmSilence *silence = g_ptr_array_index (muting, i);

      if (silence->created_by != NULL)
        g_strv_builder_add (assignees, silence->created_by);
      changed_at = MAX (changed_at, silence->starts_at);
    }

  /* The snapshot's time only ever moves forward with a change of state:
   * the store keeps the newer snapshot, and a silence that runs out is
   * such a change, at its end. */
  for (guint i = 0; silences != NULL && i < silences->len; i++)
    {
      PieperAmSilence *silence = g_ptr_array_index (silences, i);
      gboolean related = g_ptr_array_find (muting, silence, NULL) ||
                         (silence->fingerprint != NULL &&
                          g_ascii_strcasecmp (silence->fingerprint, alert->fingerprint) == 0);

      if (!related)
        continue;

      updated_at = MAX (updated_at, silence->updated_at);
      if (g_strcmp0 (silence->state, "expired") == 0)
        {
          updated_at = MAX (updated_at, silence->ends_at);
          if (muting->len == 0)
            changed_at = MAX (changed_at, silence->ends_at);
        }
    }

  who = g_strv_builder_end (assignees);
  {
    /* Each name once. */
    g_autoptr(GStrvBuilder) unique = g_strv_builder_new ();
    g_auto(GStrv) list = NULL;

    for (guint i = 0; who[i] != NULL; i++)
      {
        gboolean dup = FALSE;

        for (guint k = 0; k < i; k++)
          dup = dup || strcmp (who[k], who[i]) == 0;
        if (!dup)
          g_strv_builder_add (unique, who[i]);
      }

    list = g_strv_builder_end (unique);
    pieper_incident_set_assignees (incident, (const char * const *) list);
    pieper_incident_set_assignee_ids (incident, (const char * const *) list);
  }

  pieper_incident_set_updated_at (incident, updated_at);
  pieper_incident_set_last_status_change_at (incident, changed_at);

  return g_steal_pointer (&incident);
}

/* The labels a Pieper silence for @fingerprint names. */
static PieperAmSilence *
labels_silence (GPtrArray  *silences,
                const char *fingerprint)
{
  for (guint i = 0; silences != NULL && i < silences->len; i++)
    {
      PieperAmSilence *silence = g_ptr_array_index (silences, i);

      if (silence->fingerprint != NULL &&
          g_ascii_strcasecmp (silence->fingerprint, fingerprint) == 0)
        return silence;
    }

  return NULL;
}

static void
labels_from_matchers (JsonNode  *matchers,
                      GStrv     *names,
                      GStrv     *values)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonArray *array = JSON_NODE_HOLDS_ARRAY (matchers) ? json_node_get_array (matchers) : NULL;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *matcher = node_object (json_array_get_element (array, i));
      const char *name = member_string (matcher, "name");
      const char *value = member_string (matcher, "value");

      if (name != NULL && value != NULL)
        json_object_set_string_member (object, name, value);
    }

  if (!labels_from_object (object, names, values))
    {
      *names = NULL;
      *values = NULL;
    }
}

/**
 * _pieper_am_incident_gone:
 *
 * Alertmanager forgets an alert once it stops firing. What it was called
 * comes from a silence that named its labels, if any; otherwise the title
 * is left empty, and the store keeps the title it had.
 */
PieperIncident *
_pieper_am_incident_gone (const char *fingerprint,
                          GPtrArray  *silences,
                          gint64      now)
{
  g_autoptr(PieperIncident) incident = pieper_incident_new (fingerprint);
  PieperAmSilence *silence = labels_silence (silences, fingerprint);
  g_autofree char *title = NULL;

  pieper_incident_set_number (incident, _pieper_am_number (fingerprint));
  pieper_incident_set_status (incident, PIEPER_STATUS_RESOLVED);
  pieper_incident_set_urgency (incident, PIEPER_URGENCY_LOW);

  if (silence != NULL)
    {
      g_auto(GStrv) names = NULL;
      g_auto(GStrv) values = NULL;
      g_autofree char *service = NULL;
      const char *raw_service;

      labels_from_matchers (silence->matchers, &names, &values);
      if (names != NULL)
        {
          title = title_from_labels ((const char * const *) names,
                                     (const char * const *) values, "Alert");
          raw_service = label_value ((const char * const *) names, (const char * const *) values, "service");
          if (raw_service == NULL)
            raw_service = label_value ((const char * const *) names, (const char * const *) values, "job");
          service = clean_line (raw_service, PIEPER_FIELD_MAX_BYTES);
          pieper_incident_set_service (incident, service);
        }
    }

  /* Otherwise no title: the store keeps the one it has (a snapshot
   * without a title never erases one), rather than "Alert <fingerprint>"
   * replacing the name of an alert a fresh process never saw fire. */
  pieper_incident_set_title (incident, title);

  pieper_incident_set_updated_at (incident, now);
  pieper_incident_set_last_status_change_at (incident, now);

  return g_steal_pointer (&incident);
}

/* Timeline */

static PieperTimelineEntry *
entry_new (PieperTimelineKind  kind,
           const char         *remote_id,
           const char         *author,
           gint64              at,
           const char         *body)
{
  PieperTimelineEntry *entry = pieper_timeline_entry_new (kind);

  pieper_timeline_entry_set_remote_id (entry, remote_id);
  pieper_timeline_entry_set_author (entry, author);
  pieper_timeline_entry_set_at (entry, at);
  pieper_timeline_entry_set_body (entry, body);
  pieper_timeline_entry_set_origin (entry, PIEPER_ORIGIN_REMOTE);

  return entry;
}

static char *
trigger_body (PieperAmAlert *alert)
{
  g_autoptr(GString) body = g_string_new (NULL);

  if (alert->summary != NULL)
    g_string_append (body, alert->summary);
  if (alert->description != NULL)
    g_string_append_printf (body, "%s%s", body->len > 0 ? "\n\n" : "", alert->description);
  if (alert->runbook_url != NULL)
    g_string_append_printf (body, "%sRunbook: %s", body->len > 0 ? "\n\n" : "", alert->runbook_url);
  if (alert->dashboard_url != NULL)
    g_string_append_printf (body, "%sDashboard: %s", body->len > 0 ? "\n" : "", alert->dashboard_url);
  if (alert->generator_url != NULL)
    g_string_append_printf (body, "%sSource: %s", body->len > 0 ? "\n" : "", alert->generator_url);

  return pieper_text_clean (body->str, PIEPER_NOTE_MAX_BYTES, TRUE);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  gint64 ta = pieper_timeline_entry_get_at (*(PieperTimelineEntry **) a);
  gint64 tb = pieper_timeline_entry_get_at (*(PieperTimelineEntry **) b);

  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

static void
add_entry (GPtrArray           *entries,
           GHashTable          *seen,
           PieperTimelineEntry *entry)
{
  if (g_hash_table_contains (seen, pieper_timeline_entry_get_remote_id (entry)))
    {
      g_object_unref (entry);
      return;
    }

  g_hash_table_add (seen, g_strdup (pieper_timeline_entry_get_remote_id (entry)));
  g_ptr_array_add (entries, entry);
}

/**
 * _pieper_am_timeline:
 * @alert: (nullable): the alert, or %NULL when it is gone
 *
 * The alert's firing, its silences (Pieper's with their notes, and others
 * that mute it now with their comment), oldest first.
 */
GPtrArray *
_pieper_am_timeline (const char    *fingerprint,
                     PieperAmAlert *alert,
                     GPtrArray     *silences)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (alert != NULL && alert->starts_at > 0)
    {
      g_autofree char *id = g_strdup_printf ("alert:%s:%" G_GINT64_FORMAT, fingerprint, alert->starts_at);
      g_autofree char *body = trigger_body (alert);

      add_entry (entries, seen, entry_new (PIEPER_TIMELINE_TRIGGER, id, NULL, alert->starts_at, body));
    }

  for (guint i = 0; silences != NULL && i < silences->len; i++)
    {
      PieperAmSilence *silence = g_ptr_array_index (silences, i);
      gboolean muting = alert != NULL && alert->silenced_by != NULL &&
                        g_strv_contains ((const char * const *) alert->silenced_by, silence->id);
      g_autofree char *id = NULL;

      if (is_ours_for (silence, fingerprint))
        {
          g_autoptr(GPtrArray) notes = _pieper_am_notes_from_comment (fingerprint, silence->comment);
          g_autofree char *header = g_strndup (silence->comment, strcspn (silence->comment, "\n"));

          /* The acknowledgement, and a snooze of it, stay apart. */
          if (silence->marker == PIEPER_AM_MARKER_SNOOZE)
            {
              id = g_strdup_printf ("silence:%s:snooze:%" G_GINT64_FORMAT, silence->id, silence->ends_at);
              add_entry (entries, seen,
                         entry_new (PIEPER_TIMELINE_SNOOZE, id, silence->created_by,
                                    MAX (silence->updated_at, silence->starts_at), header));
            }
          else
            {
              id = g_strdup_printf ("silence:%s:ack", silence->id);
              add_entry (entries, seen,
                         entry_new (PIEPER_TIMELINE_ACKNOWLEDGE, id, silence->created_by,
                                    silence->starts_at, header));
            }

          for (guint k = 0; k < notes->len; k++)
            add_entry (entries, seen, g_object_ref (g_ptr_array_index (notes, k)));
        }
      else if (muting)
        {
          id = g_strdup_printf ("silence:%s", silence->id);
          add_entry (entries, seen,
                     entry_new (PIEPER_TIMELINE_ACKNOWLEDGE, id, silence->created_by,
                                silence->starts_at, silence->comment));
        }
    }

  g_ptr_array_sort (entries, compare_entries);

  return g_steal_pointer (&entries);
}

/* Comments */

static const char *
marker_in_line (const char *line,
                gsize       len)
{
  const char *found = NULL;

  for (const char *p = line; p + strlen (MARKER_PREFIX) <= line + len; p++)
    if (strncmp (p, MARKER_PREFIX, strlen (MARKER_PREFIX)) == 0)
      found = p;

  return found;
}

PieperAmMarker
_pieper_am_comment_marker (const char *comment)
{
  const char *marker;
  const char *kind;
  gsize len;

  if (comment == NULL)
    return PIEPER_AM_MARKER_NONE;

  len = strcspn (comment, "\n");
  while (len > 0 && comment[len - 1] == ' ')
    len--;
  if (len == 0 || comment[len - 1] != ']')
    return PIEPER_AM_MARKER_NONE;

  marker = marker_in_line (comment, len);
  if (marker == NULL)
    return PIEPER_AM_MARKER_NONE;

  /* "[pieper:ack]" or "[pieper:ack:KEY]", the same for snooze. */
  kind = marker + strlen (MARKER_PREFIX);
  if (g_str_has_prefix (kind, "ack]") || g_str_has_prefix (kind, "ack:"))
    return PIEPER_AM_MARKER_ACK;
  if (g_str_has_prefix (kind, "snooze]") || g_str_has_prefix (kind, "snooze:"))
    return PIEPER_AM_MARKER_SNOOZE;

  return PIEPER_AM_MARKER_NONE;
}

/* A name on one line that cannot end a marker early. */
static char *
clean_who (const char *who)
{
  char *clean = clean_line (who, MAX_WHO_BYTES);

  if (clean == NULL)
    return g_strdup ("unknown");

  g_strdelimit (clean, "[]", ' ');
  return clean;
}

char *
_pieper_am_comment_header (PieperAmMarker  marker,
                           const char     *who,
                           gint64          until)
{
  g_autofree char *name = clean_who (who);

  if (marker == PIEPER_AM_MARKER_SNOOZE)
    {
      g_autofree char *time = _pieper_am_format_time (until);

      return g_strdup_printf ("Snoozed in Pieper by %s until %s [pieper:snooze]", name, time);
    }

  return g_strdup_printf ("Acknowledged in Pieper by %s [pieper:ack]", name);
}

char *
_pieper_am_comment_set_header (const char *comment,
                               const char *header)
{
  const char *rest;

  if (comment == NULL)
    return g_strdup (header);

  rest = comment + strcspn (comment, "\n");
  return g_strconcat (header, rest, NULL);
}

static gboolean
needs_escape (const char *line)
{
  while (*line == ' ')
    line++;

  return g_str_has_prefix (line, MARKER_PREFIX);
}

char *
_pieper_am_comment_add_note (const char *comment,
                             const char *who,
                             gint64      at,
                             const char *text)
{
  g_autoptr(GString) out = g_string_new (comment);
  g_autofree char *name = clean_who (who);
  g_autofree char *time = _pieper_am_format_time (at);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  g_string_append_printf (out, "\n\n" NOTE_PREFIX "%s %s]", time, name);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_string_append_c (out, '\n');
      if (needs_escape (lines[i]))
        g_string_append_c (out, ' ');
      g_string_append (out, lines[i]);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
_pieper_am_note_remote_id (const char *fingerprint,
                           gint64      at,
                           const char *who,
                           const char *body)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *time = g_strdup_printf ("%" G_GINT64_FORMAT, at);

  /* The note's content names it: the same note read from any copy of the
   * comment (Alertmanager may move it to a new silence) is one note. */
  g_checksum_update (checksum, (const guchar *) fingerprint, -1);
  g_checksum_update (checksum, (const guchar *) "", 1);
  g_checksum_update (checksum, (const guchar *) time, -1);
  g_checksum_update (checksum, (const guchar *) "", 1);
  g_checksum_update (checksum, (const guchar *) who, -1);
  g_checksum_update (checksum, (const guchar *) "", 1);
  g_checksum_update (checksum, (const guchar *) body, -1);

  return g_strdup_printf ("note:%.24s", g_checksum_get_string (checksum));
}

static PieperTimelineEntry *
note_finish (const char *fingerprint,
             gint64      at,
             const char *who,
             GString    *body)
{
  g_autofree char *text = g_strstrip (g_strdup (body->str));
  g_autofree char *id = NULL;

  if (at <= 0 || text[0] == '\0')
    return NULL;

  id = _pieper_am_note_remote_id (fingerprint, at, who, text);
  return entry_new (PIEPER_TIMELINE_NOTE, id, who, at, text);
}

/* The marker line "[pieper:note TIME WHO]". */
static gboolean
parse_note_marker (const char  *line,
                   gint64      *at,
                   char       **who)
{
  g_autofree char *inner = NULL;
  const char *space;
  gsize len = strlen (line);

  if (!g_str_has_prefix (line, NOTE_PREFIX) || len < strlen (NOTE_PREFIX) + 2 || line[len - 1] != ']')
    return FALSE;

  inner = g_strndup (line + strlen (NOTE_PREFIX), len - strlen (NOTE_PREFIX) - 1);
  space = strchr (inner, ' ');
  if (space == NULL || space[1] == '\0')
    return FALSE;

  {
    g_autofree char *time = g_strndup (inner, space - inner);

    *at = _pieper_am_parse_time (time);
  }
  *who = g_strdup (space + 1);

  return *at > 0;
}

GPtrArray *
_pieper_am_notes_from_comment (const char *fingerprint,
                               const char *comment)
{
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) body = NULL;
  g_autofree char *who = NULL;
  gint64 at = 0;

  if (comment == NULL)
    return g_steal_pointer (&notes);

  lines = g_strsplit (comment, "\n", -1);

  /* The first line is the header; an empty comment has none. */
  for (guint i = 1; lines[0] != NULL && lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      g_autofree char *next_who = NULL;
      gint64 next_at = 0;

      if (parse_note_marker (line, &next_at, &next_who))
        {
          if (body != NULL)
            {
              PieperTimelineEntry *entry = note_finish (fingerprint, at, who, body);

              if (entry != NULL)
                g_ptr_array_add (notes, entry);
              g_string_free (g_steal_pointer (&body), TRUE);
            }

          body = g_string_new (NULL);
          at = next_at;
          g_free (who);
          who = g_steal_pointer (&next_who);
          continue;
        }

      if (body == NULL)
        continue;

      if (body->len > 0 || line[0] != '\0')
        {
          if (body->len > 0)
            g_string_append_c (body, '\n');
          g_string_append (body, line[0] == ' ' && needs_escape (line) ? line + 1 : line);
        }
    }

  if (body != NULL)
    {
      PieperTimelineEntry *entry = note_finish (fingerprint, at, who, body);

      if (entry != NULL)
        g_ptr_array_add (notes, entry);
    }

  return g_steal_pointer (&notes);
}

/* Request bodies */

JsonNode *
_pieper_am_new_silence_body (PieperAmAlert *alert,
                             gint64         starts_at,
                             gint64         ends_at,
                             const char    *created_by,
                             const char    *comment)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *starts = _pieper_am_format_time (starts_at);
  g_autofree char *ends = _pieper_am_format_time (ends_at);

  json_builder_begin_object (builder);

  /* Every label, as the alert has it: the silence mutes this alert. */
  json_builder_set_member_name (builder, "matchers");
  json_builder_begin_array (builder);
  for (guint i = 0; alert->label_names[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, alert->label_names[i]);
      json_builder_set_member_name (builder, "value");
      json_builder_add_string_value (builder, alert->label_values[i]);
      json_builder_set_member_name (builder, "isRegex");
      json_builder_add_boolean_value (builder, FALSE);
      json_builder_set_member_name (builder, "isEqual");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "startsAt");
  json_builder_add_string_value (builder, starts);
  json_builder_set_member_name (builder, "endsAt");
  json_builder_add_string_value (builder, ends);
  json_builder_set_member_name (builder, "createdBy");
  json_builder_add_string_value (builder, created_by);
  json_builder_set_member_name (builder, "comment");
  json_builder_add_string_value (builder, comment);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
_pieper_am_update_silence_body (PieperAmSilence *silence,
                                gint64           ends_at,
                                const char      *created_by,
                                const char      *comment)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *ends = ends_at > 0 ? _pieper_am_format_time (ends_at) : NULL;

  json_builder_begin_object (builder);

  /* Alertmanager updates a silence in place, keeping its id, only when its
   * matchers and (once it is active) its start are sent back unchanged. */
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, silence->id);
  json_builder_set_member_name (builder, "matchers");
  json_builder_add_value (builder, json_node_copy (silence->matchers));
  json_builder_set_member_name (builder, "startsAt");
  json_builder_add_string_value (builder, silence->starts_at_text);
  json_builder_set_member_name (builder, "endsAt");
  json_builder_add_string_value (builder, ends != NULL ? ends : silence->ends_at_text);
  json_builder_set_member_name (builder, "createdBy");
  json_builder_add_string_value (builder, created_by != NULL ? created_by
                                          : silence->created_by != NULL ? silence->created_by : "");
  json_builder_set_member_name (builder, "comment");
  json_builder_add_string_value (builder, comment != NULL ? comment
                                          : silence->comment != NULL ? silence->comment : "");

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Errors */

/**
 * _pieper_am_error_from_response:
 *
 * Maps an error response to a #PieperProviderError with one line of
 * message: 429 → rate limited (a proxy in front); 401, 403 → auth;
 * 404 → not found; 5xx and 408 → transient; everything else → permanent.
 * Alertmanager's error bodies are a JSON string or {code, message}.
 */
GError *
_pieper_am_error_from_response (guint       http_status,
                                const char *reason,
                                JsonNode   *root)
{
  g_autofree char *detail = NULL;
  g_autofree char *line = NULL;
  g_autofree char *capped = NULL;
  PieperProviderError code;
  const char *what;

  detail = clean_line (node_string (root), MAX_ERROR_BYTES);
  if (detail == NULL)
    detail = member_text (node_object (root), "message", MAX_ERROR_BYTES);
  if (detail == NULL)
    detail = member_text (node_object (root), "error", MAX_ERROR_BYTES);
  if (detail == NULL)
    detail = clean_line (reason, MAX_ERROR_BYTES);

  if (http_status == 429)
    {
      code = PIEPER_PROVIDER_ERROR_RATE_LIMITED;
      what = _("Alertmanager (or a proxy in front of it) is rate limiting requests");
    }
  else if (http_status == 401 || http_status == 403)
    {
      code = PIEPER_PROVIDER_ERROR_AUTH;
      what = http_status == 401 ? "Alertmanager (or a proxy in front of it) refused the credentials"
                                : "Alertmanager (or a proxy in front of it) does not allow this";
    }
  else if (http_status == 404)
    {
      code = PIEPER_PROVIDER_ERROR_NOT_FOUND;
      what = _("Alertmanager has no such silence");
    }
  else if (http_status >= 500 || http_status == 408)
    {
      code = PIEPER_PROVIDER_ERROR_TRANSIENT;
      what = _("Alertmanager had a problem");
    }
  else
    {
      code = PIEPER_PROVIDER_ERROR_PERMANENT;
      what = _("Alertmanager refused the request");
    }

  line = g_strdup_printf ("%s (HTTP %u%s%s)", what, http_status,
                          detail != NULL ? ": " : "", detail != NULL ? detail : "");
  capped = pieper_utf8_cap (line, MAX_ERROR_BYTES + 200);

  return g_error_new_literal (PIEPER_PROVIDER_ERROR, code, capped);
}
