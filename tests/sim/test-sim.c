/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "TestSim"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <libsoup/soup.h>

#include "pieper-sim.h"

/*
 * Tests of pieper-sim over real HTTP: the sim runs in-process on a free
 * port of 127.0.0.1 and the tests talk to it with a SoupSession, spinning
 * the main context until each answer is in.
 */

#define PD_ACCEPT  "application/vnd.pagerduty+json;version=2"
#define ME_EMAIL   "mira.jansen@example.com"
#define ME_ID      "PME0001"

typedef struct {
  PieperSim   *sim;
  SoupSession *session;
  char        *url;
} Fixture;

typedef struct {
  guint               status;
  GBytes             *body;
  JsonNode           *json;
  SoupMessageHeaders *headers;
  GError             *error;
  gint64              elapsed_us;
} Response;

static void
response_free (Response *response)
{
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_error (&response->error);
  g_free (response);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->sim = pieper_sim_new ();
  g_assert_true (pieper_sim_start (f->sim, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pieper_sim_get_port (f->sim), >, 0);
  f->url = pieper_sim_dup_url (f->sim);
  f->session = soup_session_new_with_options ("timeout", 30, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  pieper_sim_stop (f->sim);
  g_assert_finalize_object (f->sim);
  g_free (f->url);
}

typedef struct {
  SoupMessage *msg;
  Response    *response;
  gint64       start;
  gboolean     done;
} Pending;

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pending *pending = user_data;
  Response *response = pending->response;

  response->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &response->error);
  response->status = soup_message_get_status (pending->msg);
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (pending->msg));
  response->elapsed_us = g_get_monotonic_time () - pending->start;

  if (response->body != NULL && g_bytes_get_size (response->body) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      gsize size = 0;
      const char *data = g_bytes_get_data (response->body, &size);

      if (json_parser_load_from_data (parser, data, (gssize) size, NULL))
        response->json = json_node_ref (json_parser_get_root (parser));
    }
  pending->done = TRUE;
}

static Pending *
start_request (Fixture    *f,
               SoupSession *session,
               const char *method,
               const char *path,
               const char *body,
               const char *from,
               const char *token)
{
  g_autofree char *uri = g_strconcat (f->url, path, NULL);
  Pending *pending = g_new0 (Pending, 1);
  SoupMessageHeaders *headers;

  pending->msg = soup_message_new (method, uri);
  g_assert_nonnull (pending->msg);
  pending->response = g_new0 (Response, 1);
  headers = soup_message_get_request_headers (pending->msg);
  soup_message_headers_replace (headers, "Accept", PD_ACCEPT);
  if (token != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Token token=%s", token);

      soup_message_headers_replace (headers, "Authorization", auth);
    }
  if (from != NULL)
    soup_message_headers_replace (headers, "From", from);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (pending->msg, "application/json", bytes);
    }

  pending->start = g_get_monotonic_time ();
  soup_session_send_and_read_async (session, pending->msg, G_PRIORITY_DEFAULT, NULL, sent_cb, pending);
  return pending;
}

static Response *
finish_request (Pending *pending)
{
  Response *response;

  while (!pending->done)
    g_main_context_iteration (NULL, TRUE);

  response = pending->response;
  g_object_unref (pending->msg);
  g_free (pending);
  return response;
}

static Response *
request_full (Fixture    *f,
              const char *method,
              const char *path,
              const char *body,
              const char *from,
              const char *token)
{
  return finish_request (start_request (f, f->session, method, path, body, from, token));
}

static Response *
request (Fixture    *f,
         const char *method,
         const char *path,
         const char *body,
         const char *from)
{
  return request_full (f, method, path, body, from, "sim-token");
}

/* A member by a dotted path: "incident.assignments.0.assignee.id". */
static JsonNode *
jnode (JsonNode   *node,
       const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", 0);

  for (guint i = 0; node != NULL && parts[i] != NULL; i++)
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        node = json_object_get_member (json_node_get_object (node), parts[i]);
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint index = (guint) g_ascii_strtoull (parts[i], NULL, 10);

          node = index < json_array_get_length (array) ? json_array_get_element (array, index) : NULL;
        }
      else
        node = NULL;
    }
  return node;
}

static const char *
jstr (JsonNode   *node,
      const char *path)
{
  JsonNode *member = jnode (node, path);

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (member);
}

static gint64
jint (JsonNode   *node,
      const char *path)
{
  JsonNode *member = jnode (node, path);

  g_assert_nonnull (member);
  g_assert_true (JSON_NODE_HOLDS_VALUE (member));
  return json_node_get_int (member);
}

static gboolean
jbool (JsonNode   *node,
       const char *path)
{
  JsonNode *member = jnode (node, path);

  g_assert_nonnull (member);
  g_assert_true (JSON_NODE_HOLDS_VALUE (member));
  return json_node_get_boolean (member);
}

static guint
jlen (JsonNode   *node,
      const char *path)
{
  JsonNode *member = jnode (node, path);

  g_assert_nonnull (member);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (member));
  return json_array_get_length (json_node_get_array (member));
}

static gboolean
jnull (JsonNode   *node,
       const char *path)
{
  JsonNode *member = jnode (node, path);

  return member != NULL && JSON_NODE_HOLDS_NULL (member);
}

static void
assert_pd_error (Response *response,
                 guint     status,
                 gint64    code)
{
  g_assert_no_error (response->error);
  g_assert_cmpuint (response->status, ==, status);
  g_assert_nonnull (response->json);
  g_assert_cmpint (jint (response->json, "error.code"), ==, code);
  g_assert_nonnull (jstr (response->json, "error.message"));
}

static void
assert_iso_time (const char *str)
{
  g_assert_nonnull (str);
  g_assert_true (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                                       str, 0, 0));
}

static char *
incident_path (const char *id,
               const char *rest)
{
  return g_strconcat ("/incidents/", id, rest, NULL);
}

static Response *
put_incident (Fixture    *f,
              const char *id,
              const char *fields)
{
  g_autofree char *path = incident_path (id, "");
  g_autofree char *body = g_strdup_printf ("{\"incident\":{\"type\":\"incident_reference\",%s}}", fields);

  return request (f, "PUT", path, body, ME_EMAIL);
}

static void
wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
    }
}

/* Auth and users */

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(Response) none = request_full (f, "GET", "/incidents", NULL, NULL, NULL);
  g_autoptr(Response) wrong = request_full (f, "GET", "/incidents", NULL, NULL, "nope");
  g_autoptr(Response) right = request (f, "GET", "/incidents", NULL, NULL);
  g_autoptr(Response) custom = NULL;
  g_autoptr(Response) old = NULL;

  assert_pd_error (none, 401, 2006);
  assert_pd_error (wrong, 401, 2006);
  g_assert_cmpuint (right->status, ==, 200);
  g_assert_nonnull (soup_message_headers_get_one (right->headers, "ratelimit-limit"));

  pieper_sim_set_token (f->sim, "s3cret");
  custom = request_full (f, "GET", "/incidents", NULL, NULL, "s3cret");
  old = request (f, "GET", "/incidents", NULL, NULL);
  g_assert_cmpuint (custom->status, ==, 200);
  assert_pd_error (old, 401, 2006);
}

static void
test_users (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(Response) me = request (f, "GET", "/users/me", NULL, NULL);
  g_autoptr(Response) renamed = NULL;
  g_autoptr(Response) colleague = NULL;
  g_autoptr(Response) missing = NULL;

  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpstr (jstr (me->json, "user.id"), ==, ME_ID);
  g_assert_cmpstr (jstr (me->json, "user.type"), ==, "user");
  g_assert_cmpstr (jstr (me->json, "user.email"), ==, ME_EMAIL);
  g_assert_cmpstr (jstr (me->json, "user.name"), ==, jstr (me->json, "user.summary"));

  pieper_sim_set_me (f->sim, "PME4242", "Sam Example", "sam@example.org");
  renamed = request (f, "GET", "/users/me", NULL, NULL);
  g_assert_cmpstr (jstr (renamed->json, "user.id"), ==, "PME4242");
  g_assert_cmpstr (jstr (renamed->json, "user.email"), ==, "sam@example.org");

  colleague = request (f, "GET", "/users/PUSER03", NULL, NULL);
  g_assert_cmpuint (colleague->status, ==, 200);
  g_assert_cmpstr (jstr (colleague->json, "user.name"), ==, "Chen Wei");

  missing = request (f, "GET", "/users/PNOBODY", NULL, NULL);
  assert_pd_error (missing, 404, 2100);
}

