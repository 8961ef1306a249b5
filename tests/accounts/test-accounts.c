/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "TestAccounts"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <fcntl.h>
#include <libsecret/secret.h>
#include <pty.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <unistd.h>

#include "pieper-secret.h"

/*
 * pieperctl account add|list|remove against a real Secret Service: run by
 * run-with-keyring.sh inside a private D-Bus session with its own GNOME
 * Keyring. The first argument is the pieperctl binary.
 *
 * The schema is spelt out here rather than taken from pieper-secret.h, so
 * a change to the names under which tokens are kept fails a test: tokens
 * already in people's keyrings would be lost. The pieper-secret.h API is
 * tested against the same keyring at the end.
 */

static const SecretSchema token_schema = {
  "io.github.pieper.Token", SECRET_SCHEMA_NONE,
  {
    { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "url", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "email", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

#define PD_URL   "https://pd.example.com"
#define PD_EMAIL "oncall@example.com"

static const char *pieperctl_path;
static const char *sim_path;

typedef struct
{
  char *data_dir;
  char *token;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("pieper-accounts-XXXXXX", &error);

  g_assert_no_error (error);
  fixture->data_dir = g_build_filename (tmp, "data", NULL);
  g_assert_cmpint (g_mkdir (fixture->data_dir, 0700), ==, 0);
  /* Unique, so finding it anywhere means it leaked from this test. */
  fixture->token = g_strdup_printf ("pd-tok-%08x%08x", g_random_int (), g_random_int ());
}

static void
remove_tree (GFile *dir)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;
  GFile *child;

  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL && g_file_enumerator_iterate (children, &info, &child, NULL, NULL) && info != NULL)
    {
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_file_delete (child, NULL, NULL);
    }
  g_file_delete (dir, NULL, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *parent = g_path_get_dirname (fixture->data_dir);
  g_autoptr(GFile) dir = g_file_new_for_path (parent);

  /* Nothing of one test in the next one's keyring. */
  secret_password_clear_sync (&token_schema, NULL, NULL, "provider", "pagerduty", NULL);

  remove_tree (dir);
  g_free (fixture->data_dir);
  g_free (fixture->token);
}

/* Running pieperctl */

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Standard input from a file, not a pipe: a pieperctl that stops before
 * reading it must not make the test fail with EPIPE. */
static void
set_stdin (GSubprocessLauncher *launcher,
           Fixture             *fixture,
           const char          *input)
{
  g_autofree char *parent = g_path_get_dirname (fixture->data_dir);
  g_autofree char *path = g_build_filename (parent, "stdin", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, input != NULL ? input : "", -1, &error);
  g_assert_no_error (error);
  g_subprocess_launcher_set_stdin_file_path (launcher, path);
}

/* @env: NULL-terminated "NAME=VALUE" (set) or "NAME" (unset) entries. */
static void
run_full (Fixture            *fixture,
          const char * const *env,
          const char         *input,
          Result             *result,
          const char         *first_arg,
          va_list             args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) environ = g_get_environ ();
  const char *arg;

  g_ptr_array_add (argv, (gpointer) pieperctl_path);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, fixture->data_dir);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);

  /* The token travels on stdin or in the environment, never in argv. */
  for (guint i = 0; argv->pdata[i] != NULL; i++)
    g_assert_null (strstr (argv->pdata[i], fixture->token));

  environ = g_environ_unsetenv (environ, "PIEPER_TOKEN");
  environ = g_environ_unsetenv (environ, "G_MESSAGES_DEBUG");
  environ = g_environ_setenv (environ, "LC_ALL", "C.UTF-8", TRUE);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *eq = strchr (env[i], '=');

      if (eq != NULL)
        {
          g_autofree char *name = g_strndup (env[i], eq - env[i]);

          environ = g_environ_setenv (environ, name, eq + 1, TRUE);
        }
      else
        environ = g_environ_unsetenv (environ, env[i]);
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, environ);
  set_stdin (launcher, fixture, input);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);

  g_test_message ("pieperctl %s ... -> %d\nstdout: %s\nstderr: %s",
                  first_arg, result->status, result->out, result->err);

  /* Whatever happened, the token is not in the output. */
  g_assert_null (strstr (result->out, fixture->token));
  g_assert_null (strstr (result->err, fixture->token));
}

