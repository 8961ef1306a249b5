/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperPagerduty"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pieper-pagerduty.h"

#include <string.h>

#include <libsoup/soup.h>

#include "pieper-providers.h"

#include "pieper-http-private.h"
#include "pieper-pagerduty-private.h"

/**
 * PieperPagerduty:
 *
 * #PieperProvider over the PagerDuty REST API v2. It owns one #SoupSession;
 * the sync engine makes at most a handful of requests at once (PagerDuty's
 * limit is on requests per minute, not on connections), bodies are read through a stream and refused beyond a cap, and
 * every error becomes one #PieperProviderError with one line of text.
 *
 * The token is sent in the Authorization header and nowhere else: it is
 * never logged and never part of an error message.
 */

#define REQUEST_TIMEOUT_SECONDS 30
#define IDLE_TIMEOUT_SECONDS    60
/* Enough for the sync engine's sends in flight. */
#define MAX_CONNECTIONS         8

#define PD_ACCEPT "application/vnd.pagerduty+json;version=2"

struct _PieperPagerduty
{
  GObject      parent_instance;

  SoupSession *session;
  char        *base_url;
  char        *email;
  char        *authorization;
  gboolean     credentials_ok;

  gsize        max_body;
  guint        retry_after;
  guint        ratelimit_remaining;

  GQueue       ahead;          /* Fetch: incident pages read ahead, by offset */
  guint        total;          /* open incidents, from the first page; 0 if unknown */
};

static void pieper_pagerduty_provider_iface_init (PieperProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PieperPagerduty, pieper_pagerduty, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PIEPER_TYPE_PROVIDER,
                                                      pieper_pagerduty_provider_iface_init))

/* HTTP: pieper-http.c makes the request; here is what is PagerDuty's. */

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

static char *
no_answer_text (PieperHttpNoAnswer  why,
                const char         *detail)
{
  switch (why)
    {
    case PIEPER_HTTP_NO_ANSWER_MAYBE_ARRIVED:
      return g_strdup_printf (_("Sent to PagerDuty, but no answer came, so it may or may not have arrived: %s"),
                              detail);
    case PIEPER_HTTP_NO_ANSWER_BAD_CERTIFICATE:
      return g_strdup_printf (_("Refused to connect to PagerDuty: its TLS certificate is not valid or not trusted (%s)"),
                              detail);
    case PIEPER_HTTP_NO_ANSWER_UNREACHABLE:
    default:
      return g_strdup_printf (_("Could not reach PagerDuty: %s"), detail);
    }
}

static void
note_rate_limit_headers (gpointer            provider,
                         SoupMessageHeaders *headers)
{
  PieperPagerduty *self = provider;
  const char *remaining = soup_message_headers_get_one (headers, "ratelimit-remaining");
  guint64 value;

  if (remaining != NULL &&
      g_ascii_string_to_unsigned (remaining, 10, 0, G_MAXUINT, &value, NULL))
    {
      self->ratelimit_remaining = (guint) value;
      if (value < 10)
        g_debug ("Only %u PagerDuty requests left in this rate limit window",
                 self->ratelimit_remaining);
    }
}

static GError *
error_from_response (gpointer     provider,
                     SoupMessage *message,
                     const char  *body,
                     gsize        length)
{
  PieperPagerduty *self = provider;
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);
  g_autoptr(PieperJsonDoc) root = NULL;
  GError *error;

  /* The error body is only a hint; ignore it if it does not parse. */
  if (body != NULL)
    root = _pieper_pagerduty_parse (body, length, NULL);

  error = _pieper_pagerduty_error_from_response (soup_message_get_status (message),
                                                 soup_message_get_reason_phrase (message),
                                                 _pieper_json_doc_get_root (root));

  if (g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_RATE_LIMITED))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      self->retry_after =
        _pieper_pagerduty_parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"),
                                             soup_message_headers_get_one (headers, "ratelimit-reset"),
                                             g_date_time_to_unix (now));
      g_debug ("Rate limited; retry after %u s", self->retry_after);
    }

  return error;
}

static gpointer
parse_body (const char  *data,
            gsize        length,
            GError     **error)
{
  return _pieper_pagerduty_parse (data, length, error);
}

static const PieperHttpApi pagerduty_api = {
  .name = "PagerDuty",
  .redirect_hint = "is this network behind a login page?",
  .json_suffix = TRUE,
  .max_error_body = PIEPER_PD_MAX_ERROR_BODY,
  .note_headers = note_rate_limit_headers,
  .no_answer_text = no_answer_text,
  .error_from_response = error_from_response,
  .parse = parse_body,
  .result_free = (GDestroyNotify) _pieper_json_doc_free,
};

/*
 * Sends one request. @path_and_query starts with '/' and is already escaped.
 * @body, when given, is sent as JSON. Writes carry the From header.
 * The task's result is the parsed JSON root of a 2xx response, or with
 * @raw its body as #GBytes, for the caller to parse where it likes.
 */
