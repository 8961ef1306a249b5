/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperHttp"

#include "config.h"

#include "pieper-http-private.h"

#include <string.h>

#include "pieper-providers.h"

/*
 * The providers' one way of making a request: libsoup 3 sends it, the body
 * is read through a stream in chunks and refused beyond a cap (a hostile
 * server cannot make us hold more), and every failure becomes one
 * #PieperProviderError with one line of text. A write that may have
 * reached the server without an answer is UNKNOWN_OUTCOME, never
 * TRANSIENT: the outbox then reads back before it sends again.
 */

#define READ_CHUNK (16 * 1024)

typedef struct
{
  const PieperHttpApi *api;
  SoupMessage         *message;
  GInputStream        *stream;
  GByteArray          *body;
  guint8              *buffer;
  gsize                max_body;
  guint                status;
  gboolean             raw;        /* a 2xx body is returned unparsed */
  gboolean             is_write;
  gboolean             wrote;      /* its headers were written, once at least */
} Request;

static void
request_free (Request *request)
{
  if (request->stream != NULL)
    {
      /* A body left half read closes the connection; that is fine. */
      g_input_stream_close_async (request->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&request->stream);
    }

  if (request->message != NULL)
    g_signal_handlers_disconnect_by_data (request->message, request);
  g_clear_object (&request->message);
  g_clear_pointer (&request->body, g_byte_array_unref);
  g_clear_pointer (&request->buffer, g_free);
  g_free (request);
}

gboolean
_pieper_http_is_header_value (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || (guchar) *p >= 0x7f)
      return FALSE;

  return TRUE;
}

static gboolean
is_json_content_type (const PieperHttpApi *api,
                      SoupMessageHeaders  *headers)
{
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  gsize len;

  if (type == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (type, "application/json") == 0)
    return TRUE;

  if (!api->json_suffix)
    return FALSE;

  /* application/vnd.pagerduty+json and the like. */
  len = strlen (type);
  return g_str_has_prefix (type, "application/") && len > 5 &&
         g_ascii_strcasecmp (type + len - 5, "+json") == 0;
}

/* A write that failed without an answer once its headers were written
 * (a timeout, a connection closed or reset while the answer was awaited)
 * may have reached the server, which may still be handling it. Before
 * the headers were all written (no such host, refused, TLS, a connect
 * that timed out) the server cannot have acted on it. */
static GError *
network_error (Request *request,
               GError  *error)
{
  g_autofree char *detail = NULL;
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  detail = pieper_text_clean (error->message, 400, FALSE);

  if (request->is_write && request->wrote)
    {
      text = request->api->no_answer_text (PIEPER_HTTP_NO_ANSWER_MAYBE_ARRIVED, detail);
      return g_error_new_literal (PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME, text);
    }

  /* Certificates are always verified (libsoup's default, which nothing
   * here changes); say so plainly, as the fix is not the network. Still
   * transient: a network that intercepts TLS (a captive portal) ends. */
  if (error->domain == G_TLS_ERROR)
    text = request->api->no_answer_text (PIEPER_HTTP_NO_ANSWER_BAD_CERTIFICATE, detail);
  else
    text = request->api->no_answer_text (PIEPER_HTTP_NO_ANSWER_UNREACHABLE, detail);

  return g_error_new_literal (PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT, text);
}

