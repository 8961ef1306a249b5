/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-hostile-alertmanager"

#include "config.h"

#include <string.h>

#include "pieper-alertmanager-private.h"

#include "hostile-fixture.h"

/*
 * A hostile Alertmanager: GET /api/v2/alerts and /api/v2/silences answer
 * with one kind of bad data each, and the real provider, sync engine and
 * store must keep every valid alert, refuse what cannot be read with one
 * error, never crash or log a critical, and never lose the acknowledgement
 * queued before the round. tests/hostile/README.md lists the cases.
 */

#define QUEUED      "00000000000000aa"
#define MARKUP      "<b>Disk</b> &amp; <a href=\"https://evil\">click</a> &lt;"
#define ALERTS      "/api/v2/alerts"
#define SILENCES    "/api/v2/silences"

typedef struct
{
  HostileFixture  base;
  gint64          ack_id;
} Fixture;

static char *
json_string (const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);

  return json_to_string (node, FALSE);
}

/* One alert; the members given are JSON, so a test can put any type
 * where a string belongs. */
static char *
alert_json (const char *fingerprint_json,
            const char *labels_json,
            const char *summary_json,
            const char *updated_json)
{
  return g_strdup_printf ("{\"fingerprint\":%s,\"labels\":%s,\"annotations\":{\"summary\":%s},"
                          "\"status\":{\"state\":\"active\",\"silencedBy\":[],\"inhibitedBy\":[]},"
                          "\"startsAt\":\"2026-11-25T10:00:00Z\",\"updatedAt\":%s,"
                          "\"endsAt\":\"2026-11-25T11:00:00Z\",\"receivers\":[{\"name\":\"pieper\"}]}",
                          fingerprint_json, labels_json, summary_json, updated_json);
}

static char *
queued_alert (void)
{
  return alert_json ("\"" QUEUED "\"", "{\"alertname\":\"Queued\",\"service\":\"api\"}",
                     "\"Queued work lives here\"", "\"2026-11-25T10:05:00Z\"");
}

/* The queued alert and @more (a comma-separated list, or NULL). */
static void
serve_alerts (Fixture    *f,
              const char *more)
{
  g_autofree char *queued = queued_alert ();
  g_autofree char *list = g_strdup_printf ("[%s%s%s]", queued, more != NULL ? "," : "", more != NULL ? more : "");

  hostile_server_reply_json (f->base.server, "GET", ALERTS, 0, list);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PieperAction) ack = NULL;
  g_autoptr(GError) error = NULL;
  gint64 incident_id;

  hostile_fixture_set_up (&f->base, "alertmanager");

  /* The responder acknowledged before the round: it must survive it. */
  incident_id = hostile_seed_incident (&f->base, QUEUED, "Queued work lives here");
  ack = pieper_outbox_acknowledge (f->base.outbox, incident_id, &error);
  g_assert_no_error (error);
  f->ack_id = pieper_action_get_id (ack);

  hostile_server_reply_json (f->base.server, "GET", SILENCES, 0, "[]");
  hostile_server_reply_json (f->base.server, "POST", SILENCES, 0,
                             "{\"silenceID\":\"5e0c2b8a-5d7a-4f0e-9b1a-3c2d1e0f9a8b\"}");
  serve_alerts (f, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hostile_fixture_tear_down (&f->base);
}

static void
assert_ack_delivered (Fixture *f)
{
  hostile_assert_action_kept (&f->base, f->ack_id, TRUE);
  g_assert_cmpuint (hostile_server_count (f->base.server, "POST", SILENCES), ==, 1);
}

static void
test_huge_summary (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GString) summary = g_string_new ("<b>");
  g_autoptr(PieperIncident) huge = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary_json = NULL;
  g_autofree char *alert = NULL;
  const char *title;

  while (summary->len < 4 * 1024 * 1024)
    g_string_append (summary, "Disk full on db-1. ");
  summary_json = json_string (summary->str);
  alert = alert_json ("\"00000000000000b1\"", "{\"alertname\":\"Huge\"}", summary_json,
                      "\"2026-11-25T10:05:00Z\"");
  serve_alerts (f, alert);

  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);

  huge = hostile_lookup (&f->base, "00000000000000b1");
  g_assert_nonnull (huge);
  title = pieper_incident_get_title (huge);
  hostile_assert_clean_text (title, PIEPER_TITLE_MAX_BYTES);
  g_assert_true (g_str_has_prefix (title, "<b>Disk full on db-1. Disk full"));
  g_assert_true (g_str_has_suffix (title, "…"));
  assert_ack_delivered (f);
}

