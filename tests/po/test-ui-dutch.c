/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>

#include "app-test-util.h"
#include "pieper-incident-page.h"
#include "test-util.h"

/*
 * The templates come out in Dutch under LANGUAGE=nl: tests/po/meson.build
 * runs this with LANGUAGE=nl, LC_ALL=C.UTF-8 and PIEPER_LOCALEDIR pointing
 * at the .mo files built in the build tree, as pieper's main() binds them.
 */

static gboolean
label_is (GtkWidget *widget,
          gpointer   data)
{
  return g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), data) == 0;
}

static void
test_incident_page_dutch (void)
{
  GtkWidget *page = g_object_ref_sink (g_object_new (PIEPER_TYPE_INCIDENT_PAGE, NULL));
  GtkWidget *status;

  /* A plain GtkLabel of the template, a mnemonic button label, and a
   * libadwaita property. */
  g_assert_nonnull (app_test_find_widget (page, GTK_TYPE_LABEL, label_is, (gpointer) "Wacht op synchronisatie"));
  g_assert_null (app_test_find_widget (page, GTK_TYPE_LABEL, label_is, (gpointer) "Waiting to sync"));
  g_assert_nonnull (app_test_find_widget (page, GTK_TYPE_LABEL, label_is, (gpointer) "_Bevestigen"));
  g_assert_nonnull (app_test_find_widget (page, GTK_TYPE_LABEL, label_is, (gpointer) "_Escaleren"));

  status = app_test_find_widget (page, ADW_TYPE_STATUS_PAGE, NULL, NULL);
  g_assert_nonnull (status);
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==, "Geen incident geselecteerd");

  g_object_unref (page);
}

static void
test_code_strings_dutch (void)
{
  /* Strings from C, plural forms included. */
  g_assert_cmpstr (_("Triggered"), ==, "Getriggerd");
  g_assert_cmpstr (ngettext ("%u incident", "%u incidents", 1), ==, "%u incident");
  g_assert_cmpstr (ngettext ("%u incident", "%u incidents", 3), ==, "%u incidenten");
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("PIEPER_LOCALEDIR");
  g_autofree char *dir = NULL;
  PieperApplication *app;
  int status;

  g_assert_nonnull (localedir);
  /* gtk_test_init() keeps the C locale, where gettext ignores LANGUAGE;
   * pieper's main() leaves it to gtk_init(), which sets the user's. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (&argc, &argv, NULL);

  dir = test_make_tmp_dir ();
  app = app_test_application (dir, FALSE);
  g_type_ensure (PIEPER_TYPE_INCIDENT_PAGE);

  g_test_add_func ("/po/ui/incident-page-dutch", test_incident_page_dutch);
  g_test_add_func ("/po/ui/code-strings-dutch", test_code_strings_dutch);
  status = g_test_run ();

  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  test_remove_tree (dir);
  return status;
}
