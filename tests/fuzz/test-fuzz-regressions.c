/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-fuzz-regressions"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pieper-alertmanager-private.h"
#include "pieper-pagerduty-private.h"

/*
 * What the fuzzers found, asserted in every build: the replay tests run the
 * inputs of tests/fixtures/fuzz-regressions, but a leak only shows under
 * LeakSanitizer, so here each one is checked to be refused, and the bodies
 * next to it still read as before.
 *
 * Each was a leak in json-glib 1.6, which no untrusted document reaches
 * now: PagerDuty, Alertmanager and `pieperctl import` parse with our own
 * strict parser (_pieper_json_parse_untrusted), which refuses a second value after the first ("3.0{…}", "{…} {…}",
 * "'…'[…]", or one a comment hid, "{"a": /[/ 1} {}"), a \u escape of fewer than four hex digits, a surrogate
 * escape that is not half of a pair.
 */

typedef struct
{
  const char *file;
  const char *message;
} Regression;

#define SEVERAL "more than one value"
#define ESCAPE  "broken \\u escape"
/* PagerDuty's own parser (pieper-json.c) reads only C comments, and no
 * single quotes: what json-glib read as a '/…/' comment or a quoted string
 * is refused where it starts. */
#define MALFORMED "malformed or truncated"


static char *
regression_path (const char *target,
                 const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "fuzz-regressions", target, name, NULL);
}

static void
assert_pagerduty_refuses (const char *data,
                          gsize       length,
                          const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperJsonDoc) root = _pieper_pagerduty_parse (data, length, &error);

  g_assert_null (root);
  g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_TRANSIENT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, message));
}

static void
assert_pagerduty_reads (const char *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PieperJsonDoc) root = _pieper_pagerduty_parse (data, strlen (data), &error);

  g_assert_no_error (error);
  g_assert_nonnull (root);
}

static void
test_pagerduty (void)
{
  static const Regression regressions[] = {
    { "leak-number-then-object.json", SEVERAL },
    { "leak-two-objects.json", SEVERAL },
    { "leak-short-unicode-escape.json", ESCAPE },
    { "leak-broken-surrogate-pair.json", ESCAPE },
    { "leak-comment-hides-bracket.json", MALFORMED },
    { "leak-slash-comment.json", MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (regressions); i++)
    {
      g_autofree char *path = regression_path ("pagerduty", regressions[i].file);
      g_autofree char *data = NULL;
      g_autoptr(GError) error = NULL;
      gsize length = 0;

      g_file_get_contents (path, &data, &length, &error);
      g_assert_no_error (error);
      assert_pagerduty_refuses (data, length, regressions[i].message);
    }

  assert_pagerduty_refuses ("[1] [2]", 7, SEVERAL);
  assert_pagerduty_refuses ("{}{}", 4, SEVERAL);
  assert_pagerduty_refuses ("\"a\" {}", 6, SEVERAL);
  assert_pagerduty_refuses ("'a' {}", 6, MALFORMED);
  assert_pagerduty_refuses ("true[]", 6, SEVERAL);
  assert_pagerduty_refuses ("{\"a\": /[/ 1} {}", 15, MALFORMED);
  assert_pagerduty_refuses ("[1] /* [ */ [2]", 15, SEVERAL);
  assert_pagerduty_refuses ("0/**0/[1]", 9, MALFORMED);
  assert_pagerduty_refuses ("[\"\\u12\"]", 8, ESCAPE);
  assert_pagerduty_refuses ("[\"\\udc00\\udc00\"]", 16, ESCAPE);
  assert_pagerduty_refuses ("[\"\\ud800\\u0041\"]", 16, ESCAPE);
  assert_pagerduty_refuses ("[\"\\ud800\"]", 10, ESCAPE);
  assert_pagerduty_refuses ("[\"\\udc00x\"]", 11, ESCAPE);

  /* What is still read: one value, with whitespace or a byte order mark
   * around it, and brackets inside strings. */
  assert_pagerduty_reads ("{\"a\": \"} {\"}\n");
  assert_pagerduty_reads ("  [1, {\"b\": [2]}]  \r\n");
  assert_pagerduty_reads ("\xef\xbb\xbf{\"a\": 1}");
  assert_pagerduty_reads ("-3");
  assert_pagerduty_reads ("[\"\\ud83d\\ude00 \\u00e9 \\\" \\\\u12\"]");
  assert_pagerduty_reads ("[\"it's\", \"[\"]");
  assert_pagerduty_reads ("[1, /* ] */ 2]");
  assert_pagerduty_reads ("{\"url\": \"https://example.com/a/b\"}");
}

/* Alertmanager's list of alerts kept the key of the last duplicate
 * fingerprint in its "seen" set and freed it with that duplicate, so a
 * third alert with the same fingerprint was compared with freed memory (a
 * use after free under ASan; without it the third alert slipped through as
 * a second incident with the same id). */
static void
test_alertmanager (void)
{
  g_autofree char *path = regression_path ("alertmanager", "uaf-three-same-fingerprints.json");
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  PieperAmAlert *alert;
  gsize length = 0;

  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);

  root = _pieper_am_parse (data, length, &error);
  g_assert_no_error (error);
  alerts = _pieper_am_alerts_from_json (root, &error);
  g_assert_no_error (error);

  /* One incident per fingerprint: the first. */
  g_assert_cmpuint (alerts->len, ==, 1);
  alert = g_ptr_array_index (alerts, 0);
  g_assert_cmpstr (alert->fingerprint, ==, "00000000000000ab");
  g_assert_cmpstr (alert->label_values[0], ==, "A");
}