static void
test_body_over_cap (Fixture       *f,
                    gconstpointer  data)
{
  gboolean chunked = GPOINTER_TO_INT (data);
  g_autoptr(GString) list = g_string_new ("[{\"fingerprint\":\"00000000000000b2\",\"labels\":{\"a\":\"");
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  while (list->len < 10 * 1000 * 1000)
    g_string_append (list, "0123456789abcdef");
  g_string_append (list, "\"}}]");
  body = g_string_free_to_bytes (g_steal_pointer (&list));
  hostile_server_reply (f->base.server, "GET", ALERTS, 0, 200, body, chunked);

  g_assert_false (hostile_sync (&f->base, &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "too large"));

  g_assert_false (hostile_has (&f->base, "00000000000000b2"));
  g_assert_cmpuint (hostile_count_incidents (&f->base), ==, 1);
  hostile_assert_action_kept (&f->base, f->ack_id, FALSE);
  g_assert_cmpuint (hostile_server_count (f->base.server, "POST", SILENCES), ==, 0);
}

static void
test_deep_nesting (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GString) deep = g_string_new ("{\"fingerprint\":\"00000000000000b3\",\"x\":");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  serve_alerts (f, deep->str);

  g_assert_false (hostile_sync (&f->base, &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "nested too deeply"));
  hostile_assert_action_kept (&f->base, f->ack_id, FALSE);

  /* The same in the silences, after a good list of alerts. */
  serve_alerts (f, NULL);
  hostile_server_reply_json (f->base.server, "GET", SILENCES, 0, deep->str);
  g_clear_error (&error);
  g_assert_false (hostile_sync (&f->base, &error));
  g_assert_nonnull (strstr (error->message, "nested too deeply"));
  hostile_assert_action_kept (&f->base, f->ack_id, FALSE);
  g_assert_cmpuint (hostile_server_count (f->base.server, "POST", SILENCES), ==, 0);
}

static void
test_invalid_utf8_and_nul (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) bad = NULL;
  g_autoptr(PieperIncident) nul = NULL;
  g_autoptr(PieperIncident) queued = NULL;
  g_autofree char *bytes = alert_json ("\"00000000000000b4\"", "{\"alertname\":\"Bytes\",\"service\":\"api\xed\xa0\x80\"}",
                                       "\"Disk \xff\xfe full \xc0\xaf on db-\xe2\x82\"", "\"2026-11-25T10:05:00Z\"");
  g_autofree char *nuls = alert_json ("\"00000000000000b5\"", "{\"alertname\":\"Nul\\u0000x\"}",
                                      "\"before\\u0000after\"", "\"2026-11-25T10:05:00Z\"");
  /* Would read as the queued alert's fingerprint if the NUL cut it. */
  g_autofree char *alias = alert_json ("\"" QUEUED "\\u0000ff\"", "{\"alertname\":\"Alias\"}",
                                       "\"Overwritten\"", "\"2026-11-25T10:09:00Z\"");
  g_autofree char *more = g_strjoin (",", bytes, nuls, alias, NULL);

  serve_alerts (f, more);
  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);

  bad = hostile_lookup (&f->base, "00000000000000b4");
  g_assert_nonnull (bad);
  hostile_assert_clean_text (pieper_incident_get_title (bad), PIEPER_TITLE_MAX_BYTES);
  hostile_assert_clean_text (pieper_incident_get_service (bad), PIEPER_FIELD_MAX_BYTES);
  g_assert_true (g_str_has_prefix (pieper_incident_get_title (bad), "Disk \xef\xbf\xbd"));

  nul = hostile_lookup (&f->base, "00000000000000b5");
  g_assert_nonnull (nul);
  g_assert_true (g_str_has_prefix (pieper_incident_get_title (nul), "before"));
  g_assert_true (g_str_has_suffix (pieper_incident_get_title (nul), "after"));

  queued = hostile_lookup (&f->base, QUEUED);
  g_assert_cmpstr (pieper_incident_get_title (queued), ==, "Queued work lives here");
  g_assert_cmpuint (hostile_count_incidents (&f->base), ==, 3);
  assert_ack_delivered (f);
}

