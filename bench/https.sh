#!/usr/bin/env bash
# The cost of TLS: one apogee server per library serves the same app on plain HTTP and on HTTPS at
# once (--plain-http serve), and wrk loads each port in turn in the same run. Prints requests/s, the
# server's CPU time per request, and each TLS row as a ratio to plain HTTP.
#
# Rows: keep-alive HTTP/1.1 with wrk (the steady cost: encryption); a new connection per request with
# ab when installed (apt: apache2-utils; adds a full TLS handshake to each request); HTTP/2 over TLS
# with h2load when installed (apt: nghttp2-client).
#
# Usage: bench/https.sh [APP]            (default: examples/hello.lua)
# Environment: SERVERS="undertow jetty", DURATION=10 (seconds per run), REPEAT=3, WARMUP=5, CONNECTIONS=32,
#              THREADS=1, KEY=ec|rsa (the self-signed certificate made for the run; default ec),
#              HANDSHAKES=3000 (new TLS connections in the warm-up)
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
app=${1:-examples/hello.lua}
SERVERS=${SERVERS:-undertow jetty}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
KEY=${KEY:-ec}
REPEAT=${REPEAT:-3}           # runs of each row, alternating plain and TLS; the median is shown
HANDSHAKES=${HANDSHAKES:-3000} # TLS handshakes in the warm-up: the JIT needs a few thousand

command -v wrk >/dev/null || { echo "https.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "https.sh: needs openssl (apt-get install openssl)" >&2; exit 1; }
. scripts/jdk.sh
. bench/lib.sh
JAVA_HOME=$(apogee_find_jdk)
export JAVA_HOME

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# a throwaway self-signed certificate for 127.0.0.1, made for this run only
if [ "$KEY" = rsa ]; then newkey=(-newkey rsa:2048); else newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); fi
openssl req -x509 "${newkey[@]}" -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null

./apogee --version >/dev/null # builds on first use

ticks=$(getconf CLK_TCK)

# prints "req/s cpu-µs-per-request" for one wrk run against $1 (extra wrk arguments after it)
measure() {
  local url=$1; shift
  local before after out rps total
  before=$(cpu_ticks "$server_pid")
  out=$(timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "$@" "$url" || true)
  after=$(cpu_ticks "$server_pid")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "https.sh: errors during $url: $(grep 'Non-2xx\|Socket errors' <<<"$out")" >&2; fi
  awk -v r="$rps" -v n="$total" -v t=$((after - before)) -v hz="$ticks" 'BEGIN { printf "%.0f %.1f\n", r, (n > 0 ? t / hz * 1e6 / n : 0) }'
}

# ab: a new TCP (and TLS) connection for every request (wrk miscounts TLS responses that end in a close)
measure_ab() {
  local url=$1 before after out rps total
  before=$(cpu_ticks "$server_pid")
  out=$(timeout $((DURATION + 60)) ab -q -c "$CONNECTIONS" -t "$DURATION" -n 10000000 "$url" 2>&1 || true)
  after=$(cpu_ticks "$server_pid")
  rps=$(awk '/^Requests per second:/ {print $4}' <<<"$out")
  total=$(awk '/^Complete requests:/ {print $3}' <<<"$out")
  if grep -q "^Failed requests: *[1-9]\|^Non-2xx" <<<"$out"; then echo "https.sh: errors during $url: $(grep '^Failed requests\|^Non-2xx' <<<"$out")" >&2; fi
  awk -v r="$rps" -v n="$total" -v t=$((after - before)) -v hz="$ticks" 'BEGIN { printf "%.0f %.1f\n", r, (n > 0 ? t / hz * 1e6 / n : 0) }'
}

# h2load: 32 connections with up to 10 streams each
measure_h2() {
  local url=$1 before after out rps total
  before=$(cpu_ticks "$server_pid")
  # h2load can wait forever for streams still open when the time is up (seen on a saturated machine)
  out=$(timeout $((DURATION + 60)) h2load -t"$THREADS" -c"$CONNECTIONS" -m10 -D"$DURATION" "$url" 2>&1 || true)
  after=$(cpu_ticks "$server_pid")
  rps=$(awk '/^finished in/ {gsub(",", "", $4); print $4}' <<<"$out")
  total=$(awk '/^requests:/ {print $8}' <<<"$out")
  awk -v r="$rps" -v n="$total" -v t=$((after - before)) -v hz="$ticks" 'BEGIN { printf "%.0f %.1f\n", r, (n > 0 ? t / hz * 1e6 / n : 0) }'
}

