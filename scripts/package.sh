#!/usr/bin/env bash
# Builds the package a clinic installs: the release .deb (Tauri's bundler),
# printed with its path and size. Install it with `sudo apt install ./<file>`
# (or `dpkg -i`). docs/windows.md says what a Windows installer needs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CARGO_TARGET_DIR:-}" ] && [ -d "$HOME/.cache/emhana-target" ]; then
  export CARGO_TARGET_DIR="$HOME/.cache/emhana-target"
fi
target="${CARGO_TARGET_DIR:-target}"

scripts/install-deps.sh
rm -rf "$target/release/bundle/deb"
# builds the UI (beforeBuildCommand), the app in release with custom-protocol, then the .deb
ui/node_modules/.bin/tauri build --bundles deb --ci -- --locked
for deb in "$target"/release/bundle/deb/*.deb; do
  echo "$deb: $(du -h "$deb" | cut -f1)"
done
