/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pieper/pieper-provider.h>

G_BEGIN_DECLS

#define BENCH_TYPE_TAP_PROVIDER (bench_tap_provider_get_type ())
G_DECLARE_FINAL_TYPE (BenchTapProvider, bench_tap_provider, BENCH, TAP_PROVIDER, GObject)

/*
 * BenchTapProvider:
 *
 * A provider that hands every call to another one, unchanged, and notes
 * when a round asks for the first page of open incidents or of the change
 * feed: the moment its push ended and its pull began. The inner provider's callbacks reach the
 * caller directly, so the tap adds one function call per request and
 * nothing else.
 */
PieperProvider *bench_tap_provider_new                 (PieperProvider   *inner);
/* Forgets the mark, for the next round. */
void            bench_tap_provider_reset               (BenchTapProvider *self);
/* g_get_monotonic_time() at the first first-page listing (incidents or
 * changes) since the last reset, or 0 if there was none. */
gint64          bench_tap_provider_get_pull_started_at (BenchTapProvider *self);

G_END_DECLS
