/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <pieper.h>

#include "pieper-incident-list-model-private.h"
#include "pieper-incident-status-filter.h"
#include "test-util.h"

/*
 * The list model emits exact items-changed ranges: a sync that changes
 * three incidents out of twenty makes three (position, 1, 1) signals; an
 * incident leaving, or moving because its sort key changed, makes the
 * exact signals below. After every sync, a mirror rebuilt from the
 * signals alone is the model.
 */

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

/* A model's items-changed signals, and the test's mirror of the model,
 * kept in step with them. */
typedef struct
{
  GListModel *model;
  GArray     *changes;
  GPtrArray  *mirror;
} Recorder;

typedef struct
{
  char                    *dir;
  PieperStore             *store;
  PieperAccount           *account;
  PieperIncidentListModel *model;
  Recorder                 recorder;
} Fixture;

static PieperIncident *
make_incident (guint        n,
               PieperStatus status)
{
  g_autofree char *remote_id = g_strdup_printf ("PINC%04u", n);
  g_autofree char *title = g_strdup_printf ("Incident %u", n);
  PieperIncident *incident = pieper_incident_new (remote_id);

  pieper_incident_set_number (incident, n);
  pieper_incident_set_title (incident, title);
  pieper_incident_set_status (incident, status);
  pieper_incident_set_urgency (incident, PIEPER_URGENCY_HIGH);
  pieper_incident_set_service (incident, "checkout-api");
  /* Newest first: a higher number is newer. */
  pieper_incident_set_created_at (incident, 1700000000 + n * 60);
  pieper_incident_set_updated_at (incident, 1700000000 + n * 60);
  return incident;
}

static void
recorder_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Recorder   *recorder)
{
  Change change = { position, removed, added };

  g_array_append_val (recorder->changes, change);

  g_assert_cmpuint (position + removed, <=, recorder->mirror->len);
  g_ptr_array_remove_range (recorder->mirror, position, removed);
  for (guint k = 0; k < added; k++)
    g_ptr_array_insert (recorder->mirror, position + k, g_list_model_get_item (model, position + k));
}

/* Starts recording @model, its mirror holding what it holds now. */
static void
recorder_start (Recorder   *recorder,
                GListModel *model)
{
  recorder->model = g_object_ref (model);
  recorder->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  recorder->mirror = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint k = 0; k < g_list_model_get_n_items (model); k++)
    g_ptr_array_add (recorder->mirror, g_list_model_get_item (model, k));
  g_signal_connect (model, "items-changed", G_CALLBACK (recorder_changed_cb), recorder);
}

static void
recorder_stop (Recorder *recorder)
{
  g_signal_handlers_disconnect_by_func (recorder->model, recorder_changed_cb, recorder);
  g_clear_object (&recorder->model);
  g_clear_pointer (&recorder->changes, g_array_unref);
  g_clear_pointer (&recorder->mirror, g_ptr_array_unref);
}

/* Refreshes the model from the store, recording what this refresh says. */
static void
refresh (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_array_set_size (fixture->recorder.changes, 0);
  g_assert_true (pieper_incident_list_model_refresh (fixture->model, &error));
  g_assert_no_error (error);
}

/* A sync of the fixture's account that brings @incidents. */
static void
apply (Fixture    *fixture,
       GPtrArray  *incidents)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pieper_store_apply_snapshot (fixture->store, pieper_account_get_id (fixture->account),
                                              incidents, &error));
  g_assert_no_error (error);
  refresh (fixture);
}

/* The mirror, built from the signals alone, is the model. */
static void
assert_mirror (Recorder *recorder)
{
  g_assert_cmpuint (recorder->mirror->len, ==, g_list_model_get_n_items (recorder->model));
  for (guint k = 0; k < recorder->mirror->len; k++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (recorder->model, k);

      g_assert_true (item == g_ptr_array_index (recorder->mirror, k));
    }
}

/* The signals are exactly @expected, and the mirror is the model. */
static void
assert_changes (Recorder     *recorder,
                const Change  expected[],
                guint         n_expected)
{
  g_assert_cmpuint (recorder->changes->len, ==, n_expected);
  for (guint k = 0; k < n_expected; k++)
    {
      Change *change = &g_array_index (recorder->changes, Change, k);

      g_assert_cmpuint (change->position, ==, expected[k].position);
      g_assert_cmpuint (change->removed, ==, expected[k].removed);
      g_assert_cmpuint (change->added, ==, expected[k].added);
    }
  assert_mirror (recorder);
}

