/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "fuzz-target.h"

/*
 * A fuzz target as an ordinary test, for any compiler: each argument is a
 * file, or a directory whose files are read (not recursively), and every
 * one is fed to LLVMFuzzerTestOneInput as one GTest case. This is how the
 * normal suite runs the seed corpus and the regression inputs of
 * tests/fixtures/fuzz-regressions through the same code the fuzzers do.
 */

static void
replay (gconstpointer data)
{
  const char *path = data;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *copy = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  /* Exactly the bytes of the file, in a buffer of exactly that size, as
   * libFuzzer hands them over: an overread is caught by ASan. */
  copy = g_memdup2 (contents, length);
  LLVMFuzzerTestOneInput (copy, length);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  int rc;

  g_test_init (&argc, &argv, NULL);
  LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) names = NULL;
      const char *name;

      if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_ptr_array_add (paths, g_strdup (argv[i]));
          continue;
        }

      dir = g_dir_open (argv[i], 0, NULL);
      g_assert_nonnull (dir);
      names = g_ptr_array_new_with_free_func (g_free);
      while ((name = g_dir_read_name (dir)) != NULL)
        if (name[0] != '.' && !g_str_has_suffix (name, ".md"))
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);
      for (guint j = 0; j < names->len; j++)
        g_ptr_array_add (paths, g_build_filename (argv[i], g_ptr_array_index (names, j), NULL));
    }

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *parent = g_path_get_dirname (path);
      g_autofree char *parent_base = g_path_get_basename (parent);
      g_autofree char *test_path = g_strdup_printf ("/fuzz/replay/%s/%s", parent_base, base);

      g_test_add_data_func (test_path, path, replay);
    }

  rc = g_test_run ();
  return rc;
}
