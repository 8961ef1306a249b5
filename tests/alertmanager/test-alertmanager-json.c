/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "pieper-alertmanager-private.h"
#include "pieper-providers.h"

/*
 * The Alertmanager mapping on fixtures (tests/fixtures/alertmanager): alerts
 * to incidents, silences to acknowledgements and notes, the comment format
 * both ways, errors, settings and the factory. No server is needed.
 */

static JsonNode *
load_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "alertmanager", name, NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  JsonNode *root;

  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);

  root = _pieper_am_parse (data, length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (root);

  return root;
}

static GPtrArray *
load_alerts (void)
{
  g_autoptr(JsonNode) root = load_fixture ("alerts.json");
  g_autoptr(GError) error = NULL;
  GPtrArray *alerts = _pieper_am_alerts_from_json (root, &error);

  g_assert_no_error (error);
  return alerts;
}

static GPtrArray *
load_silences (void)
{
  g_autoptr(JsonNode) root = load_fixture ("silences.json");
  g_autoptr(GError) error = NULL;
  GPtrArray *silences = _pieper_am_silences_from_json (root, &error);

  g_assert_no_error (error);
  return silences;
}

static const char * const high[] = { "critical", "page", NULL };

static void
test_fingerprint (void)
{
  const char * const names[] = { "alertname", "service", "severity", NULL };
  const char * const values[] = { "HighLatency", "api", "critical", NULL };
  g_autofree char *fp = _pieper_am_fingerprint (names, values);

  /* As Alertmanager 0.25 computed it for these labels. */
  g_assert_cmpstr (fp, ==, "6a4f37c34a2d1e4b");

  g_assert_true (_pieper_am_fingerprint_is_valid ("6a4f37c34a2d1e4b"));
  g_assert_false (_pieper_am_fingerprint_is_valid ("6a4f37c34a2d1e4g"));
  g_assert_false (_pieper_am_fingerprint_is_valid ("../x"));
  g_assert_false (_pieper_am_fingerprint_is_valid (""));
  g_assert_false (_pieper_am_fingerprint_is_valid (NULL));

  /* Small, stable, and the same on every machine. */
  g_assert_cmpint (_pieper_am_number ("6a4f37c34a2d1e4b"), >=, 10000);
  g_assert_cmpint (_pieper_am_number ("6a4f37c34a2d1e4b"), <=, 99999);
  g_assert_cmpint (_pieper_am_number ("6a4f37c34a2d1e4b"), ==,
                   10000 + (gint64) (G_GUINT64_CONSTANT (0x6a4f37c34a2d1e4b) % 90000));
}

static void
test_alerts (void)
{
  g_autoptr(GPtrArray) alerts = load_alerts ();
  PieperAmAlert *alert;

  /* Bad fingerprint, bad labels, no labels, not an object, duplicate. */
  g_assert_cmpuint (alerts->len, ==, 4);

  alert = _pieper_am_find_alert (alerts, "6a4f37c34a2d1e4b");
  g_assert_nonnull (alert);
  g_assert_cmpstr (alert->summary, ==, "API p99 latency above 2s");
  g_assert_cmpstr (alert->runbook_url, ==, "https://runbooks.example.com/api-latency");
  g_assert_cmpstr (alert->dashboard_url, ==, "https://grafana.example.com/d/api");
  g_assert_cmpstr (alert->label_names[0], ==, "alertname");
  g_assert_cmpstr (alert->label_names[2], ==, "severity");
  g_assert_cmpint (alert->starts_at, ==, 1795623267);

  /* Fingerprints are kept in lower case. */
  g_assert_nonnull (_pieper_am_find_alert (alerts, "b510a84dff31ff97"));

  alert = _pieper_am_find_alert (alerts, "00000000000000cd");
  g_assert_nonnull (alert);
  g_assert_null (alert->runbook_url);
  g_assert_null (strchr (alert->summary, '\033'));
  g_assert_null (strchr (alert->summary, '\n'));
  g_assert_null (strstr (alert->summary, "\u202e"));
  g_assert_cmpint (alert->starts_at, ==, 0);
  g_assert_cmpuint (g_strv_length (alert->silenced_by), ==, 0);
  g_assert_cmpuint (g_strv_length (alert->receivers), ==, 0);
}

