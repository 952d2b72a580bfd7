// Node handle on scripts/rgw/start.sh and stop.sh, for the test runner and the demo.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Starts a throw-away Ceph RGW (installing Debian's packages first when missing and root) and
 * returns its endpoint and users, plus `env`: the variables the RGW test tier reads.
 * Throws when it cannot start; the scripts have said why on stderr. `quiet` keeps their
 * progress messages back unless the start fails.
 */
export function startRgw({ quiet = false } = {}) {
  const started = Date.now();
  const r = spawnSync('bash', [join(here, 'start.sh')], {
    stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    if (quiet) process.stderr.write(r.stderr ?? '');
    throw new Error('Could not start Ceph RGW (see the messages above).');
  }
  const dir = r.stdout.trim().split('\n').pop();
  const info = JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8'));
  return {
    ...info,
    dir,
    seconds: (Date.now() - started) / 1000,
    env: {
      S3_ENDPOINT: info.endpoint,
      AWS_REGION: info.region,
      AWS_ACCESS_KEY_ID: info.accessKeyId,
      AWS_SECRET_ACCESS_KEY: info.secretAccessKey,
      RGW_OTHER_ACCESS_KEY_ID: info.otherAccessKeyId,
      RGW_OTHER_SECRET_ACCESS_KEY: info.otherSecretAccessKey,
      RGW_USER_NAME: info.userName,
      RGW_DIR: dir,
    },
  };
}

/** Stops the RGW started in `dir` and removes its folder. Safe to call twice. */
export function stopRgw(dir) {
  if (dir) spawnSync('bash', [join(here, 'stop.sh'), dir], { stdio: 'inherit' });
}

// radosgw alone, for tests of what clients see while the S3 gateway is gone: the monitor and the
// OSD keep running, so everything stored (uploads in progress too) is still there when it comes
// back. `killRadosgw` kills it as a crash would (SIGKILL: no goodbye to its clients);
// `startRadosgw` starts it again with the same config: same port, same users, same data.
// `stop.sh` finds the new radosgw by the same pid file.
const RADOSGW_PID = 'run/client.rgw.a.pid';

/** The pid in `dir`'s radosgw pid file, if that process is still this RGW's radosgw. */
function radosgwPid(dir) {
  let pid;
  try {
    pid = Number(readFileSync(join(dir, RADOSGW_PID), 'utf8').trim());
    // The command line names this folder's ceph.conf: never a reused pid, never another RGW's.
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(join(dir, 'ceph.conf'))) return undefined;
  } catch {
    return undefined;
  }
  return pid;
}

/** False once `pid` has exited, a zombie not yet reaped included. */
function running(pid) {
  try {
    return !/\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Kills the radosgw of the RGW in `dir` with SIGKILL; resolves once it is gone (within 5 s, else throws). */
export async function killRadosgw(dir) {
  const pid = radosgwPid(dir);
  if (pid === undefined) throw new Error(`no radosgw of ${dir} is running`);
  process.kill(pid, 'SIGKILL');
  for (const end = Date.now() + 5000; Date.now() < end; await sleep(50)) if (!running(pid)) return;
  throw new Error(`radosgw (pid ${pid}) still running 5 s after SIGKILL`);
}

/**
 * Starts radosgw again in `dir` (after `killRadosgw`), on the same endpoint; resolves, with the
 * milliseconds it took, once S3 answers there (within 30 s, else throws).
 */
export async function startRadosgw(dir) {
  const started = Date.now();
  const { endpoint } = JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8'));
  // radosgw forks into the background; the command returns once it has. Its output goes to its
  // log under dir/log, none to ours (a pipe the daemon inherited would never close).
  const r = spawnSync('timeout', ['30', 'radosgw', '-c', join(dir, 'ceph.conf'), '-n', 'client.rgw.a'], {
    stdio: 'ignore',
  });
  if (r.status !== 0)
    throw new Error(`radosgw did not start again (exit ${r.status}); see ${join(dir, 'log/client.rgw.a.log')}`);
  for (const end = Date.now() + 30_000; Date.now() < end; await sleep(100)) {
    // The answer must come from our radosgw, not from whatever took the port meanwhile.
    if (radosgwPid(dir) === undefined) continue;
    const status = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2000) }).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return Date.now() - started;
  }
  throw new Error(`radosgw of ${dir} did not answer at ${endpoint} within 30 s`);
}
