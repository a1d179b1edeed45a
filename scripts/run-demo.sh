#!/usr/bin/env bash
# Sets Emhana up on a fresh Debian/Ubuntu machine (system packages, npm
# packages, build) and starts the app with the demo clinic (loaded into the
# app-data folder when no database is there yet; an existing one is kept).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CARGO_TARGET_DIR:-}" ] && [ -d "$HOME/.cache/emhana-target" ]; then
  export CARGO_TARGET_DIR="$HOME/.cache/emhana-target"
fi
target="${CARGO_TARGET_DIR:-target}"

scripts/install-deps.sh
(cd ui && npm run build --silent)
cargo build --release --locked --features custom-protocol --bin emhana
cargo build --release --locked -p emhana-synth --features cli --bin emhana-synth

data_dir="${EMHANA_DATA_DIR:-$HOME/.local/share/kz.emhana.workstation}"
if [ ! -f "$data_dir/emhana.sqlite" ]; then
  "$target/release/emhana-synth" --db "$data_dir/emhana.sqlite"
fi
export EMHANA_DATA_DIR="$data_dir"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "no display: starting under Xvfb"
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$target/release/emhana"
fi
exec "$target/release/emhana"
