/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pieper.h>

G_BEGIN_DECLS

typedef enum
{
  PIEPERCTL_OK = 0,
  PIEPERCTL_ERROR = 1,
  PIEPERCTL_USAGE = 2,
} PieperctlStatus;

typedef struct
{
  char        *data_dir;
  PieperStore *store;
} PieperctlContext;

typedef PieperctlStatus (*PieperctlCommandFunc) (PieperctlContext  *ctx,
                                                 int                argc,
                                                 char             **argv);

typedef struct
{
  const char           *name;
  PieperctlCommandFunc  func;
  const char           *synopsis;
  const char           *summary;
  gboolean              needs_store;
} PieperctlCommand;

/* Prints "pieperctl: MESSAGE" as one line on stderr. */
PieperctlStatus _pieperctl_fail       (const char        *format,
                                       ...) G_GNUC_PRINTF (1, 2);
PieperctlStatus _pieperctl_fail_error (const GError      *error);
PieperctlStatus _pieperctl_usage      (const char        *command,
                                       const char        *format,
                                       ...) G_GNUC_PRINTF (2, 3);
void            _pieperctl_print_json (JsonNode          *node);
/* @text followed by spaces up to @width terminal columns. printf's "%-20s"
 * counts bytes, so translated labels with "ü" or "é" would come out short. */
char           *_pieperctl_pad        (const char        *text,
                                       guint              width);
PieperStore    *_pieperctl_get_store  (PieperctlContext  *ctx,
                                       GError           **error);

/* Runs one command; used by main() and by `batch`. */
PieperctlStatus _pieperctl_run        (PieperctlContext  *ctx,
                                       int                argc,
                                       char             **argv);

/* Commands on the local store (pieperctl-local.c). */
PieperctlStatus _pieperctl_list       (PieperctlContext *ctx, int argc, char **argv);
PieperctlStatus _pieperctl_show       (PieperctlContext *ctx, int argc, char **argv);
PieperctlStatus _pieperctl_ack        (PieperctlContext *ctx, int argc, char **argv);
PieperctlStatus _pieperctl_resolve    (PieperctlContext *ctx, int argc, char **argv);
PieperctlStatus _pieperctl_escalate   (PieperctlContext *ctx, int argc, char **argv);
PieperctlStatus _pieperctl_reassign   (PieperctlContext *ctx, int argc, char **argv);
PieperctlStatus _pieperctl_snooze     (PieperctlContext *ctx, int argc, char **argv);
PieperctlStatus _pieperctl_note       (PieperctlContext *ctx, int argc, char **argv);
PieperctlStatus _pieperctl_outbox     (PieperctlContext *ctx, int argc, char **argv);
PieperctlStatus _pieperctl_export     (PieperctlContext *ctx, int argc, char **argv);
PieperctlStatus _pieperctl_import     (PieperctlContext *ctx, int argc, char **argv);
PieperctlStatus _pieperctl_batch      (PieperctlContext *ctx, int argc, char **argv);

/* Commands that talk to servers (pieperctl-sync.c). */
PieperctlStatus _pieperctl_sync       (PieperctlContext *ctx, int argc, char **argv);
PieperctlStatus _pieperctl_watch      (PieperctlContext *ctx, int argc, char **argv);

/* Accounts and their tokens (pieperctl-account.c). */
PieperctlStatus _pieperctl_account    (PieperctlContext *ctx, int argc, char **argv);

G_END_DECLS
