/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-pagerduty-http"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "pieper-pagerduty-private.h"

/*
 * PieperPagerduty against a tiny SoupServer in the same main loop: the
 * headers it sends, pagination, error mapping and body limits. The handlers
 * are this file's own, so the test does not depend on pieper-sim.
 */

#define TOKEN "secret-token-4f9c2a"
#define EMAIL "responder@example.com"
#define INCIDENT "PT4KHLK"

typedef struct
{
  char *method;
  char *path;
  char *query;
  char *authorization;
  char *accept;
  char *from;
  char *content_type;
  char *body;
} Recorded;

typedef struct
{
  SoupServer     *server;
  char           *base_url;
  PieperProvider *provider;
  GPtrArray      *requests;
  GAsyncResult   *result;

  /* A canned answer for every request, when status is not 0. */
  guint           status;
  const char     *content_type;
  char           *canned_body;
  const char     *retry_after;
  const char     *ratelimit_reset;
  const char     *ratelimit_remaining;

  /* GET /incidents */
  guint           open_incidents;
  guint           per_page;
  gboolean        always_more;

  /* GET /incidents/{id} */
  int             escalation_level;

  /* An account-level token: /users/me is refused with a 400. */
  gboolean        account_level;

  /* No answer: every request is held (until the teardown), or its
   * connection is closed once it was read. */
  gboolean        hold;
  GPtrArray      *held;
  gboolean        drop;

  /* Streamed bodies */
  gboolean        stream_chunked;
  gboolean        stream_with_length;
  gsize           streamed;
  gsize           stream_limit;
} Fixture;

static void
recorded_free (Recorded *r)
{
  g_free (r->method);
  g_free (r->path);
  g_free (r->query);
  g_free (r->authorization);
  g_free (r->accept);
  g_free (r->from);
  g_free (r->content_type);
  g_free (r->body);
  g_free (r);
}

static char *
read_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "pagerduty", name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  g_file_get_contents (path, &data, NULL, &error);
  g_assert_no_error (error);

  return data;
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *content_type,
         const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, strlen (body));
}

static void
respond_json_take (SoupServerMessage *msg,
                   guint              status,
                   char              *body)
{
  respond (msg, status, "application/json; charset=utf-8", body);
  g_free (body);
}

/* Closes the connection of a request that was read, without an answer:
 * the client cannot know whether it was acted on. */
static gboolean
drop_cb (gpointer data)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (data);

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);

  return G_SOURCE_REMOVE;
}

/* Streaming */

static char spaces[64 * 1024];

static void
wrote_chunk_cb (SoupServerMessage *msg,
                Fixture           *f)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  if (f->streamed >= f->stream_limit)
    {
      soup_message_body_complete (body);
      return;
    }

  soup_message_body_append (body, SOUP_MEMORY_STATIC, spaces, sizeof spaces);
  f->streamed += sizeof spaces;
}

static void
start_stream (Fixture           *f,
              SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  memset (spaces, ' ', sizeof spaces);

  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  if (f->stream_with_length)
    soup_message_headers_set_content_length (headers, f->stream_limit + 15);
  else
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);

  /* Written chunks are dropped, so the server does not hold them either. */
  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_append (body, SOUP_MEMORY_STATIC, "{\"incidents\": [", 15);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), f);
}

/* Routes */

static void
serve_incident_list (Fixture           *f,
                     SoupServerMessage *msg,
                     GHashTable        *query)
{
  g_autoptr(GString) body = g_string_new ("{\"incidents\": [");
  guint offset = 0;
  guint limit = 25;
  guint n;

  if (query != NULL && g_hash_table_contains (query, "offset"))
    offset = (guint) g_ascii_strtoull (g_hash_table_lookup (query, "offset"), NULL, 10);
  if (query != NULL && g_hash_table_contains (query, "limit"))
    limit = (guint) g_ascii_strtoull (g_hash_table_lookup (query, "limit"), NULL, 10);

  /* As PagerDuty does. */
  if (offset + limit > 10000)
    {
      respond_json_take (msg, 400, read_fixture ("error-2001.json"));
      return;
    }

  n = f->per_page != 0 ? f->per_page : limit;
  for (guint i = 0; i < n && offset + i < f->open_incidents; i++)
    g_string_append_printf (body,
                            "%s{\"id\": \"P%06u\", \"type\": \"incident\", \"incident_number\": %u,"
                            " \"title\": \"Incident %u\", \"status\": \"triggered\", \"urgency\": \"high\"}",
                            i > 0 ? ", " : "", offset + i, offset + i + 1, offset + i);

  g_string_append_printf (body, "], \"limit\": %u, \"offset\": %u, \"total\": null, \"more\": %s}",
                          limit, offset,
                          f->always_more || offset + limit < f->open_incidents ? "true" : "false");

  respond (msg, 200, "application/json", body->str);
}

