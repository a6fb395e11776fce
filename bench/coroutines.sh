#!/usr/bin/env bash
# Coroutine benchmark: the cost of coroutine.wrap with two yields (create + 3 calls), warm, in µs per
# coroutine, for (a) Apogee's coroutine library on JDK continuations, (b) its virtual-thread fallback
# (-Dapogee.coroutines.threads=true, resumed from a virtual thread as in the server) and (c) stock
# LuaJ 3.0.1 (a platform thread per coroutine). Two JVMs, about 30 s in all.
#
# Settings (environment): WARMUP and MEASURE, seconds per case (2 and 3).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
. scripts/jdk.sh
JAVA_HOME=$(apogee_find_jdk)
export JAVA_HOME

./apogee --help >/dev/null   # builds the jars when they are missing or stale
CP="$PWD/wsapi-servers/target/wsapi-servers.jar:$PWD/wsapi-servers/target/lib/*"
jvm=("$JAVA_HOME/bin/java" --add-exports java.base/jdk.internal.vm=ALL-UNNAMED
     -Dbench.warmup="${WARMUP:-2}" -Dbench.measure="${MEASURE:-3}" -cp "$CP")

echo "JDK $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*Runtime Environment \(.*\)/\1/p'), $(nproc) cores;" \
  "coroutine.wrap with two yields (create + 3 calls), µs per coroutine (median of ~100 ms batches, min)"
out=$(
  timeout 50 "${jvm[@]}" bench/CoroutineBench.java apogee apogee-vthread luaj
  timeout 25 "${jvm[@]}" -Dapogee.coroutines.threads=true bench/CoroutineBench.java apogee-vthread
)
awk '
  /^RESULT/ {
    key = $2 "/" $3; us[key] = $4
    printf "  %-32s %9.3f µs   (min %.3f)\n", $2 " [" $3 "]", $4, $5
  }
  END {
    a = us["apogee-vthread/continuation"]; b = us["apogee-vthread/virtual-thread"]; c = us["luaj/platform-thread"]
    if (a > 0 && b > 0) printf "  virtual-thread fallback / continuations: %.1fx\n", b / a
    if (a > 0 && c > 0) printf "  stock LuaJ / continuations:              %.0fx\n", c / a
    if (b > 0 && c > 0) printf "  stock LuaJ / virtual-thread fallback:    %.0fx\n", c / b
    if (a > 0) printf "  target for continuations: under 5 µs: %s\n", (a < 5 ? "met" : "NOT met")
  }' <<<"$out"