static void
test_incidents (void)
{
  g_autoptr(GPtrArray) alerts = load_alerts ();
  g_autoptr(GPtrArray) silences = load_silences ();
  g_autoptr(PieperIncident) latency = NULL;
  g_autoptr(PieperIncident) disk = NULL;
  g_autoptr(PieperIncident) errors = NULL;
  g_autoptr(PieperIncident) evil = NULL;
  const char * const *assignees;

  latency = _pieper_am_incident_from_alert (_pieper_am_find_alert (alerts, "6a4f37c34a2d1e4b"),
                                            silences, high, "http://am.example.com/#/alerts");
  g_assert_cmpstr (pieper_incident_get_remote_id (latency), ==, "6a4f37c34a2d1e4b");
  g_assert_cmpstr (pieper_incident_get_title (latency), ==, "API p99 latency above 2s");
  g_assert_cmpint (pieper_incident_get_status (latency), ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpint (pieper_incident_get_urgency (latency), ==, PIEPER_URGENCY_HIGH);
  g_assert_cmpstr (pieper_incident_get_service (latency), ==, "api");
  g_assert_cmpstr (pieper_incident_get_priority (latency), ==, "critical");
  g_assert_cmpstr (pieper_incident_get_escalation_policy (latency), ==, "team-api, pieper");
  g_assert_cmpstr (pieper_incident_get_html_url (latency), ==, "http://prometheus.example.com/graph?g0.expr=latency");
  g_assert_cmpint (pieper_incident_get_number (latency), ==, _pieper_am_number ("6a4f37c34a2d1e4b"));
  /* The expired snooze of this alert ran out after the alert's last
   * update: the snapshot is as new as that. */
  g_assert_cmpint (pieper_incident_get_updated_at (latency), ==, 1795623267);

  disk = _pieper_am_incident_from_alert (_pieper_am_find_alert (alerts, "b510a84dff31ff97"),
                                         silences, high, "http://am.example.com/#/alerts");
  g_assert_cmpint (pieper_incident_get_status (disk), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpint (pieper_incident_get_urgency (disk), ==, PIEPER_URGENCY_LOW);
  g_assert_cmpstr (pieper_incident_get_service (disk), ==, "node");
  assignees = pieper_incident_get_assignees (disk);
  g_assert_nonnull (assignees);
  g_assert_cmpstr (assignees[0], ==, "mira.jansen@example.com");
  /* No generator link: Alertmanager's own page. */
  g_assert_cmpstr (pieper_incident_get_html_url (disk), ==, "http://am.example.com/#/alerts");

  /* No summary: the alert name and labels. Inhibited: quiet. No
   * severity would page loudly, but inhibition wins. */
  errors = _pieper_am_incident_from_alert (_pieper_am_find_alert (alerts, "00000000000000ab"),
                                           silences, high, NULL);
  g_assert_cmpstr (pieper_incident_get_title (errors), ==, "ApiErrors (service=api)");
  g_assert_cmpint (pieper_incident_get_urgency (errors), ==, PIEPER_URGENCY_LOW);
  g_assert_cmpint (pieper_incident_get_status (errors), ==, PIEPER_STATUS_TRIGGERED);

  /* Severity compares without case. */
  evil = _pieper_am_incident_from_alert (_pieper_am_find_alert (alerts, "00000000000000cd"),
                                         silences, high, NULL);
  g_assert_cmpint (pieper_incident_get_urgency (evil), ==, PIEPER_URGENCY_HIGH);
}

static void
test_silences (void)
{
  g_autoptr(GPtrArray) silences = load_silences ();
  PieperAmSilence *ack, *other, *snooze;

  g_assert_cmpuint (silences->len, ==, 3);

  ack = _pieper_am_find_silence (silences, "1b9a2a36-6f0e-4c57-8e6b-0c3ad1e8d8a1");
  g_assert_nonnull (ack);
  g_assert_cmpint (ack->marker, ==, PIEPER_AM_MARKER_ACK);
  g_assert_cmpstr (ack->fingerprint, ==, "b510a84dff31ff97");
  g_assert_cmpstr (ack->starts_at_text, ==, "2026-11-25T16:05:00.123Z");

  other = _pieper_am_find_silence (silences, "2c0b3b47-7f1f-4d68-9f7c-1d4be2f9e9b2");
  g_assert_nonnull (other);
  g_assert_cmpint (other->marker, ==, PIEPER_AM_MARKER_NONE);
  g_assert_null (other->fingerprint);

  snooze = _pieper_am_find_silence (silences, "3d1c4c58-8020-4e79-a08d-2e5cf3000c3");
  g_assert_nonnull (snooze);
  g_assert_cmpint (snooze->marker, ==, PIEPER_AM_MARKER_SNOOZE);
  /* Matchers in any order name the same label set. */
  g_assert_cmpstr (snooze->fingerprint, ==, "6a4f37c34a2d1e4b");

  g_assert_true (_pieper_am_find_pieper_silence (silences, "b510a84dff31ff97", "someone") == ack);
  /* An expired one acknowledges nothing. */
  g_assert_null (_pieper_am_find_pieper_silence (silences, "6a4f37c34a2d1e4b", "robin@example.com"));

  g_assert_cmpint (_pieper_am_comment_marker ("Acknowledged in Pieper by x [pieper:ack:1234-abcd]"), ==,
                   PIEPER_AM_MARKER_ACK);
  g_assert_cmpint (_pieper_am_comment_marker ("I said [pieper:ack] in the middle, then more"), ==,
                   PIEPER_AM_MARKER_NONE);
  g_assert_cmpint (_pieper_am_comment_marker ("first line\n[pieper:ack]"), ==, PIEPER_AM_MARKER_NONE);
  g_assert_cmpint (_pieper_am_comment_marker (NULL), ==, PIEPER_AM_MARKER_NONE);
}

static void
test_timeline (void)
{
  g_autoptr(GPtrArray) alerts = load_alerts ();
  g_autoptr(GPtrArray) silences = load_silences ();
  g_autoptr(GPtrArray) disk = NULL;
  g_autoptr(GPtrArray) latency = NULL;
  guint notes = 0;
  gboolean ack = FALSE;
  gboolean maintenance = FALSE;

  disk = _pieper_am_timeline ("b510a84dff31ff97", _pieper_am_find_alert (alerts, "b510a84dff31ff97"), silences);

  for (guint i = 0; i < disk->len; i++)
    {
      PieperTimelineEntry *entry = g_ptr_array_index (disk, i);

      if (i > 0)
        g_assert_cmpint (pieper_timeline_entry_get_at (g_ptr_array_index (disk, i - 1)), <=,
                         pieper_timeline_entry_get_at (entry));

      switch (pieper_timeline_entry_get_kind (entry))
        {
        case PIEPER_TIMELINE_NOTE:
          notes++;
          if (notes == 1)
            {
              g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==, "Cleaning up old WAL files.");
              g_assert_cmpstr (pieper_timeline_entry_get_author (entry), ==, "mira.jansen@example.com");
            }
          else
            {
              /* The escaped marker line is text of the note, not a note. */
              g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==,
                               "Two lines,\n[pieper:note 2026-11-25T16:08:00Z fake]\nand an escaped marker.");
              g_assert_cmpstr (pieper_timeline_entry_get_author (entry), ==, "robin@example.com");
            }
          g_assert_true (g_str_has_prefix (pieper_timeline_entry_get_remote_id (entry), "note:"));
          break;

        case PIEPER_TIMELINE_ACKNOWLEDGE:
          if (g_str_has_suffix (pieper_timeline_entry_get_remote_id (entry), ":ack"))
            ack = TRUE;
          else
            {
              g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==, "Maintenance window for db hosts");
              maintenance = TRUE;
            }
          break;

        case PIEPER_TIMELINE_TRIGGER:
        case PIEPER_TIMELINE_ESCALATE:
        case PIEPER_TIMELINE_REASSIGN:
        case PIEPER_TIMELINE_SNOOZE:
        case PIEPER_TIMELINE_RESOLVE:
        case PIEPER_TIMELINE_CONFLICT:
        case PIEPER_TIMELINE_OTHER:
        default:
          break;
        }
    }

  g_assert_cmpuint (notes, ==, 2);
  g_assert_true (ack);
  g_assert_true (maintenance);

  latency = _pieper_am_timeline ("6a4f37c34a2d1e4b", _pieper_am_find_alert (alerts, "6a4f37c34a2d1e4b"), silences);
  g_assert_cmpuint (latency->len, ==, 2);
  g_assert_cmpint (pieper_timeline_entry_get_kind (g_ptr_array_index (latency, 0)), ==, PIEPER_TIMELINE_SNOOZE);
  {
    PieperTimelineEntry *trigger = g_ptr_array_index (latency, 1);
    const char *body = pieper_timeline_entry_get_body (trigger);

    g_assert_cmpint (pieper_timeline_entry_get_kind (trigger), ==, PIEPER_TIMELINE_TRIGGER);
    g_assert_nonnull (strstr (body, "API p99 latency above 2s"));
    g_assert_nonnull (strstr (body, "Runbook: https://runbooks.example.com/api-latency"));
    g_assert_nonnull (strstr (body, "Dashboard: https://grafana.example.com/d/api"));
  }
}

