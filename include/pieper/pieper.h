/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pieper-types.h"
#include "pieper-account.h"
#include "pieper-action.h"
#include "pieper-alarm-policy.h"
#include "pieper-incident.h"
#include "pieper-timeline-entry.h"
#include "pieper-store.h"
#include "pieper-outbox.h"
#include "pieper-provider.h"
#include "pieper-json.h"
#include "pieper-sync-engine.h"
