/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <sys/prctl.h>

#include "pieper-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PieperApplication) app = NULL;
  const char *localedir;

  /* Holding API tokens: no core dump, and no ptrace or /proc/PID/environ
   * for other processes of the same user (as ssh-agent does). */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);

  /* PIEPER_LOCALEDIR: the tests' translations, built in the build tree. */
  localedir = g_getenv ("PIEPER_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && localedir[0] != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = pieper_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
