#!/usr/bin/env bash
# palisade scan vs wapiti 3 on the deliberately vulnerable fixture (127.0.0.1 only).
# Writes bench/results/scan-vs-wapiti.json. Needs root for apt-get when wapiti is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-18090}"
WORK="$(mktemp -d)"
RESULT=bench/results/scan-vs-wapiti.json
mkdir -p bench/results

if ! command -v wapiti >/dev/null 2>&1; then
  echo "installing wapiti (Debian package)…" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wapiti >/dev/null
fi
WAPITI_VERSION="$(dpkg-query -W -f='${Version}' wapiti 2>/dev/null || echo unknown)"

start_fixture() {
  node --import tsx test/fixtures/vuln-api/server.ts "$PORT" >"$WORK/fixture.log" 2>&1 &
  FIXTURE_PID=$!
  for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "fixture did not start" >&2; cat "$WORK/fixture.log" >&2; exit 2
}
stop_fixture() { kill "$FIXTURE_PID" 2>/dev/null || true; wait "$FIXTURE_PID" 2>/dev/null || true; }
trap 'stop_fixture; rm -rf "$WORK"' EXIT
login() {
  curl -s -X POST "http://127.0.0.1:$PORT/api/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token))'
}

# --- palisade (fresh fixture) ---
start_fixture
A="$(login alice alice-Pass-1)"; B="$(login bob bob-Pass-1)"
t0=$(date +%s.%N)
node --import tsx bench/scan/cli.ts scan --spec test/fixtures/vuln-api/openapi.yaml \
  --target "http://127.0.0.1:$PORT" --auth "Authorization: Bearer $A" --auth-b "Authorization: Bearer $B" \
  --format json --out "$WORK/palisade" --quiet --fail-on info || true
t1=$(date +%s.%N)
stop_fixture

# --- wapiti (fresh fixture) ---
start_fixture
A="$(login alice alice-Pass-1)"
STARTS=()
while IFS= read -r u; do STARTS+=(-s "$u"); done < <(node --import tsx bench/scan/start-urls.ts "http://127.0.0.1:$PORT")
t2=$(date +%s.%N)
timeout 900 wapiti -u "http://127.0.0.1:$PORT/" "${STARTS[@]}" --scope domain \
  -H "Authorization: Bearer $A" --flush-session -f json -o "$WORK/wapiti.json" \
  --max-scan-time 600 -l 2 >"$WORK/wapiti.log" 2>&1 || true
t3=$(date +%s.%N)
stop_fixture

node --import tsx bench/scan/compare.ts "$WORK/palisade/palisade-scan.json" "$WORK/wapiti.json" \
  "$(echo "$t1 - $t0" | bc)" "$(echo "$t3 - $t2" | bc)" "$RESULT" "$WAPITI_VERSION"
echo "wrote $RESULT" >&2
