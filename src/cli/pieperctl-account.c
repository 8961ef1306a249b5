/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieperctl"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "pieper-providers.h"
#include "pieper-secret.h"
#include "pieperctl-private.h"

/*
 * pieperctl account add|list|remove.
 *
 * The token comes from standard input (typed with echo off at a terminal,
 * or the first line of a pipe) or from PIEPER_TOKEN, never from argv, and
 * goes only to the Secret Service: not to the database, and not to any
 * output or log line.
 */

#define TOKEN_MAX_BYTES 4096

static const char *command = "account";

/* Text from the user goes back to a terminal: no escape sequences. */
static char *
printable (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (text == NULL)
    return g_strdup ("");

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
is_known_provider (const char *provider)
{
  const char * const *known = pieper_providers_list ();

  return provider != NULL && g_strv_contains (known, provider);
}

/* PagerDuty's REST API wants the responder's e-mail in a From header on
 * every write. */
static gboolean
provider_needs_email (const char *provider)
{
  return g_strcmp0 (provider, "pagerduty") == 0;
}

static gboolean
has_space_or_control (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p) || g_ascii_isspace (*p))
      return TRUE;

  return FALSE;
}

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;
  gsize len = strlen (host);

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  /* GUri keeps the brackets of an IPv6 literal. */
  if (len > 2 && host[0] == '[' && host[len - 1] == ']')
    host = bare = g_strndup (host + 1, len - 2);

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* An API token may only travel over TLS, except to this computer (the
 * simulator in demo mode and in tests). */
static gboolean
check_url (const char  *url,
           char       **message)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  if (!g_utf8_validate (url, -1, NULL) || has_space_or_control (url) ||
      !(uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL)))
    {
      *message = g_strdup (_("The URL is not valid"));
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);

  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    {
      *message = g_strdup (_("The URL must start with https://"));
      return FALSE;
    }

  if (host == NULL || *host == '\0')
    {
      *message = g_strdup (_("The URL has no host name"));
      return FALSE;
    }

  /* It would be stored in the database, which is no place for a password. */
  if (g_uri_get_userinfo (uri) != NULL)
    {
      *message = g_strdup (_("The URL must not hold a user name or password; the token is read from standard input"));
      return FALSE;
    }

  if (g_ascii_strcasecmp (scheme, "http") == 0 && !is_loopback_host (host))
    {
      *message = g_strdup (_("The URL must start with https:// (plain http is only allowed to this computer)"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_email (const char *email)
{
  const char *at = strchr (email, '@');

  return g_utf8_validate (email, -1, NULL) &&
         !has_space_or_control (email) &&
         at != NULL && at != email && at[1] != '\0';
}

/* Reading the token */

static struct termios saved_termios;
static volatile sig_atomic_t echo_off;

static void
restore_echo (void)
{
  if (echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
      echo_off = FALSE;
    }
}

/* Ctrl+C at the prompt must not leave the terminal without echo. */
static void
interrupted (int signum)
{
  restore_echo ();
  signal (signum, SIG_DFL);
  raise (signum);
}

static gboolean
valid_token (const char *token)
{
  for (const char *p = token; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || (guchar) *p > 0x7e)
      return FALSE;

  return TRUE;
}

/* The first line of standard input, trimmed; at a terminal, typed after a
 * prompt on standard error with echo off. With @optional, no input at all
 * is an empty token rather than an error. */
static char *
read_token_from_stdin (gboolean   optional,
                       GError   **error)
{
  char buffer[TOKEN_MAX_BYTES + 1];
  gboolean tty = isatty (STDIN_FILENO);
  gboolean read_failed = FALSE;
  gboolean too_long = FALSE;
  gboolean at_eof = FALSE;
  void (*old_int) (int) = SIG_DFL;
  void (*old_term) (int) = SIG_DFL;
  char *token = NULL;
  gsize len = 0;

  if (tty)
    {
      struct termios noecho;

      /* Echo goes off before the prompt shows, so nothing typed after it
       * can appear on the screen. */
      if (tcgetattr (STDIN_FILENO, &saved_termios) == 0)
        {
          old_int = signal (SIGINT, interrupted);
          old_term = signal (SIGTERM, interrupted);
          noecho = saved_termios;
          noecho.c_lflag &= ~(tcflag_t) ECHO;
          if (tcsetattr (STDIN_FILENO, TCSAFLUSH, &noecho) == 0)
            echo_off = TRUE;
        }

      fputs (optional ? _("Token (empty for none): ") : _("Token: "), stderr);
      fflush (stderr);
    }

  /* read(2) a byte at a time rather than stdio: no copy of the token is
   * left in stdin's buffer, and nothing after the first line is taken. */
  for (;;)
    {
      char c;
      ssize_t n = read (STDIN_FILENO, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          read_failed = TRUE;
          break;
        }
      if (n == 0 || c == '\n')
        {
          at_eof = n == 0;
          break;
        }
      if (len >= TOKEN_MAX_BYTES)
        {
          too_long = TRUE;
          break;
        }
      buffer[len++] = c;
    }
  buffer[len] = '\0';

  if (tty)
    {
      restore_echo ();
      signal (SIGINT, old_int);
      signal (SIGTERM, old_term);
      fputc ('\n', stderr);
    }

  if (read_failed)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Could not read the token from standard input"));
      goto out;
    }

  if (too_long)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("The token is too long (more than %d bytes)"), TOKEN_MAX_BYTES);
      goto out;
    }

  if (len == 0 && at_eof && !optional)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("No token on standard input; pipe it in, or set PIEPER_TOKEN"));
      goto out;
    }

  token = g_strdup (g_strstrip (buffer));

