/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperSim"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "pieper-sim-private.h"

/*
 * Faults. Each kind has a rate in [0, 1]: the share of API requests (REST
 * and Events, never the /_sim admin endpoints) it hits, drawn from a seeded
 * PRNG so a run can be repeated. The kinds are tried in the order of
 * SimFault; the first that draws a hit is the request's fault.
 *
 * A faulted write is not applied, and the record says so, except:
 *  - "reset-after" applies the write and then resets the connection, so the
 *    client cannot know the outcome;
 *  - "stall" applies the write when it arrives and holds the response back
 *    for the stall time (a slow server, not a broken one).
 */

static const char * const fault_names[SIM_N_FAULTS] = {
  [SIM_FAULT_NONE] = NULL,
  [SIM_FAULT_500] = PIEPER_SIM_FAULT_500,
  [SIM_FAULT_429] = PIEPER_SIM_FAULT_429,
  [SIM_FAULT_401] = PIEPER_SIM_FAULT_401,
  [SIM_FAULT_RESET] = PIEPER_SIM_FAULT_RESET,
  [SIM_FAULT_RESET_AFTER] = PIEPER_SIM_FAULT_RESET_AFTER,
  [SIM_FAULT_STALL] = PIEPER_SIM_FAULT_STALL,
  [SIM_FAULT_TRUNCATED] = PIEPER_SIM_FAULT_TRUNCATED,
  [SIM_FAULT_CONTENT_TYPE] = PIEPER_SIM_FAULT_CONTENT_TYPE,
  [SIM_FAULT_HUGE] = PIEPER_SIM_FAULT_HUGE,
};

typedef struct {
  PieperSim         *sim;
  SoupServerMessage *msg;
  GSocket           *socket;
  GSource           *source;
  gulong             finished_id;
} SimPending;

SimFault
_pieper_sim_fault_from_string (const char *kind)
{
  for (guint i = 1; i < SIM_N_FAULTS; i++)
    {
      if (g_strcmp0 (fault_names[i], kind) == 0)
        return (SimFault) i;
    }
  return SIM_FAULT_NONE;
}

const char *
_pieper_sim_fault_to_string (SimFault fault)
{
  g_assert (fault < SIM_N_FAULTS);
  return fault_names[fault];
}

SimFault
_pieper_sim_pick_fault (PieperSim *self)
{
  for (guint i = 1; i < SIM_N_FAULTS; i++)
    {
      double rate = self->fault_rates[i];

      /* Draw only for the kinds that are switched on, so that switching
       * one on does not change what the others draw. */
      if (rate <= 0.0)
        continue;
      if (rate >= 1.0 || g_rand_double (self->fault_rand) < rate)
        return (SimFault) i;
    }
  return SIM_FAULT_NONE;
}

static void
pending_free (SimPending *pending)
{
  if (pending->source != NULL)
    {
      g_source_destroy (pending->source);
      g_source_unref (pending->source);
    }
  g_clear_signal_handler (&pending->finished_id, pending->msg);
  g_clear_object (&pending->msg);
  g_clear_object (&pending->socket);
  g_free (pending);
}

static SimPending *
pending_new (PieperSim         *self,
             SoupServerMessage *msg)
{
  SimPending *pending = g_new0 (SimPending, 1);

  pending->sim = self;
  pending->msg = g_object_ref (msg);
  g_ptr_array_add (self->pending, pending);

  return pending;
}

static void
pending_done (SimPending *pending)
{
  /* Removing it frees it. */
  g_ptr_array_remove_fast (pending->sim->pending, pending);
}

static gboolean
reset_cb (gpointer user_data)
{
  SimPending *pending = user_data;
  g_autoptr(GIOStream) stream = NULL;
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  g_clear_pointer (&pending->source, g_source_unref);
  g_clear_signal_handler (&pending->finished_id, pending->msg);

  /* A zero linger time makes close() send a TCP RST instead of a FIN: the
   * client sees "connection reset by peer", not a clean end of stream. */
  if (setsockopt (g_socket_get_fd (pending->socket), SOL_SOCKET, SO_LINGER,
                  &linger, sizeof linger) != 0)
    g_debug ("Could not set SO_LINGER: %s", g_strerror (errno));

  stream = soup_server_message_steal_connection (pending->msg);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);

  pending_done (pending);
  return G_SOURCE_REMOVE;
}

static void
finished_cb (SoupServerMessage *msg,
             SimPending        *pending)
{
  /* The client went away, or the server was stopped: nothing to deliver. */
  pending->finished_id = 0;
  pending_done (pending);
}

/* Drop the connection without a response. The message is paused and the
 * connection stolen from an idle, once libsoup is done with the handler. */
void
_pieper_sim_reset_connection (PieperSim         *self,
                              SoupServerMessage *msg)
{
  SimPending *pending = pending_new (self, msg);

  pending->socket = g_object_ref (soup_server_message_get_socket (msg));
  pending->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), pending);
  soup_server_message_pause (msg);

  pending->source = g_idle_source_new ();
  g_source_set_callback (pending->source, reset_cb, pending, NULL);
  g_source_attach (pending->source, self->context);
}

static gboolean
stall_cb (gpointer user_data)
{
  SimPending *pending = user_data;

  g_clear_pointer (&pending->source, g_source_unref);
  g_clear_signal_handler (&pending->finished_id, pending->msg);
  soup_server_message_unpause (pending->msg);

  pending_done (pending);
  return G_SOURCE_REMOVE;
}

