#!/usr/bin/env bash
# FastCGI benchmark: examples/hello.lua served by Apogee's own HTTP server (a, the baseline) against
# the same app behind nginx through `apogee fcgi` (b), same wrk settings, on 127.0.0.1. After a
# warm-up each, the measured runs alternate a, b (ROUNDS times) so that a change in the machine's
# load hits both. Prints requests/s per run and overall, the ratio b/a, and each Apogee process's
# own CPU time per request (utime+stime from /proc/PID/stat across its measured runs). nginx alone
# answering a fixed "Hello" is measured once for reference (what nginx and wrk cost by themselves).
#
# Settings (environment): WRK_THREADS (1), WRK_CONNECTIONS (32), DURATION (10s), WARMUP (10s),
# ROUNDS (2), INSTANCES (Lua states, default: cores). About 70 s with the defaults. Needs nginx
# (installed when missing, its service kept off) and wrk. A dated line is appended to
# bench/results/fcgi.txt (not versioned).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
. bench/lib.sh
APOGEE_HOME=$PWD
WRK_THREADS=${WRK_THREADS:-1}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
ROUNDS=${ROUNDS:-2}
INSTANCES=${INSTANCES:-$(nproc)}
APP=$APOGEE_HOME/examples/hello.lua

scripts/ensure-packages.sh nginx
command -v wrk >/dev/null 2>&1 || scripts/ensure-packages.sh wrk
./apogee --help >/dev/null   # builds the jars when they are missing or stale


work=$(mktemp -d)
pids=()
cleanup() {
  stop_pids "${pids[@]}"
  rm -rf "$work"
}
trap cleanup EXIT

wait_ready() {  # name pid url text: waits up to 60 s for a body containing text at url
  local name=$1 pid=$2 url=$3 text=$4
  for _ in $(seq 600); do
    kill -0 "$pid" 2>/dev/null || { echo "fcgi.sh: $name exited during start:" >&2; cat "$work/$name.log" >&2; exit 1; }
    curl -s --max-time 2 "$url" 2>/dev/null | grep -q "$text" && return 0
    sleep 0.1
  done
  echo "fcgi.sh: $name did not answer at $url" >&2; cat "$work/$name.log" >&2; exit 1
}


declare -A requests=() ticks=() seconds=()
measure() {  # name pid url: one wrk run, added to the totals of name (pid 0: no CPU accounting)
  local name=$1 pid=$2 url=$3 out t0=0 t1=0 n secs errors
  [ "$pid" != 0 ] && t0=$(cpu_ticks "$pid")
  out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$DURATION" "$url")
  [ "$pid" != 0 ] && t1=$(cpu_ticks "$pid")
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  secs=$(echo "$out" | awk '/requests in/ {sub("s,","",$5); print $5}')
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}')
  [ -z "$errors" ] || { echo "fcgi.sh: $name had errors: $errors" >&2; exit 1; }
  requests[$name]=$(( ${requests[$name]:-0} + n ))
  ticks[$name]=$(( ${ticks[$name]:-0} + t1 - t0 ))
  seconds[$name]=$(awk -v a="${seconds[$name]:-0}" -v b="$secs" 'BEGIN {print a + b}')
  printf '  %-24s %10.0f req/s\n' "$name" "$(awk -v n="$n" -v s="$secs" 'BEGIN {print n / s}')"
}

# a: Apogee's own HTTP server
http_port=$(free_port)
./apogee serve --port "$http_port" --instances "$INSTANCES" "$APP" >"$work/http.log" 2>&1 &
http_pid=$!; pids+=("$http_pid")

# b: apogee fcgi behind nginx (keep-alive FastCGI connections, as docs/deploy-nginx.md shows)
fcgi_port=$(free_port); nginx_port=$(free_port); static_port=$(free_port)
./apogee fcgi --listen "127.0.0.1:$fcgi_port" --instances "$INSTANCES" "$APP" >"$work/fcgi.log" 2>&1 &
fcgi_pid=$!; pids+=("$fcgi_pid")
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; fastcgi_temp_path $work/nginx/fastcgi;
  proxy_temp_path $work/nginx/proxy; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  upstream apogee { server 127.0.0.1:$fcgi_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      include /etc/nginx/fastcgi_params;
      fastcgi_pass apogee;
      fastcgi_keep_conn on;
    }
  }
  server {
    listen 127.0.0.1:$static_port;
    location / { default_type text/plain; return 200 "Hello from nginx\n"; }
  }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -e "$work/nginx/logs/error.log" -c "$work/nginx/nginx.conf" >"$work/nginx.log" 2>&1 &
nginx_pid=$!; pids+=("$nginx_pid")

wait_ready http "$http_pid" "http://127.0.0.1:$http_port/" "Hello from Apogee"
wait_ready fcgi "$fcgi_pid" "http://127.0.0.1:$nginx_port/" "Hello from Apogee"

a="apogee serve (HTTP)"; b="nginx + apogee fcgi"; c="nginx alone (return 200)"
echo "fcgi.sh: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS, $ROUNDS x $DURATION each after $WARMUP warm-up; $INSTANCES Lua states; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$http_port/" >/dev/null
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$nginx_port/" >/dev/null
for _ in $(seq "$ROUNDS"); do
  measure "$a" "$http_pid" "http://127.0.0.1:$http_port/"
  measure "$b" "$fcgi_pid" "http://127.0.0.1:$nginx_port/"
done
measure "$c" 0 "http://127.0.0.1:$static_port/"

rate() { awk -v n="${requests[$1]}" -v s="${seconds[$1]}" 'BEGIN {printf "%.0f", n / s}'; }
cpu_us() { awk -v t="${ticks[$1]}" -v n="${requests[$1]}" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", t / hz / n * 1e6}'; }
ra=$(rate "$a"); rb=$(rate "$b"); rc=$(rate "$c")
ratio=$(awk -v a="$ra" -v b="$rb" 'BEGIN {printf "%.2f", b / a}')
echo
printf '%-26s %8s req/s   Apogee CPU %4s us/request\n' "$a" "$ra" "$(cpu_us "$a")"
printf '%-26s %8s req/s   Apogee CPU %4s us/request\n' "$b" "$rb" "$(cpu_us "$b")"
printf '%-26s %8s req/s\n' "$c" "$rc"
echo "ratio b/a (through nginx + FastCGI / direct HTTP): $ratio"
mkdir -p bench/results
echo "$(date -u +%FT%TZ) fcgi.sh c=$WRK_CONNECTIONS http=$ra fcgi=$rb nginx-alone=$rc ratio=$ratio cpu-http-us=$(cpu_us "$a") cpu-fcgi-us=$(cpu_us "$b") load=$(cut -d' ' -f1 /proc/loadavg)" >> bench/results/fcgi.txt