/* Listing and pagination */

static void
test_pagination (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(Response) first = NULL;
  g_autoptr(Response) clamped = NULL;
  g_autoptr(Response) edge = NULL;
  g_autoptr(Response) beyond = NULL;
  g_autoptr(Response) zero = NULL;
  g_autoptr(Response) junk = NULL;
  gint64 last_number = 0;
  guint offset = 0;
  gboolean more = TRUE;

  pieper_sim_add_incidents (f->sim, 250);
  g_assert_cmpuint (pieper_sim_get_n_incidents (f->sim), ==, 250);

  first = request (f, "GET", "/incidents", NULL, NULL);
  g_assert_cmpuint (first->status, ==, 200);
  g_assert_cmpuint (jlen (first->json, "incidents"), ==, 25);
  g_assert_cmpint (jint (first->json, "limit"), ==, 25);
  g_assert_cmpint (jint (first->json, "offset"), ==, 0);
  g_assert_true (jbool (first->json, "more"));
  g_assert_true (jnull (first->json, "total"));

  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/incidents?limit=100&offset=%u&total=true", offset);
      g_autoptr(Response) page = request (f, "GET", path, NULL, NULL);
      guint n = jlen (page->json, "incidents");

      g_assert_cmpuint (page->status, ==, 200);
      g_assert_cmpint (jint (page->json, "total"), ==, 250);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *key = g_strdup_printf ("incidents.%u", i);
          JsonNode *incident = jnode (page->json, key);
          gint64 number = jint (incident, "incident_number");

          g_assert_cmpint (number, >, last_number);
          last_number = number;
          g_assert_true (g_hash_table_add (seen, g_strdup (jstr (incident, "id"))));
        }
      more = jbool (page->json, "more");
      offset += n;
      g_assert_cmpuint (offset, <=, 250);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 250);

  clamped = request (f, "GET", "/incidents?limit=500", NULL, NULL);
  g_assert_cmpuint (clamped->status, ==, 200);
  g_assert_cmpint (jint (clamped->json, "limit"), ==, 100);
  g_assert_cmpuint (jlen (clamped->json, "incidents"), ==, 100);

  edge = request (f, "GET", "/incidents?limit=100&offset=9900", NULL, NULL);
  g_assert_cmpuint (edge->status, ==, 200);
  g_assert_cmpuint (jlen (edge->json, "incidents"), ==, 0);
  g_assert_false (jbool (edge->json, "more"));

  beyond = request (f, "GET", "/incidents?limit=100&offset=9901", NULL, NULL);
  assert_pd_error (beyond, 400, 2001);
  zero = request (f, "GET", "/incidents?limit=0", NULL, NULL);
  assert_pd_error (zero, 400, 2001);
  junk = request (f, "GET", "/incidents?offset=-3", NULL, NULL);
  assert_pd_error (junk, 400, 2001);
}

static void
test_filters (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(Response) open = NULL;
  g_autoptr(Response) resolved = NULL;
  g_autoptr(Response) all = NULL;
  g_autoptr(Response) low = NULL;
  g_autoptr(Response) mine = NULL;
  g_autoptr(Response) future = NULL;
  g_autoptr(Response) bad_status = NULL;
  g_autoptr(Response) bad_time = NULL;
  g_autoptr(Response) desc = NULL;

  pieper_sim_add_incidents (f->sim, 80);

  open = request (f, "GET", "/incidents?statuses%5B%5D=triggered&statuses[]=acknowledged&limit=100&total=true",
                  NULL, NULL);
  resolved = request (f, "GET", "/incidents?statuses[]=resolved&limit=100&total=true", NULL, NULL);
  all = request (f, "GET", "/incidents?limit=100&total=true", NULL, NULL);
  g_assert_cmpint (jint (open->json, "total"), >, 0);
  g_assert_cmpint (jint (resolved->json, "total"), >, 0);
  g_assert_cmpint (jint (open->json, "total") + jint (resolved->json, "total"), ==, jint (all->json, "total"));
  for (guint i = 0; i < jlen (open->json, "incidents"); i++)
    {
      g_autofree char *key = g_strdup_printf ("incidents.%u.status", i);

      g_assert_cmpstr (jstr (open->json, key), !=, "resolved");
    }

  low = request (f, "GET", "/incidents?urgencies[]=low&limit=100", NULL, NULL);
  for (guint i = 0; i < jlen (low->json, "incidents"); i++)
    {
      g_autofree char *key = g_strdup_printf ("incidents.%u.urgency", i);

      g_assert_cmpstr (jstr (low->json, key), ==, "low");
    }

  mine = request (f, "GET", "/incidents?user_ids[]=" ME_ID "&limit=100", NULL, NULL);
  for (guint i = 0; i < jlen (mine->json, "incidents"); i++)
    {
      g_autofree char *key = g_strdup_printf ("incidents.%u.assignments.0.assignee.id", i);

      g_assert_cmpstr (jstr (mine->json, key), ==, ME_ID);
    }

  future = request (f, "GET", "/incidents?since=2999-01-01T00:00:00Z", NULL, NULL);
  g_assert_cmpuint (jlen (future->json, "incidents"), ==, 0);

  desc = request (f, "GET", "/incidents?sort_by=incident_number:desc&limit=2", NULL, NULL);
  g_assert_cmpint (jint (desc->json, "incidents.0.incident_number"), ==, 80);

  /* PagerDuty lists the last month unless told otherwise, and at most six
   * months at a time. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) past = g_date_time_add_days (now, -40);
    g_autofree char *iso = g_date_time_format (past, "%Y-%m-%dT%H:%M:%SZ");
    g_autofree char *until_path = g_strdup_printf ("/incidents?until=%s&total=true", iso);
    g_autoptr(Response) before = request (f, "GET", until_path, NULL, NULL);
    g_autoptr(Response) forever = request (f, "GET", "/incidents?date_range=all&total=true", NULL, NULL);
    g_autoptr(Response) too_long = request (f, "GET", "/incidents?since=2000-01-01T00:00:00Z", NULL, NULL);

    g_assert_cmpint (jint (before->json, "total"), ==, 0);
    g_assert_cmpint (jint (forever->json, "total"), ==, 80);
    assert_pd_error (too_long, 400, 2005);
  }

  bad_status = request (f, "GET", "/incidents?statuses[]=sleeping", NULL, NULL);
  assert_pd_error (bad_status, 400, 2001);
  bad_time = request (f, "GET", "/incidents?since=yesterday", NULL, NULL);
  assert_pd_error (bad_time, 400, 2004);
}

static void
test_large (Fixture       *f,
            gconstpointer  data)
{
  gint64 start;
  gint64 elapsed;
  guint n = 0;

  start = g_get_monotonic_time ();
  pieper_sim_add_incidents (f->sim, 10000);
  g_test_message ("generated 10,000 incidents in %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);

  start = g_get_monotonic_time ();
  for (guint offset = 0; offset < 10000; offset += 100)
    {
      g_autofree char *path = g_strdup_printf ("/incidents?limit=100&offset=%u", offset);
      g_autoptr(Response) page = request (f, "GET", path, NULL, NULL);

      g_assert_cmpuint (page->status, ==, 200);
      n += jlen (page->json, "incidents");
      g_assert_true (jbool (page->json, "more") == (offset + 100 < 10000));
    }
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpuint (n, ==, 10000);

  /* Client and server share this thread, so this is an upper bound of the
   * server's time; the target is well under a second. Sanitizer and
   * unoptimized builds only report it. */
  g_test_message ("listed 10,000 incidents in 100 pages in %.0f ms", elapsed / 1000.0);
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);
#endif
}

/* One incident */

