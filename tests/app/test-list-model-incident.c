/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <pieper.h>
#include <sqlite3.h>

#include "pieper-incident-list-model.h"
#include "pieper-store-private.h"
#include "test-util.h"

/*
 * pieper_incident_list_model_refresh_incident(), the path of every tap on
 * Acknowledge, Escalate or Resolve: the one incident acted on is replaced
 * in place with one (position, 1, 1) signal, and an incident that is new
 * or would move takes the full merge instead, so the list stays the
 * store's list either way.
 *
 * And the refresh after a sync round: it reads the whole list only when the
 * store's change stamp moved (a round that changed nothing reads nothing),
 * it still shows writes by another process (pieperctl), and any number of
 * rounds ending before the main loop runs again make one refresh.
 */

typedef struct
{
  char                    *dir;
  PieperStore             *store;
  PieperAccount           *account;
  PieperIncidentListModel *model;
  GArray                  *changes;
  /* Statements that read the whole list, traced on the store's connection. */
  guint                    list_reads;
  /* Statements that read a window of it, for a view. */
  guint                    window_reads;
  /* Statements that read incidents, not only the list's keys. */
  guint                    incident_reads;
} Fixture;

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

static PieperIncident *
make_incident (guint n)
{
  g_autofree char *remote_id = g_strdup_printf ("PREF%04u", n);
  PieperIncident *incident = pieper_incident_new (remote_id);

  pieper_incident_set_number (incident, n);
  pieper_incident_set_title (incident, "Queue depth above threshold");
  pieper_incident_set_status (incident, PIEPER_STATUS_TRIGGERED);
  pieper_incident_set_urgency (incident, PIEPER_URGENCY_HIGH);
  /* Newest first: incident n is at position count - n. */
  pieper_incident_set_created_at (incident, 1700000000 + n * 60);
  return incident;
}

static GPtrArray *
incidents_up_to (guint last)
{
  GPtrArray *incidents = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint n = 1; n <= last; n++)
    g_ptr_array_add (incidents, make_incident (n));
  return incidents;
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  Change change = { position, removed, added };

  g_array_append_val (fixture->changes, change);
}

static void
apply_snapshot (Fixture   *fixture,
                GPtrArray *incidents)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pieper_store_apply_snapshot (fixture->store, pieper_account_get_id (fixture->account),
                                              incidents, &error));
  g_assert_no_error (error);
}

static gint64
id_of (Fixture    *fixture,
       const char *remote_id)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  incident = pieper_store_lookup_incident (fixture->store, pieper_account_get_id (fixture->account),
                                           remote_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (incident);
  return pieper_incident_get_id (incident);
}

/* The model holds what the store lists, in its order. */
static void
assert_is_store (Fixture *fixture)
{
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *model = G_LIST_MODEL (fixture->model);

  listed = pieper_store_list_incidents (fixture->store, PIEPER_FILTER_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, listed->len);
  for (guint k = 0; k < listed->len; k++)
    {
      g_autoptr(PieperIncident) item = g_list_model_get_item (model, k);
      PieperIncident *expected = g_ptr_array_index (listed, k);

      g_assert_cmpint (pieper_incident_get_id (item), ==, pieper_incident_get_id (expected));
      g_assert_cmpint (pieper_incident_get_status (item), ==, pieper_incident_get_status (expected));
      g_assert_cmpuint (pieper_incident_get_pending (item), ==, pieper_incident_get_pending (expected));
    }
}

