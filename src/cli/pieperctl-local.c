/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieperctl"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pieper-json-private.h"
#include "pieperctl-private.h"

/* The command-line arguments of one command, after its options are taken. */
typedef struct
{
  const char  *command;
  GPtrArray   *positional;
  gboolean     json;
  const char  *level;
  const char  *filter;
} Args;

static void
args_clear (Args *args)
{
  g_clear_pointer (&args->positional, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Args, args_clear)

typedef enum
{
  OPT_NONE   = 0,
  OPT_JSON   = 1 << 0,
  OPT_LEVEL  = 1 << 1,
  OPT_FILTER = 1 << 2,
} Options;

/* Splits argv into the options @allowed and positional arguments, of which
 * there must be between @min and @max. "--" ends the options. */
static gboolean
parse_args (int               argc,
            char            **argv,
            Options           allowed,
            guint             min,
            guint             max,
            Args             *args,
            PieperctlStatus  *status)
{
  gboolean options_done = FALSE;

  args->command = argv[0];
  args->positional = g_ptr_array_new ();

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (options_done || arg[0] != '-' || strcmp (arg, "-") == 0)
        g_ptr_array_add (args->positional, (gpointer) arg);
      else if (strcmp (arg, "--") == 0)
        options_done = TRUE;
      else if ((allowed & OPT_JSON) && strcmp (arg, "--json") == 0)
        args->json = TRUE;
      else if ((allowed & (OPT_LEVEL | OPT_FILTER)) &&
               (strcmp (arg, "--level") == 0 || strcmp (arg, "--filter") == 0))
        {
          gboolean level = strcmp (arg, "--level") == 0;

          if ((level && !(allowed & OPT_LEVEL)) || (!level && !(allowed & OPT_FILTER)))
            goto unknown;

          if (i + 1 >= argc)
            {
              *status = _pieperctl_usage (args->command, _("%s needs a value"), arg);
              return FALSE;
            }

          if (level)
            args->level = argv[++i];
          else
            args->filter = argv[++i];
        }
      else
        goto unknown;

      continue;

    unknown:
      *status = _pieperctl_usage (args->command, _("Unknown option “%s”"), arg);
      return FALSE;
    }

  if (args->positional->len < min)
    {
      *status = _pieperctl_usage (args->command, _("Missing argument"));
      return FALSE;
    }

  if (args->positional->len > max)
    {
      *status = _pieperctl_usage (args->command, _("Too many arguments"));
      return FALSE;
    }

  return TRUE;
}

static const char *
arg (Args  *args,
     guint  i)
{
  return g_ptr_array_index (args->positional, i);
}

static PieperIncident *
find_incident (PieperctlContext  *ctx,
               const char        *id,
               PieperctlStatus   *status)
{
  g_autoptr(GError) error = NULL;
  PieperIncident *incident;

  if (!(incident = pieper_store_find_incident (ctx->store, id, &error)))
    *status = _pieperctl_fail_error (error);

  return incident;
}

/* Output */

static const char *
status_label (PieperStatus status)
{
  switch (status)
    {
    case PIEPER_STATUS_TRIGGERED:
      return _("triggered");
    case PIEPER_STATUS_ACKNOWLEDGED:
      return _("acknowledged");
    case PIEPER_STATUS_RESOLVED:
      return _("resolved");
    default:
      g_assert_not_reached ();
    }
}

static const char *
urgency_label (PieperUrgency urgency)
{
  return urgency == PIEPER_URGENCY_HIGH ? _("high") : _("low");
}

static const char *
state_label (PieperActionState state)
{
  switch (state)
    {
    case PIEPER_ACTION_PENDING:
      return _("waiting to sync");
    case PIEPER_ACTION_INFLIGHT:
      return _("sending");
    case PIEPER_ACTION_DONE:
      return _("sent");
    case PIEPER_ACTION_CONFLICT:
      return _("conflict");
    case PIEPER_ACTION_FAILED:
      return _("failed");
    default:
      g_assert_not_reached ();
    }
}

/* A send whose outcome is unknown is not lost: the server is asked
 * whether it got it before it is sent again. */