static char *
run_import (const char *pieperctl,
            const char *data_dir,
            const char *file,
            int        *status)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              pieperctl, "--data-dir", data_dir, "import", file, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (process);

  return g_steal_pointer (&err);
}

static void
test_import (gconstpointer data)
{
  static const Regression regressions[] = {
    { "leak-array-then-object.json", SEVERAL },
    { "leak-two-arrays.json", SEVERAL },
    /* Single quotes are no JSON to the strict parser: refused at once. */
    { "leak-single-quoted-then-array.json", ":1:1: not valid JSON" },
    { "leak-broken-surrogate-pair.json", ESCAPE },
    { "leak-lone-surrogate.json", ESCAPE },
    { "leak-comment-between-arrays.json", SEVERAL },
  };
  const char *pieperctl = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pieper-fuzz-regressions-XXXXXX", &error);
  g_autoptr(GDir) listing = NULL;
  const char *name;

  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (regressions); i++)
    {
      g_autofree char *path = regression_path ("import", regressions[i].file);
      g_autofree char *err = NULL;
      int status = 0;

      err = run_import (pieperctl, dir, path, &status);
      g_test_message ("%s: %s", regressions[i].file, err);
      g_assert_cmpint (status, ==, 1);
      g_assert_nonnull (strstr (err, regressions[i].message));
    }

  /* Nothing was imported. */
  {
    g_autoptr(GSubprocess) list = NULL;
    g_autofree char *out = NULL;

    list = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             pieperctl, "--data-dir", dir, "list", "--json", "--filter", "all", NULL);
    g_assert_no_error (error);
    g_subprocess_communicate_utf8 (list, NULL, NULL, &out, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_subprocess_get_exit_status (list), ==, 0);
    g_assert_null (strstr (out, "\"id\""));
  }

  listing = g_dir_open (dir, 0, NULL);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fuzz/regressions/pagerduty", test_pagerduty);
  g_test_add_func ("/fuzz/regressions/alertmanager", test_alertmanager);
  if (argc > 1)
    g_test_add_data_func ("/fuzz/regressions/import", argv[1], test_import);

  return g_test_run ();
}
