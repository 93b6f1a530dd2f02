#!/usr/bin/env bash
# Regenerate the lab captures in samples/vantage/ (needs root, /dev/net/tun, tcpdump, curl,
# editcap, python3; not run by tests): one directory per shape of issue 11, each made with
# ../shared/lab/netlab.py, then ../shared/lab/oracle's physical truth of every sample written
# beside the captures (oracle-truth.py). Headers only (snaplen 96) to keep them small.
#
#   sudo samples/vantage/make-vantage.sh                 # every shape
#   sudo samples/vantage/make-vantage.sh eifel jitter    # only some
#
# Captures are real traffic: packet counts, ports and which frames the impairments hit differ
# on every run, so a run is kept only if it shows what its shape is for (see check_shape); the
# tests read the truth files, never the lab.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
LAB="${NETLAB:-$REPO/../shared/lab/netlab.py}"
[ "$(id -u)" -eq 0 ] || { echo "make-vantage.sh: needs root" >&2; exit 2; }

netlab() { # NAME ARGS...
  local out="$HERE/$1"; shift
  rm -rf "$out"
  python3 "$LAB" "$out" --snaplen 96 "$@" >/dev/null
  rm -f "$out"/.*.stderr
  chmod 644 "$out"/*
}

# tcpdump -G / editcap -i rotation: SLICE-seconds pieces of CAPTURE, named CAPTURE-0.pcap...
slices() { # DIR CAPTURE SECONDS
  local dir="$HERE/$1" base="${2%.pcap}" tmp
  tmp="$(mktemp -d)"
  editcap -i "$3" "$dir/$2" "$tmp/s.pcap"
  local i=0
  for f in $(ls "$tmp"/s_*.pcap | sort); do
    mv "$f" "$dir/$base-$i.pcap"
    i=$((i + 1))
  done
  rmdir "$tmp"
  chmod 644 "$dir"/*
}

truth() { # DIR [extra capture:role...]
  python3 "$HERE/oracle-truth.py" "$HERE/$1" "${@:2}"
}

make() {
  case "$1" in
    clients4) # defect 1: a client host with 4 source addresses; a router 2 ms from the server
      netlab clients4 --topo routed --mid --clients 4 --ab 2 --ba 2 --ab1 12 --ba1 12 --conns 8 --reqs 3 --sizes 100,3000 --parallel
      truth clients4 ;;
    near1ms) # defect 2: a router 1 ms from two client addresses, no TCP timestamps
      netlab near1ms --topo routed --mid --nots --clients 2 --ab1 0.5 --ba1 0.5 --ab 10 --ba 10 --conns 6 --reqs 4 --sizes 100,3000 --parallel
      truth near1ms ;;
    bulk-rotated) # defect 3: a one-way download, rotated into slices at both ends
      netlab bulk-rotated --scenario bulk --bulk-bytes 2000000 --ab 25 --ba 25
      slices bulk-rotated client.pcap 0.15
      slices bulk-rotated server.pcap 0.15
      truth bulk-rotated $(cd "$HERE/bulk-rotated" && ls client-*.pcap | sed 's/$/:client/') $(cd "$HERE/bulk-rotated" && ls server-*.pcap | sed 's/$/:server/') ;;
    loss) # Karn's rule and fix 5: ts samples from the copy the echo names; mid-path under loss
      netlab loss --topo routed --mid --ab 8 --ba 8 --ab1 2 --ba1 2 --loss 0.03 --loss1 0.02 --scenario http,bulk --conns 6 --reqs 4 --bulk-bytes 600000 --parallel
      truth loss ;;
    jitter) # fix 7: ACKs that jump a reordering hole
      netlab jitter --ab 10 --ba 10 --jitter 10 --scenario http,bulk --conns 4 --reqs 4 --bulk-bytes 600000
      truth jitter ;;
    eifel) # fix 4: requests (carrying the ACK of a response) held past the RTO: spurious retransmissions
      netlab eifel --ab 10 --ba 10 --reorder 0.1 --reorder-ms 400 --sleeps 0 --sizes 100 --conns 10 --reqs 8 --seed "${SEED:-1}"
      truth eifel ;;
    synloss) # fix 4: handshakes lost and resent (an echo of a SYN/ACK's middle copy), late answers
      netlab synloss --ab 10 --ba 10 --loss 0.12 --conns 30 --reqs 2 --sizes 100,3000 --sleeps 0,5 --seed 5
      truth synloss ;;
    offload) # TSO/GRO super-segments at both ends: partial ACKs
      netlab offload --topo routed-veth --offload on --ab 10 --ba 10 --scenario bulk,upload --bulk-bytes 600000 --upload-bytes 400000
      truth offload ;;
    late-ack) # defect 6: pure ACKs lost before the capture point, and queueing spikes for comparison
      netlab late-ack --ab 10 --ba 10 --loss 0.1 --loss-dir ba --sleeps 0,300 --sizes 100 --conns 10 --reqs 10 --seed 12
      truth late-ack
      netlab queue-spike --ab 10 --ba 10 --reorder 0.15 --reorder-ms 300 --sleeps 0 --sizes 100 --conns 10 --reqs 10 --seed 11
      truth queue-spike ;;
    *) echo "make-vantage.sh: unknown shape $1" >&2; exit 2 ;;
  esac
}

shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(clients4 near1ms bulk-rotated loss jitter eifel synloss offload late-ack)
for s in "${shapes[@]}"; do make "$s"; done
