#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs PROGRAM [ARGS…] inside a private D-Bus session bus that has its own
# GNOME Keyring (only the secrets component) with an unlocked login keyring,
# in throwaway HOME and XDG directories, so a test never sees the developer's
# own keyring and needs no password prompt.
#
# What it takes, learnt the hard way:
#  - gnome-keyring-daemon --unlock reads the login keyring's password on
#    stdin and creates that keyring, unlocked, when there is none. Without
#    it, libsecret asks gcr-prompter to create one, which fails without a
#    display ("Object does not exist at path …/collection/login").
#  - The daemon needs XDG_RUNTIME_DIR (its control socket goes to
#    $XDG_RUNTIME_DIR/keyring) and keeps its keyrings in XDG_DATA_HOME.
#  - Without --foreground it forks and returns once it runs, but is not
#    known to be on the bus yet; a client that came first would have the bus
#    activate a second, locked daemon from org.freedesktop.secrets.service.
#    So wait until org.freedesktop.secrets has an owner.
#  - It leaves when the bus goes away; it is still stopped explicitly so
#    nothing outlives the test.
set -eu

if [ $# -lt 1 ]; then
  echo "usage: $0 PROGRAM [ARGS…]" >&2
  exit 2
fi

for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$tool is not installed; skipping" >&2
    exit 77
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pieper-keyring.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
mkdir -m 700 "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/runtime"

HOME="$tmp/home"
XDG_DATA_HOME="$tmp/data"
XDG_CONFIG_HOME="$tmp/config"
XDG_CACHE_HOME="$tmp/cache"
XDG_RUNTIME_DIR="$tmp/runtime"
export HOME XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME XDG_RUNTIME_DIR
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK DISPLAY WAYLAND_DISPLAY PIEPER_TOKEN

status=0
dbus-run-session -- sh -c '
  printf %s test | gnome-keyring-daemon --unlock --components=secrets >/dev/null || {
    echo "gnome-keyring-daemon did not start" >&2
    exit 1
  }

  owner_pid () {
    dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus \
      /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID \
      string:org.freedesktop.secrets 2>/dev/null | awk "{ print \$2 }"
  }

  pid=
  for i in $(seq 1 100); do
    pid=$(owner_pid)
    [ -n "$pid" ] && break
    sleep 0.1
  done
  if [ -z "$pid" ]; then
    echo "gnome-keyring-daemon is not on the bus" >&2
    exit 1
  fi

  status=0
  "$@" || status=$?
  kill "$pid" 2>/dev/null || :
  exit $status
' run-with-keyring "$@" || status=$?
exit $status
