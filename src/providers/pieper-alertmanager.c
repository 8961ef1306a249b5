/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperAlertmanager"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pieper-alertmanager.h"

#include <string.h>

#include <libsoup/soup.h>

#include "pieper-providers.h"

#include "pieper-alertmanager-private.h"
#include "pieper-http-private.h"

/**
 * PieperAlertmanager:
 *
 * #PieperProvider over the Prometheus Alertmanager API v2. Alerts are
 * incidents, named by fingerprint. Acknowledging makes a silence that
 * matches every label of the alert, with a marker comment naming the
 * responder, for an hour (the account URL may say ?ack=DURATION); while
 * the alert keeps firing and Pieper runs, the silence is extended. A
 * snooze sets the silence's end (and is not extended), so the alert pages
 * again when it runs out. A note is added to the silence's comment.
 * Escalating, reassigning and resolving are not offered: Alertmanager
 * resolves an alert when Prometheus stops sending it.
 *
 * Exactly once: Alertmanager makes a new silence for every POST without an
 * id, so every write first reads the alerts and silences back, and makes a
 * silence only when no Pieper silence for the alert exists; the sync
 * engine's check before an acknowledge sees the alert acknowledged once
 * our silence is there. A note and a snooze update the existing silence by
 * its id, which Alertmanager does in place.
 *
 * Credentials, for an Alertmanager behind a proxy: a token of the form
 * "user:password" goes as HTTP basic auth, any other as a bearer token
 * ("Bearer " in front of a token says so explicitly), and no token sends
 * no Authorization header. They are never logged.
 */

#define REQUEST_TIMEOUT_SECONDS 30
#define IDLE_TIMEOUT_SECONDS    60
/* A new silence starts this long before the server's "now": Alertmanager
 * moves a start in the past to now, so the silence is active at once,
 * also when this machine's clock runs ahead. */
#define START_SLACK             60
/* Gone alerts remembered for their titles. */
#define MAX_KNOWN               10000

struct _PieperAlertmanager
{
  GObject      parent_instance;

  SoupSession *session;
  char        *api_url;
  char        *ui_url;
  char        *created_by;
  char        *authorization;
  gboolean     credentials_ok;

  guint        ack_seconds;
  GStrv        high;

  gsize        max_body;
  guint        retry_after;
  /* The server's clock minus ours, from the Date header. */
  gint64       clock_offset;
  /* fingerprint → the incident as last seen: Alertmanager forgets an alert
   * once it stops firing, and a resolved incident keeps its title. */
  GHashTable  *known;
};

static void pieper_alertmanager_provider_iface_init (PieperProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PieperAlertmanager, pieper_alertmanager, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PIEPER_TYPE_PROVIDER,
                                                      pieper_alertmanager_provider_iface_init))

static gint64
server_now (PieperAlertmanager *self)
{
  return g_get_real_time () / G_USEC_PER_SEC + self->clock_offset;
}

/* HTTP: pieper-http.c makes the request; here is what is Alertmanager's. */

static char *
no_answer_text (PieperHttpNoAnswer  why,
                const char         *detail)
{
  switch (why)
    {
    case PIEPER_HTTP_NO_ANSWER_MAYBE_ARRIVED:
      return g_strdup_printf (_("Sent to Alertmanager, but no answer came, so it may or may not have arrived: %s"),
                              detail);
    case PIEPER_HTTP_NO_ANSWER_BAD_CERTIFICATE:
      return g_strdup_printf (_("Refused to connect to Alertmanager: its TLS certificate is not valid or not trusted (%s)"),
                              detail);
    case PIEPER_HTTP_NO_ANSWER_UNREACHABLE:
    default:
      return g_strdup_printf (_("Could not reach Alertmanager: %s"), detail);
    }
}

static void
note_server_clock (gpointer            provider,
                   SoupMessageHeaders *headers)
{
  PieperAlertmanager *self = provider;
  const char *date = soup_message_headers_get_one (headers, "Date");
  gint64 offset;

  if (_pieper_am_clock_offset (date, g_get_real_time () / G_USEC_PER_SEC, &offset))
    self->clock_offset = offset;
  else if (date != NULL)
    g_debug ("Alertmanager's Date is unreadable or more than a day from our clock; not used");
}

