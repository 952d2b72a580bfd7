#!/usr/bin/env bash
# Stop a throw-away RGW started by start.sh and remove its folder.
#
#   scripts/rgw/stop.sh DIR
#
# Stops the daemons by the pid files under DIR/run (TERM, up to ~10 s, then
# KILL), never by process name, so other instances and other Ceph processes
# on the machine are left alone. Idempotent: an already stopped instance or a
# missing DIR is fine. DIR is removed only if start.sh created it (marker
# file), so a wrong argument cannot wipe an unrelated folder.
# RGW_STOP_KEEP_DIR=1 stops the daemons but keeps DIR (for reading logs).
set -euo pipefail

say() { printf 'rgw: %s\n' "$*" >&2; }

if [ $# -ne 1 ] || [ -z "$1" ]; then
  say "usage: $0 DIR"
  exit 2
fi
DIR=$1
[ -d "$DIR" ] || exit 0
DIR=$(cd "$DIR" && pwd -P)

# The pid of the daemon named by PIDFILE, if that process is still a Ceph
# daemon of this DIR. The command-line check guards against a stale pid file
# whose pid was reused by an unrelated process.
daemon_pid() { # PIDFILE
  local pid cmdline
  [ -s "$1" ] || return 1
  read -r pid <"$1" || true
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ "$cmdline" == *"$DIR/ceph.conf"* ]] || return 1
  echo "$pid"
}

# A zombie still answers `kill -0`; it has exited all the same.
running() { # PID
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }            # the state letter follows "(comm) "
  [ "${stat:0:1}" != Z ]
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# TERM the daemons of the given pid files and wait up to SECONDS for them to
# exit; KILL whatever is left.
stop_group() { # SECONDS PIDFILE...
  local limit=$1 f pid deadline
  shift
  local pids=()
  for f in "$@"; do
    pid=$(daemon_pid "$f") && pids+=("$pid")
  done
  [ "${#pids[@]}" -gt 0 ] || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  deadline=$(( $(now_ms) + limit * 1000 ))
  while :; do
    local alive=()
    for pid in "${pids[@]}"; do
      running "$pid" && alive+=("$pid")
    done
    [ "${#alive[@]}" -eq 0 ] && return 0
    if [ "$(now_ms)" -ge "$deadline" ]; then
      say "killing ${alive[*]} (still running ${limit}s after TERM)"
      kill -KILL "${alive[@]}" 2>/dev/null || true
      sleep 0.2
      return 0
    fi
    sleep 0.1
  done
}

if [ -d "$DIR/run" ]; then
  # One at a time, clients first, about 10 s in all before KILL:
  # - radosgw: a client of the OSD and the monitor; its shutdown can stall
  #   once they are gone;
  # - the OSD: on TERM it first tells the monitor it is going down and waits
  #   for the answer (up to "osd mon shutdown timeout"), so the monitor must
  #   still be there;
  # - the monitor last.
  stop_group 4 "$DIR/run/client.rgw.a.pid"
  stop_group 4 "$DIR/run/osd.0.pid"
  stop_group 2 "$DIR/run/mon.a.pid"
  # Anything else that left a pid file here (should be nothing).
  for f in "$DIR"/run/*.pid; do
    if [ -e "$f" ]; then stop_group 2 "$f"; fi
  done
fi

[ "${RGW_STOP_KEEP_DIR:-0}" = 1 ] && exit 0

if [ -e "$DIR/.cloudspark-rgw" ]; then
  rm -rf -- "$DIR"
elif [ -z "$(ls -A "$DIR")" ]; then
  rmdir -- "$DIR"
else
  say "not removing $DIR: it was not created by start.sh"
  exit 1
fi
