# Helpers the benchmark scripts share; sourced from the repository root by bench/*.sh.
#   free_port                     a free TCP port of 127.0.0.1 (scripts/free-port.sh)
#   cpu_ticks PID                 user+system CPU of a process so far, in clock ticks
#   stop_pids PID...              TERM, up to 5 s each to end, then KILL (empty ids are skipped)
#   wrk_measure NAME PID URL [WRK ARGS...]
#                                 one wrk run of DURATION with WRK_THREADS and WRK_CONNECTIONS,
#                                 added to the caller's associative arrays requests, ticks and
#                                 seconds under NAME, printed as a report line
#   report NAME REQUESTS SECONDS TICKS
#                                 "NAME  req/s  µs CPU/request (server)"

free_port() {
  scripts/free-port.sh
}

cpu_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat")
  stat=${stat##*) }          # the fields after the command name: utime and stime are fields 14 and 15
  set -- $stat
  echo $(( ${12} + ${13} ))
}

stop_pids() {
  local pid
  for pid in "$@"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    [ -n "$pid" ] || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

report() {
  awk -v name="$1" -v n="$2" -v s="$3" -v t="$4" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "  %-8s %9.0f req/s  %7.1f µs CPU/request (server)  [%d requests in %.1f s]\n", name, n / s, t / hz * 1e6 / n, n, s }'
}

wrk_measure() {
  local name=$1 pid=$2 url=$3 out t0 t1 n secs errors
  shift 3
  t0=$(cpu_ticks "$pid")
  out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$DURATION" "$@" "$url")
  t1=$(cpu_ticks "$pid")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  secs=$(awk '/requests in/ {sub(/s,?$/, "", $4); print $4}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/' <<<"$out")
  [ -n "$errors" ] && echo "${0##*/}: $name: $errors" >&2
  requests[$name]=$(( ${requests[$name]:-0} + n ))
  ticks[$name]=$(( ${ticks[$name]:-0} + t1 - t0 ))
  seconds[$name]=$(awk -v a="${seconds[$name]:-0}" -v b="$secs" 'BEGIN { print a + b }')
  report "$name" "$n" "$secs" $((t1 - t0))
}
