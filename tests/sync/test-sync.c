/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <pieper.h>

#include <sqlite3.h>

#include "holding-proxy.h"
#include "pieper-outbox-private.h"
#include "pieper-pagerduty-private.h"
#include "pieper-sim.h"
#include "pieper-store-private.h"
#include "test-util.h"

#define TOKEN "sync-test-token"
#define EMAIL "responder@example.com"

typedef struct
{
  char             *dir;
  PieperSim        *sim;
  char             *url;
  PieperStore      *store;
  PieperOutbox     *outbox;
  PieperAccount    *account;
  PieperSyncEngine *engine;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperProvider) provider = NULL;
  guint n_incidents = GPOINTER_TO_UINT (data);

  f->dir = test_make_tmp_dir ();

  f->sim = pieper_sim_new ();
  pieper_sim_set_token (f->sim, TOKEN);
  pieper_sim_set_me (f->sim, "PRESP01", "Robin Responder", EMAIL);
  pieper_sim_set_stall_seconds (f->sim, 0.5);
  pieper_sim_set_huge_size (f->sim, 50 * 1024 * 1024);
  pieper_sim_add_incidents (f->sim, n_incidents > 0 ? n_incidents : 30);
  pieper_sim_start_in_thread (f->sim, 0, &error);
  g_assert_no_error (error);
  f->url = pieper_sim_dup_url (f->sim);

  f->store = pieper_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->outbox = pieper_outbox_new (f->store);
  f->account = pieper_store_ensure_account (f->store, "pagerduty", f->url, EMAIL, &error);
  g_assert_no_error (error);

  provider = pieper_pagerduty_new (f->url, EMAIL, TOKEN);
  f->engine = pieper_sync_engine_new (f->store);
  pieper_sync_engine_add_account (f->engine, f->account, provider);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->account);
  g_clear_object (&f->outbox);
  g_clear_object (&f->store);
  pieper_sim_stop (f->sim);
  g_clear_object (&f->sim);
  test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->url);
}

typedef struct
{
  gboolean         done;
  gboolean         ok;
  PieperSyncStats  stats;
  GError          *error;
} SyncResult;

static void
sync_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SyncResult *r = user_data;

  r->ok = pieper_sync_engine_sync_finish (PIEPER_SYNC_ENGINE (object), result, &r->stats, &r->error);
  r->done = TRUE;
}

/* One round; returns whether it reached the server, and its error. */
static gboolean
sync_once (Fixture          *f,
           PieperSyncStats  *stats,
           GError          **error)
{
  SyncResult r = { FALSE, };

  pieper_sync_engine_sync_async (f->engine, NULL, sync_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);

  if (stats != NULL)
    *stats = r.stats;
  if (r.error != NULL)
    g_propagate_error (error, r.error);

  return r.ok;
}

/* Moves the stored times of the sends whose outcome is unknown back by
 * UNKNOWN_OUTCOME_WAIT, as if the wait were over. */
static void
pass_unknown_outcome_wait (Fixture *f)
{
  g_assert_cmpint (sqlite3_exec (_pieper_store_get_db (f->store),
                                 "UPDATE outbox SET updated_at = updated_at - " G_STRINGIFY (UNKNOWN_OUTCOME_WAIT) ","
                                 " next_attempt_at = next_attempt_at - " G_STRINGIFY (UNKNOWN_OUTCOME_WAIT)
                                 " WHERE state = 'inflight'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
}

static PieperIncident *
first_with_status (Fixture      *f,
                   PieperFilter  filter)
{
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;

  incidents = pieper_store_list_incidents (f->store, filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, >, 0);

  return g_object_ref (g_ptr_array_index (incidents, 0));
}

/* Someone else acts on the server, as another responder would. */
static void
server_put_status (Fixture    *f,
                   const char *incident,
                   const char *status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("%s/incidents/%s", f->url, incident);
  g_autofree char *json = g_strdup_printf ("{\"incident\":{\"type\":\"incident_reference\",\"status\":\"%s\"}}", status);

  msg = soup_message_new ("PUT", uri);
  soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization", "Token token=" TOKEN);
  soup_message_headers_append (soup_message_get_request_headers (msg), "From", EMAIL);
  soup_message_headers_append (soup_message_get_request_headers (msg), "Accept", "application/vnd.pagerduty+json;version=2");
  body = g_bytes_new (json, strlen (json));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

static void
test_pull (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  PieperSyncStats stats;

  g_assert_true (sync_once (f, &stats, &error));
  g_assert_no_error (error);

  all = pieper_store_list_incidents (f->store, PIEPER_FILTER_OPEN, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, >, 0);
  g_assert_cmpuint (stats.pulled, >=, all->len);
  g_assert_cmpint (pieper_sync_engine_get_state (f->engine), ==, PIEPER_SYNC_STATE_IDLE);
}

static void
test_ack_and_note_delivered_once (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperIncident) after = NULL;
  g_autoptr(PieperAction) ack = NULL;
  g_autoptr(PieperAction) note = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  PieperSyncStats stats;

  g_assert_true (sync_once (f, NULL, &error));
  incident = first_with_status (f, PIEPER_FILTER_TRIGGERED);

  ack = pieper_outbox_acknowledge (f->outbox, pieper_incident_get_id (incident), &error);
  g_assert_no_error (error);
  note = pieper_outbox_add_note (f->outbox, pieper_incident_get_id (incident), "Looking into it", &error);
  g_assert_no_error (error);

  g_assert_true (sync_once (f, &stats, &error));
  g_assert_no_error (error);
  if (g_test_verbose ())
    g_printerr ("pulled %u sent %u conflicts %u failed %u unsent %u\n", stats.pulled, stats.sent,
                stats.conflicts, stats.failed, stats.unsent);
  if (stats.failed > 0)
    {
      g_autoptr(GPtrArray) all = pieper_outbox_list (f->outbox, -1, NULL);

      for (guint i = 0; i < all->len; i++)
        g_printerr ("action %s: %s\n", pieper_op_to_string (pieper_action_get_op (g_ptr_array_index (all, i))),
                    pieper_action_get_last_error (g_ptr_array_index (all, i)));
    }
  g_assert_cmpuint (stats.sent, ==, 2);
  g_assert_cmpuint (stats.unsent, ==, 0);

  status = pieper_sim_dup_incident_status (f->sim, pieper_incident_get_remote_id (incident));
  g_assert_cmpstr (status, ==, "acknowledged");
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "PUT", "/incidents/"), ==, 1);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "POST", "/incidents/"), ==, 1);

  after = pieper_store_get_incident (f->store, pieper_incident_get_id (incident), &error);
  g_assert_cmpint (pieper_incident_get_status (after), ==, PIEPER_STATUS_ACKNOWLEDGED);
  g_assert_cmpuint (pieper_incident_get_pending (after), ==, 0);

  /* Nothing goes out twice. */
  g_assert_true (sync_once (f, &stats, &error));
  g_assert_cmpuint (stats.sent, ==, 0);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, NULL, NULL), ==, 2);
}