static GError *
error_from_response (gpointer     provider,
                     SoupMessage *message,
                     const char  *body,
                     gsize        length)
{
  PieperAlertmanager *self = provider;
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);
  g_autoptr(JsonNode) root = NULL;
  GError *error;

  /* The error body is only a hint; ignore it if it does not parse. */
  if (body != NULL)
    root = _pieper_am_parse (body, length, NULL);

  error = _pieper_am_error_from_response (soup_message_get_status (message),
                                          soup_message_get_reason_phrase (message),
                                          root);

  if (g_error_matches (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_RATE_LIMITED))
    {
      const char *retry_after = soup_message_headers_get_one (headers, "Retry-After");
      guint64 seconds = 0;

      if (retry_after == NULL ||
          !g_ascii_string_to_unsigned (retry_after, 10, 1, 3600, &seconds, NULL))
        seconds = 60;
      self->retry_after = (guint) seconds;
    }

  return error;
}

static gpointer
parse_body (const char  *data,
            gsize        length,
            GError     **error)
{
  return _pieper_am_parse (data, length, error);
}

static const PieperHttpApi alertmanager_api = {
  .name = "Alertmanager",
  .redirect_hint = "is it behind a login page?",
  .json_suffix = FALSE,
  .max_error_body = PIEPER_AM_MAX_ERROR_BODY,
  .note_headers = note_server_clock,
  .no_answer_text = no_answer_text,
  .error_from_response = error_from_response,
  .parse = parse_body,
  .result_free = (GDestroyNotify) json_node_unref,
};

/*
 * Sends one request. @path_and_query starts with '/' (below /api/v2) and
 * is already escaped. @body, when given, is sent as JSON. The task's
 * result is the parsed JSON root of a 2xx response.
 */
static void
send_request (PieperAlertmanager  *self,
              const char          *method,
              const char          *path_and_query,
              JsonNode            *body,
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
  g_task_set_source_tag (task, send_request);

  if (!self->credentials_ok)
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH,
                               "The Alertmanager token contains characters that cannot be sent");
      return;
    }

  uri = g_strconcat (self->api_url, path_and_query, NULL);
  message = _pieper_http_message_new (&alertmanager_api, method, uri, &error);
  if (message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  headers = soup_message_get_request_headers (message);
  if (self->authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", self->authorization);
  soup_message_headers_replace (headers, "Accept", "application/json");

  g_debug ("%s %s", method, path_and_query);

  _pieper_http_send (&alertmanager_api, task, self->session, message, body, self->max_body, FALSE);
}

static JsonNode *
send_request_finish (PieperAlertmanager  *self,
                     GAsyncResult        *result,
                     GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Every operation: what it works on, and what the server has now. */

typedef void (*LoadedFunc) (GTask *task);

typedef struct
{
  LoadedFunc  next;
  char       *fingerprint;
  char       *text;
  guint       seconds;
  GPtrArray  *alerts;
  GPtrArray  *silences;
  char       *comment;
  GPtrArray  *incidents;
  GPtrArray  *extend;
  guint       extend_index;
} Op;

static void
op_free (Op *op)
{
  g_free (op->fingerprint);
  g_free (op->text);
  g_clear_pointer (&op->alerts, g_ptr_array_unref);
  g_clear_pointer (&op->silences, g_ptr_array_unref);
  g_free (op->comment);
  g_clear_pointer (&op->incidents, g_ptr_array_unref);
  g_clear_pointer (&op->extend, g_ptr_array_unref);
  g_free (op);
}

static GTask *
op_task_new (PieperAlertmanager  *self,
             const char          *fingerprint,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  g_task_set_source_tag (task, source_tag);
  op->fingerprint = g_ascii_strdown (fingerprint != NULL ? fingerprint : "", -1);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);

  return task;
}

static gboolean
check_fingerprint (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  if (_pieper_am_fingerprint_is_valid (op->fingerprint))
    return TRUE;

  g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                           "Not an Alertmanager alert fingerprint");
  return FALSE;
}

/* Loading: GET /alerts, then GET /silences, into the task's Op; then
 * @next runs with the task. */