/* PUT /incidents/{id}: answer with the incident as updated, as PagerDuty does. */
static void
serve_incident_update (Fixture           *f,
                       SoupServerMessage *msg,
                       const char        *request_body)
{
  g_autoptr(JsonNode) root = json_from_string (request_body, NULL);
  JsonObject *incident;

  g_assert_nonnull (root);
  incident = json_object_get_object_member (json_node_get_object (root), "incident");
  g_assert_nonnull (incident);

  json_object_set_string_member (incident, "id", INCIDENT);
  json_object_set_string_member (incident, "type", "incident");
  json_object_set_string_member (incident, "title", "The mail server is on fire.");
  if (!json_object_has_member (incident, "status"))
    json_object_set_string_member (incident, "status", "triggered");

  respond_json_take (msg, 200, json_to_string (root, FALSE));
}

static void
serve_log_entries_page (SoupServerMessage *msg,
                        GHashTable        *query)
{
  g_autofree char *data = read_fixture ("log-entries.json");
  g_autoptr(JsonNode) root = json_from_string (data, NULL);
  JsonObject *object = json_node_get_object (root);
  JsonArray *all = json_object_get_array_member (object, "log_entries");
  g_autoptr(JsonArray) page = json_array_new ();
  gboolean first = query == NULL || g_strcmp0 (g_hash_table_lookup (query, "offset"), "0") == 0;

  /* The first page has the newest five, the second the rest. */
  for (guint i = first ? 0 : 5; i < (first ? 5 : json_array_get_length (all)); i++)
    json_array_add_element (page, json_node_copy (json_array_get_element (all, i)));

  json_object_set_array_member (object, "log_entries", g_steal_pointer (&page));
  json_object_set_boolean_member (object, "more", first);

  respond_json_take (msg, 200, json_to_string (root, FALSE));
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Fixture *f = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GBytes) request_body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  const char *method = soup_server_message_get_method (msg);
  Recorded *r = g_new0 (Recorded, 1);

  r->method = g_strdup (method);
  r->path = g_strdup (path);
  r->query = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));
  r->authorization = g_strdup (soup_message_headers_get_one (request_headers, "Authorization"));
  r->accept = g_strdup (soup_message_headers_get_one (request_headers, "Accept"));
  r->from = g_strdup (soup_message_headers_get_one (request_headers, "From"));
  r->content_type = g_strdup (soup_message_headers_get_content_type (request_headers, NULL));
  r->body = g_strndup (g_bytes_get_data (request_body, NULL), g_bytes_get_size (request_body));
  g_ptr_array_add (f->requests, r);

  if (f->ratelimit_remaining != NULL)
    soup_message_headers_replace (response_headers, "ratelimit-remaining", f->ratelimit_remaining);

  if (f->hold)
    {
      soup_server_message_pause (msg);
      g_ptr_array_add (f->held, g_object_ref (msg));
      return;
    }

  if (f->drop)
    {
      soup_server_message_pause (msg);
      g_idle_add_full (G_PRIORITY_DEFAULT, drop_cb, g_object_ref (msg), g_object_unref);
      return;
    }

  if (f->stream_chunked || f->stream_with_length)
    {
      start_stream (f, msg);
      return;
    }

  if (f->status != 0)
    {
      if (f->retry_after != NULL)
        soup_message_headers_replace (response_headers, "Retry-After", f->retry_after);
      if (f->ratelimit_reset != NULL)
        soup_message_headers_replace (response_headers, "ratelimit-reset", f->ratelimit_reset);
      if (SOUP_STATUS_IS_REDIRECTION (f->status))
        soup_message_headers_replace (response_headers, "Location", "http://elsewhere.invalid/");

      respond (msg, f->status, f->content_type, f->canned_body);
      return;
    }

  if (strcmp (method, "GET") == 0 && strcmp (path, "/users/me") == 0 && f->account_level)
    respond_json_take (msg, 400, read_fixture ("error-2001.json"));
  else if (strcmp (method, "GET") == 0 && strcmp (path, "/users/me") == 0)
    respond_json_take (msg, 200, read_fixture ("user-me.json"));
  else if (strcmp (method, "GET") == 0 && strcmp (path, "/users") == 0)
    respond_json_take (msg, 200, read_fixture ("users-query.json"));
  else if (strcmp (method, "GET") == 0 && strcmp (path, "/incidents") == 0)
    serve_incident_list (f, msg, query);
  else if (strcmp (method, "GET") == 0 && strcmp (path, "/incidents/" INCIDENT) == 0)
    respond_json_take (msg, 200,
                       g_strdup_printf ("{\"incident\": {\"id\": \"" INCIDENT "\", \"status\": \"triggered\","
                                        " \"title\": \"The mail server is on fire.\","
                                        " \"escalation_level\": %d}}",
                                        f->escalation_level));
  else if (strcmp (method, "PUT") == 0 && strcmp (path, "/incidents/" INCIDENT) == 0)
    serve_incident_update (f, msg, r->body);
  else if (strcmp (method, "POST") == 0 && strcmp (path, "/incidents/" INCIDENT "/snooze") == 0)
    respond_json_take (msg, 201,
                       g_strdup ("{\"incident\": {\"id\": \"" INCIDENT "\", \"status\": \"acknowledged\"}}"));
  else if (strcmp (method, "GET") == 0 && strcmp (path, "/incidents/" INCIDENT "/notes") == 0)
    respond_json_take (msg, 200, read_fixture ("notes.json"));
  else if (strcmp (method, "POST") == 0 && strcmp (path, "/incidents/" INCIDENT "/notes") == 0)
    {
      g_autoptr(JsonNode) root = json_from_string (r->body, NULL);
      JsonObject *note = json_object_get_object_member (json_node_get_object (root), "note");

      json_object_set_string_member (note, "id", "PNEW001");
      json_object_set_string_member (note, "created_at", "2024-03-05T21:45:10Z");
      respond_json_take (msg, 201, json_to_string (root, FALSE));
    }
  else if (strcmp (method, "GET") == 0 && strcmp (path, "/incidents/" INCIDENT "/log_entries") == 0)
    serve_log_entries_page (msg, query);
  else if (strcmp (method, "GET") == 0 && strcmp (path, "/log_entries") == 0)
    respond_json_take (msg, 200, read_fixture ("log-entries-changes.json"));
  else
    respond_json_take (msg, 404, read_fixture ("error-2100.json"));
}