static void
test_stale_ack_is_a_conflict (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperAction) ack = NULL;
  g_autoptr(PieperAction) after = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  gboolean found = FALSE;

  g_assert_true (sync_once (f, NULL, &error));
  incident = first_with_status (f, PIEPER_FILTER_TRIGGERED);

  /* Acknowledged here while offline; meanwhile resolved on the server. */
  ack = pieper_outbox_acknowledge (f->outbox, pieper_incident_get_id (incident), &error);
  g_assert_no_error (error);
  server_put_status (f, pieper_incident_get_remote_id (incident), "resolved");
  pieper_sim_reset_record (f->sim);

  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);

  /* The acknowledge was never sent, so the incident was not reopened. */
  g_assert_cmpuint (pieper_sim_count_all_writes (f->sim, NULL, NULL), ==, 0);
  status = pieper_sim_dup_incident_status (f->sim, pieper_incident_get_remote_id (incident));
  g_assert_cmpstr (status, ==, "resolved");

  after = pieper_outbox_get (f->outbox, pieper_action_get_id (ack), &error);
  g_assert_cmpint (pieper_action_get_state (after), ==, PIEPER_ACTION_CONFLICT);

  timeline = pieper_store_list_timeline (f->store, pieper_incident_get_id (incident), &error);
  for (guint i = 0; i < timeline->len; i++)
    if (pieper_timeline_entry_get_kind (g_ptr_array_index (timeline, i)) == PIEPER_TIMELINE_CONFLICT)
      found = TRUE;
  g_assert_true (found);
}

/* 100 mixed actions queued while the server is down; each arrives once. */
static void
test_offline_queue (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GError) error = NULL;
  PieperSyncStats stats;
  guint port;
  guint queued = 0, notes = 0, puts = 0, snoozes = 0;

  g_assert_true (sync_once (f, NULL, &error));
  open = pieper_store_list_incidents (f->store, PIEPER_FILTER_OPEN, &error);
  g_assert_cmpuint (open->len, >=, 10);

  port = pieper_sim_get_port (f->sim);
  pieper_sim_stop (f->sim);

  for (guint i = 0; queued < 100; i++)
    {
      PieperIncident *incident = g_ptr_array_index (open, i % MIN (20, open->len));
      gint64 id = pieper_incident_get_id (incident);
      g_autoptr(PieperIncident) now = pieper_store_get_incident (f->store, id, NULL);
      g_autoptr(PieperAction) action = NULL;
      g_autofree char *text = g_strdup_printf ("note %u", i);

      switch (i % 5)
        {
        case 0:
          if (pieper_incident_get_status (now) == PIEPER_STATUS_TRIGGERED &&
              (action = pieper_outbox_acknowledge (f->outbox, id, NULL)))
            puts++;
          break;
        case 1:
          if (pieper_incident_get_status (now) == PIEPER_STATUS_ACKNOWLEDGED &&
              (action = pieper_outbox_snooze (f->outbox, id, 30, NULL)))
            snoozes++;
          break;
        default:
          if ((action = pieper_outbox_add_note (f->outbox, id, text, NULL)))
            notes++;
          break;
        }

      if (action != NULL)
        queued++;
    }

  /* The server is down: a clear error, and every action still queued. */
  g_assert_false (sync_once (f, &stats, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (pieper_outbox_count_unsent (f->outbox, 0), ==, 100);
  g_assert_cmpint (pieper_sync_engine_get_state (f->engine), ==, PIEPER_SYNC_STATE_OFFLINE);

  /* Back up. Failed sends wait for their backoff, so let time pass for
   * them by asking until everything is out (bounded). */
  pieper_sim_start_in_thread (f->sim, port, &error);
  g_assert_no_error (error);

  for (guint round = 0; round < 50 && pieper_outbox_count_unsent (f->outbox, 0) > 0; round++)
    {
      /* As time passing would. */
      pieper_outbox_retry_all_now (f->outbox, 0, NULL);
      sync_once (f, &stats, NULL);
    }

  g_assert_cmpuint (pieper_outbox_count_unsent (f->outbox, 0), ==, 0);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "POST", NULL), ==, notes + snoozes);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "PUT", NULL), ==, puts);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, NULL, NULL), ==, queued);
}