static void
send_request_full (PieperPagerduty     *self,
                   const char          *method,
                   const char          *path_and_query,
                   JsonNode            *body,
                   gboolean             raw,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  SoupMessageHeaders *headers;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, send_request_full);

  if (!self->credentials_ok)
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH,
                               "The PagerDuty token or e-mail address contains characters that cannot be sent");
      return;
    }

  uri = g_strconcat (self->base_url, path_and_query, NULL);
  message = _pieper_http_message_new (&pagerduty_api, method, uri, &error);
  if (message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Without this flag libsoup opens a new connection for every POST (a
   * note, a snooze). In libsoup 3.2 the flag only lets the request use an
   * idle keep-alive connection (soup-connection-manager.c): libsoup sends a
   * request again by itself after a broken connection only when its
   * *method* is idempotent (SOUP_METHOD_IS_IDEMPOTENT in
   * soup-client-message-io-http1.c and -http2.c), which POST is not, and
   * otherwise only after the server answered that it did not act (a
   * redirect, which we do not follow; a 401 for the auth manager, which
   * this session does not have; HTTP/2's 421 and REFUSED_STREAM). So a
   * POST that meets a connection the server just closed fails, and the
   * outbox reads back before it sends again: never twice. */
  if (g_strcmp0 (method, SOUP_METHOD_POST) == 0)
    soup_message_add_flags (message, SOUP_MESSAGE_IDEMPOTENT);

  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "Authorization", self->authorization);
  soup_message_headers_replace (headers, "Accept", PD_ACCEPT);
  if (g_strcmp0 (method, SOUP_METHOD_GET) != 0 && self->email != NULL && self->email[0] != '\0')
    soup_message_headers_replace (headers, "From", self->email);

  g_debug ("%s %s", method, path_and_query);

  _pieper_http_send (&pagerduty_api, task, self->session, message, body, self->max_body, raw);
}

static void
send_request (PieperPagerduty     *self,
              const char          *method,
              const char          *path_and_query,
              JsonNode            *body,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  send_request_full (self, method, path_and_query, body, FALSE, cancellable, callback, user_data);
}

static PieperJsonDoc *
send_request_finish (PieperPagerduty  *self,
                     GAsyncResult     *result,
                     GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
incident_path (const char *incident,
               const char *suffix)
{
  g_autofree char *escaped = g_uri_escape_string (incident, NULL, FALSE);

  return g_strconcat ("/incidents/", escaped, suffix, NULL);
}

static gboolean
check_incident_id (GTask      *task,
                   const char *incident)
{
  if (_pieper_pagerduty_id_is_valid (incident))
    return TRUE;

  g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                           "Not a PagerDuty incident id");
  return FALSE;
}

/* Capabilities and rate limits */

static PieperCapabilities
pieper_pagerduty_get_capabilities (PieperProvider *provider)
{
  return PIEPER_CAPABILITY_ACKNOWLEDGE |
         PIEPER_CAPABILITY_RESOLVE |
         PIEPER_CAPABILITY_ESCALATE |
         PIEPER_CAPABILITY_REASSIGN |
         PIEPER_CAPABILITY_SNOOZE |
         PIEPER_CAPABILITY_NOTE |
         PIEPER_CAPABILITY_CHANGE_FEED;
}

static guint
pieper_pagerduty_get_retry_after (PieperProvider *provider)
{
  return PIEPER_PAGERDUTY (provider)->retry_after;
}

/* whoami: GET /users/me; for an account-level token, which names no user,
 * GET /users?query=EMAIL, the address the From header carries. */

static void
whoami_by_email_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PieperPagerduty *self = PIEPER_PAGERDUTY (object);
  g_autoptr(PieperJsonDoc) root = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) user = g_new0 (char *, 3);

  root = send_request_finish (self, result, &error);
  if (root == NULL ||
      !_pieper_pagerduty_user_by_email_from_json (_pieper_json_doc_get_root (root), self->email, &user[0], &user[1], &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&user), (GDestroyNotify) g_strfreev);
}

static void
whoami_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PieperPagerduty *self = PIEPER_PAGERDUTY (object);
  g_autoptr(PieperJsonDoc) root = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) user = g_new0 (char *, 3);

  root = send_request_finish (self, result, &error);

  /* PagerDuty refuses /users/me to an account-level token with a 400. */
  if (root == NULL && self->email != NULL && self->email[0] != '\0' &&
      (g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT) ||
       g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_NOT_FOUND)))
    {
      g_autofree char *escaped = g_uri_escape_string (self->email, NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/users?query=%s&limit=%u", escaped, PIEPER_PD_PAGE_LIMIT);
      GCancellable *cancellable = g_task_get_cancellable (task);

      send_request (self, SOUP_METHOD_GET, path, NULL, cancellable,
                    whoami_by_email_cb, g_steal_pointer (&task));
      return;
    }

  if (root == NULL ||
      !_pieper_pagerduty_user_from_json (_pieper_json_doc_get_root (root), &user[0], &user[1], &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&user), (GDestroyNotify) g_strfreev);
}

