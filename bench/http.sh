#!/usr/bin/env bash
# HTTP benchmark: raw Undertow "Hello World!" (a) against Apogee serving bench/hello.lua (b), same wrk
# settings, one after the other in one run, on 127.0.0.1. Prints requests/s, the ratio b/a and each
# server's own CPU time per request (utime+stime from /proc/PID/stat across the measured run).
#
# Settings (environment): WRK_THREADS (1), WRK_CONNECTIONS (32), DURATION (10s), WARMUP (8s),
# JAVA_OPTS (extra JVM options for Apogee, e.g. a JFR recording), RAW_JAVA_OPTS (for the raw server).
# A dated line is appended to bench/results/http.txt (not versioned).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
APOGEE_HOME=$PWD
. scripts/jdk.sh
JAVA_HOME=$(apogee_find_jdk)
export JAVA_HOME

WRK_THREADS=${WRK_THREADS:-1}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-8s}

if ! command -v wrk >/dev/null 2>&1; then
  echo "http.sh: installing wrk" >&2
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

./apogee --help >/dev/null   # builds the jars when they are missing or stale
CP="$APOGEE_HOME/wsapi-servers/target/wsapi-servers.jar:$APOGEE_HOME/wsapi-servers/target/lib/*"
jdk_version=$(apogee_jdk_version "$JAVA_HOME")
raw_args=()
[ "$jdk_version" -ge 23 ] && raw_args+=(--sun-misc-unsafe-memory-access=allow)

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

log_dir=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$log_dir"
}
trap cleanup EXIT

wait_ready() {  # name pid url: waits up to 60 s for "Hello World!" at url
  local name=$1 pid=$2 url=$3
  for _ in $(seq 600); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "http.sh: $name exited during start:" >&2; cat "$log_dir/$name.log" >&2; exit 1
    fi
    if [ "$(curl -s --max-time 2 "$url" 2>/dev/null)" = "Hello World!" ]; then return 0; fi
    sleep 0.1
  done
  echo "http.sh: $name did not answer \"Hello World!\" at $url" >&2; cat "$log_dir/$name.log" >&2; exit 1
}

cpu_ticks() {  # utime+stime of a process, in clock ticks
  local stat
  stat=$(cat "/proc/$1/stat")
  stat=${stat##*) }          # fields after the command name; utime and stime are fields 14 and 15
  set -- $stat
  echo $(( ${12} + ${13} ))
}

# measure name pid url: sets rps_<name>, cpu_us_<name>
measure() {
  local name=$1 pid=$2 url=$3 out t0 t1 requests rps errors
  wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
  t0=$(cpu_ticks "$pid")
  out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$DURATION" "$url")
  t1=$(cpu_ticks "$pid")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/' <<<"$out")
  [ -n "$errors" ] && echo "http.sh: $name: $errors" >&2
  printf -v "rps_$name" '%s' "$rps"
  printf -v "cpu_us_$name" '%s' "$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
  printf '  %-14s %10s req/s  %6s µs CPU/request (server)  [%s requests]\n' \
    "$name" "$rps" "$(eval echo "\$cpu_us_$name")" "$requests"
}

raw_port=$(free_port)
"$JAVA_HOME/bin/java" "${raw_args[@]}" ${RAW_JAVA_OPTS:-} -cp "$CP" bench/RawUndertow.java "$raw_port" \
  >"$log_dir/raw.log" 2>&1 &
raw_pid=$!
pids+=("$raw_pid")

apogee_port=$(free_port)
./apogee serve --host 127.0.0.1 --port "$apogee_port" bench/hello.lua >"$log_dir/apogee.log" 2>&1 &
apogee_pid=$!
pids+=("$apogee_pid")

wait_ready raw "$raw_pid" "http://127.0.0.1:$raw_port/"
wait_ready apogee "$apogee_pid" "http://127.0.0.1:$apogee_port/"

echo "JDK $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*Runtime Environment \(.*\)/\1/p'), $(nproc) cores;" \
  "wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$DURATION (after a $WARMUP warm-up each)"
measure raw "$raw_pid" "http://127.0.0.1:$raw_port/"
measure apogee "$apogee_pid" "http://127.0.0.1:$apogee_port/"
ratio=$(awk -v a="$rps_raw" -v b="$rps_apogee" 'BEGIN { printf "%.2f", b / a }')
echo "  apogee/raw     ${ratio}"

mkdir -p bench/results
printf '%s jdk=%s cores=%s wrk=-t%s/-c%s/-d%s raw=%s apogee=%s ratio=%s cpu_us_raw=%s cpu_us_apogee=%s commit=%s\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$jdk_version" "$(nproc)" "$WRK_THREADS" "$WRK_CONNECTIONS" "$DURATION" \
  "$rps_raw" "$rps_apogee" "$ratio" "$cpu_us_raw" "$cpu_us_apogee" "$(git rev-parse --short HEAD 2>/dev/null || echo -)" \
  >>bench/results/http.txt
