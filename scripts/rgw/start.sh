#!/usr/bin/env bash
# Start a throw-away single-node Ceph RADOS Gateway (S3 + IAM + STS) on loopback.
#
#   scripts/rgw/start.sh [DIR]      -> prints DIR as the last (only) line of stdout
#   scripts/rgw/stop.sh DIR         -> stops it and removes DIR
#
# One monitor, one OSD with the in-memory object store ("memstore"), one
# radosgw (beast frontend on 127.0.0.1). No ceph-mgr: S3 does not need it.
# Everything lives under DIR, every Ceph command gets "-c DIR/ceph.conf" and
# runs under `timeout` (a wrong config makes Ceph tools wait for a monitor
# forever), and the ports are picked free so several instances can coexist.
#
# DIR/env.json and DIR/env.sh hold the endpoint and credentials. Progress and
# errors go to stderr; secret keys are never printed.
#
# Environment knobs (all optional):
#   RGW_MEMSTORE_BYTES   capacity the OSD reports (default 2 GiB; RAM is only
#                        used for data actually stored)
#   RGW_KEEP_ON_FAILURE  =1 keeps DIR (logs) after a failed start; daemons are
#                        still stopped
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T0=$EPOCHREALTIME

# Stdout is reserved for the final DIR line: callers parse it. Everything
# else, including output of the tools we run, goes to stderr.
exec 3>&1 1>&2