static int
trace_cb (unsigned int  type,
          void         *user_data,
          void         *statement,
          void         *unused)
{
  Fixture *fixture = user_data;
  const char *sql = sqlite3_sql (statement);

  if (sql == NULL || strstr (sql, "FROM incidents") == NULL)
    return 0;

  /* The whole list, as keys or as incidents; not the read of one incident
   * by id nor of the window a view asks for. */
  if (strstr (sql, "ORDER BY") != NULL && strstr (sql, "json_each") == NULL)
    fixture->list_reads++;
  if (strstr (sql, "json_each (?1)") != NULL)
    fixture->window_reads++;
  /* Any read of incidents' columns beyond the list's keys. */
  if (strstr (sql, "i.remote_id") != NULL)
    fixture->incident_reads++;

  return 0;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(PieperAccount) account = pieper_account_new ("pagerduty", "http://127.0.0.1:9", "me@example.com");
  g_autoptr(GPtrArray) incidents = incidents_up_to (10);
  g_autoptr(GError) error = NULL;

  fixture->dir = test_make_tmp_dir ();
  fixture->store = pieper_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  fixture->account = pieper_store_add_account (fixture->store, account, &error);
  g_assert_no_error (error);
  apply_snapshot (fixture, incidents);

  fixture->model = pieper_incident_list_model_new (fixture->store);
  g_assert_true (pieper_incident_list_model_refresh (fixture->model, &error));
  g_assert_no_error (error);
  fixture->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_signal_connect (fixture->model, "items-changed", G_CALLBACK (items_changed_cb), fixture);
  sqlite3_trace_v2 (_pieper_store_get_db (fixture->store), SQLITE_TRACE_STMT, trace_cb, fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->model);
  g_clear_object (&fixture->account);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->changes, g_array_unref);
  test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static void
