/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperSim"

#include "config.h"

#include "pieper-sim.h"

#include <string.h>

#include "pieper-sim-private.h"

/*
 * The server: lifecycle, dispatch, the record of writes and the admin
 * endpoints. The PagerDuty endpoints are in pieper-sim-rest.c, their JSON in
 * pieper-sim-json.c, the data in pieper-sim-data.c and the faults in
 * pieper-sim-faults.c.
 *
 * Admin endpoints (no token; the server listens on 127.0.0.1 only and
 * refuses admin requests from anywhere else):
 *   GET    /_sim/writes         the record, {"writes": [...]}
 *   DELETE /_sim/writes         forget the record (also POST /_sim/reset-record)
 *   GET    /_sim/faults         {"faults": [{"kind", "rate"}], "stall_seconds"}
 *   POST   /_sim/faults         {"kind": "500", "rate": 1.0, "stall_seconds": 0.2}
 *   DELETE /_sim/faults         switch every fault off
 *   POST   /_sim/trigger        {"summary", "service", "urgency"} -> {"incident_id"}
 *   POST   /_sim/incidents      {"count": N} adds N generated incidents
 *   GET    /_sim/stats          request, incident and write counts
 */

#define DEFAULT_TOKEN       "sim-token"
#define DEFAULT_SEED        20261125
#define DEFAULT_HUGE_SIZE   (50 * 1024 * 1024)

G_DEFINE_FINAL_TYPE (PieperSim, pieper_sim, G_TYPE_OBJECT)

static void
write_free (gpointer data)
{
  SimWrite *write = data;

  g_free (write->method);
  g_free (write->path);
  g_free (write->incident_id);
  g_clear_pointer (&write->body, json_node_unref);
  g_free (write->body_text);
  g_free (write->from);
  g_free (write->accept);
  g_free (write);
}

static void
query_param_free (gpointer data)
{
  SimQueryParam *param = data;

  g_free (param->key);
  g_free (param->value);
  g_free (param);
}

void
_pieper_sim_request_free (SimRequest *req)
{
  g_clear_object (&req->msg);
  g_free (req->method);
  g_free (req->path);
  g_clear_pointer (&req->query, g_ptr_array_unref);
  g_clear_pointer (&req->body_bytes, g_bytes_unref);
  g_clear_pointer (&req->body, json_node_unref);
  g_free (req->from);
  g_free (req->accept);
  g_free (req->response);
  g_free (req->incident_id);
  g_free (req);
}

static char *
form_unescape (const char *str)
{
  g_autofree char *plus = g_strdup (str);
  char *unescaped;

  g_strdelimit (plus, "+", ' ');
  unescaped = g_uri_unescape_string (plus, NULL);
  return unescaped != NULL ? unescaped : g_steal_pointer (&plus);
}

/* Keeps repeated keys ("statuses[]=a&statuses[]=b"), which the hash table
 * that SoupServer hands to handlers cannot. */
static GPtrArray *
parse_query (const char *query)
{
  GPtrArray *params = g_ptr_array_new_with_free_func (query_param_free);
  g_auto(GStrv) pairs = NULL;

  if (query == NULL || *query == '\0')
    return params;

  pairs = g_strsplit (query, "&", 0);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      SimQueryParam *param;
      char *eq;

      if (*pairs[i] == '\0')
        continue;

      param = g_new0 (SimQueryParam, 1);
      eq = strchr (pairs[i], '=');
      if (eq != NULL)
        *eq = '\0';
      param->key = form_unescape (pairs[i]);
      param->value = form_unescape (eq != NULL ? eq + 1 : "");
      g_ptr_array_add (params, param);
    }
  return params;
}

static SimRequest *
request_new (PieperSim         *self,
             SoupServerMessage *msg)
{
  SimRequest *req = g_new0 (SimRequest, 1);
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  req->sim = self;
  req->msg = g_object_ref (msg);
  req->method = g_strdup (soup_server_message_get_method (msg));
  req->path = g_strdup (g_uri_get_path (uri));
  req->query = parse_query (g_uri_get_query (uri));
  req->from = g_strdup (soup_message_headers_get_one (headers, "From"));
  req->accept = g_strdup (soup_message_headers_get_one (headers, "Accept"));
  req->is_write = !g_str_equal (req->method, "GET") && !g_str_equal (req->method, "HEAD");
  req->body_bytes = soup_message_body_flatten (body);

  if (g_bytes_get_size (req->body_bytes) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      gsize size = 0;
      const char *data = g_bytes_get_data (req->body_bytes, &size);

      if (json_parser_load_from_data (parser, data, (gssize) size, NULL))
        req->body = json_node_ref (json_parser_get_root (parser));
    }

  return req;
}