static void
pieper_pagerduty_whoami_async (PieperProvider      *provider,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (provider);
  g_autoptr(GTask) task = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_pagerduty_whoami_async);

  send_request (self, SOUP_METHOD_GET, "/users/me", NULL, cancellable,
                whoami_cb, g_steal_pointer (&task));
}

static gboolean
pieper_pagerduty_whoami_finish (PieperProvider  *provider,
                                GAsyncResult    *result,
                                char           **user_id,
                                char           **user_name,
                                GError         **error)
{
  g_auto(GStrv) user = NULL;

  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  user = g_task_propagate_pointer (G_TASK (result), error);
  if (user == NULL)
    return FALSE;

  if (user_id != NULL)
    *user_id = g_steal_pointer (&user[0]);
  if (user_name != NULL)
    *user_name = g_steal_pointer (&user[1]);

  return TRUE;
}

/* A page of results and the cursor of the next one. */

typedef struct
{
  gpointer        items;
  GDestroyNotify  free_items;
  char           *next_cursor;
  guint           offset;
  guint           total;       /* incidents: how many are open, 0 if unknown */
  GStrv           change_ids;  /* changes: each item's log entry id */
} Page;

static void
page_free (Page *page)
{
  if (page->items != NULL)
    page->free_items (page->items);
  g_strfreev (page->change_ids);
  g_free (page->next_cursor);
  g_free (page);
}

static gpointer
page_finish (PieperProvider  *provider,
             GAsyncResult    *result,
             char           **next_cursor,
             GError         **error)
{
  Page *page;
  gpointer items;

  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  page = g_task_propagate_pointer (G_TASK (result), error);
  if (page == NULL)
    return NULL;

  items = g_steal_pointer (&page->items);
  if (next_cursor != NULL)
    *next_cursor = g_steal_pointer (&page->next_cursor);
  page_free (page);

  return items;
}

/* list incidents: GET /incidents, open ones, one page
 *
 * A page is about 200 KB of JSON: it is parsed and mapped on a worker
 * thread, so the main thread stays free for the store.
 *
 * Read-ahead: a full pull asks for pages one after another, and each would
 * wait for the server and then for its parse. Once the first page has said
 * how many incidents are open (total=true), the next few pages are asked
 * for before the sync engine wants them and parsed as they arrive, so the
 * server, the parse and the engine's writes overlap. A page read ahead
 * serves only the next request for its offset, and only while it is
 * fresh; a pull that starts again at the first page drops them all, and
 * so does cancelling the request that waits for one.
 */

#define READ_AHEAD_PAGES  3
#define READ_AHEAD_MAX_AGE (10 * G_USEC_PER_SEC)

typedef struct
{
  PieperPagerduty *self;         /* a reference until it is done */
  guint            offset;
  gint64           started_at;
  GCancellable    *cancellable;
  gboolean         done;
  gboolean         dropped;      /* nobody will ask for it */
  Page            *page;
  GError          *error;
  GTask           *waiter;       /* the list_incidents task that wants it */
  gulong           waiter_cancelled_id;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_assert (fetch->waiter == NULL && fetch->self == NULL);
  g_clear_pointer (&fetch->page, page_free);
  g_clear_error (&fetch->error);
  g_clear_object (&fetch->cancellable);
  g_free (fetch);
}

typedef struct
{
  GBytes *body;
  guint   offset;
} PageJob;

static void
page_job_free (PageJob *job)
{
  g_bytes_unref (job->body);
  g_free (job);
}

/* Parses the page @body (taken) at @offset with @parse on a worker thread.
 * The task has no source object: whoever waits in @callback holds the
 * provider, so it is never finalized on the worker thread. */
static void
parse_page_in_thread (GBytes            *body,
                      guint              offset,
                      GTaskThreadFunc    parse,
                      GCancellable      *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer           user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  PageJob *job = g_new0 (PageJob, 1);

  job->body = body;
  job->offset = offset;
  g_task_set_source_tag (task, parse);
  g_task_set_task_data (task, job, (GDestroyNotify) page_job_free);
  g_task_run_in_thread (task, parse);
}