static GPtrArray *
twenty (void)
{
  GPtrArray *incidents = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint n = 1; n <= 20; n++)
    g_ptr_array_add (incidents, make_incident (n, PIEPER_STATUS_TRIGGERED));
  return incidents;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(PieperAccount) account = pieper_account_new ("pagerduty", "http://127.0.0.1:9", "me@example.com");
  g_autoptr(GPtrArray) incidents = twenty ();
  g_autoptr(GError) error = NULL;
  const Change expected[] = { { 0, 0, 20 } };

  fixture->dir = test_make_tmp_dir ();
  fixture->store = pieper_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  fixture->account = pieper_store_add_account (fixture->store, account, &error);
  g_assert_no_error (error);
  fixture->model = pieper_incident_list_model_new (fixture->store);
  recorder_start (&fixture->recorder, G_LIST_MODEL (fixture->model));

  apply (fixture, incidents);
  assert_changes (&fixture->recorder, expected, G_N_ELEMENTS (expected));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  recorder_stop (&fixture->recorder);
  g_clear_object (&fixture->model);
  g_clear_object (&fixture->account);
  g_clear_object (&fixture->store);
  test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* Positions in the model: newest first, so incident n is at 20 - n. */
static void
test_three_changed (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = twenty ();
  const Change expected[] = { { 20 - 17, 1, 1 }, { 20 - 10, 1, 1 }, { 20 - 3, 1, 1 } };

  pieper_incident_set_status (g_ptr_array_index (incidents, 2), PIEPER_STATUS_ACKNOWLEDGED);   /* #3 */
  pieper_incident_set_title (g_ptr_array_index (incidents, 9), "Incident 10, now worse");       /* #10 */
  pieper_incident_set_escalation_level (g_ptr_array_index (incidents, 16), 2);                  /* #17 */
  apply (fixture, incidents);
  assert_changes (&fixture->recorder, expected, G_N_ELEMENTS (expected));

  /* The same snapshot again changes nothing, so says nothing. */
  apply (fixture, incidents);
  g_assert_cmpuint (fixture->recorder.changes->len, ==, 0);
}

static void
test_adjacent_changed (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = twenty ();
  /* One run: #7, #6, #5 sit next to each other. */
  const Change expected[] = { { 20 - 7, 3, 3 } };

  for (guint n = 5; n <= 7; n++)
    pieper_incident_set_status (g_ptr_array_index (incidents, n - 1), PIEPER_STATUS_ACKNOWLEDGED);
  apply (fixture, incidents);
  assert_changes (&fixture->recorder, expected, G_N_ELEMENTS (expected));
}

static void
test_new_page (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = twenty ();
  const Change expected[] = { { 0, 0, 1 } };

  g_ptr_array_add (incidents, make_incident (21, PIEPER_STATUS_TRIGGERED));
  apply (fixture, incidents);
  assert_changes (&fixture->recorder, expected, G_N_ELEMENTS (expected));
}

