/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-hostile-pagerduty"

#include "config.h"

#include <string.h>

#include "hostile-fixture.h"

/*
 * A hostile PagerDuty: each test answers GET /incidents (and what else a
 * round asks for) with one kind of bad data, and the real provider, sync
 * engine and store must keep every valid incident of the page, refuse what
 * cannot be read with one error, never crash or log a critical (the suite
 * runs with G_DEBUG=fatal-warnings) and never lose the note queued before
 * the round. tests/hostile/README.md lists the cases and the rules.
 */

#define QUEUED        "PQUEUED"
#define QUEUED_NOTE   "Rolled back deploy 4711."
#define MARKUP        "<b>Disk</b> &amp; <a href=\"https://evil\">click</a> &lt;"

typedef struct
{
  HostileFixture  base;
  gint64          note_id;
} Fixture;

/* A JSON string literal for @text (json-glib's escaping). */
static char *
json_string (const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);

  return json_to_string (node, FALSE);
}

/* One incident object; the members given are JSON, so a test can put any
 * type where a string belongs. */
static char *
incident_json (const char *id_json,
               const char *status_json,
               const char *title_json,
               const char *service_json,
               const char *updated_json)
{
  return g_strdup_printf ("{\"id\":%s,\"type\":\"incident\",\"incident_number\":17,"
                          "\"title\":%s,\"status\":%s,\"urgency\":\"high\","
                          "\"service\":{\"id\":\"PSVC\",\"summary\":%s},"
                          "\"created_at\":\"2026-11-25T10:00:00Z\",\"updated_at\":%s,"
                          "\"html_url\":\"https://example.pagerduty.com/incidents/X\"}",
                          id_json, title_json, status_json, service_json, updated_json);
}

static char *
plain_incident (const char *id,
                const char *title)
{
  g_autofree char *id_json = json_string (id);
  g_autofree char *title_json = json_string (title);

  return incident_json (id_json, "\"triggered\"", title_json, "\"api\"", "\"2026-11-25T10:05:00Z\"");
}

static void
serve_page (Fixture    *f,
            guint       offset,
            gboolean    more,
            const char *incidents)
{
  g_autofree char *page = g_strdup_printf ("{\"incidents\":[%s],\"limit\":100,\"offset\":%u,\"more\":%s}",
                                           incidents, offset, more ? "true" : "false");

  hostile_server_reply_json (f->base.server, "GET", "/incidents", offset, page);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PieperAction) note = NULL;
  g_autoptr(GError) error = NULL;
  gint64 incident_id;

  hostile_fixture_set_up (&f->base, "pagerduty");

  /* The responder wrote a note before the round: it must survive it. */
  incident_id = hostile_seed_incident (&f->base, QUEUED, "Queued work lives here");
  note = pieper_outbox_add_note (f->base.outbox, incident_id, QUEUED_NOTE, &error);
  g_assert_no_error (error);
  f->note_id = pieper_action_get_id (note);

  hostile_server_reply_json (f->base.server, "POST", "/incidents/" QUEUED "/notes", 0,
                             "{\"note\":{\"id\":\"PNOTE1\",\"content\":\"" QUEUED_NOTE "\","
                             "\"created_at\":\"2026-11-25T10:06:00Z\","
                             "\"user\":{\"id\":\"PUSER\",\"summary\":\"Robin\"}}}");
  hostile_server_reply_json (f->base.server, "GET", "/incidents/" QUEUED "/notes", 0,
                             "{\"notes\":[]}");
  hostile_server_reply_json (f->base.server, "GET", "/log_entries", 0,
                             "{\"log_entries\":[],\"limit\":100,\"offset\":0,\"more\":false}");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hostile_fixture_tear_down (&f->base);
}

/* The note was sent once and confirmed, whatever else the round met. */
static void
assert_note_delivered (Fixture *f)
{
  hostile_assert_action_kept (&f->base, f->note_id, TRUE);
  g_assert_cmpuint (hostile_server_count (f->base.server, "POST", "/incidents/" QUEUED "/notes"), ==, 1);
}

