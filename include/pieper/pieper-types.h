/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * PieperStatus:
 *
 * The life cycle of an incident, as every supported server knows it.
 */
typedef enum
{
  PIEPER_STATUS_TRIGGERED,
  PIEPER_STATUS_ACKNOWLEDGED,
  PIEPER_STATUS_RESOLVED,
} PieperStatus;

typedef enum
{
  PIEPER_URGENCY_HIGH,
  PIEPER_URGENCY_LOW,
} PieperUrgency;

/**
 * PieperOp:
 *
 * A responder action, as queued in the outbox.
 */
typedef enum
{
  PIEPER_OP_ACKNOWLEDGE,
  PIEPER_OP_RESOLVE,
  PIEPER_OP_ESCALATE,
  PIEPER_OP_REASSIGN,
  PIEPER_OP_SNOOZE,
  PIEPER_OP_NOTE,
} PieperOp;

/**
 * PieperActionState:
 *
 * pending → inflight → done | conflict | failed. An inflight action whose
 * outcome is unknown (a crash, a timeout) goes back to pending.
 */
typedef enum
{
  PIEPER_ACTION_PENDING,
  PIEPER_ACTION_INFLIGHT,
  PIEPER_ACTION_DONE,
  PIEPER_ACTION_CONFLICT,
  PIEPER_ACTION_FAILED,
} PieperActionState;

typedef enum
{
  PIEPER_TIMELINE_NOTE,
  PIEPER_TIMELINE_TRIGGER,
  PIEPER_TIMELINE_ACKNOWLEDGE,
  PIEPER_TIMELINE_ESCALATE,
  PIEPER_TIMELINE_REASSIGN,
  PIEPER_TIMELINE_SNOOZE,
  PIEPER_TIMELINE_RESOLVE,
  PIEPER_TIMELINE_CONFLICT,
  PIEPER_TIMELINE_OTHER,
} PieperTimelineKind;

typedef enum
{
  PIEPER_ORIGIN_REMOTE,
  PIEPER_ORIGIN_LOCAL,
} PieperOrigin;

const char *pieper_status_to_string         (PieperStatus        status);
gboolean    pieper_status_from_string       (const char         *str,
                                             PieperStatus       *status);
const char *pieper_urgency_to_string        (PieperUrgency       urgency);
gboolean    pieper_urgency_from_string      (const char         *str,
                                             PieperUrgency      *urgency);
const char *pieper_op_to_string             (PieperOp            op);
gboolean    pieper_op_from_string           (const char         *str,
                                             PieperOp           *op);
const char *pieper_action_state_to_string   (PieperActionState   state);
gboolean    pieper_action_state_from_string (const char         *str,
                                             PieperActionState  *state);
const char *pieper_timeline_kind_to_string  (PieperTimelineKind  kind);
gboolean    pieper_timeline_kind_from_string (const char        *str,
                                              PieperTimelineKind *kind);
const char *pieper_origin_to_string         (PieperOrigin        origin);

/* Limits on untrusted and user-written text, in bytes of UTF-8. Server
 * text is made valid UTF-8 (U+FFFD for bad bytes), stripped of control and
 * bidirectional-override characters and cut on a character boundary with
 * "…" by the provider (pieper_text_clean); the store caps again on every
 * write, so no path into the database holds more. Titles are capped at
 * 1 KiB, notes at 64 KiB, every other field (service, priority, policy,
 * names, links) at 2 KiB. */
#define PIEPER_TITLE_MAX_BYTES 1024
#define PIEPER_NOTE_MAX_BYTES  (64 * 1024)
#define PIEPER_FIELD_MAX_BYTES 2048

/* Server time stamps are believed up to this far ahead of the local clock
 * (seconds). The store keeps a snapshot only if it is not older than the
 * stored one, so a time stamp in year 9999 would otherwise pin an incident
 * for good: the store keeps one further ahead, and one before 1970, as 0
 * ("unknown"), which any later snapshot replaces. */
#define PIEPER_CLOCK_SKEW_MAX  (10 * 60)

char *pieper_utf8_cap    (const char *text,
                          gsize       max_bytes);
/* Valid, capped UTF-8 without control or bidirectional-override
 * characters; @multi_line keeps newlines and tabs (and makes CR LF a
 * newline). Every note is cleaned this way before it is queued or sent, so
 * what a server stores is what Pieper reads back. */
char *pieper_text_clean  (const char *text,
                          gsize       max_bytes,
                          gboolean    multi_line);

G_END_DECLS