/* A note whose delivery had an unknown outcome is read back, not resent. */
static void
test_note_unknown_outcome (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperAction) note = NULL;
  g_autoptr(PieperAction) after = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (sync_once (f, NULL, &error));
  incident = first_with_status (f, PIEPER_FILTER_OPEN);

  note = pieper_outbox_add_note (f->outbox, pieper_incident_get_id (incident), "Rolled back 4711", &error);
  g_assert_no_error (error);

  /* The server stores the note, then the connection drops. */
  pieper_sim_set_fault (f->sim, PIEPER_SIM_FAULT_RESET_AFTER, 1.0, &error);
  g_assert_no_error (error);
  g_assert_false (sync_once (f, NULL, &error));
  g_clear_error (&error);
  pieper_sim_clear_faults (f->sim);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "POST", NULL), ==, 1);

  /* The request was written and no answer came: it waits, in flight,
   * and a Refresh does not hurry it. */
  after = pieper_outbox_get (f->outbox, pieper_action_get_id (note), &error);
  g_assert_cmpint (pieper_action_get_state (after), ==, PIEPER_ACTION_INFLIGHT);
  g_assert_null (pieper_action_get_claimed_by (after));
  g_assert_cmpuint (pieper_action_get_attempts (after), ==, 1);
  g_clear_object (&after);
  g_assert_cmpuint (pieper_outbox_retry_all_now (f->outbox, 0, NULL), ==, 0);

  /* As if the wait were over. */
  pass_unknown_outcome_wait (f);
  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);

  after = pieper_outbox_get (f->outbox, pieper_action_get_id (note), &error);
  g_assert_cmpint (pieper_action_get_state (after), ==, PIEPER_ACTION_DONE);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "POST", NULL), ==, 1);
}

/* Every fault: no crash, a clear error, the queue intact, recovery after. */
static void
test_faults (Fixture       *f,
             gconstpointer  data)
{
  static const char * const kinds[] = {
    PIEPER_SIM_FAULT_500, PIEPER_SIM_FAULT_429, PIEPER_SIM_FAULT_401,
    PIEPER_SIM_FAULT_RESET, PIEPER_SIM_FAULT_STALL, PIEPER_SIM_FAULT_TRUNCATED,
    PIEPER_SIM_FAULT_CONTENT_TYPE, PIEPER_SIM_FAULT_HUGE,
  };
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  guint expected = 0;

  g_assert_true (sync_once (f, NULL, &error));
  incident = first_with_status (f, PIEPER_FILTER_OPEN);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(PieperAction) note = NULL;
      g_autofree char *text = g_strdup_printf ("under fault %s", kinds[i]);

      note = pieper_outbox_add_note (f->outbox, pieper_incident_get_id (incident), text, &error);
      g_assert_no_error (error);

      pieper_sim_set_fault (f->sim, kinds[i], 1.0, &error);
      g_assert_no_error (error);

      if (g_test_verbose ())
        g_printerr ("fault %s\n", kinds[i]);

      /* The stall outlasts no timeout here, so it may succeed slowly. */
      if (!sync_once (f, NULL, &error))
        {
          g_assert_nonnull (error);
          g_assert_nonnull (error->message);
          g_assert_null (strchr (error->message, '\n'));
          g_clear_error (&error);
          g_assert_cmpuint (pieper_outbox_count_unsent (f->outbox, 0), ==, 1);
        }

      pieper_sim_clear_faults (f->sim);
      expected++;

      for (guint round = 0; round < 5 && pieper_outbox_count_unsent (f->outbox, 0) > 0; round++)
        {
          /* As time passing would; a reset leaves the outcome unknown. */
          pieper_outbox_retry_all_now (f->outbox, 0, NULL);
          pass_unknown_outcome_wait (f);
          sync_once (f, NULL, NULL);
        }

      g_assert_cmpuint (pieper_outbox_count_unsent (f->outbox, 0), ==, 0);
      g_assert_cmpuint (pieper_sim_count_writes (f->sim, "POST", NULL), ==, expected);
    }
}

/* GET /incidents (the open list), not GET /incidents/{id}. */
static guint
count_list_requests (Fixture *f)
{
  return pieper_sim_count_requests (f->sim, "GET", "/incidents") -
         pieper_sim_count_requests (f->sim, "GET", "/incidents/");
}

static PieperStatus
stored_status (Fixture    *f,
               const char *remote_id)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  incident = pieper_store_lookup_incident (f->store, pieper_account_get_id (f->account), remote_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (incident);

  return pieper_incident_get_status (incident);
}

/* After a full pull, a round asks for the change feed only and fetches the
 * incidents it names: a new page and a resolve on the server are seen. */
static void
test_incremental_sees_changes (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(PieperIncident) open = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *resolved_id = NULL;
  const char *new_id;

  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  open = first_with_status (f, PIEPER_FILTER_TRIGGERED);
  resolved_id = g_strdup (pieper_incident_get_remote_id (open));

  server_put_status (f, resolved_id, "resolved");
  new_id = pieper_sim_trigger (f->sim, "Disk full on db-7", NULL, "high");
  g_assert_nonnull (new_id);
  pieper_sim_reset_record (f->sim);

  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);

  /* No full pull: the feed, then the changed incidents one by one. */
  g_assert_cmpuint (count_list_requests (f), ==, 0);
  g_assert_cmpuint (pieper_sim_count_requests (f->sim, "GET", "/log_entries"), >=, 1);
  g_assert_cmpint (stored_status (f, resolved_id), ==, PIEPER_STATUS_RESOLVED);
  g_assert_cmpint (stored_status (f, new_id), ==, PIEPER_STATUS_TRIGGERED);
}

/* A round with nothing new asks the change feed, and nothing else. */
static void
test_quiet_round_is_cheap (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *now = NULL;
  PieperSyncStats stats;

  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_list_requests (f), >=, 1);

  /* The sim's history runs up to the moment it was made, and a round asks
   * for changes with two minutes of overlap (for clock skew), which would
   * name those last incidents again. Here the last round was later. */
  now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + 1);
  g_assert_true (pieper_store_set_sync_state (f->store, pieper_account_get_id (f->account),
                                              "changes-since", now, &error));
  pieper_sim_reset_record (f->sim);

  g_assert_true (sync_once (f, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pieper_sim_count_requests (f->sim, NULL, NULL), ==, 1);
  g_assert_cmpuint (pieper_sim_count_requests (f->sim, "GET", "/log_entries"), ==, 1);
  g_assert_cmpuint (stats.pulled, ==, 0);
}