static void
test_huge_title (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GString) title = g_string_new ("<b>");
  g_autoptr(PieperIncident) huge = NULL;
  g_autoptr(PieperIncident) queued = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *huge_json = NULL;
  g_autofree char *incidents = NULL;
  g_autofree char *first = plain_incident (QUEUED, "Queued work lives here");
  const char *stored;

  /* 4 MiB: under the body cap, far over the title cap. */
  while (title->len < 4 * 1024 * 1024)
    g_string_append (title, "Disk full on db-1. ");
  huge_json = plain_incident ("PHUGE", title->str);
  incidents = g_strconcat (first, ",", huge_json, NULL);
  serve_page (f, 0, FALSE, incidents);

  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);

  huge = hostile_lookup (&f->base, "PHUGE");
  g_assert_nonnull (huge);
  stored = pieper_incident_get_title (huge);
  hostile_assert_clean_text (stored, PIEPER_TITLE_MAX_BYTES);
  g_assert_true (g_str_has_prefix (stored, "<b>Disk full on db-1. Disk full"));
  g_assert_true (g_str_has_suffix (stored, "…"));

  queued = hostile_lookup (&f->base, QUEUED);
  g_assert_nonnull (queued);
  assert_note_delivered (f);
}

/* A body over the provider's 8 MiB cap (a 10 MB title) is refused, with a
 * Content-Length or without one, before it is read whole: one error, the
 * stored incidents as they were, the note still waiting. */
static void
test_body_over_cap (Fixture       *f,
                    gconstpointer  data)
{
  gboolean chunked = GPOINTER_TO_INT (data);
  g_autoptr(GString) page = g_string_new ("{\"incidents\":[{\"id\":\"PBIG\",\"status\":\"triggered\",\"title\":\"");
  g_autoptr(GBytes) body = NULL;
  g_autoptr(PieperIncident) queued = NULL;
  g_autoptr(GError) error = NULL;

  while (page->len < 10 * 1000 * 1000)
    g_string_append (page, "0123456789abcdef");
  g_string_append (page, "\"}],\"more\":false}");
  body = g_string_free_to_bytes (g_steal_pointer (&page));

  hostile_server_reply (f->base.server, "GET", "/incidents", 0, 200, body, chunked);
  hostile_server_reply (f->base.server, "POST", "/incidents/" QUEUED "/notes", 0, 201, body, chunked);

  g_assert_false (hostile_sync (&f->base, &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "too large"));

  g_assert_false (hostile_has (&f->base, "PBIG"));
  queued = hostile_lookup (&f->base, QUEUED);
  g_assert_cmpstr (pieper_incident_get_title (queued), ==, "Queued work lives here");
  hostile_assert_action_kept (&f->base, f->note_id, FALSE);
}

static void
test_deep_nesting (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *incidents = NULL;
  g_autofree char *first = plain_incident (QUEUED, "Queued work lives here");
  g_autofree char *nested = NULL;
  g_autoptr(PieperIncident) ok = NULL;

  /* Nested to 40 levels in a member Pieper does not read: fine. */
  for (guint i = 0; i < 40; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 40; i++)
    g_string_append_c (deep, ']');
  nested = g_strdup_printf ("{\"id\":\"PNEST\",\"status\":\"acknowledged\",\"title\":\"Nested\",\"x\":%s}", deep->str);
  incidents = g_strconcat (first, ",", nested, NULL);
  serve_page (f, 0, FALSE, incidents);

  g_assert_true (hostile_sync (&f->base, &error));
  ok = hostile_lookup (&f->base, "PNEST");
  g_assert_nonnull (ok);
  assert_note_delivered (f);

  /* 200,000 levels would overflow json-glib's stack: refused whole. */
  g_string_truncate (deep, 0);
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  g_clear_pointer (&nested, g_free);
  g_clear_pointer (&incidents, g_free);
  nested = g_strdup_printf ("{\"id\":\"PDEEP\",\"status\":\"triggered\",\"title\":\"Deep\",\"x\":%s}", deep->str);
  incidents = g_strconcat (first, ",", nested, NULL);
  serve_page (f, 0, FALSE, incidents);

  g_assert_false (hostile_sync (&f->base, &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "nested too deeply"));
  g_assert_false (hostile_has (&f->base, "PDEEP"));
  g_assert_cmpuint (hostile_count_incidents (&f->base), ==, 2);
}