/* Fixture */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  f->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) recorded_free);
  f->held = g_ptr_array_new_with_free_func (g_object_unref);
  f->escalation_level = 1;
  f->stream_limit = 256 * 1024 * 1024;

  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, handler_cb, f, NULL);
  soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (f->server);
  g_assert_nonnull (uris);
  f->base_url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  f->provider = pieper_pagerduty_new (f->base_url, EMAIL, TOKEN);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->provider);
  f->provider = NULL;
  g_clear_object (&f->result);

  /* Let the server see its connections close before it goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* The held requests are answered now, to clients long gone. */
  for (guint i = 0; i < f->held->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (f->held, i);

      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_server_message_unpause (msg);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&f->held, g_ptr_array_unref);

  soup_server_disconnect (f->server);
  g_assert_finalize_object (f->server);
  f->server = NULL;

  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_clear_pointer (&f->requests, g_ptr_array_unref);
  g_free (f->canned_body);
  g_free (f->base_url);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Fixture *f)
{
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return g_steal_pointer (&f->result);
}

static Recorded *
request_at (Fixture *f,
            guint    i)
{
  g_assert_cmpuint (i, <, f->requests->len);
  return g_ptr_array_index (f->requests, i);
}

static void
canned (Fixture    *f,
        guint       status,
        const char *content_type,
        char       *body)
{
  f->status = status;
  f->content_type = content_type;
  g_free (f->canned_body);
  f->canned_body = body;
}

static PieperIncident *
acknowledge (Fixture  *f,
             GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pieper_provider_acknowledge_async (f->provider, INCIDENT, NULL, result_cb, f);
  result = wait_result (f);
  return pieper_provider_update_finish (f->provider, result, error);
}

static PieperIncident *
get_incident (Fixture    *f,
              const char *id,
              GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pieper_provider_get_incident_async (f->provider, id, NULL, result_cb, f);
  result = wait_result (f);
  return pieper_provider_get_incident_finish (f->provider, result, error);
}

static JsonObject *
body_object (JsonNode   **holder,
             const char  *body,
             const char  *member)
{
  g_autoptr(GError) error = NULL;

  *holder = json_from_string (body, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*holder);

  if (member == NULL)
    return json_node_get_object (*holder);

  return json_object_get_object_member (json_node_get_object (*holder), member);
}

/* Headers */

static void
test_headers_read (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  Recorded *r;

  pieper_provider_whoami_async (f->provider, NULL, result_cb, f);
  result = wait_result (f);
  g_assert_true (pieper_provider_whoami_finish (f->provider, result, &id, &name, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "PXPGF42");
  g_assert_cmpstr (name, ==, "Earline Greenholt");

  g_assert_cmpuint (f->requests->len, ==, 1);
  r = request_at (f, 0);
  g_assert_cmpstr (r->method, ==, "GET");
  g_assert_cmpstr (r->path, ==, "/users/me");
  g_assert_cmpstr (r->authorization, ==, "Token token=" TOKEN);
  g_assert_cmpstr (r->accept, ==, "application/vnd.pagerduty+json;version=2");
  /* From is for writes. */
  g_assert_null (r->from);
}

/* An account-level token names no user: whoami finds the one whose address
 * is the From header's, exactly. */
static void
test_whoami_account_level (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) refused = NULL;
  g_autoptr(PieperProvider) stranger = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  Recorded *r;

  f->account_level = TRUE;
  pieper_provider_whoami_async (f->provider, NULL, result_cb, f);
  result = wait_result (f);
  g_assert_true (pieper_provider_whoami_finish (f->provider, result, &id, &name, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "PRESP42");
  g_assert_cmpstr (name, ==, "Rosa Responder");

  g_assert_cmpuint (f->requests->len, ==, 2);
  r = request_at (f, 1);
  g_assert_cmpstr (r->method, ==, "GET");
  g_assert_cmpstr (r->path, ==, "/users");
  g_assert_nonnull (strstr (r->query, "query=responder%40example.com"));
  g_assert_cmpstr (r->authorization, ==, "Token token=" TOKEN);

  /* Nobody there has the address: a clear error, not someone else. */
  stranger = pieper_pagerduty_new (f->base_url, "nobody@example.com", TOKEN);
  pieper_provider_whoami_async (stranger, NULL, result_cb, f);
  refused = wait_result (f);
  g_assert_false (pieper_provider_whoami_finish (stranger, refused, NULL, NULL, &error));
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT);
  g_assert_nonnull (strstr (error->message, "nobody@example.com"));
}