static void
test_wrong_types (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) fallback = NULL;
  g_autofree char *numeric = alert_json ("42", "{\"alertname\":\"Numeric\"}", "\"x\"", "null");
  g_autofree char *object = alert_json ("{\"a\":1}", "{\"alertname\":\"Object\"}", "\"x\"", "null");
  g_autofree char *label_number = alert_json ("\"00000000000000c1\"", "{\"alertname\":1}", "\"x\"", "null");
  g_autofree char *labels_array = alert_json ("\"00000000000000c2\"", "[\"alertname\"]", "\"x\"", "null");
  g_autofree char *typed = alert_json ("\"00000000000000c3\"", "{\"alertname\":\"Typed\",\"job\":\"node\"}",
                                       "{\"text\":\"x\"}", "42");
  g_autofree char *more = g_strjoin (",", numeric, object, label_number, labels_array, typed,
                                     "null", "7", "\"string\"", "[]",
                                     "{\"fingerprint\":\"00000000000000c4\",\"labels\":{\"alertname\":\"Bare\"},"
                                     "\"status\":\"active\",\"annotations\":[],\"receivers\":{},"
                                     "\"generatorURL\":\"javascript:alert(1)\"}",
                                     NULL);

  serve_alerts (f, more);
  hostile_server_reply_json (f->base.server, "GET", SILENCES, 0,
                             "[null, 1, {\"id\": 5}, {\"id\":\"../../x\",\"matchers\":[]},"
                             " {\"id\":\"s1\",\"matchers\":{\"name\":\"a\"},\"comment\":7,\"startsAt\":[]}]");

  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);

  fallback = hostile_lookup (&f->base, "00000000000000c3");
  g_assert_nonnull (fallback);
  g_assert_cmpstr (pieper_incident_get_title (fallback), ==, "Typed (job=node)");
  g_assert_cmpstr (pieper_incident_get_service (fallback), ==, "node");
  g_assert_true (hostile_has (&f->base, "00000000000000c4"));
  g_assert_false (hostile_has (&f->base, "00000000000000c1"));
  g_assert_false (hostile_has (&f->base, "00000000000000c2"));
  g_assert_cmpuint (hostile_count_incidents (&f->base), ==, 3);
  assert_ack_delivered (f);
}

static void
test_duplicate_fingerprints (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) dup = NULL;
  g_autofree char *a = alert_json ("\"00000000000000d1\"", "{\"alertname\":\"First\"}", "\"First\"",
                                   "\"2026-11-25T10:05:00Z\"");
  g_autofree char *b = alert_json ("\"00000000000000D1\"", "{\"alertname\":\"Second\"}", "\"Second\"",
                                   "\"2026-11-25T10:06:00Z\"");
  g_autofree char *c = alert_json ("\"00000000000000d1\"", "{\"alertname\":\"Third\"}", "\"Third\"",
                                   "\"2026-11-25T10:07:00Z\"");
  g_autofree char *queued = queued_alert ();
  g_autofree char *more = g_strjoin (",", a, b, queued, c, NULL);

  serve_alerts (f, more);
  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (hostile_count_incidents (&f->base), ==, 2);
  dup = hostile_lookup (&f->base, "00000000000000d1");
  g_assert_cmpstr (pieper_incident_get_title (dup), ==, "First");
  g_assert_cmpuint (hostile_count_paged (&f->base, "00000000000000d1"), ==, 1);
  assert_ack_delivered (f);
}

static void
test_time_stamps (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) later = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_json = g_date_time_format (now, "\"%Y-%m-%dT%H:%M:%SZ\"");
  g_autofree char *far = alert_json ("\"00000000000000e1\"", "{\"alertname\":\"Future\"}", "\"From the future\"",
                                     "\"9999-12-31T23:59:59Z\"");
  g_autofree char *past = alert_json ("\"00000000000000e2\"", "{\"alertname\":\"Past\"}", "\"Before 1970\"",
                                      "\"1969-07-20T20:17:40Z\"");
  g_autofree char *garbage = alert_json ("\"00000000000000e3\"", "{\"alertname\":\"Garbage\"}", "\"Unparsable\"",
                                         "\"-0001-13-45T99:99:99Z\"");
  g_autofree char *more = g_strjoin (",", far, past, garbage, NULL);
  g_autofree char *fixed = NULL;
  const char *ids[] = { "00000000000000e1", "00000000000000e2", "00000000000000e3" };

  serve_alerts (f, more);
  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(PieperIncident) incident = hostile_lookup (&f->base, ids[i]);

      g_assert_nonnull (incident);
      g_assert_cmpint (pieper_incident_get_updated_at (incident), >=, 0);
      g_assert_cmpint (pieper_incident_get_updated_at (incident), <=,
                       g_date_time_to_unix (now) + PIEPER_CLOCK_SKEW_MAX + 60);
    }

  /* The server's clock fixed: its next word still counts. */
  fixed = alert_json ("\"00000000000000e1\"", "{\"alertname\":\"Future\"}", "\"Clock fixed\"", now_json);
  serve_alerts (f, fixed);
  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);
  later = hostile_lookup (&f->base, "00000000000000e1");
  g_assert_cmpstr (pieper_incident_get_title (later), ==, "Clock fixed");
  assert_ack_delivered (f);
}