out:
  memset (buffer, 0, sizeof buffer);
  /* The compiler must not drop the wipe of a buffer that is never read. */
  __asm__ __volatile__ ("" : : "r" (buffer) : "memory");

  return token;
}

/* With @optional (a server that may need no token), no token is not an
 * error: it returns NULL without one. */
static char *
get_new_token (gboolean   optional,
               gboolean  *from_env,
               GError   **error)
{
  const char *env = pieper_secret_get_env_token ();
  char *token;

  *from_env = env != NULL;

  if (env != NULL)
    token = g_strdup (env);
  else if (!(token = read_token_from_stdin (optional, error)))
    return NULL;

  g_strstrip (token);

  if (*token == '\0')
    {
      pieper_secret_token_free (token);
      if (!optional)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             _("The token is empty"));
      return NULL;
    }

  if (!valid_token (token))
    {
      pieper_secret_token_free (token);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The token holds characters a token cannot have (control characters or non-ASCII)"));
      return NULL;
    }

  return token;
}

/* Options */

/* Takes "--name VALUE" or "--name=VALUE" at argv[*i]; FALSE when argv[*i]
 * is another option. */
static gboolean
take_option (int               argc,
             char            **argv,
             int              *i,
             const char       *name,
             const char      **value,
             PieperctlStatus  *status)
{
  const char *arg = argv[*i];
  gsize len = strlen (name);

  if (strncmp (arg, name, len) != 0)
    return FALSE;

  if (arg[len] == '=')
    *value = arg + len + 1;
  else if (arg[len] != '\0')
    return FALSE;
  else if (*i + 1 < argc)
    *value = argv[++*i];
  else
    {
      *status = _pieperctl_usage (command, _("%s needs a value"), name);
      return TRUE;
    }

  if (**value == '\0')
    *status = _pieperctl_usage (command, _("%s needs a value"), name);

  return TRUE;
}

static gboolean
find_duplicate (PieperStore  *store,
                const char   *provider,
                const char   *url,
                const char   *email,
                gboolean     *found,
                GError      **error)
{
  g_autoptr(GPtrArray) accounts = NULL;

  *found = FALSE;

  if (!(accounts = pieper_store_list_accounts (store, error)))
    return FALSE;

  for (guint i = 0; i < accounts->len; i++)
    {
      PieperAccount *account = g_ptr_array_index (accounts, i);

      if (g_strcmp0 (pieper_account_get_provider (account), provider) == 0 &&
          g_strcmp0 (pieper_account_get_url (account), url) == 0 &&
          g_strcmp0 (pieper_account_get_email (account), email) == 0)
        *found = TRUE;
    }

  return TRUE;
}