static guint
count_fetches (Fixture    *f,
               const char *remote_id)
{
  g_autofree char *path = g_strdup_printf ("/incidents/%s", remote_id != NULL ? remote_id : "");

  return pieper_sim_count_requests (f->sim, "GET", path);
}

/* The feed is asked with two minutes of overlap, so it names each change
 * in several rounds: the incident is fetched for the first of them only,
 * and again for a change not seen before. (Before, a round polling every
 * 2 s fetched every incident changed in the last two minutes, one by one,
 * and a page triggered during that round waited for the next.) */
static void
test_feed_fetches_each_change_once (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *page_id = NULL;

  /* The first sync lists; the second reads the sim's history (made just
   * now, so all of it in the window) once. */
  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);

  /* Nothing new: the feed, and no incident. */
  pieper_sim_reset_record (f->sim);
  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pieper_sim_count_requests (f->sim, "GET", "/log_entries"), >=, 1);
  g_assert_cmpuint (count_list_requests (f), ==, 0);
  g_assert_cmpuint (count_fetches (f, NULL), ==, 0);

  /* A page: fetched in the round after it, not in the one after that. */
  page_id = g_strdup (pieper_sim_trigger (f->sim, "Disk full on db-7", NULL, "high"));
  pieper_sim_reset_record (f->sim);
  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_fetches (f, page_id), ==, 1);
  g_assert_cmpuint (count_fetches (f, NULL), ==, 1);
  g_assert_cmpint (stored_status (f, page_id), ==, PIEPER_STATUS_TRIGGERED);

  pieper_sim_reset_record (f->sim);
  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_fetches (f, NULL), ==, 0);

  /* Acknowledged on the server: a new change, so fetched again. */
  server_put_status (f, page_id, "acknowledged");
  pieper_sim_reset_record (f->sim);
  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_fetches (f, page_id), ==, 1);
  g_assert_cmpuint (count_fetches (f, NULL), ==, 1);
  g_assert_cmpint (stored_status (f, page_id), ==, PIEPER_STATUS_ACKNOWLEDGED);

  /* A full pull (as after 30 minutes, or Refresh) reads the feed before
   * the open list: a change it names is on the list, or fetched once if
   * the incident is no longer open; neither is fetched in the next round. */
  server_put_status (f, page_id, "resolved");
  g_assert_true (pieper_store_set_sync_state (f->store, pieper_account_get_id (f->account),
                                              "full-pull-at", "1", &error));
  pieper_sim_reset_record (f->sim);
  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_list_requests (f), >=, 1);
  g_assert_cmpuint (count_fetches (f, page_id), ==, 1);
  g_assert_cmpuint (count_fetches (f, NULL), ==, 1);
  g_assert_cmpint (stored_status (f, page_id), ==, PIEPER_STATUS_RESOLVED);

  pieper_sim_reset_record (f->sim);
  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_list_requests (f), ==, 0);
  g_assert_cmpuint (count_fetches (f, NULL), ==, 0);
}

/* A change the feed never reported is repaired by the periodic full pull;
 * until then the incremental rounds cannot see it. */
static void
test_full_pull_reconciles (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(PieperIncident) open = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *long_ago = NULL;

  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  open = first_with_status (f, PIEPER_FILTER_TRIGGERED);
  id = g_strdup (pieper_incident_get_remote_id (open));

  g_assert_true (pieper_sim_set_status_unlogged (f->sim, id, "resolved"));

  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stored_status (f, id), ==, PIEPER_STATUS_TRIGGERED);

  /* The last full pull was long ago. */
  long_ago = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC - 24 * 3600);
  g_assert_true (pieper_store_set_sync_state (f->store, pieper_account_get_id (f->account),
                                              "full-pull-at", long_ago, &error));
  pieper_sim_reset_record (f->sim);

  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_list_requests (f), >=, 1);
  g_assert_cmpint (stored_status (f, id), ==, PIEPER_STATUS_RESOLVED);
}

/* Notes on many incidents go several at once; each arrives once, and the
 * notes of one incident arrive in the order they were written. */
/* Counts the commits that wrote to the outbox. */
typedef struct
{
  gboolean outbox_written;
  guint    n_commits;
} CommitCount;

static void
note_update (void          *data,
             int            op,
             const char    *database,
             const char    *table,
             sqlite3_int64  rowid)
{
  CommitCount *count = data;

  if (g_strcmp0 (table, "outbox") == 0)
    count->outbox_written = TRUE;
}

static int
count_commit (void *data)
{
  CommitCount *count = data;

  if (count->outbox_written)
    count->n_commits++;
  count->outbox_written = FALSE;
  return 0;
}

static void
count_rollback (void *data)
{
  CommitCount *count = data;

  count->outbox_written = FALSE;
}

/* Every note the sim received, each incident's in the order it was
 * queued: the k-th one on an incident says "step k" (after the incident's
 * id when @named), and notes reached @n_incidents incidents. */
static void
assert_notes_in_order (Fixture  *f,
                       guint     n_incidents,
                       gboolean  named)
{
  g_autoptr(GHashTable) next = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonNode) writes = pieper_sim_dup_writes (f->sim);
  JsonArray *array = json_node_get_array (writes);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *write = json_array_get_object_element (array, i);
      JsonObject *body = json_object_get_object_member (write, "body");
      const char *incident = json_object_get_string_member (write, "incident_id");
      const char *content = json_object_get_string_member (json_object_get_object_member (body, "note"), "content");
      guint expected = GPOINTER_TO_UINT (g_hash_table_lookup (next, incident));
      g_autofree char *want = named ? g_strdup_printf ("%s step %u", incident, expected)
                                    : g_strdup_printf ("step %u", expected);

      g_assert_cmpstr (content, ==, want);
      g_hash_table_replace (next, g_strdup (incident), GUINT_TO_POINTER (expected + 1));
    }
  g_assert_cmpuint (g_hash_table_size (next), ==, n_incidents);
}

