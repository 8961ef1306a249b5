/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pieper-action.h"

G_BEGIN_DECLS

typedef struct
{
  gint64             id;
  gint64             account_id;
  gint64             incident_id;
  const char        *incident_remote_id;
  PieperOp           op;
  const char        *payload;
  const char        *idempotency_key;
  PieperActionState  state;
  guint              attempts;
  gint64             next_attempt_at;
  const char        *last_error;
  gint64             created_at;
  gint64             updated_at;
  const char        *claimed_by;
} PieperActionRow;

PieperAction *_pieper_action_new (const PieperActionRow *row);

G_END_DECLS
