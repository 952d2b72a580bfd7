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
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *"$DIR/ceph.conf"* ]] || return 1
  echo "$pid"
}

# TERM the given pid files' daemons and wait up to SECONDS for them to exit;
# KILL whatever is left.
stop_group() { # SECONDS PIDFILE...
  local limit=$1 f pid deadline
  shift
  local pids=()
  for f in "$@"; do
    pid=$(daemon_pid "$f") && pids+=("$pid")
  done
  [ "${#pids[@]}" -gt 0 ] || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  deadline=$(( $(date +%s%N) / 1000000 + limit * 1000 ))
  while :; do
    local alive=()
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive+=("$pid")
    done
    [ "${#alive[@]}" -eq 0 ] && return 0
    if [ "$(( $(date +%s%N) / 1000000 ))" -ge "$deadline" ]; then
      say "killing ${alive[*]} (did not exit on TERM within ${limit}s)"
      kill -KILL "${alive[@]}" 2>/dev/null || true
      sleep 0.2
      return 0
    fi
    sleep 0.1
  done
}

if [ -d "$DIR/run" ]; then
  # radosgw first: it is a client of the monitor and the OSD, and its
  # shutdown can stall if they are already gone. Then the OSD and monitor
  # together. About 10 s in all before KILL.
  stop_group 5 "$DIR/run/client.rgw.a.pid"
  others=()
  for f in "$DIR"/run/*.pid; do
    [ -e "$f" ] && [ "$f" != "$DIR/run/client.rgw.a.pid" ] && others+=("$f")
  done
  stop_group 5 "${others[@]+"${others[@]}"}"
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