static void
test_pending_action (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(PieperOutbox) outbox = pieper_outbox_new (fixture->store);
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;
  /* The effective state: acknowledged, and one change waiting. */
  const Change expected[] = { { 20 - 12, 1, 1 } };
  GPtrArray *mirror = fixture->recorder.mirror;

  incident = pieper_store_lookup_incident (fixture->store, pieper_account_get_id (fixture->account),
                                           "PINC0012", &error);
  g_assert_no_error (error);
  action = pieper_outbox_acknowledge (outbox, pieper_incident_get_id (incident), &error);
  g_assert_no_error (error);

  refresh (fixture);
  assert_changes (&fixture->recorder, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (pieper_incident_get_status (g_ptr_array_index (mirror, 8)), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpuint (pieper_incident_get_pending (g_ptr_array_index (mirror, 8)), ==, 1);
}

/* What the model says when an incident leaves and when one moves, exactly:
 *
 * - an incident that leaves is one (position, 1, 0) where it was;
 * - an incident whose sort key changed (it was re-created, so it is newer
 *   or older than before) leaves where it was and enters where it is now:
 *   two signals, (old position, 1, 0) and (new position, 0, 1), in list
 *   order, each position as the list is when the signal is emitted;
 * - the incidents in between are not touched.
 *
 * Positions: newest first, so incident n is at 20 - n. */

/* The store keeps every incident it has seen (a resolved one stays, under
 * the Resolved filter); incidents leave the model when their account is
 * removed. A second account's incidents sit between the first's at 21 - 8
 * (#8.5), and at the bottom (#0.5 and #0.25); removing the account takes
 * out each of its runs in one signal. */
static void
test_removed (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(PieperAccount) other = pieper_account_new ("pagerduty", "http://127.0.0.1:9", "other@example.com");
  g_autoptr(PieperAccount) added = NULL;
  g_autoptr(GPtrArray) incidents = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  const gint64 created[] = { 1700000000 + 8 * 60 + 30, 1700000000 + 30, 1700000000 + 15 };
  const Change expected[] = { { 20 - 8, 1, 0 }, { 20, 2, 0 } };

  added = pieper_store_add_account (fixture->store, other, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < G_N_ELEMENTS (created); k++)
    {
      PieperIncident *incident = make_incident (100 + k, PIEPER_STATUS_TRIGGERED);

      pieper_incident_set_created_at (incident, created[k]);
      g_ptr_array_add (incidents, incident);
    }
  g_assert_true (pieper_store_apply_snapshot (fixture->store, pieper_account_get_id (added), incidents, &error));
  g_assert_no_error (error);
  refresh (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->model)), ==, 23);
  assert_mirror (&fixture->recorder);

  g_assert_true (pieper_store_remove_account (fixture->store, pieper_account_get_id (added), TRUE, &error));
  g_assert_no_error (error);
  refresh (fixture);
  assert_changes (&fixture->recorder, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->model)), ==, 20);
}

static void
test_moved_up (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = twenty ();
  /* #15 enters at the top, then leaves its old place, one further down
   * now: 20 - 15 + 1. */
  const Change expected[] = { { 0, 0, 1 }, { 20 - 15 + 1, 1, 0 } };

  pieper_incident_set_created_at (g_ptr_array_index (incidents, 14), 1760000000);
  apply (fixture, incidents);
  assert_changes (&fixture->recorder, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (pieper_incident_get_number (g_ptr_array_index (fixture->recorder.mirror, 0)), ==, 15);
}

static void
test_moved_down (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = twenty ();
  /* #18 leaves its place, then enters at the bottom, after the other 19. */
  const Change expected[] = { { 20 - 18, 1, 0 }, { 19, 0, 1 } };

  pieper_incident_set_created_at (g_ptr_array_index (incidents, 17), 1600000000);
  apply (fixture, incidents);
  assert_changes (&fixture->recorder, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (pieper_incident_get_number (g_ptr_array_index (fixture->recorder.mirror, 19)), ==, 18);
}

/* The first and the last change places: each moves, and the incidents in
 * between are not touched. */
static void
test_swapped (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = twenty ();
  const Change expected[] = { { 0, 1, 1 }, { 19, 1, 1 } };

  pieper_incident_set_created_at (g_ptr_array_index (incidents, 0), 1700000000 + 20 * 60);
  pieper_incident_set_created_at (g_ptr_array_index (incidents, 19), 1700000000 + 1 * 60);
  apply (fixture, incidents);
  assert_changes (&fixture->recorder, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (pieper_incident_get_number (g_ptr_array_index (fixture->recorder.mirror, 0)), ==, 1);
  g_assert_cmpint (pieper_incident_get_number (g_ptr_array_index (fixture->recorder.mirror, 19)), ==, 20);
}

/* Two moves and a change in one sync: #15 enters at the top and leaves
 * its place (one further down), #4 changes in place, #18 leaves its place
 * and enters at the bottom. */
static void
test_moved_and_changed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = twenty ();
  const Change expected[] = {
    { 0, 0, 1 },
    { 20 - 18 + 1, 1, 0 },
    { 20 - 15 + 1 - 1, 1, 0 },
    { 20 - 4 - 1, 1, 1 },
    { 19, 0, 1 },
  };

  pieper_incident_set_created_at (g_ptr_array_index (incidents, 14), 1760000000);
  pieper_incident_set_created_at (g_ptr_array_index (incidents, 17), 1600000000);
  pieper_incident_set_status (g_ptr_array_index (incidents, 3), PIEPER_STATUS_ACKNOWLEDGED);
  apply (fixture, incidents);
  assert_changes (&fixture->recorder, expected, G_N_ELEMENTS (expected));
}

static gboolean
triggered (gpointer item,
           gpointer user_data)
{
  return pieper_incident_get_status (item) == PIEPER_STATUS_TRIGGERED;
}

/* Resolving changes the incident in place in the model, (position, 1, 1);
 * behind the window's Triggered filter, that is one row leaving,
 * (position, 1, 0), and nothing else. */
static void
test_resolved_leaves_filter (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = twenty ();
  g_autoptr(GtkFilterListModel) filtered = NULL;
  const Change expected[] = { { 20 - 12, 1, 1 } };
  /* In the filter: #12 was at 20 - 12 - 1, #17 being above it and out. */
  const Change expected_filtered[] = { { 20 - 12 - 1, 1, 0 } };
  Recorder recorder = { 0, };

  /* #17 is acknowledged, so the filter's positions differ from the
   * model's. */
  pieper_incident_set_status (g_ptr_array_index (incidents, 16), PIEPER_STATUS_ACKNOWLEDGED);
  apply (fixture, incidents);

  filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (fixture->model)),
                                        GTK_FILTER (gtk_custom_filter_new (triggered, NULL, NULL)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filtered)), ==, 19);
  recorder_start (&recorder, G_LIST_MODEL (filtered));

  pieper_incident_set_status (g_ptr_array_index (incidents, 11), PIEPER_STATUS_RESOLVED);
  apply (fixture, incidents);
  assert_changes (&fixture->recorder, expected, G_N_ELEMENTS (expected));
  assert_changes (&recorder, expected_filtered, G_N_ELEMENTS (expected_filtered));

  recorder_stop (&recorder);
}