static int
run_env (Fixture            *fixture,
         const char * const *env,
         const char         *input,
         Result             *result,
         const char         *first_arg,
         ...) G_GNUC_NULL_TERMINATED;

static int
run_env (Fixture            *fixture,
         const char * const *env,
         const char         *input,
         Result             *result,
         const char         *first_arg,
         ...)
{
  va_list args;

  va_start (args, first_arg);
  run_full (fixture, env, input, result, first_arg, args);
  va_end (args);

  return result->status;
}

#define run(fixture, input, result, ...) run_env ((fixture), NULL, (input), (result), __VA_ARGS__, NULL)

static void
assert_one_line (const char *text)
{
  const char *newline = strchr (text, '\n');

  g_assert_nonnull (newline);
  g_assert_cmpstr (newline + 1, ==, "");
}

static char *
add_input (Fixture *fixture)
{
  return g_strdup_printf ("%s\n", fixture->token);
}

static int
add_account (Fixture    *fixture,
             Result     *result,
             const char *url,
             const char *email)
{
  g_autofree char *input = add_input (fixture);

  return run (fixture, input, result, "account", "add",
              "--provider", "pagerduty", "--url", url, "--email", email);
}

/* The keyring, asked directly */

/* A search that loads the secret, not secret_password_lookup_sync(),
 * which leaks its D-Bus reply in libsecret 0.20.5 (see pieper-secret.c). */
static char *
keyring_lookup (const char *url,
                const char *email)
{
  g_autoptr(GError) error = NULL;
  GList *items;
  char *copy = NULL;

  items = secret_password_search_sync (&token_schema,
                                       SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                                       NULL, &error,
                                       "provider", "pagerduty",
                                       "url", url,
                                       "email", email,
                                       NULL);
  g_assert_no_error (error);
  if (items != NULL)
    {
      g_autoptr(SecretValue) value = secret_item_get_secret (items->data);

      g_assert_nonnull (value);
      copy = g_strdup (secret_value_get_text (value));
    }
  g_list_free_full (items, g_object_unref);

  return copy;
}

static char *
keyring_label (const char *url,
               const char *email)
{
  g_autoptr(GError) error = NULL;
  GList *items;
  char *label = NULL;

  items = secret_password_search_sync (&token_schema, SECRET_SEARCH_ALL, NULL, &error,
                                       "provider", "pagerduty",
                                       "url", url,
                                       "email", email,
                                       NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  label = secret_retrievable_get_label (items->data);
  g_list_free_full (items, g_object_unref);

  return label;
}

static gboolean
bytes_contain (const char *haystack,
               gsize       length,
               const char *needle)
{
  gsize needle_length = strlen (needle);

  for (gsize i = 0; i + needle_length <= length; i++)
    if (memcmp (haystack + i, needle, needle_length) == 0)
      return TRUE;

  return FALSE;
}

/* Whether @needle is in the bytes of any file of the data directory: the
 * database, its WAL and shared-memory files, a journal. */
static gboolean
data_dir_contains (Fixture    *fixture,
                   const char *needle)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  gboolean found = FALSE;
  guint n_files = 0;

  dir = g_dir_open (fixture->data_dir, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->data_dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;

      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      n_files++;

      if (bytes_contain (contents, length, needle))
        found = TRUE;
    }

  g_assert_cmpuint (n_files, >, 0);

  return found;
}

/* Tests */

