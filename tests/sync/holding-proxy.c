/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "holding-proxy.h"

#include <string.h>

struct _HoldingProxy
{
  SoupServer  *server;
  SoupSession *session;
  char        *upstream;
  char        *url;
  gboolean     hold_notes;
  GPtrArray   *held;          /* Forward, not yet passed on */
  guint        n_forwarding;  /* passed on, not yet answered */
};

/* One request on its way through. */
typedef struct
{
  HoldingProxy      *proxy;
  SoupServerMessage *msg;
  SoupMessage       *upstream;
  gulong             finished_id;
  gboolean           finished;  /* the client's side is over */
} Forward;

static void
forward_free (Forward *forward)
{
  g_clear_signal_handler (&forward->finished_id, forward->msg);
  g_clear_object (&forward->msg);
  g_clear_object (&forward->upstream);
  g_free (forward);
}

static void
finished_cb (SoupServerMessage *msg,
             Forward           *forward)
{
  forward->finished = TRUE;
}

/* What each hop sets for itself is not passed on. */
static void
copy_header_cb (const char *name,
                const char *value,
                gpointer    user_data)
{
  static const char * const hop[] = {
    "Host", "Connection", "Keep-Alive", "Content-Length", "Content-Type",
    "Transfer-Encoding", "Content-Encoding", "Accept-Encoding",
  };

  for (guint i = 0; i < G_N_ELEMENTS (hop); i++)
    if (g_ascii_strcasecmp (name, hop[i]) == 0)
      return;

  soup_message_headers_append (user_data, name, value);
}

static Forward *
forward_new (HoldingProxy      *self,
             SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autofree char *target = NULL;
  Forward *forward = g_new0 (Forward, 1);

  target = g_strconcat (self->upstream, g_uri_get_path (uri),
                        query != NULL ? "?" : "", query != NULL ? query : "", NULL);

  forward->proxy = self;
  forward->msg = g_object_ref (msg);
  forward->upstream = soup_message_new (soup_server_message_get_method (msg), target);
  g_assert_nonnull (forward->upstream);
  soup_message_headers_foreach (headers, copy_header_cb, soup_message_get_request_headers (forward->upstream));

  if (body->length > 0)
    {
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);

      soup_message_set_request_body_from_bytes (forward->upstream,
                                                soup_message_headers_get_content_type (headers, NULL),
                                                bytes);
    }

  forward->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), forward);

  return forward;
}

static void
forwarded_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Forward *forward = user_data;
  SoupMessageHeaders *answer = soup_message_get_response_headers (forward->upstream);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  forward->proxy->n_forwarding--;

  /* A client that gave up gets nothing. */
  if (!forward->finished)
    {
      if (body == NULL)
        soup_server_message_set_status (forward->msg, SOUP_STATUS_BAD_GATEWAY, NULL);
      else
        {
          gsize length;
          const char *data = g_bytes_get_data (body, &length);

          soup_server_message_set_status (forward->msg, soup_message_get_status (forward->upstream),
                                          soup_message_get_reason_phrase (forward->upstream));
          soup_message_headers_foreach (answer, copy_header_cb,
                                        soup_server_message_get_response_headers (forward->msg));
          soup_server_message_set_response (forward->msg, soup_message_headers_get_content_type (answer, NULL),
                                            SOUP_MEMORY_COPY, data, length);
        }
      soup_server_message_unpause (forward->msg);
    }

  forward_free (forward);
}

static void
forward_send (Forward *forward)
{
  forward->proxy->n_forwarding++;
  soup_session_send_and_read_async (forward->proxy->session, forward->upstream, G_PRIORITY_DEFAULT,
                                    NULL, forwarded_cb, forward);
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  HoldingProxy *self = user_data;
  Forward *forward = forward_new (self, msg);

  soup_server_message_pause (msg);

  if (self->hold_notes &&
      strcmp (soup_server_message_get_method (msg), SOUP_METHOD_POST) == 0 &&
      g_str_has_suffix (path, "/notes"))
    {
      g_ptr_array_add (self->held, forward);
      return;
    }

  forward_send (forward);
}

HoldingProxy *
holding_proxy_new (const char *upstream_url)
{
  HoldingProxy *self = g_new0 (HoldingProxy, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  self->upstream = g_strdup (upstream_url);
  self->held = g_ptr_array_new ();
  self->session = soup_session_new ();
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  self->url = g_uri_to_string_partial (uris->data, G_URI_HIDE_NONE);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* "http://127.0.0.1:PORT", as a provider's base address. */
  while (g_str_has_suffix (self->url, "/"))
    self->url[strlen (self->url) - 1] = '\0';

  return self;
}

void
holding_proxy_free (HoldingProxy *self)
{
  /* What was never released is refused, so nothing stays paused. */
  for (guint i = 0; i < self->held->len; i++)
    {
      Forward *forward = g_ptr_array_index (self->held, i);

      if (!forward->finished)
        {
          soup_server_message_set_status (forward->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
          soup_server_message_unpause (forward->msg);
        }
    }

  while (self->n_forwarding > 0)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_ptr_array_foreach (self->held, (GFunc) forward_free, NULL);
  g_ptr_array_unref (self->held);

  soup_session_abort (self->session);
  g_object_unref (self->session);
  soup_server_disconnect (self->server);
  g_object_unref (self->server);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_free (self->upstream);
  g_free (self->url);
  g_free (self);
}

const char *
holding_proxy_get_url (HoldingProxy *self)
{
  return self->url;
}

void
holding_proxy_hold_notes (HoldingProxy *self,
                          gboolean      hold)
{
  self->hold_notes = hold;
}

guint
holding_proxy_get_n_held (HoldingProxy *self)
{
  return self->held->len;
}

void
holding_proxy_release (HoldingProxy *self)
{
  g_autoptr(GPtrArray) held = g_steal_pointer (&self->held);

  self->held = g_ptr_array_new ();
  for (guint i = 0; i < held->len; i++)
    forward_send (g_ptr_array_index (held, i));

  while (self->n_forwarding > 0)
    g_main_context_iteration (NULL, TRUE);
}