/* Hold a response that is already set for the stall time, without
 * blocking the main loop. */
void
_pieper_sim_stall (SimRequest *req)
{
  PieperSim *self = req->sim;
  SimPending *pending = pending_new (self, req->msg);
  guint ms = (guint) CLAMP (self->stall_seconds * 1000.0, 0.0, 3600000.0);

  pending->finished_id = g_signal_connect (req->msg, "finished", G_CALLBACK (finished_cb), pending);
  soup_server_message_pause (req->msg);

  pending->source = g_timeout_source_new (ms);
  g_source_set_callback (pending->source, stall_cb, pending, NULL);
  g_source_attach (pending->source, self->context);
}

void
_pieper_sim_cancel_pending (PieperSim *self)
{
  g_ptr_array_set_size (self->pending, 0);
}

GPtrArray *
_pieper_sim_pending_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
}

static void
set_body (SoupServerMessage *msg,
          guint              status,
          const char        *content_type,
          char              *body,
          gsize              len)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, body, len);
}

static void
deliver_error (SimRequest *req,
               guint       status,
               guint       code,
               const char *message)
{
  gsize len = 0;
  char *body = _pieper_sim_error_json (code, message, NULL, &len);

  set_body (req->msg, status, "application/json", body, len);
}

/* A body that a write could have answered with, for the faults that mangle
 * a response without applying the write. */
static char *
stand_in (SimRequest *req,
          gsize      *len)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  SimIncident *incident = req->incident_id ? _pieper_sim_lookup (req->sim, req->incident_id) : NULL;

  json_builder_begin_object (builder);
  if (incident != NULL)
    {
      json_builder_set_member_name (builder, "incident");
      _pieper_sim_build_incident (req->sim, builder, incident, FALSE);
    }
  else
    {
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, "success");
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, "Event processed");
    }
  json_builder_end_object (builder);

  return _pieper_sim_builder_to_string (builder, len);
}

static GBytes *
huge_filler (PieperSim *self)
{
  if (self->huge_filler == NULL || g_bytes_get_size (self->huge_filler) != self->huge_size)
    {
      char *filler = g_malloc (self->huge_size);

      memset (filler, 'x', self->huge_size);
      g_clear_pointer (&self->huge_filler, g_bytes_unref);
      self->huge_filler = g_bytes_new_take (filler, self->huge_size);
    }
  return self->huge_filler;
}

/* Deliver the response of a request whose fault replaces or mangles it.
 * For the mangling kinds, req->response is the real response of a read, or
 * NULL for a write that was not applied. */
void
_pieper_sim_deliver_fault (SimRequest *req)
{
  SoupServerMessage *msg = req->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  switch (req->fault)
    {
    case SIM_FAULT_500:
      deliver_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, 2000,
                     "An internal error has occurred. PagerDuty team has been notified.");
      break;

    case SIM_FAULT_429:
      soup_message_headers_replace (headers, "Retry-After", "1");
      soup_message_headers_replace (headers, "ratelimit-limit", "960");
      soup_message_headers_replace (headers, "ratelimit-remaining", "0");
      soup_message_headers_replace (headers, "ratelimit-reset", "1");
      deliver_error (req, 429 /* Too Many Requests: no SoupStatus for it */, 2020, "Rate Limit Exceeded");
      break;

    case SIM_FAULT_401:
      deliver_error (req, SOUP_STATUS_UNAUTHORIZED, 2006, "Authentication failed");
      break;

    case SIM_FAULT_TRUNCATED:
      {
        gsize len = req->response_len;
        char *body = req->response != NULL ? g_steal_pointer (&req->response) : stand_in (req, &len);

        /* Cut in the middle: a JSON parser must fail on it. */
        set_body (msg, SOUP_STATUS_OK, "application/json", body, MAX (len / 2, 1));
      }
      break;

    case SIM_FAULT_CONTENT_TYPE:
      {
        static const char portal[] =
          "<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head>\n"
          "<body><h1>Welcome to Guest Wi-Fi</h1>\n"
          "<p>Accept the terms of use to continue.</p></body></html>\n";

        set_body (msg, SOUP_STATUS_OK, "text/html; charset=utf-8",
                  g_strdup (portal), strlen (portal));
      }
      break;

    case SIM_FAULT_HUGE:
      {
        SoupMessageBody *body = soup_server_message_get_response_body (msg);
        static const char head[] = "{\"incidents\":[],\"limit\":25,\"offset\":0,\"more\":false,\"total\":null,\"padding\":\"";
        static const char tail[] = "\"}";

        /* Valid JSON, tens of megabytes: the client must cap what it
         * reads. The filler is built once and shared, not copied. */
        soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
        soup_message_headers_set_content_type (headers, "application/json", NULL);
        soup_message_body_append (body, SOUP_MEMORY_STATIC, head, strlen (head));
        soup_message_body_append_bytes (body, huge_filler (req->sim));
        soup_message_body_append (body, SOUP_MEMORY_STATIC, tail, strlen (tail));
      }
      break;

    case SIM_FAULT_NONE:
    case SIM_FAULT_RESET:
    case SIM_FAULT_RESET_AFTER:
    case SIM_FAULT_STALL:
    case SIM_N_FAULTS:
    default:
      g_assert_not_reached ();
    }
}
