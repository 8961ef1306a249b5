/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hostile-fixture"

#include "config.h"

#include <string.h>

#include "pieper-alertmanager.h"
#include "pieper-pagerduty.h"
#include "test-util.h"

#include "hostile-fixture.h"

static void
paged_cb (PieperSyncEngine *engine,
          PieperIncident   *incident,
          gpointer          user_data)
{
  HostileFixture *f = user_data;

  g_ptr_array_add (f->paged, g_strdup (pieper_incident_get_remote_id (incident)));
}

void
hostile_fixture_set_up (HostileFixture *f,
                        const char     *provider_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperProvider) provider = NULL;
  const char *url;

  f->dir = test_make_tmp_dir ();
  f->server = hostile_server_new ();
  url = hostile_server_get_url (f->server);
  f->paged = g_ptr_array_new_with_free_func (g_free);

  f->store = pieper_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->outbox = pieper_outbox_new (f->store);
  f->account = pieper_store_ensure_account (f->store, provider_name, url, HOSTILE_EMAIL, &error);
  g_assert_no_error (error);

  if (g_str_equal (provider_name, "pagerduty"))
    provider = pieper_pagerduty_new (url, HOSTILE_EMAIL, "hostile-test-token");
  else
    provider = pieper_alertmanager_new (url, HOSTILE_EMAIL, NULL, &error);
  g_assert_no_error (error);

  f->engine = pieper_sync_engine_new (f->store);
  pieper_sync_engine_add_account (f->engine, f->account, provider);
  g_signal_connect (f->engine, "incident-paged", G_CALLBACK (paged_cb), f);
}

void
hostile_fixture_tear_down (HostileFixture *f)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->account);
  g_clear_object (&f->outbox);
  g_clear_object (&f->store);
  g_clear_object (&f->server);
  g_clear_pointer (&f->paged, g_ptr_array_unref);
  test_remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} SyncResult;

static void
sync_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SyncResult *r = user_data;

  r->ok = pieper_sync_engine_sync_finish (PIEPER_SYNC_ENGINE (object), result, NULL, &r->error);
  r->done = TRUE;
}

gboolean
hostile_sync (HostileFixture  *f,
              GError         **error)
{
  SyncResult r = { FALSE, };

  /* Every round here reads the served pages again: a full pull, not the
   * incremental round that follows a recent one (the hostile server has
   * no change feed to speak of). */
  g_assert_true (pieper_store_set_sync_state (f->store, pieper_account_get_id (f->account),
                                              "full-pull-at", "0", NULL));
  pieper_sync_engine_sync_async (f->engine, NULL, sync_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);

  if (r.error != NULL)
    {
      g_test_message ("sync: %s", r.error->message);
      g_propagate_error (error, r.error);
    }

  return r.ok;
}

PieperIncident *
hostile_lookup (HostileFixture *f,
                const char     *remote_id)
{
  g_autoptr(GError) error = NULL;
  PieperIncident *incident;

  incident = pieper_store_lookup_incident (f->store, pieper_account_get_id (f->account),
                                           remote_id, &error);
  if (incident == NULL)
    g_test_message ("%s: %s", remote_id, error != NULL ? error->message : "not found");

  return incident;
}

gboolean
hostile_has (HostileFixture *f,
             const char     *remote_id)
{
  g_autoptr(PieperIncident) incident = hostile_lookup (f, remote_id);

  return incident != NULL;
}

guint
hostile_count_incidents (HostileFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = pieper_store_list_incidents (f->store, PIEPER_FILTER_ALL, &error);

  g_assert_no_error (error);
  return all->len;
}

guint
hostile_count_paged (HostileFixture *f,
                     const char     *remote_id)
{
  guint n = 0;

  for (guint i = 0; i < f->paged->len; i++)
    if (g_str_equal (g_ptr_array_index (f->paged, i), remote_id))
      n++;

  return n;
}

gint64
hostile_seed_incident (HostileFixture *f,
                       const char     *remote_id,
                       const char     *title)
{
  g_autoptr(PieperIncident) incident = pieper_incident_new (remote_id);
  g_autoptr(PieperIncident) stored = NULL;
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  pieper_incident_set_title (incident, title);
  pieper_incident_set_status (incident, PIEPER_STATUS_TRIGGERED);
  pieper_incident_set_number (incident, 4242);
  pieper_incident_set_updated_at (incident, 1764000000);  /* 2025-11-24 */
  g_ptr_array_add (one, incident);
  pieper_store_apply_snapshot (f->store, pieper_account_get_id (f->account), one, &error);
  g_assert_no_error (error);

  stored = hostile_lookup (f, remote_id);
  g_assert_nonnull (stored);
  return pieper_incident_get_id (stored);
}

void
hostile_assert_action_kept (HostileFixture *f,
                            gint64          action_id,
                            gboolean        may_be_done)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperAction) action = pieper_outbox_get (f->outbox, action_id, &error);
  PieperActionState state;

  g_assert_no_error (error);
  g_assert_nonnull (action);
  state = pieper_action_get_state (action);
  g_test_message ("action %" G_GINT64_FORMAT ": %s (%s)", action_id,
                  pieper_action_state_to_string (state),
                  pieper_action_get_last_error (action) != NULL ? pieper_action_get_last_error (action) : "no error");

  if (may_be_done && state == PIEPER_ACTION_DONE)
    return;

  g_assert_true (state == PIEPER_ACTION_PENDING || state == PIEPER_ACTION_INFLIGHT);
  g_assert_cmpuint (pieper_outbox_count_unsent (f->outbox, 0), >=, 1);
}

void
hostile_assert_clean_text (const char *text,
                           gsize       max_bytes)
{
  if (text == NULL)
    return;

  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpuint (strlen (text), <=, max_bytes);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_false (g_unichar_iscntrl (g_utf8_get_char (p)));
}