static char *
unconfirmed_hint (gint64 check_at,
                  gint64 now)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *when = NULL;

  if (check_at <= now || !(utc = g_date_time_new_from_unix_utc (check_at)))
    return g_strdup (_("the server is asked at the next sync whether it got it; sent again only if not"));

  local = g_date_time_to_local (utc);
  when = g_date_time_format (local, "%X");
  /* TRANSLATORS: %s is a time of day, in the locale's format. */
  return g_strdup_printf (_("the server is asked at %s whether it got it; sent again only if not"), when);
}

static const char *
op_label (PieperOp op)
{
  switch (op)
    {
    case PIEPER_OP_ACKNOWLEDGE:
      return _("acknowledge");
    case PIEPER_OP_RESOLVE:
      return _("resolve");
    case PIEPER_OP_ESCALATE:
      return _("escalate");
    case PIEPER_OP_REASSIGN:
      return _("reassign");
    case PIEPER_OP_SNOOZE:
      return _("snooze");
    case PIEPER_OP_NOTE:
      return _("note");
    default:
      g_assert_not_reached ();
    }
}

/* Server text goes to a terminal: no escape sequences or line breaks. */
static char *
printable (const char *text,
           gsize       max_chars)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gsize n = 0;

  if (text == NULL)
    return g_strdup ("");

  for (const char *p = text; *p != '\0' && n < max_chars; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }

  if (n >= max_chars && g_utf8_strlen (text, -1) > (glong) max_chars)
    g_string_append (out, "…");

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
print_time_field (const char *label,
                  gint64      at)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *text = NULL;
  g_autofree char *padded = NULL;

  if (at <= 0 || !(utc = g_date_time_new_from_unix_utc (at)))
    return;

  local = g_date_time_to_local (utc);
  text = g_date_time_format (local, "%c");
  padded = _pieperctl_pad (label, 22);
  printf ("  %s %s\n", padded, text);
}

static void
print_field (const char *label,
             const char *value)
{
  g_autofree char *shown = NULL;
  g_autofree char *padded = NULL;

  if (value == NULL || *value == '\0')
    return;

  shown = printable (value, 400);
  padded = _pieperctl_pad (label, 22);
  printf ("  %s %s\n", padded, shown);
}

/* Commands */

