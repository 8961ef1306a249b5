/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include <string.h>

#include "pieper-types.h"

static const char * const status_names[] = { "triggered", "acknowledged", "resolved" };
static const char * const urgency_names[] = { "high", "low" };
static const char * const op_names[] = {
  "acknowledge", "resolve", "escalate", "reassign", "snooze", "note",
};
static const char * const action_state_names[] = {
  "pending", "inflight", "done", "conflict", "failed",
};
static const char * const timeline_kind_names[] = {
  "note", "trigger", "acknowledge", "escalate", "reassign", "snooze",
  "resolve", "conflict", "other",
};
static const char * const origin_names[] = { "remote", "local" };

static gboolean
lookup (const char * const *names,
        guint               n_names,
        const char         *str,
        int                *value)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      if (strcmp (names[i], str) == 0)
        {
          *value = (int) i;
          return TRUE;
        }
    }

  return FALSE;
}

#define DEFINE_NAMES(Type, type, names)                                   \
  const char *                                                            \
  pieper_##type##_to_string (Type value)                                  \
  {                                                                       \
    g_return_val_if_fail ((guint) value < G_N_ELEMENTS (names), NULL);    \
    return names[value];                                                  \
  }                                                                       \
                                                                          \
  gboolean                                                                \
  pieper_##type##_from_string (const char *str,                           \
                               Type       *value)                         \
  {                                                                       \
    int v = 0;                                                            \
                                                                          \
    if (!lookup (names, G_N_ELEMENTS (names), str, &v))                   \
      return FALSE;                                                       \
    if (value != NULL)                                                    \
      *value = (Type) v;                                                  \
    return TRUE;                                                          \
  }

DEFINE_NAMES (PieperStatus, status, status_names)
DEFINE_NAMES (PieperUrgency, urgency, urgency_names)
DEFINE_NAMES (PieperOp, op, op_names)
DEFINE_NAMES (PieperActionState, action_state, action_state_names)
DEFINE_NAMES (PieperTimelineKind, timeline_kind, timeline_kind_names)

const char *
pieper_origin_to_string (PieperOrigin origin)
{
  g_return_val_if_fail ((guint) origin < G_N_ELEMENTS (origin_names), NULL);
  return origin_names[origin];
}

/**
 * pieper_utf8_cap:
 * @text: (nullable): text from anywhere, possibly not UTF-8
 * @max_bytes: the most bytes to keep
 *
 * Makes untrusted text safe to store and show: invalid UTF-8 and NUL bytes
 * become U+FFFD and the result is cut on a character boundary, with an
 * ellipsis, to at most @max_bytes bytes.
 *
 * Returns: (transfer full) (nullable): the text, or %NULL for %NULL
 */
char *
pieper_utf8_cap (const char *text,
                 gsize       max_bytes)
{
  g_autofree char *valid = NULL;
  const char *end;
  gsize len;

  if (text == NULL)
    return NULL;

  valid = g_utf8_make_valid (text, -1);
  len = strlen (valid);
  if (len <= max_bytes)
    return g_steal_pointer (&valid);

  /* Leave room for "…" (3 bytes) and cut on a character boundary. */
  g_assert (max_bytes >= 4);
  end = g_utf8_find_prev_char (valid, valid + max_bytes - 3 + 1);
  if (end == NULL)
    end = valid;

  valid[end - valid] = '\0';
  return g_strconcat (valid, "…", NULL);
}
