#!/usr/bin/env bash
# Parsing benchmark: wsapi.request on Apogee's Java-backed path against WSAPI's pure-Lua
# algorithms, for a 2 KiB query string, URL coding and 1 MiB multipart bodies.
# Both paths are measured in the same run, in CPU time, so the ratio holds on a busy machine.
#
#   bench/wsapi-parse.sh [round seconds, default 0.25] [rounds, default 5]
#
# Bounded: about (3 + 2 x rounds) x round seconds of CPU per path and case, 6 cases
# (~20 s of CPU with the defaults); the whole run is stopped after 15 minutes.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
. scripts/jdk.sh
JAVA_HOME=$(apogee_find_jdk)
export JAVA_HOME
target=wsapi-servers/target
if [ ! -f "$target/wsapi-servers.jar" ] || [ -n "$(find wsapi-core/src/main -newer "$target/wsapi-servers.jar" -print -quit)" ]; then
  MAVEN_OPTS=$(apogee_maven_opts "$JAVA_HOME") mvn -q -B -DskipTests package -pl wsapi-core,wsapi-servers >&2
fi
echo "JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
exec timeout 900 "$JAVA_HOME/bin/java" -XX:+UseParallelGC -Xmx1g -cp "$target/wsapi-servers.jar:$target/lib/*" \
  bench/WsapiParseBench.java bench/wsapi_parse.lua "${1:-0.25}" "${2:-5}"
