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

/* C0 and C1 controls and DEL. */
static gboolean
is_control (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/* The bidirectional overrides and isolates, which can make a title read
 * differently from what it says, and the Unicode line separators. */
static gboolean
is_invisible_format (gunichar c)
{
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
         c == 0x2028 || c == 0x2029;
}

/**
 * pieper_text_clean:
 * @text: (nullable): text from a server or a person
 * @max_bytes: the cap, one of the PIEPER_*_MAX_BYTES
 * @multi_line: keep newlines and tabs (notes) or not (everything else)
 *
 * Returns: (transfer full) (nullable): valid, capped UTF-8 without control
 *   characters, or %NULL for %NULL
 */
char *
pieper_text_clean (const char *text,
                   gsize       max_bytes,
                   gboolean    multi_line)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) clean = NULL;
  gsize len;

  if (text == NULL)
    return NULL;

  /* Do not scrub megabytes only to throw most of them away. */
  len = strlen (text);
  if (len > 4 * max_bytes)
    len = 4 * max_bytes;

  valid = g_utf8_make_valid (text, len);
  clean = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_invisible_format (c))
        continue;

      if (multi_line && c == '\r')
        {
          /* CR LF and a lone CR both end a line. */
          if (p[1] != '\n')
            g_string_append_c (clean, '\n');
          continue;
        }

      if (multi_line && (c == '\n' || c == '\t'))
        g_string_append_c (clean, (char) c);
      else if (is_control (c))
        g_string_append_c (clean, ' ');
      else
        g_string_append_unichar (clean, c);
    }

  if (!multi_line)
    g_strstrip (clean->str);

  return pieper_utf8_cap (clean->str, max_bytes);
}