static void
parse_incidents_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  PageJob *job = task_data;
  guint offset = job->offset;
  g_autoptr(PieperJsonDoc) root = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (job->body, &length);
  gboolean more = FALSE;
  const PieperJsonValue *total;
  Page *page;

  root = _pieper_pagerduty_parse (data != NULL ? data : "", length, &error);
  if (root == NULL ||
      (incidents = _pieper_pagerduty_incidents_from_page (_pieper_json_doc_get_root (root), &more, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  page = g_new0 (Page, 1);
  page->items = g_steal_pointer (&incidents);
  page->free_items = (GDestroyNotify) g_ptr_array_unref;
  page->offset = offset;
  page->next_cursor = _pieper_pagerduty_next_cursor (offset, more);

  /* Only a hint for the read-ahead: a wrong total costs requests, never
   * incidents, since every page still says whether more follow. */
  total = _pieper_json_get_member (_pieper_json_doc_get_root (root), "total");
  if (_pieper_json_is (total, PIEPER_JSON_INT))
    page->total = (guint) CLAMP (total->v.integer, 0, PIEPER_PD_MAX_RECORDS);

  g_task_return_pointer (task, page, (GDestroyNotify) page_free);
}

/* Gives a finished fetch to the request that waits for it. */
static void
fetch_deliver (Fetch *fetch)
{
  g_autoptr(GTask) waiter = g_steal_pointer (&fetch->waiter);

  g_cancellable_disconnect (g_task_get_cancellable (waiter), fetch->waiter_cancelled_id);
  fetch->waiter_cancelled_id = 0;

  if (fetch->page != NULL)
    g_task_return_pointer (waiter, g_steal_pointer (&fetch->page), (GDestroyNotify) page_free);
  else
    g_task_return_error (waiter, g_steal_pointer (&fetch->error));

  fetch_free (fetch);
}

static void read_ahead (PieperPagerduty *self,
                        guint            offset);

static void
fetch_complete (Fetch  *fetch,
                Page   *page,
                GError *error)
{
  g_autoptr(PieperPagerduty) self = g_steal_pointer (&fetch->self);

  fetch->done = TRUE;
  fetch->page = page;
  fetch->error = error;

  if (page != NULL && page->offset == 0 && !fetch->dropped)
    {
      self->total = page->total;
      read_ahead (self, 0);
    }

  if (fetch->waiter != NULL)
    fetch_deliver (fetch);
  else if (fetch->dropped)
    fetch_free (fetch);
}

static void
parse_incidents_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Fetch *fetch = user_data;
  GError *error = NULL;
  Page *page;

  page = g_task_propagate_pointer (G_TASK (result), &error);
  fetch_complete (fetch, page, error);
}

static void
list_incidents_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Fetch *fetch = user_data;
  GError *error = NULL;
  GBytes *body;

  body = g_task_propagate_pointer (G_TASK (result), &error);
  if (body == NULL)
    {
      fetch_complete (fetch, NULL, error);
      return;
    }

  /* The fetch holds the provider. */
  parse_page_in_thread (body, fetch->offset, parse_incidents_thread, fetch->cancellable,
                        parse_incidents_cb, fetch);
}

static Fetch *
fetch_start (PieperPagerduty *self,
             guint            offset)
{
  Fetch *fetch = g_new0 (Fetch, 1);
  g_autofree char *path = NULL;

  fetch->self = g_object_ref (self);
  fetch->offset = offset;
  fetch->started_at = g_get_monotonic_time ();
  fetch->cancellable = g_cancellable_new ();

  /* date_range=all: an incident left open for longer than PagerDuty's
   * default window of one month is still open. The first page asks for
   * the total, for the read-ahead. */
  path = g_strdup_printf ("/incidents"
                          "?statuses%%5B%%5D=triggered"
                          "&statuses%%5B%%5D=acknowledged"
                          "&date_range=all"
                          "&include%%5B%%5D=conference_bridge"
                          "&limit=%u&offset=%u%s",
                          PIEPER_PD_PAGE_LIMIT, offset,
                          offset == 0 ? "&total=true" : "");

  send_request_full (self, SOUP_METHOD_GET, path, NULL, TRUE, fetch->cancellable,
                     list_incidents_cb, fetch);

  return fetch;
}

/* Forgets a page read ahead; one still on its way is cancelled. */
static void
fetch_drop (Fetch *fetch)
{
  fetch->dropped = TRUE;
  if (fetch->done)
    fetch_free (fetch);
  else
    g_cancellable_cancel (fetch->cancellable);
}

static void
drop_read_ahead (PieperPagerduty *self)
{
  Fetch *fetch;

  while ((fetch = g_queue_pop_head (&self->ahead)) != NULL)
    fetch_drop (fetch);
}

/* The page at @offset if it was read ahead and is fresh, taken from the
 * queue; pages before it are of no use any more. */
static Fetch *
take_read_ahead (PieperPagerduty *self,
                 guint            offset)
{
  Fetch *fetch;

  while ((fetch = g_queue_peek_head (&self->ahead)) != NULL && fetch->offset <= offset)
    {
      g_queue_pop_head (&self->ahead);

      if (fetch->offset == offset && g_get_monotonic_time () - fetch->started_at < READ_AHEAD_MAX_AGE)
        return fetch;

      fetch_drop (fetch);
    }

  return NULL;
}

