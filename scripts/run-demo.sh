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
# The demo database is written in clear; the app encrypts it at its first
# start with a key it keeps in the OS keyring.
run=("$target/release/emhana")
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "no display: starting under Xvfb"
  run=(xvfb-run -a -s "-screen 0 1280x800x24" "${run[@]}")
fi
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  echo "no desktop session: a GNOME keyring of the demo's own keeps the database key (its password: emhana-demo)"
  exec dbus-run-session -- bash -c \
    'echo -n emhana-demo | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"' \
    run-demo "${run[@]}"
fi
exec "${run[@]}"
