/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * The libFuzzer entry points. A fuzz target defines both; with clang and
 * -Dfuzzing=true it is linked with -fsanitize=fuzzer, and in every build
 * with replay-main.c, which feeds it files (the seed corpus and the
 * regression inputs) as an ordinary test.
 */
int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t  *data,
                            size_t          size);

/* fuzz-common.c */
void pieper_fuzz_setup (void);