static gboolean
parse_filter (const char   *name,
              PieperFilter *filter)
{
  static const struct { const char *name; PieperFilter filter; } filters[] = {
    { "open", PIEPER_FILTER_OPEN },
    { "all", PIEPER_FILTER_ALL },
    { "triggered", PIEPER_FILTER_TRIGGERED },
    { "acknowledged", PIEPER_FILTER_ACKNOWLEDGED },
    { "resolved", PIEPER_FILTER_RESOLVED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      if (strcmp (filters[i].name, name) == 0)
        {
          *filter = filters[i].filter;
          return TRUE;
        }
    }

  return FALSE;
}

PieperctlStatus
_pieperctl_list (PieperctlContext  *ctx,
                 int                argc,
                 char             **argv)
{
  g_auto(Args) args = { 0, };
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  PieperctlStatus status = PIEPERCTL_OK;
  PieperFilter filter = PIEPER_FILTER_ALL;

  if (!parse_args (argc, argv, OPT_JSON | OPT_FILTER, 0, 0, &args, &status))
    return status;

  if (args.filter != NULL && !parse_filter (args.filter, &filter))
    return _pieperctl_usage (args.command, _("Unknown filter “%s”"), args.filter);

  if (!(incidents = pieper_store_list_incidents (ctx->store, filter, &error)))
    return _pieperctl_fail_error (error);

  if (args.json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_sized_new (incidents->len);

      for (guint i = 0; i < incidents->len; i++)
        json_array_add_element (array, pieper_incident_to_json (g_ptr_array_index (incidents, i)));
      json_node_take_array (root, array);
      _pieperctl_print_json (root);
      return PIEPERCTL_OK;
    }

  if (incidents->len == 0)
    {
      printf ("%s\n", _("No incidents."));
      return PIEPERCTL_OK;
    }

  for (guint i = 0; i < incidents->len; i++)
    {
      PieperIncident *incident = g_ptr_array_index (incidents, i);
      g_autofree char *title = printable (pieper_incident_get_title (incident), 80);
      g_autofree char *id = printable (pieper_incident_get_remote_id (incident), 24);
      guint pending = pieper_incident_get_pending (incident);
      g_autofree char *status_text = _pieperctl_pad (status_label (pieper_incident_get_status (incident)), 14);
      g_autofree char *urgency = _pieperctl_pad (urgency_label (pieper_incident_get_urgency (incident)), 6);

      printf ("#%-6" G_GINT64_FORMAT " %s %s %-12s %s",
              pieper_incident_get_number (incident),
              status_text, urgency, id, title);
      if (pending > 0)
        {
          g_autofree char *text = g_strdup_printf (ngettext ("%u action waiting to sync",
                                                             "%u actions waiting to sync",
                                                             pending),
                                                   pending);
          printf ("  [%s]", text);
        }
      putchar ('\n');
    }

  return PIEPERCTL_OK;
}

static const char *
timeline_label (PieperTimelineKind kind)
{
  switch (kind)
    {
    case PIEPER_TIMELINE_NOTE:
      return _("note");
    case PIEPER_TIMELINE_TRIGGER:
      return _("triggered");
    case PIEPER_TIMELINE_ACKNOWLEDGE:
      return _("acknowledged");
    case PIEPER_TIMELINE_ESCALATE:
      return _("escalated");
    case PIEPER_TIMELINE_REASSIGN:
      return _("reassigned");
    case PIEPER_TIMELINE_SNOOZE:
      return _("snoozed");
    case PIEPER_TIMELINE_RESOLVE:
      return _("resolved");
    case PIEPER_TIMELINE_CONFLICT:
      return _("conflict");
    case PIEPER_TIMELINE_OTHER:
    default:
      return _("event");
    }
}

PieperctlStatus
_pieperctl_show (PieperctlContext  *ctx,
                 int                argc,
                 char             **argv)
{
  g_auto(Args) args = { 0, };
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;
  PieperctlStatus status = PIEPERCTL_OK;
  g_autofree char *title = NULL;
  g_autofree char *assignees = NULL;

  if (!parse_args (argc, argv, OPT_JSON, 1, 1, &args, &status))
    return status;

  if (!(incident = find_incident (ctx, arg (&args, 0), &status)))
    return status;

  if (!(timeline = pieper_store_list_timeline (ctx->store, pieper_incident_get_id (incident), &error)))
    return _pieperctl_fail_error (error);

  if (args.json)
    {
      g_autoptr(JsonNode) root = pieper_incident_to_json (incident);
      JsonArray *entries = json_array_sized_new (timeline->len);

      for (guint i = 0; i < timeline->len; i++)
        json_array_add_element (entries, pieper_timeline_entry_to_json (g_ptr_array_index (timeline, i)));
      json_object_set_array_member (json_node_get_object (root), "timeline", entries);
      _pieperctl_print_json (root);
      return PIEPERCTL_OK;
    }

  title = printable (pieper_incident_get_title (incident), 400);
  printf ("#%" G_GINT64_FORMAT " %s\n", pieper_incident_get_number (incident), title);
  print_field (_("Id"), pieper_incident_get_remote_id (incident));
  print_field (_("Status"), status_label (pieper_incident_get_status (incident)));
  print_field (_("Urgency"), urgency_label (pieper_incident_get_urgency (incident)));
  print_field (_("Priority"), pieper_incident_get_priority (incident));
  print_field (_("Service"), pieper_incident_get_service (incident));
  print_field (_("Escalation policy"), pieper_incident_get_escalation_policy (incident));
  {
    g_autofree char *level = g_strdup_printf ("%d", pieper_incident_get_escalation_level (incident));

    print_field (_("Escalation level"), level);
  }
  if (pieper_incident_get_assignees (incident) != NULL)
    assignees = g_strjoinv (", ", (GStrv) pieper_incident_get_assignees (incident));
  print_field (_("Incident manager"), assignees);
  print_time_field (_("Created"), pieper_incident_get_created_at (incident));
  print_time_field (_("Updated"), pieper_incident_get_updated_at (incident));
  print_time_field (_("Snoozed until"), pieper_incident_get_snoozed_until (incident));
  print_field (_("Link"), pieper_incident_get_html_url (incident));
  print_field (_("Chat"), pieper_incident_get_chat_url (incident));
  print_field (_("Video bridge"), pieper_incident_get_video_url (incident));
  print_field (_("Status page"), pieper_incident_get_status_page_url (incident));
  print_field (_("Postmortem"), pieper_incident_get_postmortem_url (incident));
  if (pieper_incident_get_pending (incident) > 0)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u action waiting to sync",
                                                         "%u actions waiting to sync",
                                                         pieper_incident_get_pending (incident)),
                                               pieper_incident_get_pending (incident));
      print_field (_("Unsent"), text);
    }

  printf ("\n%s\n", _("Timeline:"));
  if (timeline->len == 0)
    printf ("  %s\n", _("(empty)"));

  for (guint i = 0; i < timeline->len; i++)
    {
      PieperTimelineEntry *entry = g_ptr_array_index (timeline, i);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (MAX (0, pieper_timeline_entry_get_at (entry)));
      g_autoptr(GDateTime) local = g_date_time_to_local (utc);
      g_autofree char *when = g_date_time_format (local, "%x %X");
      g_autofree char *author = printable (pieper_timeline_entry_get_author (entry), 60);
      g_autofree char *body = printable (pieper_timeline_entry_get_body (entry), 2000);
      gboolean local_entry = pieper_timeline_entry_get_origin (entry) == PIEPER_ORIGIN_LOCAL;
      g_autofree char *kind = _pieperctl_pad (timeline_label (pieper_timeline_entry_get_kind (entry)), 12);

      printf ("  %s  %s %s%s%s",
              when,
              kind,
              local_entry ? _("you") : author,
              *body != '\0' ? ": " : "",
              body);
      if (local_entry && pieper_timeline_entry_get_kind (entry) != PIEPER_TIMELINE_CONFLICT)
        printf ("  [%s]", state_label (pieper_timeline_entry_get_sync_state (entry)));
      putchar ('\n');
    }

  return PIEPERCTL_OK;
}

