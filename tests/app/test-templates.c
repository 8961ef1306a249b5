/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "app-test-util.h"
#include "pieper-account-form.h"
#include "pieper-accounts-page.h"
#include "pieper-incident-page.h"
#include "pieper-incident-row.h"
#include "pieper-preferences-window.h"
#include "pieper-timeline-row.h"
#include "pieper-welcome-page.h"
#include "pieper-window.h"
#include "test-util.h"

/*
 * Every .ui file in the gresource builds on this system's GTK and
 * libadwaita (Debian 12: GTK 4.8, libadwaita 1.2), where the compiler's
 * version guards cannot look: an unknown property, class or signal is a
 * warning, and warnings are fatal in the tests.
 */

#define UI_PREFIX "/io/github/pieper/Pieper/"

static PieperApplication *app;

static void
collect (const char *dir,
         GPtrArray  *paths)
{
  g_auto(GStrv) children = g_resources_enumerate_children (dir, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  for (guint i = 0; children != NULL && children[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat (dir, children[i], NULL);

      if (g_str_has_suffix (children[i], "/"))
        collect (path, paths);
      else if (g_str_has_suffix (children[i], ".ui"))
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
}

static void
test_ui_file (gconstpointer data)
{
  const char *path = data;
  g_autoptr(GBytes) bytes = NULL;
  const char *text, *template;
  GError *error = NULL;

  bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  text = g_bytes_get_data (bytes, NULL);

  template = strstr (text, "<template class=\"");
  if (template != NULL)
    {
      g_autofree char *type_name = NULL;
      GtkWidget *widget;
      GType type;

      template += strlen ("<template class=\"");
      type_name = g_strndup (template, strcspn (template, "\""));
      type = g_type_from_name (type_name);
      g_assert_true (type != G_TYPE_INVALID);

      if (type == PIEPER_TYPE_WINDOW)
        widget = GTK_WIDGET (pieper_window_new (app));
      else
        widget = g_object_ref_sink (g_object_new (type, NULL));

      if (GTK_IS_WINDOW (widget))
        gtk_window_destroy (GTK_WINDOW (widget));
      else
        g_object_unref (widget);
    }
  else
    {
      g_autoptr(GtkBuilder) builder = gtk_builder_new ();
      GSList *objects;

      g_assert_true (gtk_builder_add_from_resource (builder, path, &error));
      g_assert_no_error (error);

      objects = gtk_builder_get_objects (builder);
      for (GSList *l = objects; l != NULL; l = l->next)
        if (GTK_IS_WINDOW (l->data) && gtk_widget_get_parent (l->data) == NULL)
          gtk_window_destroy (l->data);
      g_slist_free (objects);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);

  dir = test_make_tmp_dir ();
  app = app_test_application (dir, FALSE);

  /* Every type a template may name. */
  g_type_ensure (PIEPER_TYPE_WINDOW);
  g_type_ensure (PIEPER_TYPE_INCIDENT_PAGE);
  g_type_ensure (PIEPER_TYPE_INCIDENT_ROW);
  g_type_ensure (PIEPER_TYPE_TIMELINE_ROW);
  g_type_ensure (PIEPER_TYPE_PREFERENCES_WINDOW);
  g_type_ensure (PIEPER_TYPE_ACCOUNT_FORM);
  g_type_ensure (PIEPER_TYPE_ACCOUNTS_PAGE);
  g_type_ensure (PIEPER_TYPE_WELCOME_PAGE);

  collect (UI_PREFIX, paths);
  g_assert_cmpuint (paths->len, >=, 6);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *test_path = g_strconcat ("/app/templates/", path + strlen (UI_PREFIX), NULL);

      g_test_add_data_func (test_path, path, test_ui_file);
    }

  status = g_test_run ();

  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  test_remove_tree (dir);
  return status;
}
