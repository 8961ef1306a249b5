/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieperctl"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "pieperctl-private.h"

static const PieperctlCommand commands[] = {
  { "list", _pieperctl_list, N_("list [--json] [--filter open|all|triggered|acknowledged|resolved]"),
    N_("List incidents as you see them, unsent actions included"), TRUE },
  { "show", _pieperctl_show, N_("show ID [--json]"),
    N_("Show one incident and its timeline"), TRUE },
  { "ack", _pieperctl_ack, N_("ack ID"),
    N_("Acknowledge an incident"), TRUE },
  { "resolve", _pieperctl_resolve, N_("resolve ID"),
    N_("Resolve an incident"), TRUE },
  { "escalate", _pieperctl_escalate, N_("escalate ID [--level N]"),
    N_("Escalate to the next level, or to level N"), TRUE },
  { "reassign", _pieperctl_reassign, N_("reassign ID USER"),
    N_("Reassign an incident to a user (the server's user id)"), TRUE },
  { "snooze", _pieperctl_snooze, N_("snooze ID MINUTES"),
    N_("Snooze an acknowledged incident"), TRUE },
  { "note", _pieperctl_note, N_("note ID TEXT"),
    N_("Add a note to the timeline (TEXT - reads standard input)"), TRUE },
  { "outbox", _pieperctl_outbox, N_("outbox [--json]"),
    N_("List your actions and whether they reached the server"), TRUE },
  { "export", _pieperctl_export, N_("export"),
    N_("Print the whole store as JSON"), TRUE },
  { "import", _pieperctl_import, N_("import FILE"),
    N_("Import incidents from a JSON file (- for standard input)"), TRUE },
  { "sync", _pieperctl_sync, N_("sync"),
    N_("Send your queued actions and fetch incidents, once"), TRUE },
  { "watch", _pieperctl_watch, N_("watch [--interval SECONDS]"),
    N_("Keep syncing and print each new page as it arrives"), TRUE },
  { "account", _pieperctl_account, N_("account add --provider NAME --url URL [--email EMAIL] | list [--json] | remove ID [--force]"),
    N_("Manage server accounts; add reads the token from standard input or PIEPER_TOKEN "
       "(pagerduty: token and e-mail required; alertmanager: both optional, "
       "a token USER:PASSWORD is sent as basic auth, any other as a bearer token)"), TRUE },
  { "batch", _pieperctl_batch, N_("batch"),
    N_("Run commands read from standard input, one per line"), TRUE },
};

static const PieperctlCommand *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];

  return NULL;
}

static void
print_help_line (FILE       *out,
                 const char *synopsis,
                 const char *summary)
{
  g_autofree char *padded = _pieperctl_pad (synopsis, 60);

  fprintf (out, "  %s %s\n", padded, summary);
}

static void
print_help (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: pieperctl [--data-dir DIR] COMMAND [ARGS…]"));
  fprintf (out, "\n%s\n\n", _("Pieper from a terminal: your incidents and actions, with or without a network."));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    print_help_line (out, _(commands[i].synopsis), _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Options:"));
  /* TRANSLATORS: DIR as in the usage line above. */
  print_help_line (out, _("--data-dir DIR"), _("Use the store in DIR (default: $PIEPER_DATA_DIR or $XDG_DATA_HOME/pieper)"));
  print_help_line (out, "-h, --help", _("Show this help"));
  print_help_line (out, "--version", _("Show the version"));
  fprintf (out, "\n%s\n", _("ID is the server's incident id or the incident number. Exit status: 0 ok, 1 error, 2 usage."));
}

PieperctlStatus
_pieperctl_fail (const char *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line, whatever the message holds. */
  g_strdelimit (message, "\r\n", ' ');
  fprintf (stderr, "pieperctl: %s\n", message);

  return PIEPERCTL_ERROR;
}

PieperctlStatus
_pieperctl_fail_error (const GError *error)
{
  return _pieperctl_fail ("%s", error->message);
}

PieperctlStatus
_pieperctl_usage (const char *command,
                  const char *format,
                  ...)
{
  const PieperctlCommand *cmd = command != NULL ? find_command (command) : NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line, whatever the arguments hold. */
  g_strdelimit (message, "\r\n", ' ');
  if (cmd != NULL)
    fprintf (stderr, "pieperctl: %s (%s pieperctl %s)\n", message, _("usage:"), _(cmd->synopsis));
  else
    fprintf (stderr, "pieperctl: %s (%s)\n", message, _("see pieperctl --help"));

  return PIEPERCTL_USAGE;
}

char *
_pieperctl_pad (const char *text,
                guint       width)
{
  GString *padded = g_string_new (text);
  guint columns = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      columns += g_unichar_iswide (c) ? 2 : 1;
    }
  for (; columns < width; columns++)
    g_string_append_c (padded, ' ');

  return g_string_free (padded, FALSE);
}