static void
add_rate_limit_headers (PieperSim         *self,
                        SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  char buf[16];

  if (now / 60 != self->rate_window)
    {
      self->rate_window = now / 60;
      self->rate_count = 0;
    }
  self->rate_count++;

  soup_message_headers_replace (headers, "ratelimit-limit", "960");
  g_snprintf (buf, sizeof buf, "%u", self->rate_count < 960 ? 960 - self->rate_count : 0);
  soup_message_headers_replace (headers, "ratelimit-remaining", buf);
  g_snprintf (buf, sizeof buf, "%d", (int) (60 - now % 60));
  soup_message_headers_replace (headers, "ratelimit-reset", buf);
}

void
_pieper_sim_deliver (SimRequest *req)
{
  soup_server_message_set_status (req->msg, req->status, NULL);
  if (req->response != NULL)
    {
      gsize len = req->response_len;

      soup_server_message_set_response (req->msg, "application/json", SOUP_MEMORY_TAKE,
                                        g_steal_pointer (&req->response), len);
    }
}

void
_pieper_sim_record (SimRequest *req,
                    guint       status)
{
  SimWrite *write;

  if (!req->is_write)
    return;

  write = g_new0 (SimWrite, 1);
  write->method = g_strdup (req->method);
  write->path = g_strdup (req->path);
  write->incident_id = g_strdup (req->incident_id);
  write->from = g_strdup (req->from);
  write->accept = g_strdup (req->accept);
  write->status = status;
  write->time_us = g_get_real_time ();
  write->applied = req->applied;
  write->fault = req->fault;

  if (req->body != NULL)
    write->body = json_node_ref (req->body);
  else if (g_bytes_get_size (req->body_bytes) > 0)
    {
      gsize size = 0;
      const char *data = g_bytes_get_data (req->body_bytes, &size);

      write->body_text = g_utf8_make_valid (data, (gssize) MIN (size, SIM_RECORD_BODY_MAX));
    }

  g_ptr_array_add (req->sim->writes, write);
}

static void
run_handler (SimRequest *req)
{
  if (req->is_events)
    _pieper_sim_handle_events (req);
  else
    _pieper_sim_handle_rest (req);
}

static void
handle_api (SimRequest *req)
{
  PieperSim *self = req->sim;

  self->n_requests++;
  {
    g_autofree char *key = g_strdup_printf ("%s %s", req->method, req->path);
    guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->tally, key));

    g_hash_table_replace (self->tally, g_steal_pointer (&key), GUINT_TO_POINTER (n + 1));
  }
  {
    /* A connection is counted at its first request. */
    GSocket *socket = soup_server_message_get_socket (req->msg);

    if (socket != NULL && g_object_get_data (G_OBJECT (socket), "pieper-sim-seen") == NULL)
      {
        g_object_set_data (G_OBJECT (socket), "pieper-sim-seen", GINT_TO_POINTER (1));
        self->n_connections++;
      }
  }
  req->is_events = g_str_has_prefix (req->path, "/v2/");
  if (g_str_has_prefix (req->path, "/incidents/"))
    {
      const char *id = req->path + strlen ("/incidents/");

      req->incident_id = g_strndup (id, strcspn (id, "/"));
    }

  req->fault = _pieper_sim_pick_fault (self);
  switch (req->fault)
    {
    case SIM_FAULT_NONE:
      run_handler (req);
      if (!req->is_events)
        add_rate_limit_headers (self, req->msg);
      _pieper_sim_record (req, req->status);
      _pieper_sim_deliver (req);
      break;

    case SIM_FAULT_STALL:
      run_handler (req);
      _pieper_sim_record (req, req->status);
      _pieper_sim_deliver (req);
      _pieper_sim_stall (req);
      break;

    case SIM_FAULT_RESET_AFTER:
      run_handler (req);
      _pieper_sim_record (req, req->status);
      _pieper_sim_reset_connection (self, req->msg);
      break;

    case SIM_FAULT_RESET:
      _pieper_sim_record (req, 0);
      _pieper_sim_reset_connection (self, req->msg);
      break;

    case SIM_FAULT_TRUNCATED:
    case SIM_FAULT_CONTENT_TYPE:
    case SIM_FAULT_HUGE:
      /* A read is answered and then mangled; a write is not applied. */
      if (!req->is_write)
        run_handler (req);
      _pieper_sim_record (req, SOUP_STATUS_OK);
      _pieper_sim_deliver_fault (req);
      break;

    case SIM_FAULT_500:
    case SIM_FAULT_429:
    case SIM_FAULT_401:
      _pieper_sim_deliver_fault (req);
      _pieper_sim_record (req, soup_server_message_get_status (req->msg));
      break;

    case SIM_N_FAULTS:
    default:
      g_assert_not_reached ();
    }
}

/* The record as JSON. */

