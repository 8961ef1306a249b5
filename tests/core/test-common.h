/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pieper.h>

#include "test-util.h"

G_BEGIN_DECLS

/*
 * What every core test needs: a store in a private temporary directory
 * (removed again when the test ends), an outbox on it and one account.
 */
typedef struct
{
  char          *dir;
  PieperStore   *store;
  PieperOutbox  *outbox;
  PieperAccount *account;
} TestStore;

TestStore      *test_store_new           (void);
void            test_store_free          (TestStore  *ts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestStore, test_store_free)


/* A server snapshot of an incident with every field filled in. */
PieperIncident *test_make_incident       (const char   *remote_id,
                                          gint64        number,
                                          PieperStatus  status,
                                          gint64        updated_at);
/* Writes one snapshot for the test account; returns the stored id. */
gint64          test_store_add_incident  (TestStore    *ts,
                                          const char   *remote_id,
                                          gint64        number,
                                          PieperStatus  status,
                                          gint64        updated_at);
void            test_store_put_snapshot  (TestStore      *ts,
                                          PieperIncident *incident);
/* Queues a note on the incident; returns the action's id. */
gint64          test_queue_note          (TestStore    *ts,
                                          gint64        incident_id,
                                          const char   *text);

G_END_DECLS