/* Queueing. Success is reported only after the action is committed. */

static PieperctlStatus
report_queued (PieperAction *action,
               GError       *error)
{
  if (action == NULL)
    return _pieperctl_fail_error (error);

  printf (_("Queued %s of %s (action %lld, %s)\n"),
          op_label (pieper_action_get_op (action)),
          pieper_action_get_incident_remote_id (action),
          (long long) pieper_action_get_id (action),
          pieper_action_get_idempotency_key (action));

  return PIEPERCTL_OK;
}

typedef PieperAction *(*SimpleOp) (PieperOutbox *, gint64, GError **);

static PieperctlStatus
queue_simple (PieperctlContext  *ctx,
              int                argc,
              char             **argv,
              SimpleOp           op)
{
  g_auto(Args) args = { 0, };
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperOutbox) outbox = NULL;
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;
  PieperctlStatus status = PIEPERCTL_OK;

  if (!parse_args (argc, argv, OPT_NONE, 1, 1, &args, &status))
    return status;

  if (!(incident = find_incident (ctx, arg (&args, 0), &status)))
    return status;

  outbox = pieper_outbox_new (ctx->store);
  action = op (outbox, pieper_incident_get_id (incident), &error);

  return report_queued (action, error);
}

PieperctlStatus
_pieperctl_ack (PieperctlContext  *ctx,
                int                argc,
                char             **argv)
{
  return queue_simple (ctx, argc, argv, pieper_outbox_acknowledge);
}

PieperctlStatus
_pieperctl_resolve (PieperctlContext  *ctx,
                    int                argc,
                    char             **argv)
{
  return queue_simple (ctx, argc, argv, pieper_outbox_resolve);
}

static gboolean
parse_number (const char *text,
              guint64     min,
              guint64     max,
              guint64    *out)
{
  return g_ascii_string_to_unsigned (text, 10, min, max, out, NULL);
}

PieperctlStatus
_pieperctl_escalate (PieperctlContext  *ctx,
                     int                argc,
                     char             **argv)
{
  g_auto(Args) args = { 0, };
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperOutbox) outbox = NULL;
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;
  PieperctlStatus status = PIEPERCTL_OK;
  guint64 level = 0;

  if (!parse_args (argc, argv, OPT_LEVEL, 1, 1, &args, &status))
    return status;

  if (args.level != NULL && !parse_number (args.level, 1, 100, &level))
    return _pieperctl_usage (args.command, _("The level must be a number from 1 to 100"));

  if (!(incident = find_incident (ctx, arg (&args, 0), &status)))
    return status;

  outbox = pieper_outbox_new (ctx->store);
  action = pieper_outbox_escalate (outbox, pieper_incident_get_id (incident), (int) level, &error);

  return report_queued (action, error);
}

