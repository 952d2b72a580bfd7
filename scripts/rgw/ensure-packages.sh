#!/usr/bin/env bash
# Make sure the programs start.sh needs are installed.
#
# Silent and exit 0 when everything is already on PATH (the common case, so
# callers can run this before every start without noise). Otherwise install
# the Debian packages when we can (root + apt-get), or say exactly what to
# install and fail. All output goes to stderr: callers of start.sh parse its
# stdout.
set -euo pipefail

# Commands used by start.sh/stop.sh. ceph-authtool comes with ceph-common,
# monmaptool with ceph-base (pulled in by ceph-mon).
required=(ceph-mon ceph-osd radosgw ceph radosgw-admin ceph-authtool monmaptool uuidgen curl timeout)
packages=(ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl)
install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages[*]}"

# Space-separated list of the required commands not on PATH.
missing() {
  local cmd out=()
  for cmd in "${required[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || out+=("$cmd")
  done
  echo "${out[*]+"${out[*]}"}"
}

todo=$(missing)
[ -z "$todo" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "rgw: installing Ceph packages (missing: $todo)" >&2
  # apt's progress output must not reach our stdout.
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}" >&2
  todo=$(missing)
  if [ -n "$todo" ]; then
    echo "rgw: still missing after install: $todo" >&2
    exit 1
  fi
  exit 0
fi

{
  echo "rgw: missing programs: $todo"
  echo "rgw: install them (as root, Debian/Ubuntu) with:"
  echo "  $install_cmd"
} >&2
exit 1
