#!/usr/bin/env bash
# Filter benchmark: the hello app bare (bench/filters/hello.lua) against the same app behind
# logging + session with the in-memory store (stack.lua), and behind the same stack while using
# its session from a cookie (session.lua), all served by one `apogee serve` of bench/filters/ on
# 127.0.0.1 with the same wrk settings. After a warm-up each, the measured runs alternate
# bare, stack, session (ROUNDS times) so that a change in the machine's load hits all three.
# Prints requests/s per run and overall, each ratio to bare, and the server's CPU time per request.
#
# Then the CPU time each filter adds per request, measured in process without HTTP
# (bench/filters/FilterCost.java), which other load on the machine disturbs less.
#
# Settings (environment): WRK_THREADS (1), WRK_CONNECTIONS (32), DURATION (10s), WARMUP (10s),
# ROUNDS (2), JAVA_OPTS (extra JVM options for Apogee). About two minutes with the defaults. A dated
# line is appended to bench/results/filters.txt (not versioned). Figures: docs/benchmarks-filters.md.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
APOGEE_HOME=$PWD
. scripts/jdk.sh
. bench/lib.sh
JAVA_HOME=$(apogee_find_jdk)
export JAVA_HOME

WRK_THREADS=${WRK_THREADS:-1}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
ROUNDS=${ROUNDS:-2}

if ! command -v wrk >/dev/null 2>&1; then
  echo "filters.sh: installing wrk" >&2
  scripts/ensure-packages.sh wrk
fi

./apogee --help >/dev/null   # builds the jars when they are missing or stale


work=$(mktemp -d)
server_pid=""
cleanup() {
  stop_pids "$server_pid"
  rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port)
APOGEE_BENCH_LOG="$work/access.log" \
APOGEE_SESSION_SECRET="bench-secret-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" \
  ./apogee serve --host 127.0.0.1 --port "$port" bench/filters >"$work/server.log" 2>&1 &
server_pid=$!
base=http://127.0.0.1:$port

for _ in $(seq 600); do
  if ! kill -0 "$server_pid" 2>/dev/null; then echo "filters.sh: the server exited:" >&2; cat "$work/server.log" >&2; exit 1; fi
  curl -s --max-time 2 "$base/hello.lua" 2>/dev/null | grep -q "Hello World!" && break
  sleep 0.1
done
for app in hello.lua stack.lua; do
  got=$(curl -s --max-time 5 "$base/$app")
  [ "$got" = "Hello World!" ] || { echo "filters.sh: $app answered '$got'" >&2; cat "$work/server.log" >&2; exit 1; }
done
cookie=$(curl -s --max-time 5 -D - -o /dev/null "$base/session.lua/login" | sed -n 's/^[Ss]et-[Cc]ookie: \(apogee_session=[^;]*\).*/\1/p' | tr -d '\r')
[ -n "$cookie" ] || { echo "filters.sh: no session cookie from session.lua/login" >&2; exit 1; }
got=$(curl -s --max-time 5 -H "Cookie: $cookie" "$base/session.lua")
[ "$got" = "Hello World!" ] || { echo "filters.sh: session.lua answered '$got'" >&2; exit 1; }


declare -A requests=() ticks=() seconds=() urls=() headers=()
urls[bare]=$base/hello.lua
urls[stack]=$base/stack.lua
urls[session]=$base/session.lua
headers[bare]="X-Bench: bare"
headers[stack]="X-Bench: stack"
headers[session]="Cookie: $cookie"
names=(bare stack session)



jdk_version=$(apogee_jdk_version "$JAVA_HOME")
echo "JDK $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*Runtime Environment \(.*\)/\1/p'), $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$DURATION" \
  "x $ROUNDS rounds (after a $WARMUP warm-up each)"
for name in "${names[@]}"; do
  wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WARMUP" -H "${headers[$name]}" "${urls[$name]}" >/dev/null
done
for _ in $(seq "$ROUNDS"); do
  for name in "${names[@]}"; do wrk_measure "$name" "$server_pid" "${urls[$name]}" -H "${headers[$name]}"; done
done
echo "overall:"
declare -A rps=() cpu=()
for name in "${names[@]}"; do
  report "$name" "${requests[$name]}" "${seconds[$name]}" "${ticks[$name]}"
  rps[$name]=$(awk -v n="${requests[$name]}" -v s="${seconds[$name]}" 'BEGIN { printf "%.0f", n / s }')
  cpu[$name]=$(awk -v n="${requests[$name]}" -v t="${ticks[$name]}" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
done
ratio_stack=$(awk -v a="${rps[bare]}" -v b="${rps[stack]}" 'BEGIN { printf "%.2f", b / a }')
ratio_session=$(awk -v a="${rps[bare]}" -v b="${rps[session]}" 'BEGIN { printf "%.2f", b / a }')
lines=$(wc -l <"$work/access.log")
echo "  stack/bare: $ratio_stack, session/bare: $ratio_session (requests/s; target: stack/bare >= 0.70);" \
  "$lines access-log lines written; load average now $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p bench/results
printf '%s jdk=%s cores=%s wrk=-t%s/-c%s/-d%sx%s bare=%s stack=%s session=%s stack_ratio=%s session_ratio=%s cpu_us_bare=%s cpu_us_stack=%s cpu_us_session=%s commit=%s\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$jdk_version" "$(nproc)" "$WRK_THREADS" "$WRK_CONNECTIONS" "$DURATION" "$ROUNDS" \
  "${rps[bare]}" "${rps[stack]}" "${rps[session]}" "$ratio_stack" "$ratio_session" "${cpu[bare]}" "${cpu[stack]}" "${cpu[session]}" \
  "$(git describe --always --dirty 2>/dev/null || echo -)" >>bench/results/filters.txt

echo
CP="$APOGEE_HOME/wsapi-servers/target/wsapi-servers.jar:$APOGEE_HOME/wsapi-servers/target/lib/*"
APOGEE_BENCH_LOG="$work/cost.log" "$JAVA_HOME/bin/java" --add-exports java.base/jdk.internal.vm=ALL-UNNAMED \
  -cp "$CP" bench/filters/FilterCost.java