static void
silences_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  root = send_request_finish (PIEPER_ALERTMANAGER (object), result, &error);
  g_clear_pointer (&op->silences, g_ptr_array_unref);
  if (root == NULL ||
      (op->silences = _pieper_am_silences_from_json (root, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  op->next (g_steal_pointer (&task));
}

static void
alerts_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  root = send_request_finish (PIEPER_ALERTMANAGER (object), result, &error);
  g_clear_pointer (&op->alerts, g_ptr_array_unref);
  if (root == NULL ||
      (op->alerts = _pieper_am_alerts_from_json (root, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  {
    PieperAlertmanager *self = g_task_get_source_object (task);
    GCancellable *cancellable = g_task_get_cancellable (task);

    send_request (self, SOUP_METHOD_GET, "/silences", NULL, cancellable,
                  silences_loaded_cb, g_steal_pointer (&task));
  }
}

static void
load (GTask      *task,
      LoadedFunc  next)
{
  PieperAlertmanager *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  op->next = next;

  /* Every alert that fires, silenced, inhibited or not yet processed. */
  send_request (self, SOUP_METHOD_GET,
                "/alerts?active=true&silenced=true&inhibited=true&unprocessed=true",
                NULL, g_task_get_cancellable (task), alerts_loaded_cb, task);
}

static void
remember (PieperAlertmanager *self,
          PieperIncident     *incident)
{
  if (g_hash_table_size (self->known) >= MAX_KNOWN)
    g_hash_table_remove_all (self->known);

  g_hash_table_replace (self->known,
                        g_strdup (pieper_incident_get_remote_id (incident)),
                        g_object_ref (incident));
}

/* The incident as the server has it now: the alert, or resolved when
 * Alertmanager no longer lists it. */
static PieperIncident *
current_incident (PieperAlertmanager *self,
                  Op                 *op)
{
  PieperAmAlert *alert = _pieper_am_find_alert (op->alerts, op->fingerprint);
  PieperIncident *known;
  PieperIncident *incident;
  gint64 now = server_now (self);

  if (alert != NULL)
    {
      incident = _pieper_am_incident_from_alert (alert, op->silences,
                                                 (const char * const *) self->high,
                                                 self->ui_url);
      remember (self, incident);
      return incident;
    }

  incident = _pieper_am_incident_gone (op->fingerprint, op->silences, now);

  known = g_hash_table_lookup (self->known, op->fingerprint);
  if (known != NULL)
    {
      /* What it was, from when it still fired. */
      pieper_incident_set_title (incident, pieper_incident_get_title (known));
      pieper_incident_set_service (incident, pieper_incident_get_service (known));
      pieper_incident_set_priority (incident, pieper_incident_get_priority (known));
      pieper_incident_set_urgency (incident, pieper_incident_get_urgency (known));
      pieper_incident_set_escalation_policy (incident, pieper_incident_get_escalation_policy (known));
      pieper_incident_set_html_url (incident, pieper_incident_get_html_url (known));
      pieper_incident_set_created_at (incident, pieper_incident_get_created_at (known));
      /* Not the assignees: nobody in particular resolved it. */
    }

  return incident;
}

/* Capabilities and rate limits */

static PieperCapabilities
pieper_alertmanager_get_capabilities (PieperProvider *provider)
{
  return PIEPER_CAPABILITY_ACKNOWLEDGE |
         PIEPER_CAPABILITY_SNOOZE |
         PIEPER_CAPABILITY_NOTE;
}

static guint
pieper_alertmanager_get_retry_after (PieperProvider *provider)
{
  return PIEPER_ALERTMANAGER (provider)->retry_after;
}

/* whoami: GET /status. Alertmanager has no users; the responder is who
 * the silences name. */

static void
whoami_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PieperAlertmanager *self = PIEPER_ALERTMANAGER (object);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  root = send_request_finish (self, result, &error);
  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT,
                               "Alertmanager's status is not an object; is this an Alertmanager?");
      return;
    }

  g_task_return_pointer (task, g_strdup (self->created_by), g_free);
}

static void
pieper_alertmanager_whoami_async (PieperProvider      *provider,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  PieperAlertmanager *self = PIEPER_ALERTMANAGER (provider);
  g_autoptr(GTask) task = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_alertmanager_whoami_async);

  send_request (self, SOUP_METHOD_GET, "/status", NULL, cancellable,
                whoami_cb, g_steal_pointer (&task));
}

