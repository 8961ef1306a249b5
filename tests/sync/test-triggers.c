/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <pieper.h>

#include "pieper-pagerduty.h"
#include "pieper-sim.h"
#include "pieper-sync-engine-private.h"
#include "test-util.h"

/*
 * The moments a waiting sync must not wait: the network came back, or the
 * machine woke from suspend. Each test makes the engine wait (a long poll
 * interval, or a backoff of at least 3.75 s) and then checks that the
 * trigger alone sends a queued note within 2 s.
 */

#define TOKEN "triggers-token"
#define EMAIL "responder@example.com"
#define POLL_INTERVAL 3600
#define DEADLINE_US (2 * G_USEC_PER_SEC)

/* A network monitor the test switches by hand. */

#define FAKE_TYPE_MONITOR (fake_monitor_get_type ())
G_DECLARE_FINAL_TYPE (FakeMonitor, fake_monitor, FAKE, MONITOR, GObject)

struct _FakeMonitor
{
  GObject  parent_instance;
  gboolean available;
};

enum {
  PROP_0,
  PROP_AVAILABLE,
  PROP_METERED,
  PROP_CONNECTIVITY,
};

static gboolean
fake_initable_init (GInitable     *initable,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return TRUE;
}

static void
fake_initable_iface_init (GInitableIface *iface)
{
  iface->init = fake_initable_init;
}

static void
fake_monitor_iface_init (GNetworkMonitorInterface *iface)
{
}

G_DEFINE_FINAL_TYPE_WITH_CODE (FakeMonitor, fake_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, fake_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, fake_monitor_iface_init))