/* The status view: the model's incidents with one status, in its order,
 * with items-changed signals that keep a mirror in step. */

/* @view is the model's incidents with @status, in its order, and the
 * mirror of its signals is @view. */
static void
assert_status_view (Fixture                    *fixture,
                    PieperIncidentStatusFilter *view,
                    Recorder                   *recorder)
{
  GListModel *model = G_LIST_MODEL (fixture->model);
  guint n_items = g_list_model_get_n_items (model);
  guint shown = 0;

  for (guint k = 0; k < n_items; k++)
    {
      g_autoptr(PieperIncident) incident = g_list_model_get_item (model, k);
      g_autoptr(PieperIncident) item = NULL;

      if (pieper_incident_get_status (incident) != pieper_incident_status_filter_get_status (view))
        continue;
      item = g_list_model_get_item (G_LIST_MODEL (view), shown++);
      g_assert_nonnull (item);
      g_assert_true (item == incident);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, shown);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (view), shown));
  assert_mirror (recorder);
}

/* @n incidents: #5, #10, … resolved, #3, #6, … acknowledged, the rest
 * triggered; but every one above @resolved_above resolved. */
static GPtrArray *
mixed (guint n,
       guint resolved_above)
{
  GPtrArray *incidents = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint k = 1; k <= n; k++)
    {
      PieperStatus status = PIEPER_STATUS_TRIGGERED;

      if (k > resolved_above || k % 5 == 0)
        status = PIEPER_STATUS_RESOLVED;
      else if (k % 3 == 0)
        status = PIEPER_STATUS_ACKNOWLEDGED;
      g_ptr_array_add (incidents, make_incident (k, status));
    }
  return incidents;
}

/* A view of each status, with a recorder of its signals. */
typedef struct
{
  PieperIncidentStatusFilter *views[3];
  Recorder                    recorders[3];
} Views;

static void
views_init (Views   *views,
            Fixture *fixture)
{
  const PieperStatus statuses[] = { PIEPER_STATUS_TRIGGERED, PIEPER_STATUS_ACKNOWLEDGED, PIEPER_STATUS_RESOLVED };

  for (guint v = 0; v < G_N_ELEMENTS (views->views); v++)
    {
      GListModel *view = G_LIST_MODEL (pieper_incident_status_filter_new (fixture->model, statuses[v]));
      Recorder *recorder = &views->recorders[v];

      views->views[v] = PIEPER_INCIDENT_STATUS_FILTER (view);
      recorder_start (recorder, view);
    }
}

static void
views_clear (Views *views)
{
  for (guint v = 0; v < G_N_ELEMENTS (views->views); v++)
    {
      recorder_stop (&views->recorders[v]);
      g_clear_object (&views->views[v]);
    }
}

/* Each view is right, its mirror too; then their signals are forgotten. */
static void
assert_views (Fixture *fixture,
              Views   *views)
{
  for (guint v = 0; v < G_N_ELEMENTS (views->views); v++)
    {
      assert_status_view (fixture, views->views[v], &views->recorders[v]);
      g_array_set_size (views->recorders[v].changes, 0);
    }
}

