/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <pieper.h>

#include "pieper-incident-list-model.h"
#include "test-util.h"

/*
 * The list model emits exact items-changed ranges: a sync that changes
 * three incidents out of twenty makes three (position, 1, 1) signals, and
 * insertions, removals and moves make the smallest runs there are.
 */

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

typedef struct
{
  char                    *dir;
  PieperStore             *store;
  PieperAccount           *account;
  PieperIncidentListModel *model;
  GArray                  *changes;
  /* The test's mirror of the model, kept in step with the signals. */
  GPtrArray               *mirror;
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
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  Change change = { position, removed, added };

  g_array_append_val (fixture->changes, change);

  g_assert_cmpuint (position + removed, <=, fixture->mirror->len);
  g_ptr_array_remove_range (fixture->mirror, position, removed);
  for (guint k = 0; k < added; k++)
    g_ptr_array_insert (fixture->mirror, position + k, g_list_model_get_item (model, position + k));
}

static void
apply (Fixture    *fixture,
       GPtrArray  *incidents)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pieper_store_apply_snapshot (fixture->store, pieper_account_get_id (fixture->account),
                                              incidents, &error));
  g_assert_no_error (error);
  g_array_set_size (fixture->changes, 0);
  g_assert_true (pieper_incident_list_model_refresh (fixture->model, &error));
  g_assert_no_error (error);
}

/* The mirror, built from the signals alone, is the model. */
static void
assert_mirror (Fixture *fixture)
{
  GListModel *model = G_LIST_MODEL (fixture->model);

  g_assert_cmpuint (fixture->mirror->len, ==, g_list_model_get_n_items (model));
  for (guint k = 0; k < fixture->mirror->len; k++)
    {
      g_autoptr(PieperIncident) item = g_list_model_get_item (model, k);

      g_assert_true (item == g_ptr_array_index (fixture->mirror, k));
    }
}

static void
assert_change (Fixture *fixture,
               guint    index,
               guint    position,
               guint    removed,
               guint    added)
{
  Change *change;

  g_assert_cmpuint (index, <, fixture->changes->len);
  change = &g_array_index (fixture->changes, Change, index);
  g_assert_cmpuint (change->position, ==, position);
  g_assert_cmpuint (change->removed, ==, removed);
  g_assert_cmpuint (change->added, ==, added);
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

  fixture->dir = test_make_tmp_dir ();
  fixture->store = pieper_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  fixture->account = pieper_store_add_account (fixture->store, account, &error);
  g_assert_no_error (error);
  fixture->model = pieper_incident_list_model_new (fixture->store);
  fixture->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  fixture->mirror = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (fixture->model, "items-changed", G_CALLBACK (items_changed_cb), fixture);

  apply (fixture, incidents);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  assert_change (fixture, 0, 0, 0, 20);
  assert_mirror (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->model);
  g_clear_object (&fixture->account);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->changes, g_array_unref);
  g_clear_pointer (&fixture->mirror, g_ptr_array_unref);
  test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* Positions in the model: newest first, so incident n is at 20 - n. */
static void
test_three_changed (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = twenty ();
  g_autoptr(GError) error = NULL;

  pieper_incident_set_status (g_ptr_array_index (incidents, 2), PIEPER_STATUS_ACKNOWLEDGED);   /* #3 */
  pieper_incident_set_title (g_ptr_array_index (incidents, 9), "Incident 10, now worse");       /* #10 */
  pieper_incident_set_escalation_level (g_ptr_array_index (incidents, 16), 2);                  /* #17 */
  apply (fixture, incidents);

  g_assert_cmpuint (fixture->changes->len, ==, 3);
  assert_change (fixture, 0, 20 - 17, 1, 1);
  assert_change (fixture, 1, 20 - 10, 1, 1);
  assert_change (fixture, 2, 20 - 3, 1, 1);
  assert_mirror (fixture);

  /* The same snapshot again changes nothing, so says nothing. */
  apply (fixture, incidents);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
}

static void
test_adjacent_changed (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = twenty ();

  for (guint n = 5; n <= 7; n++)
    pieper_incident_set_status (g_ptr_array_index (incidents, n - 1), PIEPER_STATUS_ACKNOWLEDGED);
  apply (fixture, incidents);

  /* One run: #7, #6, #5 sit next to each other. */
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  assert_change (fixture, 0, 20 - 7, 3, 3);
  assert_mirror (fixture);
}

static void
test_new_page (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = twenty ();

  g_ptr_array_add (incidents, make_incident (21, PIEPER_STATUS_TRIGGERED));
  apply (fixture, incidents);

  g_assert_cmpuint (fixture->changes->len, ==, 1);
  assert_change (fixture, 0, 0, 0, 1);
  assert_mirror (fixture);
}

static void
test_pending_action (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(PieperOutbox) outbox = pieper_outbox_new (fixture->store);
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;

  incident = pieper_store_lookup_incident (fixture->store, pieper_account_get_id (fixture->account),
                                           "PINC0012", &error);
  g_assert_no_error (error);
  action = pieper_outbox_acknowledge (outbox, pieper_incident_get_id (incident), &error);
  g_assert_no_error (error);

  g_array_set_size (fixture->changes, 0);
  g_assert_true (pieper_incident_list_model_refresh (fixture->model, &error));
  g_assert_no_error (error);

  /* The effective state: acknowledged, and one change waiting. */
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  assert_change (fixture, 0, 20 - 12, 1, 1);
  assert_mirror (fixture);
  g_assert_cmpint (pieper_incident_get_status (g_ptr_array_index (fixture->mirror, 8)), ==,
                   PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpuint (pieper_incident_get_pending (g_ptr_array_index (fixture->mirror, 8)), ==, 1);
}

static void
test_removed_and_moved (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = twenty ();

  /* #4 leaves the open list (a full snapshot without it), and #15 is
   * re-created newer than everything, so it moves to the top. */
  g_ptr_array_remove_index (incidents, 3);
  pieper_incident_set_created_at (g_ptr_array_index (incidents, 13), 1800000000);
  apply (fixture, incidents);

  assert_mirror (fixture);
  for (guint k = 0; k < fixture->changes->len; k++)
    {
      Change *change = &g_array_index (fixture->changes, Change, k);

      g_assert_cmpuint (change->removed + change->added, <=, 2);
    }
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
  g_test_add ("/app/list-model/removed-and-moved", Fixture, NULL,
              fixture_set_up, test_removed_and_moved, fixture_tear_down);

  return g_test_run ();
}
