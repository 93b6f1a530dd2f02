#!/usr/bin/env bash
# Regenerate the real captures in samples/ (needs root, /dev/net/tun, tcpdump,
# dumpcap, curl, python3, gzip, openssl). Not run by tests; kept for reproducibility.
#
#   sudo samples/make-samples.sh              # everything
#   sudo samples/make-samples.sh lo-any lo    # only some targets
#
# Targets: http-v4 http-v6-pcapng mixed-loss bulk-v4 lo-any lo gz tls12 tls13 tls13-alert expect100
# Captures are real traffic, so timestamps, ports, ISNs and exact packet counts
# differ on every run; the injected delays and server sleeps do not.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
LAB="${DELAYLAB:-$REPO/../shared/lab/delaylab.py}"
PORT="${PORT:-18765}"

[ "$(id -u)" -eq 0 ] || { echo "make-samples.sh: needs root" >&2; exit 2; }

delaylab() { # OUTDIR ARGS...
  local out="$HERE/$1"; shift
  rm -rf "$out"
  python3 "$LAB" "$out" "$@"
  chmod 644 "$out"/*
}

# tcpdump on the loopback of a private network namespace (so no other traffic
# and no port clashes), while python's http.server on 127.0.0.1 and [::1]
# answers a few curl requests.  loopback_capture OUTFILE TCPDUMP-ARGS...
loopback_capture() {
  local out="$1"; shift
  local ns="rttlo$$" tcpd s4 s6
  WWW="$(mktemp -d)"
  head -c 2000 /dev/zero | tr '\0' 'a' > "$WWW/small.txt"
  head -c 20000 /dev/zero | tr '\0' 'b' > "$WWW/big.txt"
  NS="$ns"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" tcpdump -U -q -Z root "$@" -w "$out" "tcp port $PORT" 2>/dev/null &
  tcpd=$!
  ip netns exec "$ns" python3 -m http.server --bind 127.0.0.1 --directory "$WWW" "$PORT" >/dev/null 2>&1 &
  s4=$!
  ip netns exec "$ns" python3 -m http.server --bind ::1 --directory "$WWW" "$PORT" >/dev/null 2>&1 &
  s6=$!
  PIDS="$tcpd $s4 $s6"
  sleep 1.5
  ip netns exec "$ns" curl -s -o /dev/null "http://127.0.0.1:$PORT/small.txt"
  ip netns exec "$ns" curl -s -o /dev/null "http://127.0.0.1:$PORT/big.txt"
  ip netns exec "$ns" curl -s -o /dev/null "http://127.0.0.1:$PORT/missing"
  ip netns exec "$ns" curl -s -o /dev/null "http://[::1]:$PORT/small.txt"
  ip netns exec "$ns" curl -s -o /dev/null "http://[::1]:$PORT/big.txt"
  sleep 0.5
  kill "$s4" "$s6"
  wait "$s4" "$s6" 2>/dev/null || true
  sleep 0.3
  kill -INT "$tcpd"
  wait "$tcpd" || true
  PIDS=""
  cleanup
  chmod 644 "$out"
}

NS="" WWW="" PIDS=""
cleanup() {
  # shellcheck disable=SC2086
  [ -z "$PIDS" ] || kill $PIDS 2>/dev/null || true
  [ -z "$NS" ] || ip netns del "$NS" 2>/dev/null || true
  [ -z "$WWW" ] || rm -rf "$WWW"
  NS="" WWW="" PIDS=""
}
trap cleanup EXIT

run() {
  case "$1" in
    http-v4)        delaylab http-v4 --ab 10 --ba 15 --scenario http ;;
    http-v6-pcapng) delaylab http-v6-pcapng --v6 --pcapng --ab 5 --ba 5 --scenario http ;;
    mixed-loss)     delaylab mixed-loss --ab 10 --ba 10 --loss 0.02 --scenario mixed --seed 7 ;;
    bulk-v4)        delaylab bulk-v4 --ab 2 --ba 2 --scenario bulk ;;
    lo-any)         loopback_capture "$HERE/loopback-sll2-ns.pcap" -i any -y LINUX_SLL2 --time-stamp-precision=nano ;;
    lo)             loopback_capture "$HERE/loopback-lo.pcap" -i lo --time-stamp-precision=micro ;;
    gz)             gzip -9 -n -c "$HERE/http-v4/client.pcap" > "$HERE/http-v4/client.pcap.gz" ;;
    tls12|tls13|tls13-alert|expect100)
                    rm -rf "$HERE/$1-v4"
                    DELAYLAB_DIR="$(dirname "$LAB")" python3 "$HERE/tcprt-lab.py" "$HERE/$1-v4" --scenario "$1"
                    chmod 644 "$HERE/$1-v4"/* ;;
    *) echo "make-samples.sh: unknown target $1" >&2; exit 2 ;;
  esac
}

if [ $# -eq 0 ]; then
  set -- http-v4 http-v6-pcapng mixed-loss bulk-v4 lo-any lo gz tls12 tls13 tls13-alert expect100
fi
for t in "$@"; do echo "== $t" >&2; run "$t"; done
