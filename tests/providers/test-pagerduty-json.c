/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-pagerduty-json"

#include "config.h"

#include <string.h>

#include "pieper-pagerduty-private.h"

/*
 * The PagerDuty JSON mapping on fixtures in tests/fixtures/pagerduty: the
 * documented shapes, the documented errors, and hostile bodies.
 */

static PieperJsonDoc *
load_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "pagerduty", name, NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  PieperJsonDoc *root;
  gsize length;

  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);

  root = _pieper_pagerduty_parse (data, length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (root);

  return root;
}

static GError *
parse_fixture_error (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "pagerduty", name, NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperJsonDoc) root = NULL;
  gsize length;

  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);

  root = _pieper_pagerduty_parse (data, length, &error);
  g_assert_null (root);
  g_assert_nonnull (error);

  return g_steal_pointer (&error);
}

static guint
strv_length0 (const char * const *strv)
{
  return strv != NULL ? g_strv_length ((char **) strv) : 0;
}

/* The model may hand out "" for a string it does not have. */
static void
assert_empty (const char *text)
{
  g_assert_true (text == NULL || text[0] == '\0');
}

static void
assert_clean_line (const char *text)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_cmpuint (c, >=, 0x20);
      g_assert_false (c >= 0x7f && c <= 0x9f);
      g_assert_false (c >= 0x202a && c <= 0x202e);
    }
}

static void
test_incident_full (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("incident-full.json");
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *assignees;
  const char * const *ids;

  incident = _pieper_pagerduty_incident_from_wrapper (_pieper_json_doc_get_root (root), &error);
  g_assert_no_error (error);

  g_assert_cmpstr (pieper_incident_get_remote_id (incident), ==, "PT4KHLK");
  g_assert_cmpint (pieper_incident_get_number (incident), ==, 1234);
  g_assert_cmpstr (pieper_incident_get_title (incident), ==, "The mail server is on fire.");
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpint (pieper_incident_get_urgency (incident), ==, PIEPER_URGENCY_HIGH);
  g_assert_cmpstr (pieper_incident_get_priority (incident), ==, "P2");
  g_assert_cmpstr (pieper_incident_get_service (incident), ==, "My Mail Service");
  g_assert_cmpstr (pieper_incident_get_escalation_policy (incident), ==, "Mail Team Escalation");
  g_assert_cmpint (pieper_incident_get_escalation_level (incident), ==, 2);
  g_assert_cmpstr (pieper_incident_get_html_url (incident), ==,
                   "https://acme.pagerduty.com/incidents/PT4KHLK");
  g_assert_cmpstr (pieper_incident_get_video_url (incident), ==,
                   "https://meet.example.com/mail-fire");
  assert_empty (pieper_incident_get_chat_url (incident));
  assert_empty (pieper_incident_get_status_page_url (incident));
  assert_empty (pieper_incident_get_postmortem_url (incident));

  /* 2024-03-05T21:30:42Z */
  g_assert_cmpint (pieper_incident_get_created_at (incident), ==, 1709674242);
  g_assert_cmpint (pieper_incident_get_updated_at (incident), ==, 1709674823);
  g_assert_cmpint (pieper_incident_get_last_status_change_at (incident), ==, 1709674703);

  assignees = pieper_incident_get_assignees (incident);
  ids = pieper_incident_get_assignee_ids (incident);
  g_assert_cmpuint (strv_length0 (assignees), ==, 2);
  g_assert_cmpuint (strv_length0 (ids), ==, 2);
  g_assert_cmpstr (assignees[0], ==, "Earline Greenholt");
  g_assert_cmpstr (ids[0], ==, "PXPGF42");
  g_assert_cmpstr (assignees[1], ==, "Kees de Vries");
  g_assert_cmpstr (ids[1], ==, "PAM4FGS");
}