static JsonNode *
writes_to_json (PieperSim *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < self->writes->len; i++)
    {
      SimWrite *write = g_ptr_array_index (self->writes, i);
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (write->time_us / G_USEC_PER_SEC);
      g_autofree char *seconds = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
      g_autofree char *time = g_strdup_printf ("%s.%03dZ", seconds,
                                               (int) (write->time_us % G_USEC_PER_SEC / 1000));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "method");
      json_builder_add_string_value (builder, write->method);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, write->path);
      json_builder_set_member_name (builder, "incident_id");
      json_builder_add_string_value (builder, write->incident_id);
      json_builder_set_member_name (builder, "body");
      if (write->body != NULL)
        json_builder_add_value (builder, json_node_copy (write->body));
      else
        json_builder_add_string_value (builder, write->body_text);
      json_builder_set_member_name (builder, "from");
      json_builder_add_string_value (builder, write->from);
      json_builder_set_member_name (builder, "accept");
      json_builder_add_string_value (builder, write->accept);
      json_builder_set_member_name (builder, "status");
      json_builder_add_int_value (builder, write->status);
      json_builder_set_member_name (builder, "time");
      json_builder_add_string_value (builder, time);
      json_builder_set_member_name (builder, "applied");
      json_builder_add_boolean_value (builder, write->applied);
      json_builder_set_member_name (builder, "fault");
      json_builder_add_string_value (builder, _pieper_sim_fault_to_string (write->fault));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}

static guint
count_writes (PieperSim  *self,
              const char *method,
              const char *path_prefix,
              gboolean    only_applied)
{
  guint n = 0;

  for (guint i = 0; i < self->writes->len; i++)
    {
      SimWrite *write = g_ptr_array_index (self->writes, i);

      if (only_applied && !write->applied)
        continue;
      if (method != NULL && g_ascii_strcasecmp (method, write->method) != 0)
        continue;
      if (path_prefix != NULL && !g_str_has_prefix (write->path, path_prefix))
        continue;
      n++;
    }
  return n;
}

static gboolean
set_fault (PieperSim   *self,
           const char  *kind,
           double       rate,
           GError     **error)
{
  SimFault fault = _pieper_sim_fault_from_string (kind);

  if (fault == SIM_FAULT_NONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown fault kind “%s” (known: 500, 429, 401, reset, reset-after, "
                   "stall, truncated, content-type, huge)", kind ? kind : "");
      return FALSE;
    }
  if (!(rate >= 0.0 && rate <= 1.0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Fault rate %g is not between 0 and 1", rate);
      return FALSE;
    }

  self->fault_rates[fault] = rate;
  return TRUE;
}

/* Admin endpoints. */

static void
respond_json (SimRequest  *req,
              guint        status,
              JsonBuilder *builder)
{
  _pieper_sim_respond_builder (req, status, builder);
  _pieper_sim_deliver (req);
}

static void
respond_admin_error (SimRequest *req,
                     guint       status,
                     const char *message)
{
  _pieper_sim_respond_error (req, status, 2001, message, NULL);
  _pieper_sim_deliver (req);
}

static void
respond_no_content (SimRequest *req)
{
  soup_server_message_set_status (req->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static JsonObject *
admin_body (SimRequest *req)
{
  if (req->body == NULL || !JSON_NODE_HOLDS_OBJECT (req->body))
    return NULL;
  return json_node_get_object (req->body);
}

static void
handle_admin_faults (SimRequest *req)
{
  PieperSim *self = req->sim;

  if (g_str_equal (req->method, "GET"))
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "faults");
      json_builder_begin_array (builder);
      for (guint i = 1; i < SIM_N_FAULTS; i++)
        {
          if (self->fault_rates[i] <= 0.0)
            continue;
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, _pieper_sim_fault_to_string (i));
          json_builder_set_member_name (builder, "rate");
          json_builder_add_double_value (builder, self->fault_rates[i]);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "stall_seconds");
      json_builder_add_double_value (builder, self->stall_seconds);
      json_builder_end_object (builder);
      respond_json (req, SOUP_STATUS_OK, builder);
    }
  else if (g_str_equal (req->method, "DELETE"))
    {
      memset (self->fault_rates, 0, sizeof self->fault_rates);
      respond_no_content (req);
    }
  else if (g_str_equal (req->method, "POST"))
    {
      JsonObject *body = admin_body (req);
      g_autoptr(GError) error = NULL;
      const char *kind;
      double rate = 1.0;

      if (body == NULL || (kind = json_object_get_string_member_with_default (body, "kind", NULL)) == NULL)
        {
          respond_admin_error (req, SOUP_STATUS_BAD_REQUEST, "Expected {\"kind\": …, \"rate\": …}");
          return;
        }
      if (json_object_has_member (body, "rate"))
        rate = json_object_get_double_member_with_default (body, "rate", -1.0);
      if (json_object_has_member (body, "stall_seconds"))
        self->stall_seconds = MAX (0.0, json_object_get_double_member_with_default (body, "stall_seconds", 0.0));

      if (!set_fault (self, kind, rate, &error))
        respond_admin_error (req, SOUP_STATUS_BAD_REQUEST, error->message);
      else
        respond_no_content (req);
    }
  else
    respond_admin_error (req, SOUP_STATUS_METHOD_NOT_ALLOWED, "Use GET, POST or DELETE");
}