static void
test_headers_write (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) holder = NULL;
  JsonObject *body;
  Recorded *r;

  incident = acknowledge (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_incident_get_remote_id (incident), ==, INCIDENT);
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_ACKNOWLEDGED);

  r = request_at (f, 0);
  g_assert_cmpstr (r->method, ==, "PUT");
  g_assert_cmpstr (r->path, ==, "/incidents/" INCIDENT);
  g_assert_cmpstr (r->authorization, ==, "Token token=" TOKEN);
  g_assert_cmpstr (r->accept, ==, "application/vnd.pagerduty+json;version=2");
  g_assert_cmpstr (r->from, ==, EMAIL);
  g_assert_cmpstr (r->content_type, ==, "application/json");

  body = body_object (&holder, r->body, "incident");
  g_assert_cmpstr (json_object_get_string_member (body, "type"), ==, "incident_reference");
  g_assert_cmpstr (json_object_get_string_member (body, "status"), ==, "acknowledged");
  g_assert_cmpuint (json_object_get_size (body), ==, 2);
}

/* Reads */

static void
test_get_incident (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) query = NULL;
  Recorded *r;

  f->escalation_level = 3;
  incident = get_incident (f, INCIDENT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_escalation_level (incident), ==, 3);

  r = request_at (f, 0);
  query = soup_form_decode (r->query);
  g_assert_cmpstr (g_hash_table_lookup (query, "include[]"), ==, "conference_bridge");
}

static void
test_get_incident_not_found (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  incident = get_incident (f, "PNOPE00", &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_NOT_FOUND);
  g_assert_null (incident);
}

static void
test_bad_incident_id (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  incident = get_incident (f, "../users/me", &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT);
  g_assert_null (incident);
  g_assert_cmpuint (f->requests->len, ==, 0);
}

static GPtrArray *
list_all (Fixture  *f,
          guint    *pages,
          GError  **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *cursor = NULL;

  *pages = 0;

  do
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) page = NULL;
      g_autofree char *next = NULL;

      pieper_provider_list_incidents_async (f->provider, cursor, NULL, result_cb, f);
      result = wait_result (f);
      page = pieper_provider_list_incidents_finish (f->provider, result, &next, error);
      if (page == NULL)
        return NULL;

      (*pages)++;
      for (guint i = 0; i < page->len; i++)
        g_ptr_array_add (all, g_object_ref (g_ptr_array_index (page, i)));

      g_free (cursor);
      cursor = g_steal_pointer (&next);
    }
  while (cursor != NULL);

  return g_steal_pointer (&all);
}

static void
test_pagination (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  guint pages;

  f->open_incidents = 250;
  incidents = list_all (f, &pages, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, ==, 250);
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (f->requests->len, ==, 3);

  for (guint i = 0; i < f->requests->len; i++)
    {
      Recorded *r = request_at (f, i);
      g_autoptr(GHashTable) query = soup_form_decode (r->query);
      g_autofree char *offset = g_strdup_printf ("%u", i * 100);

      g_assert_cmpstr (r->path, ==, "/incidents");
      g_assert_cmpstr (g_hash_table_lookup (query, "limit"), ==, "100");
      g_assert_cmpstr (g_hash_table_lookup (query, "offset"), ==, offset);
      g_assert_nonnull (strstr (r->query, "statuses%5B%5D=triggered"));
      g_assert_nonnull (strstr (r->query, "statuses%5B%5D=acknowledged"));
      g_assert_null (strstr (r->query, "resolved"));
    }

  g_assert_cmpstr (pieper_incident_get_remote_id (g_ptr_array_index (incidents, 249)), ==, "P000249");
}

static void
test_pagination_ceiling (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  guint pages;

  /* The server always says there is more; PagerDuty serves no record
   * beyond 10000, so the provider must stop at offset 9900. */
  f->open_incidents = 1000000;
  f->always_more = TRUE;
  f->per_page = 1;

  incidents = list_all (f, &pages, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pages, ==, 100);
  g_assert_cmpuint (incidents->len, ==, 100);

  for (guint i = 0; i < f->requests->len; i++)
    {
      g_autoptr(GHashTable) query = soup_form_decode (request_at (f, i)->query);
      guint64 offset = g_ascii_strtoull (g_hash_table_lookup (query, "offset"), NULL, 10);
      guint64 limit = g_ascii_strtoull (g_hash_table_lookup (query, "limit"), NULL, 10);

      g_assert_cmpuint (offset + limit, <=, 10000);
    }
}

