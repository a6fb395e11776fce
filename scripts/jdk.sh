# Finds a JDK 21 or newer for Apogee. Sourced by ./apogee and ./run-tests.
# Order: $JAVA_HOME if it is 21+, else the newest 21+ JDK under /usr/lib/jvm (or $APOGEE_JDK_DIRS),
# else the java on PATH if it is 21+.

apogee_jdk_version() {  # prints the major version of the JDK at $1, or nothing
  local home=$1 v=""
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release" | head -n 1)
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  [ "$v" = "1" ] && v=8
  echo "$v"
}

apogee_find_jdk() {
  local min=21 best="" best_v=0 v d
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(apogee_jdk_version "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for d in ${APOGEE_JDK_DIRS:-/usr/lib/jvm}/*; do
    [ -d "$d" ] || continue
    d=$(readlink -f "$d")
    v=$(apogee_jdk_version "$d")
    if [ -n "$v" ] && [ "$v" -ge "$min" ] && [ "$v" -gt "$best_v" ]; then best=$d; best_v=$v; fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    d=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(apogee_jdk_version "$d")
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then best=$d; fi
  fi
  if [ -z "$best" ]; then
    echo "apogee: no JDK $min or newer found (looked at JAVA_HOME, /usr/lib/jvm and PATH); install one, e.g. 'apt-get install openjdk-21-jdk-headless'" >&2
    return 1
  fi
  echo "$best"
}

# JVM options for Maven itself on this JDK (quiet on JDK 23+, where sun.misc.Unsafe use warns)
apogee_maven_opts() {
  local v
  v=$(apogee_jdk_version "$1")
  if [ -n "$v" ] && [ "$v" -ge 23 ]; then echo "--sun-misc-unsafe-memory-access=allow ${MAVEN_OPTS:-}"; else echo "${MAVEN_OPTS:-}"; fi
}