static void
handle_admin (SimRequest *req)
{
  PieperSim *self = req->sim;
  GSocketAddress *remote = soup_server_message_get_remote_address (req->msg);
  gboolean post = g_str_equal (req->method, "POST");

  if (!G_IS_INET_SOCKET_ADDRESS (remote) ||
      !g_inet_address_get_is_loopback (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote))))
    {
      respond_admin_error (req, SOUP_STATUS_FORBIDDEN, "The admin endpoints answer only on loopback");
      return;
    }

  if (g_str_equal (req->path, "/_sim/writes") && g_str_equal (req->method, "GET"))
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "writes");
      json_builder_add_value (builder, writes_to_json (self));
      json_builder_set_member_name (builder, "applied");
      json_builder_add_int_value (builder, count_writes (self, NULL, NULL, TRUE));
      json_builder_end_object (builder);
      respond_json (req, SOUP_STATUS_OK, builder);
    }
  else if ((g_str_equal (req->path, "/_sim/writes") && g_str_equal (req->method, "DELETE")) ||
           (g_str_equal (req->path, "/_sim/reset-record") && post))
    {
      g_ptr_array_set_size (self->writes, 0);
      respond_no_content (req);
    }
  else if (g_str_equal (req->path, "/_sim/faults"))
    handle_admin_faults (req);
  else if (g_str_equal (req->path, "/_sim/trigger") && post)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      JsonObject *body = admin_body (req);
      const char *summary = body ? json_object_get_string_member_with_default (body, "summary", NULL) : NULL;
      const char *service = body ? json_object_get_string_member_with_default (body, "service", "checkout-api") : NULL;
      const char *urgency = body ? json_object_get_string_member_with_default (body, "urgency", "high") : NULL;
      int svc = _pieper_sim_find_service (service);
      SimIncident *incident;

      if (summary == NULL || *summary == '\0' || svc < 0 ||
          (g_strcmp0 (urgency, "high") != 0 && g_strcmp0 (urgency, "low") != 0))
        {
          respond_admin_error (req, SOUP_STATUS_BAD_REQUEST,
                               "Expected {\"summary\": …, \"service\": a known service, \"urgency\": high|low}");
          return;
        }
      incident = _pieper_sim_create_incident (self, summary, (guint) svc,
                                              g_str_equal (urgency, "high") ? SIM_URGENCY_HIGH : SIM_URGENCY_LOW,
                                              NULL, g_get_real_time () / G_USEC_PER_SEC);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "incident_id");
      json_builder_add_string_value (builder, incident->id);
      json_builder_end_object (builder);
      respond_json (req, SOUP_STATUS_CREATED, builder);
    }
  else if (g_str_equal (req->path, "/_sim/incidents") && post)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      JsonObject *body = admin_body (req);
      gint64 count = body ? json_object_get_int_member_with_default (body, "count", -1) : -1;

      if (count < 0 || count > 100000)
        {
          respond_admin_error (req, SOUP_STATUS_BAD_REQUEST, "Expected {\"count\": 0..100000}");
          return;
        }
      _pieper_sim_generate (self, (guint) count, g_get_real_time () / G_USEC_PER_SEC);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "incidents");
      json_builder_add_int_value (builder, self->incidents->len);
      json_builder_end_object (builder);
      respond_json (req, SOUP_STATUS_CREATED, builder);
    }
  else if (g_str_equal (req->path, "/_sim/stats") && g_str_equal (req->method, "GET"))
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "requests");
      json_builder_add_int_value (builder, self->n_requests);
      json_builder_set_member_name (builder, "incidents");
      json_builder_add_int_value (builder, self->incidents->len);
      json_builder_set_member_name (builder, "writes");
      json_builder_add_int_value (builder, self->writes->len);
      json_builder_set_member_name (builder, "applied_writes");
      json_builder_add_int_value (builder, count_writes (self, NULL, NULL, TRUE));
      json_builder_end_object (builder);
      respond_json (req, SOUP_STATUS_OK, builder);
    }
  else
    respond_admin_error (req, SOUP_STATUS_NOT_FOUND, "Unknown admin endpoint");
}

/* A plain page for an incident's html_url, so that "Open in browser" in
 * demo mode shows something. Not a PagerDuty endpoint. */