static void
test_bad_cursor (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next = NULL;

  pieper_provider_list_incidents_async (f->provider, "10000", NULL, result_cb, f);
  result = wait_result (f);
  page = pieper_provider_list_incidents_finish (f->provider, result, &next, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT);
  g_assert_null (page);
  g_assert_null (next);
  g_assert_cmpuint (f->requests->len, ==, 0);
}

static void
test_changes (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_auto(GStrv) ids = NULL;
  g_auto(GStrv) change_ids = NULL;
  g_autofree char *next = NULL;
  const char *expected[] = { "PT4KHLK", "PQ7N0QZ", "PT4KHLK", "PSLACK1", NULL };
  const char *expected_changes[] = { "C1", "C2", "C3", "C4", NULL };
  Recorded *r;

  pieper_provider_list_changes_async (f->provider, 1709674242, NULL, NULL, result_cb, f);
  result = wait_result (f);
  ids = pieper_provider_list_changes_finish (f->provider, result, &change_ids, &next, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (ids, expected);
  g_assert_cmpstrv (change_ids, expected_changes);
  g_assert_cmpstr (next, ==, "100");

  r = request_at (f, 0);
  g_assert_cmpstr (r->path, ==, "/log_entries");
  query = soup_form_decode (r->query);
  g_assert_cmpstr (g_hash_table_lookup (query, "since"), ==, "2024-03-05T21:30:42Z");
  g_assert_cmpstr (g_hash_table_lookup (query, "limit"), ==, "100");
  g_assert_cmpstr (g_hash_table_lookup (query, "offset"), ==, "0");
}

static void
test_timeline (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;

  pieper_provider_list_timeline_async (f->provider, INCIDENT, NULL, result_cb, f);
  result = wait_result (f);
  timeline = pieper_provider_list_timeline_finish (f->provider, result, &error);
  g_assert_no_error (error);

  /* Two notes and nine log entries, less the annotate entry of a note. */
  g_assert_cmpuint (timeline->len, ==, 10);
  g_assert_cmpint (pieper_timeline_entry_get_kind (g_ptr_array_index (timeline, 0)), ==,
                   PIEPER_TIMELINE_TRIGGER);
  g_assert_cmpint (pieper_timeline_entry_get_kind (g_ptr_array_index (timeline, 9)), ==,
                   PIEPER_TIMELINE_RESOLVE);

  g_assert_cmpuint (f->requests->len, ==, 3);
  g_assert_cmpstr (request_at (f, 0)->path, ==, "/incidents/" INCIDENT "/notes");
  g_assert_cmpstr (request_at (f, 1)->path, ==, "/incidents/" INCIDENT "/log_entries");
  g_assert_nonnull (strstr (request_at (f, 1)->query, "offset=0"));
  g_assert_nonnull (strstr (request_at (f, 2)->query, "offset=100"));
}

/* Writes */

static void
test_escalate_next (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) holder = NULL;
  JsonObject *body;

  f->escalation_level = 2;
  pieper_provider_escalate_async (f->provider, INCIDENT, 0, NULL, result_cb, f);
  result = wait_result (f);
  incident = pieper_provider_update_finish (f->provider, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_escalation_level (incident), ==, 3);

  g_assert_cmpuint (f->requests->len, ==, 2);
  g_assert_cmpstr (request_at (f, 0)->method, ==, "GET");
  g_assert_null (request_at (f, 0)->from);
  g_assert_cmpstr (request_at (f, 1)->method, ==, "PUT");
  g_assert_cmpstr (request_at (f, 1)->from, ==, EMAIL);

  body = body_object (&holder, request_at (f, 1)->body, "incident");
  g_assert_cmpstr (json_object_get_string_member (body, "type"), ==, "incident_reference");
  g_assert_cmpint (json_object_get_int_member (body, "escalation_level"), ==, 3);
  g_assert_false (json_object_has_member (body, "status"));
}

static void
test_escalate_level (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) holder = NULL;
  JsonObject *body;

  pieper_provider_escalate_async (f->provider, INCIDENT, 5, NULL, result_cb, f);
  result = wait_result (f);
  incident = pieper_provider_update_finish (f->provider, result, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (f->requests->len, ==, 1);
  body = body_object (&holder, request_at (f, 0)->body, "incident");
  g_assert_cmpint (json_object_get_int_member (body, "escalation_level"), ==, 5);
}

static void
test_reassign (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) holder = NULL;
  JsonObject *body;
  JsonObject *assignee;
  JsonArray *assignments;

  pieper_provider_reassign_async (f->provider, INCIDENT, "PNEWUSR", NULL, result_cb, f);
  result = wait_result (f);
  incident = pieper_provider_update_finish (f->provider, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_incident_get_assignee_ids (incident)[0], ==, "PNEWUSR");

  g_assert_cmpstr (request_at (f, 0)->from, ==, EMAIL);
  body = body_object (&holder, request_at (f, 0)->body, "incident");
  assignments = json_object_get_array_member (body, "assignments");
  g_assert_cmpuint (json_array_get_length (assignments), ==, 1);
  assignee = json_object_get_object_member (json_array_get_object_element (assignments, 0), "assignee");
  g_assert_cmpstr (json_object_get_string_member (assignee, "id"), ==, "PNEWUSR");
  g_assert_cmpstr (json_object_get_string_member (assignee, "type"), ==, "user_reference");
}