static void
test_incidents_page (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("incidents-page.json");
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  PieperIncident *minimal;
  PieperIncident *slack;
  gboolean more = FALSE;

  incidents = _pieper_pagerduty_incidents_from_page (_pieper_json_doc_get_root (root), &more, &error);
  g_assert_no_error (error);
  g_assert_true (more);

  /* The fourth has no id and is skipped. */
  g_assert_cmpuint (incidents->len, ==, 3);

  minimal = g_ptr_array_index (incidents, 1);
  g_assert_cmpstr (pieper_incident_get_remote_id (minimal), ==, "PQ7N0QZ");
  /* No title: the summary stands in. */
  g_assert_cmpstr (pieper_incident_get_title (minimal), ==, "[#1235] Disk almost full on db-3");
  g_assert_cmpint (pieper_incident_get_status (minimal), ==, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpint (pieper_incident_get_urgency (minimal), ==, PIEPER_URGENCY_LOW);
  assert_empty (pieper_incident_get_priority (minimal));
  assert_empty (pieper_incident_get_service (minimal));
  g_assert_cmpint (pieper_incident_get_escalation_level (minimal), ==, 1);
  g_assert_cmpuint (strv_length0 (pieper_incident_get_assignees (minimal)), ==, 0);
  /* 2024-03-05T23:01:00+01:00 */
  g_assert_cmpint (pieper_incident_get_created_at (minimal), ==, 1709676060);
  g_assert_cmpint (pieper_incident_get_updated_at (minimal), ==, 0);

  slack = g_ptr_array_index (incidents, 2);
  g_assert_cmpstr (pieper_incident_get_chat_url (slack), ==,
                   "https://acme.slack.com/archives/C024BE91L");
  assert_empty (pieper_incident_get_video_url (slack));
  /* Fractional seconds. */
  g_assert_cmpint (pieper_incident_get_created_at (slack), ==, 1709712000);
}

static void
test_incidents_last_page (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("incidents-last-page.json");
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  gboolean more = TRUE;

  incidents = _pieper_pagerduty_incidents_from_page (_pieper_json_doc_get_root (root), &more, &error);
  g_assert_no_error (error);
  g_assert_false (more);
  g_assert_cmpuint (incidents->len, ==, 1);
}

static void
test_not_a_page (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("note-created.json");
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  gboolean more = TRUE;

  incidents = _pieper_pagerduty_incidents_from_page (_pieper_json_doc_get_root (root), &more, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_null (incidents);
  g_assert_false (more);
  g_clear_error (&error);

  incident = _pieper_pagerduty_incident_from_wrapper (_pieper_json_doc_get_root (root), &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_null (incident);
}

static void
test_notes (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("notes.json");
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GError) error = NULL;
  PieperTimelineEntry *note;

  notes = _pieper_pagerduty_notes_from_json (_pieper_json_doc_get_root (root), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (notes->len, ==, 2);

  note = g_ptr_array_index (notes, 0);
  g_assert_cmpint (pieper_timeline_entry_get_kind (note), ==, PIEPER_TIMELINE_NOTE);
  g_assert_cmpstr (pieper_timeline_entry_get_remote_id (note), ==, "PWL7QXS");
  g_assert_cmpstr (pieper_timeline_entry_get_author (note), ==, "Earline Greenholt");
  g_assert_cmpstr (pieper_timeline_entry_get_body (note), ==,
                   "Firefighters are on the scene.\nRestarting postfix.");
  g_assert_cmpint (pieper_timeline_entry_get_at (note), ==, 1709674500);
  g_assert_cmpint (pieper_timeline_entry_get_origin (note), ==, PIEPER_ORIGIN_REMOTE);

  note = g_ptr_array_index (notes, 1);
  g_assert_cmpstr (pieper_timeline_entry_get_body (note), ==, "Queue is draining — looks good.");
}

static void
test_note_created (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("note-created.json");
  g_autoptr(PieperTimelineEntry) note = NULL;
  g_autoptr(GError) error = NULL;

  note = _pieper_pagerduty_note_from_wrapper (_pieper_json_doc_get_root (root), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_timeline_entry_get_remote_id (note), ==, "PWL7QXZ");
  g_assert_cmpstr (pieper_timeline_entry_get_body (note), ==, "Rolled back the deploy.");
  g_assert_cmpint (pieper_timeline_entry_get_at (note), ==, 1709675110);
}

static void
test_log_entry_kinds (void)
{
  static const struct {
    const char *type;
    PieperTimelineKind kind;
  } cases[] = {
    { "annotate_log_entry", PIEPER_TIMELINE_NOTE },
    { "trigger_log_entry", PIEPER_TIMELINE_TRIGGER },
    { "trigger_log_entry_reference", PIEPER_TIMELINE_TRIGGER },
    { "acknowledge_log_entry", PIEPER_TIMELINE_ACKNOWLEDGE },
    { "escalate_log_entry", PIEPER_TIMELINE_ESCALATE },
    { "assign_log_entry", PIEPER_TIMELINE_REASSIGN },
    { "snooze_log_entry", PIEPER_TIMELINE_SNOOZE },
    { "resolve_log_entry", PIEPER_TIMELINE_RESOLVE },
    { "unacknowledge_log_entry", PIEPER_TIMELINE_OTHER },
    { "notify_log_entry", PIEPER_TIMELINE_OTHER },
    { "exhaust_escalation_path_log_entry", PIEPER_TIMELINE_OTHER },
    { "acknowledge", PIEPER_TIMELINE_ACKNOWLEDGE },
    { "", PIEPER_TIMELINE_OTHER },
    { NULL, PIEPER_TIMELINE_OTHER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (_pieper_pagerduty_log_entry_kind (cases[i].type), ==, cases[i].kind);
}

static void
test_timeline (void)
{
  g_autoptr(PieperJsonDoc) notes_root = load_fixture ("notes.json");
  g_autoptr(PieperJsonDoc) log_root = load_fixture ("log-entries.json");
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GPtrArray) without_notes = NULL;
  g_autoptr(GError) error = NULL;
  gboolean more = TRUE;
  static const PieperTimelineKind expected[] = {
    PIEPER_TIMELINE_TRIGGER,     /* 21:30:42, server order kept */
    PIEPER_TIMELINE_OTHER,       /* 21:30:42 urgency change */
    PIEPER_TIMELINE_OTHER,       /* 21:30:50 notify */
    PIEPER_TIMELINE_NOTE,        /* 21:35:00 the note, not the annotate entry */
    PIEPER_TIMELINE_ACKNOWLEDGE, /* 21:38:23 */
    PIEPER_TIMELINE_NOTE,        /* 21:39:00 */
    PIEPER_TIMELINE_ESCALATE,    /* 21:40:00 */
    PIEPER_TIMELINE_REASSIGN,    /* 21:44:00 */
    PIEPER_TIMELINE_SNOOZE,      /* 21:50:00 */
    PIEPER_TIMELINE_RESOLVE,     /* 22:10:00 */
  };

  notes = _pieper_pagerduty_notes_from_json (_pieper_json_doc_get_root (notes_root), &error);
  g_assert_no_error (error);
  entries = _pieper_pagerduty_log_entries_from_page (_pieper_json_doc_get_root (log_root), &more, &error);
  g_assert_no_error (error);
  g_assert_false (more);
  g_assert_cmpuint (entries->len, ==, 9);

  timeline = _pieper_pagerduty_merge_timeline (notes, entries);
  g_assert_cmpuint (timeline->len, ==, G_N_ELEMENTS (expected));

  for (guint i = 0; i < timeline->len; i++)
    {
      PieperTimelineEntry *entry = g_ptr_array_index (timeline, i);

      g_assert_cmpint (pieper_timeline_entry_get_kind (entry), ==, expected[i]);
      if (i > 0)
        g_assert_cmpint (pieper_timeline_entry_get_at (g_ptr_array_index (timeline, i - 1)), <=,
                         pieper_timeline_entry_get_at (entry));
    }

  g_assert_cmpstr (pieper_timeline_entry_get_remote_id (g_ptr_array_index (timeline, 0)), ==,
                   "Q02JTSNZWHSEKV");
  g_assert_cmpstr (pieper_timeline_entry_get_author (g_ptr_array_index (timeline, 0)), ==,
                   "My Mail Service");
  g_assert_cmpstr (pieper_timeline_entry_get_body (g_ptr_array_index (timeline, 0)), ==,
                   "Triggered through the API");
  /* An entry without an agent has no author. */
  assert_empty (pieper_timeline_entry_get_author (g_ptr_array_index (timeline, 1)));
  g_assert_cmpstr (pieper_timeline_entry_get_remote_id (g_ptr_array_index (timeline, 3)), ==,
                   "PWL7QXS");

  /* Without the notes, the annotate log entry stands for the note. */
  without_notes = _pieper_pagerduty_merge_timeline (NULL, entries);
  g_assert_cmpuint (without_notes->len, ==, 9);
  g_assert_cmpint (pieper_timeline_entry_get_kind (g_ptr_array_index (without_notes, 3)), ==,
                   PIEPER_TIMELINE_NOTE);
}

static void
test_changes (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("log-entries-changes.json");
  g_auto(GStrv) ids = NULL;
  g_auto(GStrv) change_ids = NULL;
  g_autoptr(GError) error = NULL;
  gboolean more = FALSE;
  const char *expected[] = { "PT4KHLK", "PQ7N0QZ", "PT4KHLK", "PSLACK1", NULL };
  const char *expected_changes[] = { "C1", "C2", "C3", "C4", NULL };

  ids = _pieper_pagerduty_changes_from_log_entries (_pieper_json_doc_get_root (root), &change_ids,
                                                    &more, &error);
  g_assert_no_error (error);
  g_assert_true (more);
  g_assert_cmpstrv (ids, expected);
  g_assert_cmpstrv (change_ids, expected_changes);
}

static void
test_user (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("user-me.json");
  g_autoptr(PieperJsonDoc) other = load_fixture ("notes.json");
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;

  g_assert_true (_pieper_pagerduty_user_from_json (_pieper_json_doc_get_root (root), &id, &name, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "PXPGF42");
  g_assert_cmpstr (name, ==, "Earline Greenholt");

  g_assert_false (_pieper_pagerduty_user_from_json (_pieper_json_doc_get_root (other), NULL, NULL, &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
}

static void
assert_error_mapping (guint       status,
                      const char *fixture,
                      int         code,
                      const char *contains)
{
  g_autoptr(PieperJsonDoc) root = fixture != NULL ? load_fixture (fixture) : NULL;
  g_autoptr(GError) error = NULL;

  error = _pieper_pagerduty_error_from_response (status, "Reason Phrase", _pieper_json_doc_get_root (root));
  g_test_message ("%u %s → %s", status, fixture ? fixture : "(no body)", error->message);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, code);
  assert_clean_line (error->message);
  g_assert_cmpuint (strlen (error->message), <=, 800);
  if (contains != NULL)
    g_assert_nonnull (strstr (error->message, contains));
}

static void
test_errors (void)
{
  assert_error_mapping (400, "error-1001.json", PIEPER_PROVIDER_ERROR_CONFLICT, "already resolved");
  assert_error_mapping (400, "error-1002.json", PIEPER_PROVIDER_ERROR_CONFLICT, "already acknowledged");
  assert_error_mapping (400, "error-1006.json", PIEPER_PROVIDER_ERROR_CONFLICT, "cannot be escalated");
  assert_error_mapping (400, "error-1006.json", PIEPER_PROVIDER_ERROR_CONFLICT,
                        "Escalation level 7 does not exist");
  assert_error_mapping (400, "error-2001.json", PIEPER_PROVIDER_ERROR_PERMANENT,
                        "Invalid Input Provided: Status must be one of");
  assert_error_mapping (404, "error-2100.json", PIEPER_PROVIDER_ERROR_NOT_FOUND, "code 2100");
  assert_error_mapping (400, "error-2100.json", PIEPER_PROVIDER_ERROR_NOT_FOUND, NULL);
  assert_error_mapping (404, NULL, PIEPER_PROVIDER_ERROR_NOT_FOUND, "Reason Phrase");
  assert_error_mapping (401, "error-2006.json", PIEPER_PROVIDER_ERROR_AUTH, "Authentication failed");
  assert_error_mapping (401, NULL, PIEPER_PROVIDER_ERROR_AUTH, "HTTP 401");
  assert_error_mapping (403, NULL, PIEPER_PROVIDER_ERROR_AUTH, NULL);
  assert_error_mapping (429, "error-429.json", PIEPER_PROVIDER_ERROR_RATE_LIMITED, "Rate Limit Exceeded");
  assert_error_mapping (429, NULL, PIEPER_PROVIDER_ERROR_RATE_LIMITED, NULL);
  assert_error_mapping (500, NULL, PIEPER_PROVIDER_ERROR_TRANSIENT, NULL);
  assert_error_mapping (503, "error-2001.json", PIEPER_PROVIDER_ERROR_TRANSIENT, NULL);
  assert_error_mapping (408, NULL, PIEPER_PROVIDER_ERROR_TRANSIENT, NULL);
  assert_error_mapping (402, NULL, PIEPER_PROVIDER_ERROR_PERMANENT, NULL);
  assert_error_mapping (418, "notes.json", PIEPER_PROVIDER_ERROR_PERMANENT, NULL);
  /* Wrong types in the error body: the code is a string, so it is not a
   * conflict; the details that are strings are kept, on one line. */
  assert_error_mapping (400, "error-weird.json", PIEPER_PROVIDER_ERROR_PERMANENT, "line one line two");
}

static void
test_retry_after (void)
{
  g_autoptr(GDateTime) date = g_date_time_new_utc (2024, 3, 5, 21, 31, 0);
  gint64 now = g_date_time_to_unix (date) - 90;

  g_assert_cmpuint (_pieper_pagerduty_parse_retry_after ("17", "20", now), ==, 17);
  g_assert_cmpuint (_pieper_pagerduty_parse_retry_after (NULL, "20", now), ==, 20);
  g_assert_cmpuint (_pieper_pagerduty_parse_retry_after (" 5 ", NULL, now), ==, 5);
  g_assert_cmpuint (_pieper_pagerduty_parse_retry_after ("Tue, 05 Mar 2024 21:31:00 GMT", NULL, now), ==, 90);
  g_assert_cmpuint (_pieper_pagerduty_parse_retry_after ("Tue, 05 Mar 2020 21:31:00 GMT", NULL, now), ==, 0);
  g_assert_cmpuint (_pieper_pagerduty_parse_retry_after ("soon", "later", now), ==, 0);
  g_assert_cmpuint (_pieper_pagerduty_parse_retry_after ("-3", "12", now), ==, 12);
  g_assert_cmpuint (_pieper_pagerduty_parse_retry_after ("99999999", NULL, now), ==, 3600);
  g_assert_cmpuint (_pieper_pagerduty_parse_retry_after (NULL, NULL, now), ==, 0);
}

static void
test_cursor (void)
{
  g_autofree char *first = _pieper_pagerduty_next_cursor (0, TRUE);
  g_autofree char *late = _pieper_pagerduty_next_cursor (9800, TRUE);
  guint offset = 42;

  g_assert_cmpstr (first, ==, "100");
  g_assert_cmpstr (late, ==, "9900");
  /* 9900 + 100 is the last page PagerDuty serves. */
  g_assert_null (_pieper_pagerduty_next_cursor (9900, TRUE));
  g_assert_null (_pieper_pagerduty_next_cursor (0, FALSE));

  g_assert_true (_pieper_pagerduty_parse_cursor (NULL, &offset));
  g_assert_cmpuint (offset, ==, 0);
  g_assert_true (_pieper_pagerduty_parse_cursor ("9900", &offset));
  g_assert_cmpuint (offset, ==, 9900);
  g_assert_false (_pieper_pagerduty_parse_cursor ("10000", &offset));
  g_assert_false (_pieper_pagerduty_parse_cursor ("-100", &offset));
  g_assert_false (_pieper_pagerduty_parse_cursor ("abc", &offset));
  g_assert_false (_pieper_pagerduty_parse_cursor ("", &offset));
}

static void
test_time (void)
{
  g_autofree char *text = _pieper_pagerduty_format_time (1709674242);

  g_assert_cmpstr (text, ==, "2024-03-05T21:30:42Z");
  g_assert_cmpint (_pieper_pagerduty_parse_time ("2024-03-05T21:30:42Z"), ==, 1709674242);
  g_assert_cmpint (_pieper_pagerduty_parse_time ("2024-03-05T22:30:42+01:00"), ==, 1709674242);
  /* PagerDuty sends UTC; a time without a zone is read as UTC. */
  g_assert_cmpint (_pieper_pagerduty_parse_time ("2024-03-05T21:30:42"), ==, 1709674242);
  g_assert_cmpint (_pieper_pagerduty_parse_time ("yesterday"), ==, 0);
  g_assert_cmpint (_pieper_pagerduty_parse_time (""), ==, 0);
  g_assert_cmpint (_pieper_pagerduty_parse_time (NULL), ==, 0);
}

static void
test_text (void)
{
  g_autofree char *line = _pieper_pagerduty_text ("a\nb\r\nc\td\u202e", 100, FALSE);
  g_autofree char *note = _pieper_pagerduty_text ("a\nb\r\nc\rd\te\x01", 100, TRUE);
  g_autofree char *capped = _pieper_pagerduty_text ("ééééé", 6, FALSE);

  g_assert_cmpstr (line, ==, "a b  c d");
  g_assert_cmpstr (note, ==, "a\nb\nc\nd\te ");
  g_assert_true (g_utf8_validate (capped, -1, NULL));
  g_assert_cmpuint (strlen (capped), <=, 6);
  g_assert_null (_pieper_pagerduty_text (NULL, 10, FALSE));
}

static void
test_ids (void)
{
  g_assert_true (_pieper_pagerduty_id_is_valid ("PT4KHLK"));
  g_assert_true (_pieper_pagerduty_id_is_valid ("Q02JTSNZWHSEKV"));
  g_assert_false (_pieper_pagerduty_id_is_valid (NULL));
  g_assert_false (_pieper_pagerduty_id_is_valid (""));
  g_assert_false (_pieper_pagerduty_id_is_valid ("../x"));
  g_assert_false (_pieper_pagerduty_id_is_valid ("a b"));
  g_assert_false (_pieper_pagerduty_id_is_valid ("a?b"));
  g_assert_false (_pieper_pagerduty_id_is_valid ("é"));
}

/* Hostile bodies */

static void
test_invalid_utf8 (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("invalid-utf8.json");
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  const char *title;

  incident = _pieper_pagerduty_incident_from_wrapper (_pieper_json_doc_get_root (root), &error);
  g_assert_no_error (error);

  title = pieper_incident_get_title (incident);
  g_assert_true (g_utf8_validate (title, -1, NULL));
  g_assert_true (g_str_has_prefix (title, "Bad "));
  g_assert_nonnull (strstr (title, "\xef\xbf\xbd")); /* U+FFFD */
  g_assert_true (g_str_has_suffix (title, " end"));
  g_assert_cmpstr (pieper_incident_get_service (incident), ==, "Caf\xef\xbf\xbd service");
  g_assert_true (g_utf8_validate (pieper_incident_get_assignees (incident)[0], -1, NULL));
}

static void
test_control_chars (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("control-chars.json");
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  incident = _pieper_pagerduty_incident_from_wrapper (_pieper_json_doc_get_root (root), &error);
  g_assert_no_error (error);
  assert_clean_line (pieper_incident_get_title (incident));
  assert_clean_line (pieper_incident_get_service (incident));
  g_assert_true (g_str_has_prefix (pieper_incident_get_title (incident), "Line one Line two"));
}

static void
test_wrong_types (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("wrong-types.json");
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  PieperIncident *wrong;
  PieperIncident *links;
  const char * const *names;
  const char * const *ids;
  gboolean more = TRUE;

  incidents = _pieper_pagerduty_incidents_from_page (_pieper_json_doc_get_root (root), &more, &error);
  g_assert_no_error (error);
  /* "more": "yes" is not a boolean: no next page. */
  g_assert_false (more);
  /* The unknown status and the non-objects are skipped. */
  g_assert_cmpuint (incidents->len, ==, 2);

  wrong = g_ptr_array_index (incidents, 0);
  g_assert_cmpstr (pieper_incident_get_remote_id (wrong), ==, "PWRONG1");
  g_assert_cmpint (pieper_incident_get_status (wrong), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpint (pieper_incident_get_number (wrong), ==, 0);
  assert_empty (pieper_incident_get_title (wrong));
  g_assert_cmpint (pieper_incident_get_urgency (wrong), ==, PIEPER_URGENCY_HIGH);
  assert_empty (pieper_incident_get_priority (wrong));
  assert_empty (pieper_incident_get_service (wrong));
  assert_empty (pieper_incident_get_escalation_policy (wrong));
  g_assert_cmpint (pieper_incident_get_escalation_level (wrong), ==, 1);
  g_assert_cmpuint (strv_length0 (pieper_incident_get_assignees (wrong)), ==, 0);
  assert_empty (pieper_incident_get_html_url (wrong));
  assert_empty (pieper_incident_get_video_url (wrong));
  g_assert_cmpint (pieper_incident_get_created_at (wrong), ==, 0);
  g_assert_cmpint (pieper_incident_get_updated_at (wrong), ==, 0);

  links = g_ptr_array_index (incidents, 1);
  assert_empty (pieper_incident_get_html_url (links));  /* file:// */
  assert_empty (pieper_incident_get_video_url (links)); /* a space in it */
  names = pieper_incident_get_assignees (links);
  ids = pieper_incident_get_assignee_ids (links);
  g_assert_cmpuint (strv_length0 (names), ==, 2);
  g_assert_cmpuint (strv_length0 (ids), ==, 2);
  g_assert_cmpstr (ids[0], ==, "POK0001");
  g_assert_cmpstr (names[0], ==, "POK0001");
  g_assert_cmpstr (ids[1], ==, "POK0002");
  g_assert_cmpstr (names[1], ==, "Second Line");
}

static void
test_missing_ids (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("missing-ids.json");
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  gboolean more = TRUE;

  incidents = _pieper_pagerduty_incidents_from_page (_pieper_json_doc_get_root (root), &more, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, ==, 1);
  g_assert_cmpstr (pieper_incident_get_remote_id (g_ptr_array_index (incidents, 0)), ==, "PGOOD01");
}

/* Printable ASCII short enough is kept as it is without the core's
 * cleaning; everything else gets it: the same text either way. */
static void
test_text_as_the_core_cleans_it (void)
{
  g_autofree char *at_cap = g_strnfill (PIEPER_TITLE_MAX_BYTES, 'x');
  g_autofree char *over_cap = g_strnfill (PIEPER_TITLE_MAX_BYTES + 1, 'x');
  const char *texts[] = {
    "Disk full on db-2", "x", " leading", "trailing ", "  ", "tab\there", "new\nline",
    "del\x7f", "caf\xc3\xa9", "rtl\xe2\x80\xae" "evil", at_cap, over_cap,
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *json = NULL;
      g_autofree char *expected = pieper_text_clean (texts[i], PIEPER_TITLE_MAX_BYTES, FALSE);
      g_autoptr(PieperJsonDoc) doc = NULL;
      g_autoptr(PieperIncident) incident = NULL;
      g_autoptr(GError) error = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, "PTEXT01");
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, "triggered");
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, texts[i]);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      json = json_to_string (node, FALSE);

      doc = _pieper_pagerduty_parse (json, strlen (json), &error);
      g_assert_no_error (error);
      incident = _pieper_pagerduty_incident_from_json (_pieper_json_doc_get_root (doc), &error);
      g_assert_no_error (error);

      if (expected[0] == '\0')
        assert_empty (pieper_incident_get_title (incident));
      else
        g_assert_cmpstr (pieper_incident_get_title (incident), ==, expected);
    }
}

static void
test_huge_title (void)
{
  g_autoptr(PieperJsonDoc) root = load_fixture ("huge-title.json");
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  const char *title;

  incident = _pieper_pagerduty_incident_from_wrapper (_pieper_json_doc_get_root (root), &error);
  g_assert_no_error (error);

  title = pieper_incident_get_title (incident);
  g_assert_true (g_utf8_validate (title, -1, NULL));
  g_assert_cmpuint (strlen (title), <=, PIEPER_TITLE_MAX_BYTES);
  g_assert_cmpuint (strlen (title), >, PIEPER_TITLE_MAX_BYTES / 2);
  g_assert_true (g_str_has_prefix (title, "\xf0\x9f\x94\xa5" "AAA"));
}

static void
assert_refused (const char *fixture,
                const char *contains)
{
  g_autoptr(GError) error = parse_fixture_error (fixture);

  g_test_message ("%s → %s", fixture, error->message);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  assert_clean_line (error->message);
  g_assert_nonnull (strstr (error->message, contains));
}

static void
test_refused_bodies (void)
{
  assert_refused ("deep-nesting.json", "nested too deeply");
  assert_refused ("deep-nesting-huge.json", "nested too deeply");
  assert_refused ("truncated.json", "malformed or truncated");
  assert_refused ("not-json.html", "malformed or truncated");
}

static void
test_parse_edge_cases (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperJsonDoc) root = NULL;
  /* Brackets inside strings do not count as nesting. */
  g_autofree char *opening = g_strnfill (200, '[');
  g_autofree char *brackets = g_strdup_printf ("{\"title\": \"%s\"}", opening);
  g_autoptr(GString) in_string = g_string_new ("{\"t\": \"");

  for (guint i = 0; i < 1000; i++)
    g_string_append (in_string, "[{\\\"");
  g_string_append (in_string, "\"}");

  root = _pieper_pagerduty_parse (in_string->str, in_string->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (root);
  g_clear_pointer (&root, _pieper_json_doc_free);

  root = _pieper_pagerduty_parse (brackets, strlen (brackets), &error);
  g_assert_no_error (error);
  g_clear_pointer (&root, _pieper_json_doc_free);

  root = _pieper_pagerduty_parse ("", 0, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_null (root);
  g_clear_error (&error);

  root = _pieper_pagerduty_parse ("   ", 3, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_null (root);
  g_clear_error (&error);

  /* A NUL byte in the middle. */
  root = _pieper_pagerduty_parse ("{\"a\":\0\"b\"}", 10, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_null (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pagerduty/json/incident-full", test_incident_full);
  g_test_add_func ("/pagerduty/json/incidents-page", test_incidents_page);
  g_test_add_func ("/pagerduty/json/incidents-last-page", test_incidents_last_page);
  g_test_add_func ("/pagerduty/json/not-a-page", test_not_a_page);
  g_test_add_func ("/pagerduty/json/notes", test_notes);
  g_test_add_func ("/pagerduty/json/note-created", test_note_created);
  g_test_add_func ("/pagerduty/json/log-entry-kinds", test_log_entry_kinds);
  g_test_add_func ("/pagerduty/json/timeline", test_timeline);
  g_test_add_func ("/pagerduty/json/changes", test_changes);
  g_test_add_func ("/pagerduty/json/user", test_user);
  g_test_add_func ("/pagerduty/json/errors", test_errors);
  g_test_add_func ("/pagerduty/json/retry-after", test_retry_after);
  g_test_add_func ("/pagerduty/json/cursor", test_cursor);
  g_test_add_func ("/pagerduty/json/time", test_time);
  g_test_add_func ("/pagerduty/json/text", test_text);
  g_test_add_func ("/pagerduty/json/ids", test_ids);
  g_test_add_func ("/pagerduty/json/hostile/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/pagerduty/json/hostile/control-chars", test_control_chars);
  g_test_add_func ("/pagerduty/json/hostile/wrong-types", test_wrong_types);
  g_test_add_func ("/pagerduty/json/hostile/missing-ids", test_missing_ids);
  g_test_add_func ("/pagerduty/json/hostile/huge-title", test_huge_title);
  g_test_add_func ("/pagerduty/json/text-as-the-core-cleans-it", test_text_as_the_core_cleans_it);
  g_test_add_func ("/pagerduty/json/hostile/refused", test_refused_bodies);
  g_test_add_func ("/pagerduty/json/hostile/parse-edge-cases", test_parse_edge_cases);

  return g_test_run ();
}
