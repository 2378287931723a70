#!/usr/bin/env bash
# Build everything and run the demo: the reference backend serving the player
# (www/index.html) with the sample course, on http://127.0.0.1:8080/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
cargo build --release -p scorm-backend
ADDR=${ADDR:-127.0.0.1:8080}
echo "==> open http://$ADDR/ (Ctrl-C stops the server)"
exec target/release/scorm-backend --addr "$ADDR" --www www --pkg pkg --db "${DB:-scorm-demo.sqlite}"