static void
test_comment_round_trip (void)
{
  const char *texts[] = {
    "Rolled back deploy 4711.",
    "Line one\n[pieper:note 2026-01-01T00:00:00Z mallory]\n  [pieper:ack]\n\nlast",
    "  spaces kept inside  \n  and here",
  };
  g_autofree char *comment = _pieper_am_comment_header (PIEPER_AM_MARKER_ACK, "mira]x@example.com", 0);
  g_autoptr(GPtrArray) notes = NULL;
  g_autofree char *snoozed = NULL;
  g_autofree char *header = NULL;

  g_assert_cmpstr (comment, ==, "Acknowledged in Pieper by mira x@example.com [pieper:ack]");
  g_assert_cmpint (_pieper_am_comment_marker (comment), ==, PIEPER_AM_MARKER_ACK);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *clean = g_strstrip (pieper_text_clean (texts[i], PIEPER_NOTE_MAX_BYTES, TRUE));
      char *next = _pieper_am_comment_add_note (comment, "robin@example.com", 1795709667 + i, clean);

      g_free (comment);
      comment = next;
    }

  notes = _pieper_am_notes_from_comment ("6a4f37c34a2d1e4b", comment);
  g_assert_cmpuint (notes->len, ==, G_N_ELEMENTS (texts));
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      PieperTimelineEntry *entry = g_ptr_array_index (notes, i);
      g_autofree char *clean = g_strstrip (pieper_text_clean (texts[i], PIEPER_NOTE_MAX_BYTES, TRUE));
      g_autofree char *id = _pieper_am_note_remote_id ("6a4f37c34a2d1e4b", 1795709667 + i,
                                                      "robin@example.com", clean);

      g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==, clean);
      g_assert_cmpint (pieper_timeline_entry_get_at (entry), ==, 1795709667 + i);
      g_assert_cmpstr (pieper_timeline_entry_get_remote_id (entry), ==, id);
    }

  /* A snooze changes the header and keeps the notes. */
  header = _pieper_am_comment_header (PIEPER_AM_MARKER_SNOOZE, "robin@example.com", 1795626867);
  g_assert_cmpstr (header, ==, "Snoozed in Pieper by robin@example.com until 2026-11-25T17:14:27Z [pieper:snooze]");
  snoozed = _pieper_am_comment_set_header (comment, header);
  g_assert_cmpint (_pieper_am_comment_marker (snoozed), ==, PIEPER_AM_MARKER_SNOOZE);
  {
    g_autoptr(GPtrArray) again = _pieper_am_notes_from_comment ("6a4f37c34a2d1e4b", snoozed);

    g_assert_cmpuint (again->len, ==, G_N_ELEMENTS (texts));
  }
}