static void
test_add_list_remove (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_auto(Result) add = { 0, };
  g_auto(Result) list = { 0, };
  g_auto(Result) json = { 0, };
  g_auto(Result) remove = { 0, };
  g_auto(Result) after = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *label = NULL;
  g_autofree char *input = NULL;
  const char * const debug_env[] = { "G_MESSAGES_DEBUG=all", NULL };
  JsonArray *accounts;
  JsonObject *account;

  /* With every debug message on, so a token in a log line would show. The
   * token has spaces around it and a second line, which are not part of it. */
  input = g_strdup_printf ("  %s \nsecond line\n", fixture->token);
  g_assert_cmpint (run_env (fixture, debug_env, input, &add, "account", "add",
                            "--provider", "pagerduty", "--url", PD_URL, "--email", PD_EMAIL,
                            NULL), ==, 0);
  g_assert_nonnull (strstr (add.out, "Added pagerduty account 1"));
  /* Nothing listens there: added all the same, saying who you are is not
   * known yet. */
  g_assert_nonnull (strstr (add.out, "could not be reached"));

  stored = keyring_lookup (PD_URL, PD_EMAIL);
  g_assert_cmpstr (stored, ==, fixture->token);
  label = keyring_label (PD_URL, PD_EMAIL);
  g_assert_cmpstr (label, ==, "Pieper: " PD_EMAIL " at " PD_URL);

  /* The account is in the database, its token is not. Finding the e-mail
   * shows that the search sees what was written. */
  g_assert_true (data_dir_contains (fixture, PD_EMAIL));
  g_assert_false (data_dir_contains (fixture, fixture->token));

  g_assert_cmpint (run_env (fixture, debug_env, NULL, &list, "account", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (list.out, "pagerduty"));
  g_assert_nonnull (strstr (list.out, PD_EMAIL));
  g_assert_nonnull (strstr (list.out, PD_URL));
  g_assert_nonnull (strstr (list.out, "token: stored"));

  g_assert_cmpint (run (fixture, NULL, &json, "account", "list", "--json"), ==, 0);
  json_parser_load_from_data (parser, json.out, -1, &error);
  g_assert_no_error (error);
  accounts = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (accounts), ==, 1);
  account = json_array_get_object_element (accounts, 0);
  g_assert_cmpint (json_object_get_int_member (account, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (account, "provider"), ==, "pagerduty");
  g_assert_cmpstr (json_object_get_string_member (account, "url"), ==, PD_URL);
  g_assert_cmpstr (json_object_get_string_member (account, "email"), ==, PD_EMAIL);
  g_assert_cmpstr (json_object_get_string_member (account, "token_status"), ==, "stored");
  g_assert_null (json_object_get_string_member_with_default (account, "user_id", NULL));

  /* Once it is gone from the keyring, list says so. */
  g_assert_true (secret_password_clear_sync (&token_schema, NULL, &error,
                                             "provider", "pagerduty", "url", PD_URL, "email", PD_EMAIL,
                                             NULL));
  g_assert_no_error (error);
  {
    g_auto(Result) missing = { 0, };

    g_assert_cmpint (run (fixture, NULL, &missing, "account", "list"), ==, 0);
    g_assert_nonnull (strstr (missing.out, "token: missing"));
  }
  {
    g_auto(Result) again = { 0, };
    const char * const env[] = { "PIEPER_TOKEN=x", NULL };

    g_assert_cmpint (run_env (fixture, env, NULL, &again, "account", "list", NULL), ==, 0);
    g_assert_nonnull (strstr (again.out, "token: from PIEPER_TOKEN"));
  }
  g_assert_true (secret_password_store_sync (&token_schema, NULL, "put back", fixture->token, NULL, &error,
                                             "provider", "pagerduty", "url", PD_URL, "email", PD_EMAIL,
                                             NULL));
  g_assert_no_error (error);

  g_assert_cmpint (run (fixture, NULL, &remove, "account", "remove", "1"), ==, 0);
  g_assert_cmpstr (remove.err, ==, "");
  g_assert_null (keyring_lookup (PD_URL, PD_EMAIL));

  g_assert_cmpint (run (fixture, NULL, &after, "account", "list"), ==, 0);
  g_assert_cmpstr (after.out, ==, "No accounts.\n");
}

static void
test_duplicate (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_auto(Result) first = { 0, };
  g_auto(Result) second = { 0, };
  g_autofree char *stored = NULL;

  g_assert_cmpint (add_account (fixture, &first, PD_URL, PD_EMAIL), ==, 0);

  /* The second add must not replace the first account's token. */
  g_assert_cmpint (run (fixture, "another-token\n", &second, "account", "add",
                        "--provider", "pagerduty", "--url", PD_URL, "--email", PD_EMAIL), ==, 1);
  assert_one_line (second.err);
  g_assert_nonnull (strstr (second.err, "already"));
  g_assert_cmpstr (second.out, ==, "");

  stored = keyring_lookup (PD_URL, PD_EMAIL);
  g_assert_cmpstr (stored, ==, fixture->token);
}

static void
assert_no_account (Fixture *fixture)
{
  g_auto(Result) list = { 0, };

  g_assert_cmpint (run (fixture, NULL, &list, "account", "list"), ==, 0);
  g_assert_cmpstr (list.out, ==, "No accounts.\n");
}

static void
test_invalid (Fixture       *fixture,
              gconstpointer  user_data)
{
  static const struct {
    const char *args[11];
    int         status;
    const char *message;
  } cases[] = {
    { { "account", NULL }, 2, "subcommand" },
    { { "account", "frobnicate", NULL }, 2, "frobnicate" },
    { { "account", "add", "--url", PD_URL, "--email", PD_EMAIL, NULL }, 2, "--provider" },
    { { "account", "add", "--provider", "opsgenie", "--url", PD_URL, "--email", PD_EMAIL, NULL }, 2, "opsgenie" },
    { { "account", "add", "--provider", "pagerduty", "--email", PD_EMAIL, NULL }, 2, "--url" },
    { { "account", "add", "--provider", "pagerduty", "--url", "not a url", "--email", PD_EMAIL, NULL }, 2, "URL" },
    { { "account", "add", "--provider", "pagerduty", "--url", "ftp://pd.example.com", "--email", PD_EMAIL, NULL }, 2, "https://" },
    { { "account", "add", "--provider", "pagerduty", "--url", "http://pd.example.com", "--email", PD_EMAIL, NULL }, 2, "https://" },
    { { "account", "add", "--provider", "pagerduty", "--url", "https://me:secret@pd.example.com", "--email", PD_EMAIL, NULL }, 2, "password" },
    { { "account", "add", "--provider", "pagerduty", "--url", PD_URL, NULL }, 2, "--email" },
    { { "account", "add", "--provider", "pagerduty", "--url", PD_URL, "--email", "nobody", NULL }, 2, "e-mail" },
    { { "account", "add", "--provider", "pagerduty", "--url", PD_URL, "--email", PD_EMAIL, "--token", NULL }, 2, "PIEPER_TOKEN" },
    { { "account", "add", "--provider", "pagerduty", "--url", PD_URL, "--email", PD_EMAIL, "extra", NULL }, 2, "Too many" },
    { { "account", "list", "--yaml", NULL }, 2, "--yaml" },
    { { "account", "remove", NULL }, 2, "Missing" },
    { { "account", "remove", "one", NULL }, 2, "number" },
    { { "account", "remove", "7", NULL }, 1, "no account 7" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *input = add_input (fixture);

      g_ptr_array_add (argv, (gpointer) pieperctl_path);
      g_ptr_array_add (argv, (gpointer) "--data-dir");
      g_ptr_array_add (argv, fixture->data_dir);
      for (guint j = 0; cases[i].args[j] != NULL; j++)
        g_ptr_array_add (argv, (gpointer) cases[i].args[j]);
      g_ptr_array_add (argv, NULL);

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                            G_SUBPROCESS_FLAGS_STDERR_PIPE);
      g_subprocess_launcher_unsetenv (launcher, "PIEPER_TOKEN");
      set_stdin (launcher, fixture, input);
      process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);

      g_test_message ("case %u: %s -> %d: %s", i, cases[i].args[1],
                      g_subprocess_get_exit_status (process), err);
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, cases[i].status);
      assert_one_line (err);
      g_assert_nonnull (strstr (err, cases[i].message));
      g_assert_cmpstr (out, ==, "");
      g_assert_null (strstr (err, fixture->token));
    }

  /* None of that left an account or a token behind. */
  assert_no_account (fixture);
  g_assert_null (keyring_lookup (PD_URL, PD_EMAIL));
}

