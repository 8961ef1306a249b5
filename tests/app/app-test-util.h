/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <pieper.h>

#include "pieper-application.h"

G_BEGIN_DECLS

typedef gboolean (*AppTestCondition) (gpointer data);

/* Runs the main context until @condition holds, or fails the test after
 * @seconds. */
void               app_test_wait_for      (AppTestCondition  condition,
                                           gpointer          data,
                                           double            seconds,
                                           const char       *what);
/* Runs the main context for @ms milliseconds (frames, idles, timeouts). */
void               app_test_run_for       (guint             ms);
void               app_test_wait_frames   (GtkWidget        *widget,
                                           guint             n);
/* A registered, non-unique application on @data_dir (NULL with @demo). */
PieperApplication *app_test_application   (const char       *data_dir,
                                           gboolean          demo);
/* Presents @window at @width × @height and waits until it is laid out. */
void               app_test_present       (GtkWindow        *window,
                                           int               width,
                                           int               height);
/* Renders @widget as it is on screen into a PNG file. */
void               app_test_save_png      (GtkWidget        *widget,
                                           const char       *path);
/* The first descendant of @root of @type for which @match says yes. */
GtkWidget         *app_test_find_widget   (GtkWidget        *root,
                                           GType             type,
                                           gboolean        (*match) (GtkWidget *widget,
                                                                     gpointer   data),
                                           gpointer          data);

G_END_DECLS
