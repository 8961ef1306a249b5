/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-import"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "pieper-json.h"
#include "pieper-json-private.h"
#include "pieper-store.h"

#include "fuzz-target.h"

/*
 * `pieperctl import`: the document is read as _pieperctl_import reads it
 * (NUL-terminated, as g_file_get_contents returns it; parsed by
 * _pieper_json_parse_untrusted and made a json-glib tree) and handed to
 * pieper_store_import, which checks every incident with
 * pieper_incident_from_json and writes them into a real store.
 *
 * Opening a store costs milliseconds, so one store (on /dev/shm when there
 * is one) serves many inputs and is thrown away after RESET_AFTER imports
 * that wrote something, to keep it small.
 */

/* _pieperctl_import's limits (src/cli/pieperctl-local.c). */
#define IMPORT_MAX_DEPTH 1000
#define RESET_AFTER      500

static char *store_dir;
static PieperStore *store;
static guint n_written;

static void
remove_store (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&store);
  if (store_dir == NULL)
    return;

  if ((dir = g_dir_open (store_dir, 0, NULL)) != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (store_dir, name, NULL);

        g_unlink (path);
      }
}

static void
open_store (void)
{
  g_autoptr(GError) error = NULL;

  remove_store ();
  store = pieper_store_open (store_dir, &error);
  g_assert_no_error (error);
  n_written = 0;
}

static void
cleanup (void)
{
  remove_store ();
  if (store_dir != NULL)
    g_rmdir (store_dir);
  g_clear_pointer (&store_dir, g_free);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  const char *tmp = g_getenv ("TMPDIR");

  pieper_fuzz_setup ();

  if (tmp == NULL && g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) &&
      g_access ("/dev/shm", W_OK) == 0)
    tmp = "/dev/shm";
  if (tmp == NULL)
    tmp = g_get_tmp_dir ();

  {
    g_autofree char *template = g_build_filename (tmp, "pieper-fuzz-import-XXXXXX", NULL);

    store_dir = g_mkdtemp (g_steal_pointer (&template));
  }
  g_assert (store_dir != NULL);
  atexit (cleanup);

  open_store ();
  (void) error;

  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(PieperJsonDoc) doc = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  PieperJsonShape problem;
  guint n = 0;

  contents = g_malloc (size + 1);
  memcpy (contents, data, size);
  contents[size] = '\0';

  /* As pieperctl import does. */
  if (!(doc = _pieper_json_parse_untrusted (contents, size, IMPORT_MAX_DEPTH, &problem, NULL)))
    return 0;
  root = _pieper_json_value_to_node (_pieper_json_doc_get_root (doc));

  if (pieper_store_import (store, root, &n, &error))
    {
      g_assert_no_error (error);
      if (n > 0 && ++n_written >= RESET_AFTER)
        open_store ();
    }
  else
    {
      g_assert (error != NULL);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      /* A refused document writes nothing, and the store stays usable. */
      g_assert (error->domain == PIEPER_STORE_ERROR);
    }

  return 0;
}
