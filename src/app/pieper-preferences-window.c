/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "pieper-accounts-page.h"
#include "pieper-preferences-window.h"

/* The preferences, each bound to its GSettings key; the application
 * follows the keys, so there is nothing to apply. */

struct _PieperPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GtkAdjustment        *poll_interval_adjustment;
  AdwComboRow          *alarm_sound_row;
  GtkAdjustment        *alarm_volume_adjustment;
  GtkAdjustment        *realert_interval_adjustment;
  GtkSwitch            *dnd_override_switch;
  AdwExpanderRow       *quiet_hours_row;
  GtkAdjustment        *quiet_hours_start_adjustment;
  GtkAdjustment        *quiet_hours_end_adjustment;
  PieperAccountsPage   *accounts_page;
};

G_DEFINE_FINAL_TYPE (PieperPreferencesWindow, pieper_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
pieper_preferences_window_class_init (PieperPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_type_ensure (PIEPER_TYPE_ACCOUNTS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pieper/Pieper/ui/pieper-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PieperPreferencesWindow, poll_interval_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PieperPreferencesWindow, alarm_sound_row);
  gtk_widget_class_bind_template_child (widget_class, PieperPreferencesWindow, alarm_volume_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PieperPreferencesWindow, realert_interval_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PieperPreferencesWindow, dnd_override_switch);
  gtk_widget_class_bind_template_child (widget_class, PieperPreferencesWindow, quiet_hours_row);
  gtk_widget_class_bind_template_child (widget_class, PieperPreferencesWindow, quiet_hours_start_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PieperPreferencesWindow, quiet_hours_end_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PieperPreferencesWindow, accounts_page);
}

static void
pieper_preferences_window_init (PieperPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* The alarm-sound key's choices, in the order of the combo row. */
static const char *alarm_sounds[] = { "pieper-alarm", "pieper-beeper", "none" };

static gboolean
sound_to_position (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  const char *sound = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (alarm_sounds); i++)
    if (g_str_equal (sound, alarm_sounds[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
position_to_sound (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  guint position = g_value_get_uint (value);

  return g_variant_new_string (alarm_sounds[position < G_N_ELEMENTS (alarm_sounds) ? position : 0]);
}

/* Quiet hours are kept in minutes of the day and chosen in whole hours. */
static gboolean
minutes_to_hours (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant) / 60);
  return TRUE;
}

static GVariant *
hours_to_minutes (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  return g_variant_new_uint32 ((guint32) CLAMP (g_value_get_double (value), 0, 23) * 60);
}

static void
bind_alarm (PieperPreferencesWindow *self,
            GSettings               *settings)
{
  g_settings_bind_with_mapping (settings, "alarm-sound", self->alarm_sound_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, sound_to_position, position_to_sound,
                                NULL, NULL);
  g_settings_bind (settings, "alarm-volume", self->alarm_volume_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "realert-interval", self->realert_interval_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "dnd-override", self->dnd_override_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "quiet-hours-enabled", self->quiet_hours_row, "enable-expansion",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "quiet-hours-start", self->quiet_hours_start_adjustment,
                                "value", G_SETTINGS_BIND_DEFAULT, minutes_to_hours,
                                hours_to_minutes, NULL, NULL);
  g_settings_bind_with_mapping (settings, "quiet-hours-end", self->quiet_hours_end_adjustment,
                                "value", G_SETTINGS_BIND_DEFAULT, minutes_to_hours,
                                hours_to_minutes, NULL, NULL);
}

void
pieper_preferences_window_set_application (PieperPreferencesWindow *self,
                                           PieperApplication       *application)
{
  g_return_if_fail (PIEPER_IS_PREFERENCES_WINDOW (self));

  pieper_accounts_page_set_application (self->accounts_page, application);
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
  if (settings != NULL)
    bind_alarm (self, settings);
  return GTK_WIDGET (self);
}
