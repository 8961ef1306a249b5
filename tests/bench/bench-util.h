/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * What the app benchmarks share: the ROW line that `./build-aux/dev bench`
 * gathers into its one table, medians and percentiles, and one way to give
 * up. A ROW line is, tab-separated:
 *
 *   ROW  id  label  median  floor median  ratio or difference  goal  met|missed
 */

G_GNUC_NORETURN G_GNUC_PRINTF (2, 3)
void    bench_die         (const char *program,
                           const char *format,
                           ...);
void    bench_print_row   (const char *id,
                           const char *label,
                           const char *median,
                           const char *floor_median,
                           const char *ratio,
                           const char *goal,
                           gboolean    met);
/* A row with no goal of its own: a ratio against another floor than the
 * issue's, for whoever weighs the goal. */
void    bench_print_yardstick (const char *id,
                               const char *label,
                               const char *median,
                               const char *floor_median,
                               const char *ratio);
/* The median of @n values (sorts them). */
double  bench_median      (double     *values,
                           guint       n);
/* The @p-quantile (0 to 1) of @values, nearest rank (sorts them). */
double  bench_percentile  (GArray     *values,
                           double      p);
double  bench_seconds_since (gint64    start);
/* Removes @path and everything in it. */
void    bench_remove_tree (const char *path);

G_END_DECLS

#include <pieper.h>

G_BEGIN_DECLS

#define BENCH_ME_ID    "PME0001"
#define BENCH_ME_EMAIL "mira.jansen@example.com"

/*
 * Fills a fresh store in @data_dir with @n incidents of a PagerDuty account
 * at @url whose responder is BENCH_ME_ID, as a responder's store looks
 * after some weeks on call: one in twenty triggered (assigned to others),
 * one in forty acknowledged by the responder, the rest resolved, spread
 * over four weeks with titles and services that vary as real ones do.
 * Returns the account id.
 */
gint64  bench_fill_store  (const char *data_dir,
                           const char *url,
                           guint       n);

G_END_DECLS