static void
test_gone (void)
{
  g_autoptr(GPtrArray) silences = load_silences ();
  g_autoptr(PieperIncident) known = NULL;
  g_autoptr(PieperIncident) unknown = NULL;

  /* The expired snooze still names the labels of HighLatency. */
  known = _pieper_am_incident_gone ("6a4f37c34a2d1e4b", silences, 1795710000);
  g_assert_cmpint (pieper_incident_get_status (known), ==, PIEPER_STATUS_RESOLVED);
  g_assert_cmpstr (pieper_incident_get_title (known), ==, "HighLatency (service=api, severity=critical)");
  g_assert_cmpstr (pieper_incident_get_service (known), ==, "api");
  g_assert_cmpint (pieper_incident_get_updated_at (known), ==, 1795710000);

  unknown = _pieper_am_incident_gone ("00000000000000ff", silences, 1795710000);
  g_assert_cmpint (pieper_incident_get_status (unknown), ==, PIEPER_STATUS_RESOLVED);
  /* Nothing names it: no title, so the store keeps the one it has. */
  g_assert_true (pieper_incident_get_title (unknown) == NULL || *pieper_incident_get_title (unknown) == '\0');
}

static void
test_bodies (void)
{
  g_autoptr(GPtrArray) alerts = load_alerts ();
  g_autoptr(GPtrArray) silences = load_silences ();
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) updated = NULL;
  g_autofree char *json = NULL;
  JsonObject *object;

  created = _pieper_am_new_silence_body (_pieper_am_find_alert (alerts, "6a4f37c34a2d1e4b"),
                                         1795623207, 1795626867, "mira@example.com",
                                         "Acknowledged in Pieper by mira@example.com [pieper:ack]");
  object = json_node_get_object (created);
  g_assert_false (json_object_has_member (object, "id"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "matchers")), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (object, "startsAt"), ==, "2026-11-25T16:13:27Z");
  g_assert_cmpstr (json_object_get_string_member (object, "endsAt"), ==, "2026-11-25T17:14:27Z");
  g_assert_cmpstr (json_object_get_string_member (object, "createdBy"), ==, "mira@example.com");

  /* An update sends the start and matchers back exactly. */
  updated = _pieper_am_update_silence_body (_pieper_am_find_silence (silences, "1b9a2a36-6f0e-4c57-8e6b-0c3ad1e8d8a1"),
                                            0, NULL, "new comment");
  json = json_to_string (updated, FALSE);
  g_assert_nonnull (strstr (json, "\"id\":\"1b9a2a36-6f0e-4c57-8e6b-0c3ad1e8d8a1\""));
  g_assert_nonnull (strstr (json, "\"startsAt\":\"2026-11-25T16:05:00.123Z\""));
  g_assert_nonnull (strstr (json, "\"endsAt\":\"2026-11-25T17:05:00.000Z\""));
  g_assert_nonnull (strstr (json, "\"createdBy\":\"mira.jansen@example.com\""));
  g_assert_nonnull (strstr (json, "\"comment\":\"new comment\""));
}