PieperctlStatus
_pieperctl_reassign (PieperctlContext  *ctx,
                     int                argc,
                     char             **argv)
{
  g_auto(Args) args = { 0, };
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperOutbox) outbox = NULL;
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;
  PieperctlStatus status = PIEPERCTL_OK;

  if (!parse_args (argc, argv, OPT_NONE, 2, 2, &args, &status))
    return status;

  if (!(incident = find_incident (ctx, arg (&args, 0), &status)))
    return status;

  outbox = pieper_outbox_new (ctx->store);
  action = pieper_outbox_reassign (outbox, pieper_incident_get_id (incident), arg (&args, 1), &error);

  return report_queued (action, error);
}

PieperctlStatus
_pieperctl_snooze (PieperctlContext  *ctx,
                   int                argc,
                   char             **argv)
{
  g_auto(Args) args = { 0, };
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperOutbox) outbox = NULL;
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;
  PieperctlStatus status = PIEPERCTL_OK;
  guint64 minutes = 0;

  if (!parse_args (argc, argv, OPT_NONE, 2, 2, &args, &status))
    return status;

  if (!parse_number (arg (&args, 1), 1, 7 * 24 * 60, &minutes))
    return _pieperctl_usage (args.command, _("MINUTES must be a number from 1 to %d"), 7 * 24 * 60);

  if (!(incident = find_incident (ctx, arg (&args, 0), &status)))
    return status;

  outbox = pieper_outbox_new (ctx->store);
  action = pieper_outbox_snooze (outbox, pieper_incident_get_id (incident), (guint) minutes, &error);

  return report_queued (action, error);
}

/* Set while `batch` runs commands from standard input. */
static gboolean in_batch;

/* Reads at most @max bytes of standard input; more is an error, found
 * without reading the rest. */
static char *
read_stdin (gsize    max,
            GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buffer[8192];

  for (;;)
    {
      size_t n = fread (buffer, 1, sizeof buffer, stdin);

      g_string_append_len (text, buffer, n);
      if (text->len > max)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       _("The text on standard input is too long (more than %zu bytes)"),
                       (size_t) max);
          return NULL;
        }

      if (n < sizeof buffer)
        {
          if (ferror (stdin))
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                   _("Could not read standard input"));
              return NULL;
            }
          break;
        }
    }

  if (memchr (text->str, '\0', text->len) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The text on standard input holds NUL bytes"));
      return NULL;
    }

  /* `echo text | pieperctl note ID -` should not add a line break. */
  if (text->len > 0 && text->str[text->len - 1] == '\n')
    g_string_truncate (text, text->len - 1);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

PieperctlStatus
_pieperctl_note (PieperctlContext  *ctx,
                 int                argc,
                 char             **argv)
{
  g_auto(Args) args = { 0, };
  g_autoptr(PieperIncident) incident = NULL;
  g_autoptr(PieperOutbox) outbox = NULL;
  g_autoptr(PieperAction) action = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *from_stdin = NULL;
  PieperctlStatus status = PIEPERCTL_OK;
  const char *text;

  if (!parse_args (argc, argv, OPT_NONE, 2, 2, &args, &status))
    return status;

  if (!(incident = find_incident (ctx, arg (&args, 0), &status)))
    return status;

  text = arg (&args, 1);
  if (strcmp (text, "-") == 0)
    {
      /* In a batch, standard input holds the commands that follow. */
      if (in_batch)
        return _pieperctl_usage (args.command, _("TEXT “-” cannot be used in a batch"));

      if (!(from_stdin = read_stdin (PIEPER_NOTE_MAX_BYTES, &error)))
        return _pieperctl_fail_error (error);
      text = from_stdin;
    }

  outbox = pieper_outbox_new (ctx->store);
  action = pieper_outbox_add_note (outbox, pieper_incident_get_id (incident), text, &error);

  return report_queued (action, error);
}

