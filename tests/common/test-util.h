/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A fresh private temporary directory, and its removal with everything in
 * it (also where a test took permissions away to see what fails). */
char *test_make_tmp_dir (void);
void  test_remove_tree  (const char *path);

G_END_DECLS
