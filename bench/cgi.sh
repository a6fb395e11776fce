#!/usr/bin/env bash
# CGI benchmark: the time from starting a CGI program to the end of its response, median of RUNS
# (20), for examples/hello.lua run by apogee-cgi with its class-data archive, without it
# (APOGEE_CGI_ARCHIVE=off), and through nginx + fcgiwrap (the whole HTTP request, from curl). The
# baseline, measured in the same run, is the JVM's own floor: a Java "hello world" started with the
# launcher's JVM options. Prints each median, its CPU time (user+sys, median) and both as a ratio to
# the floor's (on a busy machine the CPU time says more than the wall time). Needs nginx and fcgiwrap (installed when missing, their services kept off). A dated line is
# appended to bench/results/cgi.txt (not versioned).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
APOGEE_HOME=$PWD
RUNS=${RUNS:-20}
APP=$APOGEE_HOME/examples/hello.lua

scripts/ensure-packages.sh nginx fcgiwrap
. scripts/jdk.sh
JAVA_HOME=$(apogee_find_jdk)
export JAVA_HOME

work=$(mktemp -d)
pids=()
cleanup() {
  local pid children=()
  # fcgiwrap's forked workers outlive their parent (which replaces any that ends while it runs):
  # note their ids, stop the parents, then the workers
  for pid in "${pids[@]}"; do children+=($(ps -o pid= --ppid "$pid" 2>/dev/null)); done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

cgi_env=(env -i PATH="$APOGEE_HOME:/usr/bin:/bin" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SCRIPT_NAME=/hello.lua
         PATH_INFO=/bench QUERY_STRING= SERVER_NAME=127.0.0.1 SERVER_PORT=80 SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1)

# the first request builds Apogee if needed and records the archive; it is not measured
"${cgi_env[@]}" "$APOGEE_HOME/apogee-cgi" "$APP" | grep -q "Hello from Apogee" || { echo "cgi.sh: apogee-cgi failed" >&2; exit 1; }

mkdir -p "$work/floor"
printf 'public class Hello { public static void main(String[] a) { System.out.println("Status: 200 OK\\r\\n\\r\\nhello"); } }\n' > "$work/floor/Hello.java"
"$JAVA_HOME/bin/javac" -d "$work/floor" "$work/floor/Hello.java"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# time_runs name command...: RUNS runs, wall ms and cpu ms (children's user+sys) each
time_runs() {
  local name=$1; shift
  local i t0 t1 c0 c1
  : >"$work/$name.wall"; : >"$work/$name.cpu"
  for i in $(seq "$RUNS"); do
    times >"$work/times0"; t0=$EPOCHREALTIME
    "$@" >/dev/null
    t1=$EPOCHREALTIME; times >"$work/times1"
    c0=$(children_cpu "$work/times0"); c1=$(children_cpu "$work/times1")
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f\n", (b - a) * 1000}' >>"$work/$name.wall"
    awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.1f\n", (b - a) * 1000}' >>"$work/$name.cpu"
  done
}
children_cpu() {  # user+sys seconds of this shell's finished children, from the output of `times` in file $1
  awk 'NR==2 {split($1,u,"m"); split($2,s,"m"); sub("s","",u[2]); sub("s","",s[2]); print u[1]*60+u[2]+s[1]*60+s[2]}' "$1"
}

# nginx + fcgiwrap in front of the same app as an executable CGI script with the apogee-cgi shebang
mkdir -p "$work/www/cgi-bin" "$work/nginx/logs"
{ echo '#!/usr/bin/env apogee-cgi'; cat "$APP"; } >"$work/www/cgi-bin/hello.lua"
chmod +x "$work/www/cgi-bin/hello.lua"
/usr/sbin/fcgiwrap -c 2 -s "unix:$work/fcgiwrap.sock" >"$work/fcgiwrap.log" 2>&1 &
pids+=($!)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
# workers as the user who runs this (the temporary folder and fcgiwrap's socket are that user's only)
user_line=""; [ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
$user_line
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; fastcgi_temp_path $work/nginx/fastcgi;
  proxy_temp_path $work/nginx/proxy; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    root $work/www;
    location /cgi-bin/ {
      fastcgi_split_path_info ^(.+?\.lua)(/.*)\$;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_param PATH_INFO \$fastcgi_path_info;
      fastcgi_param PATH $APOGEE_HOME:/usr/bin:/bin;
      fastcgi_pass unix:$work/fcgiwrap.sock;
    }
  }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -e "$work/nginx/logs/error.log" -c "$work/nginx/nginx.conf" >"$work/nginx.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/cgi-bin/hello.lua/x" | grep -q "Hello from Apogee" && break; sleep 0.1; done

flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData)
echo "cgi.sh: median of $RUNS runs each; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
time_runs floor "$JAVA_HOME/bin/java" "${flags[@]}" -cp "$work/floor" Hello
time_runs archive "${cgi_env[@]}" "$APOGEE_HOME/apogee-cgi" "$APP"
time_runs no-archive "${cgi_env[@]}" APOGEE_CGI_ARCHIVE=off "$APOGEE_HOME/apogee-cgi" "$APP"
time_runs nginx curl -s -o /dev/null --fail "http://127.0.0.1:$port/cgi-bin/hello.lua/bench"

floor=$(median <"$work/floor.wall"); floor_cpu=$(median <"$work/floor.cpu")
report() {  # label name
  local wall cpu
  wall=$(median <"$work/$2.wall"); cpu=$(median <"$work/$2.cpu")
  printf '%-44s %7s ms (%4sx)   cpu %6s ms (%4sx)\n' "$1" "$wall" "$(awk -v a="$wall" -v b="$floor" 'BEGIN {printf "%.1f", a / b}')" \
    "$cpu" "$(awk -v a="$cpu" -v b="$floor_cpu" 'BEGIN {printf "%.1f", a / b}')"
}
echo "median of $RUNS; (Nx) = N times the JVM floor, wall and cpu (user+sys of the processes)"
report "JVM floor (java Hello, same options)" floor
report "apogee-cgi hello.lua, class-data archive" archive
report "apogee-cgi hello.lua, no archive" no-archive
echo "$(printf '%-44s %7s ms' "nginx + fcgiwrap + apogee-cgi (curl)" "$(median <"$work/nginx.wall")")   (whole HTTP request; cpu not counted)"
mkdir -p bench/results
echo "$(date -u +%FT%TZ) cgi.sh runs=$RUNS floor=${floor}ms/${floor_cpu}cpu archive=$(median <"$work/archive.wall")ms/$(median <"$work/archive.cpu")cpu no-archive=$(median <"$work/no-archive.wall")ms/$(median <"$work/no-archive.cpu")cpu nginx-fcgiwrap=$(median <"$work/nginx.wall")ms load=$(cut -d' ' -f1 /proc/loadavg)" >> bench/results/cgi.txt