PieperctlStatus
_pieperctl_outbox (PieperctlContext  *ctx,
                   int                argc,
                   char             **argv)
{
  g_auto(Args) args = { 0, };
  g_autoptr(PieperOutbox) outbox = NULL;
  g_autoptr(GPtrArray) actions = NULL;
  g_autoptr(GError) error = NULL;
  PieperctlStatus status = PIEPERCTL_OK;
  gint64 now;

  if (!parse_args (argc, argv, OPT_JSON, 0, 0, &args, &status))
    return status;

  outbox = pieper_outbox_new (ctx->store);
  if (!(actions = pieper_outbox_list (outbox, -1, &error)))
    return _pieperctl_fail_error (error);

  if (args.json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_sized_new (actions->len);

      for (guint i = 0; i < actions->len; i++)
        json_array_add_element (array, pieper_action_to_json (g_ptr_array_index (actions, i)));
      json_node_take_array (root, array);
      _pieperctl_print_json (root);
      return PIEPERCTL_OK;
    }

  if (actions->len == 0)
    {
      printf ("%s\n", _("The outbox is empty."));
      return PIEPERCTL_OK;
    }

  now = g_get_real_time () / G_USEC_PER_SEC;
  for (guint i = 0; i < actions->len; i++)
    {
      PieperAction *action = g_ptr_array_index (actions, i);
      g_autofree char *incident = printable (pieper_action_get_incident_remote_id (action), 24);
      g_autofree char *last_error = printable (pieper_action_get_last_error (action), 200);
      g_autofree char *op = _pieperctl_pad (op_label (pieper_action_get_op (action)), 12);
      gint64 check_at = 0;
      /* In flight but sent by nobody: "sending" would be a lie. */
      gboolean unconfirmed = pieper_outbox_is_unconfirmed (outbox, action, now, &check_at);
      /* TRANSLATORS: an action sent, but not known to have reached the server. */
      g_autofree char *state = _pieperctl_pad (unconfirmed ? _("unconfirmed")
                                                           : state_label (pieper_action_get_state (action)),
                                               16);

      printf ("%-6" G_GINT64_FORMAT " %s %-12s %s",
              pieper_action_get_id (action),
              op, incident, state);
      if (pieper_action_get_attempts (action) > 0)
        {
          g_autofree char *attempts = g_strdup_printf (ngettext ("%u attempt", "%u attempts",
                                                                 pieper_action_get_attempts (action)),
                                                       pieper_action_get_attempts (action));
          printf (" %s", attempts);
        }
      if (unconfirmed)
        {
          g_autofree char *hint = unconfirmed_hint (check_at, now);

          printf (" [%s]", hint);
        }
      if (*last_error != '\0')
        printf (" — %s", last_error);
      putchar ('\n');
    }

  return PIEPERCTL_OK;
}

PieperctlStatus
_pieperctl_export (PieperctlContext  *ctx,
                   int                argc,
                   char             **argv)
{
  g_auto(Args) args = { 0, };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  PieperctlStatus status = PIEPERCTL_OK;

  if (!parse_args (argc, argv, OPT_NONE, 0, 0, &args, &status))
    return status;

  if (!(root = pieper_store_export (ctx->store, &error)))
    return _pieperctl_fail_error (error);

  _pieperctl_print_json (root);

  return PIEPERCTL_OK;
}

/* Whether @data is nothing but JSON's whitespace. */
static gboolean
is_blank (const char *data,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (!strchr (" \t\r\n", data[i]) || data[i] == '\0')
      return FALSE;
  return TRUE;
}

#define IMPORT_MAX_BYTES (256 * 1024 * 1024)
#define IMPORT_MAX_DEPTH 1000