static void
test_incident_shape (Fixture       *f,
                     gconstpointer  data)
{
  const char *id = pieper_sim_trigger (f->sim, "Disk full on db-2", "payments-db", "high");
  g_autofree char *path = incident_path (id, "");
  g_autofree char *bridge_path = incident_path (id, "?include[]=conference_bridge");
  g_autoptr(Response) response = request (f, "GET", path, NULL, NULL);
  g_autoptr(Response) bridge = request (f, "GET", bridge_path, NULL, NULL);
  g_autoptr(Response) missing = request (f, "GET", "/incidents/PNOSUCH", NULL, NULL);
  JsonNode *incident;
  g_autofree char *summary = NULL;

  g_assert_nonnull (id);
  g_assert_cmpuint (response->status, ==, 200);
  incident = jnode (response->json, "incident");
  g_assert_nonnull (incident);

  g_assert_cmpstr (jstr (incident, "id"), ==, id);
  g_assert_cmpstr (jstr (incident, "type"), ==, "incident");
  g_assert_cmpstr (jstr (incident, "title"), ==, "Disk full on db-2");
  summary = g_strdup_printf ("[#%" G_GINT64_FORMAT "] Disk full on db-2", jint (incident, "incident_number"));
  g_assert_cmpstr (jstr (incident, "summary"), ==, summary);
  g_assert_cmpstr (jstr (incident, "status"), ==, "triggered");
  g_assert_cmpstr (jstr (incident, "urgency"), ==, "high");
  g_assert_nonnull (jstr (incident, "incident_key"));
  g_assert_true (g_str_has_suffix (jstr (incident, "self"), path));
  g_assert_nonnull (jstr (incident, "html_url"));
  assert_iso_time (jstr (incident, "created_at"));
  assert_iso_time (jstr (incident, "updated_at"));
  assert_iso_time (jstr (incident, "last_status_change_at"));
  g_assert_true (jnull (incident, "resolved_at"));

  g_assert_cmpstr (jstr (incident, "service.type"), ==, "service_reference");
  g_assert_cmpstr (jstr (incident, "service.summary"), ==, "payments-db");
  g_assert_cmpstr (jstr (incident, "escalation_policy.type"), ==, "escalation_policy_reference");
  g_assert_cmpstr (jstr (incident, "escalation_policy.summary"), ==, "Payments Primary");
  g_assert_cmpstr (jstr (incident, "priority.type"), ==, "priority_reference");
  g_assert_cmpstr (jstr (incident, "priority.summary"), ==, "P2");
  g_assert_cmpuint (jlen (incident, "assignments"), ==, 1);
  assert_iso_time (jstr (incident, "assignments.0.at"));
  g_assert_cmpstr (jstr (incident, "assignments.0.assignee.type"), ==, "user_reference");
  g_assert_cmpstr (jstr (incident, "assignments.0.assignee.id"), ==, "PUSER03");
  g_assert_cmpstr (jstr (incident, "last_status_change_by.type"), ==, "service_reference");
  g_assert_cmpstr (jstr (incident, "first_trigger_log_entry.type"), ==, "trigger_log_entry_reference");
  g_assert_cmpuint (jlen (incident, "acknowledgements"), ==, 0);
  g_assert_cmpuint (jlen (incident, "pending_actions"), ==, 0);

  /* The bridge only when asked for, as PagerDuty does. */
  g_assert_null (jnode (incident, "conference_bridge"));
  g_assert_nonnull (jnode (bridge->json, "incident.conference_bridge"));

  assert_pd_error (missing, 404, 2100);
}

/* Writes */

static void
test_acknowledge_resolve (Fixture       *f,
                          gconstpointer  data)
{
  const char *id = pieper_sim_trigger (f->sim, "checkout-api 5xx", "checkout-api", "high");
  g_autofree char *log_path = incident_path (id, "/log_entries");
  g_autoptr(Response) ack = put_incident (f, id, "\"status\":\"acknowledged\"");
  g_autoptr(Response) again = put_incident (f, id, "\"status\":\"acknowledged\"");
  g_autoptr(Response) resolve = put_incident (f, id, "\"status\":\"resolved\"");
  g_autoptr(Response) twice = put_incident (f, id, "\"status\":\"resolved\"");
  g_autoptr(Response) reopen = NULL;
  g_autoptr(Response) log = NULL;
  g_autoptr(Response) bad = NULL;
  g_autofree char *status = NULL;

  g_assert_cmpuint (ack->status, ==, 200);
  g_assert_cmpstr (jstr (ack->json, "incident.status"), ==, "acknowledged");
  g_assert_cmpuint (jlen (ack->json, "incident.acknowledgements"), ==, 1);
  g_assert_cmpstr (jstr (ack->json, "incident.acknowledgements.0.acknowledger.id"), ==, ME_ID);
  g_assert_cmpstr (jstr (ack->json, "incident.last_status_change_by.id"), ==, ME_ID);

  /* Acknowledging again is taken, not refused. */
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpstr (jstr (again->json, "incident.status"), ==, "acknowledged");

  g_assert_cmpuint (resolve->status, ==, 200);
  g_assert_cmpstr (jstr (resolve->json, "incident.status"), ==, "resolved");
  g_assert_cmpuint (jlen (resolve->json, "incident.assignments"), ==, 0);
  g_assert_cmpuint (jlen (resolve->json, "incident.acknowledgements"), ==, 0);
  assert_iso_time (jstr (resolve->json, "incident.resolved_at"));

  assert_pd_error (twice, 400, 1001);

  /* PagerDuty reopens a resolved incident that is acknowledged. */
  reopen = put_incident (f, id, "\"status\":\"acknowledged\"");
  g_assert_cmpuint (reopen->status, ==, 200);
  g_assert_cmpstr (jstr (reopen->json, "incident.status"), ==, "acknowledged");
  g_assert_true (jnull (reopen->json, "incident.resolved_at"));
  g_assert_cmpuint (jlen (reopen->json, "incident.assignments"), ==, 1);
  status = pieper_sim_dup_incident_status (f->sim, id);
  g_assert_cmpstr (status, ==, "acknowledged");

  log = request (f, "GET", log_path, NULL, NULL);
  g_assert_cmpuint (log->status, ==, 200);
  g_assert_cmpuint (jlen (log->json, "log_entries"), ==, 5);
  g_assert_cmpstr (jstr (log->json, "log_entries.0.type"), ==, "acknowledge_log_entry");
  g_assert_cmpstr (jstr (log->json, "log_entries.1.type"), ==, "resolve_log_entry");
  g_assert_cmpstr (jstr (log->json, "log_entries.2.type"), ==, "acknowledge_log_entry");
  g_assert_cmpstr (jstr (log->json, "log_entries.3.type"), ==, "acknowledge_log_entry");
  g_assert_cmpstr (jstr (log->json, "log_entries.4.type"), ==, "trigger_log_entry");
  g_assert_cmpstr (jstr (log->json, "log_entries.0.agent.id"), ==, ME_ID);
  g_assert_cmpstr (jstr (log->json, "log_entries.0.incident.id"), ==, id);
  g_assert_cmpstr (jstr (log->json, "log_entries.0.incident.type"), ==, "incident_reference");
  g_assert_nonnull (jstr (log->json, "log_entries.0.channel.type"));

  bad = put_incident (f, id, "\"status\":\"triggered\"");
  assert_pd_error (bad, 400, 1003);

  /* Four writes applied; the second resolve and the bad status were not. */
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "PUT", "/incidents/"), ==, 4);
  g_assert_cmpuint (pieper_sim_count_all_writes (f->sim, "PUT", "/incidents/"), ==, 6);
}

static void
test_from_header (Fixture       *f,
                  gconstpointer  data)
{
  const char *id = pieper_sim_trigger (f->sim, "Heartbeat missing", "search-indexer", "low");
  g_autofree char *path = incident_path (id, "");
  const char *body = "{\"incident\":{\"type\":\"incident_reference\",\"status\":\"acknowledged\"}}";
  g_autoptr(Response) missing = request (f, "PUT", path, body, NULL);
  g_autoptr(Response) unknown = request (f, "PUT", path, body, "stranger@example.net");
  g_autoptr(Response) no_type = request (f, "PUT", path, "{\"incident\":{\"status\":\"acknowledged\"}}", ME_EMAIL);
  g_autoptr(Response) not_json = request (f, "PUT", path, "status=acknowledged", ME_EMAIL);
  g_autoptr(Response) colleague = request (f, "PUT", path, body, "HANA.SATO@example.com");
  g_autoptr(Response) ghost = request (f, "PUT", "/incidents/PGHOST1", body, ME_EMAIL);

  assert_pd_error (missing, 400, 2001);
  assert_pd_error (unknown, 400, 1008);
  assert_pd_error (no_type, 400, 2001);
  assert_pd_error (not_json, 400, 2001);
  g_assert_cmpuint (colleague->status, ==, 200);
  g_assert_cmpstr (jstr (colleague->json, "incident.acknowledgements.0.acknowledger.id"), ==, "PUSER08");
  assert_pd_error (ghost, 404, 2100);

  g_assert_cmpuint (pieper_sim_count_writes (f->sim, NULL, NULL), ==, 1);
  g_assert_cmpuint (pieper_sim_count_all_writes (f->sim, NULL, NULL), ==, 6);
}