/* Asks for the pages after @offset that the total says exist. */
static void
read_ahead (PieperPagerduty *self,
            guint            offset)
{
  Fetch *last = g_queue_peek_tail (&self->ahead);
  guint next = last != NULL ? last->offset : offset;

  while (g_queue_get_length (&self->ahead) < READ_AHEAD_PAGES)
    {
      next += PIEPER_PD_PAGE_LIMIT;
      if (next >= self->total || next + PIEPER_PD_PAGE_LIMIT > PIEPER_PD_MAX_RECORDS)
        break;

      g_queue_push_tail (&self->ahead, fetch_start (self, next));
    }
}

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  Fetch *fetch = user_data;

  /* The pull is over: its request ends now, and what it read ahead too. */
  g_cancellable_cancel (fetch->cancellable);
  drop_read_ahead (fetch->self);
}

static void
pieper_pagerduty_list_incidents_async (PieperProvider      *provider,
                                       const char          *cursor,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (provider);
  g_autoptr(GTask) task = NULL;
  Fetch *fetch;
  guint offset;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_pagerduty_list_incidents_async);

  if (!_pieper_pagerduty_parse_cursor (cursor, &offset))
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                               "Not a PagerDuty page cursor");
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  if (offset == 0)
    {
      /* A new pull: what was read ahead is old now. */
      drop_read_ahead (self);
      self->total = 0;
    }

  fetch = take_read_ahead (self, offset);
  if (fetch == NULL)
    fetch = fetch_start (self, offset);

  fetch->waiter = g_steal_pointer (&task);
  if (fetch->done)
    fetch_deliver (fetch);
  else if (cancellable != NULL)
    fetch->waiter_cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (waiter_cancelled_cb),
                                                        fetch, NULL);

  if (offset > 0)
    read_ahead (self, offset);
}

static GPtrArray *
pieper_pagerduty_list_incidents_finish (PieperProvider  *provider,
                                        GAsyncResult    *result,
                                        char           **next_cursor,
                                        GError         **error)
{
  return page_finish (provider, result, next_cursor, error);
}

/* list changes: GET /log_entries?since=…, one page
 *
 * Like a page of incidents, a page of the change feed (100 log entries,
 * up to about 100 KB) is parsed on a worker thread: in a storm every
 * round reads several of them, and the main loop would stall on each. */

static void
parse_changes_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  PageJob *job = task_data;
  g_autoptr(PieperJsonDoc) root = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  g_auto(GStrv) change_ids = NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (job->body, &length);
  gboolean more = FALSE;
  Page *page;

  root = _pieper_pagerduty_parse (data != NULL ? data : "", length, &error);
  if (root == NULL ||
      (ids = _pieper_pagerduty_changes_from_log_entries (_pieper_json_doc_get_root (root),
                                                         &change_ids, &more, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  page = g_new0 (Page, 1);
  page->items = g_steal_pointer (&ids);
  page->free_items = (GDestroyNotify) g_strfreev;
  page->change_ids = g_steal_pointer (&change_ids);
  page->next_cursor = _pieper_pagerduty_next_cursor (job->offset, more);

  g_task_return_pointer (task, page, (GDestroyNotify) page_free);
}

static void
parse_changes_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  Page *page;

  page = g_task_propagate_pointer (G_TASK (result), &error);
  if (page == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, page, (GDestroyNotify) page_free);
}

static void
list_changes_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint offset = GPOINTER_TO_UINT (g_task_get_task_data (task));
  GError *error = NULL;
  GBytes *body;

  body = g_task_propagate_pointer (G_TASK (result), &error);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The task given back on the main thread holds the provider (and the
   * cancellable). */
  parse_page_in_thread (body, offset, parse_changes_thread, cancellable,
                        parse_changes_cb, g_steal_pointer (&task));
}

static void
pieper_pagerduty_list_changes_async (PieperProvider      *provider,
                                     gint64               since,
                                     const char          *cursor,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (provider);
  g_autoptr(GTask) task = NULL;
  g_autofree char *since_text = NULL;
  g_autofree char *since_escaped = NULL;
  g_autofree char *path = NULL;
  guint offset;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_pagerduty_list_changes_async);

  if (!_pieper_pagerduty_parse_cursor (cursor, &offset))
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                               "Not a PagerDuty page cursor");
      return;
    }

  g_task_set_task_data (task, GUINT_TO_POINTER (offset), NULL);

  since_text = _pieper_pagerduty_format_time (since);
  since_escaped = g_uri_escape_string (since_text, NULL, FALSE);
  path = g_strdup_printf ("/log_entries?since=%s&limit=%u&offset=%u",
                          since_escaped, PIEPER_PD_PAGE_LIMIT, offset);

  send_request_full (self, SOUP_METHOD_GET, path, NULL, TRUE, cancellable,
                     list_changes_cb, g_steal_pointer (&task));
}

static GStrv
pieper_pagerduty_list_changes_finish (PieperProvider  *provider,
                                      GAsyncResult    *result,
                                      GStrv           *change_ids,
                                      char           **next_cursor,
                                      GError         **error)
{
  Page *page;
  GStrv ids;

  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  page = g_task_propagate_pointer (G_TASK (result), error);
  if (page == NULL)
    return NULL;

  ids = g_steal_pointer (&page->items);
  *change_ids = g_steal_pointer (&page->change_ids);
  *next_cursor = g_steal_pointer (&page->next_cursor);
  page_free (page);

  return ids;
}

