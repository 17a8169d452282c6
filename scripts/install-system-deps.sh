#!/usr/bin/env bash
# The system packages the test suite talks to for real: redis-server (the runtime store's
# contract tests), a Secret Service (gnome-keyring on a private D-Bus, for the keychain tests) and
# Debian's Chromium (the UI's end-to-end tests; Playwright never downloads a browser here).
# Debian/Ubuntu. Run as root or with sudo.
set -euo pipefail
packages=(redis-server gnome-keyring dbus libsecret-tools chromium)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages present: ${packages[*]}"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