PieperctlStatus
_pieperctl_import (PieperctlContext  *ctx,
                   int                argc,
                   char             **argv)
{
  g_auto(Args) args = { 0, };
  g_autoptr(PieperJsonDoc) doc = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *detail = NULL;
  PieperJsonShape problem = PIEPER_JSON_SHAPE_OK;
  PieperctlStatus status = PIEPERCTL_OK;
  const char *path;
  gsize length = 0;
  guint n = 0;

  if (!parse_args (argc, argv, OPT_NONE, 1, 1, &args, &status))
    return status;

  path = arg (&args, 0);
  if (strcmp (path, "-") == 0)
    {
      if (!(contents = read_stdin (IMPORT_MAX_BYTES, &error)))
        return _pieperctl_fail_error (error);
      length = strlen (contents);
    }
  else
    {
      GStatBuf st;

      if (g_stat (path, &st) == 0 && st.st_size > IMPORT_MAX_BYTES)
        return _pieperctl_fail (_("%s is too large to import"), path);

      if (!g_file_get_contents (path, &contents, &length, &error))
        return _pieperctl_fail_error (error);
    }

  if (strcmp (path, "-") == 0)
    path = _("Standard input");

  if (is_blank (contents, length))
    return _pieperctl_fail (_("%s is empty"), path);

  /* A file of one's own is refused rather than repaired, as a server's
   * response would be. */
  if (!g_utf8_validate_len (contents, length, NULL))
    return _pieperctl_fail (_("%s is not valid JSON: it is not UTF-8 text"), path);

  /* The strict parser of server responses: bounded depth, one value, no
   * NUL inside a string (which would cut it short or make one id
   * another). */
  if (!(doc = _pieper_json_parse_untrusted (contents, length, IMPORT_MAX_DEPTH, &problem, &detail)))
    {
      if (problem == PIEPER_JSON_SHAPE_TOO_DEEP)
        return _pieperctl_fail (_("%s is not valid JSON: nested more than %d levels deep"),
                                path, IMPORT_MAX_DEPTH);
      if (problem == PIEPER_JSON_SHAPE_SYNTAX)
        /* TRANSLATORS: the file, and where in it as line:column, the
         * way compilers say where an error is. */
        return _pieperctl_fail (_("%s:%s: not valid JSON"), path, detail);
      return _pieperctl_fail (_("%s is not valid JSON: %s"), path, detail);
    }
  root = _pieper_json_value_to_node (_pieper_json_doc_get_root (doc));

  if (!pieper_store_import (ctx->store, root, &n, &error))
    return _pieperctl_fail_error (error);

  printf (ngettext ("Imported %u incident\n", "Imported %u incidents\n", n), n);

  return PIEPERCTL_OK;
}

/* Reads one line of standard input into @line, without its line break.
 * Returns FALSE at the end of input. A line that does not fit, or that holds
 * a NUL byte, is read to its end and refused whole (@error set), so that its
 * tail never runs as a command of its own. */
static gboolean
read_line (char     *line,
           gsize     size,
           GError  **error)
{
  gsize len = 0;
  gboolean too_long = FALSE;
  gboolean nul = FALSE;
  int c;

  while ((c = getc (stdin)) != EOF && c != '\n')
    {
      if (c == '\0')
        nul = TRUE;
      if (len + 1 < size)
        line[len++] = (char) c;
      else
        too_long = TRUE;
    }
  line[len] = '\0';

  if (c == EOF && len == 0 && !too_long && !nul)
    return FALSE;

  if (too_long)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                 _("The line is too long (more than %zu bytes)"), (size_t) (size - 1));
  else if (nul)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         _("The line holds NUL bytes"));

  return TRUE;
}

/* Commands from standard input, one per line, each confirmed on standard
 * output as soon as it is committed ("ok" or "error: …"). Scripts and the
 * crash tests rely on that confirmation meaning the action is stored. */
PieperctlStatus
_pieperctl_batch (PieperctlContext  *ctx,
                  int                argc,
                  char             **argv)
{
  g_auto(Args) args = { 0, };
  PieperctlStatus status = PIEPERCTL_OK;
  char line[PIEPER_NOTE_MAX_BYTES + 1024];
  guint failures = 0;

  if (!parse_args (argc, argv, OPT_NONE, 0, 0, &args, &status))
    return status;

  for (;;)
    {
      g_auto(GStrv) words = NULL;
      g_autoptr(GError) error = NULL;
      int n_words = 0;

      if (!read_line (line, sizeof line, &error))
        break;

      g_strchomp (line);
      if (error == NULL && (line[0] == '\0' || line[0] == '#'))
        continue;

      if (error != NULL || !g_shell_parse_argv (line, &n_words, &words, &error))
        {
          printf ("error: %s\n", error->message);
          fflush (stdout);
          failures++;
          continue;
        }

      /* Commands that read standard input themselves, or never end. */
      if (strcmp (words[0], "batch") == 0 || strcmp (words[0], "import") == 0 ||
          strcmp (words[0], "account") == 0 || strcmp (words[0], "watch") == 0)
        {
          printf ("error: %s\n", _("Not allowed in a batch"));
          fflush (stdout);
          failures++;
          continue;
        }

      /* The command's own output is the confirmation. */
      in_batch = TRUE;
      status = _pieperctl_run (ctx, n_words, words);
      in_batch = FALSE;
      if (status != PIEPERCTL_OK)
        failures++;
      printf ("%s\n", status == PIEPERCTL_OK ? "ok" : "error");
      fflush (stdout);
    }

  return failures == 0 ? PIEPERCTL_OK : PIEPERCTL_ERROR;
}
