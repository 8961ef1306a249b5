/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PIEPER_TYPE_ALARM_SOUND (pieper_alarm_sound_get_type ())
G_DECLARE_FINAL_TYPE (PieperAlarmSound, pieper_alarm_sound, PIEPER, ALARM_SOUND, GObject)

/**
 * PieperAlarmSound:
 *
 * The alarm: one sound from the gresource, looping through GtkMediaFile
 * while it rings. "sound" names it ("pieper-alarm", "pieper-beeper", or
 * "none" for silence) and "volume" is 0 to 1; both can be bound to
 * GSettings keys. With no sound server it says so once and stays quiet.
 */
PieperAlarmSound *pieper_alarm_sound_new         (void);
void              pieper_alarm_sound_start       (PieperAlarmSound *self);
void              pieper_alarm_sound_stop        (PieperAlarmSound *self);
/* Whether the alarm rings: started and not stopped since. */
gboolean          pieper_alarm_sound_get_ringing (PieperAlarmSound *self);
/* The stream while it rings, else %NULL. */
GtkMediaStream   *pieper_alarm_sound_get_stream  (PieperAlarmSound *self);

G_END_DECLS
