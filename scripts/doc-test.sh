#!/usr/bin/env bash
# doc-test: runs the shell blocks of the documentation that are marked runnable, so that the
# commands the docs show keep working.
#
# Usage: scripts/doc-test.sh [--list] [--keep] [--keep-going] [FILE.md...]   (default: README.md docs/*.md)
#   --list        print every shell block and what would be done with it; run nothing
#   --keep        keep each file's temporary folder ($DOC_TMP) even when its blocks pass
#   --keep-going  after a failure, go on with the file's next blocks (they may fail in turn)
#
# A fenced block whose info string is sh, bash or shell runs when the line just before its opening
# fence is one of these HTML comments (invisible in rendered Markdown):
#
#   <!-- doc-test -->                        run it; it must exit 0 (within 300 s)
#   <!-- doc-test timeout=600 -->            the same with another time limit, in seconds
#   <!-- doc-test background wait=URL -->    start it in the background (a server) and go on once
#                                            URL answers: an HTTP status below 500 for http(s)://
#                                            (certificates are not checked), a connection accepted
#                                            for tcp://HOST:PORT; within 180 s or timeout=SECONDS
#   <!-- doc-test skip: REASON -->           not run (it cannot run on a test machine); listed in
#                                            the summary with its reason
#
# Other blocks (unmarked shell blocks, console transcripts, config files) are illustrations and are
# not run. A marker before anything but a sh/bash/shell fence, or with an unknown option, fails.
#
# Each block runs as `bash -euo pipefail` from the repository root, with stdin from /dev/null, in a
# process group of its own. The blocks of one file run in order and share:
#   DOC_TMP      a fresh temporary folder per file (exported)
#   $DOC_TMP/env sourced before each block when it exists: a block passes values on with
#                echo "export PORT=$PORT" >> "$DOC_TMP/env"
#   BOARD_DATA   exported as $DOC_TMP/board-data, so a served sample never writes into the sources
#                (a block, or the env file, may set its own)
# $NAME and ${NAME} in a wait URL are expanded after sourcing $DOC_TMP/env. Before a background block
# starts, its URL must not answer yet (something else would be listening there). Since the docs use
# fixed ports, one run at a time holds a machine-wide lock (DOC_TEST_NO_LOCK=1: none).
#
# Background blocks are stopped (TERM to the process group, then KILL after 20 s) when the file's
# blocks are done, after a failure and on interrupt. Processes a foreground block leaves running
# are stopped the same way when it ends. After a failure the rest of that file is not run
# (unless --keep-going).
# Each block's output goes to $DOC_TMP/logs/LINE.log and is shown when it fails; a file's $DOC_TMP
# is kept when one of its blocks failed. Files the blocks add to or change in the working tree are
# listed in a warning at the end. Exit status: 0 when nothing failed, 1 otherwise, 2 for a usage error.
#
# Writing runnable blocks:
#   - keep files in $DOC_TMP (and tell readers to `export DOC_TMP=$(mktemp -d)` first);
#   - a server goes in a background block of its own, on a port no other server of the file uses:
#     a fixed one where readers expect it (the docs use 8080-8101, 8443 and 8444: take a new one),
#     or a free one from scripts/free-port.sh, passed on through $DOC_TMP/env;
#   - `curl ... | grep -q` can fail under pipefail (grep stops reading, curl gets SIGPIPE): let grep
#     read everything, or save the page to a file first;
#   - `! command` does not stop a block under -e: write `if command; then exit 1; fi`.
set -uo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
export APOGEE_DOC_TEST=1     # ./run-tests inside a block does not start the doc tests again
STOP_GRACE=${DOC_TEST_STOP_GRACE:-20}

list_only=0
keep=0
keep_going=0
files=()
while [ $# -gt 0 ]; do
  case $1 in
    --list) list_only=1 ;;
    --keep) keep=1 ;;
    --keep-going) keep_going=1 ;;
    -h | --help) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --) shift; files+=("$@"); break ;;
    -*) echo "doc-test: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) files+=("$1") ;;
  esac
  shift