static void
fake_monitor_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FakeMonitor *self = FAKE_MONITOR (object);

  switch (prop_id)
    {
    case PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;

    case PROP_METERED:
      g_value_set_boolean (value, FALSE);
      break;

    case PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fake_monitor_class_init (FakeMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fake_monitor_get_property;
  g_object_class_override_property (object_class, PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
}

static void
fake_monitor_init (FakeMonitor *self)
{
  self->available = TRUE;
}

static void
fake_monitor_set_available (FakeMonitor *self,
                            gboolean     available)
{
  self->available = available;
  g_signal_emit_by_name (self, "network-changed", available);
}

/* Fixture */

typedef struct
{
  char             *dir;
  PieperSim        *sim;
  guint             port;
  PieperStore      *store;
  PieperOutbox     *outbox;
  PieperSyncEngine *engine;
  gint64            account_id;
  guint             rounds;
} Fixture;

static void
synced_cb (PieperSyncEngine *engine,
           Fixture          *f)
{
  f->rounds++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(PieperProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  f->dir = test_make_tmp_dir ();
  f->sim = pieper_sim_new ();
  pieper_sim_set_token (f->sim, TOKEN);
  pieper_sim_set_me (f->sim, "PRESP01", "Robin Responder", EMAIL);
  pieper_sim_add_incidents (f->sim, 10);
  pieper_sim_start_in_thread (f->sim, 0, &error);
  g_assert_no_error (error);
  f->port = pieper_sim_get_port (f->sim);
  url = pieper_sim_dup_url (f->sim);

  f->store = pieper_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->outbox = pieper_outbox_new (f->store);
  account = pieper_store_ensure_account (f->store, "pagerduty", url, EMAIL, &error);
  g_assert_no_error (error);
  f->account_id = pieper_account_get_id (account);
  provider = pieper_pagerduty_new (url, EMAIL, TOKEN);

  f->engine = pieper_sync_engine_new (f->store);
  pieper_sync_engine_add_account (f->engine, account, provider);
  pieper_sync_engine_set_poll_interval (f->engine, POLL_INTERVAL);
  g_signal_connect (f->engine, "synced", G_CALLBACK (synced_cb), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  PieperSyncEngine *engine = f->engine;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  pieper_sync_engine_stop (f->engine);
  g_signal_handlers_disconnect_by_data (f->engine, f);

  /* A round that stop() cancelled still holds the engine until its
   * callbacks ran: run the loop until the engine is gone, or LeakSanitizer
   * rightly reports the round's task. */
  g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &engine);
  g_clear_object (&f->engine);
  while (engine != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (engine);
  g_clear_object (&f->outbox);
  g_clear_object (&f->store);
  pieper_sim_stop (f->sim);
  g_clear_object (&f->sim);
  test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
wait_for_rounds (Fixture *f,
                 guint    rounds)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (f->rounds < rounds && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (f->rounds, >=, rounds);
}

/* Iterates the main loop until the note is sent, for at most 2 s. */
static gboolean
note_sent_soon (Fixture *f,
                gint64   action_id)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(PieperAction) action = pieper_outbox_get (f->outbox, action_id, NULL);

      if (pieper_action_get_state (action) == PIEPER_ACTION_DONE)
        return TRUE;

      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }

  return FALSE;
}

/* Queues a note on the @index-th open incident. */
static gint64
queue_note_on (Fixture *f,
               guint    index)
{
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(PieperAction) note = NULL;
  g_autoptr(GError) error = NULL;

  open = pieper_store_list_incidents (f->store, PIEPER_FILTER_OPEN, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, >, index);

  note = pieper_outbox_add_note (f->outbox, pieper_incident_get_id (g_ptr_array_index (open, index)),
                                 "Sent the moment we could", &error);
  g_assert_no_error (error);

  return pieper_action_get_id (note);
}

static gint64
queue_note (Fixture *f)
{
  return queue_note_on (f, 0);
}

static void
test_network_back (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(FakeMonitor) monitor = g_object_new (FAKE_TYPE_MONITOR, NULL);
  g_autoptr(GError) error = NULL;
  gint64 note;

  _pieper_sync_engine_set_network_monitor (f->engine, G_NETWORK_MONITOR (monitor));
  pieper_sync_engine_start (f->engine);
  wait_for_rounds (f, 1);
  g_assert_cmpint (pieper_sync_engine_get_state (f->engine), ==, PIEPER_SYNC_STATE_IDLE);

  /* The network goes; the next round finds the server unreachable. */
  pieper_sim_stop (f->sim);
  fake_monitor_set_available (monitor, FALSE);
  note = queue_note (f);
  pieper_sync_engine_sync_now (f->engine);
  wait_for_rounds (f, 2);
  g_assert_cmpint (pieper_sync_engine_get_state (f->engine), ==, PIEPER_SYNC_STATE_OFFLINE);

  /* The server is back, but the engine backs off for seconds... */
  pieper_sim_start_in_thread (f->sim, f->port, &error);
  g_assert_no_error (error);
  g_assert_false (note_sent_soon (f, note));

  /* ...until the network says it is back. */
  fake_monitor_set_available (monitor, TRUE);
  g_assert_true (note_sent_soon (f, note));
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "POST", NULL), ==, 1);
}

static PieperAction *
get_action (Fixture *f,
            gint64   id)
{
  g_autoptr(GError) error = NULL;
  PieperAction *action = pieper_outbox_get (f->outbox, id, &error);

  g_assert_no_error (error);
  return action;
}

/* A tap queues an action and asks for it to be sent: at once, but without
 * the effects of "Refresh". Another action waiting for its retry keeps
 * waiting, and the round does not pull every open incident. */
static void
test_action_queued (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(PieperAction) waiting = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now = NULL;
  gint64 refused, second, third;
  guint rounds;

  pieper_sync_engine_start (f->engine);
  wait_for_rounds (f, 1);

  /* The server fails the first note: it waits for its retry. */
  g_assert_true (pieper_sim_set_fault (f->sim, PIEPER_SIM_FAULT_500, 1.0, &error));
  g_assert_no_error (error);
  refused = queue_note_on (f, 0);
  rounds = f->rounds;
  pieper_sync_engine_send_queued (f->engine);
  wait_for_rounds (f, rounds + 1);
  waiting = get_action (f, refused);
  g_assert_cmpint (pieper_action_get_state (waiting), ==, PIEPER_ACTION_PENDING);
  g_assert_cmpuint (pieper_action_get_attempts (waiting), ==, 1);
  g_clear_object (&waiting);

  /* The server is well again. A second note goes at once; the first one
   * still waits. */
  pieper_sim_clear_faults (f->sim);
  second = queue_note_on (f, 1);
  rounds = f->rounds;
  pieper_sync_engine_send_queued (f->engine);
  g_assert_true (note_sent_soon (f, second));
  wait_for_rounds (f, rounds + 1);
  waiting = get_action (f, refused);
  g_assert_cmpint (pieper_action_get_state (waiting), ==, PIEPER_ACTION_PENDING);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "POST", NULL), ==, 1);

  /* After a good round, a queued action's round asks the change feed, not
   * for every open incident. (The sim's history ends when it was made, and
   * the feed is asked with two minutes of overlap, which would name too
   * many incidents to fetch one by one: the last round is made later.) */
  now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + 1);
  g_assert_true (pieper_store_set_sync_state (f->store, f->account_id,
                                              "changes-since", now, &error));
  g_assert_no_error (error);
  pieper_sim_reset_record (f->sim);
  third = queue_note_on (f, 2);
  rounds = f->rounds;
  pieper_sync_engine_send_queued (f->engine);
  g_assert_true (note_sent_soon (f, third));
  wait_for_rounds (f, rounds + 1);
  g_assert_cmpuint (pieper_sim_count_requests (f->sim, "GET", "/incidents") -
                    pieper_sim_count_requests (f->sim, "GET", "/incidents/"), ==, 0);
  g_assert_cmpuint (pieper_sim_count_requests (f->sim, "GET", "/log_entries"), >=, 1);
}

