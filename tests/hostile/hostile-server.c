/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hostile-server"

#include "config.h"

#include <string.h>

#include "hostile-server.h"

typedef struct
{
  guint     status;
  GBytes   *body;
  gboolean  chunked;
} Reply;

struct _HostileServer
{
  GObject     parent_instance;

  SoupServer *server;
  char       *url;
  GHashTable *replies;   /* "METHOD PATH#OFFSET" → Reply */
  GHashTable *counts;    /* "METHOD PATH" → count */
};

G_DEFINE_FINAL_TYPE (HostileServer, hostile_server, G_TYPE_OBJECT)

static void
reply_free (Reply *reply)
{
  g_bytes_unref (reply->body);
  g_free (reply);
}

static char *
reply_key (const char *method,
           const char *path,
           guint       offset)
{
  return g_strdup_printf ("%s %s#%u", method, path, offset);
}

static void
request_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  HostileServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *offset_text = query != NULL ? g_hash_table_lookup (query, "offset") : NULL;
  guint64 offset = 0;
  g_autofree char *key = NULL;
  g_autofree char *count_key = g_strdup_printf ("%s %s", method, path);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  Reply *reply;

  g_hash_table_insert (self->counts, g_strdup (count_key),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, count_key)) + 1));

  if (offset_text != NULL)
    g_ascii_string_to_unsigned (offset_text, 10, 0, G_MAXUINT, &offset, NULL);

  key = reply_key (method, path, (guint) offset);
  reply = g_hash_table_lookup (self->replies, key);
  if (reply == NULL)
    {
      soup_server_message_set_status (msg, 404, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"error\":{\"message\":\"Not Found\"}}", 33);
      return;
    }

  soup_server_message_set_status (msg, reply->status, NULL);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  if (reply->chunked)
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), reply->body);
}

static void
hostile_server_finalize (GObject *object)
{
  HostileServer *self = HOSTILE_SERVER (object);

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_free (self->url);
  g_hash_table_unref (self->replies);
  g_hash_table_unref (self->counts);

  G_OBJECT_CLASS (hostile_server_parent_class)->finalize (object);
}

static void
hostile_server_class_init (HostileServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hostile_server_finalize;
}

static void
hostile_server_init (HostileServer *self)
{
  self->replies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) reply_free);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

HostileServer *
hostile_server_new (void)
{
  g_autoptr(HostileServer) self = g_object_new (HOSTILE_TYPE_SERVER, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *text = NULL;

  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, request_cb, self, NULL);
  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  text = g_uri_to_string (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  /* Without the trailing slash: providers append their paths. */
  if (g_str_has_suffix (text, "/"))
    text[strlen (text) - 1] = '\0';
  self->url = g_steal_pointer (&text);

  return g_steal_pointer (&self);
}

const char *
hostile_server_get_url (HostileServer *self)
{
  return self->url;
}

void
hostile_server_reply (HostileServer *self,
                      const char    *method,
                      const char    *path,
                      guint          offset,
                      guint          status,
                      GBytes        *body,
                      gboolean       chunked)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->status = status;
  reply->body = g_bytes_ref (body);
  reply->chunked = chunked;
  g_hash_table_replace (self->replies, reply_key (method, path, offset), reply);
}

void
hostile_server_reply_json (HostileServer *self,
                           const char    *method,
                           const char    *path,
                           guint          offset,
                           const char    *json)
{
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  hostile_server_reply (self, method, path, offset, 200, body, FALSE);
}

guint
hostile_server_count (HostileServer *self,
                      const char    *method,
                      const char    *path)
{
  g_autofree char *key = g_strdup_printf ("%s %s", method, path);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, key));
}