/* Who the token belongs to */

typedef struct
{
  gboolean  done;
  gboolean  ok;
  char     *user_id;
  char     *user_name;
  GError   *error;
} Whoami;

static void
whoami_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Whoami *whoami = user_data;

  whoami->ok = pieper_provider_whoami_finish (PIEPER_PROVIDER (object), result,
                                              &whoami->user_id, &whoami->user_name,
                                              &whoami->error);
  whoami->done = TRUE;
}

/* Asks the server who @token belongs to, and sets the answer on @account.
 * A refused token, or a server that is not what it was said to be, is an
 * error: nothing is kept then. A server that cannot be reached now is not
 * (adding an account offline works); @reached says which it was, and the
 * app asks again when it syncs. */
static gboolean
learn_user (PieperAccount  *account,
            const char     *token,
            gboolean       *reached,
            GError        **error)
{
  g_autoptr(PieperProvider) provider = NULL;
  Whoami whoami = { 0, };
  gboolean ok = FALSE;

  *reached = FALSE;

  if (!(provider = pieper_provider_new_for_account (account, token, error)))
    return FALSE;

  pieper_provider_whoami_async (provider, NULL, whoami_cb, &whoami);
  while (!whoami.done)
    g_main_context_iteration (NULL, TRUE);

  if (whoami.ok)
    {
      ok = *reached = TRUE;
      pieper_account_set_user_id (account, whoami.user_id);
      pieper_account_set_user_name (account, whoami.user_name);
    }
  else if (g_error_matches (whoami.error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH))
    g_set_error_literal (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_AUTH,
                         _("The server refused this token; nothing was added"));
  else if (g_error_matches (whoami.error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_NOT_FOUND))
    g_set_error (error, PIEPER_PROVIDER_ERROR, whoami.error->code,
                 _("The server did not answer as expected (%s); check the URL. Nothing was added"),
                 whoami.error->message);
  else if (!g_error_matches (whoami.error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT) &&
           !g_error_matches (whoami.error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNKNOWN_OUTCOME) &&
           !g_error_matches (whoami.error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_RATE_LIMITED))
    g_set_error (error, PIEPER_PROVIDER_ERROR, whoami.error->code,
                 _("The server did not accept this (%s); nothing was added"),
                 whoami.error->message);
  else
    {
      ok = TRUE;
      g_debug ("Could not ask who the token belongs to: %s", whoami.error->message);
    }

  g_free (whoami.user_id);
  g_free (whoami.user_name);
  g_clear_error (&whoami.error);

  return ok;
}

static void
say_if_unreached (gboolean reached)
{
  if (!reached)
    printf ("%s\n", _("The server could not be reached, so who you are there is not known yet; "
                       "the app asks when it syncs"));
}

/* account add */