static void
test_invalid_utf8_and_nul (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) bad = NULL;
  g_autoptr(PieperIncident) nul = NULL;
  g_autoptr(PieperIncident) queued = NULL;
  g_autofree char *first = plain_incident (QUEUED, "Queued work lives here");
  g_autofree char *incidents = NULL;

  /* Raw bytes that are not UTF-8 inside the title, an escaped NUL inside
   * a title and a service name, and a NUL in an id, which would otherwise
   * read as "PQUEUED" and overwrite that incident. */
  incidents = g_strconcat (first, ",",
                           "{\"id\":\"PUTF8\",\"status\":\"triggered\","
                           "\"title\":\"Disk \xff\xfe full \xc0\xaf on db-\xe2\x82\",\"service\":{\"summary\":\"api\xed\xa0\x80\"}},",
                           "{\"id\":\"PNUL\",\"status\":\"triggered\","
                           "\"title\":\"before\\u0000after\",\"service\":{\"summary\":\"\\u0000\"}},",
                           "{\"id\":\"" QUEUED "\\u0000evil\",\"status\":\"resolved\",\"title\":\"Overwritten\"}",
                           NULL);
  serve_page (f, 0, FALSE, incidents);

  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);

  bad = hostile_lookup (&f->base, "PUTF8");
  g_assert_nonnull (bad);
  hostile_assert_clean_text (pieper_incident_get_title (bad), PIEPER_TITLE_MAX_BYTES);
  hostile_assert_clean_text (pieper_incident_get_service (bad), PIEPER_FIELD_MAX_BYTES);
  g_assert_true (g_str_has_prefix (pieper_incident_get_title (bad), "Disk \xef\xbf\xbd"));

  nul = hostile_lookup (&f->base, "PNUL");
  g_assert_nonnull (nul);
  hostile_assert_clean_text (pieper_incident_get_title (nul), PIEPER_TITLE_MAX_BYTES);
  g_assert_true (g_str_has_prefix (pieper_incident_get_title (nul), "before"));

  queued = hostile_lookup (&f->base, QUEUED);
  g_assert_cmpint (pieper_incident_get_status (queued), ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpstr (pieper_incident_get_title (queued), ==, "Queued work lives here");
  assert_note_delivered (f);
}

static void
test_wrong_types (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) typed = NULL;
  g_autoptr(PieperIncident) fallback = NULL;
  g_autofree char *first = plain_incident (QUEUED, "Queued work lives here");
  g_autofree char *numeric_id = incident_json ("42", "\"triggered\"", "\"Numeric id\"", "\"api\"", "null");
  g_autofree char *object_id = incident_json ("{\"id\":\"PX\"}", "\"triggered\"", "\"Object id\"", "\"api\"", "null");
  g_autofree char *null_status = incident_json ("\"PNULLSTATUS\"", "null", "\"No status\"", "\"api\"", "null");
  g_autofree char *odd_status = incident_json ("\"PODD\"", "[\"triggered\"]", "\"Odd status\"", "\"api\"", "null");
  g_autofree char *types = incident_json ("\"PTYPES\"", "\"triggered\"", "42", "{\"name\":[1]}", "{}");
  g_autofree char *incidents = NULL;

  incidents = g_strjoin (",", first, numeric_id, object_id, null_status, odd_status, types,
                         "null", "\"PSTRING\"", "7", "[]",
                         "{\"id\":\"PFALLBACK\",\"status\":\"acknowledged\",\"title\":null,"
                         "\"summary\":\"From the summary\",\"incident_number\":\"17\","
                         "\"escalation_level\":1e300,\"assignments\":{\"assignee\":1},"
                         "\"html_url\":\"javascript:alert(1)\",\"priority\":\"P1\"}",
                         NULL);
  /* "more" that is not a boolean must not page on forever. */
  {
    g_autofree char *page = g_strdup_printf ("{\"incidents\":[%s],\"more\":\"yes\",\"offset\":\"0\"}", incidents);
    hostile_server_reply_json (f->base.server, "GET", "/incidents", 0, page);
  }

  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);

  /* The valid ones, and only those. */
  typed = hostile_lookup (&f->base, "PTYPES");
  g_assert_nonnull (typed);
  /* No usable title: none is stored. */
  g_assert_cmpstr (pieper_incident_get_title (typed) ? pieper_incident_get_title (typed) : "", ==, "");
  g_assert_null (pieper_incident_get_service (typed));
  g_assert_cmpint (pieper_incident_get_updated_at (typed), ==, 0);

  fallback = hostile_lookup (&f->base, "PFALLBACK");
  g_assert_nonnull (fallback);
  g_assert_cmpstr (pieper_incident_get_title (fallback), ==, "From the summary");
  g_assert_cmpint (pieper_incident_get_escalation_level (fallback), ==, 1);
  g_assert_null (pieper_incident_get_html_url (fallback));
  g_assert_null (pieper_incident_get_priority (fallback));

  g_assert_cmpuint (hostile_count_incidents (&f->base), ==, 3);
  g_assert_cmpuint (hostile_server_count (f->base.server, "GET", "/incidents"), ==, 1);
  assert_note_delivered (f);
}