static gboolean
pieper_alertmanager_whoami_finish (PieperProvider  *provider,
                                   GAsyncResult    *result,
                                   char           **user_id,
                                   char           **user_name,
                                   GError         **error)
{
  g_autofree char *who = NULL;

  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  who = g_task_propagate_pointer (G_TASK (result), error);
  if (who == NULL)
    return FALSE;

  if (user_id != NULL)
    *user_id = g_strdup (who);
  if (user_name != NULL)
    *user_name = g_strdup (who);

  return TRUE;
}

/* list incidents: every firing alert, in one page; and the extension of
 * our acknowledgements of alerts that keep firing */

static void extend_next (GTask *task);

static void
extend_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  root = send_request_finish (PIEPER_ALERTMANAGER (object), result, &error);
  if (root == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      /* The next list tries again; the silence has a while to run. */
      g_debug ("Could not extend an acknowledgement: %s", error->message);
    }

  extend_next (g_steal_pointer (&task));
}

static void
extend_next (GTask *task)
{
  PieperAlertmanager *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  if (op->extend_index < op->extend->len)
    {
      PieperAmSilence *silence = g_ptr_array_index (op->extend, op->extend_index++);
      g_autoptr(JsonNode) body = NULL;

      g_debug ("Extending acknowledgement silence %s", silence->id);
      body = _pieper_am_update_silence_body (silence, server_now (self) + self->ack_seconds,
                                             NULL, NULL);
      send_request (self, SOUP_METHOD_POST, "/silences", body,
                    g_task_get_cancellable (task), extend_cb, task);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&op->incidents),
                         (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

static void
list_loaded (GTask *task)
{
  PieperAlertmanager *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  gint64 now = server_now (self);

  op->incidents = g_ptr_array_new_with_free_func (g_object_unref);
  op->extend = g_ptr_array_new ();

  for (guint i = 0; i < op->alerts->len; i++)
    {
      PieperAmAlert *alert = g_ptr_array_index (op->alerts, i);
      PieperIncident *incident;
      PieperAmSilence *silence;

      incident = _pieper_am_incident_from_alert (alert, op->silences,
                                                 (const char * const *) self->high,
                                                 self->ui_url);
      remember (self, incident);
      g_ptr_array_add (op->incidents, incident);

      /* Our acknowledgement lasts while the alert fires: extend it once
       * half of it has run. A snooze is left to run out. */
      silence = _pieper_am_find_pieper_silence (op->silences, alert->fingerprint, self->created_by);
      if (silence != NULL &&
          silence->marker == PIEPER_AM_MARKER_ACK &&
          g_strcmp0 (silence->state, "active") == 0 &&
          g_strcmp0 (silence->created_by, self->created_by) == 0 &&
          silence->starts_at_text != NULL &&
          silence->ends_at - now < (gint64) self->ack_seconds / 2 &&
          op->extend->len < PIEPER_AM_MAX_EXTENSIONS)
        g_ptr_array_add (op->extend, silence);
    }

  op->extend_index = 0;
  extend_next (task);
}

static void
pieper_alertmanager_list_incidents_async (PieperProvider      *provider,
                                          const char          *cursor,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  PieperAlertmanager *self = PIEPER_ALERTMANAGER (provider);
  g_autoptr(GTask) task = NULL;

  task = op_task_new (self, NULL, cancellable, callback, user_data,
                      pieper_alertmanager_list_incidents_async);

  /* Alertmanager lists every alert at once; there is no second page. */
  if (cursor != NULL)
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                               "Not an Alertmanager page cursor");
      return;
    }

  load (g_steal_pointer (&task), list_loaded);
}