static void
test_snooze (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) holder = NULL;
  JsonObject *body;
  Recorded *r;

  pieper_provider_snooze_async (f->provider, INCIDENT, 3600, NULL, result_cb, f);
  result = wait_result (f);
  incident = pieper_provider_update_finish (f->provider, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pieper_incident_get_status (incident), ==, PIEPER_STATUS_ACKNOWLEDGED);

  r = request_at (f, 0);
  g_assert_cmpstr (r->method, ==, "POST");
  g_assert_cmpstr (r->path, ==, "/incidents/" INCIDENT "/snooze");
  g_assert_cmpstr (r->from, ==, EMAIL);
  g_assert_cmpstr (r->content_type, ==, "application/json");
  body = body_object (&holder, r->body, NULL);
  g_assert_cmpint (json_object_get_int_member (body, "duration"), ==, 3600);
}

static void
test_add_note (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PieperTimelineEntry) note = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) holder = NULL;
  JsonObject *body;
  Recorded *r;

  pieper_provider_add_note_async (f->provider, INCIDENT, "Rolled back\nthe deploy", NULL, result_cb, f);
  result = wait_result (f);
  note = pieper_provider_add_note_finish (f->provider, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_timeline_entry_get_remote_id (note), ==, "PNEW001");
  g_assert_cmpstr (pieper_timeline_entry_get_body (note), ==, "Rolled back\nthe deploy");
  g_assert_cmpint (pieper_timeline_entry_get_kind (note), ==, PIEPER_TIMELINE_NOTE);

  r = request_at (f, 0);
  g_assert_cmpstr (r->method, ==, "POST");
  g_assert_cmpstr (r->path, ==, "/incidents/" INCIDENT "/notes");
  g_assert_cmpstr (r->from, ==, EMAIL);
  body = body_object (&holder, r->body, "note");
  g_assert_cmpstr (json_object_get_string_member (body, "content"), ==, "Rolled back\nthe deploy");
}

static void
test_add_note_normalized (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PieperTimelineEntry) note = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) holder = NULL;
  JsonObject *body;

  /* Sent as it will be read back. */
  pieper_provider_add_note_async (f->provider, INCIDENT, "one\r\ntwo\u202e", NULL, result_cb, f);
  result = wait_result (f);
  note = pieper_provider_add_note_finish (f->provider, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pieper_timeline_entry_get_body (note), ==, "one\ntwo");
  body = body_object (&holder, request_at (f, 0)->body, "note");
  g_assert_cmpstr (json_object_get_string_member (body, "content"), ==, "one\ntwo");
  g_clear_object (&result);
  g_clear_object (&note);

  /* Nothing to say: nothing is sent. */
  pieper_provider_add_note_async (f->provider, INCIDENT, " \n\t", NULL, result_cb, f);
  result = wait_result (f);
  note = pieper_provider_add_note_finish (f->provider, result, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT);
  g_assert_null (note);
  g_assert_cmpuint (f->requests->len, ==, 1);
}

/* Errors */

static void
test_rate_limited (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  canned (f, 429, "application/json", read_fixture ("error-429.json"));
  f->retry_after = "17";
  f->ratelimit_reset = "20";
  f->ratelimit_remaining = "0";

  incident = acknowledge (f, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_RATE_LIMITED);
  g_assert_null (incident);
  g_assert_cmpuint (pieper_provider_get_retry_after (f->provider), ==, 17);
  g_assert_cmpuint (_pieper_pagerduty_get_ratelimit_remaining (PIEPER_PAGERDUTY (f->provider)), ==, 0);
  g_clear_error (&error);

  /* PagerDuty's own header when there is no Retry-After. */
  f->retry_after = NULL;
  incident = acknowledge (f, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_RATE_LIMITED);
  g_assert_cmpuint (pieper_provider_get_retry_after (f->provider), ==, 20);
  g_clear_error (&error);

  /* A 429 with neither header nor body. */
  f->ratelimit_reset = NULL;
  canned (f, 429, NULL, NULL);
  incident = acknowledge (f, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_RATE_LIMITED);
  g_assert_cmpuint (pieper_provider_get_retry_after (f->provider), ==, 0);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  canned (f, 401, "application/json", read_fixture ("error-2006.json"));
  incident = acknowledge (f, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH);
  g_assert_null (strstr (error->message, TOKEN));
  g_clear_error (&error);

  canned (f, 403, "text/html", g_strdup ("<h1>Forbidden " TOKEN "</h1>"));
  incident = acknowledge (f, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH);
  g_assert_null (strstr (error->message, TOKEN));
}

