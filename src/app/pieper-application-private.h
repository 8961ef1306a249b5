/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pieper-application.h"
#include "pieper-notifier.h"

G_BEGIN_DECLS

/* Demo mode (pieper-application-demo.c): a throwaway store and an
 * in-process pieper-sim. */
typedef struct _PieperDemo PieperDemo;

char       *_pieper_demo_make_data_dir (GError          **error);
PieperDemo *_pieper_demo_start         (PieperStore       *store,
                                        PieperSyncEngine  *engine,
                                        GError           **error);
void        _pieper_demo_free          (PieperDemo        *demo);
/* Pages a new incident now, as the demo does every minute. */
void        _pieper_demo_page          (PieperDemo        *demo);

/* The notifier, from startup to shutdown. */
PieperNotifier *_pieper_application_get_notifier (PieperApplication *self);
/* A window has painted its first frame: time to ask the servers. */
void            _pieper_application_first_frame_shown (PieperApplication *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PieperDemo, _pieper_demo_free)

G_END_DECLS
