#!/usr/bin/env bash
# Orbit benchmark: what an Orbit app costs over a bare WSAPI app, and what a real page of the sample
# app (Orbit Board) costs. In one run, with the same wrk settings:
#   bare   bench/orbit/hello.lua        the bare WSAPI hello app (the baseline)
#   orbit  bench/orbit/orbit_hello.lua  an Orbit hello app: orbit.new, one route, htmlify
#          (both served by one `apogee serve bench/orbit` on 127.0.0.1)
#   home   GET /          of `apogee serve orbit-sample` (Orbit Board), BOARD_DATA in a temporary
#          folder pre-filled with CARDS cards through its own forms: the newest cards through
#          orbit.model and orbit.template, behind logging (to a file), session, csrf and static
#   card   GET /cards/N   one card page of the same server
# After a warm-up each, the measured runs alternate bare, orbit, home, card (ROUNDS times) so that a
# change in the machine's load hits all four. Prints requests/s per run and overall, each ratio to
# bare, and the server's CPU time per request (utime+stime of the serving process from /proc).
# Requests carry no cookie (an anonymous visitor: the board makes no session for one).
#
# Settings (environment): WRK_THREADS (1), WRK_CONNECTIONS (32), DURATION (10s), WARMUP (5s),
# ROUNDS (2), CARDS (50), JAVA_OPTS (extra JVM options for Apogee). About two minutes with the
# defaults; DURATION=2s WARMUP=2s ROUNDS=1 takes about 20 s. A dated line is appended to
# bench/results/orbit.txt (not versioned). Figures: docs/benchmarks-orbit.md.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
. scripts/jdk.sh
. bench/lib.sh
JAVA_HOME=$(apogee_find_jdk)
export JAVA_HOME

WRK_THREADS=${WRK_THREADS:-1}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
ROUNDS=${ROUNDS:-2}
CARDS=${CARDS:-50}

if ! command -v wrk >/dev/null 2>&1; then
  echo "orbit.sh: installing wrk" >&2
  scripts/ensure-packages.sh wrk
fi

./apogee --help >/dev/null   # builds the jars when they are missing or stale


work=$(mktemp -d)
hello_pid=""
board_pid=""
cleanup() {
  stop_pids "$hello_pid" "$board_pid"
  rm -rf "$work"
}
trap cleanup EXIT

secret="bench-secret-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"

hello_port=$(free_port)
./apogee serve --host 127.0.0.1 --port "$hello_port" bench/orbit >"$work/hello-server.log" 2>&1 &
hello_pid=$!
hello=http://127.0.0.1:$hello_port

board_port=$(free_port)
BOARD_DATA="$work/data" BOARD_ACCESS_LOG="$work/access.log" APOGEE_SESSION_SECRET="$secret" \
  ./apogee serve --host 127.0.0.1 --port "$board_port" orbit-sample >"$work/board-server.log" 2>&1 &
board_pid=$!
board=http://127.0.0.1:$board_port

wait_for() {  # pid log url
  for _ in $(seq 600); do
    if ! kill -0 "$1" 2>/dev/null; then echo "orbit.sh: a server exited:" >&2; cat "$2" >&2; exit 1; fi
    [ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$3" 2>/dev/null)" = 200 ] && return 0
    sleep 0.1
  done
  echo "orbit.sh: no answer from $3" >&2; cat "$2" >&2; exit 1
}
wait_for "$hello_pid" "$work/hello-server.log" "$hello/hello.lua"
wait_for "$board_pid" "$work/board-server.log" "$board/"

got=$(curl -s --max-time 5 "$hello/hello.lua")
[ "$got" = "Hello World!" ] || { echo "orbit.sh: hello.lua answered '$got'" >&2; exit 1; }
got=$(curl -s --max-time 5 "$hello/orbit_hello.lua/")
case $got in *'<p class="hello">Hello World!</p>'*) ;; *) echo "orbit.sh: orbit_hello.lua answered '$got'" >&2; exit 1 ;; esac

# Fill the board through its own forms: sign up, then post CARDS cards (csrf token from each page).
jar="$work/cookies"
token() {  # path
  curl -s --max-time 10 -c "$jar" -b "$jar" "$board$1" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1
}
status=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
  --data-urlencode "csrf_token=$(token /signup)" -d username=bench -d password=bench-password-1 "$board/signup")