/* get incident: GET /incidents/{id} */

static void
incident_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PieperJsonDoc) root = NULL;
  g_autoptr(GError) error = NULL;
  PieperIncident *incident;

  root = send_request_finish (PIEPER_PAGERDUTY (object), result, &error);
  if (root == NULL ||
      (incident = _pieper_pagerduty_incident_from_wrapper (_pieper_json_doc_get_root (root), &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, incident, g_object_unref);
}

static void
pieper_pagerduty_get_incident_async (PieperProvider      *provider,
                                     const char          *incident,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (provider);
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_pagerduty_get_incident_async);

  if (!check_incident_id (task, incident))
    return;

  path = incident_path (incident, "?include%5B%5D=conference_bridge");
  send_request (self, SOUP_METHOD_GET, path, NULL, cancellable,
                incident_cb, g_steal_pointer (&task));
}

static PieperIncident *
pieper_pagerduty_get_incident_finish (PieperProvider  *provider,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* timeline: GET /incidents/{id}/notes, then every page of
 * GET /incidents/{id}/log_entries, merged */

typedef struct
{
  char      *incident;
  GPtrArray *notes;
  GPtrArray *log_entries;
  guint      offset;
} Timeline;

static void
timeline_free (Timeline *timeline)
{
  g_free (timeline->incident);
  g_clear_pointer (&timeline->notes, g_ptr_array_unref);
  g_clear_pointer (&timeline->log_entries, g_ptr_array_unref);
  g_free (timeline);
}

static void timeline_log_entries_cb (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data);

static void
timeline_fetch_log_entries (GTask *task)
{
  PieperPagerduty *self = g_task_get_source_object (task);
  Timeline *timeline = g_task_get_task_data (task);
  g_autofree char *suffix = NULL;
  g_autofree char *path = NULL;

  suffix = g_strdup_printf ("/log_entries?limit=%u&offset=%u",
                            PIEPER_PD_PAGE_LIMIT, timeline->offset);
  path = incident_path (timeline->incident, suffix);

  send_request (self, SOUP_METHOD_GET, path, NULL, g_task_get_cancellable (task),
                timeline_log_entries_cb, task);
}

static void
timeline_log_entries_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Timeline *timeline = g_task_get_task_data (task);
  g_autoptr(PieperJsonDoc) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *next = NULL;
  gboolean more = FALSE;

  root = send_request_finish (PIEPER_PAGERDUTY (object), result, &error);
  if (root == NULL ||
      (entries = _pieper_pagerduty_log_entries_from_page (_pieper_json_doc_get_root (root), &more, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (timeline->log_entries, g_object_ref (g_ptr_array_index (entries, i)));

  next = _pieper_pagerduty_next_cursor (timeline->offset, more);
  if (next != NULL && _pieper_pagerduty_parse_cursor (next, &timeline->offset))
    {
      timeline_fetch_log_entries (g_steal_pointer (&task));
      return;
    }

  g_task_return_pointer (task,
                         _pieper_pagerduty_merge_timeline (timeline->notes, timeline->log_entries),
                         (GDestroyNotify) g_ptr_array_unref);
}

static void
timeline_notes_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Timeline *timeline = g_task_get_task_data (task);
  g_autoptr(PieperJsonDoc) root = NULL;
  g_autoptr(GError) error = NULL;

  root = send_request_finish (PIEPER_PAGERDUTY (object), result, &error);
  if (root == NULL ||
      (timeline->notes = _pieper_pagerduty_notes_from_json (_pieper_json_doc_get_root (root), &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  timeline_fetch_log_entries (g_steal_pointer (&task));
}

static void
pieper_pagerduty_list_timeline_async (PieperProvider      *provider,
                                      const char          *incident,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (provider);
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;
  Timeline *timeline;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_pagerduty_list_timeline_async);

  if (!check_incident_id (task, incident))
    return;

  timeline = g_new0 (Timeline, 1);
  timeline->incident = g_strdup (incident);
  timeline->log_entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, timeline, (GDestroyNotify) timeline_free);

  path = incident_path (incident, "/notes");
  send_request (self, SOUP_METHOD_GET, path, NULL, cancellable,
                timeline_notes_cb, g_steal_pointer (&task));
}

static GPtrArray *
pieper_pagerduty_list_timeline_finish (PieperProvider  *provider,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Writes: PUT /incidents/{id}, POST /incidents/{id}/snooze */

static JsonNode *
incident_update_body (const char *status,
                      int         escalation_level,
                      const char *assignee)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "incident");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "incident_reference");

  if (status != NULL)
    {
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, status);
    }

  if (escalation_level > 0)
    {
      json_builder_set_member_name (builder, "escalation_level");
      json_builder_add_int_value (builder, escalation_level);
    }

  if (assignee != NULL)
    {
      json_builder_set_member_name (builder, "assignments");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "assignee");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, assignee);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "user_reference");
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }

  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