static void
test_markup (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autofree char *markup_json = json_string (MARKUP);
  g_autofree char *labels = g_strdup_printf ("{\"alertname\":\"Markup\",\"service\":%s}", markup_json);
  g_autofree char *alert = NULL;
  g_autofree char *silences = NULL;
  g_autofree char *comment = json_string ("Acknowledged in Pieper by " MARKUP " [pieper:ack]\n\n"
                                          "[pieper:note 2026-11-25T10:07:00Z robin@example.com]\n" MARKUP);
  /* The fingerprint Alertmanager would give these labels, so that the
   * silence below is Pieper's for this alert, notes and all. */
  static const char * const names[] = { "alertname", "service", NULL };
  static const char * const values[] = { "Markup", MARKUP, NULL };
  g_autofree char *fingerprint = _pieper_am_fingerprint (names, values);
  gboolean found = FALSE;

  alert = g_strdup_printf ("{\"fingerprint\":\"%s\",\"labels\":%s,"
                           "\"annotations\":{\"summary\":%s,\"description\":%s},"
                           "\"status\":{\"state\":\"suppressed\",\"silencedBy\":[\"5e0c2b8a-0000-4f0e-9b1a-3c2d1e0f9a8b\"],\"inhibitedBy\":[]},"
                           "\"startsAt\":\"2026-11-25T10:00:00Z\",\"updatedAt\":\"2026-11-25T10:05:00Z\"}",
                           fingerprint, labels, markup_json, markup_json);
  silences = g_strdup_printf ("[{\"id\":\"5e0c2b8a-0000-4f0e-9b1a-3c2d1e0f9a8b\",\"status\":{\"state\":\"active\"},"
                              "\"comment\":%s,\"createdBy\":%s,"
                              "\"startsAt\":\"2026-11-25T10:06:00Z\",\"endsAt\":\"2026-11-25T12:00:00Z\","
                              "\"updatedAt\":\"2026-11-25T10:06:00Z\","
                              "\"matchers\":[{\"name\":\"alertname\",\"value\":\"Markup\",\"isRegex\":false,\"isEqual\":true},"
                              "{\"name\":\"service\",\"value\":%s,\"isRegex\":false,\"isEqual\":true}]}]",
                              comment, markup_json, markup_json);
  serve_alerts (f, alert);
  hostile_server_reply_json (f->base.server, "GET", SILENCES, 0, silences);

  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);
  incident = hostile_lookup (&f->base, fingerprint);
  g_assert_nonnull (incident);

  /* Kept as the characters the server sent: escaping is the view's job. */
  g_assert_cmpstr (pieper_incident_get_title (incident), ==, MARKUP);
  g_assert_cmpstr (pieper_incident_get_service (incident), ==, MARKUP);

  pieper_sync_engine_watch_incident (f->base.engine, pieper_incident_get_id (incident), TRUE);
  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);

  timeline = pieper_store_list_timeline (f->base.store, pieper_incident_get_id (incident), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < timeline->len; i++)
    {
      PieperTimelineEntry *entry = g_ptr_array_index (timeline, i);

      g_test_message ("timeline: %s by %s: %s", pieper_timeline_kind_to_string (pieper_timeline_entry_get_kind (entry)),
                      pieper_timeline_entry_get_author (entry), pieper_timeline_entry_get_body (entry));
      if (pieper_timeline_entry_get_kind (entry) == PIEPER_TIMELINE_NOTE)
        {
          g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==, MARKUP);
          found = TRUE;
        }
    }
  g_assert_true (found);
  assert_ack_delivered (f);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/hostile/alertmanager/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("huge-summary", test_huge_summary, NULL);
  ADD ("body-over-cap", test_body_over_cap, GINT_TO_POINTER (FALSE));
  ADD ("body-over-cap-chunked", test_body_over_cap, GINT_TO_POINTER (TRUE));
  ADD ("deep-nesting", test_deep_nesting, NULL);
  ADD ("invalid-utf8-and-nul", test_invalid_utf8_and_nul, NULL);
  ADD ("wrong-types", test_wrong_types, NULL);
  ADD ("duplicate-fingerprints", test_duplicate_fingerprints, NULL);
  ADD ("time-stamps", test_time_stamps, NULL);
  ADD ("markup", test_markup, NULL);

#undef ADD

  return g_test_run ();
}
