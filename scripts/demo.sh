#!/usr/bin/env bash
# Build everything and run the demo: the reference backend serving the player
# (www/index.html) with the sample course, on http://127.0.0.1:8080/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
cargo build --profile server -p scorm-backend
ADDR=${ADDR:-127.0.0.1:8080}
# Launch tokens: a fresh secret for each run unless one is given; the demo
# page gets its token from the development endpoint (--dev-tokens), which a
# real deployment never enables (its LMS issues the tokens).
if [ -z "${SCORM_AUTH_SECRET:-}" ]; then
  SCORM_AUTH_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
  export SCORM_AUTH_SECRET
fi
echo "==> open http://$ADDR/ (Ctrl-C stops the server)"
exec target/server/scorm-backend --addr "$ADDR" --www www --pkg pkg --db "${DB:-scorm-demo.sqlite}" --dev-tokens --log-format text
