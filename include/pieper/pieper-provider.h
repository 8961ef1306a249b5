/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pieper-account.h"
#include "pieper-incident.h"
#include "pieper-timeline-entry.h"

G_BEGIN_DECLS

#define PIEPER_PROVIDER_ERROR (pieper_provider_error_quark ())

/**
 * PieperProviderError:
 * @PIEPER_PROVIDER_ERROR_TRANSIENT: try again later (network, 5xx, a read
 *   that timed out, a malformed or truncated response)
 * @PIEPER_PROVIDER_ERROR_RATE_LIMITED: try again after
 *   pieper_provider_get_retry_after()
 * @PIEPER_PROVIDER_ERROR_CONFLICT: the server refused because of the
 *   incident's state (already resolved, already acknowledged, cannot escalate)
 * @PIEPER_PROVIDER_ERROR_AUTH: the token was refused
 * @PIEPER_PROVIDER_ERROR_PERMANENT: the request itself is wrong; do not retry
 * @PIEPER_PROVIDER_ERROR_NOT_FOUND: no such incident (a kind of permanent)
 * @PIEPER_PROVIDER_ERROR_UNSUPPORTED: the server cannot do this op
 * @PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME: a write left, but no answer said
 *   what became of it (it timed out, the connection broke after the
 *   request was written, a proxy answered 502, 504 or 524): the server may
 *   have done it, or may still do it. Try again later, and only after
 *   reading back whether it was done. Only writes fail so; a write that
 *   never left (offline, no such host, refused, a TLS failure) is
 *   TRANSIENT.
 */
typedef enum
{
  PIEPER_PROVIDER_ERROR_TRANSIENT,
  PIEPER_PROVIDER_ERROR_RATE_LIMITED,
  PIEPER_PROVIDER_ERROR_CONFLICT,
  PIEPER_PROVIDER_ERROR_AUTH,
  PIEPER_PROVIDER_ERROR_PERMANENT,
  PIEPER_PROVIDER_ERROR_NOT_FOUND,
  PIEPER_PROVIDER_ERROR_UNSUPPORTED,
  PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME,
} PieperProviderError;

GQuark pieper_provider_error_quark (void);

typedef enum /*< flags >*/
{
  PIEPER_CAPABILITY_NONE        = 0,
  PIEPER_CAPABILITY_ACKNOWLEDGE = 1 << 0,
  PIEPER_CAPABILITY_RESOLVE     = 1 << 1,
  PIEPER_CAPABILITY_ESCALATE    = 1 << 2,
  PIEPER_CAPABILITY_REASSIGN    = 1 << 3,
  PIEPER_CAPABILITY_SNOOZE      = 1 << 4,
  PIEPER_CAPABILITY_NOTE        = 1 << 5,
  /* list_changes names every incident changed since a time, so a round
   * may pull only those between full pulls. Not an op: nothing to show. */
  PIEPER_CAPABILITY_CHANGE_FEED = 1 << 6,
} PieperCapabilities;

#define PIEPER_TYPE_PROVIDER (pieper_provider_get_type ())
G_DECLARE_INTERFACE (PieperProvider, pieper_provider, PIEPER, PROVIDER, GObject)

/**
 * PieperProviderInterface:
 *
 * One server API. Incidents are named by their server id. Every async call
 * has a matching finish; a write's finish returns the incident as the server
 * now has it (a note's returns the stored note), which the sync engine takes
 * as the server's confirmation.
 */
struct _PieperProviderInterface
{
  GTypeInterface parent_iface;

  PieperCapabilities (*get_capabilities) (PieperProvider *self);
  /* Seconds to wait after the last RATE_LIMITED error, 0 if unknown. */
  guint    (*get_retry_after)   (PieperProvider      *self);

