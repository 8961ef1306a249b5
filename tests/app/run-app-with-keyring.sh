#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# run-app-with-keyring.sh KEYRING-WRAPPER PROGRAM [ARGS…]
#
# Runs a UI test inside tests/accounts/run-with-keyring.sh (a private bus with
# its own GNOME Keyring), which clears DISPLAY so that no keyring prompt can
# reach the developer's screen; a UI test needs the (Xvfb) display back.
set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 KEYRING-WRAPPER PROGRAM [ARGS…]" >&2
  exit 2
fi

wrapper=$1
shift
exec "$wrapper" env "DISPLAY=${DISPLAY:-}" "$@"