static gint64
incident_id (Fixture    *fixture,
             const char *remote_id)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  incident = pieper_store_lookup_incident (fixture->store, pieper_account_get_id (fixture->account),
                                           remote_id, &error);
  g_assert_no_error (error);
  return pieper_incident_get_id (incident);
}

/* The views follow the model through every kind of change, with exact
 * signals; those of the Triggered view are spelled out. It shows, newest
 * first, #19, #17, #16, #14, #13, #11, #8, #7, #4, #2 and #1. */
static void
test_status_view (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = mixed (20, G_MAXUINT);
  g_autoptr(PieperOutbox) outbox = pieper_outbox_new (fixture->store);
  g_autoptr(PieperAccount) other = pieper_account_new ("pagerduty", "http://127.0.0.1:9", "other@example.com");
  g_autoptr(PieperAccount) added = NULL;
  g_autoptr(PieperAction) acknowledged = NULL;
  g_autoptr(PieperAction) resolved = NULL;
  g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  Recorder *triggered;
  Views views;

  apply (fixture, incidents);
  views_init (&views, fixture);
  triggered = &views.recorders[0];
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (views.views[0])), ==, 11);
  assert_views (fixture, &views);

  /* A change to an incident it does not show says nothing (#6 is
   * acknowledged). */
  pieper_incident_set_title (g_ptr_array_index (incidents, 5), "Incident 6, now worse");
  apply (fixture, incidents);
  assert_changes (triggered, NULL, 0);
  assert_views (fixture, &views);

  /* New: #21 enters at the top; #22 is resolved. */
  {
    const Change expected[] = { { 0, 0, 1 } };

    g_ptr_array_add (incidents, make_incident (21, PIEPER_STATUS_TRIGGERED));
    g_ptr_array_add (incidents, make_incident (22, PIEPER_STATUS_RESOLVED));
    apply (fixture, incidents);
    assert_changes (triggered, expected, G_N_ELEMENTS (expected));
    assert_views (fixture, &views);
  }

  /* The server acknowledged #19 and triggered #3 again; #17 changed in
   * place. #19 leaves (after #21), #17 is replaced where it is now, #3
   * enters between #4 and #2. */
  {
    const Change expected[] = { { 1, 1, 0 }, { 1, 1, 1 }, { 9, 0, 1 } };

    pieper_incident_set_status (g_ptr_array_index (incidents, 18), PIEPER_STATUS_ACKNOWLEDGED);
    pieper_incident_set_status (g_ptr_array_index (incidents, 2), PIEPER_STATUS_TRIGGERED);
    pieper_incident_set_title (g_ptr_array_index (incidents, 16), "Incident 17, now worse");
    apply (fixture, incidents);
    assert_changes (triggered, expected, G_N_ELEMENTS (expected));
    assert_views (fixture, &views);
  }

  /* Acknowledged here, the action waiting in the outbox, and the one
   * incident read again as the application does after an action: the key
   * says acknowledged, and #14 leaves (after #21, #17, #16). */
  {
    const Change expected[] = { { 3, 1, 0 } };
    gint64 id = incident_id (fixture, "PINC0014");

    acknowledged = pieper_outbox_acknowledge (outbox, id, &error);
    g_assert_no_error (error);
    g_assert_true (pieper_incident_list_model_refresh_incident (fixture->model, id, &error));
    g_assert_no_error (error);
    assert_changes (triggered, expected, G_N_ELEMENTS (expected));
    assert_views (fixture, &views);
  }

  /* Resolved here, and the whole list read again: #16 leaves. */
  {
    const Change expected[] = { { 2, 1, 0 } };

    resolved = pieper_outbox_resolve (outbox, incident_id (fixture, "PINC0016"), &error);
    g_assert_no_error (error);
    refresh (fixture);
    assert_changes (triggered, expected, G_N_ELEMENTS (expected));
    assert_views (fixture, &views);
  }

  /* A second account's incidents, between the first's, two of them
   * triggered; and gone with the account. */
  added = pieper_store_add_account (fixture->store, other, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < 4; k++)
    {
      PieperIncident *incident = make_incident (100 + k, k % 2 ? PIEPER_STATUS_RESOLVED : PIEPER_STATUS_TRIGGERED);

      pieper_incident_set_created_at (incident, 1700000000 + (4 + 4 * k) * 60 + 30);
      g_ptr_array_add (others, incident);
    }
  g_assert_true (pieper_store_apply_snapshot (fixture->store, pieper_account_get_id (added), others, &error));
  g_assert_no_error (error);
  refresh (fixture);
  g_assert_cmpuint (triggered->changes->len, ==, 2);
  assert_views (fixture, &views);
  g_assert_true (pieper_store_remove_account (fixture->store, pieper_account_get_id (added), TRUE, &error));
  g_assert_no_error (error);
  refresh (fixture);
  g_assert_cmpuint (triggered->changes->len, ==, 2);
  assert_views (fixture, &views);

  /* #13 was re-created, so it is the newest: it enters at the top, then
   * leaves its place, one further down now (after #13, #21, #17). */
  {
    const Change expected[] = { { 0, 0, 1 }, { 3, 1, 0 } };

    pieper_incident_set_created_at (g_ptr_array_index (incidents, 12), 1760000000);
    apply (fixture, incidents);
    assert_changes (triggered, expected, G_N_ELEMENTS (expected));
    assert_views (fixture, &views);
  }

  views_clear (&views);
}