void
_pieperctl_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
}

PieperStore *
_pieperctl_get_store (PieperctlContext  *ctx,
                      GError           **error)
{
  if (ctx->store == NULL)
    ctx->store = pieper_store_open (ctx->data_dir, error);

  return ctx->store;
}

PieperctlStatus
_pieperctl_run (PieperctlContext  *ctx,
                int                argc,
                char             **argv)
{
  const PieperctlCommand *cmd;

  g_assert (argc > 0);

  if (!(cmd = find_command (argv[0])))
    return _pieperctl_usage (NULL, _("Unknown command “%s”"), argv[0]);

  if (cmd->needs_store)
    {
      g_autoptr(GError) error = NULL;

      if (!_pieperctl_get_store (ctx, &error))
        return _pieperctl_fail_error (error);
    }

  return cmd->func (ctx, argc, argv);
}

int
main (int    argc,
      char **argv)
{
  PieperctlContext ctx = { NULL, NULL };
  PieperctlStatus status;
  const char *localedir;
  int i;

  /* Holding an API token: no core dump, and no ptrace or /proc/PID/environ
   * for other processes of the same user (as ssh-agent does). */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);

  setlocale (LC_ALL, "");
  /* PIEPER_LOCALEDIR: the tests' translations, built in the build tree. */
  localedir = g_getenv ("PIEPER_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && localedir[0] != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Debug messages never mix with the output (say, list --json). */
  g_log_writer_default_set_use_stderr (TRUE);

  /* A file size limit makes writes fail with EFBIG, which the store reports
   * as a full disk, instead of killing the process mid-transaction. */
  signal (SIGXFSZ, SIG_IGN);
  /* A closed pipe (pieperctl list | head) is not a crash. */
  signal (SIGPIPE, SIG_IGN);

  for (i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0)
        {
          print_help (stdout);
          return PIEPERCTL_OK;
        }
      else if (strcmp (arg, "--version") == 0)
        {
          printf ("pieperctl %s\n", PACKAGE_VERSION);
          return PIEPERCTL_OK;
        }
      else if (strcmp (arg, "--data-dir") == 0)
        {
          if (i + 1 >= argc || argv[i + 1][0] == '\0')
            return _pieperctl_usage (NULL, _("--data-dir needs a directory"));
          g_free (ctx.data_dir);
          ctx.data_dir = g_strdup (argv[++i]);
        }
      else if (g_str_has_prefix (arg, "--data-dir="))
        {
          if (arg[strlen ("--data-dir=")] == '\0')
            return _pieperctl_usage (NULL, _("--data-dir needs a directory"));
          g_free (ctx.data_dir);
          ctx.data_dir = g_strdup (arg + strlen ("--data-dir="));
        }
      else if (arg[0] == '-' && arg[1] != '\0')
        return _pieperctl_usage (NULL, _("Unknown option “%s”"), arg);
      else
        break;
    }

  /* An error is one line on stderr, a missing command too. */
  if (i >= argc)
    return _pieperctl_usage (NULL, _("Missing command"));

  status = _pieperctl_run (&ctx, argc - i, argv + i);

  if (fflush (stdout) != 0 && status == PIEPERCTL_OK)
    status = _pieperctl_fail (_("Could not write the output"));

  g_clear_object (&ctx.store);
  g_free (ctx.data_dir);

  return status;
}