static PieperctlStatus
account_add (PieperctlContext  *ctx,
             int                argc,
             char             **argv)
{
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(PieperAccount) added = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url_message = NULL;
  g_autofree char *shown_url = NULL;
  g_autofree char *shown_email = NULL;
  g_autofree char *id_text = NULL;
  PieperctlStatus status = PIEPERCTL_OK;
  const char *provider = NULL;
  const char *url = NULL;
  const char *email = NULL;
  gboolean from_env = FALSE;
  gboolean duplicate = FALSE;
  gboolean reached = FALSE;
  gboolean token_optional;
  char *token = NULL;

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (take_option (argc, argv, &i, "--provider", &provider, &status) ||
          take_option (argc, argv, &i, "--url", &url, &status) ||
          take_option (argc, argv, &i, "--email", &email, &status))
        {
          if (status != PIEPERCTL_OK)
            return status;
        }
      else if (strcmp (arg, "--token") == 0 || g_str_has_prefix (arg, "--token="))
        /* Anything on a command line is visible to every user in ps. */
        return _pieperctl_usage (command, _("The token is never taken from the command line; "
                                            "pass it on standard input or in PIEPER_TOKEN"));
      else if (arg[0] == '-')
        return _pieperctl_usage (command, _("Unknown option “%s”"), arg);
      else
        return _pieperctl_usage (command, _("Too many arguments"));
    }

  if (provider == NULL)
    return _pieperctl_usage (command, _("--provider is required"));

  if (!is_known_provider (provider))
    {
      g_autofree char *known = g_strjoinv (", ", (GStrv) pieper_providers_list ());
      g_autofree char *shown = printable (provider);

      return _pieperctl_usage (command, _("Unknown provider “%s” (known: %s)"), shown, known);
    }

  if (url == NULL)
    return _pieperctl_usage (command, _("--url is required"));

  if (!check_url (url, &url_message))
    return _pieperctl_usage (command, "%s", url_message);

  if (email == NULL && provider_needs_email (provider))
    return _pieperctl_usage (command, _("--email is required: the server needs your e-mail address with every action"));

  if (email != NULL && !check_email (email))
    return _pieperctl_usage (command, _("The e-mail address is not valid"));

  if (email == NULL)
    email = "";

  shown_url = printable (url);
  /* Without an address, Alertmanager silences name the local user. */
  shown_email = printable (*email != '\0' ? email : g_get_user_name ());
  token_optional = pieper_providers_token_is_optional (provider);

  /* Before asking for a token that would not be used. */
  if (!find_duplicate (ctx->store, provider, url, email, &duplicate, &error))
    return _pieperctl_fail_error (error);
  if (duplicate)
    return _pieperctl_fail (_("There is already a %s account for %s at %s"), provider, shown_email, shown_url);

  if (!(token = get_new_token (token_optional, &from_env, &error)) && error != NULL)
    return _pieperctl_fail_error (error);

  account = pieper_account_new (provider, url, email);
  if (!learn_user (account, token, &reached, &error))
    {
      pieper_secret_token_free (token);
      return _pieperctl_fail_error (error);
    }

  if (!(added = pieper_store_add_account (ctx->store, account, &error)))
    {
      pieper_secret_token_free (token);
      return _pieperctl_fail_error (error);
    }

  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, pieper_account_get_id (added));

  if (token == NULL)
    {
      printf (_("Added %s account %s for %s at %s, without a token\n"),
              provider, id_text, shown_email, shown_url);
      say_if_unreached (reached);
      return PIEPERCTL_OK;
    }

  if (!pieper_secret_store_token (added, token, NULL, &error))
    {
      g_autoptr(GError) rollback_error = NULL;

      pieper_secret_token_free (token);

      if (from_env)
        {
          printf (_("Added %s account %s for %s at %s\n"),
                  provider, id_text, shown_email, shown_url);
          say_if_unreached (reached);
          fflush (stdout);
          if (g_error_matches (error, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_NO_SERVICE))
            fprintf (stderr, "pieperctl: %s\n",
                     _("No Secret Service is running, so the token is not kept; "
                       "pieperctl will read it from PIEPER_TOKEN"));
          else
            _pieperctl_fail (_("The token is not kept (%s); pieperctl will read it from PIEPER_TOKEN"),
                             error->message);
          return PIEPERCTL_OK;
        }

      /* An account without its token would only fail later, further from
       * the cause. */
      if (!pieper_store_remove_account (ctx->store, pieper_account_get_id (added), TRUE, &rollback_error))
        return _pieperctl_fail (_("%s (and the account could not be removed again: %s)"),
                                error->message, rollback_error->message);

      return _pieperctl_fail_error (error);
    }

  pieper_secret_token_free (token);

  printf (_("Added %s account %s for %s at %s; the token is in the Secret Service\n"),
          provider, id_text, shown_email, shown_url);
  say_if_unreached (reached);

  return PIEPERCTL_OK;
}

/* account list */

typedef enum
{
  TOKEN_NOT_NEEDED,
  TOKEN_NONE,
  TOKEN_FROM_ENV,
  TOKEN_STORED,
  TOKEN_MISSING,
  TOKEN_UNKNOWN,
  TOKEN_NO_SERVICE,
} TokenStatus;