static GPtrArray *
pieper_alertmanager_list_incidents_finish (PieperProvider  *provider,
                                           GAsyncResult    *result,
                                           char           **next_cursor,
                                           GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  if (next_cursor != NULL)
    *next_cursor = NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* list changes: Alertmanager keeps no history. An alert that stops firing
 * leaves the list, and the sync engine asks for each open incident it no
 * longer sees; get_incident answers "resolved". */

static void
pieper_alertmanager_list_changes_async (PieperProvider      *provider,
                                        gint64               since,
                                        const char          *cursor,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (provider, cancellable, callback, user_data);
  g_task_set_source_tag (task, pieper_alertmanager_list_changes_async);

  g_task_return_pointer (task, g_new0 (char *, 1), (GDestroyNotify) g_strfreev);
}

static GStrv
pieper_alertmanager_list_changes_finish (PieperProvider  *provider,
                                         GAsyncResult    *result,
                                         GStrv           *change_ids,
                                         char           **next_cursor,
                                         GError         **error)
{
  GStrv ids;

  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  *next_cursor = NULL;
  ids = g_task_propagate_pointer (G_TASK (result), error);
  if (ids != NULL)
    *change_ids = g_new0 (char *, 1);

  return ids;
}

/* get incident */

static void
incident_loaded (GTask *task)
{
  PieperAlertmanager *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  g_task_return_pointer (task, current_incident (self, op), g_object_unref);
  g_object_unref (task);
}

static void
pieper_alertmanager_get_incident_async (PieperProvider      *provider,
                                        const char          *incident,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = op_task_new (PIEPER_ALERTMANAGER (provider), incident, cancellable, callback, user_data,
                      pieper_alertmanager_get_incident_async);

  if (!check_fingerprint (task))
    return;

  load (g_steal_pointer (&task), incident_loaded);
}

static PieperIncident *
pieper_alertmanager_get_incident_finish (PieperProvider  *provider,
                                         GAsyncResult    *result,
                                         GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* timeline: the firing, the silences, the notes */

static void
timeline_loaded (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  g_task_return_pointer (task,
                         _pieper_am_timeline (op->fingerprint,
                                              _pieper_am_find_alert (op->alerts, op->fingerprint),
                                              op->silences),
                         (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

static void
pieper_alertmanager_list_timeline_async (PieperProvider      *provider,
                                         const char          *incident,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = op_task_new (PIEPER_ALERTMANAGER (provider), incident, cancellable, callback, user_data,
                      pieper_alertmanager_list_timeline_async);

  if (!check_fingerprint (task))
    return;

  load (g_steal_pointer (&task), timeline_loaded);
}

static GPtrArray *
pieper_alertmanager_list_timeline_finish (PieperProvider  *provider,
                                          GAsyncResult    *result,
                                          GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Writes. Each reads the server's state first; after the write, the
 * state is read again and the incident as the server now has it is the
 * confirmation. */

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  root = send_request_finish (PIEPER_ALERTMANAGER (object), result, &error);
  if (root == NULL ||
      (id = _pieper_am_silence_id_from_json (root, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("Silence %s written", id);
  load (g_steal_pointer (&task), incident_loaded);
}

static gboolean
check_firing (GTask          *task,
              PieperAmAlert  *alert,
              const char     *op_name)
{
  if (alert != NULL)
    return TRUE;

  g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_CONFLICT,
                           "Not sent: the alert stopped firing before your %s arrived", op_name);
  g_object_unref (task);
  return FALSE;
}

static void
acknowledge_loaded (GTask *task)
{
  PieperAlertmanager *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  PieperAmAlert *alert = _pieper_am_find_alert (op->alerts, op->fingerprint);
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *comment = NULL;
  gint64 now = server_now (self);

  if (!check_firing (task, alert, "acknowledgement"))
    return;

  /* Read back before writing: a silence that mutes the alert already (our
   * earlier try whose answer was lost, or someone else's) is the
   * acknowledgement; a second one would only be noise. */
  if ((alert->silenced_by != NULL && alert->silenced_by[0] != NULL) ||
      _pieper_am_find_pieper_silence (op->silences, op->fingerprint, self->created_by) != NULL)
    {
      g_debug ("Alert %s is silenced already; not making another silence", op->fingerprint);
      incident_loaded (task);
      return;
    }

  comment = _pieper_am_comment_header (PIEPER_AM_MARKER_ACK, self->created_by, 0);
  body = _pieper_am_new_silence_body (alert, now - START_SLACK, now + self->ack_seconds,
                                      self->created_by, comment);
  send_request (self, SOUP_METHOD_POST, "/silences", body,
                g_task_get_cancellable (task), written_cb, task);
}

static void
pieper_alertmanager_acknowledge_async (PieperProvider      *provider,
                                       const char          *incident,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = op_task_new (PIEPER_ALERTMANAGER (provider), incident, cancellable, callback, user_data,
                      pieper_alertmanager_acknowledge_async);

  if (!check_fingerprint (task))
    return;

  load (g_steal_pointer (&task), acknowledge_loaded);
}

static void
snooze_loaded (GTask *task)
{
  PieperAlertmanager *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  PieperAmAlert *alert = _pieper_am_find_alert (op->alerts, op->fingerprint);
  PieperAmSilence *silence;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *header = NULL;
  gint64 now = server_now (self);
  gint64 until = now + op->seconds;

  if (!check_firing (task, alert, "snooze"))
    return;

  header = _pieper_am_comment_header (PIEPER_AM_MARKER_SNOOZE, self->created_by, until);

  /* The acknowledgement's silence gets the snooze's end (in place, so a
   * repeated snooze is the same snooze); only without one is there a new
   * silence. */
  silence = _pieper_am_find_pieper_silence (op->silences, op->fingerprint, self->created_by);
  if (silence != NULL && silence->starts_at_text != NULL)
    {
      g_autofree char *comment = _pieper_am_comment_set_header (silence->comment, header);

      body = _pieper_am_update_silence_body (silence, until, self->created_by, comment);
    }
  else
    body = _pieper_am_new_silence_body (alert, now - START_SLACK, until, self->created_by, header);

  send_request (self, SOUP_METHOD_POST, "/silences", body,
                g_task_get_cancellable (task), written_cb, task);
}

static void
pieper_alertmanager_snooze_async (PieperProvider      *provider,
                                  const char          *incident,
                                  guint                seconds,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = op_task_new (PIEPER_ALERTMANAGER (provider), incident, cancellable, callback, user_data,
                      pieper_alertmanager_snooze_async);

  if (!check_fingerprint (task))
    return;

  if (seconds < 60)
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                               "A snooze needs a duration of a minute or more");
      return;
    }

  ((Op *) g_task_get_task_data (task))->seconds = seconds;
  load (g_steal_pointer (&task), snooze_loaded);
}

static PieperIncident *
pieper_alertmanager_update_finish (PieperProvider  *provider,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* add note: into the comment of the alert's Pieper silence */

static void
note_written_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) notes = NULL;

  root = send_request_finish (PIEPER_ALERTMANAGER (object), result, &error);
  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The note as list_timeline will read it back: the last of the comment. */
  notes = _pieper_am_notes_from_comment (op->fingerprint, op->comment);
  if (notes->len == 0)
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                               "The note could not be read back from the silence comment");
      return;
    }

  g_task_return_pointer (task, g_object_ref (g_ptr_array_index (notes, notes->len - 1)),
                         g_object_unref);
}

static void
note_loaded (GTask *task)
{
  PieperAlertmanager *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  PieperAmSilence *silence;
  g_autoptr(JsonNode) body = NULL;

  silence = _pieper_am_find_pieper_silence (op->silences, op->fingerprint, self->created_by);
  if (silence == NULL || silence->starts_at_text == NULL || silence->ends_at_text == NULL)
    {
      /* Never a silence just to hold a note: it would acknowledge too. */
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_CONFLICT,
                               "Not sent: Alertmanager keeps notes in the silence of an acknowledgement, "
                               "and this alert has none; acknowledge it first");
      g_object_unref (task);
      return;
    }

  op->comment = _pieper_am_comment_add_note (silence->comment, self->created_by,
                                             server_now (self), op->text);
  if (strlen (op->comment) > PIEPER_AM_MAX_COMMENT)
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                               "Not sent: the silence's comment is full");
      g_object_unref (task);
      return;
    }

  body = _pieper_am_update_silence_body (silence, 0, NULL, op->comment);
  send_request (self, SOUP_METHOD_POST, "/silences", body,
                g_task_get_cancellable (task), note_written_cb, task);
}

