/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib.h>

#include "fuzz-target.h"

/* A warning or a critical from GLib or json-glib while parsing untrusted
 * input is a bug (the parsers promise never to call a getter that would
 * complain), so it aborts, and the fuzzer reports it as a crash. */
void
pieper_fuzz_setup (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}