static void
test_escalate (Fixture       *f,
               gconstpointer  data)
{
  const char *id = pieper_sim_trigger (f->sim, "Checkout down", "checkout-api", "high");
  const char *single = pieper_sim_trigger (f->sim, "Indexer stuck", "search-indexer", "low");
  g_autofree char *log_path = incident_path (id, "/log_entries");
  g_autoptr(Response) ack = put_incident (f, id, "\"status\":\"acknowledged\"");
  g_autoptr(Response) level2 = put_incident (f, id, "\"escalation_level\":2");
  g_autoptr(Response) level3 = put_incident (f, id, "\"escalation_level\":3");
  g_autoptr(Response) level4 = put_incident (f, id, "\"escalation_level\":4");
  g_autoptr(Response) level0 = put_incident (f, id, "\"escalation_level\":0");
  g_autoptr(Response) text = put_incident (f, id, "\"escalation_level\":\"2\"");
  g_autoptr(Response) no_level2 = put_incident (f, single, "\"escalation_level\":2");
  g_autoptr(Response) log = request (f, "GET", log_path, NULL, NULL);
  g_autoptr(Response) resolve = put_incident (f, id, "\"status\":\"resolved\"");
  g_autoptr(Response) late = put_incident (f, id, "\"escalation_level\":2");

  g_assert_cmpuint (ack->status, ==, 200);

  /* Escalating an acknowledged incident pages the next level: it is
   * triggered again, for a new assignee. */
  g_assert_cmpuint (level2->status, ==, 200);
  g_assert_cmpstr (jstr (level2->json, "incident.status"), ==, "triggered");
  g_assert_cmpstr (jstr (level2->json, "incident.assignments.0.assignee.id"), ==, "PUSER01");
  g_assert_cmpuint (jlen (level2->json, "incident.acknowledgements"), ==, 0);
  g_assert_cmpuint (level3->status, ==, 200);
  g_assert_cmpstr (jstr (level3->json, "incident.assignments.0.assignee.id"), ==, "PUSER02");

  assert_pd_error (level4, 400, 1006);
  assert_pd_error (level0, 400, 1006);
  assert_pd_error (text, 400, 2001);
  assert_pd_error (no_level2, 400, 1006);

  g_assert_cmpstr (jstr (log->json, "log_entries.0.type"), ==, "escalate_log_entry");
  g_assert_cmpstr (jstr (log->json, "log_entries.0.assignees.0.id"), ==, "PUSER02");
  g_assert_cmpstr (jstr (log->json, "log_entries.0.agent.id"), ==, ME_ID);
  g_assert_nonnull (strstr (jstr (log->json, "log_entries.0.summary"), "level 3"));

  g_assert_cmpuint (resolve->status, ==, 200);
  assert_pd_error (late, 400, 1001);
}

static void
test_reassign (Fixture       *f,
               gconstpointer  data)
{
  const char *id = pieper_sim_trigger (f->sim, "Broker offline", "kafka-cluster", "high");
  g_autoptr(Response) ack = put_incident (f, id, "\"status\":\"acknowledged\"");
  g_autoptr(Response) reassign = put_incident (f, id,
    "\"assignments\":[{\"assignee\":{\"id\":\"PUSER05\",\"type\":\"user_reference\"}},"
    "{\"assignee\":{\"id\":\"" ME_ID "\",\"type\":\"user_reference\"}}]");
  g_autoptr(Response) ghost = put_incident (f, id,
    "\"assignments\":[{\"assignee\":{\"id\":\"PGHOST1\",\"type\":\"user_reference\"}}]");
  g_autoptr(Response) bad_type = put_incident (f, id,
    "\"assignments\":[{\"assignee\":{\"id\":\"PUSER05\",\"type\":\"team_reference\"}}]");
  g_autoptr(Response) empty = put_incident (f, id, "\"assignments\":[]");
  g_autoptr(Response) both = put_incident (f, id,
    "\"escalation_level\":1,\"assignments\":[{\"assignee\":{\"id\":\"PUSER05\",\"type\":\"user_reference\"}}]");
  g_autoptr(Response) nothing = put_incident (f, id, "\"title\":\"renamed\"");

  g_assert_cmpuint (ack->status, ==, 200);
  g_assert_cmpuint (reassign->status, ==, 200);
  g_assert_cmpstr (jstr (reassign->json, "incident.status"), ==, "triggered");
  g_assert_cmpuint (jlen (reassign->json, "incident.assignments"), ==, 2);
  g_assert_cmpstr (jstr (reassign->json, "incident.assignments.0.assignee.id"), ==, "PUSER05");
  g_assert_cmpstr (jstr (reassign->json, "incident.assignments.0.assignee.summary"), ==, "Emil Lindqvist");
  assert_pd_error (ghost, 400, 1007);
  assert_pd_error (bad_type, 400, 2001);
  assert_pd_error (empty, 400, 2001);
  assert_pd_error (both, 400, 2001);
  assert_pd_error (nothing, 400, 2001);
}

static void
test_snooze (Fixture       *f,
             gconstpointer  data)
{
  const char *id = pieper_sim_trigger (f->sim, "Queue backlog", "notifications-worker", "low");
  g_autofree char *path = incident_path (id, "/snooze");
  g_autofree char *get_path = incident_path (id, "");
  g_autoptr(Response) early = request (f, "POST", path, "{\"duration\":3600}", ME_EMAIL);
  g_autoptr(Response) ack = put_incident (f, id, "\"status\":\"acknowledged\"");
  g_autoptr(Response) bad = request (f, "POST", path, "{\"duration\":0}", ME_EMAIL);
  g_autoptr(Response) no_from = request (f, "POST", path, "{\"duration\":3600}", NULL);
  g_autoptr(Response) snooze = request (f, "POST", path, "{\"duration\":3600}", ME_EMAIL);
  g_autoptr(Response) brief = NULL;
  gint64 deadline;
  gboolean expired = FALSE;

  assert_pd_error (early, 400, 1012);
  g_assert_cmpuint (ack->status, ==, 200);
  assert_pd_error (bad, 400, 1013);
  assert_pd_error (no_from, 400, 2001);

  g_assert_cmpuint (snooze->status, ==, 201);
  g_assert_cmpstr (jstr (snooze->json, "incident.status"), ==, "acknowledged");
  g_assert_cmpuint (jlen (snooze->json, "incident.pending_actions"), ==, 1);
  g_assert_cmpstr (jstr (snooze->json, "incident.pending_actions.0.type"), ==, "unacknowledge");
  assert_iso_time (jstr (snooze->json, "incident.pending_actions.0.at"));

  /* A short snooze runs out and the incident is triggered again. */
  brief = request (f, "POST", path, "{\"duration\":1}", ME_EMAIL);
  g_assert_cmpuint (brief->status, ==, 201);
  deadline = g_get_monotonic_time () + 4 * G_USEC_PER_SEC;
  while (!expired && g_get_monotonic_time () < deadline)
    {
      g_autoptr(Response) now = request (f, "GET", get_path, NULL, NULL);

      expired = g_strcmp0 (jstr (now->json, "incident.status"), "triggered") == 0;
      if (!expired)
        wait_ms (200);
    }
  g_assert_true (expired);
}

static void
test_notes (Fixture       *f,
            gconstpointer  data)
{
  const char *id = pieper_sim_trigger (f->sim, "Replica lag", "payments-db", "high");
  g_autofree char *path = incident_path (id, "/notes");
  g_autofree char *log_path = incident_path (id, "/log_entries");
  g_autoptr(Response) none = request (f, "GET", path, NULL, NULL);
  g_autoptr(Response) no_from = request (f, "POST", path, "{\"note\":{\"content\":\"Looking\"}}", NULL);
  g_autoptr(Response) empty = request (f, "POST", path, "{\"note\":{\"content\":\"\"}}", ME_EMAIL);
  g_autoptr(Response) created = request (f, "POST", path, "{\"note\":{\"content\":\"Failing over to db-3 — ETA 5 min\"}}", ME_EMAIL);
  g_autoptr(Response) resolve = put_incident (f, id, "\"status\":\"resolved\"");
  g_autoptr(Response) after = request (f, "POST", path, "{\"note\":{\"content\":\"Postmortem: PIR-12\"}}", ME_EMAIL);
  g_autoptr(Response) list = request (f, "GET", path, NULL, NULL);
  g_autoptr(Response) log = request (f, "GET", log_path, NULL, NULL);
  g_autoptr(Response) ghost = request (f, "GET", "/incidents/PGHOST1/notes", NULL, NULL);

  g_assert_cmpuint (none->status, ==, 200);
  g_assert_cmpuint (jlen (none->json, "notes"), ==, 0);
  assert_pd_error (no_from, 400, 2001);
  assert_pd_error (empty, 400, 2001);

  g_assert_cmpuint (created->status, ==, 201);
  g_assert_nonnull (jstr (created->json, "note.id"));
  g_assert_cmpstr (jstr (created->json, "note.content"), ==, "Failing over to db-3 — ETA 5 min");
  g_assert_cmpstr (jstr (created->json, "note.user.id"), ==, ME_ID);
  g_assert_cmpstr (jstr (created->json, "note.user.type"), ==, "user_reference");
  assert_iso_time (jstr (created->json, "note.created_at"));

  /* Notes are accepted on resolved incidents. */
  g_assert_cmpuint (resolve->status, ==, 200);
  g_assert_cmpuint (after->status, ==, 201);

  g_assert_cmpuint (jlen (list->json, "notes"), ==, 2);
  g_assert_cmpstr (jstr (list->json, "notes.0.id"), ==, jstr (created->json, "note.id"));
  g_assert_cmpstr (jstr (list->json, "notes.1.content"), ==, "Postmortem: PIR-12");

  g_assert_cmpstr (jstr (log->json, "log_entries.0.type"), ==, "annotate_log_entry");
  assert_pd_error (ghost, 404, 2100);

  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "POST", path), ==, 2);
}

