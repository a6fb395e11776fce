#!/usr/bin/env bash
# HTTP benchmark: raw Undertow "Hello World!" (a) against Apogee serving bench/hello.lua on its
# Undertow server (b) and on embedded Jetty (c, `--server jetty`), same wrk settings, on 127.0.0.1.
# The servers run side by side; after a warm-up each, the measured runs alternate a, b, c, a, b, c
# (ROUNDS times) so that a change in the machine's load hits all. A fourth row (d) serves the same app
# over HTTPS (HTTP/1.1 keep-alive, a throwaway self-signed EC certificate; needs openssl) and gives the
# TLS cost as the ratio d/b. Prints requests/s per run and overall, the ratios and each server's own
# CPU time per request (utime+stime from /proc/PID/stat across its measured runs).
#
# Settings (environment): WRK_THREADS (1), WRK_CONNECTIONS (32), DURATION (10s), WARMUP (15s),
# ROUNDS (2), JAVA_OPTS (extra JVM options for Apogee, e.g. a JFR recording), RAW_JAVA_OPTS (for the
# raw server). About 80 s with the defaults. A dated line is appended to bench/results/http.txt
# (not versioned).
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
WARMUP=${WARMUP:-15s}
ROUNDS=${ROUNDS:-2}

if ! command -v wrk >/dev/null 2>&1; then
  echo "http.sh: installing wrk" >&2
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

./apogee --help >/dev/null   # builds the jars when they are missing or stale
CP="$APOGEE_HOME/wsapi-servers/target/wsapi-servers.jar:$APOGEE_HOME/wsapi-servers/target/lib/*"
jdk_version=$(apogee_jdk_version "$JAVA_HOME")
raw_args=()
[ "$jdk_version" -ge 23 ] && raw_args+=(--sun-misc-unsafe-memory-access=allow)


log_dir=$(mktemp -d)
pids=()
cleanup() {
  stop_pids "${pids[@]}"
  rm -rf "$log_dir"
}
trap cleanup EXIT

wait_ready() {  # name pid url: waits up to 60 s for "Hello World!" at url (https: any certificate)
  local name=$1 pid=$2 url=$3
  for _ in $(seq 600); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "http.sh: $name exited during start:" >&2; cat "$log_dir/$name.log" >&2; exit 1
    fi
    if [ "$(curl -sk --max-time 2 "$url" 2>/dev/null)" = "Hello World!" ]; then return 0; fi
    sleep 0.1
  done
  echo "http.sh: $name did not answer \"Hello World!\" at $url" >&2; cat "$log_dir/$name.log" >&2; exit 1
}


declare -A requests=() ticks=() seconds=()



raw_port=$(free_port)
"$JAVA_HOME/bin/java" "${raw_args[@]}" ${RAW_JAVA_OPTS:-} -cp "$CP" bench/RawUndertow.java "$raw_port" \
  >"$log_dir/raw.log" 2>&1 &
raw_pid=$!
pids+=("$raw_pid")

apogee_port=$(free_port)
./apogee serve --host 127.0.0.1 --port "$apogee_port" bench/hello.lua >"$log_dir/apogee.log" 2>&1 &
apogee_pid=$!
pids+=("$apogee_pid")

jetty_port=$(free_port)
./apogee serve --server jetty --host 127.0.0.1 --port "$jetty_port" bench/hello.lua >"$log_dir/jetty.log" 2>&1 &
jetty_pid=$!
pids+=("$jetty_pid")

command -v openssl >/dev/null 2>&1 || scripts/ensure-packages.sh openssl
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$log_dir/key.pem" -out "$log_dir/cert.pem" \
  -days 1 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
https_port=$(free_port)
./apogee serve --host 127.0.0.1 --tls-port "$https_port" --no-http2 --tls-cert "$log_dir/cert.pem" --tls-key "$log_dir/key.pem" \
  bench/hello.lua >"$log_dir/https.log" 2>&1 &
https_pid=$!
pids+=("$https_pid")

wait_ready raw "$raw_pid" "http://127.0.0.1:$raw_port/"
wait_ready apogee "$apogee_pid" "http://127.0.0.1:$apogee_port/"
wait_ready jetty "$jetty_pid" "http://127.0.0.1:$jetty_port/"
wait_ready https "$https_pid" "https://127.0.0.1:$https_port/"

raw_url=http://127.0.0.1:$raw_port/
apogee_url=http://127.0.0.1:$apogee_port/
jetty_url=http://127.0.0.1:$jetty_port/
https_url=https://127.0.0.1:$https_port/
echo "JDK $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*Runtime Environment \(.*\)/\1/p'), $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$DURATION" \
  "x $ROUNDS rounds (after a $WARMUP warm-up each)"
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WARMUP" "$raw_url" >/dev/null
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WARMUP" "$apogee_url" >/dev/null
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WARMUP" "$jetty_url" >/dev/null
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WARMUP" "$https_url" >/dev/null
for _ in $(seq "$ROUNDS"); do
  wrk_measure raw "$raw_pid" "$raw_url"
  wrk_measure apogee "$apogee_pid" "$apogee_url"
  wrk_measure jetty "$jetty_pid" "$jetty_url"
  wrk_measure https "$https_pid" "$https_url"
done
echo "overall:"
for name in raw apogee jetty https; do report "$name" "${requests[$name]}" "${seconds[$name]}" "${ticks[$name]}"; done
rps_raw=$(awk -v n="${requests[raw]}" -v s="${seconds[raw]}" 'BEGIN { printf "%.0f", n / s }')
rps_apogee=$(awk -v n="${requests[apogee]}" -v s="${seconds[apogee]}" 'BEGIN { printf "%.0f", n / s }')
cpu_us_raw=$(awk -v n="${requests[raw]}" -v t="${ticks[raw]}" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
cpu_us_apogee=$(awk -v n="${requests[apogee]}" -v t="${ticks[apogee]}" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
rps_jetty=$(awk -v n="${requests[jetty]}" -v s="${seconds[jetty]}" 'BEGIN { printf "%.0f", n / s }')
ratio=$(awk -v a="$rps_raw" -v b="$rps_apogee" 'BEGIN { printf "%.2f", b / a }')
ratio_jetty=$(awk -v a="$rps_raw" -v b="$rps_jetty" 'BEGIN { printf "%.2f", b / a }')
rps_https=$(awk -v n="${requests[https]}" -v s="${seconds[https]}" 'BEGIN { printf "%.0f", n / s }')
ratio_tls=$(awk -v a="$rps_apogee" -v b="$rps_https" 'BEGIN { printf "%.2f", b / a }')
echo "  apogee/raw: $ratio, apogee-jetty/raw: $ratio_jetty, apogee-https/apogee (TLS cost): $ratio_tls (requests/s);" \
  "load average now $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p bench/results
printf '%s jdk=%s cores=%s wrk=-t%s/-c%s/-d%sx%s raw=%s apogee=%s ratio=%s jetty=%s ratio_jetty=%s cpu_us_raw=%s cpu_us_apogee=%s commit=%s\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$jdk_version" "$(nproc)" "$WRK_THREADS" "$WRK_CONNECTIONS" "$DURATION" "$ROUNDS" \
  "$rps_raw" "$rps_apogee" "$ratio" "$rps_jetty" "$ratio_jetty;https=$rps_https;ratio_tls=$ratio_tls" "$cpu_us_raw" "$cpu_us_apogee" "$(git describe --always --dirty 2>/dev/null || echo -)" \
  >>bench/results/http.txt
