#!/usr/bin/env bash
# The system packages the test suite talks to for real: redis-server (the runtime store's
# contract tests), a Secret Service (gnome-keyring on a private D-Bus, for the keychain tests) and
# Debian's Chromium (the UI's end-to-end tests; Playwright never downloads a browser here).
# Debian/Ubuntu. Run as root or with sudo. `npm test` runs it when it can (scripts/launch/system-deps.mjs).
#
#   bash scripts/install-system-deps.sh           install what is missing
#   bash scripts/install-system-deps.sh --check   print what is missing, one a line; exit 1 if any
set -euo pipefail
packages=(redis-server gnome-keyring dbus libsecret-tools chromium)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ "${1:-}" = "--check" ]; then
  [ "${#missing[@]}" -eq 0 ] || { printf '%s\n' "${missing[@]}"; exit 1; }
  exit 0
fi
if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages present: ${packages[*]}"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
