/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-tls"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "pieper.h"
#include "pieper-alertmanager.h"
#include "pieper-pagerduty.h"
#include "test-util.h"

/*
 * Every provider verifies the server's certificate. A SoupServer in this
 * process presents a self-signed one (fixtures/tls); each provider, alone
 * and through a sync round into a real store, must refuse it with one
 * clear error, store nothing, and never send the token: the server counts
 * every request that reaches it.
 *
 * The control: the same server, the same handler, over plain http (which
 * both providers allow to this machine) hands out incidents that are
 * stored, and sees the token; so what the https runs did not get is due
 * to TLS alone.
 */

#define TOKEN "tls-test-token-7d1e"
#define EMAIL "responder@example.com"

typedef struct
{
  SoupServer     *server;
  char           *https_url;
  char           *http_url;
  guint           requests;
  guint           with_token;
  char           *dir;
  GAsyncResult   *result;
} Fixture;

static char *
read_fixture (const char *dir,
              const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  g_file_get_contents (path, &data, NULL, &error);
  g_assert_no_error (error);

  return data;
}

/* What a PagerDuty or an Alertmanager says to a sync round. */
static char *
answer_for (const char *path)
{
  if (g_str_equal (path, "/incidents"))
    return read_fixture ("pagerduty", "incidents-last-page.json");
  if (g_str_equal (path, "/users/me"))
    return read_fixture ("pagerduty", "user-me.json");
  if (g_str_has_suffix (path, "/log_entries"))
    return g_strdup ("{\"log_entries\": [], \"limit\": 100, \"offset\": 0, \"more\": false}");
  if (g_str_has_suffix (path, "/notes"))
    return g_strdup ("{\"notes\": []}");
  if (g_str_equal (path, "/api/v2/alerts"))
    return read_fixture ("alertmanager", "alerts.json");
  if (g_str_equal (path, "/api/v2/silences"))
    return read_fixture ("alertmanager", "silences.json");

  return NULL;
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fixture *f = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *body = answer_for (path);

  f->requests++;
  if (authorization != NULL && strstr (authorization, TOKEN) != NULL)
    f->with_token++;

  if (body == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static char *
url_of (SoupServer *server,
        const char *scheme)
{
  GSList *uris = soup_server_get_uris (server);
  char *url = NULL;

  for (GSList *l = uris; l != NULL && url == NULL; l = l->next)
    {
      GUri *uri = l->data;

      if (g_str_equal (g_uri_get_scheme (uri), scheme))
        url = g_strdup_printf ("%s://127.0.0.1:%d", scheme, g_uri_get_port (uri));
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_assert_nonnull (url);

  return url;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *cert_path = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "self-signed.pem", NULL);
  g_autofree char *key_path = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "self-signed.key", NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);

  f->server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (f->server, NULL, handler, f, NULL);
  soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error);
  g_assert_no_error (error);
  soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  f->https_url = url_of (f->server, "https");
  f->http_url = url_of (f->server, "http");
  f->dir = test_make_tmp_dir ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_clear_object (&f->result);
  test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->https_url);
  g_free (f->http_url);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *f = user_data;

  g_set_object (&f->result, result);
}

static GAsyncResult *
wait_result (Fixture *f)
{
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return g_steal_pointer (&f->result);
}

static PieperProvider *
make_provider (const char *kind,
               const char *url)
{
  g_autoptr(GError) error = NULL;
  PieperProvider *provider;

  if (g_str_equal (kind, "pagerduty"))
    return pieper_pagerduty_new (url, EMAIL, TOKEN);

  provider = pieper_alertmanager_new (url, EMAIL, TOKEN, &error);
  g_assert_no_error (error);

  return provider;
}

/* One list of incidents; its length, or -1 with @error set. */
static int
list_incidents (Fixture     *f,
                const char  *kind,
                const char  *url,
                GError     **error)
{
  g_autoptr(PieperProvider) provider = make_provider (kind, url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autofree char *cursor = NULL;

  pieper_provider_list_incidents_async (provider, NULL, NULL, result_cb, f);
  result = wait_result (f);
  page = pieper_provider_list_incidents_finish (provider, result, &cursor, error);

  return page != NULL ? (int) page->len : -1;
}

/* One sync round into a store of its own; the incidents stored, or -1
 * with @error set. */
static int
sync_round (Fixture     *f,
            const char  *kind,
            const char  *url,
            GError     **error)
{
  g_autofree char *dir = g_build_filename (f->dir, url + strlen ("http"), NULL);
  g_autoptr(PieperProvider) provider = make_provider (kind, url);
  g_autoptr(PieperStore) store = NULL;
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(PieperSyncEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) local_error = NULL;
  PieperSyncStats stats;
  gboolean ok;

  g_strdelimit (dir + strlen (f->dir) + 1, ":/.", '_');
  store = pieper_store_open (dir, &local_error);
  g_assert_no_error (local_error);
  account = pieper_store_ensure_account (store, kind, url, EMAIL, &local_error);
  g_assert_no_error (local_error);

  engine = pieper_sync_engine_new (store);
  pieper_sync_engine_add_account (engine, account, provider);
  pieper_sync_engine_sync_async (engine, NULL, result_cb, f);
  result = wait_result (f);
  ok = pieper_sync_engine_sync_finish (engine, result, &stats, error);

  stored = pieper_store_list_incidents (store, PIEPER_FILTER_ALL, &local_error);
  g_assert_no_error (local_error);
  if (!ok)
    {
      g_assert_cmpuint (stored->len, ==, 0);
      return -1;
    }

  return (int) stored->len;
}

static void
assert_tls_error (const GError *error,
                  const char   *server)
{
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  /* One line that says what is wrong, naming the server. */
  g_assert_null (strchr (error->message, '\n'));
  g_assert_nonnull (strstr (error->message, server));
  /* "Refused to connect to PagerDuty: its TLS certificate is not valid or
   * not trusted (Unacceptable TLS certificate)": not a network problem. */
  g_assert_nonnull (strstr (error->message, "Refused to connect"));
  g_assert_nonnull (strstr (error->message, "not valid or not trusted"));
  g_assert_null (strstr (error->message, TOKEN));
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  const char *kind = data;
  const char *server = g_str_equal (kind, "pagerduty") ? "PagerDuty" : "Alertmanager";
  g_autoptr(GError) error = NULL;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    g_error ("No TLS backend: install glib-networking");

  /* The control: over http the same server is heard, and answers. */
  g_assert_cmpint (list_incidents (f, kind, f->http_url, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (sync_round (f, kind, f->http_url, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (f->with_token, >, 0);

  f->requests = f->with_token = 0;

  g_assert_cmpint (list_incidents (f, kind, f->https_url, &error), ==, -1);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  assert_tls_error (error, server);
  g_clear_error (&error);

  g_assert_cmpint (sync_round (f, kind, f->https_url, &error), ==, -1);
  assert_tls_error (error, server);

  /* Nothing reached the server: not a request, not the token. */
  g_assert_cmpuint (f->requests, ==, 0);
  g_assert_cmpuint (f->with_token, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tls/pagerduty", Fixture, "pagerduty", fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/tls/alertmanager", Fixture, "alertmanager", fixture_set_up, test_refused, fixture_tear_down);

  return g_test_run ();
}