static void
test_server_error (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  canned (f, 500, "text/html", g_strdup ("<h1>Internal Server Error</h1>"));
  incident = acknowledge (f, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_null (incident);
  g_clear_error (&error);

  canned (f, 503, "application/json", g_strdup ("{\"error\": {\"message\": \"Service Unavailable\", \"code\": 2000}}"));
  incident = acknowledge (f, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "Service Unavailable"));
}

static PieperTimelineEntry *
add_note (Fixture  *f,
          GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pieper_provider_add_note_async (f->provider, INCIDENT, "Rolled back", NULL, result_cb, f);
  result = wait_result (f);
  return pieper_provider_add_note_finish (f->provider, result, error);
}

/* A proxy that gave up waiting for the server (502, 504, Cloudflare's
 * 524): a write may have arrived, and may still be handled; a read is
 * simply to be tried again. */
static void
test_gateway (Fixture       *f,
              gconstpointer  data)
{
  static const guint statuses[] = { 502, 504, 524 };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(PieperIncident) incident = NULL;
      g_autoptr(PieperTimelineEntry) note = NULL;
      g_autoptr(GError) error = NULL;

      canned (f, statuses[i], "text/html", g_strdup ("<h1>Bad Gateway</h1>"));
      incident = acknowledge (f, &error);
      g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME);
      g_assert_null (incident);
      g_clear_error (&error);

      note = add_note (f, &error);
      g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME);
      g_clear_error (&error);

      incident = get_incident (f, INCIDENT, &error);
      g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
    }
}

/* A write that gets no answer in time (the request was written) has an
 * unknown outcome; a read that times out is only transient. */
static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(PieperTimelineEntry) note = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  _pieper_pagerduty_set_timeout (PIEPER_PAGERDUTY (f->provider), 1);
  f->hold = TRUE;

  note = add_note (f, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME);
  g_assert_nonnull (strstr (error->message, "no answer came"));
  g_assert_null (note);
  g_clear_error (&error);

  incident = get_incident (f, INCIDENT, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_cmpuint (f->held->len, ==, 2);
}

/* The connection closes after the request was read: a write's outcome
 * is unknown, a read is to be tried again. */
static void
test_dropped (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(PieperTimelineEntry) note = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  f->drop = TRUE;

  note = add_note (f, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME);
  g_clear_error (&error);

  incident = acknowledge (f, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME);
  g_clear_error (&error);

  incident = get_incident (f, INCIDENT, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
}

static void
test_html_body (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  /* A captive portal answers 200 with a login page. */
  canned (f, 200, "text/html", read_fixture ("not-json.html"));
  incident = get_incident (f, INCIDENT, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "unexpected content type"));
  g_assert_null (incident);
}

static void
test_truncated_json (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  canned (f, 200, "application/json", read_fixture ("truncated.json"));
  incident = get_incident (f, INCIDENT, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "malformed or truncated"));
  g_clear_error (&error);

  canned (f, 200, "application/json", g_strdup ("{\"incident\": 42}"));
  incident = get_incident (f, INCIDENT, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
}

static void
test_huge_body (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;

  /* 256 MiB of whitespace, chunked, with no length announced. */
  f->stream_chunked = TRUE;

  pieper_provider_list_incidents_async (f->provider, NULL, NULL, result_cb, f);
  result = wait_result (f);
  page = pieper_provider_list_incidents_finish (f->provider, result, NULL, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "too large"));
  g_assert_null (page);

  /* Refused at the cap, not after the whole body: what the server got out
   * is the cap plus socket buffers. */
  g_test_message ("streamed %" G_GSIZE_FORMAT " bytes before the refusal", f->streamed);
  g_assert_cmpuint (f->streamed, <, 32 * 1024 * 1024);
}

static void
test_huge_length (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;

  /* Content-Length announces 50 MiB: refused before reading any of it. */
  f->stream_with_length = TRUE;
  f->stream_limit = 50 * 1024 * 1024;

  pieper_provider_list_incidents_async (f->provider, NULL, NULL, result_cb, f);
  result = wait_result (f);
  page = pieper_provider_list_incidents_finish (f->provider, result, NULL, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "too large"));
  g_assert_cmpuint (f->streamed, <, 32 * 1024 * 1024);
}

static void
test_small_cap (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  /* The cap applies to ordinary bodies too. */
  _pieper_pagerduty_set_max_body (PIEPER_PAGERDUTY (f->provider), 1024);
  canned (f, 200, "application/json", read_fixture ("huge-title.json"));
  incident = get_incident (f, INCIDENT, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "too large"));
}

static void
assert_conflict (Fixture    *f,
                 const char *fixture,
                 int         op,
                 const char *contains)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  canned (f, 400, "application/json", read_fixture (fixture));

  if (op == PIEPER_OP_ACKNOWLEDGE)
    pieper_provider_acknowledge_async (f->provider, INCIDENT, NULL, result_cb, f);
  else if (op == PIEPER_OP_RESOLVE)
    pieper_provider_resolve_async (f->provider, INCIDENT, NULL, result_cb, f);
  else
    pieper_provider_escalate_async (f->provider, INCIDENT, 7, NULL, result_cb, f);

  result = wait_result (f);
  incident = pieper_provider_update_finish (f->provider, result, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, contains));
  g_assert_null (incident);
}