static void
test_notes_in_order_per_incident (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GError) error = NULL;
  PieperSyncStats stats;
  guint n_incidents;
  CommitCount count = { FALSE, 0 };
  sqlite3 *db;

  g_assert_true (sync_once (f, NULL, &error));
  open = pieper_store_list_incidents (f->store, PIEPER_FILTER_OPEN, &error);
  g_assert_no_error (error);
  n_incidents = MIN (open->len, 24);
  g_assert_cmpuint (n_incidents, >, 8);  /* more than are sent at once */

  for (guint k = 0; k < 3; k++)
    for (guint i = 0; i < n_incidents; i++)
      {
        PieperIncident *incident = g_ptr_array_index (open, i);
        g_autofree char *text = g_strdup_printf ("step %u", k);
        g_autoptr(PieperAction) note = NULL;

        note = pieper_outbox_add_note (f->outbox, pieper_incident_get_id (incident), text, &error);
        g_assert_no_error (error);
      }
  pieper_sim_reset_record (f->sim);

  db = _pieper_store_get_db (f->store);
  sqlite3_update_hook (db, note_update, &count);
  sqlite3_commit_hook (db, count_commit, &count);
  sqlite3_rollback_hook (db, count_rollback, &count);
  g_assert_true (sync_once (f, &stats, &error));
  sqlite3_update_hook (db, NULL, NULL);
  sqlite3_commit_hook (db, NULL, NULL);
  sqlite3_rollback_hook (db, NULL, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (stats.sent, ==, 3 * n_incidents);
  g_assert_cmpuint (stats.unsent, ==, 0);
  g_assert_cmpuint (pieper_sim_count_all_writes (f->sim, "POST", NULL), ==, 3 * n_incidents);
  /* One commit settles a note and claims the next; only the first claim
   * of each of the (at most 8) sends at once is a commit of its own. */
  g_test_message ("%u outbox commits for %u notes", count.n_commits, stats.sent);
  g_assert_cmpuint (count.n_commits, <=, stats.sent + 8);
  /* Kept-alive connections carry them, not one connection each. */
  g_assert_cmpuint (pieper_sim_count_connections (f->sim), <=, 8 + 2);

  assert_notes_in_order (f, n_incidents, FALSE);
}

typedef struct
{
  Fixture      *f;
  GCancellable *cancellable;
  guint         after;
} CancelWhen;

/* Runs between reading responses and settling them (the push settles at
 * a priority below the network's), so some outcomes are read and not yet
 * committed when the round is cancelled. */
static gboolean
cancel_when_posted (gpointer data)
{
  CancelWhen *when = data;

  if (pieper_sim_count_all_writes (when->f->sim, "POST", NULL) < when->after)
    return G_SOURCE_CONTINUE;

  g_cancellable_cancel (when->cancellable);
  return G_SOURCE_REMOVE;
}

/* A flush cancelled halfway (the app quitting, say) and then run again
 * delivers every note once, in order per incident: what was confirmed is
 * settled, what was in flight is read back before it is sent again. */
