#!/usr/bin/env bash
# Palisade's detection vs nginx + ModSecurity v3 + OWASP CRS (Debian packages) on the same
# sampled corpus requests, at paranoia 1 and 2. Loopback only; a benchmark, not part of npm test.
#   bash bench/crs-compare.sh [SAMPLE_PER_BUCKET]      (default 400)
# Writes bench/results/detection-vs-crs.json. Needs root for apt-get (skipped when installed).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SAMPLE="${1:-400}"
WORK="$(mktemp -d /tmp/palisade-crs.XXXXXX)"
UPSTREAM_PORT=18090
PL1_PORT=18081
PL2_PORT=18082
MODULE=/usr/lib/nginx/modules/ngx_http_modsecurity_module.so

if [ ! -f "$MODULE" ] || [ ! -d /usr/share/modsecurity-crs/rules ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nginx libnginx-mod-http-modsecurity modsecurity-crs
fi

CRS_VERSION="$(dpkg-query -W -f='${Version}' modsecurity-crs 2>/dev/null || echo unknown)"
echo "ModSecurity CRS $CRS_VERSION, work dir $WORK"

# One ModSecurity rule set per paranoia level: engine settings, CRS setup, the level, the rules.
for PL in 1 2; do
  cat >"$WORK/modsec-pl$PL.conf" <<EOF
SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^(?:application(?:/soap\+|/)|text/)xml" "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "^application/json" "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 1048576
SecRequestBodyLimitAction Reject
SecRule REQBODY_ERROR "!@eq 0" "id:200002,phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body.'"
SecPcreMatchLimit 1000
SecPcreMatchLimitRecursion 1000
SecResponseBodyAccess Off
SecTmpDir $WORK
SecDataDir $WORK
SecAuditEngine Off
SecDebugLogLevel 0
Include /etc/modsecurity/crs/crs-setup.conf
# A REST API's methods are allowed (CRS's default list stops at GET HEAD POST OPTIONS, which
# would count every PUT/PATCH of the generated API traffic as a detection).
SecAction "id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=$PL,setvar:tx.blocking_paranoia_level=$PL,setvar:tx.enforce_bodyproc_urlencoded=1,setvar:'tx.allowed_methods=GET HEAD POST OPTIONS PUT PATCH DELETE'"
Include /usr/share/modsecurity-crs/rules/*.conf
EOF
done

cat >"$WORK/nginx.conf" <<EOF
load_module $MODULE;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log error;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $WORK/body;
  proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fastcgi;
  uwsgi_temp_path $WORK/uwsgi;
  scgi_temp_path $WORK/scgi;
  client_max_body_size 10m;
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    location / { return 200 "ok\n"; }
  }
  server {
    listen 127.0.0.1:$PL1_PORT;
    modsecurity on;
    modsecurity_rules_file $WORK/modsec-pl1.conf;
    location / { proxy_pass http://127.0.0.1:$UPSTREAM_PORT; }
  }
  server {
    listen 127.0.0.1:$PL2_PORT;
    modsecurity on;
    modsecurity_rules_file $WORK/modsec-pl2.conf;
    location / { proxy_pass http://127.0.0.1:$UPSTREAM_PORT; }
  }
}
EOF

nginx -t -c "$WORK/nginx.conf" -p "$WORK" 2>&1 | tail -2
nginx -c "$WORK/nginx.conf" -p "$WORK"
stop() {
  if [ -f "$WORK/nginx.pid" ]; then kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; fi
}
trap stop EXIT

# Wait (bounded) for the ports.
for _ in $(seq 1 50); do
  if curl -s -o /dev/null "http://127.0.0.1:$PL1_PORT/"; then break; fi
  sleep 0.1
done
curl -s -o /dev/null -w "probe benign: %{http_code}\n" "http://127.0.0.1:$PL1_PORT/get?q=hello"
curl -s -o /dev/null -w "probe attack: %{http_code}\n" "http://127.0.0.1:$PL1_PORT/get?q=1%27%20or%201=1--"

cd "$ROOT"
node --import tsx bench/crs/replay.ts --pl1 "127.0.0.1:$PL1_PORT" --pl2 "127.0.0.1:$PL2_PORT" --sample "$SAMPLE" \
  | sed "s/^/  /"
echo "CRS $CRS_VERSION" >"$WORK/version"