typedef struct
{
  PieperSyncState state;
  char           *reason;    /* the last error when the state changed */
} SeenState;

static void
state_seen_cb (PieperSyncEngine *engine,
               GParamSpec       *pspec,
               SeenState        *seen)
{
  seen->state = pieper_sync_engine_get_state (engine);
  g_free (seen->reason);
  seen->reason = g_strdup (pieper_sync_engine_get_last_error (engine));
}

/* A round that fails because the store cannot be written (a full disk;
 * here, a store made read-only) is an error with its reason, not "idle",
 * and the reason is known by the time the state says so. */
static void
test_store_failure_is_an_error (Fixture       *f,
                                gconstpointer  data)
{
  SeenState seen = { PIEPER_SYNC_STATE_IDLE, NULL };
  sqlite3 *db = _pieper_store_get_db (f->store);
  guint rounds;

  pieper_sync_engine_start (f->engine);
  wait_for_rounds (f, 1);
  g_assert_cmpint (pieper_sync_engine_get_state (f->engine), ==, PIEPER_SYNC_STATE_IDLE);
  g_assert_null (pieper_sync_engine_get_last_error (f->engine));
  g_signal_connect (f->engine, "notify::state", G_CALLBACK (state_seen_cb), &seen);

  g_assert_cmpint (sqlite3_exec (db, "PRAGMA query_only = ON", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_nonnull (pieper_sim_trigger (f->sim, "Disk full on db-7", NULL, "high"));
  rounds = f->rounds;
  pieper_sync_engine_sync_now (f->engine);
  wait_for_rounds (f, rounds + 1);
  g_assert_cmpint (pieper_sync_engine_get_state (f->engine), ==, PIEPER_SYNC_STATE_ERROR);
  g_assert_cmpint (seen.state, ==, PIEPER_SYNC_STATE_ERROR);
  g_assert_nonnull (seen.reason);
  g_assert_cmpstr (seen.reason, ==, pieper_sync_engine_get_last_error (f->engine));

  /* Writable again: the next round is well, and the reason is gone. */
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA query_only = OFF", NULL, NULL, NULL), ==, SQLITE_OK);
  rounds = f->rounds;
  pieper_sync_engine_sync_now (f->engine);
  wait_for_rounds (f, rounds + 1);
  g_assert_cmpint (pieper_sync_engine_get_state (f->engine), ==, PIEPER_SYNC_STATE_IDLE);
  g_assert_null (pieper_sync_engine_get_last_error (f->engine));

  g_signal_handlers_disconnect_by_data (f->engine, &seen);
  g_free (seen.reason);
}

/* A private bus stands in for the system bus; the test is logind. It is
 * set up in main(), before any thread runs, as it changes the environment. */
static GTestDBus *system_bus;

static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GDBusConnection) logind = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;
  gint64 note;
  guint rounds;

  logind = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (system_bus),
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (logind, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.login1", 0),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  pieper_sync_engine_start (f->engine);
  wait_for_rounds (f, 1);

  /* The engine listens once it has the bus. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (f->engine->sleep_subscription == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (f->engine->sleep_subscription, !=, 0);

  note = queue_note (f);

  /* Going to sleep is no reason to sync. */
  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1",
                                 "org.freedesktop.login1.Manager", "PrepareForSleep",
                                 g_variant_new ("(b)", TRUE), &error);
  g_assert_no_error (error);
  g_assert_false (note_sent_soon (f, note));

  /* Waking up is, and the round pulls every open incident: the change
   * feed need not tell what happened while the machine slept. */
  rounds = f->rounds;
  pieper_sim_reset_record (f->sim);
  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1",
                                 "org.freedesktop.login1.Manager", "PrepareForSleep",
                                 g_variant_new ("(b)", FALSE), &error);
  g_assert_no_error (error);
  g_assert_true (note_sent_soon (f, note));
  wait_for_rounds (f, rounds + 1);
  g_assert_cmpuint (pieper_sim_count_requests (f->sim, "GET", "/incidents") -
                    pieper_sim_count_requests (f->sim, "GET", "/incidents/"), >=, 1);

  pieper_sync_engine_stop (f->engine);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  system_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (system_bus);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", g_test_dbus_get_bus_address (system_bus), TRUE);

  g_test_add ("/sync/triggers/network-back", Fixture, NULL, fixture_set_up, test_network_back, fixture_tear_down);
  g_test_add ("/sync/triggers/action-queued", Fixture, NULL, fixture_set_up, test_action_queued, fixture_tear_down);
  g_test_add ("/sync/triggers/store-failure-is-an-error", Fixture, NULL, fixture_set_up,
              test_store_failure_is_an_error, fixture_tear_down);
  g_test_add ("/sync/triggers/resume", Fixture, NULL, fixture_set_up, test_resume, fixture_tear_down);

  status = g_test_run ();

  g_test_dbus_down (system_bus);
  g_clear_object (&system_bus);

  return status;
}