static void
test_conflicts (Fixture       *f,
                gconstpointer  data)
{
  assert_conflict (f, "error-1001.json", PIEPER_OP_RESOLVE, "already resolved");
  assert_conflict (f, "error-1002.json", PIEPER_OP_ACKNOWLEDGE, "already acknowledged");
  assert_conflict (f, "error-1006.json", PIEPER_OP_ESCALATE, "cannot be escalated");
}

static void
test_permanent (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  canned (f, 400, "application/json", read_fixture ("error-2001.json"));
  incident = acknowledge (f, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT);
  g_assert_nonnull (strstr (error->message, "Invalid Input Provided"));
}

static void
test_redirect (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  canned (f, 302, NULL, NULL);
  incident = get_incident (f, INCIDENT, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  /* Not followed: the token stays with the server it was meant for. */
  g_assert_cmpuint (f->requests->len, ==, 1);
}

static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PieperProvider) provider = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  /* A port that was free a moment ago, and is closed now. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  provider = pieper_pagerduty_new (url, EMAIL, TOKEN);

  pieper_provider_get_incident_async (provider, INCIDENT, NULL, result_cb, f);
  result = wait_result (f);
  incident = pieper_provider_get_incident_finish (provider, result, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "Could not reach PagerDuty"));
  g_assert_null (strstr (error->message, TOKEN));
  g_clear_error (&error);
  g_clear_object (&result);

  /* A write that never left is only to be tried again, too. */
  pieper_provider_acknowledge_async (provider, INCIDENT, NULL, result_cb, f);
  result = wait_result (f);
  incident = pieper_provider_update_finish (provider, result, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "Could not reach PagerDuty"));
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  pieper_provider_get_incident_async (f->provider, INCIDENT, cancellable, result_cb, f);
  result = wait_result (f);
  incident = pieper_provider_get_incident_finish (f->provider, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (incident);
}

static void
test_capabilities (Fixture       *f,
                   gconstpointer  data)
{
  PieperCapabilities caps = pieper_provider_get_capabilities (f->provider);

  g_assert_cmpuint (caps, ==, (PIEPER_CAPABILITY_ACKNOWLEDGE | PIEPER_CAPABILITY_RESOLVE |
                               PIEPER_CAPABILITY_ESCALATE | PIEPER_CAPABILITY_REASSIGN |
                               PIEPER_CAPABILITY_SNOOZE | PIEPER_CAPABILITY_NOTE |
                               PIEPER_CAPABILITY_CHANGE_FEED));
  g_assert_cmpuint (pieper_provider_get_retry_after (f->provider), ==, 0);
}

static void
test_bad_token (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PieperProvider) provider = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GError) error = NULL;

  /* A line break would end the header and start another. */
  provider = pieper_pagerduty_new (f->base_url, EMAIL, "abc\r\nX-Evil: 1");
  pieper_provider_get_incident_async (provider, INCIDENT, NULL, result_cb, f);
  result = wait_result (f);
  incident = pieper_provider_get_incident_finish (provider, result, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH);
  g_assert_cmpuint (f->requests->len, ==, 0);
}

#define ADD(path, func) \
  g_test_add ("/pagerduty/http/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("headers/read", test_headers_read);
  ADD ("headers/write", test_headers_write);
  ADD ("whoami/account-level", test_whoami_account_level);
  ADD ("get-incident", test_get_incident);
  ADD ("get-incident/not-found", test_get_incident_not_found);
  ADD ("get-incident/bad-id", test_bad_incident_id);
  ADD ("pagination/more-false", test_pagination);
  ADD ("pagination/ceiling", test_pagination_ceiling);
  ADD ("pagination/bad-cursor", test_bad_cursor);
  ADD ("changes", test_changes);
  ADD ("timeline", test_timeline);
  ADD ("escalate/next", test_escalate_next);
  ADD ("escalate/level", test_escalate_level);
  ADD ("reassign", test_reassign);
  ADD ("snooze", test_snooze);
  ADD ("add-note", test_add_note);
  ADD ("add-note/normalized", test_add_note_normalized);
  ADD ("errors/rate-limited", test_rate_limited);
  ADD ("errors/auth", test_auth);
  ADD ("errors/server", test_server_error);
  ADD ("errors/gateway", test_gateway);
  ADD ("errors/timeout", test_timeout);
  ADD ("errors/dropped", test_dropped);
  ADD ("errors/html", test_html_body);
  ADD ("errors/truncated", test_truncated_json);
  ADD ("errors/huge-body", test_huge_body);
  ADD ("errors/huge-length", test_huge_length);
  ADD ("errors/small-cap", test_small_cap);
  ADD ("errors/conflicts", test_conflicts);
  ADD ("errors/permanent", test_permanent);
  ADD ("errors/redirect", test_redirect);
  ADD ("errors/unreachable", test_unreachable);
  ADD ("errors/cancelled", test_cancelled);
  ADD ("errors/bad-token", test_bad_token);
  ADD ("capabilities", test_capabilities);

  return g_test_run ();
}
