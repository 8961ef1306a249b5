/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pieper.h>

#include "hostile-server.h"

G_BEGIN_DECLS

#define HOSTILE_EMAIL "responder@example.com"

/* A store, an outbox, one account on a hostile server, and the real sync
 * engine and provider between them. */
typedef struct
{
  char             *dir;
  HostileServer    *server;
  PieperStore      *store;
  PieperOutbox     *outbox;
  PieperAccount    *account;
  PieperSyncEngine *engine;
  GPtrArray        *paged;    /* remote ids, one per "incident-paged" */
} HostileFixture;

/* @provider_name: "pagerduty" or "alertmanager" */
void            hostile_fixture_set_up      (HostileFixture  *f,
                                             const char      *provider_name);
void            hostile_fixture_tear_down   (HostileFixture  *f);

/* One sync round; its error, if any, is returned. */
gboolean        hostile_sync                (HostileFixture  *f,
                                             GError         **error);
/* The stored server snapshot of @remote_id, or NULL. */
PieperIncident *hostile_lookup              (HostileFixture  *f,
                                             const char      *remote_id);
gboolean        hostile_has                 (HostileFixture  *f,
                                             const char      *remote_id);
guint           hostile_count_incidents     (HostileFixture  *f);
guint           hostile_count_paged         (HostileFixture  *f,
                                             const char      *remote_id);
/* Stores a plain triggered incident, as an earlier sync would have. */
gint64          hostile_seed_incident       (HostileFixture  *f,
                                             const char      *remote_id,
                                             const char      *title);
/* The action is still in the outbox: sent, or waiting to be sent again,
 * with its payload as queued; never failed for good, never gone. */
void            hostile_assert_action_kept  (HostileFixture  *f,
                                             gint64           action_id,
                                             gboolean         may_be_done);
/* What the UI and the store promise about any text read from a server. */
void            hostile_assert_clean_text   (const char      *text,
                                             gsize            max_bytes);

G_END_DECLS