static void
test_log_entries (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Response) first = NULL;
  g_autoptr(Response) window = NULL;
  g_autoptr(Response) future = NULL;
  g_autoptr(Response) bad = NULL;
  g_autofree char *path = NULL;
  const char *newest;
  const char *oldest;
  guint n;

  pieper_sim_add_incidents (f->sim, 60);

  first = request (f, "GET", "/log_entries?limit=100&total=true", NULL, NULL);
  g_assert_cmpuint (first->status, ==, 200);
  n = jlen (first->json, "log_entries");
  g_assert_cmpuint (n, >, 60);
  g_assert_cmpint (jint (first->json, "total"), >=, 60);

  /* Newest first. */
  for (guint i = 1; i < n; i++)
    {
      g_autofree char *a = g_strdup_printf ("log_entries.%u.created_at", i - 1);
      g_autofree char *b = g_strdup_printf ("log_entries.%u.created_at", i);

      g_assert_cmpstr (jstr (first->json, a), >=, jstr (first->json, b));
    }

  newest = jstr (first->json, "log_entries.0.created_at");
  oldest = jstr (first->json, "log_entries.10.created_at");
  path = g_strdup_printf ("/log_entries?since=%s&until=%s&limit=100", oldest, newest);
  window = request (f, "GET", path, NULL, NULL);
  g_assert_cmpuint (window->status, ==, 200);
  for (guint i = 0; i < jlen (window->json, "log_entries"); i++)
    {
      g_autofree char *key = g_strdup_printf ("log_entries.%u.created_at", i);

      g_assert_cmpstr (jstr (window->json, key), >=, oldest);
      g_assert_cmpstr (jstr (window->json, key), <, newest);
    }

  future = request (f, "GET", "/log_entries?since=2999-01-01", NULL, NULL);
  g_assert_cmpuint (jlen (future->json, "log_entries"), ==, 0);
  g_assert_false (jbool (future->json, "more"));

  bad = request (f, "GET", "/log_entries?limit=100&offset=9950", NULL, NULL);
  assert_pd_error (bad, 400, 2001);
}

/* Events API v2 */

static Response *
enqueue (Fixture    *f,
         const char *body)
{
  return request_full (f, "POST", "/v2/enqueue", body, NULL, NULL);
}

static void
test_events (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(Response) trigger = enqueue (f,
    "{\"routing_key\":\"checkout-api\",\"event_action\":\"trigger\",\"dedup_key\":\"disk-db-2\","
    "\"payload\":{\"summary\":\"Disk 95% on db-2\",\"source\":\"db-2\",\"severity\":\"critical\"}}");
  g_autoptr(Response) dup = enqueue (f,
    "{\"routing_key\":\"checkout-api\",\"event_action\":\"trigger\",\"dedup_key\":\"disk-db-2\","
    "\"payload\":{\"summary\":\"Disk 96% on db-2\",\"source\":\"db-2\",\"severity\":\"critical\"}}");
  g_autoptr(Response) keyless = enqueue (f,
    "{\"routing_key\":\"R0UT1NGK3Y\",\"event_action\":\"trigger\","
    "\"payload\":{\"summary\":\"Cache hit ratio low\",\"source\":\"edge\",\"severity\":\"warning\"}}");
  g_autoptr(Response) list = request (f, "GET", "/incidents?incident_key=disk-db-2&total=true", NULL, NULL);
  g_autoptr(Response) low = NULL;
  g_autoptr(Response) ack = NULL;
  g_autoptr(Response) resolve = NULL;
  g_autoptr(Response) retrigger = NULL;
  g_autoptr(Response) after = NULL;
  g_autoptr(Response) unknown = NULL;
  g_autofree char *low_path = NULL;
  const char *id;
  g_autofree char *status = NULL;

  g_assert_cmpuint (trigger->status, ==, 202);
  g_assert_cmpstr (jstr (trigger->json, "status"), ==, "success");
  g_assert_cmpstr (jstr (trigger->json, "message"), ==, "Event processed");
  g_assert_cmpstr (jstr (trigger->json, "dedup_key"), ==, "disk-db-2");

  /* The same open dedup_key joins the incident instead of paging again. */
  g_assert_cmpuint (dup->status, ==, 202);
  g_assert_cmpuint (pieper_sim_get_n_incidents (f->sim), ==, 2);
  g_assert_cmpint (jint (list->json, "total"), ==, 1);
  id = jstr (list->json, "incidents.0.id");
  g_assert_cmpstr (jstr (list->json, "incidents.0.urgency"), ==, "high");
  g_assert_cmpstr (jstr (list->json, "incidents.0.service.summary"), ==, "checkout-api");
  g_assert_cmpstr (jstr (list->json, "incidents.0.title"), ==, "Disk 95% on db-2");

  g_assert_cmpuint (keyless->status, ==, 202);
  g_assert_cmpuint (strlen (jstr (keyless->json, "dedup_key")), ==, 32);
  low_path = g_strdup_printf ("/incidents?incident_key=%s", jstr (keyless->json, "dedup_key"));
  low = request (f, "GET", low_path, NULL, NULL);
  g_assert_cmpstr (jstr (low->json, "incidents.0.urgency"), ==, "low");

  ack = enqueue (f, "{\"routing_key\":\"checkout-api\",\"event_action\":\"acknowledge\",\"dedup_key\":\"disk-db-2\"}");
  g_assert_cmpuint (ack->status, ==, 202);
  status = pieper_sim_dup_incident_status (f->sim, id);
  g_assert_cmpstr (status, ==, "acknowledged");
  g_clear_pointer (&status, g_free);

  resolve = enqueue (f, "{\"routing_key\":\"checkout-api\",\"event_action\":\"resolve\",\"dedup_key\":\"disk-db-2\"}");
  g_assert_cmpuint (resolve->status, ==, 202);
  status = pieper_sim_dup_incident_status (f->sim, id);
  g_assert_cmpstr (status, ==, "resolved");

  /* Once resolved, the key pages anew. */
  retrigger = enqueue (f,
    "{\"routing_key\":\"checkout-api\",\"event_action\":\"trigger\",\"dedup_key\":\"disk-db-2\","
    "\"payload\":{\"summary\":\"Disk 97% on db-2\",\"source\":\"db-2\",\"severity\":\"error\"}}");
  g_assert_cmpuint (retrigger->status, ==, 202);
  g_assert_cmpuint (pieper_sim_get_n_incidents (f->sim), ==, 3);
  after = request (f, "GET", "/incidents?incident_key=disk-db-2&total=true", NULL, NULL);
  g_assert_cmpint (jint (after->json, "total"), ==, 2);

  unknown = enqueue (f, "{\"routing_key\":\"checkout-api\",\"event_action\":\"resolve\",\"dedup_key\":\"never-seen\"}");
  g_assert_cmpuint (unknown->status, ==, 202);

  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "POST", "/v2/enqueue"), ==, 7);
}

