#!/usr/bin/env bash
# Runs every check and test of Emhana: format, lints, Rust tests, UI tests and
# the end-to-end test of the real app window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."

# Reuse a target folder outside the clone when one is there (CI machines keep it).
if [ -z "${CARGO_TARGET_DIR:-}" ] && [ -d "$HOME/.cache/emhana-target" ]; then
  export CARGO_TARGET_DIR="$HOME/.cache/emhana-target"
fi
# In CI, no incremental caches: they only pay off for edits, and fill the disk.
if [ "${CI:-}" = "true" ] && [ -z "${CARGO_INCREMENTAL:-}" ]; then
  export CARGO_INCREMENTAL=0
fi

scripts/install-deps.sh

# Every build of the app has the same features (custom-protocol: the window
# loads the built UI, which is embedded at compile time), so clippy, the tests
# and the end-to-end run share one build; the UI is built first for it.
features=(--features custom-protocol)

echo "== UI tests"
(cd ui && npm test --silent)
echo "== UI build"
(cd ui && npm run build --silent)
echo "== cargo fmt"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked "${features[@]}" -- -D warnings
echo "== the desktop app compiles no registry, server or PostgreSQL driver"
if cargo tree -p emhana -e normal --locked "${features[@]}" --prefix none \
  | grep -E '^(emhana-registry|emhana-bench|axum|sqlx-postgres|clap) '; then
  echo "the app's dependency tree has what only the registry, benches and tools need" >&2
  exit 1
fi
echo "== Rust tests (beside a throwaway PostgreSQL for the registry's)"
scripts/throwaway-postgres.sh cargo nextest run --workspace --locked "${features[@]}" --no-fail-fast
echo "== the installer: a .deb bundled from the binary the tests ran (nothing compiled again)"
target="${CARGO_TARGET_DIR:-target}"
rm -rf "$target/debug/bundle/deb"
ui/node_modules/.bin/tauri bundle --debug --bundles deb --ci
EMHANA_DEB="$(ls "$target"/debug/bundle/deb/*.deb)"
export EMHANA_DEB
echo "== end-to-end: the built app under Xvfb over WebDriver, and the installed package"
# The app keeps its registry credential in the OS keyring: a D-Bus session with
# an unlocked GNOME keyring stands in for a desktop login; the registry it
# syncs with runs on a throwaway PostgreSQL. The app binary is the one the
# tests above were built with (CARGO_BIN_EXE_emhana): nothing is built again.
scripts/throwaway-postgres.sh dbus-run-session -- bash -c '
  echo -n emhana-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  xvfb-run -a -s "-screen 0 1280x800x24" \
    cargo test --locked --features custom-protocol --test e2e -- --ignored --nocapture --test-threads=1'