static void
test_bad_token (Fixture       *fixture,
                gconstpointer  user_data)
{
  static const char * const inputs[] = {
    "",
    "\n",
    "   \n",
    "tab\tinside\n",
    "caf\xc3\xa9\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_auto(Result) result = { 0, };

      g_assert_cmpint (run (fixture, inputs[i], &result, "account", "add",
                            "--provider", "pagerduty", "--url", PD_URL, "--email", PD_EMAIL), ==, 1);
      assert_one_line (result.err);
      g_assert_nonnull (strstr (result.err, "token"));
    }

  {
    g_auto(Result) result = { 0, };
    g_autofree char *huge = g_strnfill (5000, 'a');

    g_assert_cmpint (run (fixture, huge, &result, "account", "add",
                          "--provider", "pagerduty", "--url", PD_URL, "--email", PD_EMAIL), ==, 1);
    assert_one_line (result.err);
    g_assert_nonnull (strstr (result.err, "too long"));
  }

  assert_no_account (fixture);
  g_assert_null (keyring_lookup (PD_URL, PD_EMAIL));
}

static void
test_remove_unsent (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_auto(Result) add = { 0, };
  g_auto(Result) import = { 0, };
  g_auto(Result) ack = { 0, };
  g_auto(Result) refused = { 0, };
  g_auto(Result) list = { 0, };
  g_auto(Result) forced = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *document = NULL;
  g_autofree char *stored = NULL;

  g_assert_cmpint (add_account (fixture, &add, PD_URL, PD_EMAIL), ==, 0);

  /* An incident of that account, and an unsent acknowledgement of it. */
  document = g_build_filename (fixture->data_dir, "..", "incidents.json", NULL);
  g_file_set_contents (document,
                       "{ \"account\": { \"provider\": \"pagerduty\", \"url\": \"" PD_URL "\","
                       "                 \"email\": \"" PD_EMAIL "\" },"
                       "  \"incidents\": [ { \"id\": \"PABC123\", \"number\": 42,"
                       "                     \"title\": \"Disk full on db-1\", \"status\": \"triggered\" } ] }",
                       -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run (fixture, NULL, &import, "import", document), ==, 0);
  g_assert_cmpint (run (fixture, NULL, &ack, "ack", "PABC123"), ==, 0);

  g_assert_cmpint (run (fixture, NULL, &refused, "account", "remove", "1"), ==, 1);
  assert_one_line (refused.err);
  g_assert_nonnull (strstr (refused.err, "1 unsent action"));
  g_assert_nonnull (strstr (refused.err, "--force"));

  /* Refused means nothing changed. */
  g_assert_cmpint (run (fixture, NULL, &list, "account", "list"), ==, 0);
  g_assert_nonnull (strstr (list.out, "token: stored"));
  stored = keyring_lookup (PD_URL, PD_EMAIL);
  g_assert_cmpstr (stored, ==, fixture->token);

  g_assert_cmpint (run (fixture, NULL, &forced, "account", "remove", "1", "--force"), ==, 0);
  g_assert_nonnull (strstr (forced.out, "dropped 1 unsent action"));
  g_assert_null (keyring_lookup (PD_URL, PD_EMAIL));
  assert_no_account (fixture);
}