static void
pieper_alertmanager_add_note_async (PieperProvider      *provider,
                                    const char          *incident,
                                    const char          *text,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *content = NULL;

  task = op_task_new (PIEPER_ALERTMANAGER (provider), incident, cancellable, callback, user_data,
                      pieper_alertmanager_add_note_async);

  if (!check_fingerprint (task))
    return;

  /* Sent as it will be read back, so a read-back after an unknown outcome
   * finds exactly what was sent. */
  content = pieper_text_clean (text, PIEPER_NOTE_MAX_BYTES, TRUE);
  if (content != NULL)
    g_strstrip (content);
  if (content == NULL || content[0] == '\0')
    {
      g_task_return_new_error (task, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_PERMANENT,
                               "A note needs some text");
      return;
    }

  ((Op *) g_task_get_task_data (task))->text = g_steal_pointer (&content);
  load (g_steal_pointer (&task), note_loaded);
}

static PieperTimelineEntry *
pieper_alertmanager_add_note_finish (PieperProvider  *provider,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GObject */

static void
pieper_alertmanager_dispose (GObject *object)
{
  PieperAlertmanager *self = PIEPER_ALERTMANAGER (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_pointer (&self->known, g_hash_table_unref);

  G_OBJECT_CLASS (pieper_alertmanager_parent_class)->dispose (object);
}

static void
pieper_alertmanager_finalize (GObject *object)
{
  PieperAlertmanager *self = PIEPER_ALERTMANAGER (object);

  g_free (self->api_url);
  g_free (self->ui_url);
  g_free (self->created_by);
  g_strfreev (self->high);
  if (self->authorization != NULL)
    {
      /* Do not leave the credentials lying about in freed memory. */
      memset (self->authorization, 0, strlen (self->authorization));
      g_free (self->authorization);
    }

  G_OBJECT_CLASS (pieper_alertmanager_parent_class)->finalize (object);
}

static void
pieper_alertmanager_class_init (PieperAlertmanagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pieper_alertmanager_dispose;
  object_class->finalize = pieper_alertmanager_finalize;
}

static void
pieper_alertmanager_provider_iface_init (PieperProviderInterface *iface)
{
  iface->get_capabilities = pieper_alertmanager_get_capabilities;
  iface->get_retry_after = pieper_alertmanager_get_retry_after;
  iface->whoami_async = pieper_alertmanager_whoami_async;
  iface->whoami_finish = pieper_alertmanager_whoami_finish;
  iface->list_incidents_async = pieper_alertmanager_list_incidents_async;
  iface->list_incidents_finish = pieper_alertmanager_list_incidents_finish;
  iface->list_changes_async = pieper_alertmanager_list_changes_async;
  iface->list_changes_finish = pieper_alertmanager_list_changes_finish;
  iface->get_incident_async = pieper_alertmanager_get_incident_async;
  iface->get_incident_finish = pieper_alertmanager_get_incident_finish;
  iface->list_timeline_async = pieper_alertmanager_list_timeline_async;
  iface->list_timeline_finish = pieper_alertmanager_list_timeline_finish;
  iface->acknowledge_async = pieper_alertmanager_acknowledge_async;
  iface->snooze_async = pieper_alertmanager_snooze_async;
  iface->update_finish = pieper_alertmanager_update_finish;
  iface->add_note_async = pieper_alertmanager_add_note_async;
  iface->add_note_finish = pieper_alertmanager_add_note_finish;
  /* No resolve, escalate or reassign: the interface answers UNSUPPORTED. */
}

static void
pieper_alertmanager_init (PieperAlertmanager *self)
{
  self->max_body = PIEPER_AM_MAX_BODY;
  self->ack_seconds = PIEPER_ALERTMANAGER_DEFAULT_ACK_SECONDS;
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_SECONDS,
                                                 "idle-timeout", IDLE_TIMEOUT_SECONDS,
                                                 "user-agent", "Pieper/" PACKAGE_VERSION " ",
                                                 NULL);
}

static char *
authorization_for (const char *token)
{
  g_autofree char *encoded = NULL;

  if (token == NULL || token[0] == '\0')
    return NULL;

  if (g_ascii_strncasecmp (token, "Bearer ", 7) == 0)
    return g_strconcat ("Bearer ", token + 7, NULL);

  if (strchr (token, ':') != NULL)
    {
      char *header;

      encoded = g_base64_encode ((const guchar *) token, strlen (token));
      header = g_strconcat ("Basic ", encoded, NULL);
      /* Encoded, the password is still the password. */
      explicit_bzero (encoded, strlen (encoded));
      return header;
    }

  return g_strconcat ("Bearer ", token, NULL);
}

/* The account URL's query holds the account's settings: ack=DURATION
 * (3600, 90m, 2h, 1d) and high=SEVERITY,SEVERITY. */
static gboolean
apply_settings (PieperAlertmanager  *self,
                const char          *query,
                GError             **error)
{
  g_autoptr(GHashTable) params = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (query == NULL || query[0] == '\0')
    return TRUE;

  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, error);
  if (params == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (strcmp (key, "ack") == 0)
        {
          if (!_pieper_am_parse_duration (value, &self->ack_seconds))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("ack= in the Alertmanager address must be a duration from 1m to 7d (like 3600, 90m or 2h)"));
              return FALSE;
            }
        }
      else if (strcmp (key, "high") == 0)
        {
          g_autofree char *lower = g_ascii_strdown (value, -1);

          g_strfreev (self->high);
          self->high = g_strsplit (lower, ",", -1);
          for (guint i = 0; self->high[i] != NULL; i++)
            g_strstrip (self->high[i]);
        }
      else
        {
          g_autofree char *name = pieper_text_clean (key, 64, FALSE);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Unknown setting “%s” in the Alertmanager address (known: ack, high)"), name);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * pieper_alertmanager_new:
 * @url: Alertmanager's address, e.g. https://alertmanager.example.com
 *   (a path prefix is kept; settings may follow as ?ack=2h&high=critical)
 * @created_by: who the silences name, the responder's e-mail or login
 * @token: (nullable): credentials for a proxy in front, or %NULL for none
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a new provider, or %NULL with
 *   %G_IO_ERROR_INVALID_ARGUMENT for an address it cannot use
 */
PieperProvider *
pieper_alertmanager_new (const char  *url,
                         const char  *created_by,
                         const char  *token,
                         GError     **error)
{
  g_autoptr(PieperAlertmanager) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *base = NULL;
  g_autofree char *path = NULL;
  gsize len;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The Alertmanager address is not a valid URL"));
      return NULL;
    }

  self = g_object_new (PIEPER_TYPE_ALERTMANAGER, NULL);
  self->high = g_strsplit (PIEPER_ALERTMANAGER_DEFAULT_HIGH, ",", -1);

  if (!apply_settings (self, g_uri_get_query (uri), error))
    return NULL;

  /* The API lives below the address; one given with /api/v2 works too. */
  path = g_strdup (g_uri_get_path (uri));
  len = strlen (path);
  while (len > 0 && path[len - 1] == '/')
    path[--len] = '\0';
  if (g_str_has_suffix (path, "/api/v2"))
    path[len - strlen ("/api/v2")] = '\0';

  base = g_uri_join (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), NULL,
                     g_uri_get_host (uri), g_uri_get_port (uri), path, NULL, NULL);
  self->api_url = g_strconcat (base, "/api/v2", NULL);
  self->ui_url = g_strconcat (base, "/#/alerts", NULL);

  self->created_by = pieper_text_clean (created_by != NULL && created_by[0] != '\0'
                                        ? created_by : g_get_user_name (),
                                        200, FALSE);
  self->authorization = authorization_for (token);

  /* A header value cannot hold a line break; refuse rather than send a
   * broken or injected header. */
  self->credentials_ok = token == NULL || _pieper_http_is_header_value (token);

  return PIEPER_PROVIDER (g_steal_pointer (&self));
}

void
_pieper_alertmanager_set_timeout (PieperAlertmanager *self,
                                  guint               seconds)
{
  g_return_if_fail (PIEPER_IS_ALERTMANAGER (self));

  g_object_set (self->session, "timeout", seconds, NULL);
}
