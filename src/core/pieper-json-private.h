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

/* @nul_free (optional): set to a copy with every \u0000 escape in a string
 * made \ufffd, or to NULL when there is none. */
PieperJsonShape _pieper_json_check_shape (const char  *data,
                                          gsize        length,
                                          guint        max_depth,
                                          char       **nul_free);

G_END_DECLS