static void
test_errors (void)
{
  g_autoptr(JsonNode) not_found = load_fixture ("error-404.json");
  g_autoptr(JsonNode) invalid = load_fixture ("error-422.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *html = NULL;
  g_autofree char *truncated = NULL;
  g_autofree char *path = NULL;
  gsize length;

  error = _pieper_am_error_from_response (404, "Not Found", not_found);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "silence not found"));
  g_clear_error (&error);

  error = _pieper_am_error_from_response (422, "Unprocessable Entity", invalid);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT);
  g_assert_nonnull (strstr (error->message, "must be of type uuid"));
  g_clear_error (&error);

  error = _pieper_am_error_from_response (401, "Unauthorized", NULL);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH);
  g_clear_error (&error);

  error = _pieper_am_error_from_response (429, NULL, NULL);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_RATE_LIMITED);
  g_clear_error (&error);

  error = _pieper_am_error_from_response (503, "Service Unavailable\r\nX-Injected: 1", NULL);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_null (strchr (error->message, '\n'));
  g_clear_error (&error);

  path = g_test_build_filename (G_TEST_DIST, "fixtures", "alertmanager", "not-json.html", NULL);
  g_file_get_contents (path, &html, &length, NULL);
  root = _pieper_am_parse (html, length, &error);
  g_assert_null (root);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_clear_error (&error);
  g_free (path);

  path = g_test_build_filename (G_TEST_DIST, "fixtures", "alertmanager", "truncated.json", NULL);
  g_file_get_contents (path, &truncated, &length, NULL);
  root = _pieper_am_parse (truncated, length, &error);
  g_assert_null (root);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_clear_error (&error);

  /* A list of alerts that is not a list. */
  root = _pieper_am_parse ("{\"a\":1}", 7, &error);
  g_assert_no_error (error);
  g_assert_null (_pieper_am_alerts_from_json (root, &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_clear_error (&error);
  g_assert_null (_pieper_am_silences_from_json (root, &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_clear_pointer (&root, json_node_unref);
  g_clear_error (&error);

  {
    GString *deep = g_string_new (NULL);

    for (guint i = 0; i < 100000; i++)
      g_string_append_c (deep, '[');
    root = _pieper_am_parse (deep->str, deep->len, &error);
    g_assert_null (root);
    g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
    g_string_free (deep, TRUE);
  }
}

/* The strict parser PagerDuty's bodies go through reads these too: no
 * second value, no single quotes, only whole surrogate pairs, whole \u
 * escapes (json-glib 1.6, which read them before, leaked on most). */
static void
test_parse_shape (void)
{
  static const char * const refused[] = {
    "[] []",
    "[{\"fingerprint\":\"ab\"}] {}",
    "3 [1]",
    "'['[]",
    "[\"\\ud800\\u0041\"]",
    "[\"\\u12\"]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = _pieper_am_parse (refused[i], strlen (refused[i]), &error);

      g_test_message ("%s", refused[i]);
      g_assert_null (root);
      g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
    }

  {
    g_autoptr(GError) error = NULL;
    const char *pair = "[\"\\ud83d\\udea8 fire\"]";
    g_autoptr(JsonNode) root = _pieper_am_parse (pair, strlen (pair), &error);

    g_assert_no_error (error);
    g_assert_nonnull (root);
  }
}

/* The server's clock is believed within a day of ours, not beyond: a
 * silence is timed by it. */
static void
test_clock_offset (void)
{
  /* Sun, 06 Nov 1994 08:49:37 GMT */
  const gint64 date = 784111777;
  gint64 offset = 42;

  g_assert_true (_pieper_am_clock_offset ("Sun, 06 Nov 1994 08:49:37 GMT", date - 90, &offset));
  g_assert_cmpint (offset, ==, 90);
  g_assert_true (_pieper_am_clock_offset ("Sun, 06 Nov 1994 08:49:37 GMT", date + 3600, &offset));
  g_assert_cmpint (offset, ==, -3600);
  g_assert_true (_pieper_am_clock_offset ("Sun, 06 Nov 1994 08:49:37 GMT", date - PIEPER_AM_MAX_CLOCK_OFFSET, &offset));
  g_assert_cmpint (offset, ==, PIEPER_AM_MAX_CLOCK_OFFSET);

  /* A day and a second off either way, a year ahead, unreadable: the
   * offset is left as it was. */
  offset = 42;
  g_assert_false (_pieper_am_clock_offset ("Sun, 06 Nov 1994 08:49:37 GMT",
                                           date - PIEPER_AM_MAX_CLOCK_OFFSET - 1, &offset));
  g_assert_false (_pieper_am_clock_offset ("Sun, 06 Nov 1994 08:49:37 GMT",
                                           date + PIEPER_AM_MAX_CLOCK_OFFSET + 1, &offset));
  g_assert_false (_pieper_am_clock_offset ("Mon, 06 Nov 1995 08:49:37 GMT", date, &offset));
  g_assert_false (_pieper_am_clock_offset ("Fri, 31 Dec 9999 23:59:59 GMT", date, &offset));
  g_assert_false (_pieper_am_clock_offset ("tomorrow", date, &offset));
  g_assert_false (_pieper_am_clock_offset ("", date, &offset));
  g_assert_false (_pieper_am_clock_offset (NULL, date, &offset));
  g_assert_cmpint (offset, ==, 42);
}

static void
test_durations (void)
{
  guint seconds = 0;

  g_assert_true (_pieper_am_parse_duration ("3600", &seconds));
  g_assert_cmpuint (seconds, ==, 3600);
  g_assert_true (_pieper_am_parse_duration ("90m", &seconds));
  g_assert_cmpuint (seconds, ==, 5400);
  g_assert_true (_pieper_am_parse_duration ("2h", &seconds));
  g_assert_cmpuint (seconds, ==, 7200);
  g_assert_true (_pieper_am_parse_duration ("1d", &seconds));
  g_assert_cmpuint (seconds, ==, 86400);
  g_assert_false (_pieper_am_parse_duration ("30s", &seconds));
  g_assert_false (_pieper_am_parse_duration ("8d", &seconds));
  g_assert_false (_pieper_am_parse_duration ("-1h", &seconds));
  g_assert_false (_pieper_am_parse_duration ("h", &seconds));
  g_assert_false (_pieper_am_parse_duration ("", &seconds));
}

static void
test_factory (void)
{
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(PieperProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_strv_contains (pieper_providers_list (), "alertmanager"));
  g_assert_true (pieper_providers_token_is_optional ("alertmanager"));
  g_assert_false (pieper_providers_token_is_optional ("pagerduty"));

  /* No token, no e-mail: an Alertmanager without a proxy. */
  account = pieper_account_new ("alertmanager", "http://127.0.0.1:9093", "");
  provider = pieper_provider_new_for_account (account, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (provider);
  g_assert_cmpint (pieper_provider_get_capabilities (provider), ==,
                   PIEPER_CAPABILITY_ACKNOWLEDGE | PIEPER_CAPABILITY_SNOOZE | PIEPER_CAPABILITY_NOTE);
  g_clear_object (&provider);
  g_clear_object (&account);

  account = pieper_account_new ("alertmanager", "https://am.example.com/prefix/?ack=2h&high=critical,warning",
                                "me@example.com");
  provider = pieper_provider_new_for_account (account, "user:secret", &error);
  g_assert_no_error (error);
  g_assert_nonnull (provider);
  g_clear_object (&provider);
  g_clear_object (&account);

  account = pieper_account_new ("alertmanager", "https://am.example.com/?ack=1s", "");
  provider = pieper_provider_new_for_account (account, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (provider);
  g_clear_error (&error);
  g_clear_object (&account);

  account = pieper_account_new ("alertmanager", "https://am.example.com/?acknowledge=1h", "");
  provider = pieper_provider_new_for_account (account, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&account);

  /* Alerts and credentials travel over TLS, except to this machine. */
  account = pieper_account_new ("alertmanager", "http://am.example.com", "");
  provider = pieper_provider_new_for_account (account, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (provider);
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Wait;

static void
unsupported_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Wait *wait = user_data;
  g_autoptr(PieperIncident) incident = NULL;

  incident = pieper_provider_update_finish (PIEPER_PROVIDER (object), result, &wait->error);
  g_assert_null (incident);
  wait->done = TRUE;
}

static void
test_unsupported (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperProvider) provider = pieper_alertmanager_new ("http://127.0.0.1:1", "me", NULL, &error);
  Wait wait = { FALSE, NULL };

  g_assert_no_error (error);

  pieper_provider_resolve_async (provider, "6a4f37c34a2d1e4b", NULL, unsupported_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (wait.error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNSUPPORTED);
  g_clear_error (&wait.error);

  wait.done = FALSE;
  pieper_provider_escalate_async (provider, "6a4f37c34a2d1e4b", 0, NULL, unsupported_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (wait.error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNSUPPORTED);
  g_clear_error (&wait.error);

  wait.done = FALSE;
  pieper_provider_reassign_async (provider, "6a4f37c34a2d1e4b", "someone", NULL, unsupported_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (wait.error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNSUPPORTED);
  g_clear_error (&wait.error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/alertmanager-json/fingerprint", test_fingerprint);
  g_test_add_func ("/alertmanager-json/alerts", test_alerts);
  g_test_add_func ("/alertmanager-json/incidents", test_incidents);
  g_test_add_func ("/alertmanager-json/silences", test_silences);
  g_test_add_func ("/alertmanager-json/timeline", test_timeline);
  g_test_add_func ("/alertmanager-json/comment-round-trip", test_comment_round_trip);
  g_test_add_func ("/alertmanager-json/gone", test_gone);
  g_test_add_func ("/alertmanager-json/bodies", test_bodies);
  g_test_add_func ("/alertmanager-json/errors", test_errors);
  g_test_add_func ("/alertmanager-json/parse-shape", test_parse_shape);
  g_test_add_func ("/alertmanager-json/clock-offset", test_clock_offset);
  g_test_add_func ("/alertmanager-json/durations", test_durations);
  g_test_add_func ("/alertmanager-json/factory", test_factory);
  g_test_add_func ("/alertmanager-json/unsupported", test_unsupported);

  return g_test_run ();
}