[ "$status" = 303 ] || { echo "orbit.sh: sign-up answered $status" >&2; cat "$work/board-server.log" >&2; exit 1; }
csrf=$(token /)
for i in $(seq "$CARDS"); do
  status=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -F "csrf_token=$csrf" \
    -F "title=Card $i: something to do" \
    -F "body=The body of card $i, a sentence or two of text as a card would have. <Escaped> & shown." \
    "$board/cards")
  [ "$status" = 303 ] || { echo "orbit.sh: posting card $i answered $status" >&2; cat "$work/board-server.log" >&2; exit 1; }
done
card_id=$(( (CARDS + 1) / 2 ))
home_page=$(curl -s --max-time 5 "$board/")
case $home_page in *"Card $CARDS: something to do"*) ;; *) echo "orbit.sh: the home page does not show card $CARDS" >&2; exit 1 ;; esac
card_page=$(curl -s --max-time 5 "$board/cards/$card_id")
case $card_page in *"Card $card_id: something to do"*) ;; *) echo "orbit.sh: /cards/$card_id does not show the card" >&2; exit 1 ;; esac


declare -A requests=() ticks=() seconds=() urls=() pids=() bytes=()
urls[bare]=$hello/hello.lua
urls[orbit]=$hello/orbit_hello.lua/
urls[home]=$board/
urls[card]=$board/cards/$card_id
pids[bare]=$hello_pid
pids[orbit]=$hello_pid
pids[home]=$board_pid
pids[card]=$board_pid
names=(bare orbit home card)
for name in "${names[@]}"; do
  bytes[$name]=$(curl -s --max-time 5 "${urls[$name]}" | wc -c)
done



jdk_version=$(apogee_jdk_version "$JAVA_HOME")
echo "JDK $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*Runtime Environment \(.*\)/\1/p'), $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$DURATION" \
  "x $ROUNDS rounds (after a $WARMUP warm-up each); $CARDS cards on the board"
echo "  responses: bare ${bytes[bare]} B, orbit ${bytes[orbit]} B, home ${bytes[home]} B, card ${bytes[card]} B (/cards/$card_id)"
for name in "${names[@]}"; do
  wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WARMUP" "${urls[$name]}" >/dev/null
done
for _ in $(seq "$ROUNDS"); do
  for name in "${names[@]}"; do wrk_measure "$name" "${pids[$name]}" "${urls[$name]}"; done
done
echo "overall:"
declare -A rps=() cpu=() ratio=()
for name in "${names[@]}"; do
  report "$name" "${requests[$name]}" "${seconds[$name]}" "${ticks[$name]}"
  rps[$name]=$(awk -v n="${requests[$name]}" -v s="${seconds[$name]}" 'BEGIN { printf "%.0f", n / s }')
  cpu[$name]=$(awk -v n="${requests[$name]}" -v t="${ticks[$name]}" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
done
for name in "${names[@]}"; do
  ratio[$name]=$(awk -v a="${rps[bare]}" -v b="${rps[$name]}" 'BEGIN { printf "%.2f", b / a }')
done
lines=$(wc -l <"$work/access.log")
echo "  ratio to bare (requests/s): orbit ${ratio[orbit]}, home ${ratio[home]}, card ${ratio[card]};" \
  "$lines access-log lines written by the board; load average now $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p bench/results
printf '%s jdk=%s cores=%s wrk=-t%s/-c%s/-d%sx%s cards=%s bare=%s orbit=%s home=%s card=%s orbit_ratio=%s home_ratio=%s card_ratio=%s cpu_us_bare=%s cpu_us_orbit=%s cpu_us_home=%s cpu_us_card=%s load=%s commit=%s\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$jdk_version" "$(nproc)" "$WRK_THREADS" "$WRK_CONNECTIONS" "$DURATION" "$ROUNDS" "$CARDS" \
  "${rps[bare]}" "${rps[orbit]}" "${rps[home]}" "${rps[card]}" "${ratio[orbit]}" "${ratio[home]}" "${ratio[card]}" \
  "${cpu[bare]}" "${cpu[orbit]}" "${cpu[home]}" "${cpu[card]}" "$(cut -d' ' -f1 /proc/loadavg)" \
  "$(git describe --always --dirty 2>/dev/null || echo -)" >>bench/results/orbit.txt