static TokenStatus
token_status (PieperAccount *account,
              gboolean      *no_service)
{
  g_autoptr(GError) error = NULL;
  gboolean has_token = FALSE;

  if (!is_known_provider (pieper_account_get_provider (account)))
    return TOKEN_NOT_NEEDED;

  if (pieper_secret_get_env_token () != NULL)
    return TOKEN_FROM_ENV;

  /* Ask a missing Secret Service once, not once per account. */
  if (*no_service)
    return TOKEN_NO_SERVICE;

  if (!pieper_secret_has_token (account, &has_token, NULL, &error))
    {
      if (g_error_matches (error, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_NO_SERVICE))
        {
          *no_service = TRUE;
          return TOKEN_NO_SERVICE;
        }
      g_debug ("Could not look for a token: %s", error->message);
      return TOKEN_UNKNOWN;
    }

  if (!has_token && pieper_providers_token_is_optional (pieper_account_get_provider (account)))
    return TOKEN_NONE;

  return has_token ? TOKEN_STORED : TOKEN_MISSING;
}

static const char *
token_status_id (TokenStatus status)
{
  switch (status)
    {
    case TOKEN_NOT_NEEDED:
      return "not-needed";
    case TOKEN_NONE:
      return "none";
    case TOKEN_FROM_ENV:
      return "env";
    case TOKEN_STORED:
      return "stored";
    case TOKEN_MISSING:
      return "missing";
    case TOKEN_NO_SERVICE:
      return "no-secret-service";
    case TOKEN_UNKNOWN:
    default:
      return "unknown";
    }
}

static const char *
token_status_label (TokenStatus status)
{
  switch (status)
    {
    case TOKEN_NOT_NEEDED:
      return _("token: not needed");
    case TOKEN_NONE:
      return _("token: none");
    case TOKEN_FROM_ENV:
      return _("token: from PIEPER_TOKEN");
    case TOKEN_STORED:
      return _("token: stored");
    case TOKEN_MISSING:
      return _("token: missing");
    case TOKEN_NO_SERVICE:
      return _("token: unknown (no Secret Service)");
    case TOKEN_UNKNOWN:
    default:
      return _("token: unknown");
    }
}

static PieperctlStatus
account_list (PieperctlContext  *ctx,
              int                argc,
              char             **argv)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  gboolean no_service = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        json = TRUE;
      else if (argv[i][0] == '-')
        return _pieperctl_usage (command, _("Unknown option “%s”"), argv[i]);
      else
        return _pieperctl_usage (command, _("Too many arguments"));
    }

  if (!(accounts = pieper_store_list_accounts (ctx->store, &error)))
    return _pieperctl_fail_error (error);

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_sized_new (accounts->len);

      for (guint i = 0; i < accounts->len; i++)
        {
          PieperAccount *account = g_ptr_array_index (accounts, i);
          JsonNode *node = pieper_account_to_json (account);

          json_object_set_string_member (json_node_get_object (node), "token_status",
                                         token_status_id (token_status (account, &no_service)));
          json_array_add_element (array, node);
        }
      json_node_take_array (root, array);
      _pieperctl_print_json (root);
      return PIEPERCTL_OK;
    }

  if (accounts->len == 0)
    {
      printf ("%s\n", _("No accounts."));
      return PIEPERCTL_OK;
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      PieperAccount *account = g_ptr_array_index (accounts, i);
      const char *user = pieper_account_get_user_name (account);
      g_autofree char *provider = printable (pieper_account_get_provider (account));
      g_autofree char *url = printable (pieper_account_get_url (account));
      g_autofree char *email = printable (pieper_account_get_email (account));
      g_autofree char *shown_user = NULL;

      if (user == NULL || *user == '\0')
        user = pieper_account_get_user_id (account);
      shown_user = printable (user);

      printf ("%-4" G_GINT64_FORMAT " %-10s %s %s", pieper_account_get_id (account), provider,
              *email != '\0' ? email : "-", url);
      if (*shown_user != '\0')
        {
          printf ("  ");
          printf (_("user: %s"), shown_user);
        }
      printf ("  %s\n", token_status_label (token_status (account, &no_service)));
    }

  return PIEPERCTL_OK;
}

/* account remove */