static void
test_events_invalid (Fixture       *f,
                     gconstpointer  data)
{
  const char *bodies[] = {
    "{\"event_action\":\"trigger\",\"payload\":{\"summary\":\"x\",\"source\":\"y\",\"severity\":\"info\"}}",
    "{\"routing_key\":\"\",\"event_action\":\"trigger\",\"payload\":{\"summary\":\"x\",\"source\":\"y\",\"severity\":\"info\"}}",
    "{\"routing_key\":\"k\",\"event_action\":\"explode\",\"payload\":{\"summary\":\"x\",\"source\":\"y\",\"severity\":\"info\"}}",
    "{\"routing_key\":\"k\",\"event_action\":\"trigger\",\"payload\":{\"summary\":\"x\",\"source\":\"y\",\"severity\":\"fatal\"}}",
    "{\"routing_key\":\"k\",\"event_action\":\"trigger\",\"payload\":{\"source\":\"y\",\"severity\":\"info\"}}",
    "{\"routing_key\":\"k\",\"event_action\":\"trigger\",\"payload\":{\"summary\":\"x\",\"severity\":\"info\"}}",
    "{\"routing_key\":\"k\",\"event_action\":\"trigger\"}",
    "{\"routing_key\":\"k\",\"event_action\":\"resolve\"}",
    "this is not json",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(Response) response = enqueue (f, bodies[i]);

      g_test_message ("body %u: %s", i, bodies[i]);
      g_assert_cmpuint (response->status, ==, 400);
      g_assert_cmpstr (jstr (response->json, "status"), ==, "invalid event");
      g_assert_nonnull (jstr (response->json, "message"));
      g_assert_cmpuint (jlen (response->json, "errors"), >=, 1);
    }
  g_assert_cmpuint (pieper_sim_get_n_incidents (f->sim), ==, 0);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, NULL, NULL), ==, 0);

  /* A configured routing key refuses any other. */
  pieper_sim_set_routing_key (f->sim, "R0UT1NGK3Y");
  {
    g_autoptr(Response) other = enqueue (f,
      "{\"routing_key\":\"checkout-api\",\"event_action\":\"trigger\","
      "\"payload\":{\"summary\":\"x\",\"source\":\"y\",\"severity\":\"info\"}}");
    g_autoptr(Response) right = enqueue (f,
      "{\"routing_key\":\"R0UT1NGK3Y\",\"event_action\":\"trigger\","
      "\"payload\":{\"summary\":\"x\",\"source\":\"y\",\"severity\":\"info\"}}");

    g_assert_cmpuint (other->status, ==, 400);
    g_assert_cmpuint (right->status, ==, 202);
  }
}

/* Faults */

static void
set_fault (Fixture    *f,
           const char *kind,
           double      rate)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pieper_sim_set_fault (f->sim, kind, rate, &error));
  g_assert_no_error (error);
}

static Response *
post_note (Fixture    *f,
           const char *id,
           const char *content)
{
  g_autofree char *path = incident_path (id, "/notes");
  g_autofree char *body = g_strdup_printf ("{\"note\":{\"content\":\"%s\"}}", content);

  return request (f, "POST", path, body, ME_EMAIL);
}

static guint
count_notes (Fixture    *f,
             const char *id)
{
  g_autofree char *path = incident_path (id, "/notes");
  g_autoptr(Response) list = request (f, "GET", path, NULL, NULL);

  g_assert_cmpuint (list->status, ==, 200);
  return jlen (list->json, "notes");
}

static JsonNode *
last_write (Fixture *f)
{
  g_autoptr(JsonNode) writes = pieper_sim_dup_writes (f->sim);
  JsonArray *array = json_node_get_array (writes);

  g_assert_cmpuint (json_array_get_length (array), >, 0);
  return json_node_copy (json_array_get_element (array, json_array_get_length (array) - 1));
}

static void
test_fault_errors (Fixture       *f,
                   gconstpointer  data)
{
  const char *id = pieper_sim_trigger (f->sim, "x", NULL, NULL);
  g_autoptr(Response) e500 = NULL;
  g_autoptr(Response) e429 = NULL;
  g_autoptr(Response) e401 = NULL;
  g_autoptr(Response) ok = NULL;
  g_autoptr(JsonNode) write = NULL;

  set_fault (f, PIEPER_SIM_FAULT_500, 1.0);
  e500 = post_note (f, id, "one");
  assert_pd_error (e500, 500, 2000);
  write = last_write (f);
  g_assert_false (jbool (write, "applied"));
  g_assert_cmpstr (jstr (write, "fault"), ==, "500");
  g_assert_cmpint (jint (write, "status"), ==, 500);
  pieper_sim_clear_faults (f->sim);

  set_fault (f, PIEPER_SIM_FAULT_429, 1.0);
  e429 = post_note (f, id, "two");
  assert_pd_error (e429, 429, 2020);
  g_assert_cmpstr (soup_message_headers_get_one (e429->headers, "Retry-After"), ==, "1");
  g_assert_cmpstr (soup_message_headers_get_one (e429->headers, "ratelimit-remaining"), ==, "0");
  g_assert_nonnull (soup_message_headers_get_one (e429->headers, "ratelimit-reset"));
  pieper_sim_clear_faults (f->sim);

  set_fault (f, PIEPER_SIM_FAULT_401, 1.0);
  e401 = request (f, "GET", "/users/me", NULL, NULL);
  assert_pd_error (e401, 401, 2006);
  pieper_sim_clear_faults (f->sim);

  ok = post_note (f, id, "three");
  g_assert_cmpuint (ok->status, ==, 201);
  g_assert_cmpuint (count_notes (f, id), ==, 1);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "POST", NULL), ==, 1);
  g_assert_cmpuint (pieper_sim_count_all_writes (f->sim, "POST", NULL), ==, 3);
}

static void
test_fault_reset (Fixture       *f,
                  gconstpointer  data)
{
  const char *id = pieper_sim_trigger (f->sim, "x", NULL, NULL);
  g_autoptr(Response) reset = NULL;
  g_autoptr(Response) reset_after = NULL;
  g_autoptr(Response) get = NULL;
  g_autoptr(JsonNode) writes = NULL;
  JsonArray *array;

  set_fault (f, PIEPER_SIM_FAULT_RESET, 1.0);
  reset = post_note (f, id, "lost");
  g_assert_nonnull (reset->error);
  g_test_message ("reset: %s", reset->error->message);
  get = request (f, "GET", "/users/me", NULL, NULL);
  g_assert_nonnull (get->error);
  pieper_sim_clear_faults (f->sim);
  g_assert_cmpuint (count_notes (f, id), ==, 0);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, NULL, NULL), ==, 0);
  g_assert_cmpuint (pieper_sim_count_all_writes (f->sim, "POST", NULL), >=, 1);

  /* The outcome is unknown to the client, but the note was delivered. */
  set_fault (f, PIEPER_SIM_FAULT_RESET_AFTER, 1.0);
  reset_after = post_note (f, id, "delivered");
  g_assert_nonnull (reset_after->error);
  pieper_sim_clear_faults (f->sim);
  g_assert_cmpuint (count_notes (f, id), >=, 1);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "POST", NULL), ==, count_notes (f, id));

  writes = pieper_sim_dup_writes (f->sim);
  array = json_node_get_array (writes);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *write = json_array_get_element (array, i);

      if (g_strcmp0 (jstr (write, "fault"), "reset") == 0)
        {
          g_assert_false (jbool (write, "applied"));
          g_assert_cmpint (jint (write, "status"), ==, 0);
        }
      else
        {
          g_assert_cmpstr (jstr (write, "fault"), ==, "reset-after");
          g_assert_true (jbool (write, "applied"));
          g_assert_cmpint (jint (write, "status"), ==, 201);
        }
    }

  /* The server is still fine. */
  {
    g_autoptr(Response) after = request (f, "GET", "/users/me", NULL, NULL);

    g_assert_cmpuint (after->status, ==, 200);
  }
}

