#!/usr/bin/env bash
# Prints COUNT free TCP ports of 127.0.0.1 on one line, separated by spaces (default: one port).
# Usage: scripts/free-port.sh [COUNT]
#   PORT=$(scripts/free-port.sh)
#   read -r A B <<< "$(scripts/free-port.sh 2)"
# The ports are free when printed; a program started right after takes them (another program could
# too, in theory, as with any "port 0" helper).
set -euo pipefail
count=${1:-1}
case $count in '' | *[!0-9]*) echo "usage: $0 [COUNT]" >&2; exit 2 ;; esac

if command -v python3 >/dev/null 2>&1; then
  # the kernel picks them: bound together, so the COUNT ports differ
  exec python3 - "$count" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
fi

# without python3: random ports in 20000-59999 that nothing listens on
used=" "
ports=()
while [ "$count" -gt 0 ]; do
  p=$((20000 + RANDOM % 40000))
  case $used in *" $p "*) continue ;; esac
  if [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    ports+=("$p")
    used="$used$p "
    count=$((count - 1))
  fi
done
echo "${ports[*]}"