/* What the status view shows is read from the store with the rest of its
 * block in the view, not with its neighbours in the model: reading every
 * item of a view that hides most incidents reads only those it shows. */
static void
test_status_view_reads (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = mixed (400, 20);
  g_autoptr(PieperIncidentListModel) model = NULL;
  g_autoptr(PieperIncidentStatusFilter) view = NULL;
  g_autoptr(GError) error = NULL;
  guint n_items;

  apply (fixture, incidents);
  /* A model of its own, with nothing read yet. */
  model = pieper_incident_list_model_new (fixture->store);
  g_assert_true (pieper_incident_list_model_refresh (model, &error));
  g_assert_no_error (error);
  view = pieper_incident_status_filter_new (model, PIEPER_STATUS_TRIGGERED);
  g_assert_cmpuint (_pieper_incident_list_model_get_n_read (model), ==, 0);

  /* The 11 triggered of #1 … #20, at the bottom of 400. */
  n_items = g_list_model_get_n_items (G_LIST_MODEL (view));
  g_assert_cmpuint (n_items, ==, 11);
  for (guint k = 0; k < n_items; k++)
    {
      g_autoptr(PieperIncident) item = g_list_model_get_item (G_LIST_MODEL (view), k);

      g_assert_cmpint (pieper_incident_get_status (item), ==, PIEPER_STATUS_TRIGGERED);
    }
  g_assert_cmpuint (_pieper_incident_list_model_get_n_read (model), ==, n_items);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/app/list-model/three-changed", Fixture, NULL,
              fixture_set_up, test_three_changed, fixture_tear_down);
  g_test_add ("/app/list-model/adjacent-changed", Fixture, NULL,
              fixture_set_up, test_adjacent_changed, fixture_tear_down);
  g_test_add ("/app/list-model/new-page", Fixture, NULL,
              fixture_set_up, test_new_page, fixture_tear_down);
  g_test_add ("/app/list-model/pending-action", Fixture, NULL,
              fixture_set_up, test_pending_action, fixture_tear_down);
  g_test_add ("/app/list-model/removed", Fixture, NULL,
              fixture_set_up, test_removed, fixture_tear_down);
  g_test_add ("/app/list-model/moved-up", Fixture, NULL,
              fixture_set_up, test_moved_up, fixture_tear_down);
  g_test_add ("/app/list-model/moved-down", Fixture, NULL,
              fixture_set_up, test_moved_down, fixture_tear_down);
  g_test_add ("/app/list-model/swapped", Fixture, NULL,
              fixture_set_up, test_swapped, fixture_tear_down);
  g_test_add ("/app/list-model/moved-and-changed", Fixture, NULL,
              fixture_set_up, test_moved_and_changed, fixture_tear_down);
  g_test_add ("/app/list-model/resolved-leaves-filter", Fixture, NULL,
              fixture_set_up, test_resolved_leaves_filter, fixture_tear_down);

  g_test_add ("/app/list-model/status-view", Fixture, NULL,
              fixture_set_up, test_status_view, fixture_tear_down);
  g_test_add ("/app/list-model/status-view-reads", Fixture, NULL,
              fixture_set_up, test_status_view_reads, fixture_tear_down);

  return g_test_run ();
}
