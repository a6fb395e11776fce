#!/usr/bin/env bash
# Tests scripts/doc-test.sh on the fixture files in scripts/doc-test-fixtures/: what must pass passes,
# what must fail fails with the right message, and no process a block started outlives the run.
# Usage: scripts/doc-test-selftest.sh
set -uo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$ROOT"
FIX=scripts/doc-test-fixtures
OUT=$(mktemp -d "${TMPDIR:-/tmp}/doc-test-selftest.XXXXXX")
export SELFTEST_OUT=$OUT/files       # the fixtures' blocks leave their traces here
export DOC_TEST_NO_LOCK=1            # the fixtures use free ports: no need to wait for other runs
passed=0
failed=0

ok() { echo "ok   $*"; passed=$((passed + 1)); }
not_ok() { echo "FAIL $*"; failed=$((failed + 1)); }
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# a process that runs (a zombie waiting for its reaper has ended)
running() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -r "/proc/$pid/stat" ] && [ "$(sed 's/.*) //' "/proc/$pid/stat" | cut -c1)" != Z ]
}
# stopped: the block wrote its pid file and that process has ended
stopped() { [ -s "$1" ] && ! running "$1"; }

# run_fixture NAME EXPECTED_EXIT: runs doc-test.sh on the fixture, output in $OUT/NAME.out
run_fixture() {
  local name=$1 expected=$2 rc
  rm -rf "$SELFTEST_OUT"; mkdir -p "$SELFTEST_OUT"
  scripts/doc-test.sh "$FIX/$name.md" > "$OUT/$name.out" 2>&1
  rc=$?
  if [ "$rc" = "$expected" ]; then ok "$name.md: exit status $rc"
  else not_ok "$name.md: exit status $rc, expected $expected"; sed 's/^/    | /' "$OUT/$name.out"; fi
}
has() {  # has NAME TEXT: the output of the fixture's run contains TEXT
  if grep -qF -- "$2" "$OUT/$1.out"; then ok "$1.md: prints \"$2\""
  else not_ok "$1.md: does not print \"$2\""; sed 's/^/    | /' "$OUT/$1.out"; fi
}
lacks() {
  if grep -qF -- "$2" "$OUT/$1.out"; then not_ok "$1.md: prints \"$2\""; sed 's/^/    | /' "$OUT/$1.out"
  else ok "$1.md: does not print \"$2\""; fi
}

# --- what must pass ---
run_fixture pass 0
has pass "doc-test: 8 passed, 0 failed, 1 skipped"
has pass "SKIP $FIX/pass.md:74: needs systemd, which test machines do not run"
has pass "Skipped blocks:"
check "pass.md: unmarked blocks are not run" test ! -e "$SELFTEST_OUT/unmarked-ran"
check "pass.md: an indented block in a list item runs" test -s "$SELFTEST_OUT/indented"
check "pass.md: a ~~~ block runs" test -s "$SELFTEST_OUT/tilde"
check "pass.md: the HTTP server of the background block is stopped" stopped "$SELFTEST_OUT/server.pid"
check "pass.md: the TCP server of the background block is stopped" stopped "$SELFTEST_OUT/tcp-server.pid"
check "pass.md: a process a foreground block left running is stopped" stopped "$SELFTEST_OUT/leftover.pid"
check "pass.md: DOC_TMP is removed after a passing file" test ! -e "$(cat "$SELFTEST_OUT/doc-tmp")"

# --- what must fail ---
run_fixture fail-command 1
has fail-command "FAIL $FIX/fail-command.md:4: exit status 2"
has fail-command "    | before the failure"
has fail-command "No such file or directory"
has fail-command "---- $FIX/fail-command.md:11: not run (an earlier block of the file failed)"
has fail-command "doc-test: 0 passed, 1 failed, 0 skipped"
check "fail-command.md: the block stops at the failing command (-e)" test ! -e "$SELFTEST_OUT/after-failure"
check "fail-command.md: the blocks after a failure are not run" test ! -e "$SELFTEST_OUT/next-block-ran"

run_fixture fail-unset 1
has fail-unset "NO_SUCH_VARIABLE_ANYWHERE: unbound variable"

run_fixture fail-pipefail 1
has fail-pipefail "FAIL $FIX/fail-pipefail.md:4: exit status 1"

run_fixture fail-never-answers 1
has fail-never-answers "did not answer within 3 s"
has fail-never-answers "    | listening on nothing"
check "fail-never-answers.md: the silent background block is stopped" stopped "$SELFTEST_OUT/silent.pid"

run_fixture fail-exits-early 1
has fail-exits-early "FAIL $FIX/fail-exits-early.md:4: the block exited (status 3) before http://127.0.0.1:1/ answered"
has fail-exits-early "    | cannot bind: address already in use"

run_fixture fail-timeout 1
has fail-timeout "FAIL $FIX/fail-timeout.md:4: timed out after 2 s"
check "fail-timeout.md: the block over its time limit is stopped" stopped "$SELFTEST_OUT/slow.pid"

run_fixture fail-already-answering 1
has fail-already-answering "already answers before the block started"

run_fixture fail-markers 1
has fail-markers "FAIL $FIX/fail-markers.md:3: the doc-test marker stands before a \`\`\`lua block"
has fail-markers "FAIL $FIX/fail-markers.md:8: the doc-test marker is not followed by a fenced block on the next line"
has fail-markers "FAIL $FIX/fail-markers.md:14: unknown doc-test option: bakground"
has fail-markers "FAIL $FIX/fail-markers.md:19: skip needs a reason"
has fail-markers "not run because of the marker errors above"
lacks fail-markers "PASS"

run_fixture leaves-file 0
has leaves-file "Warning: changes the blocks left in the working tree"
has leaves-file "?? doc-test-selftest-left-behind.txt"
rm -f doc-test-selftest-left-behind.txt

# --- interrupted (Ctrl-C, or a TERM from CI): every block stops ---
for sig in INT TERM; do
  rm -rf "$SELFTEST_OUT"; mkdir -p "$SELFTEST_OUT"
  # a job started with & gets SIGINT ignored, which bash cannot trap: give it back its default
  env --default-signal=INT scripts/doc-test.sh "$FIX/interrupt.md" > "$OUT/interrupt.out" 2>&1 &
  runner=$!
  for _ in $(seq 1 300); do
    [ -s "$SELFTEST_OUT/interrupt-sleeper.pid" ] && break
    sleep 0.1
  done
  check "interrupt.md: the foreground block started" test -s "$SELFTEST_OUT/interrupt-sleeper.pid"
  kill "-$sig" "$runner"
  wait "$runner"
  rc=$?
  expected=130; [ "$sig" = TERM ] && expected=143
  check "interrupt.md: exit status $expected after SIG$sig (got $rc)" test "$rc" = "$expected"
  check "interrupt.md: SIG$sig stops the background server" stopped "$SELFTEST_OUT/interrupt-server.pid"
  check "interrupt.md: SIG$sig stops the running foreground block" stopped "$SELFTEST_OUT/interrupt-sleeper.pid"
done

# --- --list runs nothing ---
rm -rf "$SELFTEST_OUT"; mkdir -p "$SELFTEST_OUT"
scripts/doc-test.sh --list "$FIX/pass.md" > "$OUT/list.out" 2>&1
has list "RUN   $FIX/pass.md:30 [background wait=http://127.0.0.1:\$PORT/ timeout=30]"
has list "----  $FIX/pass.md:5 (\`\`\`sh, not marked: an illustration)"
check "--list runs no block" test ! -e "$SELFTEST_OUT/doc-tmp"

rm -rf "$OUT"
echo "doc-test-selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