static guint
count_unsent (PieperStore  *store,
              gint64        account_id,
              GError      **error)
{
  g_autoptr(PieperOutbox) outbox = pieper_outbox_new (store);
  g_autoptr(GPtrArray) actions = NULL;
  guint n = 0;

  if (!(actions = pieper_outbox_list (outbox, -1, error)))
    return G_MAXUINT;

  for (guint i = 0; i < actions->len; i++)
    {
      PieperAction *action = g_ptr_array_index (actions, i);
      PieperActionState state = pieper_action_get_state (action);

      if (pieper_action_get_account_id (action) == account_id &&
          (state == PIEPER_ACTION_PENDING || state == PIEPER_ACTION_INFLIGHT))
        n++;
    }

  return n;
}

static PieperctlStatus
account_remove (PieperctlContext  *ctx,
                int                argc,
                char             **argv)
{
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *email = NULL;
  const char *id_text = NULL;
  gboolean force = FALSE;
  gint64 id = 0;
  guint unsent;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--force") == 0)
        force = TRUE;
      else if (argv[i][0] == '-')
        return _pieperctl_usage (command, _("Unknown option “%s”"), argv[i]);
      else if (id_text != NULL)
        return _pieperctl_usage (command, _("Too many arguments"));
      else
        id_text = argv[i];
    }

  if (id_text == NULL)
    return _pieperctl_usage (command, _("Missing argument"));

  if (!g_ascii_string_to_signed (id_text, 10, 1, G_MAXINT64, &id, NULL))
    return _pieperctl_usage (command, _("The account id must be a number (see pieperctl account list)"));

  if (!(account = pieper_store_get_account (ctx->store, id, &error)))
    {
      if (g_error_matches (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_NOT_FOUND))
        return _pieperctl_fail (_("There is no account %s"), id_text);
      return _pieperctl_fail_error (error);
    }

  if ((unsent = count_unsent (ctx->store, id, &error)) == G_MAXUINT)
    return _pieperctl_fail_error (error);

  /* Removing an account must not silently drop the responder's work. */
  if (unsent > 0 && !force)
    return _pieperctl_fail (ngettext ("Account %s has %u unsent action; sync first, or use --force to drop it",
                                      "Account %s has %u unsent actions; sync first, or use --force to drop them",
                                      unsent),
                            id_text, unsent);

  if (!pieper_store_remove_account (ctx->store, id, force, &error))
    return _pieperctl_fail_error (error);

  url = printable (pieper_account_get_url (account));
  email = printable (pieper_account_get_email (account));

  if (is_known_provider (pieper_account_get_provider (account)) &&
      !pieper_secret_clear_token (account, NULL, &error))
    {
      /* Without a Secret Service there is no token to clear: it came from
       * PIEPER_TOKEN. */
      if (!g_error_matches (error, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_NO_SERVICE))
        return _pieperctl_fail (_("Removed account %s, but its token could not be cleared: %s"),
                                id_text, error->message);
      g_clear_error (&error);
    }

  if (unsent > 0)
    printf (ngettext ("Removed account %s (%s at %s) and dropped %u unsent action\n",
                      "Removed account %s (%s at %s) and dropped %u unsent actions\n",
                      unsent),
            id_text, email, url, unsent);
  else
    printf (_("Removed account %s (%s at %s)\n"), id_text, email, url);

  return PIEPERCTL_OK;
}

PieperctlStatus
_pieperctl_account (PieperctlContext  *ctx,
                    int                argc,
                    char             **argv)
{
  const char *subcommand;

  if (argc < 2)
    return _pieperctl_usage (command, _("Missing subcommand (add, list or remove)"));

  subcommand = argv[1];
  if (strcmp (subcommand, "add") == 0)
    return account_add (ctx, argc - 1, argv + 1);
  else if (strcmp (subcommand, "list") == 0)
    return account_list (ctx, argc - 1, argv + 1);
  else if (strcmp (subcommand, "remove") == 0)
    return account_remove (ctx, argc - 1, argv + 1);

  return _pieperctl_usage (command, _("Unknown subcommand “%s” (add, list or remove)"), subcommand);
}