done
if [ ${#files[@]} -eq 0 ]; then
  files=("$ROOT/README.md")
  for f in "$ROOT"/docs/*.md; do [ -f "$f" ] && files+=("$f"); done
fi

# --- reading the blocks ---------------------------------------------------------------------------

# Writes one block per file into $2 (N.body) and prints a manifest line per block or problem:
#   B <tab> N <tab> LINE <tab> LANG <tab> MARKER      (MARKER: what follows "doc-test", or "-" when unmarked)
#   E <tab> LINE <tab> MESSAGE
extract_blocks() {
  awk -v out="$2" '
    function is_marker(s) { return s ~ /^[ \t]*<!--[ \t]*doc-test([ \t:].*)?-->[ \t]*$/ }
    function marker_text(s) {
      sub(/^[ \t]*<!--[ \t]*doc-test/, "", s); sub(/-->[ \t]*$/, "", s)
      gsub(/^[ \t]+|[ \t]+$/, "", s)
      return s == "" ? "run" : s
    }
    BEGIN { n = 0; infence = 0; prev = ""; prevno = 0 }
    {
      line = $0
      if (infence) {
        probe = line; sub(/^[ \t]+/, "", probe)
        if (substr(probe, 1, length(fence)) == fence && probe ~ ("^" fchar "+[ \t]*$")) {
          infence = 0; close(body); prev = line; prevno = NR; next
        }
        if (indent > 0) {
          # strip the fence indentation (blocks inside list items)
          for (i = 1; i <= indent && substr(line, 1, 1) == " "; i++) line = substr(line, 2)
        }
        if (keepbody) print line > body
        prev = line; prevno = NR; next
      }
      if (match(line, /^[ \t]*(```+|~~~+)/)) {
        lead = line; sub(/[`~].*$/, "", lead); indent = length(lead)
        rest = substr(line, indent + 1)
        fchar = substr(rest, 1, 1); fence = rest; sub(("[^" fchar "].*$"), "", fence)
        info = substr(rest, length(fence) + 1); gsub(/^[ \t]+/, "", info); sub(/[ \t{].*$/, "", info)
        lang = tolower(info)
        marked = (prevno == NR - 1 && is_marker(prev))
        shell = (lang == "sh" || lang == "bash" || lang == "shell")
        infence = 1; keepbody = 0
        if (marked && !shell) {
          printf "E\t%d\tthe doc-test marker stands before a ```%s block; only sh, bash and shell blocks run\n", NR - 1, lang
        } else if (shell) {
          n++; body = out "/" n ".body"; keepbody = 1
          printf "" > body
          printf "B\t%d\t%d\t%s\t%s\n", n, NR, lang, (marked ? marker_text(prev) : "-")
        }
        prev = line; prevno = NR; next
      }
      if (prevno == NR - 1 && is_marker(prev)) {
        printf "E\t%d\tthe doc-test marker is not followed by a fenced block on the next line\n", NR - 1
      }
      prev = line; prevno = NR
    }
    END {
      if (prevno == NR && is_marker(prev)) printf "E\t%d\tthe doc-test marker is not followed by a fenced block on the next line\n", NR
      if (infence) printf "E\t%d\ta fenced block is not closed\n", NR
    }
  ' "$1"
}

# Parses a marker's text into: kind (run | background | skip), opt_timeout, opt_wait, reason.
# Sets marker_error and returns 1 when it does not parse.
parse_marker() {
  local text=$1 word
  kind=run; opt_timeout=""; opt_wait=""; reason=""; marker_error=""
  if [[ $text == skip:* ]]; then
    kind=skip; reason=${text#skip:}; reason=${reason# }
    [ -n "${reason// /}" ] || { marker_error="skip needs a reason: <!-- doc-test skip: REASON -->"; return 1; }
    return 0
  fi
  [ "$text" = run ] && return 0
  for word in $text; do
    case $word in
      background) kind=background ;;
      wait=?*) opt_wait=${word#wait=} ;;
      timeout=*)
        opt_timeout=${word#timeout=}
        if ! [[ $opt_timeout =~ ^[0-9]+$ ]] || [ "$opt_timeout" -eq 0 ]; then
          marker_error="timeout must be a number of seconds: $word"; return 1
        fi
        ;;
      skip*) marker_error="write skip as <!-- doc-test skip: REASON -->"; return 1 ;;
      *) marker_error="unknown doc-test option: $word (known: background, wait=URL, timeout=SECONDS, skip: REASON)"; return 1 ;;
    esac
  done
  if [ "$kind" = background ] && [ -z "$opt_wait" ]; then marker_error="a background block needs wait=URL"; return 1; fi
  if [ "$kind" != background ] && [ -n "$opt_wait" ]; then
    marker_error="wait=URL is for background blocks: <!-- doc-test background wait=URL -->"; return 1
  fi
  return 0
}

# --- processes ------------------------------------------------------------------------------------

bg_pids=()      # process groups of the current file's background blocks
bg_names=()
fg_pid=""       # the running foreground block (timeout's process group)

# true while a process of group $1 runs (zombies waiting for their reaper do not count)
group_alive() {
  kill -0 -- "-$1" 2>/dev/null || return 1
  ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# TERM to the group, wait up to STOP_GRACE seconds, then KILL; reaps the leader when it is our child
stop_group() {
  local pg=$1 i
  if group_alive "$pg"; then
    kill -TERM -- "-$pg" 2>/dev/null
    for ((i = 0; i < STOP_GRACE * 10; i++)); do
      group_alive "$pg" || break
      sleep 0.1
    done
    group_alive "$pg" && kill -KILL -- "-$pg" 2>/dev/null
  fi
  wait "$pg" 2>/dev/null
  return 0
}

stop_background() {
  local pg
  for pg in "${bg_pids[@]}"; do stop_group "$pg"; done
  bg_pids=(); bg_names=()
}

cleanup() {
  [ -n "$fg_pid" ] && stop_group "$fg_pid"
  fg_pid=""
  stop_background
}
trap cleanup EXIT
trap 'echo; echo "doc-test: interrupted; stopping the blocks" >&2; cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# http(s):// answers with a status below 500; tcp://HOST:PORT accepts a connection
probe() {
  local url=$1 code hostport
  case $url in
    tcp://*)
      hostport=${url#tcp://}; hostport=${hostport%%/*}
      timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "${hostport%:*}" "${hostport##*:}" 2>/dev/null
      ;;
    *)
      code=$(curl -sk -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 5 "$url" 2>/dev/null) || true
      [ -n "$code" ] && [ "$code" != 000 ] && [ "$code" -lt 500 ]
      ;;
  esac
}

show_log() {
  local log=$1 lines
  lines=$(wc -l < "$log")
  if [ "$lines" -gt 200 ]; then
    echo "    | ... ($((lines - 200)) earlier lines in $log)"
    tail -n 200 "$log" | sed 's/^/    | /'
  else
    sed 's/^/    | /' "$log"
  fi
}

# --- running a file -------------------------------------------------------------------------------

passed=0; failed=0; skipped=0; not_run=0
failures=(); skips=()
start_all=$SECONDS

rel() { local p; p=$(readlink -f "$1"); echo "${p#"$ROOT"/}"; }

run_file() {
  local file=$1 name manifest work tag n line lang marker msg file_failed=0
  name=$(rel "$file")
  work=$(mktemp -d "${TMPDIR:-/tmp}/apogee-doc-test.XXXXXX")
  mkdir -p "$work/.blocks"
  manifest=$(extract_blocks "$file" "$work/.blocks") || { echo "doc-test: cannot read $file" >&2; rm -rf "$work"; return 1; }

  if [ "$list_only" = 1 ]; then
    while IFS=$'\t' read -r tag n line lang marker; do
      case $tag in
        E) echo "ERROR $name:$n: $line${lang:+ $lang}${marker:+ $marker}" ;;
        B) if [ "$marker" = - ]; then echo "----  $name:$line (\`\`\`$lang, not marked: an illustration)"
           else echo "RUN   $name:$line [$marker]"; fi ;;
      esac
    done <<< "$manifest"
    rm -rf "$work"
    return 0
  fi

  # misplaced or malformed markers fail the file before anything of it runs
  local errors=0 kind opt_timeout opt_wait reason marker_error
  while IFS=$'\t' read -r tag n line lang marker; do
    if [ "$tag" = E ]; then
      msg=$line
      echo "FAIL $name:$n: $msg"
      failures+=("$name:$n: $msg"); failed=$((failed + 1)); errors=1
    elif [ "$marker" != - ] && ! parse_marker "$marker"; then
      echo "FAIL $name:$((line - 1)): $marker_error"
      failures+=("$name:$((line - 1)): $marker_error"); failed=$((failed + 1)); errors=1
    fi
  done <<< "$manifest"
  if [ "$errors" = 1 ]; then
    echo "     $name: not run because of the marker errors above"
    rm -rf "$work"
    return 0
  fi

  if [ "$(awk -F'\t' '$1 == "B" && $5 != "-"' <<< "$manifest" | wc -l)" -eq 0 ]; then
    rm -rf "$work"     # nothing marked in this file
    return 0
  fi

  export DOC_TMP=$work
  export BOARD_DATA=$work/board-data
  mkdir -p "$work/logs"
  echo "== $name (DOC_TMP=$work)"

  local wrapper log t0 rc url pid
  while IFS=$'\t' read -r tag n line lang marker; do
    [ "$tag" = B ] || continue
    [ "$marker" = - ] && continue
    local where="$name:$line"
    if [ "$file_failed" = 1 ] && [ "$keep_going" = 0 ]; then
      if [[ $marker != skip:* ]]; then echo "---- $where: not run (an earlier block of the file failed)"; not_run=$((not_run + 1)); fi
      continue
    fi
    parse_marker "$marker"
    if [ "$kind" = skip ]; then
      echo "SKIP $where: $reason"
      skips+=("$where: $reason"); skipped=$((skipped + 1))
      continue
    fi

    wrapper=$work/.blocks/$line.sh
    log=$work/logs/$line.log
    {
      echo "# $where"
      printf 'cd %q || exit 1\n' "$ROOT"
      echo 'if [ -f "$DOC_TMP/env" ]; then . "$DOC_TMP/env"; fi'
      cat "$work/.blocks/$n.body"
    } > "$wrapper"
    t0=$SECONDS

    if [ "$kind" = run ]; then
      timeout -k 10 "${opt_timeout:-300}" bash -euo pipefail "$wrapper" > "$log" 2>&1 < /dev/null 9>&- &
      fg_pid=$!
      wait "$fg_pid"; rc=$?
      # whatever the block left running in its process group goes too
      if group_alive "$fg_pid"; then
        echo "[doc-test: stopping processes the block left running]" >> "$log"
        stop_group "$fg_pid"
      fi
      fg_pid=""
      if [ "$rc" = 0 ]; then
        echo "PASS $where ($((SECONDS - t0)) s)"
        passed=$((passed + 1))
      else
        if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then msg="timed out after ${opt_timeout:-300} s"; else msg="exit status $rc"; fi
        echo "FAIL $where: $msg ($((SECONDS - t0)) s)"
        show_log "$log"
        failures+=("$where: $msg"); failed=$((failed + 1)); file_failed=1
      fi
      continue
    fi

    # background
    url=$( (if [ -f "$DOC_TMP/env" ]; then . "$DOC_TMP/env"; fi; eval "printf '%s' \"$opt_wait\"") 2> "$log") || {
      echo "FAIL $where: cannot expand wait=$opt_wait: $(cat "$log")"
      failures+=("$where: cannot expand wait URL"); failed=$((failed + 1)); file_failed=1
      continue
    }
    if probe "$url"; then
      msg="$url already answers before the block started: something else listens there"
      echo "FAIL $where: $msg"
      failures+=("$where: $msg"); failed=$((failed + 1)); file_failed=1
      continue
    fi
    setsid bash -euo pipefail "$wrapper" > "$log" 2>&1 < /dev/null 9>&- &
    pid=$!
    bg_pids+=("$pid"); bg_names+=("$where")
    local limit=${opt_timeout:-180} ok=0
    while :; do
      if probe "$url"; then ok=1; break; fi
      if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid"; rc=$?
        msg="the block exited (status $rc) before $url answered"
        break
      fi
      if [ $((SECONDS - t0)) -ge "$limit" ]; then
        msg="$url did not answer within $limit s"
        break
      fi
      sleep 0.5
    done
    if [ "$ok" = 1 ]; then
      echo "PASS $where (background, $url answered after $((SECONDS - t0)) s)"
      passed=$((passed + 1))
    else
      stop_group "$pid"
      echo "FAIL $where: $msg"
      show_log "$log"
      failures+=("$where: $msg"); failed=$((failed + 1)); file_failed=1
    fi
  done <<< "$manifest"

  stop_background
  unset DOC_TMP BOARD_DATA
  if [ "$file_failed" = 1 ] || [ "$keep" = 1 ]; then
    echo "     (kept $work)"
  else
    rm -rf "$work"
  fi
}

# The docs serve on fixed ports (8080, 8443, ...): one doc-test run at a time on a machine.
if [ "$list_only" = 0 ] && [ "${DOC_TEST_NO_LOCK:-}" != 1 ]; then
  exec 9> "${TMPDIR:-/tmp}/apogee-doc-test.lock"     # the blocks do not inherit it (9>&- below)
  if ! flock -n 9; then
    echo "doc-test: waiting for another doc-test run on this machine to finish"
    flock -w 1800 9 || { echo "doc-test: still waiting after 30 minutes; giving up" >&2; exit 1; }
  fi
fi

# what the working tree looks like before: the blocks must not write into the sources
tree_status() { git -C "$ROOT" status --porcelain --untracked-files=all 2>/dev/null | sort; }
tree_before=$(tree_status)

for f in "${files[@]}"; do
  if [ ! -f "$f" ]; then
    echo "FAIL $f: no such file"
    failures+=("$f: no such file"); failed=$((failed + 1))
    continue
  fi
  run_file "$f"
done

[ "$list_only" = 1 ] && exit 0

echo
if [ ${#skips[@]} -gt 0 ]; then
  echo "Skipped blocks:"
  printf '  %s\n' "${skips[@]}"
fi
if [ ${#failures[@]} -gt 0 ]; then
  echo "Failed blocks:"
  printf '  %s\n' "${failures[@]}"
fi
[ "$not_run" -gt 0 ] && echo "Not run after a failure in the same file: $not_run"
left=$(comm -13 <(printf '%s\n' "$tree_before") <(tree_status))
if [ -n "$left" ]; then
  echo "Warning: changes the blocks left in the working tree (write into \$DOC_TMP instead):"
  printf '%s\n' "$left" | sed 's/^/  /'
fi
echo "Time: $((SECONDS - start_all)) s"
echo "doc-test: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
