/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pieper-json-private.h"

#include "pieper-pagerduty.h"

G_BEGIN_DECLS

/* PagerDuty's classic pagination: at most 100 a page, and offset + limit
 * may not exceed 10000 (the server answers 400 beyond that). */
#define PIEPER_PD_PAGE_LIMIT    100
#define PIEPER_PD_MAX_RECORDS   10000

/* A response body larger than this is refused while it is being read. */
#define PIEPER_PD_MAX_BODY      (8 * 1024 * 1024)
/* Error bodies are only read for their message. */
#define PIEPER_PD_MAX_ERROR_BODY (64 * 1024)
/* No PagerDuty response nests deeper than about six levels; refuse
 * anything absurd before a recursive parser sees it. */
#define PIEPER_PD_MAX_DEPTH     64

/* pieper-pagerduty-json.c: the JSON ↔ model mapping, free of I/O. */

PieperJsonDoc       *_pieper_pagerduty_parse                 (const char  *data,
                                                              gsize        length,
                                                              GError     **error);
char                *_pieper_pagerduty_text                  (const char  *text,
                                                              gsize        max_bytes,
                                                              gboolean     multi_line);
gint64               _pieper_pagerduty_parse_time            (const char  *iso8601);
char                *_pieper_pagerduty_format_time           (gint64       unix_seconds);
gboolean             _pieper_pagerduty_id_is_valid           (const char  *id);

PieperIncident      *_pieper_pagerduty_incident_from_json    (const PieperJsonValue *node,
                                                              GError     **error);
PieperIncident      *_pieper_pagerduty_incident_from_wrapper (const PieperJsonValue *root,
                                                              GError     **error);
GPtrArray           *_pieper_pagerduty_incidents_from_page   (const PieperJsonValue *root,
                                                              gboolean    *more,
                                                              GError     **error);

PieperTimelineEntry *_pieper_pagerduty_note_from_wrapper     (const PieperJsonValue *root,
                                                              GError     **error);
GPtrArray           *_pieper_pagerduty_notes_from_json       (const PieperJsonValue *root,
                                                              GError     **error);
GPtrArray           *_pieper_pagerduty_log_entries_from_page (const PieperJsonValue *root,
                                                              gboolean    *more,
                                                              GError     **error);
PieperTimelineKind   _pieper_pagerduty_log_entry_kind        (const char  *type);
GPtrArray           *_pieper_pagerduty_merge_timeline        (GPtrArray   *notes,
                                                              GPtrArray   *log_entries);
GStrv                _pieper_pagerduty_changes_from_log_entries (const PieperJsonValue *root,
                                                                 GStrv      *change_ids,
                                                                 gboolean   *more,
                                                                 GError    **error);
gboolean             _pieper_pagerduty_user_from_json        (const PieperJsonValue *root,
                                                              char       **user_id,
                                                              char       **user_name,
                                                              GError     **error);

gboolean             _pieper_pagerduty_user_by_email_from_json (const PieperJsonValue *root,
                                                                const char  *email,
                                                                char       **user_id,
                                                                char       **user_name,
                                                                GError     **error);

/* @root is the parsed error body or %NULL. */
GError              *_pieper_pagerduty_error_from_response   (guint        http_status,
                                                              const char  *reason,
                                                              const PieperJsonValue *root);
guint                _pieper_pagerduty_parse_retry_after     (const char  *retry_after,
                                                              const char  *ratelimit_reset,
                                                              gint64       now_unix);

char                *_pieper_pagerduty_next_cursor           (guint        offset,
                                                              gboolean     more);
gboolean             _pieper_pagerduty_parse_cursor          (const char  *cursor,
                                                              guint       *offset);

/* pieper-pagerduty.c: for tests. */
void                 _pieper_pagerduty_set_timeout           (PieperPagerduty *self,
                                                              guint            seconds);
void                 _pieper_pagerduty_set_max_body          (PieperPagerduty *self,
                                                              gsize            max_body);
guint                _pieper_pagerduty_get_ratelimit_remaining (PieperPagerduty *self);

G_END_DECLS
