/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <pieper.h>

G_BEGIN_DECLS

#define PIEPER_TYPE_TIMELINE_ROW (pieper_timeline_row_get_type ())
G_DECLARE_FINAL_TYPE (PieperTimelineRow, pieper_timeline_row, PIEPER, TIMELINE_ROW, GtkListBoxRow)

GtkWidget           *pieper_timeline_row_new       (PieperTimelineEntry *entry);
PieperTimelineEntry *pieper_timeline_row_get_entry (PieperTimelineRow   *self);

G_END_DECLS