static void
handle_html (SimRequest *req)
{
  PieperSim *self = req->sim;
  const char *prefix = "/html/incidents/";
  SimIncident *incident = NULL;
  g_autofree char *page = NULL;

  if (g_str_has_prefix (req->path, prefix))
    incident = _pieper_sim_lookup (self, req->path + strlen (prefix));

  if (incident == NULL)
    {
      static const char not_found[] = "<!DOCTYPE html><title>Not found</title><p>No such incident.</p>\n";

      soup_server_message_set_status (req->msg, SOUP_STATUS_NOT_FOUND, NULL);
      soup_server_message_set_response (req->msg, "text/html; charset=utf-8", SOUP_MEMORY_STATIC,
                                        not_found, strlen (not_found));
      return;
    }

  page = g_markup_printf_escaped ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                  "<title>#%u %s</title></head>\n"
                                  "<body><h1>#%u %s</h1>\n<p>%s · %s · %s</p>\n"
                                  "<p>Served by pieper-sim.</p></body></html>\n",
                                  incident->number, incident->title,
                                  incident->number, incident->title,
                                  _pieper_sim_status_to_string (incident->status),
                                  incident->urgency == SIM_URGENCY_HIGH ? "high urgency" : "low urgency",
                                  _pieper_sim_services[incident->service].name);
  soup_server_message_set_status (req->msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (req->msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    page, strlen (page));
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  PieperSim *self = user_data;
  g_autoptr(SimRequest) req = request_new (self, msg);

  g_mutex_lock (&self->lock);
  if (g_str_has_prefix (req->path, "/_sim/"))
    handle_admin (req);
  else if (g_str_has_prefix (req->path, "/html/"))
    handle_html (req);
  else
    handle_api (req);
  g_mutex_unlock (&self->lock);
}

/* GObject */

static void
pieper_sim_dispose (GObject *object)
{
  PieperSim *self = (PieperSim *) object;

  pieper_sim_stop (self);

  G_OBJECT_CLASS (pieper_sim_parent_class)->dispose (object);
}

static void
pieper_sim_finalize (GObject *object)
{
  PieperSim *self = (PieperSim *) object;

  _pieper_sim_data_clear (self);
  g_clear_pointer (&self->writes, g_ptr_array_unref);
  g_clear_pointer (&self->tally, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->huge_filler, g_bytes_unref);
  g_clear_pointer (&self->fault_rand, g_rand_free);
  g_clear_pointer (&self->data_rand, g_rand_free);
  g_free (self->token);
  g_free (self->routing_key);
  g_free (self->base_url);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (pieper_sim_parent_class)->finalize (object);
}

static void
pieper_sim_class_init (PieperSimClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pieper_sim_dispose;
  object_class->finalize = pieper_sim_finalize;
}

static void
pieper_sim_init (PieperSim *self)
{
  g_mutex_init (&self->lock);
  self->token = g_strdup (DEFAULT_TOKEN);
  self->stall_seconds = 10.0;
  self->huge_size = DEFAULT_HUGE_SIZE;
  self->fault_rand = g_rand_new_with_seed (DEFAULT_SEED);
  self->data_rand = g_rand_new_with_seed (DEFAULT_SEED);
  self->writes = g_ptr_array_new_with_free_func (write_free);
  self->tally = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pending = _pieper_sim_pending_new ();
  self->base_url = g_strdup ("http://127.0.0.1:0");
  _pieper_sim_data_init (self);
}

/* Public API */

/**
 * pieper_sim_new:
 *
 * Makes a sim with the default token "sim-token", the built-in user
 * directory and no incidents.
 *
 * Returns: (transfer full): a new #PieperSim
 */
PieperSim *
pieper_sim_new (void)
{
  return g_object_new (PIEPER_TYPE_SIM, NULL);
}

void
pieper_sim_set_token (PieperSim  *self,
                      const char *token)
{
  g_return_if_fail (PIEPER_IS_SIM (self));
  g_return_if_fail (token != NULL);

  g_mutex_lock (&self->lock);
  g_free (self->token);
  self->token = g_strdup (token);
  g_mutex_unlock (&self->lock);
}

/**
 * pieper_sim_set_me:
 *
 * Names the user that GET /users/me returns (the responder). The user keeps
 * its place in the directory and on the escalation policies.
 */
void
pieper_sim_set_me (PieperSim  *self,
                   const char *id,
                   const char *name,
                   const char *email)
{
  SimUser *me;

  g_return_if_fail (PIEPER_IS_SIM (self));
  g_return_if_fail (id != NULL && name != NULL && email != NULL);

  g_mutex_lock (&self->lock);
  me = g_ptr_array_index (self->users, 0);
  g_free (me->id);
  g_free (me->name);
  g_free (me->email);
  me->id = g_strdup (id);
  me->name = g_strdup (name);
  me->email = g_strdup (email);
  g_mutex_unlock (&self->lock);
}

/* Reseeds both the fault draws and the data generation. */
void
pieper_sim_set_seed (PieperSim *self,
                     guint32    seed)
{
  g_return_if_fail (PIEPER_IS_SIM (self));

  g_mutex_lock (&self->lock);
  g_rand_set_seed (self->fault_rand, seed);
  g_rand_set_seed (self->data_rand, seed);
  g_mutex_unlock (&self->lock);
}

