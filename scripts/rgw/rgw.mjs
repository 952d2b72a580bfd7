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
  const r = spawnSync('bash', [join(here, 'start.sh')], { stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
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