static void
test_fault_stall (Fixture       *f,
                  gconstpointer  data)
{
  const char *id = pieper_sim_trigger (f->sim, "x", NULL, NULL);
  g_autofree char *path = incident_path (id, "/notes");
  g_autoptr(SoupSession) impatient = soup_session_new_with_options ("timeout", 1, NULL);
  g_autoptr(Response) slow = NULL;
  g_autoptr(Response) a = NULL;
  g_autoptr(Response) b = NULL;
  g_autoptr(Response) gave_up = NULL;
  g_autoptr(Response) alive = NULL;
  Pending *pa, *pb;
  gint64 start;

  pieper_sim_set_stall_seconds (f->sim, 0.3);
  set_fault (f, PIEPER_SIM_FAULT_STALL, 1.0);
  slow = post_note (f, id, "slow");
  g_assert_no_error (slow->error);
  g_assert_cmpuint (slow->status, ==, 201);
  g_assert_cmpint (slow->elapsed_us, >=, 250 * 1000);

  /* Two stalled requests at once take one stall, not two: the sim does not
   * block its main loop. */
  pieper_sim_set_stall_seconds (f->sim, 0.6);
  start = g_get_monotonic_time ();
  pa = start_request (f, f->session, "GET", "/users/me", NULL, NULL, "sim-token");
  pb = start_request (f, f->session, "GET", "/incidents", NULL, NULL, "sim-token");
  a = finish_request (pa);
  b = finish_request (pb);
  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpuint (b->status, ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 550 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1150 * 1000);

  /* A client that gives up: the note was applied when it arrived. */
  pieper_sim_set_stall_seconds (f->sim, 1.5);
  gave_up = finish_request (start_request (f, impatient, "POST", path,
                                           "{\"note\":{\"content\":\"given up\"}}", ME_EMAIL, "sim-token"));
  g_assert_error (gave_up->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  wait_ms (700);
  pieper_sim_clear_faults (f->sim);
  g_assert_cmpuint (count_notes (f, id), ==, 2);

  alive = request (f, "GET", "/users/me", NULL, NULL);
  g_assert_cmpuint (alive->status, ==, 200);
}

/* Stopping the sim with a stalled and a resetting request in flight. */
static void
test_fault_stop (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(Response) stalled = NULL;
  Pending *pending;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  pieper_sim_set_stall_seconds (f->sim, 30);
  set_fault (f, PIEPER_SIM_FAULT_STALL, 1.0);
  pending = start_request (f, f->session, "GET", "/users/me", NULL, NULL, "sim-token");
  while (pieper_sim_get_n_requests (f->sim) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (pieper_sim_get_n_requests (f->sim), ==, 1);

  pieper_sim_stop (f->sim);
  stalled = finish_request (pending);
  g_assert_nonnull (stalled->error);
  g_assert_cmpuint (pieper_sim_get_port (f->sim), ==, 0);

  /* A stopped sim starts again, on a new port. */
  pieper_sim_clear_faults (f->sim);
  g_assert_true (pieper_sim_start (f->sim, 0, NULL));
  g_free (f->url);
  f->url = pieper_sim_dup_url (f->sim);
  {
    g_autoptr(Response) again = request (f, "GET", "/users/me", NULL, NULL);

    g_assert_cmpuint (again->status, ==, 200);
  }

  set_fault (f, PIEPER_SIM_FAULT_RESET, 1.0);
  pending = start_request (f, f->session, "GET", "/users/me", NULL, NULL, "sim-token");
  while (pieper_sim_get_n_requests (f->sim) == 1 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  pieper_sim_stop (f->sim);
  {
    g_autoptr(Response) reset = finish_request (pending);

    g_assert_nonnull (reset->error);
  }
}

static void
test_fault_mangled (Fixture       *f,
                    gconstpointer  data)
{
  const char *id = pieper_sim_trigger (f->sim, "x", NULL, NULL);
  g_autoptr(Response) truncated_get = NULL;
  g_autoptr(Response) truncated_post = NULL;
  g_autoptr(Response) html = NULL;
  g_autoptr(Response) huge = NULL;
  g_autoptr(JsonNode) write = NULL;

  set_fault (f, PIEPER_SIM_FAULT_TRUNCATED, 1.0);
  truncated_get = request (f, "GET", "/incidents", NULL, NULL);
  g_assert_cmpuint (truncated_get->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (truncated_get->body), >, 0);
  g_assert_null (truncated_get->json);
  truncated_post = post_note (f, id, "cut");
  g_assert_cmpuint (truncated_post->status, ==, 200);
  g_assert_null (truncated_post->json);
  write = last_write (f);
  g_assert_false (jbool (write, "applied"));
  g_assert_cmpstr (jstr (write, "fault"), ==, "truncated");
  pieper_sim_clear_faults (f->sim);

  set_fault (f, PIEPER_SIM_FAULT_CONTENT_TYPE, 1.0);
  html = post_note (f, id, "portal");
  g_assert_cmpuint (html->status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (html->headers, NULL), "text/html"));
  g_assert_null (html->json);
  pieper_sim_clear_faults (f->sim);

  set_fault (f, PIEPER_SIM_FAULT_HUGE, 1.0);
  huge = request (f, "GET", "/incidents", NULL, NULL);
  g_assert_cmpuint (huge->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (huge->body), >=, 50 * 1024 * 1024);
  g_assert_nonnull (huge->json);
  pieper_sim_clear_faults (f->sim);

  g_assert_cmpuint (count_notes (f, id), ==, 0);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, NULL, NULL), ==, 0);
}

static void
test_fault_rate (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint failed = 0;

  g_assert_false (pieper_sim_set_fault (f->sim, "gremlins", 1.0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (pieper_sim_set_fault (f->sim, "500", 1.5, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  set_fault (f, PIEPER_SIM_FAULT_500, 0.3);
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(Response) response = request (f, "GET", "/users/me", NULL, NULL);

      if (response->status == 500)
        failed++;
      else
        g_assert_cmpuint (response->status, ==, 200);
    }
  g_test_message ("%u of 200 requests failed at rate 0.3", failed);
  g_assert_cmpuint (failed, >, 30);
  g_assert_cmpuint (failed, <, 90);

  set_fault (f, PIEPER_SIM_FAULT_500, 0.0);
  {
    g_autoptr(Response) response = request (f, "GET", "/users/me", NULL, NULL);

    g_assert_cmpuint (response->status, ==, 200);
  }
}

/* The record and the admin endpoints */

static void
test_record (Fixture       *f,
             gconstpointer  data)
{
  const char *id = pieper_sim_trigger (f->sim, "x", NULL, NULL);
  g_autofree char *notes = incident_path (id, "/notes");
  g_autoptr(Response) note = post_note (f, id, "hello");
  g_autoptr(Response) ack = put_incident (f, id, "\"status\":\"acknowledged\"");
  g_autoptr(Response) text = request (f, "POST", notes, "plain text", ME_EMAIL);
  g_autoptr(Response) get = request (f, "GET", "/incidents", NULL, NULL);
  g_autoptr(JsonNode) writes = pieper_sim_dup_writes (f->sim);
  JsonNode *first;

  g_assert_cmpuint (note->status, ==, 201);
  g_assert_cmpuint (ack->status, ==, 200);
  g_assert_cmpuint (text->status, ==, 400);
  g_assert_cmpuint (get->status, ==, 200);
  g_assert_cmpuint (jlen (writes, ""), ==, 3);
  first = jnode (writes, "0");
  g_assert_cmpstr (jstr (first, "method"), ==, "POST");
  g_assert_cmpstr (jstr (first, "path"), ==, notes);
  g_assert_cmpstr (jstr (first, "incident_id"), ==, id);
  g_assert_cmpstr (jstr (first, "body.note.content"), ==, "hello");
  g_assert_cmpstr (jstr (first, "from"), ==, ME_EMAIL);
  g_assert_cmpstr (jstr (first, "accept"), ==, PD_ACCEPT);
  g_assert_cmpint (jint (first, "status"), ==, 201);
  g_assert_true (jbool (first, "applied"));
  g_assert_true (jnull (first, "fault"));
  g_assert_nonnull (jstr (first, "time"));

  g_assert_cmpstr (jstr (writes, "1.method"), ==, "PUT");
  g_assert_cmpstr (jstr (writes, "1.body.incident.status"), ==, "acknowledged");
  g_assert_cmpstr (jstr (writes, "2.body"), ==, "plain text");
  g_assert_false (jbool (writes, "2.applied"));
  g_assert_cmpint (jint (writes, "2.status"), ==, 400);

  g_assert_cmpuint (pieper_sim_count_writes (f->sim, NULL, NULL), ==, 2);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "PUT", NULL), ==, 1);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, "post", notes), ==, 1);
  g_assert_cmpuint (pieper_sim_count_writes (f->sim, NULL, "/v2/"), ==, 0);
  g_assert_cmpuint (pieper_sim_get_n_requests (f->sim), ==, 4);

  pieper_sim_reset_record (f->sim);
  g_assert_cmpuint (pieper_sim_count_all_writes (f->sim, NULL, NULL), ==, 0);
}