void
pieper_sim_set_stall_seconds (PieperSim *self,
                              double     seconds)
{
  g_return_if_fail (PIEPER_IS_SIM (self));
  g_return_if_fail (seconds >= 0.0);

  g_mutex_lock (&self->lock);
  self->stall_seconds = seconds;
  g_mutex_unlock (&self->lock);
}

void
pieper_sim_set_huge_size (PieperSim *self,
                          gsize      bytes)
{
  g_return_if_fail (PIEPER_IS_SIM (self));
  g_return_if_fail (bytes > 0);

  g_mutex_lock (&self->lock);
  self->huge_size = bytes;
  g_mutex_unlock (&self->lock);
}

/* With a routing key set, the Events API refuses any other; without one
 * (the default) it accepts any non-empty key. */
void
pieper_sim_set_routing_key (PieperSim  *self,
                            const char *routing_key)
{
  g_return_if_fail (PIEPER_IS_SIM (self));

  g_mutex_lock (&self->lock);
  g_free (self->routing_key);
  self->routing_key = g_strdup (routing_key);
  g_mutex_unlock (&self->lock);
}

/**
 * pieper_sim_add_incidents:
 * @n: how many
 *
 * Adds @n generated incidents, after any that exist: the same seed gives
 * the same incidents (their times are relative to now). Recent ones are a
 * mix of triggered, acknowledged and resolved; older ones are mostly
 * resolved.
 */
void
pieper_sim_add_incidents (PieperSim *self,
                          guint      n)
{
  g_return_if_fail (PIEPER_IS_SIM (self));

  g_mutex_lock (&self->lock);
  _pieper_sim_generate (self, n, g_get_real_time () / G_USEC_PER_SEC);
  g_mutex_unlock (&self->lock);
}

guint
pieper_sim_get_n_incidents (PieperSim *self)
{
  guint n;

  g_return_val_if_fail (PIEPER_IS_SIM (self), 0);

  g_mutex_lock (&self->lock);
  n = self->incidents->len;
  g_mutex_unlock (&self->lock);

  return n;
}

/**
 * pieper_sim_trigger:
 * @summary: the incident's title
 * @service: a service name ("checkout-api") or id; %NULL for checkout-api
 * @urgency: "high" or "low"
 *
 * Pages: creates a triggered incident, as an alert through the Events API
 * would, assigned to the first level of the service's escalation policy.
 *
 * Returns: (transfer none) (nullable): the incident id, valid as long as
 *   the sim, or %NULL if @service or @urgency is unknown
 */
const char *
pieper_sim_trigger (PieperSim  *self,
                    const char *summary,
                    const char *service,
                    const char *urgency)
{
  SimIncident *incident;
  int svc;

  g_return_val_if_fail (PIEPER_IS_SIM (self), NULL);
  g_return_val_if_fail (summary != NULL && *summary != '\0', NULL);

  svc = _pieper_sim_find_service (service != NULL ? service : "checkout-api");
  if (svc < 0)
    return NULL;
  if (urgency == NULL)
    urgency = "high";
  if (!g_str_equal (urgency, "high") && !g_str_equal (urgency, "low"))
    return NULL;

  g_mutex_lock (&self->lock);
  incident = _pieper_sim_create_incident (self, summary, (guint) svc,
                                          g_str_equal (urgency, "high") ? SIM_URGENCY_HIGH : SIM_URGENCY_LOW,
                                          NULL, g_get_real_time () / G_USEC_PER_SEC);
  g_mutex_unlock (&self->lock);

  return incident->id;
}

/**
 * pieper_sim_dup_incident_status:
 *
 * Returns: (transfer full) (nullable): "triggered", "acknowledged" or
 *   "resolved", or %NULL for an unknown incident
 */
char *
pieper_sim_dup_incident_status (PieperSim  *self,
                                const char *incident_id)
{
  SimIncident *incident;
  char *status = NULL;

  g_return_val_if_fail (PIEPER_IS_SIM (self), NULL);
  g_return_val_if_fail (incident_id != NULL, NULL);

  g_mutex_lock (&self->lock);
  incident = _pieper_sim_lookup (self, incident_id);
  if (incident != NULL)
    {
      _pieper_sim_expire_snooze (self, incident, g_get_real_time () / G_USEC_PER_SEC);
      status = g_strdup (_pieper_sim_status_to_string (incident->status));
    }
  g_mutex_unlock (&self->lock);

  return status;
}

/**
 * pieper_sim_set_status_unlogged:
 * @status: "triggered", "acknowledged" or "resolved"
 *
 * Changes an incident's status without a log entry: a change that a client
 * following GET /log_entries does not see, so only a full pull finds it.
 *
 * Returns: %FALSE for an unknown incident or status
 */
