/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-pagerduty"

#include "config.h"

#include "pieper-json.h"
#include "pieper-pagerduty-private.h"

#include "fuzz-target.h"

/*
 * Every PagerDuty response parser on one body, as the provider reads it
 * (raw bytes, not NUL-terminated):
 *
 *   _pieper_pagerduty_parse                          any body
 *   _pieper_pagerduty_incident_from_wrapper          GET/PUT /incidents/{id}
 *   _pieper_pagerduty_incidents_from_page            GET /incidents
 *   _pieper_pagerduty_notes_from_json                GET /incidents/{id}/notes
 *   _pieper_pagerduty_note_from_wrapper              POST /incidents/{id}/notes
 *   _pieper_pagerduty_log_entries_from_page          GET /incidents/{id}/log_entries
 *   _pieper_pagerduty_merge_timeline                 notes + log entries
 *   _pieper_pagerduty_changes_from_log_entries       GET /log_entries (changes)
 *   _pieper_pagerduty_user_from_json                 GET /users/me
 *   _pieper_pagerduty_error_from_response            any error body
 *
 * Each parser sees every input: the shape of the input decides how far it
 * gets, so the seed corpus (tests/fixtures/pagerduty) needs no selector.
 * What they return is serialised as the store would, to touch every field.
 */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  pieper_fuzz_setup ();
  return 0;
}

static void
touch_incident (PieperIncident *incident)
{
  g_autoptr(JsonNode) node = pieper_incident_to_json (incident);
  g_autofree char *text = json_to_string (node, FALSE);

  g_assert (text != NULL);
}

static void
touch_timeline (GPtrArray *entries)
{
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      g_autoptr(JsonNode) node = pieper_timeline_entry_to_json (g_ptr_array_index (entries, i));
      g_autofree char *text = json_to_string (node, FALSE);

      g_assert (text != NULL);
    }
}

static void
error_from (guint       status,
            const char *reason,
            const PieperJsonValue *root)
{
  g_autoptr(GError) error = _pieper_pagerduty_error_from_response (status, reason, root);

  g_assert (error != NULL);
  g_assert (error->domain == PIEPER_PROVIDER_ERROR);
  g_assert (g_utf8_validate (error->message, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(PieperJsonDoc) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperTimelineEntry) note = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GPtrArray) timeline_no_notes = NULL;
  g_auto(GStrv) ids = NULL;
  g_auto(GStrv) change_ids = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *user_name = NULL;
  gboolean more = FALSE;

  root = _pieper_pagerduty_parse ((const char *) data, size, &error);
  if (root == NULL)
    {
      g_assert (error != NULL);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      error_from (502, "Bad Gateway", NULL);
      return 0;
    }

  incident = _pieper_pagerduty_incident_from_wrapper (_pieper_json_doc_get_root (root), NULL);
  if (incident != NULL)
    touch_incident (incident);

  incidents = _pieper_pagerduty_incidents_from_page (_pieper_json_doc_get_root (root), &more, NULL);
  for (guint i = 0; incidents != NULL && i < incidents->len; i++)
    touch_incident (g_ptr_array_index (incidents, i));

  notes = _pieper_pagerduty_notes_from_json (_pieper_json_doc_get_root (root), NULL);
  touch_timeline (notes);

  note = _pieper_pagerduty_note_from_wrapper (_pieper_json_doc_get_root (root), NULL);
  if (note != NULL)
    {
      g_autoptr(JsonNode) node = pieper_timeline_entry_to_json (note);
      g_assert (node != NULL);
    }

  entries = _pieper_pagerduty_log_entries_from_page (_pieper_json_doc_get_root (root), &more, NULL);
  if (entries != NULL)
    {
      timeline = _pieper_pagerduty_merge_timeline (notes, entries);
      timeline_no_notes = _pieper_pagerduty_merge_timeline (NULL, entries);
      touch_timeline (timeline);
      g_assert (timeline_no_notes->len == entries->len);
    }

  ids = _pieper_pagerduty_changes_from_log_entries (_pieper_json_doc_get_root (root), &change_ids,
                                                    &more, NULL);
  g_assert (ids == NULL || g_strv_length (ids) == g_strv_length (change_ids));
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    g_assert (_pieper_pagerduty_id_is_valid (ids[i]) &&
              (change_ids[i][0] == '\0' || _pieper_pagerduty_id_is_valid (change_ids[i])));

  if (_pieper_pagerduty_user_from_json (_pieper_json_doc_get_root (root), &user_id, &user_name, NULL))
    g_assert (user_id != NULL && user_name != NULL);

  error_from (400, "Bad Request", _pieper_json_doc_get_root (root));
  error_from (404, NULL, _pieper_json_doc_get_root (root));
  error_from (409, "Conflict", _pieper_json_doc_get_root (root));
  error_from (429, "Too Many Requests", _pieper_json_doc_get_root (root));
  error_from (503, "", _pieper_json_doc_get_root (root));

  return 0;
}