test_acted_on (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(PieperOutbox) outbox = pieper_outbox_new (fixture->store);
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = id_of (fixture, "PREF0004");
  Change *change;

  action = pieper_outbox_acknowledge (outbox, id, &error);
  g_assert_no_error (error);

  g_assert_true (pieper_incident_list_model_refresh_incident (fixture->model, id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  change = &g_array_index (fixture->changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 10 - 4);
  g_assert_cmpuint (change->removed, ==, 1);
  g_assert_cmpuint (change->added, ==, 1);
  assert_is_store (fixture);

  /* Nothing changed since: nothing said. */
  g_array_set_size (fixture->changes, 0);
  g_assert_true (pieper_incident_list_model_refresh_incident (fixture->model, id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
}

static void
test_new (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = incidents_up_to (11);
  g_autoptr(GError) error = NULL;

  apply_snapshot (fixture, incidents);
  g_assert_true (pieper_incident_list_model_refresh_incident (fixture->model, id_of (fixture, "PREF0011"),
                                                              &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  assert_is_store (fixture);
}

static void
test_moved (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = incidents_up_to (10);
  g_autoptr(GError) error = NULL;

  /* Re-created newer than every other: it belongs at the top now. */
  pieper_incident_set_created_at (g_ptr_array_index (incidents, 2), 1760000000);
  apply_snapshot (fixture, incidents);
  g_assert_true (pieper_incident_list_model_refresh_incident (fixture->model, id_of (fixture, "PREF0003"),
                                                              &error));
  g_assert_no_error (error);
  assert_is_store (fixture);
}

/* Nothing written since the last refresh: nothing read, nothing said. */
static void
test_unchanged (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pieper_store_set_sync_state (fixture->store, pieper_account_get_id (fixture->account),
                                              "changes-since", "1700000000", &error));
  g_assert_no_error (error);
  g_assert_true (pieper_incident_list_model_refresh (fixture->model, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->list_reads, ==, 0);
  g_assert_cmpuint (fixture->changes->len, ==, 0);

  /* A write, and the next refresh reads and shows it. */
  {
    g_autoptr(GPtrArray) incidents = incidents_up_to (11);

    apply_snapshot (fixture, incidents);
  }
  g_assert_true (pieper_incident_list_model_refresh (fixture->model, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->list_reads, ==, 1);
  /* The list's keys only: no incident built for the refresh. */
  g_assert_cmpuint (fixture->incident_reads, ==, 0);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  assert_is_store (fixture);
}

/* pieperctl acknowledging from a terminal: another connection's commit. */
static void
test_other_process (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(PieperStore) other = NULL;
  g_autoptr(PieperOutbox) outbox = NULL;
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = id_of (fixture, "PREF0007");
  Change *change;

  other = pieper_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  outbox = pieper_outbox_new (other);
  action = pieper_outbox_acknowledge (outbox, id, &error);
  g_assert_no_error (error);

  g_assert_true (pieper_incident_list_model_refresh (fixture->model, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  change = &g_array_index (fixture->changes, Change, 0);
  g_assert_cmpuint (change->position, ==, pieper_incident_list_model_find (fixture->model, id));
  g_assert_cmpuint (change->removed, ==, 1);
  g_assert_cmpuint (change->added, ==, 1);
  assert_is_store (fixture);
}

/* A storm of rounds: each says "synced", the list is read once, from the
 * main loop. */
static void
test_coalesced (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(PieperSyncEngine) engine = pieper_sync_engine_new (fixture->store);
  g_autoptr(GPtrArray) incidents = incidents_up_to (12);

  pieper_incident_list_model_set_engine (fixture->model, engine);
  apply_snapshot (fixture, incidents);
  for (guint k = 0; k < 20; k++)
    g_signal_emit_by_name (engine, "synced");
  g_assert_cmpuint (fixture->list_reads, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->model)), ==, 10);

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fixture->list_reads, ==, 1);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  assert_is_store (fixture);

  /* A model that goes away first leaves nothing behind to run (with one
   * more write, a refresh would read; assert_is_store read once). */
  g_clear_pointer (&incidents, g_ptr_array_unref);
  incidents = incidents_up_to (13);
  apply_snapshot (fixture, incidents);
  g_signal_emit_by_name (engine, "synced");
  g_clear_object (&fixture->model);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fixture->list_reads, ==, 2);
}

/* More incidents than the model keeps objects for: each is read from the
 * store when asked for, a window at a time, and is what the store lists;
 * one asked for again soon after is the same object. */
static void
test_window (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = incidents_up_to (600);
  g_autoptr(PieperOutbox) outbox = pieper_outbox_new (fixture->store);
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(PieperIncident) first = NULL;
  g_autoptr(PieperIncident) again = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *model = G_LIST_MODEL (fixture->model);

  apply_snapshot (fixture, incidents);
  /* Pending, at position 600 - 3: its window shows it acknowledged. */
  action = pieper_outbox_acknowledge (outbox, id_of (fixture, "PREF0003"), &error);
  g_assert_no_error (error);
  g_assert_true (pieper_incident_list_model_refresh (fixture->model, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->list_reads, ==, 1);

  fixture->window_reads = 0;
  assert_is_store (fixture);
  /* 600 incidents in windows of 64: ten reads, each window once. */
  g_assert_cmpuint (fixture->window_reads, ==, 10);

  {
    g_autoptr(PieperIncident) acked = g_list_model_get_item (model, 600 - 3);

    g_assert_cmpint (pieper_incident_get_status (acked), ==, PIEPER_STATUS_ACKNOWLEDGED);
    g_assert_cmpuint (pieper_incident_get_pending (acked), ==, 1);
  }

  first = g_list_model_get_item (model, 599);
  again = g_list_model_get_item (model, 599);
  g_assert_true (first == again);
  g_assert_cmpstr (pieper_incident_get_remote_id (first), ==, "PREF0001");
}

/* The incidents of one status, read alone (the effective statuses from
 * the list's keys, then those incidents), are the ones the whole list has
 * with that status, in its order: unsent actions move an incident out of
 * its snapshot's status. */
static void
test_with_status (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = incidents_up_to (12);
  g_autoptr(PieperOutbox) outbox = pieper_outbox_new (fixture->store);
  g_autoptr(PieperAction) acknowledged = NULL;
  g_autoptr(PieperAction) resolved = NULL;
  g_autoptr(PieperAction) escalated = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  static const PieperFilter filters[] = {
    PIEPER_FILTER_OPEN, PIEPER_FILTER_TRIGGERED, PIEPER_FILTER_ACKNOWLEDGED, PIEPER_FILTER_RESOLVED,
  };

  pieper_incident_set_status (g_ptr_array_index (incidents, 4), PIEPER_STATUS_ACKNOWLEDGED);
  pieper_incident_set_status (g_ptr_array_index (incidents, 7), PIEPER_STATUS_RESOLVED);
  apply_snapshot (fixture, incidents);
  acknowledged = pieper_outbox_acknowledge (outbox, id_of (fixture, "PREF0002"), &error);
  g_assert_no_error (error);
  resolved = pieper_outbox_resolve (outbox, id_of (fixture, "PREF0003"), &error);
  g_assert_no_error (error);
  /* Acknowledged in its snapshot, triggered again by an escalation. */
  escalated = pieper_outbox_escalate (outbox, id_of (fixture, "PREF0005"), 0, &error);
  g_assert_no_error (error);

  all = pieper_store_list_incidents (fixture->store, PIEPER_FILTER_ALL, &error);
  g_assert_no_error (error);

  for (guint f = 0; f < G_N_ELEMENTS (filters); f++)
    {
      g_autoptr(GPtrArray) alone = NULL;
      guint k = 0;

      fixture->list_reads = fixture->incident_reads = 0;
      alone = pieper_store_list_incidents (fixture->store, filters[f], &error);
      g_assert_no_error (error);
      /* The keys, and then one read of the incidents that match. */
      g_assert_cmpuint (fixture->list_reads, ==, 1);
      g_assert_cmpuint (fixture->incident_reads, ==, 1);

      for (guint a = 0; a < all->len; a++)
        {
          PieperIncident *expected = g_ptr_array_index (all, a);
          PieperStatus status = pieper_incident_get_status (expected);
          gboolean matches = filters[f] == PIEPER_FILTER_OPEN ? status != PIEPER_STATUS_RESOLVED :
                             filters[f] == PIEPER_FILTER_TRIGGERED ? status == PIEPER_STATUS_TRIGGERED :
                             filters[f] == PIEPER_FILTER_ACKNOWLEDGED ? status == PIEPER_STATUS_ACKNOWLEDGED :
                             status == PIEPER_STATUS_RESOLVED;
          PieperIncident *got;

          if (!matches)
            continue;
          g_assert_cmpuint (k, <, alone->len);
          got = g_ptr_array_index (alone, k++);
          g_assert_cmpint (pieper_incident_get_id (got), ==, pieper_incident_get_id (expected));
          g_assert_cmpint (pieper_incident_get_status (got), ==, status);
          g_assert_cmpint (pieper_incident_get_escalation_level (got), ==,
                           pieper_incident_get_escalation_level (expected));
          g_assert_cmpuint (pieper_incident_get_pending (got), ==, pieper_incident_get_pending (expected));
        }
      g_assert_cmpuint (k, ==, alone->len);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/app/list-model/refresh-incident/acted-on", Fixture, NULL,
              fixture_set_up, test_acted_on, fixture_tear_down);
  g_test_add ("/app/list-model/refresh-incident/new", Fixture, NULL,
              fixture_set_up, test_new, fixture_tear_down);
  g_test_add ("/app/list-model/refresh-incident/moved", Fixture, NULL,
              fixture_set_up, test_moved, fixture_tear_down);
  g_test_add ("/app/list-model/refresh/unchanged-reads-nothing", Fixture, NULL,
              fixture_set_up, test_unchanged, fixture_tear_down);
  g_test_add ("/app/list-model/refresh/other-process", Fixture, NULL,
              fixture_set_up, test_other_process, fixture_tear_down);
  g_test_add ("/app/list-model/window/read-when-asked", Fixture, NULL,
              fixture_set_up, test_window, fixture_tear_down);
  g_test_add ("/app/list-model/window/with-status", Fixture, NULL,
              fixture_set_up, test_with_status, fixture_tear_down);
  g_test_add ("/app/list-model/refresh/coalesced", Fixture, NULL,
              fixture_set_up, test_coalesced, fixture_tear_down);

  return g_test_run ();
}