static void
test_admin (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(Response) set = request_full (f, "POST", "/_sim/faults", "{\"kind\":\"500\",\"rate\":1}", NULL, NULL);
  g_autoptr(Response) faults = request_full (f, "GET", "/_sim/faults", NULL, NULL, NULL);
  g_autoptr(Response) faulted = request (f, "GET", "/users/me", NULL, NULL);
  g_autoptr(Response) bad = request_full (f, "POST", "/_sim/faults", "{\"kind\":\"gremlins\"}", NULL, NULL);
  g_autoptr(Response) cleared = request_full (f, "DELETE", "/_sim/faults", NULL, NULL, NULL);
  g_autoptr(Response) fine = request (f, "GET", "/users/me", NULL, NULL);
  g_autoptr(Response) trigger = request_full (f, "POST", "/_sim/trigger",
                                              "{\"summary\":\"Paged from a test\",\"service\":\"cdn-edge\",\"urgency\":\"low\"}",
                                              NULL, NULL);
  g_autoptr(Response) more = request_full (f, "POST", "/_sim/incidents", "{\"count\":5}", NULL, NULL);
  g_autoptr(Response) note = NULL;
  g_autoptr(Response) writes = NULL;
  g_autoptr(Response) stats = NULL;
  g_autoptr(Response) reset = NULL;
  g_autoptr(Response) html = NULL;
  g_autofree char *html_path = NULL;
  const char *id;

  g_assert_cmpuint (set->status, ==, 204);
  g_assert_cmpstr (jstr (faults->json, "faults.0.kind"), ==, "500");
  g_assert_cmpuint (faulted->status, ==, 500);
  g_assert_cmpuint (bad->status, ==, 400);
  g_assert_cmpuint (cleared->status, ==, 204);
  g_assert_cmpuint (fine->status, ==, 200);

  g_assert_cmpuint (trigger->status, ==, 201);
  id = jstr (trigger->json, "incident_id");
  g_assert_nonnull (id);
  g_assert_cmpuint (more->status, ==, 201);
  g_assert_cmpint (jint (more->json, "incidents"), ==, 6);

  note = post_note (f, id, "via admin test");
  writes = request_full (f, "GET", "/_sim/writes", NULL, NULL, NULL);
  g_assert_cmpuint (writes->status, ==, 200);
  g_assert_cmpuint (jlen (writes->json, "writes"), ==, 1);
  g_assert_cmpint (jint (writes->json, "applied"), ==, 1);
  g_assert_cmpstr (jstr (writes->json, "writes.0.incident_id"), ==, id);

  stats = request_full (f, "GET", "/_sim/stats", NULL, NULL, NULL);
  g_assert_cmpint (jint (stats->json, "incidents"), ==, 6);
  g_assert_cmpint (jint (stats->json, "requests"), ==, 3);

  reset = request_full (f, "POST", "/_sim/reset-record", NULL, NULL, NULL);
  g_assert_cmpuint (reset->status, ==, 204);
  g_assert_cmpuint (pieper_sim_count_all_writes (f->sim, NULL, NULL), ==, 0);

  html_path = g_strconcat ("/html/incidents/", id, NULL);
  html = request_full (f, "GET", html_path, NULL, NULL, NULL);
  g_assert_cmpuint (html->status, ==, 200);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (html->body, NULL), g_bytes_get_size (html->body),
                                  "Paged from a test"));
}

static void
test_generated_data (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(PieperSim) twin = pieper_sim_new ();
  g_autoptr(GHashTable) services = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) priorities = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) statuses = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(Response) page = NULL;
  guint notes = 0;

  pieper_sim_add_incidents (f->sim, 100);
  page = request (f, "GET", "/incidents?limit=100", NULL, NULL);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *key = g_strdup_printf ("incidents.%u", i);
      JsonNode *incident = jnode (page->json, key);
      const char *status = jstr (incident, "status");

      g_hash_table_add (services, (gpointer) jstr (incident, "service.summary"));
      g_hash_table_add (statuses, (gpointer) status);
      if (!jnull (incident, "priority"))
        g_hash_table_add (priorities, (gpointer) jstr (incident, "priority.summary"));
      if (g_str_equal (status, "resolved"))
        g_assert_cmpuint (jlen (incident, "assignments"), ==, 0);
      else
        g_assert_cmpuint (jlen (incident, "assignments"), >=, 1);
      if (i < 40)
        {
          g_autofree char *path = incident_path (jstr (incident, "id"), "/notes");
          g_autoptr(Response) list = request (f, "GET", path, NULL, NULL);

          notes += jlen (list->json, "notes");
        }
    }
  g_assert_cmpuint (g_hash_table_size (services), >=, 6);
  g_assert_cmpuint (g_hash_table_size (priorities), ==, 5);
  g_assert_cmpuint (g_hash_table_size (statuses), ==, 3);
  g_assert_cmpuint (notes, >, 0);

  /* The same seed gives the same incidents. */
  pieper_sim_add_incidents (twin, 100);
  for (guint i = 0; i < 100; i += 17)
    {
      g_autofree char *key = g_strdup_printf ("incidents.%u", i);
      JsonNode *incident = jnode (page->json, key);
      g_autofree char *status = pieper_sim_dup_incident_status (twin, jstr (incident, "id"));

      g_assert_cmpstr (status, ==, jstr (incident, "status"));
    }
}

/* The sim on a thread of its own serves a client that blocks. */
static void
test_thread (void)
{
  g_autoptr(PieperSim) sim = pieper_sim_new ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;
  g_autofree char *uri = NULL;

  pieper_sim_add_incidents (sim, 10);
  g_assert_true (pieper_sim_start_in_thread (sim, 0, &error));
  g_assert_no_error (error);

  url = pieper_sim_dup_url (sim);
  uri = g_strconcat (url, "/incidents", NULL);
  msg = soup_message_new ("GET", uri);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", "Token token=sim-token");
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpuint (g_bytes_get_size (body), >, 100);

  pieper_sim_stop (sim);
  g_assert_null (pieper_sim_dup_url (sim));
}

/* The pieper-sim program */

static void
test_binary_bad_args (void)
{
  const char * const cases[][3] = {
    { "--port", "nope", NULL },
    { "--port", "70000", NULL },
    { "--fault", "gremlins", NULL },
    { "--fault", "500:2", NULL },
    { "--incidents", "-1", NULL },
    { "--bogus", NULL, NULL },
    { "extra", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSubprocess) proc = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      const char *argv[4] = { PIEPER_SIM_EXE, cases[i][0], cases[i][1], NULL };

      proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
      g_assert_no_error (error);
      g_test_message ("%s %s → %s", cases[i][0], cases[i][1] ? cases[i][1] : "", err);
      g_assert_true (g_subprocess_get_if_exited (proc));
      g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
      g_assert_cmpstr (out, ==, "");
      /* One line. */
      g_assert_true (g_str_has_prefix (err, "pieper-sim: "));
      g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
    }
}

static void
test_binary_listening (void)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autofree char *line = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *url = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           PIEPER_SIM_EXE, "--port", "0", "--incidents", "12", "--token", "bin-token",
                           "--fault", "500:0", NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);

  regex = g_regex_new ("^listening on (http://127\\.0\\.0\\.1:([0-9]+))$", 0, 0, NULL);
  g_assert_true (g_regex_match (regex, line, 0, &match));
  url = g_match_info_fetch (match, 1);

  uri = g_strconcat (url, "/incidents?total=true", NULL);
  msg = soup_message_new ("GET", uri);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", "Token token=bin-token");
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "\"total\":12"));

  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/sim/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("auth", test_auth);
  ADD ("users", test_users);
  ADD ("pagination", test_pagination);
  ADD ("filters", test_filters);
  ADD ("large", test_large);
  ADD ("incident-shape", test_incident_shape);
  ADD ("acknowledge-resolve", test_acknowledge_resolve);
  ADD ("from-header", test_from_header);
  ADD ("escalate", test_escalate);
  ADD ("reassign", test_reassign);
  ADD ("snooze", test_snooze);
  ADD ("notes", test_notes);
  ADD ("log-entries", test_log_entries);
  ADD ("events", test_events);
  ADD ("events-invalid", test_events_invalid);
  ADD ("faults/errors", test_fault_errors);
  ADD ("faults/reset", test_fault_reset);
  ADD ("faults/stall", test_fault_stall);
  ADD ("faults/stop", test_fault_stop);
  ADD ("faults/mangled", test_fault_mangled);
  ADD ("faults/rate", test_fault_rate);
  ADD ("record", test_record);
  ADD ("admin", test_admin);
  ADD ("generated-data", test_generated_data);
#undef ADD

  g_test_add_func ("/sim/thread", test_thread);
  g_test_add_func ("/sim/binary/bad-args", test_binary_bad_args);
  g_test_add_func ("/sim/binary/listening", test_binary_listening);

  return g_test_run ();
}
