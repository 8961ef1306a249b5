/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-body-cap"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <libsoup/soup.h>

#include "pieper-alertmanager.h"
#include "pieper-pagerduty-private.h"
#include "test-util.h"

/*
 * A server that never stops talking: each provider reads a response
 * through a stream and refuses it at its cap (8 MiB), with one clear error,
 * without ever holding the body whole. A SoupServer in this process
 * streams up to 200 MB of chunked JSON whitespace, with no length
 * announced; the test measures the peak memory of the process (VmHWM,
 * reset first) while the provider reads.
 *
 * Memory, not time, so it can be asserted: with a generous margin, far
 * below the body's size. The control: the same measure with the cap raised
 * above the body (PagerDuty's test hook) grows by the body.
 */

#define BODY_LIMIT     (200 * 1024 * 1024)
#define GROWTH_BOUND   (64 * 1024 * 1024)

typedef struct
{
  SoupServer   *server;
  char         *url;
  gsize         streamed;
  gsize         limit;
  guint         status;
  GAsyncResult *result;
} Fixture;

static char spaces[64 * 1024];

static void
wrote_chunk_cb (SoupServerMessage *msg,
                Fixture           *f)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  if (f->streamed >= f->limit)
    {
      soup_message_body_complete (body);
      return;
    }

  soup_message_body_append (body, SOUP_MEMORY_STATIC, spaces, sizeof spaces);
  f->streamed += sizeof spaces;
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fixture *f = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  soup_server_message_set_status (msg, f->status, NULL);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);

  /* Written chunks are dropped: the server holds none of them. */
  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_append (body, SOUP_MEMORY_STATIC, "[", 1);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), f);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  memset (spaces, ' ', sizeof spaces);
  f->limit = BODY_LIMIT;
  f->status = SOUP_STATUS_OK;

  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, handler, f, NULL);
  soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (f->server);
  f->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_clear_object (&f->result);
  g_free (f->url);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *f = user_data;

  g_set_object (&f->result, result);
}

static PieperProvider *
make_provider (Fixture *f,
               gboolean pagerduty)
{
  g_autoptr(GError) error = NULL;
  PieperProvider *provider;

  if (pagerduty)
    return pieper_pagerduty_new (f->url, "responder@example.com", "cap-test-token");

  provider = pieper_alertmanager_new (f->url, "responder@example.com", NULL, &error);
  g_assert_no_error (error);

  return provider;
}

/* Lists incidents; returns the growth of the peak memory while it ran. */
static gsize
list_incidents (Fixture         *f,
                PieperProvider  *provider,
                GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) page = NULL;
  gsize before;

  f->streamed = 0;
  test_reset_peak_memory ();
  before = test_status_bytes ("VmRSS:");

  pieper_provider_list_incidents_async (provider, NULL, NULL, result_cb, f);
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  result = g_steal_pointer (&f->result);
  page = pieper_provider_list_incidents_finish (provider, result, NULL, error);
  g_assert_null (page);

  return test_status_bytes ("VmHWM:") - before;
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  gboolean pagerduty = GPOINTER_TO_INT (data);
  g_autoptr(PieperProvider) provider = make_provider (f, pagerduty);
  g_autoptr(GError) error = NULL;
  gsize growth;

  growth = list_incidents (f, provider, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "too large"));
  g_assert_null (strchr (error->message, '\n'));

  g_test_message ("server wrote %" G_GSIZE_FORMAT " MiB before the refusal; peak memory grew %" G_GSIZE_FORMAT " MiB",
                  f->streamed >> 20, growth >> 20);
  g_assert_cmpuint (f->streamed, <, 32 * 1024 * 1024);
  g_assert_cmpuint (growth, <, GROWTH_BOUND);
}

/* An error response that never ends: only the start is read. */
static void
test_error_body (Fixture       *f,
                 gconstpointer  data)
{
  gboolean pagerduty = GPOINTER_TO_INT (data);
  g_autoptr(PieperProvider) provider = make_provider (f, pagerduty);
  g_autoptr(GError) error = NULL;
  gsize growth;

  f->status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  growth = list_incidents (f, provider, &error);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_test_message ("%s; peak memory grew %" G_GSIZE_FORMAT " MiB", error->message, growth >> 20);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_cmpuint (f->streamed, <, 32 * 1024 * 1024);
  g_assert_cmpuint (growth, <, GROWTH_BOUND);
}

/* The control: a cap above the body, and the measure sees the body. */
static void
test_control (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(PieperProvider) provider = make_provider (f, TRUE);
  g_autoptr(GError) error = NULL;
  gsize growth;

  f->limit = 96 * 1024 * 1024;
  _pieper_pagerduty_set_max_body (PIEPER_PAGERDUTY (provider), 2 * f->limit);
  growth = list_incidents (f, provider, &error);
  /* Read whole, then refused as not JSON ("[" and spaces). */
  g_assert_nonnull (error);
  g_test_message ("control: %s; peak memory grew %" G_GSIZE_FORMAT " MiB", error->message, growth >> 20);
  g_assert_cmpuint (growth, >, f->limit / 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/body-cap/pagerduty", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/body-cap/alertmanager", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/body-cap/pagerduty-error", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up, test_error_body, fixture_tear_down);
  g_test_add ("/body-cap/alertmanager-error", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up, test_error_body, fixture_tear_down);
  g_test_add ("/body-cap/control", Fixture, NULL, fixture_set_up, test_control, fixture_tear_down);

  return g_test_run ();
}
