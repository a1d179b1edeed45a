#!/usr/bin/env bash
# Installs what Emhana needs on Debian/Ubuntu: system packages, tauri-driver,
# the UI's npm packages. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# libssl-dev: the crypto SQLCipher (the encrypted database) is built against
packages=(libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev xvfb xauth webkit2gtk-driver
  fonts-dejavu-core poppler-utils qpdf imagemagick sqlite3 zbar-tools postgresql gnome-keyring dbus-x11)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "installing system packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked --quiet
fi

if [ -f ui/package.json ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