  void     (*whoami_async)      (PieperProvider      *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
  gboolean (*whoami_finish)     (PieperProvider      *self,
                                 GAsyncResult        *result,
                                 char               **user_id,
                                 char               **user_name,
                                 GError             **error);

  /* Open incidents, one page at a time. @cursor is NULL for the first page;
   * the finish gives the next page's cursor, or NULL after the last. */
  void       (*list_incidents_async)  (PieperProvider      *self,
                                       const char          *cursor,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
  GPtrArray *(*list_incidents_finish) (PieperProvider      *self,
                                       GAsyncResult        *result,
                                       char               **next_cursor,
                                       GError             **error);

  /* Changes to incidents since @since (unix seconds), one page at a
   * time; this is how resolved incidents leave the open list. The finish
   * returns, for each change, the server id of its incident (one incident
   * may have several changes), and in @change_ids the server's own id of
   * each change, in the same order ("" where it has none): the engine asks
   * with some overlap, and fetches an incident again only for a change it
   * has not seen. Both out arguments are always set on success. */
  void       (*list_changes_async)    (PieperProvider      *self,
                                       gint64               since,
                                       const char          *cursor,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
  GStrv      (*list_changes_finish)   (PieperProvider      *self,
                                       GAsyncResult        *result,
                                       GStrv               *change_ids,
                                       char               **next_cursor,
                                       GError             **error);

  void            (*get_incident_async)  (PieperProvider      *self,
                                          const char          *incident,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
  PieperIncident *(*get_incident_finish) (PieperProvider      *self,
                                          GAsyncResult        *result,
                                          GError             **error);

  /* Notes and log entries, oldest first. */
  void       (*list_timeline_async)   (PieperProvider      *self,
                                       const char          *incident,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
  GPtrArray *(*list_timeline_finish)  (PieperProvider      *self,
                                       GAsyncResult        *result,
                                       GError             **error);

  void     (*acknowledge_async) (PieperProvider      *self,
                                 const char          *incident,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
  void     (*resolve_async)     (PieperProvider      *self,
                                 const char          *incident,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
  /* @level 0 means the next level. */
  void     (*escalate_async)    (PieperProvider      *self,
                                 const char          *incident,
                                 int                  level,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
  void     (*reassign_async)    (PieperProvider      *self,
                                 const char          *incident,
                                 const char          *user,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
  void     (*snooze_async)      (PieperProvider      *self,
                                 const char          *incident,
                                 guint                seconds,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
  /* Finishes acknowledge, resolve, escalate, reassign and snooze. */
  PieperIncident *(*update_finish) (PieperProvider   *self,
                                    GAsyncResult     *result,
                                    GError          **error);

  void     (*add_note_async)    (PieperProvider      *self,
                                 const char          *incident,
                                 const char          *text,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
  PieperTimelineEntry *(*add_note_finish) (PieperProvider  *self,
                                           GAsyncResult    *result,
                                           GError         **error);
};

PieperCapabilities   pieper_provider_get_capabilities     (PieperProvider      *self);
guint                pieper_provider_get_retry_after      (PieperProvider      *self);

void                 pieper_provider_whoami_async         (PieperProvider      *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean             pieper_provider_whoami_finish        (PieperProvider      *self,
                                                           GAsyncResult        *result,
                                                           char               **user_id,
                                                           char               **user_name,
                                                           GError             **error);
void                 pieper_provider_list_incidents_async (PieperProvider      *self,
                                                           const char          *cursor,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
GPtrArray           *pieper_provider_list_incidents_finish (PieperProvider     *self,
                                                            GAsyncResult       *result,
                                                            char              **next_cursor,
                                                            GError            **error);
void                 pieper_provider_list_changes_async   (PieperProvider      *self,
                                                           gint64               since,
                                                           const char          *cursor,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
GStrv                pieper_provider_list_changes_finish  (PieperProvider      *self,
                                                           GAsyncResult        *result,
                                                           GStrv               *change_ids,
                                                           char               **next_cursor,
                                                           GError             **error);
void                 pieper_provider_get_incident_async   (PieperProvider      *self,
                                                           const char          *incident,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
PieperIncident      *pieper_provider_get_incident_finish  (PieperProvider      *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
void                 pieper_provider_list_timeline_async  (PieperProvider      *self,
                                                           const char          *incident,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
GPtrArray           *pieper_provider_list_timeline_finish (PieperProvider      *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
void                 pieper_provider_acknowledge_async    (PieperProvider      *self,
                                                           const char          *incident,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
void                 pieper_provider_resolve_async        (PieperProvider      *self,
                                                           const char          *incident,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
void                 pieper_provider_escalate_async       (PieperProvider      *self,
                                                           const char          *incident,
                                                           int                  level,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
void                 pieper_provider_reassign_async       (PieperProvider      *self,
                                                           const char          *incident,
                                                           const char          *user,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
void                 pieper_provider_snooze_async         (PieperProvider      *self,
                                                           const char          *incident,
                                                           guint                seconds,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
PieperIncident      *pieper_provider_update_finish        (PieperProvider      *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
void                 pieper_provider_add_note_async       (PieperProvider      *self,
                                                           const char          *incident,
                                                           const char          *text,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
PieperTimelineEntry *pieper_provider_add_note_finish      (PieperProvider      *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

G_END_DECLS