/* Drops dbus-daemon's own complaints (it cannot raise its file limit in a
 * container), which are not pieperctl's output. */
static char *
without_bus_noise (const char *err)
{
  g_auto(GStrv) lines = g_strsplit (err, "\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0' || g_str_has_prefix (lines[i], "dbus-daemon["))
        continue;
      g_string_append_printf (out, "%s\n", lines[i]);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
check_without_secret_service (Fixture            *fixture,
                              const char * const *env)
{
  g_autoptr(GPtrArray) with_token = g_ptr_array_new_with_free_func (g_free);
  g_auto(Result) refused = { 0, };
  g_auto(Result) added = { 0, };
  g_auto(Result) list = { 0, };
  g_auto(Result) list_env = { 0, };
  g_auto(Result) remove = { 0, };
  g_autofree char *input = add_input (fixture);
  g_autofree char *refused_err = NULL;
  g_autofree char *added_err = NULL;
  g_autofree char *token_var = g_strdup_printf ("PIEPER_TOKEN=%s", fixture->token);

  /* Without somewhere safe to keep the token: one clear line, and no
   * account without a token left behind. */
  g_assert_cmpint (run_env (fixture, env, input, &refused, "account", "add",
                            "--provider", "pagerduty", "--url", PD_URL, "--email", PD_EMAIL, NULL), ==, 1);
  refused_err = without_bus_noise (refused.err);
  assert_one_line (refused_err);
  g_assert_nonnull (strstr (refused_err, "No Secret Service is running"));
  g_assert_nonnull (strstr (refused_err, "PIEPER_TOKEN"));
  g_assert_cmpstr (refused.out, ==, "");
  assert_no_account (fixture);

  /* With PIEPER_TOKEN, scripts work anyway. */
  for (guint i = 0; env[i] != NULL; i++)
    g_ptr_array_add (with_token, g_strdup (env[i]));
  g_ptr_array_add (with_token, g_steal_pointer (&token_var));
  g_ptr_array_add (with_token, NULL);

  g_assert_cmpint (run_env (fixture, (const char * const *) with_token->pdata, NULL, &added, "account", "add",
                            "--provider", "pagerduty", "--url", PD_URL, "--email", PD_EMAIL, NULL), ==, 0);
  g_assert_nonnull (strstr (added.out, "Added pagerduty account"));
  added_err = without_bus_noise (added.err);
  assert_one_line (added_err);
  g_assert_nonnull (strstr (added_err, "PIEPER_TOKEN"));
  g_assert_false (data_dir_contains (fixture, fixture->token));

  g_assert_cmpint (run_env (fixture, (const char * const *) with_token->pdata, NULL, &list_env,
                            "account", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (list_env.out, "token: from PIEPER_TOKEN"));
  g_assert_cmpint (run_env (fixture, env, NULL, &list, "account", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (list.out, "no Secret Service"));

  /* Nothing went to the keyring that does run. */
  g_assert_null (keyring_lookup (PD_URL, PD_EMAIL));

  /* Removing works too: there is no token to clear. */
  g_assert_cmpint (run_env (fixture, env, NULL, &remove, "account", "remove", "1", NULL), ==, 0);
  assert_no_account (fixture);
}

static void
test_no_session_bus (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *address = g_strdup_printf ("DBUS_SESSION_BUS_ADDRESS=unix:path=%s/no-such-bus",
                                              fixture->data_dir);
  const char * const env[] = { address, NULL };

  check_without_secret_service (fixture, env);
}

/* A session bus on which nothing provides org.freedesktop.secrets, nor
 * could: a bus configuration without service directories. pieperctl runs
 * under its own dbus-run-session. */
static void
test_no_secret_service (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *parent = g_path_get_dirname (fixture->data_dir);
  g_autofree char *config = g_build_filename (parent, "bus.conf", NULL);
  g_autofree char *wrapper = g_build_filename (parent, "pieperctl-on-bare-bus", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  const char *saved = pieperctl_path;
  g_autofree char *dbus_run_session = g_find_program_in_path ("dbus-run-session");
  const char * const env[] = { "DBUS_SESSION_BUS_ADDRESS", NULL };

  if (dbus_run_session == NULL)
    {
      g_test_skip ("dbus-run-session is not installed");
      return;
    }

  contents = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                              " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                              "<busconfig>\n"
                              "  <type>session</type>\n"
                              "  <listen>unix:dir=%s</listen>\n"
                              "  <policy context=\"default\">\n"
                              "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                              "    <allow eavesdrop=\"true\"/>\n"
                              "    <allow own=\"*\"/>\n"
                              "  </policy>\n"
                              "</busconfig>\n",
                              parent);
  g_file_set_contents (config, contents, -1, &error);
  g_assert_no_error (error);

  script = g_strdup_printf ("#!/bin/sh\nexec dbus-run-session --config-file='%s' -- '%s' \"$@\"\n",
                            config, pieperctl_path);
  g_file_set_contents (wrapper, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (wrapper, 0755), ==, 0);

  pieperctl_path = wrapper;
  check_without_secret_service (fixture, env);
  pieperctl_path = saved;
}

/* At a terminal, pieperctl asks for the token with echo off: the terminal
 * shows nothing of what was typed. */
static void
test_tty_prompt (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GString) prompt = g_string_new (NULL);
  g_autoptr(GString) screen = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *typed = add_input (fixture);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *stored = NULL;
  GInputStream *stderr_pipe;
  int terminal = -1;
  int child_terminal = -1;
  char buffer[256];
  gssize n;

  g_assert_cmpint (openpty (&terminal, &child_terminal, NULL, NULL, NULL), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "PIEPER_TOKEN");
  g_subprocess_launcher_take_stdin_fd (launcher, child_terminal);
  process = g_subprocess_launcher_spawn (launcher, &error, pieperctl_path, "--data-dir", fixture->data_dir,
                                         "account", "add", "--provider", "pagerduty",
                                         "--url", PD_URL, "--email", PD_EMAIL, NULL);
  g_assert_no_error (error);
  g_clear_object (&launcher);

  /* Type only once asked: echo is off by then. */
  stderr_pipe = g_subprocess_get_stderr_pipe (process);
  while (strstr (prompt->str, "Token: ") == NULL)
    {
      n = g_input_stream_read (stderr_pipe, buffer, sizeof buffer, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (prompt, buffer, n);
    }
  g_assert_cmpint (write (terminal, typed, strlen (typed)), ==, (gssize) strlen (typed));

  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (out, "Added pagerduty account"));

  /* What the terminal would have shown. */
  g_assert_cmpint (fcntl (terminal, F_SETFL, O_NONBLOCK), ==, 0);
  while ((n = read (terminal, buffer, sizeof buffer)) > 0)
    g_string_append_len (screen, buffer, n);
  close (terminal);
  g_test_message ("terminal: %s", screen->str);
  g_assert_null (strstr (screen->str, fixture->token));
  g_assert_null (strstr (prompt->str, fixture->token));
  g_assert_null (strstr (err, fixture->token));

  stored = keyring_lookup (PD_URL, PD_EMAIL);
  g_assert_cmpstr (stored, ==, fixture->token);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* pieper-secret.h itself, as the app and the sync engine use it. */
static void
test_secret_api (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(PieperAccount) account = pieper_account_new ("pagerduty", PD_URL, PD_EMAIL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *direct = NULL;
  char *token;
  gboolean has_token = TRUE;

  /* Nothing stored: no token and no error. */
  g_assert_null (pieper_secret_lookup_token (account, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pieper_secret_has_token (account, &has_token, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (has_token);
  g_assert_null (pieper_secret_get_token (account, &error));
  g_assert_error (error, PIEPER_SECRET_ERROR, PIEPER_SECRET_ERROR_NO_TOKEN);
  g_clear_error (&error);

  g_assert_true (pieper_secret_store_token (account, fixture->token, NULL, &error));
  g_assert_no_error (error);

  /* Under the schema and label this file spells out. */
  direct = keyring_lookup (PD_URL, PD_EMAIL);
  g_assert_cmpstr (direct, ==, fixture->token);

  token = pieper_secret_lookup_token (account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, fixture->token);
  pieper_secret_token_free (token);

  pieper_secret_lookup_token_async (account, NULL, lookup_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  token = pieper_secret_lookup_token_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, fixture->token);
  pieper_secret_token_free (token);

  g_assert_true (pieper_secret_has_token (account, &has_token, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (has_token);

  token = pieper_secret_get_token (account, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, fixture->token);
  pieper_secret_token_free (token);

  /* PIEPER_TOKEN wins; an empty one does not count. */
  g_setenv ("PIEPER_TOKEN", "from-the-environment", TRUE);
  token = pieper_secret_get_token (account, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "from-the-environment");
  pieper_secret_token_free (token);
  g_setenv ("PIEPER_TOKEN", "", TRUE);
  g_assert_null (pieper_secret_get_env_token ());
  g_unsetenv ("PIEPER_TOKEN");

  g_assert_true (pieper_secret_clear_token (account, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (pieper_secret_lookup_token (account, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (keyring_lookup (PD_URL, PD_EMAIL));
  /* Clearing what is not there is no error. */
  g_assert_true (pieper_secret_clear_token (account, NULL, &error));
  g_assert_no_error (error);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* pieper-sim as a process of its own, with @token as its only token; its
 * URL, read from the line that says it listens. */
static GSubprocess *
start_sim (const char  *token,
           char       **url)
{
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  /* A sim that outlived a failed test would keep meson waiting. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  sim = g_subprocess_launcher_spawn (launcher, &error, sim_path,
                                     "--port", "0", "--incidents", "3", "--token", token, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening on "));
  *url = g_strdup (line + strlen ("listening on "));

  return g_steal_pointer (&sim);
}

/* account add asks the server who the token is first: a refused token
 * leaves nothing anywhere; an accepted one is kept with the user id. */
static void
test_whoami (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_auto(Result) refused = { 0, };
  g_auto(Result) added = { 0, };
  g_auto(Result) json = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *input = add_input (fixture);
  g_autofree char *stored = NULL;
  JsonObject *account;

  sim = start_sim (fixture->token, &url);

  g_assert_cmpint (run (fixture, "not-the-token\n", &refused, "account", "add",
                        "--provider", "pagerduty", "--url", url, "--email", PD_EMAIL), ==, 1);
  assert_one_line (refused.err);
  g_assert_nonnull (strstr (refused.err, "refused this token"));
  g_assert_cmpstr (refused.out, ==, "");
  assert_no_account (fixture);
  g_assert_null (keyring_lookup (url, PD_EMAIL));

  g_assert_cmpint (run (fixture, input, &added, "account", "add",
                        "--provider", "pagerduty", "--url", url, "--email", PD_EMAIL), ==, 0);
  g_assert_nonnull (strstr (added.out, "Added pagerduty account 1"));
  g_assert_null (strstr (added.out, "could not be reached"));
  stored = keyring_lookup (url, PD_EMAIL);
  g_assert_cmpstr (stored, ==, fixture->token);

  g_assert_cmpint (run (fixture, NULL, &json, "account", "list", "--json"), ==, 0);
  json_parser_load_from_data (parser, json.out, -1, &error);
  g_assert_no_error (error);
  account = json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0);
  g_assert_cmpstr (json_object_get_string_member (account, "user_id"), ==, "PME0001");
  g_assert_cmpstr (json_object_get_string_member (account, "user_name"), ==, "Mira Jansen");

  /* The keyring of the next test knows nothing of this one. */
  g_assert_true (secret_password_clear_sync (&token_schema, NULL, &error,
                                             "provider", "pagerduty", "url", url, NULL));
  g_subprocess_send_signal (sim, SIGTERM);
  g_subprocess_wait (sim, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (argc < 3)
    {
      g_printerr ("usage: %s PIEPERCTL PIEPER-SIM\n", argv[0]);
      return 2;
    }
  pieperctl_path = argv[1];
  sim_path = argv[2];

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_printerr ("Run this test with run-with-keyring.sh\n");
      return 2;
    }

  g_test_add ("/accounts/add-list-remove", Fixture, NULL, fixture_set_up, test_add_list_remove, fixture_tear_down);
  g_test_add ("/accounts/duplicate", Fixture, NULL, fixture_set_up, test_duplicate, fixture_tear_down);
  g_test_add ("/accounts/invalid", Fixture, NULL, fixture_set_up, test_invalid, fixture_tear_down);
  g_test_add ("/accounts/bad-token", Fixture, NULL, fixture_set_up, test_bad_token, fixture_tear_down);
  g_test_add ("/accounts/remove-unsent", Fixture, NULL, fixture_set_up, test_remove_unsent, fixture_tear_down);
  g_test_add ("/accounts/tty-prompt", Fixture, NULL, fixture_set_up, test_tty_prompt, fixture_tear_down);
  g_test_add ("/accounts/secret-api", Fixture, NULL, fixture_set_up, test_secret_api, fixture_tear_down);
  g_test_add ("/accounts/no-session-bus", Fixture, NULL, fixture_set_up, test_no_session_bus, fixture_tear_down);
  g_test_add ("/accounts/no-secret-service", Fixture, NULL, fixture_set_up, test_no_secret_service, fixture_tear_down);
  g_test_add ("/accounts/whoami", Fixture, NULL, fixture_set_up, test_whoami, fixture_tear_down);

  return g_test_run ();
}
