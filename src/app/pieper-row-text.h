/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PIEPER_TYPE_ROW_TEXT (pieper_row_text_get_type ())
G_DECLARE_FINAL_TYPE (PieperRowText, pieper_row_text, PIEPER, ROW_TEXT, GtkWidget)

GtkWidget  *pieper_row_text_new       (void);
const char *pieper_row_text_get_text  (PieperRowText *self);
void        pieper_row_text_set_text  (PieperRowText *self,
                                       const char    *text);
guint       pieper_row_text_get_lines (PieperRowText *self);
void        pieper_row_text_set_lines (PieperRowText *self,
                                       guint          lines);

G_END_DECLS
