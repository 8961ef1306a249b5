/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <pieper.h>

#include "pieper-alarm-sound.h"

G_BEGIN_DECLS

#define PIEPER_TYPE_NOTIFIER (pieper_notifier_get_type ())
G_DECLARE_FINAL_TYPE (PieperNotifier, pieper_notifier, PIEPER, NOTIFIER, GObject)

/**
 * PieperNotifier:
 *
 * Pages the responder: feeds the incidents of @incidents (a GListModel of
 * PieperIncident, the effective ones from the store) to a
 * PieperAlarmPolicy whenever they change or the policy asks for a wakeup,
 * and does what it decides with desktop notifications (libnotify) and the
 * alarm sound. Notification buttons activate the actions of @application
 * ("app.acknowledge", "app.escalate", "app.open" with the incident's store
 * id), so they go through the outbox like the window's.
 */
PieperNotifier    *pieper_notifier_new              (GApplication   *application,
                                                     PieperStore    *store,
                                                     GListModel     *incidents);
PieperAlarmPolicy *pieper_notifier_get_policy       (PieperNotifier *self);
PieperAlarmSound  *pieper_notifier_get_alarm_sound  (PieperNotifier *self);
/* Reads the incidents and the accounts again and updates the policy now. */
void               pieper_notifier_update           (PieperNotifier *self);
/* Shows a plain notification with no actions (e.g. "still running"). */
void               pieper_notifier_show_message     (PieperNotifier *self,
                                                     const char     *key,
                                                     const char     *title,
                                                     const char     *body);
/* Closes every notification Pieper shows and stops the sound. */
void               pieper_notifier_close_all        (PieperNotifier *self);

G_END_DECLS