static void
test_duplicate_ids (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) dup = NULL;
  g_autofree char *first = plain_incident (QUEUED, "Queued work lives here");
  g_autofree char *v1 = incident_json ("\"PDUP\"", "\"triggered\"", "\"First\"", "\"api\"", "\"2026-11-25T10:00:00Z\"");
  g_autofree char *v2 = incident_json ("\"PDUP\"", "\"triggered\"", "\"Second\"", "\"api\"", "\"2026-11-25T10:05:00Z\"");
  g_autofree char *stale = incident_json ("\"PDUP\"", "\"triggered\"", "\"Stale\"", "\"api\"", "\"2026-11-25T09:00:00Z\"");
  g_autofree char *v3 = incident_json ("\"PDUP\"", "\"acknowledged\"", "\"Page two\"", "\"api\"", "\"2026-11-25T10:10:00Z\"");
  g_autofree char *page0 = g_strjoin (",", v1, first, v2, stale, NULL);
  g_autofree char *page1 = g_strjoin (",", v3, first, NULL);

  serve_page (f, 0, TRUE, page0);
  serve_page (f, 100, FALSE, page1);

  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);

  /* One incident per id, the newest snapshot of it, paged once. */
  g_assert_cmpuint (hostile_count_incidents (&f->base), ==, 2);
  dup = hostile_lookup (&f->base, "PDUP");
  g_assert_cmpstr (pieper_incident_get_title (dup), ==, "Page two");
  g_assert_cmpint (pieper_incident_get_status (dup), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpuint (hostile_count_paged (&f->base, "PDUP"), ==, 1);
  g_assert_cmpuint (hostile_count_paged (&f->base, QUEUED), ==, 0);
  assert_note_delivered (f);
}

