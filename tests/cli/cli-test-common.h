/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "test-util.h"

G_BEGIN_DECLS

/*
 * What every pieperctl test needs: the binary under test, the sample
 * incidents, a private data directory, and a way to run pieperctl in it and
 * look at what it said.
 */

/* Takes the path of pieperctl from argv[1] (meson passes it), then runs
 * g_test_init(). Without it, $PIEPERCTL or the build tree is used. */
void        cli_test_init           (int     *argc,
                                     char  ***argv);
const char *cli_test_pieperctl      (void);
const char *cli_test_sample         (void);

typedef struct
{
  int   status;  /* the exit status; a signal fails the test */
  char *out;
  char *err;
} CliRun;

void        cli_run_free            (CliRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliRun, cli_run_free)

/* Runs `pieperctl --data-dir DATA_DIR ARGS…` (no --data-dir when DATA_DIR
 * is NULL) with @input on standard input (may be NULL: empty), and
 * @child_setup run in the child before exec (may be NULL). */
CliRun     *cli_runv                (const char            *data_dir,
                                     GBytes                *input,
                                     GSpawnChildSetupFunc   child_setup,
                                     const char * const    *args);
CliRun     *cli_run                 (const char            *data_dir,
                                     const char            *first_arg,
                                     ...) G_GNUC_NULL_TERMINATED;
/* Same, with @input (a C string) on standard input. */
CliRun     *cli_run_with_input      (const char            *data_dir,
                                     const char            *input,
                                     const char            *first_arg,
                                     ...) G_GNUC_NULL_TERMINATED;

/* Exit 0 and nothing on standard error. */
void        cli_assert_ok           (CliRun      *run);
/* Exit @status and exactly one line "pieperctl: …" on standard error: no
 * GLib critical or warning, no assertion, no trace. */
void        cli_assert_one_line     (CliRun      *run,
                                     int          status);

/* A data directory in a fresh temporary directory, with the sample
 * incidents imported. */
char       *cli_make_store          (char       **tmp_dir);

/* Direct looks at the database, with pieperctl not running. */
char       *cli_db_integrity        (const char  *db_path);
gint64      cli_db_count_notes      (const char  *db_path,
                                     const char  *text);
gint64      cli_db_count            (const char  *db_path,
                                     const char  *sql);
/* Runs a statement that returns no rows; returns how many rows it changed. */
gint64      cli_db_exec             (const char  *db_path,
                                     const char  *sql);

G_END_DECLS
