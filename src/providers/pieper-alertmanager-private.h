/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pieper-alertmanager.h"

G_BEGIN_DECLS

/* A response body larger than this is refused while it is being read. */
#define PIEPER_AM_MAX_BODY        (8 * 1024 * 1024)
/* Error bodies are only read for their message. */
#define PIEPER_AM_MAX_ERROR_BODY  (64 * 1024)
/* No Alertmanager response nests deeper than about five levels. */
#define PIEPER_AM_MAX_DEPTH       64
/* A silence comment holds the acknowledgement and every note; past this,
 * a note is refused rather than sent. */
#define PIEPER_AM_MAX_COMMENT     (256 * 1024)
/* At most this many acknowledgement silences are extended per list. */
#define PIEPER_AM_MAX_EXTENSIONS  20
/* A server's Date further from our clock than this is not believed: a
 * silence is timed by the server's clock, and a proxy's or a broken
 * server's Date a year ahead would make an acknowledgement a year long.
 * A clock that far off would fail TLS anyway. */
#define PIEPER_AM_MAX_CLOCK_OFFSET (24 * 60 * 60)

typedef enum
{
  PIEPER_AM_MARKER_NONE,
  PIEPER_AM_MARKER_ACK,
  PIEPER_AM_MARKER_SNOOZE,
} PieperAmMarker;

/* One alert of GET /api/v2/alerts, cleaned. Labels are sorted by name. */
typedef struct
{
  char      *fingerprint;
  GStrv      label_names;
  GStrv      label_values;
  char      *summary;
  char      *description;
  char      *runbook_url;
  char      *dashboard_url;
  char      *generator_url;
  char      *state;          /* active, suppressed, unprocessed */
  GStrv      silenced_by;
  GStrv      inhibited_by;
  GStrv      receivers;
  gint64     starts_at;
  gint64     updated_at;
} PieperAmAlert;

/* One silence of GET /api/v2/silences, cleaned. */
typedef struct
{
  char           *id;
  char           *state;        /* active, pending, expired */
  char           *created_by;
  char           *comment;
  /* As the server wrote them: an update must send them back unchanged for
   * Alertmanager to update the silence in place. */
  char           *starts_at_text;
  char           *ends_at_text;
  JsonNode       *matchers;
  gint64          starts_at;
  gint64          ends_at;
  gint64          updated_at;
  /* The fingerprint of the label set that the silence's equality matchers
   * name exactly, or NULL when it has a regex or negative matcher. */
  char           *fingerprint;
  PieperAmMarker  marker;
} PieperAmSilence;

void                 _pieper_am_alert_free          (PieperAmAlert   *alert);
void                 _pieper_am_silence_free        (PieperAmSilence *silence);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PieperAmAlert, _pieper_am_alert_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PieperAmSilence, _pieper_am_silence_free)

/* pieper-alertmanager-json.c: the JSON ↔ model mapping, free of I/O. */

JsonNode            *_pieper_am_parse               (const char      *data,
                                                     gsize            length,
                                                     GError         **error);
gint64               _pieper_am_parse_time          (const char      *iso8601);
char                *_pieper_am_format_time         (gint64           unix_seconds);
/* The server's clock minus @now, from an HTTP Date, if it is within
 * PIEPER_AM_MAX_CLOCK_OFFSET. */
gboolean             _pieper_am_clock_offset        (const char      *http_date,
                                                     gint64           now,
                                                     gint64          *offset);
gboolean             _pieper_am_fingerprint_is_valid (const char     *fingerprint);
char                *_pieper_am_fingerprint         (const char * const *names,
                                                     const char * const *values);
gint64               _pieper_am_number              (const char      *fingerprint);

GPtrArray           *_pieper_am_alerts_from_json    (JsonNode        *root,
                                                     GError         **error);
GPtrArray           *_pieper_am_silences_from_json  (JsonNode        *root,
                                                     GError         **error);
char                *_pieper_am_silence_id_from_json (JsonNode       *root,
                                                      GError        **error);

PieperAmAlert       *_pieper_am_find_alert          (GPtrArray       *alerts,
                                                     const char      *fingerprint);
PieperAmSilence     *_pieper_am_find_silence        (GPtrArray       *silences,
                                                     const char      *id);
/* The Pieper silence (active or pending) that acknowledges the alert with
 * @fingerprint; @created_by's own first, then the one that lasts longest. */
PieperAmSilence     *_pieper_am_find_pieper_silence (GPtrArray       *silences,
                                                     const char      *fingerprint,
                                                     const char      *created_by);

/* @high: severity values that page loudly, lower case. */
PieperIncident      *_pieper_am_incident_from_alert (PieperAmAlert   *alert,
                                                     GPtrArray       *silences,
                                                     const char * const *high,
                                                     const char      *ui_url);
/* An alert Alertmanager no longer has: resolved, with what the silences
 * still say about it. */
PieperIncident      *_pieper_am_incident_gone       (const char      *fingerprint,
                                                     GPtrArray       *silences,
                                                     gint64           now);
GPtrArray           *_pieper_am_timeline            (const char      *fingerprint,
                                                     PieperAmAlert   *alert,
                                                     GPtrArray       *silences);

/* Silence comments */
PieperAmMarker       _pieper_am_comment_marker      (const char      *comment);
char                *_pieper_am_comment_header      (PieperAmMarker   marker,
                                                     const char      *who,
                                                     gint64           until);
char                *_pieper_am_comment_set_header  (const char      *comment,
                                                     const char      *header);
char                *_pieper_am_comment_add_note    (const char      *comment,
                                                     const char      *who,
                                                     gint64           at,
                                                     const char      *text);
GPtrArray           *_pieper_am_notes_from_comment  (const char      *fingerprint,
                                                     const char      *comment);
char                *_pieper_am_note_remote_id      (const char      *fingerprint,
                                                     gint64           at,
                                                     const char      *who,
                                                     const char      *body);

JsonNode            *_pieper_am_new_silence_body    (PieperAmAlert   *alert,
                                                     gint64           starts_at,
                                                     gint64           ends_at,
                                                     const char      *created_by,
                                                     const char      *comment);
/* The same silence with a new end and comment (NULL keeps them). */
JsonNode            *_pieper_am_update_silence_body (PieperAmSilence *silence,
                                                     gint64           ends_at,
                                                     const char      *created_by,
                                                     const char      *comment);

/* @root is the parsed error body or %NULL. */
GError              *_pieper_am_error_from_response (guint            http_status,
                                                     const char      *reason,
                                                     JsonNode        *root);
gboolean             _pieper_am_parse_duration      (const char      *text,
                                                     guint           *seconds);

/* pieper-alertmanager.c: for tests. */
void                 _pieper_alertmanager_set_timeout (PieperAlertmanager *self,
                                                       guint               seconds);

G_END_DECLS
