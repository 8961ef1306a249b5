#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a test on a private session bus with python-dbusmock's
# notification_daemon template, given GNOME Shell's capabilities (the
# template's default has no "actions"). Skips (77) without python3-dbusmock.
set -eu

if ! /usr/bin/python3 -c 'import dbusmock' 2>/dev/null; then
  echo "python3-dbusmock is not installed" >&2
  exit 77
fi
if [ "${PIEPER_IN_PRIVATE_BUS:-}" = "" ]; then
  PIEPER_IN_PRIVATE_BUS=1 exec dbus-run-session -- "$0" "$@"
fi

/usr/bin/python3 -m dbusmock --session --template notification_daemon \
  --parameters '{"capabilities": "actions body body-markup icon-static persistence sound"}' &
mock=$!
trap 'kill "$mock" 2>/dev/null || true' EXIT

# Until the mock owns its name.
i=0
until gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.NameHasOwner org.freedesktop.Notifications 2>/dev/null | grep -q true; do
  i=$((i + 1))
  if [ "$i" -gt 100 ]; then
    echo "the mock notification daemon did not start" >&2
    exit 1
  fi
  sleep 0.1
done

rc=0
"$@" || rc=$?
exit "$rc"
