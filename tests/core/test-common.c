/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "test-common.h"

TestStore *
test_store_new (void)
{
  g_autoptr(GError) error = NULL;
  TestStore *ts = g_new0 (TestStore, 1);

  ts->dir = test_make_tmp_dir ();
  ts->store = pieper_store_open (ts->dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ts->store);

  ts->outbox = pieper_outbox_new (ts->store);
  ts->account = pieper_store_ensure_account (ts->store, "pagerduty", "https://api.example.com",
                                             "oncall@example.com", &error);
  g_assert_no_error (error);
  g_assert_nonnull (ts->account);

  return ts;
}

void
test_store_free (TestStore *ts)
{
  g_clear_object (&ts->account);
  g_clear_object (&ts->outbox);
  g_clear_object (&ts->store);
  test_remove_tree (ts->dir);
  g_free (ts->dir);
  g_free (ts);
}

PieperIncident *
test_make_incident (const char   *remote_id,
                    gint64        number,
                    PieperStatus  status,
                    gint64        updated_at)
{
  const char * const assignees[] = { "Ada Lovelace", "Grace Hopper", NULL };
  const char * const assignee_ids[] = { "PADA", "PGRACE", NULL };
  g_autofree char *title = g_strdup_printf ("Incident %s: checkout is slow", remote_id);
  g_autofree char *html_url = g_strdup_printf ("https://example.pagerduty.com/incidents/%s", remote_id);
  PieperIncident *incident = pieper_incident_new (remote_id);

  pieper_incident_set_number (incident, number);
  pieper_incident_set_title (incident, title);
  pieper_incident_set_status (incident, status);
  pieper_incident_set_urgency (incident, PIEPER_URGENCY_HIGH);
  pieper_incident_set_priority (incident, "P1");
  pieper_incident_set_service (incident, "checkout");
  pieper_incident_set_escalation_policy (incident, "Web on-call");
  pieper_incident_set_escalation_level (incident, 1);
  pieper_incident_set_assignees (incident, assignees);
  pieper_incident_set_assignee_ids (incident, assignee_ids);
  pieper_incident_set_html_url (incident, html_url);
  pieper_incident_set_created_at (incident, 1700000000 + number);
  pieper_incident_set_updated_at (incident, updated_at);
  pieper_incident_set_last_status_change_at (incident, updated_at);

  return incident;
}

void
test_store_put_snapshot (TestStore      *ts,
                         PieperIncident *incident)
{
  g_autoptr(GPtrArray) incidents = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (incidents, incident);
  pieper_store_apply_snapshot (ts->store, pieper_account_get_id (ts->account), incidents, &error);
  g_assert_no_error (error);
}

gint64
test_store_add_incident (TestStore    *ts,
                         const char   *remote_id,
                         gint64        number,
                         PieperStatus  status,
                         gint64        updated_at)
{
  g_autoptr(PieperIncident) incident = test_make_incident (remote_id, number, status, updated_at);
  g_autoptr(PieperIncident) stored = NULL;
  g_autoptr(GError) error = NULL;

  test_store_put_snapshot (ts, incident);

  stored = pieper_store_lookup_incident (ts->store, pieper_account_get_id (ts->account),
                                         remote_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);

  return pieper_incident_get_id (stored);
}

gint64
test_queue_note (TestStore  *ts,
                 gint64      incident_id,
                 const char *text)
{
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;

  action = pieper_outbox_add_note (ts->outbox, incident_id, text, &error);
  g_assert_no_error (error);

  return pieper_action_get_id (action);
}
