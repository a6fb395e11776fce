#!/usr/bin/env bash
# WebSocket benchmark, loopback only, bounded (about two minutes).
#  1. RAW echo round trips per second over 100 connections (64-byte BINARY messages): the Lua echo
#     service of examples/lapps through `apogee serve --lapps`, against an echo written directly
#     on Undertow, measured in the same run; the ratio is printed, with each server's CPU time
#     per round trip.
#  2. Idle connections: opens IDLE connections (default 19,500: the open-files limit of one
#     process is 20,000 here and the server needs some for itself) from two client processes
#     spread over 127.0.0.2-127.0.0.9, and reports the server's heap and RSS per connection.
# Usage: bench/ws.sh [SECONDS=10] [IDLE=19500]   (IDLE=0 skips part 2)
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
. scripts/jdk.sh
. bench/lib.sh
JAVA_HOME=$(apogee_find_jdk)
export JAVA_HOME
JAVA=$JAVA_HOME/bin/java
SECONDS_RUN=${1:-10}
IDLE=${2:-19500}
CONNS=100
BYTES=64
ulimit -n "$(ulimit -Hn)"

[ -f wsapi-servers/target/wsapi-servers.jar ] || ./apogee --version >/dev/null
LIB="wsapi-servers/target/lib/*"
OUT=bench/results
mkdir -p "$OUT"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened" >&2; return 1; }
hz=$(getconf CLK_TCK)

# run_echo NAME PID PORT TARGET: prints "rt_per_s cpu_us_per_rt"
run_echo() {
  local name=$1 pid=$2 port=$3 target=$4 before after line rts
  before=$(cpu_ticks "$pid")
  line=$("$JAVA" bench/ws/WsLoad.java echo "ws://127.0.0.1:$port$target" "$CONNS" "$BYTES" "$SECONDS_RUN")
  after=$(cpu_ticks "$pid")
  rts=$(sed -n 's/.*round_trips_per_s=\([0-9]*\).*/\1/p' <<<"$line")
  local total=$(sed -n 's/.*round_trips=\([0-9]*\) .*/\1/p' <<<"$line")
  # CPU of the whole run includes the 3 s warm-up: spread it over warm-up and measured round trips
  local all=$(( total + rts * 3 ))
  echo "$rts $(awk -v t=$((after - before)) -v hz="$hz" -v n="$all" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
  echo "$name: $line" >>"$OUT/ws-echo.log"
}

echo "== RAW echo, $CONNS connections, $BYTES-byte messages, ${SECONDS_RUN}s each (loopback, client on the same cores)"
: >"$OUT/ws-echo.log"
port=$(free_port)
"$JAVA" -cp "$LIB" bench/ws/RawUndertowEcho.java "$port" >"$OUT/ws-raw.log" 2>&1 &
raw=$!; pids+=("$raw")
wait_port "$port"
read -r raw_rts raw_cpu < <(run_echo raw "$raw" "$port" /)
kill "$raw"; wait "$raw" 2>/dev/null || true

port=$(free_port)
"$JAVA" --add-exports java.base/jdk.internal.vm=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "wsapi-servers/target/wsapi-servers.jar:$LIB" org.apogee.cli.Apogee serve --port "$port" --lapps bench/ws/lapps.json \
  >"$OUT/ws-apogee.log" 2>&1 &
apogee=$!; pids+=("$apogee")
wait_port "$port"
read -r lua_rts lua_cpu < <(run_echo lua "$apogee" "$port" /echo)
printf '%-34s %10s round trips/s  %6s us server CPU per round trip\n' "raw Undertow Java echo" "$raw_rts" "$raw_cpu"
printf '%-34s %10s round trips/s  %6s us server CPU per round trip\n' "Lua echo service (apogee --lapps)" "$lua_rts" "$lua_cpu"
awk -v a="$lua_rts" -v b="$raw_rts" 'BEGIN { printf "ratio Lua/raw: %.2f\n", a / b }'

[ "$IDLE" -gt 0 ] || exit 0
echo
echo "== $IDLE idle connections to the Lua echo service"
heap_kb() {  # heap in use after a full GC, in KB (survivor, eden and old generation)
  "$JAVA_HOME/bin/jcmd" "$1" GC.run >/dev/null
  "$JAVA_HOME/bin/jstat" -gc "$1" | awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
      NR == 2 { printf "%.0f\n", $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"] }'
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
sleep 1
heap0=$(heap_kb "$apogee"); rss0=$(rss_kb "$apogee")
half=$(( IDLE / 2 ))
fifo_a=$(mktemp -u); fifo_b=$(mktemp -u); mkfifo "$fifo_a" "$fifo_b"
exec 7<>"$fifo_a" 8<>"$fifo_b"
"$JAVA" bench/ws/WsLoad.java idle 127.0.0.1 "$port" /echo "$half" 2 4 <&7 >"$OUT/ws-idle-a.log" 2>&1 &
pids+=("$!")
"$JAVA" bench/ws/WsLoad.java idle 127.0.0.1 "$port" /echo "$(( IDLE - half ))" 6 4 <&8 >"$OUT/ws-idle-b.log" 2>&1 &
pids+=("$!")
start=$(date +%s)
until grep -q '^open' "$OUT/ws-idle-a.log" 2>/dev/null && grep -q '^open' "$OUT/ws-idle-b.log" 2>/dev/null; do
  if grep -qi 'exception' "$OUT/ws-idle-a.log" "$OUT/ws-idle-b.log" 2>/dev/null; then cat "$OUT"/ws-idle-*.log; exit 1; fi
  [ $(( $(date +%s) - start )) -lt 300 ] || { echo "clients did not finish opening"; cat "$OUT"/ws-idle-*.log; exit 1; }
  sleep 1
done
opened=$(( $(awk '{print $2}' "$OUT/ws-idle-a.log") + $(awk '{print $2}' "$OUT/ws-idle-b.log") ))
echo "opened $opened connections in $(( $(date +%s) - start )) s"
sleep 2
heap1=$(heap_kb "$apogee"); rss1=$(rss_kb "$apogee")
awk -v h0="$heap0" -v h1="$heap1" -v r0="$rss0" -v r1="$rss1" -v n="$opened" 'BEGIN {
  printf "server heap after GC: %.1f MB -> %.1f MB (%.2f KB per connection)\n", h0/1024, h1/1024, (h1-h0)/n
  printf "server RSS:           %.1f MB -> %.1f MB (%.2f KB per connection)\n", r0/1024, r1/1024, (r1-r0)/n }'
exec 7>&- 8>&-
rm -f "$fifo_a" "$fifo_b"
