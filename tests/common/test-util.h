/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A fresh private temporary directory, and its removal with everything in
 * it (also where a test took permissions away to see what fails). */
char *test_make_tmp_dir (void);
void  test_remove_tree  (const char *path);

/* Memory, as a test may assert it (never time): a field of
 * /proc/self/status ("VmRSS:", "VmHWM:") in bytes, and resetting the peak
 * (VmHWM) to what is resident now (Linux 4.0 and later). */
gsize test_status_bytes      (const char *field);
void  test_reset_peak_memory (void);

G_END_DECLS
