#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs one libFuzzer target on its seeds without writing into the source tree:
#   run-fuzzer.sh FUZZER WORK_DIR [SEED…] [-- LIBFUZZER_FLAG…]
# WORK_DIR/corpus collects what the fuzzer finds (it is read back next time),
# WORK_DIR/crashes the inputs that crashed. A SEED directory is read as a
# corpus; a SEED file is passed with -seed_inputs. Used by the fuzz-run tests
# (-Dfuzzing=true) and by `./build-aux/dev fuzz`.
set -euo pipefail

fuzzer=$1
work=$2
shift 2

dirs=()
files=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  if [ -d "$1" ]; then dirs+=("$1"); else files+=("$1"); fi
  shift
done
[ $# -gt 0 ] && shift

mkdir -p "$work/corpus" "$work/crashes"

seed_flag=()
if [ "${#files[@]}" -gt 0 ]; then
  seed_flag=("-seed_inputs=$(IFS=,; echo "${files[*]}")")
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
# GLib 2.74 keeps freed GSlice blocks (every JsonNode) in magazines of its
# own: ASan would not see a use after free in them, and libFuzzer, seeing
# more allocations than frees, would run a full leak check after most inputs.
export G_SLICE=always-malloc
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# 16 KiB is room for every documented response shape, and keeps the
# fuzzer fast; the larger fixtures are cut to it (pass -max_len to change).
exec "$fuzzer" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  "-artifact_prefix=$work/crashes/" "$@" ${seed_flag[@]+"${seed_flag[@]}"} \
  "$work/corpus" ${dirs[@]+"${dirs[@]}"}
