#!/usr/bin/env bash
# A demo central registry to enrol the demo app with: a throwaway PostgreSQL
# holding the demo region, the registry serving on 127.0.0.1:8780, and a
# one-time enrolment code for the demo clinic's workstation. Run it in a
# second terminal beside ./scripts/run-demo.sh; Ctrl-C stops it and removes
# its data. (run-demo.sh installs what it needs.)
#
# In the app: Sync → registry address http://127.0.0.1:8780 and the code
# printed below. Plain HTTP on the loopback only: a real registry serves TLS.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CARGO_TARGET_DIR:-}" ] && [ -d "$HOME/.cache/emhana-target" ]; then
  export CARGO_TARGET_DIR="$HOME/.cache/emhana-target"
fi
target="${CARGO_TARGET_DIR:-target}"
listen="${EMHANA_DEMO_REGISTRY_LISTEN:-127.0.0.1:8780}"

cargo build --release --locked -p emhana-registry --bin emhana-registry
cargo build --release --locked -p emhana-synth --features registry --bin emhana-synth

exec scripts/throwaway-postgres.sh bash -c '
  set -euo pipefail
  target="$1"; listen="$2"
  # the region, its attachments, the Fund's side (payments with gaps and arrears) and a code
  "$target/release/emhana-synth" --registry-database "$EMHANA_TEST_DATABASE_URL" --enrol
  # the registry'"'"'s bundle key pair, before the app enrols: a post'"'"'s offline files
  # are then imported with import-bundle --bundle-key "$key_file"
  key_file="${EMHANA_TEST_DATABASE_URL##*host=}/registry-bundle.key"
  EMHANA_REGISTRY_LISTEN="$listen" EMHANA_REGISTRY_DATABASE_URL="$EMHANA_TEST_DATABASE_URL" \
    "$target/release/emhana-registry" bundle-key --out "$key_file"
  echo "demo registry at http://$listen (Ctrl-C stops it); its bundle key file: $key_file"
  EMHANA_REGISTRY_LISTEN="$listen" EMHANA_REGISTRY_DATABASE_URL="$EMHANA_TEST_DATABASE_URL" \
    exec "$target/release/emhana-registry" serve
' demo-registry "$target" "$listen"
