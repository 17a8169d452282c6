#!/usr/bin/env bash
# Runs a command with a real, unlocked Secret Service (gnome-keyring) on a private D-Bus session,
# so keychain code and tests talk to the same store a Linux desktop has, not a mock.
#
#   bash scripts/with-keyring.sh npx vitest run engine/secrets
#   bash scripts/with-keyring.sh npm test
#
# The keyring lives in a throwaway directory (never the user's own ~/.local/share/keyrings, whose
# login keyring has a password we do not know) and is deleted when the command ends.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: scripts/with-keyring.sh <command> [args...]" >&2
  exit 64
fi

missing=()
command -v dbus-run-session >/dev/null 2>&1 || missing+=(dbus-run-session)
command -v dbus-send >/dev/null 2>&1 || missing+=(dbus-send)
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring-daemon)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "with-keyring: ${missing[*]} not found." >&2
  echo "  Install the Secret Service test stack (Debian/Ubuntu):" >&2
  echo "    sudo apt-get install gnome-keyring dbus libsecret-tools" >&2
  exit 127
fi

# Not fatal: only the tests that cross-check the store from outside need it.
command -v secret-tool >/dev/null 2>&1 ||
  echo "with-keyring: secret-tool not found; keychain tests will fail (apt-get install libsecret-tools)" >&2

keyring_home="$(mktemp -d "${TMPDIR:-/tmp}/tradeclock-keyring.XXXXXX")"
chmod 700 "$keyring_home"

# The daemon normally exits with its session bus, but one caught mid-start by a command that ends
# at once outlives it; so stop the one we started (checked by name, the pid could be reused).
cleanup() {
  local pid
  pid="$(cat "$keyring_home/daemon.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && grep -qa gnome-keyring-daemon "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
  fi
  rm -rf "$keyring_home"
}
trap cleanup EXIT

# Inside the session: start the secrets component unlocked, then become the command.
# The password must be non-empty: with an empty one gnome-keyring 42 tries to show a prompt
# (gcr-prompter, "cannot open display") and every store fails with "no result found".
# HOME/XDG_* are overridden for the daemon only; the command keeps the caller's environment.
inner='
set -eu
printf "%s" "tradeclock-test-keyring" \
  | HOME="$TC_KEYRING_HOME" XDG_DATA_HOME="$TC_KEYRING_HOME/data" XDG_RUNTIME_DIR="$TC_KEYRING_HOME" \
    gnome-keyring-daemon --unlock --components=secrets >/dev/null \
  || { echo "with-keyring: gnome-keyring-daemon did not start" >&2; exit 1; }
# --unlock returns before the daemon owns org.freedesktop.secrets on the bus. Wait for it: a
# command that called in between would D-Bus-activate a second, locked keyring instead.
tries=0
until pid="$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null | awk "{ print \$2 }")" \
  && [ -n "$pid" ]; do
  tries=$((tries + 1))
  if [ "$tries" -ge 200 ]; then echo "with-keyring: the keyring did not appear on D-Bus within 10 s" >&2; exit 1; fi
  sleep 0.05
done
echo "$pid" >"$TC_KEYRING_HOME/daemon.pid"
unset TC_KEYRING_HOME
exec "$@"
'

# Not exec: the EXIT trap must still run to delete the throwaway keyring.
set +e
TC_KEYRING_HOME="$keyring_home" dbus-run-session -- sh -c "$inner" with-keyring "$@"
status=$?
set -e
exit "$status"