gboolean
pieper_sim_set_status_unlogged (PieperSim  *self,
                                const char *incident_id,
                                const char *status)
{
  SimIncident *incident;
  SimStatus value;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (PIEPER_IS_SIM (self), FALSE);
  g_return_val_if_fail (incident_id != NULL, FALSE);
  g_return_val_if_fail (status != NULL, FALSE);

  if (!_pieper_sim_status_from_string (status, &value))
    return FALSE;

  g_mutex_lock (&self->lock);
  incident = _pieper_sim_lookup (self, incident_id);
  if (incident != NULL)
    {
      incident->status = (guint8) value;
      incident->status_changed_at = now;
      incident->updated_at = now;
      if (value == SIM_STATUS_RESOLVED)
        incident->resolved_at = now;
    }
  g_mutex_unlock (&self->lock);

  return incident != NULL;
}

/**
 * pieper_sim_set_fault:
 * @kind: one of the PIEPER_SIM_FAULT_ kinds
 * @rate: the share of API requests it hits, 0 (off) to 1 (all)
 *
 * Returns: %FALSE with @error set for an unknown kind or a rate out of range
 */
gboolean
pieper_sim_set_fault (PieperSim   *self,
                      const char  *kind,
                      double       rate,
                      GError     **error)
{
  gboolean ret;

  g_return_val_if_fail (PIEPER_IS_SIM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  ret = set_fault (self, kind, rate, error);
  g_mutex_unlock (&self->lock);

  return ret;
}

void
pieper_sim_clear_faults (PieperSim *self)
{
  g_return_if_fail (PIEPER_IS_SIM (self));

  g_mutex_lock (&self->lock);
  memset (self->fault_rates, 0, sizeof self->fault_rates);
  g_mutex_unlock (&self->lock);
}

static gboolean
listen_on (PieperSim     *self,
           guint          port,
           GMainContext  *context,
           GError       **error)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoslist(GUri) uris = NULL;

  if (self->server != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "The sim is already running");
      return FALSE;
    }

  server = soup_server_new ("server-header", "pieper-sim/" PACKAGE_VERSION " ", NULL);
  soup_server_add_handler (server, NULL, server_cb, self, NULL);

  /* SoupServer attaches its sources to the thread-default context. */
  g_main_context_push_thread_default (context);
  if (!soup_server_listen_local (server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    {
      g_main_context_pop_thread_default (context);
      return FALSE;
    }
  g_main_context_pop_thread_default (context);

  uris = soup_server_get_uris (server);
  g_assert (uris != NULL);

  g_mutex_lock (&self->lock);
  self->port = (guint) g_uri_get_port (uris->data);
  g_free (self->base_url);
  self->base_url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
  self->context = g_main_context_ref (context);
  self->server = g_steal_pointer (&server);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

/**
 * pieper_sim_start:
 * @port: the port on 127.0.0.1, or 0 for any free one
 *
 * Starts serving on the thread-default main context of the caller, which
 * must iterate it: a client on the same thread must use asynchronous
 * requests.
 */
gboolean
pieper_sim_start (PieperSim  *self,
                  guint       port,
                  GError    **error)
{
  g_autoptr(GMainContext) context = NULL;

  g_return_val_if_fail (PIEPER_IS_SIM (self), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  context = g_main_context_ref_thread_default ();
  return listen_on (self, port, context, error);
}

static gpointer
thread_func (gpointer data)
{
  PieperSim *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->thread_loop);
  g_main_context_pop_thread_default (self->context);

  return NULL;
}

/**
 * pieper_sim_start_in_thread:
 * @port: the port on 127.0.0.1, or 0 for any free one
 *
 * Starts serving on a thread of the sim's own, so that a client may block
 * (synchronous libsoup calls, a subprocess wait) while the sim answers.
 */
gboolean
pieper_sim_start_in_thread (PieperSim  *self,
                            guint       port,
                            GError    **error)
{
  g_autoptr(GMainContext) context = NULL;

  g_return_val_if_fail (PIEPER_IS_SIM (self), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  context = g_main_context_new ();
  if (!listen_on (self, port, context, error))
    return FALSE;

  self->thread_loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("pieper-sim", thread_func, self);
  return TRUE;
}

guint
pieper_sim_get_port (PieperSim *self)
{
  guint port;

  g_return_val_if_fail (PIEPER_IS_SIM (self), 0);

  g_mutex_lock (&self->lock);
  port = self->server != NULL ? self->port : 0;
  g_mutex_unlock (&self->lock);

  return port;
}

/**
 * pieper_sim_dup_url:
 *
 * Returns: (transfer full) (nullable): "http://127.0.0.1:PORT", the base
 *   of both the REST API and the Events API (/v2/enqueue), or %NULL when
 *   the sim is not running
 */
char *
pieper_sim_dup_url (PieperSim *self)
{
  char *url;

  g_return_val_if_fail (PIEPER_IS_SIM (self), NULL);

  g_mutex_lock (&self->lock);
  url = self->server != NULL ? g_strdup (self->base_url) : NULL;
  g_mutex_unlock (&self->lock);

  return url;
}

/* Runs on the server's context. */
static void
shut_down (PieperSim *self)
{
  _pieper_sim_cancel_pending (self);
  soup_server_disconnect (self->server);
}

static gboolean
shut_down_cb (gpointer data)
{
  PieperSim *self = data;

  shut_down (self);
  g_main_loop_quit (self->thread_loop);
  return G_SOURCE_REMOVE;
}

void
pieper_sim_stop (PieperSim *self)
{
  g_return_if_fail (PIEPER_IS_SIM (self));

  if (self->server == NULL)
    return;

  if (self->thread != NULL)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_callback (source, shut_down_cb, self, NULL);
      g_source_attach (source, self->context);
      g_thread_join (g_steal_pointer (&self->thread));
      g_clear_pointer (&self->thread_loop, g_main_loop_unref);
    }
  else
    shut_down (self);

  g_mutex_lock (&self->lock);
  g_clear_object (&self->server);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->port = 0;
  g_mutex_unlock (&self->lock);
}

/**
 * pieper_sim_count_writes:
 * @method: (nullable): "PUT", "POST", …, or %NULL for any
 * @path_prefix: (nullable): e.g. "/incidents/PABC123/notes", or %NULL
 *
 * Returns: how many writes were applied: real deliveries, leaving out
 *   those a fault stopped and those the sim refused (4xx)
 */
guint
pieper_sim_count_writes (PieperSim  *self,
                         const char *method,
                         const char *path_prefix)
{
  guint n;

  g_return_val_if_fail (PIEPER_IS_SIM (self), 0);

  g_mutex_lock (&self->lock);
  n = count_writes (self, method, path_prefix, TRUE);
  g_mutex_unlock (&self->lock);

  return n;
}

/* Like pieper_sim_count_writes(), counting the writes that were not applied
 * too. */
guint
pieper_sim_count_all_writes (PieperSim  *self,
                             const char *method,
                             const char *path_prefix)
{
  guint n;

  g_return_val_if_fail (PIEPER_IS_SIM (self), 0);

  g_mutex_lock (&self->lock);
  n = count_writes (self, method, path_prefix, FALSE);
  g_mutex_unlock (&self->lock);

  return n;
}

/**
 * pieper_sim_dup_writes:
 *
 * Returns: (transfer full): a JSON array with one object per write, in
 *   order: {"method", "path", "incident_id", "body" (the parsed JSON, or
 *   the text if it was not JSON), "from", "accept", "status" (0 when the
 *   connection was reset without a response), "time", "applied", "fault"}
 */
JsonNode *
pieper_sim_dup_writes (PieperSim *self)
{
  JsonNode *node;

  g_return_val_if_fail (PIEPER_IS_SIM (self), NULL);

  g_mutex_lock (&self->lock);
  node = writes_to_json (self);
  g_mutex_unlock (&self->lock);

  return node;
}

void
pieper_sim_reset_record (PieperSim *self)
{
  g_return_if_fail (PIEPER_IS_SIM (self));

  g_mutex_lock (&self->lock);
  g_ptr_array_set_size (self->writes, 0);
  g_hash_table_remove_all (self->tally);
  self->n_connections = 0;
  g_mutex_unlock (&self->lock);
}

/* Connections that carried API requests since the start or the last
 * pieper_sim_reset_record(). */
guint
pieper_sim_count_connections (PieperSim *self)
{
  guint n;

  g_return_val_if_fail (PIEPER_IS_SIM (self), 0);

  g_mutex_lock (&self->lock);
  n = self->n_connections;
  g_mutex_unlock (&self->lock);

  return n;
}

/**
 * pieper_sim_count_requests:
 * @method: (nullable): "GET", "POST", …, or %NULL for any
 * @path_prefix: (nullable): e.g. "/log_entries", or %NULL for any
 *
 * Returns: how many API requests (reads too, whatever their outcome) were
 *   made since the start or the last pieper_sim_reset_record()
 */
guint
pieper_sim_count_requests (PieperSim  *self,
                           const char *method,
                           const char *path_prefix)
{
  GHashTableIter iter;
  gpointer key, value;
  guint n = 0;

  g_return_val_if_fail (PIEPER_IS_SIM (self), 0);

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->tally);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *space = strchr (key, ' ');
      g_autofree char *key_method = g_strndup (key, space - (const char *) key);

      if ((method == NULL || g_ascii_strcasecmp (method, key_method) == 0) &&
          (path_prefix == NULL || g_str_has_prefix (space + 1, path_prefix)))
        n += GPOINTER_TO_UINT (value);
    }
  g_mutex_unlock (&self->lock);

  return n;
}

/* API requests served (REST and Events; not the admin endpoints). */
guint
pieper_sim_get_n_requests (PieperSim *self)
{
  guint n;

  g_return_val_if_fail (PIEPER_IS_SIM (self), 0);

  g_mutex_lock (&self->lock);
  n = self->n_requests;
  g_mutex_unlock (&self->lock);

  return n;
}
