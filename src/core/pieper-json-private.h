/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What _pieper_json_check_shape found wrong with a document before
 * json-glib sees it (pieper-json.c says why each matters). */
typedef enum
{
  PIEPER_JSON_SHAPE_OK,
  PIEPER_JSON_SHAPE_TOO_DEEP,
  PIEPER_JSON_SHAPE_SEVERAL_VALUES,
  PIEPER_JSON_SHAPE_BAD_ESCAPE,
} PieperJsonShape;

PieperJsonShape _pieper_json_check_shape (const char *data,
                                          gsize       length,
                                          guint       max_depth);
/* A copy with every \u0000 escape in a string made \ufffd, or NULL. */
char           *_pieper_json_replace_nul_escapes (const char *data,
                                                  gsize       length);

G_END_DECLS
