/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "app-test-util.h"

typedef struct
{
  GtkWidget *widget;
  int        width;
  int        height;
} SizeData;

void
app_test_wait_for (AppTestCondition  condition,
                   gpointer          data,
                   double            seconds,
                   const char       *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

void
app_test_run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

PieperApplication *
app_test_application (const char *data_dir,
                      gboolean    demo)
{
  g_autoptr(PieperApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  app = g_object_new (PIEPER_TYPE_APPLICATION,
                      "application-id", "io.github.pieper.Pieper.Test",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "data-dir", data_dir,
                      "demo", demo,
                      NULL);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&app);
}

static gboolean
laid_out (gpointer user_data)
{
  SizeData *data = user_data;

  return gtk_widget_get_mapped (data->widget) &&
         gtk_widget_get_width (data->widget) == data->width &&
         gtk_widget_get_height (data->widget) == data->height;
}

static gboolean
mapped (gpointer user_data)
{
  return gtk_widget_get_mapped (user_data) && gtk_widget_get_width (user_data) > 0;
}

void
app_test_present (GtkWindow *window,
                  int        width,
                  int        height)
{
  SizeData data = { GTK_WIDGET (window), width, height };
  GdkSurface *surface;

  gtk_window_set_default_size (window, width, height);
  gtk_window_present (window);
  app_test_wait_for (mapped, window, 10, "the window to be mapped");

  /* Without a compositor, GTK draws a resize border around a client-side
   * decorated window (the "solid-csd" style), outside the window's own
   * size; on a phone the shell shows the window full screen, without one.
   * Ask for that much more, so the window itself is exactly the size. */
  surface = gtk_native_get_surface (GTK_NATIVE (window));
  gtk_window_set_default_size (window,
                               width + gdk_surface_get_width (surface) - gtk_widget_get_width (GTK_WIDGET (window)),
                               height + gdk_surface_get_height (surface) - gtk_widget_get_height (GTK_WIDGET (window)));
  app_test_wait_for (laid_out, &data, 10, "the window to be laid out");
  /* A few frames more, for list rows and transitions. */
  app_test_run_for (300);
}

/* Waiting for layout, not for time: a slow machine (or a sanitizer
 * build) takes longer than any fixed wait. */

typedef struct
{
  guint frames;
  guint wanted;
} Frames;

static void
after_paint_cb (GdkFrameClock *clock,
                Frames        *frames)
{
  frames->frames++;
}

static gboolean
painted (gpointer data)
{
  Frames *frames = data;

  return frames->frames >= frames->wanted;
}

/* @n frames of @widget's surface painted, one after another: whatever was
 * queued before (a resize, a new page, a popover) is laid out by the
 * first. */
void
app_test_wait_frames (GtkWidget *widget,
                      guint      n)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  Frames frames = { 0, 0 };
  gulong id;

  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frames);
  for (guint k = 0; k < n; k++)
    {
      frames.wanted = frames.frames + 1;
      gtk_widget_queue_draw (widget);
      app_test_wait_for (painted, &frames, 30, "a frame to be painted");
    }
  g_signal_handler_disconnect (clock, id);
}

/* Saves @widget as the next painted frame shows it. */
void
app_test_save_png (GtkWidget  *widget,
                   const char *path)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width, height;

  /* Not while a resize is pending (a page just made, under load), when a
   * snapshot draws nothing: as the screen shows it. */
  app_test_wait_frames (widget, 1);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, height);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

GtkWidget *
app_test_find_widget (GtkWidget  *root,
                      GType       type,
                      gboolean  (*match) (GtkWidget *widget,
                                          gpointer   data),
                      gpointer    data)
{
  if (g_type_is_a (G_OBJECT_TYPE (root), type) && (match == NULL || match (root, data)))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = app_test_find_widget (child, type, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}
