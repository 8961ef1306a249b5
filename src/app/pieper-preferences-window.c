/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "pieper-preferences-window.h"

/* The preferences, each bound to its GSettings key; the application
 * follows the keys, so there is nothing to apply. */

struct _PieperPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GtkAdjustment        *poll_interval_adjustment;
};

G_DEFINE_FINAL_TYPE (PieperPreferencesWindow, pieper_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
pieper_preferences_window_class_init (PieperPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pieper/Pieper/ui/pieper-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PieperPreferencesWindow, poll_interval_adjustment);
}

static void
pieper_preferences_window_init (PieperPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
pieper_preferences_window_new (GSettings *settings)
{
  PieperPreferencesWindow *self;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (PIEPER_TYPE_PREFERENCES_WINDOW, NULL);
  if (settings != NULL)
    g_settings_bind (settings, "poll-interval", self->poll_interval_adjustment, "value",
                     G_SETTINGS_BIND_DEFAULT);
  return GTK_WIDGET (self);
}