update_incident (PieperPagerduty     *self,
                 GTask               *task,
                 const char          *incident,
                 const char          *status,
                 int                  escalation_level,
                 const char          *assignee)
{
  g_autoptr(JsonNode) body = incident_update_body (status, escalation_level, assignee);
  g_autofree char *path = incident_path (incident, "");

  send_request (self, SOUP_METHOD_PUT, path, body, g_task_get_cancellable (task),
                incident_cb, task);
}

static void
pieper_pagerduty_acknowledge_async (PieperProvider      *provider,
                                    const char          *incident,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (provider);
  g_autoptr(GTask) task = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_pagerduty_acknowledge_async);

  if (!check_incident_id (task, incident))
    return;

  update_incident (self, g_steal_pointer (&task), incident, "acknowledged", 0, NULL);
}

static void
pieper_pagerduty_resolve_async (PieperProvider      *provider,
                                const char          *incident,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (provider);
  g_autoptr(GTask) task = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_pagerduty_resolve_async);

  if (!check_incident_id (task, incident))
    return;

  update_incident (self, g_steal_pointer (&task), incident, "resolved", 0, NULL);
}

static void
escalate_get_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(PieperJsonDoc) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperIncident) current = NULL;
  const char *incident;
  int level;

  root = send_request_finish (self, result, &error);
  if (root == NULL ||
      (current = _pieper_pagerduty_incident_from_wrapper (_pieper_json_doc_get_root (root), &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  level = pieper_incident_get_escalation_level (current) + 1;
  g_debug ("Escalating %s from level %d to %d",
           pieper_incident_get_remote_id (current), level - 1, level);

  incident = g_task_get_task_data (task);
  update_incident (self, g_steal_pointer (&task), incident, NULL, level, NULL);
}

static void
pieper_pagerduty_escalate_async (PieperProvider      *provider,
                                 const char          *incident,
                                 int                  level,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (provider);
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_pagerduty_escalate_async);

  if (!check_incident_id (task, incident))
    return;

  if (level < 0)
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                               "Escalation levels start at 1");
      return;
    }

  if (level > 0)
    {
      update_incident (self, g_steal_pointer (&task), incident, NULL, level, NULL);
      return;
    }

  /* "Next level" needs the current one, which only the server knows. */
  g_task_set_task_data (task, g_strdup (incident), g_free);
  path = incident_path (incident, "");
  send_request (self, SOUP_METHOD_GET, path, NULL, cancellable,
                escalate_get_cb, g_steal_pointer (&task));
}

static void
pieper_pagerduty_reassign_async (PieperProvider      *provider,
                                 const char          *incident,
                                 const char          *user,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (provider);
  g_autoptr(GTask) task = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_pagerduty_reassign_async);

  if (!check_incident_id (task, incident))
    return;

  if (!_pieper_pagerduty_id_is_valid (user))
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                               "Not a PagerDuty user id");
      return;
    }

  update_incident (self, g_steal_pointer (&task), incident, NULL, 0, user);
}

static void
pieper_pagerduty_snooze_async (PieperProvider      *provider,
                               const char          *incident,
                               guint                seconds,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (provider);
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_pagerduty_snooze_async);

  if (!check_incident_id (task, incident))
    return;

  if (seconds == 0)
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                               "A snooze needs a duration");
      return;
    }

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "duration");
  json_builder_add_int_value (builder, seconds);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  path = incident_path (incident, "/snooze");
  send_request (self, SOUP_METHOD_POST, path, body, cancellable,
                incident_cb, g_steal_pointer (&task));
}

static PieperIncident *
pieper_pagerduty_update_finish (PieperProvider  *provider,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* add note: POST /incidents/{id}/notes */

static void
add_note_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PieperJsonDoc) root = NULL;
  g_autoptr(GError) error = NULL;
  PieperTimelineEntry *entry;

  root = send_request_finish (PIEPER_PAGERDUTY (object), result, &error);
  if (root == NULL ||
      (entry = _pieper_pagerduty_note_from_wrapper (_pieper_json_doc_get_root (root), &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, entry, g_object_unref);
}

static void
pieper_pagerduty_add_note_async (PieperProvider      *provider,
                                 const char          *incident,
                                 const char          *text,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (provider);
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *content = NULL;
  g_autofree char *path = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_pagerduty_add_note_async);

  if (!check_incident_id (task, incident))
    return;

  /* Send the note as it will be read back (line ends, controls and the
   * cap as for server text), so that a read-back after an unknown outcome
   * finds exactly what was sent. */
  content = _pieper_pagerduty_text (text, PIEPER_NOTE_MAX_BYTES, TRUE);
  if (content == NULL || is_blank (content))
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                               "A note needs some text");
      return;
    }

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "note");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, content);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  path = incident_path (incident, "/notes");
  send_request (self, SOUP_METHOD_POST, path, body, cancellable,
                add_note_cb, g_steal_pointer (&task));
}