static void
test_time_stamps (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) later = NULL;
  g_autofree char *first = plain_incident (QUEUED, "Queued work lives here");
  g_autofree char *far = incident_json ("\"PFUTURE\"", "\"triggered\"", "\"From the future\"", "\"api\"",
                                        "\"9999-12-31T23:59:59Z\"");
  g_autofree char *epoch = incident_json ("\"PEPOCH\"", "\"triggered\"", "\"1970\"", "\"api\"",
                                          "\"1970-01-01T00:00:00Z\"");
  g_autofree char *negative = incident_json ("\"PNEGATIVE\"", "\"triggered\"", "\"Before 1970\"", "\"api\"",
                                             "\"1969-07-20T20:17:40Z\"");
  g_autofree char *garbage = incident_json ("\"PGARBAGE\"", "\"triggered\"", "\"Unparsable\"", "\"api\"",
                                            "\"-0001-13-45T99:99:99Z\"");
  g_autofree char *number = incident_json ("\"PNUMBER\"", "\"triggered\"", "\"A number\"", "\"api\"",
                                           "1764000000");
  g_autofree char *page = g_strjoin (",", first, far, epoch, negative, garbage, number, NULL);
  g_autofree char *now_text = NULL;
  g_autofree char *fixed = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gint64 now_unix = g_date_time_to_unix (now);
  const char *ids[] = { "PFUTURE", "PEPOCH", "PNEGATIVE", "PGARBAGE", "PNUMBER" };

  serve_page (f, 0, FALSE, page);
  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);

  /* Every one stored, with times Pieper can show and compare: none before
   * 1970, none further ahead than the allowed clock skew. */
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(PieperIncident) incident = hostile_lookup (&f->base, ids[i]);

      g_assert_nonnull (incident);
      g_assert_cmpint (pieper_incident_get_updated_at (incident), >=, 0);
      g_assert_cmpint (pieper_incident_get_updated_at (incident), <=, now_unix + PIEPER_CLOCK_SKEW_MAX + 60);
      g_assert_cmpint (pieper_incident_get_created_at (incident), <=, now_unix + PIEPER_CLOCK_SKEW_MAX + 60);
    }

  /* A year-9999 snapshot must not pin the incident: the server's next
   * word, with its clock fixed, still counts. */
  now_text = g_date_time_format (now, "\"%Y-%m-%dT%H:%M:%SZ\"");
  fixed = incident_json ("\"PFUTURE\"", "\"acknowledged\"", "\"Clock fixed\"", "\"api\"", now_text);
  g_clear_pointer (&page, g_free);
  page = g_strjoin (",", first, fixed, NULL);
  serve_page (f, 0, FALSE, page);

  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);
  later = hostile_lookup (&f->base, "PFUTURE");
  g_assert_cmpstr (pieper_incident_get_title (later), ==, "Clock fixed");
  g_assert_cmpint (pieper_incident_get_status (later), ==, PIEPER_STATUS_ACKNOWLEDGED);
  assert_note_delivered (f);
}

static void
test_markup (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autofree char *markup_json = json_string (MARKUP);
  g_autofree char *first = plain_incident (QUEUED, "Queued work lives here");
  g_autofree char *marked = incident_json ("\"PMARKUP\"", "\"triggered\"", markup_json, markup_json,
                                           "\"2026-11-25T10:05:00Z\"");
  g_autofree char *page = g_strjoin (",", first, marked, NULL);
  g_autofree char *notes = g_strdup_printf ("{\"notes\":[{\"id\":\"PN9\",\"content\":%s,"
                                            "\"created_at\":\"2026-11-25T10:07:00Z\","
                                            "\"user\":{\"id\":\"PU\",\"summary\":%s}}]}",
                                            markup_json, markup_json);
  gboolean found = FALSE;

  serve_page (f, 0, FALSE, page);
  hostile_server_reply_json (f->base.server, "GET", "/incidents/PMARKUP/notes", 0, notes);
  hostile_server_reply_json (f->base.server, "GET", "/incidents/PMARKUP/log_entries", 0,
                             "{\"log_entries\":[],\"more\":false}");

  g_assert_true (hostile_sync (&f->base, &error));
  g_assert_no_error (error);
  incident = hostile_lookup (&f->base, "PMARKUP");

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

      if (g_strcmp0 (pieper_timeline_entry_get_remote_id (entry), "PN9") == 0)
        {
          g_assert_cmpstr (pieper_timeline_entry_get_body (entry), ==, MARKUP);
          g_assert_cmpstr (pieper_timeline_entry_get_author (entry), ==, MARKUP);
          found = TRUE;
        }
    }
  g_assert_true (found);
  assert_note_delivered (f);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/hostile/pagerduty/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("huge-title", test_huge_title, NULL);
  ADD ("body-over-cap", test_body_over_cap, GINT_TO_POINTER (FALSE));
  ADD ("body-over-cap-chunked", test_body_over_cap, GINT_TO_POINTER (TRUE));
  ADD ("deep-nesting", test_deep_nesting, NULL);
  ADD ("invalid-utf8-and-nul", test_invalid_utf8_and_nul, NULL);
  ADD ("wrong-types", test_wrong_types, NULL);
  ADD ("duplicate-ids", test_duplicate_ids, NULL);
  ADD ("time-stamps", test_time_stamps, NULL);
  ADD ("markup", test_markup, NULL);

#undef ADD

  return g_test_run ();
}