static void
test_flush_cancelled_midway (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  SyncResult r = { FALSE, };
  CancelWhen when;
  PieperSyncStats stats;
  guint n_incidents;
  guint n_notes;

  g_assert_true (sync_once (f, NULL, &error));
  open = pieper_store_list_incidents (f->store, PIEPER_FILTER_OPEN, &error);
  g_assert_no_error (error);
  n_incidents = MIN (open->len, 12);
  n_notes = 3 * n_incidents;

  for (guint k = 0; k < 3; k++)
    for (guint i = 0; i < n_incidents; i++)
      {
        PieperIncident *incident = g_ptr_array_index (open, i);
        g_autofree char *text = g_strdup_printf ("%s step %u", pieper_incident_get_remote_id (incident), k);
        g_autoptr(PieperAction) note = NULL;

        note = pieper_outbox_add_note (f->outbox, pieper_incident_get_id (incident), text, &error);
        g_assert_no_error (error);
      }
  pieper_sim_reset_record (f->sim);

  when.f = f;
  when.cancellable = cancellable;
  when.after = 2;  /* of the first 8 sent at once */
  g_idle_add_full (G_PRIORITY_DEFAULT + 5, cancel_when_posted, &when, NULL);
  pieper_sync_engine_sync_async (f->engine, cancellable, sync_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  g_clear_error (&r.error);
  g_assert_cmpuint (pieper_outbox_count_unsent (f->outbox, 0), >, 0);

  /* A note cut short may still be reaching the server: it is not tried
   * again (read back) at once, or the read-back could miss it. */
  {
    g_autoptr(GPtrArray) due = NULL;
    g_autoptr(GPtrArray) all = NULL;
    guint cut_short = 0;

    all = pieper_outbox_list (f->outbox, PIEPER_ACTION_INFLIGHT, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < all->len; i++)
      {
        PieperAction *action = g_ptr_array_index (all, i);

        cut_short++;
        g_assert_cmpuint (pieper_action_get_attempts (action), >, 0);
        g_assert_null (pieper_action_get_claimed_by (action));
        g_assert_cmpint (pieper_action_get_next_attempt_at (action), >,
                         g_get_real_time () / G_USEC_PER_SEC);
      }
    g_test_message ("%u notes cut short", cut_short);

    /* Not even a Refresh hurries them. */
    pieper_outbox_retry_all_now (f->outbox, 0, &error);
    g_assert_no_error (error);

    due = pieper_outbox_next_due (f->outbox, pieper_account_get_id (f->account),
                                  g_get_real_time () / G_USEC_PER_SEC, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < due->len; i++)
      g_assert_cmpuint (pieper_action_get_attempts (g_ptr_array_index (due, i)), ==, 0);
  }

  /* Once the server has handled what reached it, and the wait is over
   * (moved here by moving the stored times back), try again. */
  for (guint n = G_MAXUINT; n != pieper_sim_get_n_requests (f->sim);)
    {
      n = pieper_sim_get_n_requests (f->sim);
      g_usleep (100 * 1000);
    }
  pass_unknown_outcome_wait (f);

  g_assert_true (sync_once (f, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.unsent, ==, 0);
  g_assert_cmpuint (pieper_outbox_count_unsent (f->outbox, 0), ==, 0);

  /* Each note arrived once, and each incident's in order. */
  assert_notes_in_order (f, n_incidents, TRUE);
  g_assert_cmpuint (pieper_sim_count_all_writes (f->sim, "POST", NULL), ==, n_notes);
}

/* The first note POST of a test is held, as if it were on its way to the
 * server or being handled there: the engine hears nothing of it until it
 * cancels it, and the server gets it only when the test releases it.
 * PagerDuty's provider is a final type, so its interface's add_note is
 * swapped for the test's while held. */
typedef struct
{
  PieperProviderInterface *iface;
  void                   (*real_add_note) (PieperProvider      *self,
                                           const char          *incident,
                                           const char          *text,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  guint                    n_calls;
  PieperProvider          *provider;
  char                    *incident;
  char                    *text;
} HeldNote;

static HeldNote held;

static void
held_cancelled_cb (GCancellable *cancellable,
                   GTask        *task)
{
  g_task_return_error_if_cancelled (task);
}

static void
held_add_note_async (PieperProvider      *provider,
                     const char          *incident,
                     const char          *text,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task;

  /* Only the first is held; any later one goes through, and is counted. */
  if (held.n_calls++ > 0)
    {
      held.real_add_note (provider, incident, text, cancellable, callback, user_data);
      return;
    }

  held.provider = g_object_ref (provider);
  held.incident = g_strdup (incident);
  held.text = g_strdup (text);

  /* pieper_provider_add_note_finish() takes a task with this tag as is. */
  task = g_task_new (provider, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_provider_add_note_async);
  g_assert_nonnull (cancellable);
  g_cancellable_connect (cancellable, G_CALLBACK (held_cancelled_cb), task, g_object_unref);
}

static void
hold_first_note (void)
{
  held.iface = g_type_interface_peek (g_type_class_peek (PIEPER_TYPE_PAGERDUTY), PIEPER_TYPE_PROVIDER);
  held.real_add_note = held.iface->add_note_async;
  held.iface->add_note_async = held_add_note_async;
  held.n_calls = 0;
}

static void
released_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PieperTimelineEntry) note = NULL;
  g_autoptr(GError) error = NULL;

  note = pieper_provider_add_note_finish (PIEPER_PROVIDER (object), result, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* The server gets the held note now, and PagerDuty's add_note is its own
 * again. */
static void
release_held_note (void)
{
  gboolean done = FALSE;

  held.iface->add_note_async = held.real_add_note;
  g_assert_nonnull (held.provider);
  pieper_provider_add_note_async (held.provider, held.incident, held.text, NULL, released_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  g_clear_object (&held.provider);
  g_clear_pointer (&held.incident, g_free);
  g_clear_pointer (&held.text, g_free);
}

static gboolean
cancel_when_held (gpointer data)
{
  if (held.provider == NULL)
    return G_SOURCE_CONTINUE;

  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
synced_cb (PieperSyncEngine *engine,
           gpointer          user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* The app quits while a note is on its way, comes back and the responder
 * taps Refresh at once: the note may still be being handled, so the
 * Refresh does not read it back and send it again before the
 * unknown-outcome wait is over; after it, the read-back finds it. */
static void
test_refresh_within_unknown_outcome_wait (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperAction) note = NULL;
  g_autoptr(PieperAction) after = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  SyncResult r = { FALSE, };
  PieperSyncStats stats;
  gboolean synced = FALSE;
  gulong handler;

  g_assert_true (sync_once (f, NULL, &error));
  incident = first_with_status (f, PIEPER_FILTER_OPEN);
  note = pieper_outbox_add_note (f->outbox, pieper_incident_get_id (incident), "Held on its way", &error);
  g_assert_no_error (error);
  pieper_sim_reset_record (f->sim);

  /* The flush is cut short while the note is on its way. */
  hold_first_note ();
  g_idle_add (cancel_when_held, cancellable);
  pieper_sync_engine_sync_async (f->engine, cancellable, sync_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
  g_assert_cmpuint (held.n_calls, ==, 1);

  /* Refresh, within the wait: the note is not sent again. */
  handler = g_signal_connect (f->engine, "synced", G_CALLBACK (synced_cb), &synced);
  pieper_sync_engine_sync_now (f->engine);
  while (!synced)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (f->engine, handler);
  g_assert_cmpuint (held.n_calls, ==, 1);
  g_assert_cmpuint (pieper_outbox_count_unsent (f->outbox, 0), ==, 1);

  /* The server handles the first request; the wait ends (moved here by
   * moving the stored times back); the next round reads it back. */
  release_held_note ();
  g_assert_cmpuint (pieper_sim_count_all_writes (f->sim, "POST", NULL), ==, 1);
  pass_unknown_outcome_wait (f);
  g_assert_true (sync_once (f, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.unsent, ==, 0);

  after = pieper_outbox_get (f->outbox, pieper_action_get_id (note), &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_action_get_state (after), ==, PIEPER_ACTION_DONE);
  g_assert_cmpuint (pieper_sim_count_all_writes (f->sim, "POST", NULL), ==, 1);
}

/* How many notes saying @text the sim applied. */
static guint
count_sim_notes (Fixture    *f,
                 const char *text)
{
  g_autoptr(JsonNode) writes = pieper_sim_dup_writes (f->sim);
  JsonArray *array = json_node_get_array (writes);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *write = json_array_get_object_element (array, i);
      JsonNode *body = json_object_get_member (write, "body");
      JsonObject *note;

      if (!json_object_get_boolean_member_with_default (write, "applied", FALSE) ||
          !JSON_NODE_HOLDS_OBJECT (body) ||
          !(note = json_object_get_object_member (json_node_get_object (body), "note")))
        continue;

      if (g_strcmp0 (json_object_get_string_member_with_default (note, "content", NULL), text) == 0)
        n++;
    }

  return n;
}

/* The engine talks to the sim through @proxy. Returns its provider,
 * which the engine holds. */
static PieperPagerduty *
use_proxy (Fixture      *f,
           HoldingProxy *proxy)
{
  g_autoptr(PieperProvider) provider = NULL;

  provider = pieper_pagerduty_new (holding_proxy_get_url (proxy), EMAIL, TOKEN);
  g_clear_object (&f->engine);
  f->engine = pieper_sync_engine_new (f->store);
  pieper_sync_engine_add_account (f->engine, f->account, provider);

  return PIEPER_PAGERDUTY (provider);
}

/* A Refresh, waited for. */
static void
refresh (Fixture *f)
{
  gboolean synced = FALSE;
  gulong handler;

  handler = g_signal_connect (f->engine, "synced", G_CALLBACK (synced_cb), &synced);
  pieper_sync_engine_sync_now (f->engine);
  while (!synced)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (f->engine, handler);
}

/* A note POST times out while the server holds it, the responder taps
 * Refresh at once, and only then does the server handle the request: the
 * Refresh neither reads back nor sends again before the unknown-outcome
 * wait is over, and after it the read-back finds the note. */
static void
test_timed_out_note_refresh (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(HoldingProxy) proxy = holding_proxy_new (f->url);
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperAction) note = NULL;
  g_autoptr(PieperAction) after = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = "Held past the timeout";
  PieperPagerduty *provider;

  provider = use_proxy (f, proxy);
  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);
  incident = first_with_status (f, PIEPER_FILTER_OPEN);
  note = pieper_outbox_add_note (f->outbox, pieper_incident_get_id (incident), text, &error);
  g_assert_no_error (error);

  /* The note leaves, and no answer comes in time: the provider gives up
   * after a second (only in this round, so that a slow machine does not
   * time out the others). */
  holding_proxy_hold_notes (proxy, TRUE);
  _pieper_pagerduty_set_timeout (provider, 1);
  g_assert_false (sync_once (f, NULL, &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME);
  g_clear_error (&error);
  _pieper_pagerduty_set_timeout (provider, 30);
  g_assert_cmpuint (holding_proxy_get_n_held (proxy), ==, 1);
  holding_proxy_hold_notes (proxy, FALSE);

  after = pieper_outbox_get (f->outbox, pieper_action_get_id (note), &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_action_get_state (after), ==, PIEPER_ACTION_INFLIGHT);
  g_assert_null (pieper_action_get_claimed_by (after));
  g_clear_object (&after);

  /* Refresh, within the wait: the note is not read back or sent. */
  refresh (f);
  g_assert_cmpint (pieper_sync_engine_get_state (f->engine), ==, PIEPER_SYNC_STATE_IDLE);
  g_assert_cmpuint (count_sim_notes (f, text), ==, 0);

  /* The server handles the first request now; the wait ends (moved here
   * by moving the stored times back); the next round reads it back. */
  holding_proxy_release (proxy);
  g_assert_cmpuint (count_sim_notes (f, text), ==, 1);
  pass_unknown_outcome_wait (f);
  g_assert_true (sync_once (f, NULL, &error));
  g_assert_no_error (error);

  after = pieper_outbox_get (f->outbox, pieper_action_get_id (note), &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_action_get_state (after), ==, PIEPER_ACTION_DONE);
  g_assert_cmpuint (count_sim_notes (f, text), ==, 1);
}

/* A note that could not leave (the server refuses connections: down, or
 * offline) waits an ordinary backoff, and a Refresh sends it at once. */
static void
test_refused_note_refresh (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperAction) note = NULL;
  g_autoptr(PieperAction) after = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = "Sent when the server is back";
  guint port;

  g_assert_true (sync_once (f, NULL, &error));
  incident = first_with_status (f, PIEPER_FILTER_OPEN);
  note = pieper_outbox_add_note (f->outbox, pieper_incident_get_id (incident), text, &error);
  g_assert_no_error (error);

  port = pieper_sim_get_port (f->sim);
  pieper_sim_stop (f->sim);
  g_assert_false (sync_once (f, NULL, &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_clear_error (&error);

  after = pieper_outbox_get (f->outbox, pieper_action_get_id (note), &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_action_get_state (after), ==, PIEPER_ACTION_PENDING);
  g_assert_cmpint (pieper_action_get_next_attempt_at (after), >, g_get_real_time () / G_USEC_PER_SEC);
  g_clear_object (&after);

  /* Back, and the responder taps Refresh: sent at once. */
  pieper_sim_start_in_thread (f->sim, port, &error);
  g_assert_no_error (error);
  refresh (f);

  after = pieper_outbox_get (f->outbox, pieper_action_get_id (note), &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_action_get_state (after), ==, PIEPER_ACTION_DONE);
  g_assert_cmpuint (count_sim_notes (f, text), ==, 1);
}

typedef struct
{
  GAsyncResult *result;
} Pending;

static void
pending_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Pending *pending = user_data;

  pending->result = g_object_ref (result);
}

/* One page of open incidents, waited for. */
static GPtrArray *
list_page (PieperProvider  *provider,
           const char      *cursor,
           GCancellable    *cancellable,
           char           **next,
           GError         **error)
{
  Pending pending = { NULL };
  GPtrArray *page;

  pieper_provider_list_incidents_async (provider, cursor, cancellable, pending_cb, &pending);
  while (pending.result == NULL)
    g_main_context_iteration (NULL, TRUE);

  page = pieper_provider_list_incidents_finish (provider, pending.result, next, error);
  g_object_unref (pending.result);

  return page;
}

/* Lists every open incident page by page; returns their ids, and one id
 * of the second page. */
static GHashTable *
list_all (PieperProvider  *provider,
          guint           *n_pages,
          char           **on_second_page)
{
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *cursor = NULL;

  *n_pages = 0;
  do
    {
      g_autoptr(GPtrArray) page = NULL;
      g_autoptr(GError) error = NULL;
      char *next = NULL;

      page = list_page (provider, cursor, NULL, &next, &error);
      g_assert_no_error (error);
      (*n_pages)++;
      if (*n_pages == 2 && on_second_page != NULL && page->len > 0)
        *on_second_page = g_strdup (pieper_incident_get_remote_id (g_ptr_array_index (page, 0)));
      for (guint i = 0; i < page->len; i++)
        {
          const char *id = pieper_incident_get_remote_id (g_ptr_array_index (page, i));

          /* Each incident once. */
          g_assert_false (g_hash_table_contains (ids, id));
          g_hash_table_add (ids, g_strdup (id));
        }
      g_free (cursor);
      cursor = next;
    }
  while (cursor != NULL);

  return ids;
}

static gboolean
page_has (GPtrArray  *page,
          const char *id)
{
  for (guint i = 0; i < page->len; i++)
    if (g_strcmp0 (pieper_incident_get_remote_id (g_ptr_array_index (page, i)), id) == 0)
      return TRUE;

  return FALSE;
}

/* Lets the main loop run until the sim has had @n requests for the open
 * list (bounded: about ten seconds). */
static void
wait_for_list_requests (Fixture *f,
                        guint    n)
{
  for (guint i = 0; i < 1000 && count_list_requests (f) < n; i++)
    {
      g_usleep (10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  g_assert_cmpuint (count_list_requests (f), ==, n);
}

/* The PagerDuty provider reads pages ahead once the first page told the
 * total: every open incident still arrives once, with no extra request;
 * a new pull does not take pages read ahead for the last one; a cancelled
 * pull ends and leaves nothing that keeps the provider alive. */
static void
test_read_ahead_pages (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(PieperProvider) provider = pieper_pagerduty_new (f->url, EMAIL, TOKEN);
  g_autoptr(GHashTable) first = NULL;
  g_autoptr(GHashTable) second = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next = NULL;
  g_autofree char *gone = NULL;
  guint n_pages;
  guint n_open;

  for (guint i = 0; i < 420; i++)
    {
      g_autofree char *summary = g_strdup_printf ("Storm %u", i);

      g_assert_nonnull (pieper_sim_trigger (f->sim, summary, NULL, "high"));
    }
  pieper_sim_reset_record (f->sim);

  first = list_all (provider, &n_pages, &gone);
  n_open = g_hash_table_size (first);
  g_assert_cmpuint (n_open, >, 420);
  g_assert_cmpuint (n_pages, ==, (n_open + 99) / 100);
  /* Every page asked for once, none beyond the last. */
  g_assert_cmpuint (count_list_requests (f), ==, n_pages);

  /* A pull that stops after its first page; by then the next three pages
   * are asked for without being asked for. */
  pieper_sim_reset_record (f->sim);
  page = list_page (provider, NULL, NULL, &next, &error);
  g_assert_no_error (error);
  g_assert_nonnull (next);
  wait_for_list_requests (f, 4);

  /* Changed on the server after those pages were read: a new pull must
   * not take them. */
  g_assert_nonnull (gone);
  g_assert_false (page_has (page, gone));
  server_put_status (f, gone, "resolved");
  g_clear_pointer (&page, g_ptr_array_unref);
  g_clear_pointer (&next, g_free);

  second = list_all (provider, &n_pages, NULL);
  g_assert_cmpuint (g_hash_table_size (second), ==, n_open - 1);
  g_assert_false (g_hash_table_contains (second, gone));

  /* A pull cancelled after its first page ends with CANCELLED. */
  pieper_sim_reset_record (f->sim);
  page = list_page (provider, NULL, cancellable, &next, &error);
  g_assert_no_error (error);
  g_assert_nonnull (next);
  wait_for_list_requests (f, 4);
  g_cancellable_cancel (cancellable);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = list_page (provider, next, cancellable, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (page);

  /* The pages read ahead end soon after; then the provider goes. */
  for (guint i = 0; i < 200 && G_OBJECT (provider)->ref_count > 1; i++)
    {
      g_usleep (10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_assert_finalize_object (g_steal_pointer (&provider));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func, n) \
  g_test_add (name, Fixture, GUINT_TO_POINTER (n), fixture_set_up, func, fixture_tear_down)

  ADD ("/sync/pull", test_pull, 250);
  ADD ("/sync/ack-and-note-once", test_ack_and_note_delivered_once, 30);
  ADD ("/sync/stale-ack-conflict", test_stale_ack_is_a_conflict, 30);
  ADD ("/sync/offline-queue", test_offline_queue, 80);
  ADD ("/sync/note-unknown-outcome", test_note_unknown_outcome, 20);
  ADD ("/sync/faults", test_faults, 20);
  ADD ("/sync/incremental-sees-changes", test_incremental_sees_changes, 250);
  ADD ("/sync/quiet-round-is-cheap", test_quiet_round_is_cheap, 250);
  ADD ("/sync/feed-fetches-each-change-once", test_feed_fetches_each_change_once, 250);
  ADD ("/sync/full-pull-reconciles", test_full_pull_reconciles, 250);
  ADD ("/sync/notes-in-order-per-incident", test_notes_in_order_per_incident, 250);
  ADD ("/sync/flush-cancelled-midway", test_flush_cancelled_midway, 250);
  ADD ("/sync/refresh-within-unknown-outcome-wait", test_refresh_within_unknown_outcome_wait, 20);
  ADD ("/sync/read-ahead-pages", test_read_ahead_pages, 250);
  ADD ("/sync/timed-out-note-refresh", test_timed_out_note_refresh, 20);
  ADD ("/sync/refused-note-refresh", test_refused_note_refresh, 20);

  return g_test_run ();
}