static PieperTimelineEntry *
pieper_pagerduty_add_note_finish (PieperProvider  *provider,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GObject */

static void
pieper_pagerduty_dispose (GObject *object)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (object);

  drop_read_ahead (self);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (pieper_pagerduty_parent_class)->dispose (object);
}

static void
pieper_pagerduty_finalize (GObject *object)
{
  PieperPagerduty *self = PIEPER_PAGERDUTY (object);

  g_free (self->base_url);
  g_free (self->email);
  if (self->authorization != NULL)
    {
      /* Do not leave the token lying about in freed memory. */
      memset (self->authorization, 0, strlen (self->authorization));
      g_free (self->authorization);
    }

  G_OBJECT_CLASS (pieper_pagerduty_parent_class)->finalize (object);
}

static void
pieper_pagerduty_class_init (PieperPagerdutyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pieper_pagerduty_dispose;
  object_class->finalize = pieper_pagerduty_finalize;
}

static void
pieper_pagerduty_provider_iface_init (PieperProviderInterface *iface)
{
  iface->get_capabilities = pieper_pagerduty_get_capabilities;
  iface->get_retry_after = pieper_pagerduty_get_retry_after;
  iface->whoami_async = pieper_pagerduty_whoami_async;
  iface->whoami_finish = pieper_pagerduty_whoami_finish;
  iface->list_incidents_async = pieper_pagerduty_list_incidents_async;
  iface->list_incidents_finish = pieper_pagerduty_list_incidents_finish;
  iface->list_changes_async = pieper_pagerduty_list_changes_async;
  iface->list_changes_finish = pieper_pagerduty_list_changes_finish;
  iface->get_incident_async = pieper_pagerduty_get_incident_async;
  iface->get_incident_finish = pieper_pagerduty_get_incident_finish;
  iface->list_timeline_async = pieper_pagerduty_list_timeline_async;
  iface->list_timeline_finish = pieper_pagerduty_list_timeline_finish;
  iface->acknowledge_async = pieper_pagerduty_acknowledge_async;
  iface->resolve_async = pieper_pagerduty_resolve_async;
  iface->escalate_async = pieper_pagerduty_escalate_async;
  iface->reassign_async = pieper_pagerduty_reassign_async;
  iface->snooze_async = pieper_pagerduty_snooze_async;
  iface->update_finish = pieper_pagerduty_update_finish;
  iface->add_note_async = pieper_pagerduty_add_note_async;
  iface->add_note_finish = pieper_pagerduty_add_note_finish;
}

static void
pieper_pagerduty_init (PieperPagerduty *self)
{
  self->max_body = PIEPER_PD_MAX_BODY;
  self->ratelimit_remaining = G_MAXUINT;
  self->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_SECONDS,
                                                 "idle-timeout", IDLE_TIMEOUT_SECONDS,
                                                 "max-conns-per-host", MAX_CONNECTIONS,
                                                 "user-agent", "Pieper/" PACKAGE_VERSION " ",
                                                 NULL);
  /* The token goes in a header of our own; nothing may resend a request
   * with other credentials. */
  soup_session_remove_feature_by_type (self->session, SOUP_TYPE_AUTH_MANAGER);
}

/**
 * pieper_pagerduty_new:
 * @base_url: the API's address, e.g. https://api.pagerduty.com
 * @email: the responder's PagerDuty login, sent as From on every write
 * @token: a PagerDuty REST API token
 *
 * Returns: (transfer full): a new provider
 */
PieperProvider *
pieper_pagerduty_new (const char *base_url,
                      const char *email,
                      const char *token)
{
  PieperPagerduty *self;
  gsize len;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  self = g_object_new (PIEPER_TYPE_PAGERDUTY, NULL);

  self->base_url = g_strdup (base_url);
  len = strlen (self->base_url);
  while (len > 0 && self->base_url[len - 1] == '/')
    self->base_url[--len] = '\0';

  self->email = g_strdup (email);
  self->authorization = g_strconcat ("Token token=", token, NULL);

  /* A header value cannot hold a line break; refuse rather than send a
   * broken or injected header. */
  self->credentials_ok = token[0] != '\0' && _pieper_http_is_header_value (token) &&
                         (email == NULL || _pieper_http_is_header_value (email));

  return PIEPER_PROVIDER (self);
}

void
_pieper_pagerduty_set_timeout (PieperPagerduty *self,
                               guint            seconds)
{
  g_return_if_fail (PIEPER_IS_PAGERDUTY (self));

  g_object_set (self->session, "timeout", seconds, NULL);
}

void
_pieper_pagerduty_set_max_body (PieperPagerduty *self,
                                gsize            max_body)
{
  g_return_if_fail (PIEPER_IS_PAGERDUTY (self));

  self->max_body = max_body;
}

guint
_pieper_pagerduty_get_ratelimit_remaining (PieperPagerduty *self)
{
  g_return_val_if_fail (PIEPER_IS_PAGERDUTY (self), G_MAXUINT);

  return self->ratelimit_remaining;
}