say() { printf 'rgw: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup ---
DIR=""
OWN_DIR=0      # set once DIR is ours to remove (marker written)
READY=0
FAIL_LOG=""    # the log that explains the stage we are in

on_exit() {
  local rc=$?
  [ "$READY" -eq 1 ] && return 0
  [ "$rc" -eq 0 ] && rc=1
  if [ "$rc" -eq 130 ] || [ "$rc" -eq 143 ]; then
    say "interrupted"
  elif [ -n "$FAIL_LOG" ] && [ -s "$FAIL_LOG" ]; then
    say "last lines of $FAIL_LOG:"
    tail -n 30 "$FAIL_LOG" | sed 's/^/  | /' >&2 || true
  fi
  if [ "$OWN_DIR" -eq 1 ]; then
    # A daemon launched just before we got here may not have written its
    # pid file yet; stop.sh finds daemons only by pid file.
    sleep 0.3
    if [ "${RGW_KEEP_ON_FAILURE:-0}" = 1 ]; then
      RGW_STOP_KEEP_DIR=1 "$HERE/stop.sh" "$DIR" || true
      say "start failed; logs kept in $DIR"
    else
      "$HERE/stop.sh" "$DIR" || true
      say "start failed; stopped and removed $DIR"
    fi
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$HERE/ensure-packages.sh"

# ------------------------------------------------------------------- DIR ---
if [ $# -ge 1 ] && [ -n "$1" ]; then
  DIR=$1
  mkdir -p "$DIR"
  # Refuse a non-empty folder: we would remove it on stop.
  if [ -n "$(ls -A "$DIR")" ]; then
    die "$DIR is not empty"
  fi
else
  DIR=$(mktemp -d /tmp/cloudspark-rgw.XXXXXX)
fi
DIR=$(cd "$DIR" && pwd -P)
umask 077          # keyrings and env files hold secrets
chmod 700 "$DIR"
: >"$DIR/.cloudspark-rgw"   # stop.sh only removes folders carrying this marker
OWN_DIR=1

# Unix socket paths are limited to 107 bytes; the longest one we create is
# the radosgw admin socket.
asok_probe="$DIR/run/ceph-client.rgw.a.asok"
[ "${#asok_probe}" -lt 100 ] || die "DIR path too long for Ceph admin sockets: $DIR"

mkdir -p "$DIR/run" "$DIR/log" "$DIR/mon" "$DIR/osd/ceph-0" "$DIR/rgw" "$DIR/crash"
CONF="$DIR/ceph.conf"
SETUP_LOG="$DIR/log/setup.log"
: >"$SETUP_LOG"

# Run a Ceph tool under a time limit, its chatter into the setup log. fd 3
# (our real stdout) is closed for it: a daemon that inherited it would keep
# a caller's `$(start.sh)` waiting forever.
ceph_run() { # SECONDS CMD ARGS...
  local t=$1; shift
  timeout "$t" "$@" >>"$SETUP_LOG" 2>&1 3>&-
}

# ------------------------------------------------------------ free ports ---
# Random ports below Linux's ephemeral range (32768+), so an outgoing
# connection cannot be sitting on them, and above common service ports.
# A port is taken if something accepts on it. There is a small window between
# this check and the daemon binding; a clash then fails the start loudly.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
declare -A picked=()
pick_port() {
  local p _
  for _ in $(seq 1 200); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    [ -n "${picked[$p]:-}" ] && continue
    port_busy "$p" && continue
    picked[$p]=1
    echo "$p"
    return 0
  done
  return 1
}
S3_PORT=$(pick_port) || die "no free port for S3"
MON_V2_PORT=$(pick_port) || die "no free port for the monitor (v2)"
MON_V1_PORT=$(pick_port) || die "no free port for the monitor (v1)"

# ----------------------------------------------------------- secrets etc ---
# Characters from a fixed alphabet, read from a bounded chunk of urandom (an
# endless `tr </dev/urandom | head` dies of SIGPIPE under pipefail).
rand() { # LENGTH ALPHABET
  local out=""
  while [ "${#out}" -lt "$1" ]; do
    out+=$(head -c 1024 /dev/urandom | LC_ALL=C tr -dc "$2")
  done
  printf '%s' "${out:0:$1}"
}
FSID=$(uuidgen)
OSD_UUID=$(uuidgen)
STS_KEY=$(rand 16 'A-Za-z0-9')          # rgw sts key: must be exactly 16 chars
ACCESS_KEY="CS$(rand 18 'A-Z0-9')"
SECRET_KEY=$(rand 40 'A-Za-z0-9')
OTHER_ACCESS_KEY="CO$(rand 18 'A-Z0-9')"
OTHER_SECRET_KEY=$(rand 40 'A-Za-z0-9')
USER_NAME=cloudspark
OTHER_USER=other
REGION=us-east-1
ENDPOINT="http://127.0.0.1:$S3_PORT"

# ------------------------------------------------------------- ceph.conf ---
# Why each setting is there: see the comments; most make one OSD enough or
# keep the bring-up/stop fast.
cat >"$CONF" <<EOF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]
# loopback only
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
# a port clash should fail fast rather than retry for 15 s
ms bind retry count = 1
ms bind retry delay = 1
# everything under DIR
keyring = $DIR/keyring
run dir = $DIR/run
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$cluster-\$name.asok
log file = $DIR/log/\$name.log
crash dir = $DIR/crash
mon data = $DIR/mon/\$cluster-\$id
osd data = $DIR/osd/\$cluster-\$id
# one OSD must be enough for every pool
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd crush chooseleaf type = 0
# radosgw creates ~8 pools on first start; default PG counts would exceed
# one OSD's limit
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
# quiet health warnings that are expected here
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim = false
mon warn on insecure global id reclaim allowed = false
auth allow insecure global id reclaim = false

[mon]
keyring = \$mon_data/keyring
# radosgw's first start issues ~8 monitor commands: 1 s each by default
paxos propose interval = 0.1

[osd]
keyring = \$osd_data/keyring
# on stop the OSD waits this long for the monitor to acknowledge it going
# down (default 5 s); stop.sh stops it before the monitor, this is a bound
osd mon shutdown timeout = 1
# no disk device: data lives in the OSD's RAM
osd objectstore = memstore
memstore device bytes = ${RGW_MEMSTORE_BYTES:-2147483648}

[client.rgw.a]
keyring = $DIR/keyring.rgw
rgw data = $DIR/rgw
rgw frontends = beast endpoint=127.0.0.1:$S3_PORT
# lifecycle workers sleep 5 s and would delay exit by ~8 s; the LC API
# itself still works
rgw enable lc threads = false
# STS GetSessionToken needs both
rgw sts key = $STS_KEY
rgw s3 auth use sts = true
EOF

# --------------------------------------------------------------- keyring ---
# mon. and client.admin (as vstart.sh does), plus the radosgw key: the
# monitor imports every key of this keyring at mkfs, which saves a round of
# `ceph auth get-or-create` later.
FAIL_LOG=$SETUP_LOG
ceph_run 10 ceph-authtool --create-keyring --gen-key --name=mon. --cap mon 'allow *' "$DIR/keyring"
ceph_run 10 ceph-authtool --gen-key --name=client.admin \
  --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' "$DIR/keyring"
ceph_run 10 ceph-authtool --create-keyring --gen-key --name=client.rgw.a \
  --cap mon 'allow rw' --cap osd 'allow rwx' "$DIR/keyring.rgw"
ceph_run 10 ceph-authtool "$DIR/keyring" --import-keyring "$DIR/keyring.rgw"

# ------------------------------------------------------- daemon helpers ---
# The pid of a daemon that was just launched, from its pid file. Ceph daemons
# fork into the background and delete their pid file when they exit, so
# read it as soon as it appears; none within 10 s means the daemon is gone.
daemon_pid() { # PIDFILE WHAT
  local pid="" _
  for _ in $(seq 1 200); do
    if [ -s "$1" ]; then read -r pid <"$1" || true; fi
    [[ "$pid" =~ ^[0-9]+$ ]] && { echo "$pid"; return 0; }
    sleep 0.05
  done
  die "$2: daemon not running (no pid file $1)"
}

# Poll CMD until it succeeds; fail at once if the daemon PID has exited.
wait_until() { # SECONDS WHAT PID CMD ARGS...
  local limit=$1 what=$2 pid=$3 start=$SECONDS; shift 3
  while :; do
    kill -0 "$pid" 2>/dev/null || die "$what: daemon exited"
    "$@" >/dev/null 2>&1 && return 0
    (( SECONDS - start < limit )) || die "$what: not ready after ${limit}s"
    sleep 0.2
  done
}

ceph_cli() { timeout 15 ceph -c "$CONF" --connect-timeout 10 "$@"; }

# --------------------------------------------------------------- monitor ---
ceph_run 10 monmaptool --create --clobber --fsid "$FSID" --enable-all-features \
  --addv a "[v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]" "$DIR/monmap"
ceph_run 30 ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" --keyring "$DIR/keyring"
FAIL_LOG="$DIR/log/mon.a.log"
# Daemonizes; the parent returns once the monitor has bound its ports, and
# fails if it could not.
ceph_run 30 ceph-mon -c "$CONF" -i a \
  || die "ceph-mon did not start (port $MON_V2_PORT/$MON_V1_PORT taken?)"
MON_PID=$(daemon_pid "$DIR/run/mon.a.pid" monitor)
wait_until 30 "monitor" "$MON_PID" ceph_cli mon stat
say "monitor up (:$MON_V2_PORT,:$MON_V1_PORT)"

# ------------------------------------------------------------------- OSD ---
FAIL_LOG=$SETUP_LOG
OSD_KEY=$(timeout 10 ceph-authtool --gen-print-key)
printf '{"cephx_secret": "%s"}\n' "$OSD_KEY" >"$DIR/osd/new.json"
OSD_ID=$(ceph_cli osd new "$OSD_UUID" -i "$DIR/osd/new.json" 2>>"$SETUP_LOG")
rm -f "$DIR/osd/new.json"
[ "$OSD_ID" = 0 ] || die "expected osd id 0, got '$OSD_ID'"
FAIL_LOG="$DIR/log/osd.0.log"
ceph_run 60 ceph-osd -c "$CONF" -i 0 --mkfs --key "$OSD_KEY" --osd-uuid "$OSD_UUID"
# memstore's --mkfs does not write the OSD keyring; without it the OSD fails
# with "unable to find a keyring ... failed to fetch mon config".
printf '[osd.0]\n\tkey = %s\n' "$OSD_KEY" >"$DIR/osd/ceph-0/keyring"
ceph_run 60 ceph-osd -c "$CONF" -i 0 || die "ceph-osd did not start"
OSD_PID=$(daemon_pid "$DIR/run/osd.0.pid" osd.0)
osd_up() { ceph_cli osd dump 2>/dev/null | grep -q '^osd\.0 up'; }
wait_until 60 "osd.0" "$OSD_PID" osd_up
say "osd.0 up (memstore)"

# -------------------------------------------------------------- radosgw ---
FAIL_LOG="$DIR/log/client.rgw.a.log"
# The S3 port was free when picked a second ago; check again right before
# radosgw binds it, to keep the window for a clash small.
port_busy "$S3_PORT" && die "port $S3_PORT was taken meanwhile; start again"
ceph_run 60 radosgw -c "$CONF" -n client.rgw.a || die "radosgw did not start"
RGW_PID=$(daemon_pid "$DIR/run/client.rgw.a.pid" radosgw)

# True if process PID has a socket listening on 127.0.0.1:PORT. If radosgw
# lost a race for its port, something else answers there: an answer to GET /
# alone would not prove that our radosgw is up.
listens_on() { # PID PORT
  local want inode
  want=$(printf '0100007F:%04X' "$2")
  while read -r inode; do
    find "/proc/$1/fd" -lname "socket:\[$inode\]" 2>/dev/null | grep -q . && return 0
  done < <(awk -v a="$want" '$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp)
  return 1
}
s3_answers() {
  local code
  listens_on "$RGW_PID" "$S3_PORT" || return 1
  code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$ENDPOINT/") || return 1
  [ "$code" = 200 ]
}
wait_until 90 "radosgw" "$RGW_PID" s3_answers
say "radosgw up ($ENDPOINT)"

# ----------------------------------------------------------------- users ---
FAIL_LOG=$SETUP_LOG
# radosgw-admin prints the keys in its JSON answer: keep stdout out of sight.
rgw_admin() { timeout 60 radosgw-admin -c "$CONF" "$@" >/dev/null 2>>"$SETUP_LOG"; }
# caps user-policy=* lets the user call the IAM user-policy APIs on itself.
rgw_admin user create --uid="$USER_NAME" --display-name="cloudspark tests" \
  --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" --caps="user-policy=*" \
  || die "radosgw-admin user create $USER_NAME failed"
rgw_admin user create --uid="$OTHER_USER" --display-name="cloudspark other owner" \
  --access-key="$OTHER_ACCESS_KEY" --secret-key="$OTHER_SECRET_KEY" \
  || die "radosgw-admin user create $OTHER_USER failed"

# STS GetSessionToken also needs a user policy allowing it. radosgw-admin
# (16.2) has no user-policy command, so use the IAM API with the user's own
# keys. Only sts:* is granted: an identity policy allowing s3:* on "*" would
# let this user into buckets of other users, which the tests rely on not
# being the case. The credentials go through a curl config file so they
# never appear on a command line.
printf 'user = "%s:%s"\n' "$ACCESS_KEY" "$SECRET_KEY" >"$DIR/curl-user.cfg"
POLICY='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetSessionToken"],"Resource":"*"}]}'
code=$(curl -sS -m 20 -o "$DIR/log/put-user-policy.xml" -w '%{http_code}' \
  -K "$DIR/curl-user.cfg" --aws-sigv4 "aws:amz:$REGION:iam" \
  --data-urlencode "Action=PutUserPolicy" \
  --data-urlencode "Version=2010-05-08" \
  --data-urlencode "UserName=$USER_NAME" \
  --data-urlencode "PolicyName=cloudspark-sts" \
  --data-urlencode "PolicyDocument=$POLICY" \
  "$ENDPOINT/") || code=000
rm -f "$DIR/curl-user.cfg"
if [ "$code" != 200 ]; then
  FAIL_LOG="$DIR/log/put-user-policy.xml"
  die "IAM PutUserPolicy answered HTTP $code"
fi
say "users $USER_NAME and $OTHER_USER created"

# ------------------------------------------------------------- env files ---
json_str() { # minimal JSON string escaping (paths, keys: no control chars)
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}
PID_FILES=("$DIR/run/client.rgw.a.pid" "$DIR/run/osd.0.pid" "$DIR/run/mon.a.pid")
pid_json=""
for f in "${PID_FILES[@]}"; do pid_json+="${pid_json:+,}$(json_str "$f")"; done
cat >"$DIR/env.json.tmp" <<EOF
{
  "dir": $(json_str "$DIR"),
  "endpoint": $(json_str "$ENDPOINT"),
  "region": $(json_str "$REGION"),
  "accessKeyId": $(json_str "$ACCESS_KEY"),
  "secretAccessKey": $(json_str "$SECRET_KEY"),
  "otherAccessKeyId": $(json_str "$OTHER_ACCESS_KEY"),
  "otherSecretAccessKey": $(json_str "$OTHER_SECRET_KEY"),
  "userName": $(json_str "$USER_NAME"),
  "pidFiles": [$pid_json]
}
EOF
mv "$DIR/env.json.tmp" "$DIR/env.json"
{
  echo "# source me: credentials of the throw-away RGW in this folder"
  printf 'export S3_ENDPOINT=%q\n' "$ENDPOINT"
  printf 'export AWS_ACCESS_KEY_ID=%q\n' "$ACCESS_KEY"
  printf 'export AWS_SECRET_ACCESS_KEY=%q\n' "$SECRET_KEY"
  printf 'export AWS_REGION=%q\n' "$REGION"
  printf 'export RGW_DIR=%q\n' "$DIR"
  printf 'export RGW_OTHER_ACCESS_KEY_ID=%q\n' "$OTHER_ACCESS_KEY"
  printf 'export RGW_OTHER_SECRET_ACCESS_KEY=%q\n' "$OTHER_SECRET_KEY"
  printf 'export RGW_USER_NAME=%q\n' "$USER_NAME"
} >"$DIR/env.sh"

# A daemon that died during the user setup would leave a broken instance.
for pid in "$MON_PID" "$OSD_PID" "$RGW_PID"; do
  kill -0 "$pid" 2>/dev/null || die "a daemon (pid $pid) exited during setup"
done

READY=1
elapsed=$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
say "ready in ${elapsed}s: $ENDPOINT (source $DIR/env.sh; stop with scripts/rgw/stop.sh $DIR)"
echo "$DIR" >&3