static void
request_complete (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  const PieperHttpApi *api = request->api;
  g_autoptr(GError) error = NULL;
  gpointer result;

  if (!SOUP_STATUS_IS_SUCCESSFUL (request->status))
    {
      gboolean has_body = request->body != NULL && request->body->len > 0;

      error = api->error_from_response (g_task_get_source_object (task), request->message,
                                        has_body ? (const char *) request->body->data : NULL,
                                        has_body ? request->body->len : 0);
      if (request->is_write && _pieper_providers_status_leaves_outcome_unknown (request->status) &&
          g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT))
        error->code = PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME;

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (request->raw)
    {
      GByteArray *body = g_steal_pointer (&request->body);

      g_task_return_pointer (task, g_byte_array_free_to_bytes (body), (GDestroyNotify) g_bytes_unref);
      return;
    }

  result = api->parse ((const char *) request->body->data, request->body->len, &error);
  if (result == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, result, api->result_free);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *detail = pieper_text_clean (error->message, 400, FALSE);

          g_task_return_new_error (task, PIEPER_PROVIDER_ERROR,
                                   PIEPER_PROVIDER_ERROR_TRANSIENT,
                                   "The connection to %s broke while reading: %s",
                                   request->api->name, detail);
        }
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (n == 0)
    {
      request_complete (task);
      return;
    }

  if (request->body->len + (gsize) n > request->max_body)
    {
      if (!SOUP_STATUS_IS_SUCCESSFUL (request->status))
        {
          /* Enough of an error body has been read for its message. */
          request_complete (task);
          return;
        }

      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR,
                               PIEPER_PROVIDER_ERROR_TRANSIENT,
                               "%s's response is too large (more than %" G_GSIZE_FORMAT " bytes)",
                               request->api->name, request->max_body);
      return;
    }

  g_byte_array_append (request->body, request->buffer, (guint) n);

  g_input_stream_read_async (request->stream, request->buffer, READ_CHUNK,
                             G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                             read_cb, g_object_ref (task));
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  const PieperHttpApi *api = request->api;
  SoupMessageHeaders *headers;
  g_autoptr(GError) error = NULL;
  gboolean is_json;

  request->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (request->stream == NULL)
    {
      g_task_return_error (task, network_error (request, error));
      return;
    }

  request->status = soup_message_get_status (request->message);
  headers = soup_message_get_response_headers (request->message);
  api->note_headers (g_task_get_source_object (task), headers);
  is_json = is_json_content_type (api, headers);

  if (SOUP_STATUS_IS_REDIRECTION (request->status))
    {
      /* Redirects are not followed: they would carry the credentials
       * elsewhere. A captive portal or a proxy's login page is the usual
       * cause, so try again later. */
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR,
                               PIEPER_PROVIDER_ERROR_TRANSIENT,
                               "%s answered with a redirect (HTTP %u); %s",
                               api->name, request->status, api->redirect_hint);
      return;
    }

  if (SOUP_STATUS_IS_SUCCESSFUL (request->status))
    {
      if (!is_json)
        {
          const char *type = soup_message_headers_get_content_type (headers, NULL);
          g_autofree char *clean = pieper_text_clean (type != NULL ? type : "none", 100, FALSE);

          g_task_return_new_error (task, PIEPER_PROVIDER_ERROR,
                                   PIEPER_PROVIDER_ERROR_TRANSIENT,
                                   "%s answered with an unexpected content type (%s)",
                                   api->name, clean);
          return;
        }
    }
  else
    {
      /* Only a JSON error body says more than the status does. */
      if (!is_json)
        {
          request_complete (task);
          return;
        }

      request->max_body = MIN (request->max_body, api->max_error_body);
    }

  if (SOUP_STATUS_IS_SUCCESSFUL (request->status) &&
      soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset) request->max_body)
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR,
                               PIEPER_PROVIDER_ERROR_TRANSIENT,
                               "%s's response is too large (%" G_GOFFSET_FORMAT " bytes)",
                               api->name, soup_message_headers_get_content_length (headers));
      return;
    }

  request->body = g_byte_array_new ();
  request->buffer = g_malloc (READ_CHUNK);
  g_input_stream_read_async (request->stream, request->buffer, READ_CHUNK,
                             G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                             read_cb, g_object_ref (task));
}

static void
wrote_headers_cb (SoupMessage *message,
                  Request     *request)
{
  request->wrote = TRUE;
}

SoupMessage *
_pieper_http_message_new (const PieperHttpApi  *api,
                          const char           *method,
                          const char           *uri,
                          GError              **error)
{
  SoupMessage *message = soup_message_new (method, uri);

  if (message == NULL)
    {
      g_set_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                   "The %s address is not a valid http(s) URL", api->name);
      return NULL;
    }

  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  return message;
}

void
_pieper_http_send (const PieperHttpApi *api,
                   GTask               *task,
                   SoupSession         *session,
                   SoupMessage         *message,
                   JsonNode            *body,
                   gsize                max_body,
                   gboolean             raw)
{
  Request *request = g_new0 (Request, 1);

  request->api = api;
  request->message = g_object_ref (message);
  request->max_body = max_body;
  request->raw = raw;
  request->is_write = g_strcmp0 (soup_message_get_method (message), SOUP_METHOD_GET) != 0;
  g_signal_connect (message, "wrote-headers", G_CALLBACK (wrote_headers_cb), request);

  if (body != NULL)
    {
      g_autofree char *json = json_to_string (body, FALSE);
      gsize length = strlen (json);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&json), length);

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  soup_session_send_async (session, message, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task),
                           send_cb, g_object_ref (task));
}