median() { # of "req/s cpu" pairs: the pair with the median req/s
  printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'
}

row() { # label, "rps cpu" of this row, "rps cpu" of its plain baseline
  read -r rps cpu <<<"$2"
  read -r base_rps base_cpu <<<"$3"
  awk -v l="$1" -v r="$rps" -v c="$cpu" -v br="$base_rps" -v bc="$base_cpu" \
    'BEGIN { printf "| %-44s | %9d | %8.1f | %s |\n", l, r, c, (br > 0 && l ~ /HTTPS/ ? sprintf("%.2f× req/s, %.2f× CPU", r / br, c / bc) : "baseline") }'
}

echo "## apogee serve $app — plain HTTP and HTTPS from one process ($(nproc) cores, $CONNECTIONS connections, median of $REPEAT runs of ${DURATION}s, $KEY certificate)"
echo "JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for server in $SERVERS; do
  log="$work/$server.log"
  ./apogee serve --server "$server" --port 0 --tls-port 0 --plain-http serve \
    --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" "$app" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 120); do grep -q "^plain HTTP on" "$log" && break; sleep 0.5; done
  https_port=$(sed -n 's|.* on https://[^:]*:\([0-9]*\)/.*|\1|p' "$log" | head -n 1)
  http_port=$(sed -n 's|^plain HTTP on http://[^:]*:\([0-9]*\)/.*|\1|p' "$log" | head -n 1)
  [ -n "$https_port" ] && [ -n "$http_port" ] || { cat "$log" >&2; echo "https.sh: $server did not start" >&2; exit 1; }
  plain=http://127.0.0.1:$http_port/
  tls=https://127.0.0.1:$https_port/

  # warm-up: every code path once (the JIT compiles handshakes only after a few hundred)
  DURATION=$WARMUP measure "$plain" >/dev/null
  DURATION=$WARMUP measure "$tls" >/dev/null
  if command -v ab >/dev/null; then timeout 180 ab -q -c "$CONNECTIONS" -t 120 -n "$HANDSHAKES" "$tls" >/dev/null 2>&1 || true; fi
  if command -v h2load >/dev/null; then DURATION=$WARMUP measure_h2 "$tls" >/dev/null; fi

  # rows alternate plain and TLS, REPEAT times over; each row reports its median run
  p=(); t=(); pc=(); tc=(); h=()
  for _ in $(seq "$REPEAT"); do
    p+=("$(measure "$plain")")
    t+=("$(measure "$tls")")
    if command -v ab >/dev/null; then
      pc+=("$(measure_ab "$plain")")
      tc+=("$(measure_ab "$tls")")
    fi
    if command -v h2load >/dev/null; then h+=("$(measure_h2 "$tls")"); fi
  done
  echo
  echo "### $server"
  echo "| row | req/s | server CPU µs/req | TLS cost |"
  echo "| --- | ---: | ---: | --- |"
  row "plain HTTP/1.1, keep-alive" "$(median "${p[@]}")" "$(median "${p[@]}")"
  row "HTTPS HTTP/1.1, keep-alive" "$(median "${t[@]}")" "$(median "${p[@]}")"
  if [ ${#pc[@]} -gt 0 ]; then
    row "plain HTTP/1.0, new connection per request" "$(median "${pc[@]}")" "$(median "${pc[@]}")"
    row "HTTPS HTTP/1.0, new connection per request" "$(median "${tc[@]}")" "$(median "${pc[@]}")"
  fi
  if [ ${#h[@]} -gt 0 ]; then row "HTTPS HTTP/2, 10 streams per connection" "$(median "${h[@]}")" "$(median "${p[@]}")"; fi
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (client and server share the cores: compare rows of one run)"
