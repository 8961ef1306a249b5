/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-alertmanager"

#include "config.h"

#include "pieper-json.h"
#include "pieper-alertmanager-private.h"

#include "fuzz-target.h"

/*
 * Every Alertmanager response parser on one body, as the provider reads it
 * (raw bytes, not NUL-terminated), and what the provider makes of it:
 *
 *   _pieper_am_parse                   any body
 *   _pieper_am_alerts_from_json        GET /api/v2/alerts
 *   _pieper_am_silences_from_json      GET /api/v2/silences
 *   _pieper_am_silence_id_from_json    POST /api/v2/silences
 *   _pieper_am_error_from_response     any error body
 *
 * then, with the same body read as both the alerts and the silences (an
 * array may hold both, so one input can make a silence mute an alert):
 * _pieper_am_incident_from_alert, _pieper_am_timeline and
 * _pieper_am_new_silence_body for each alert, and for each silence
 * _pieper_am_incident_gone, _pieper_am_notes_from_comment and the comment
 * and update-body builders. Everything returned is serialised as the store
 * would, to touch every field.
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
  g_assert (g_utf8_validate (pieper_incident_get_title (incident), -1, NULL));
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
touch_body (JsonNode *body)
{
  g_autofree char *text = json_to_string (body, FALSE);

  g_assert (text != NULL);
  json_node_unref (body);
}

static void
error_from (guint       status,
            const char *reason,
            JsonNode   *root)
{
  g_autoptr(GError) error = _pieper_am_error_from_response (status, reason, root);

  g_assert (error != NULL);
  g_assert (error->domain == PIEPER_PROVIDER_ERROR);
  g_assert (g_utf8_validate (error->message, -1, NULL));
}

static void
touch_alert (PieperAmAlert *alert,
             GPtrArray     *silences)
{
  static const char * const high[] = { "critical", "page", NULL };
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GPtrArray) timeline = NULL;

  incident = _pieper_am_incident_from_alert (alert, silences, high, "http://127.0.0.1:9093");
  touch_incident (incident);

  timeline = _pieper_am_timeline (alert->fingerprint, alert, silences);
  touch_timeline (timeline);

  touch_body (_pieper_am_new_silence_body (alert, 1764000000, 1764003600,
                                           "mira@example.com", "Acknowledged [pieper:ack]"));
}

static void
touch_silence (PieperAmSilence *silence,
               GPtrArray       *silences)
{
  g_autofree char *header = NULL;
  g_autofree char *with_header = NULL;
  g_autofree char *with_note = NULL;

  _pieper_am_comment_marker (silence->comment);
  touch_body (_pieper_am_update_silence_body (silence, 0, NULL, NULL));

  if (silence->comment != NULL)
    {
      header = _pieper_am_comment_header (PIEPER_AM_MARKER_SNOOZE, silence->created_by, silence->ends_at);
      with_header = _pieper_am_comment_set_header (silence->comment, header);
      with_note = _pieper_am_comment_add_note (with_header, "mira@example.com", 1764000000,
                                               "Rolled back.\n[pieper:note x y]");
      g_assert (g_utf8_validate (with_note, -1, NULL));
    }

  if (silence->fingerprint != NULL)
    {
      g_autoptr(PieperIncident) gone = _pieper_am_incident_gone (silence->fingerprint, silences, 1764000000);
      g_autoptr(GPtrArray) notes = _pieper_am_notes_from_comment (silence->fingerprint, silence->comment);
      g_autoptr(GPtrArray) timeline = _pieper_am_timeline (silence->fingerprint, NULL, silences);

      touch_incident (gone);
      touch_timeline (notes);
      touch_timeline (timeline);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  g_autoptr(GPtrArray) silences = NULL;
  g_autofree char *silence_id = NULL;

  root = _pieper_am_parse ((const char *) data, size, &error);
  if (root == NULL)
    {
      g_assert (error != NULL);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      error_from (502, "Bad Gateway", NULL);
      return 0;
    }

  alerts = _pieper_am_alerts_from_json (root, NULL);
  silences = _pieper_am_silences_from_json (root, NULL);

  for (guint i = 0; alerts != NULL && i < alerts->len; i++)
    touch_alert (g_ptr_array_index (alerts, i), silences);

  for (guint i = 0; silences != NULL && i < silences->len; i++)
    touch_silence (g_ptr_array_index (silences, i), silences);

  silence_id = _pieper_am_silence_id_from_json (root, NULL);

  error_from (400, "Bad Request", root);
  error_from (401, NULL, root);
  error_from (404, "Not Found", root);
  error_from (429, "Too Many Requests", root);
  error_from (503, "", root);

  return 0;
}
