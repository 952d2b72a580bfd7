/**
 * SIGTERM, SIGHUP and SIGINT sent to a real `cloudspark` process in the middle of put, get,
 * put -r and get -r (slowed down by the proxy so that the signal lands mid-transfer): each
 * cleans up the same way, and exits 128 + the signal's number. What the store says afterwards
 * (no multipart upload open) and what the folder holds (no part file) are checked, not the
 * message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { assertExit, finished, on, spawnCli } from '../support/cli.js';
import { pendingUploads } from '../support/rgw.js';
import { faultSuite } from '../support/fault.js';

const MiB = 1024 * 1024;
const big = randomBytes(12 * MiB);
const s = faultSuite('fault-signals', {}, async (s) => {
  writeFileSync(join(s.dir, 'big.bin'), big);
  mkdirSync(join(s.dir, 'tree'));
  writeFileSync(join(s.dir, 'tree', 'big.bin'), big);
  writeFileSync(join(s.dir, 'tree', 'small.txt'), 'small');
  await s.direct.uploadObject(big, 'seed/big.bin');
  await s.direct.uploadObject(big, 'seed/tree/big.bin');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Every file under `folder` whose name marks a part file. */
const partFiles = (folder: string) =>
  readdirSync(folder, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.part'));

const COMMANDS = [
  { name: 'put', method: 'PUT', args: (n: string) => ['put', 'big.bin', `sig/${n}.bin`, '--part-size', '5MiB'] },
  { name: 'get', method: 'GET', args: (n: string) => ['get', 'seed/big.bin', `out-${n}.bin`, '--part-size', '1MiB'] },
  { name: 'put -r', method: 'PUT', args: (n: string) => ['put', '-r', 'tree', `sig/${n}/`, '--part-size', '5MiB'] },
  {
    name: 'get -r',
    method: 'GET',
    args: (n: string) => ['get', '-r', 'seed/tree/', `copy-${n}`, '--part-size', '1MiB'],
  },
] as const;

for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
  test(`${signal} during put, get, put -r and get -r: exit ${128 + constants.signals[signal]}, no upload left open, no part file`, async () => {
    for (const command of COMMANDS) {
      const label = `${signal}-${command.name.replace(' ', '')}`;
      s.proxy.reset();
      // Bodies crawl, so that the signal lands while bytes are moving.
      s.proxy.inject({
        method: command.method,
        path: /\.bin/,
        times: Infinity,
        action: { kind: 'slow', bytesPerSecond: 2 * MiB },
      });
      const child = spawnCli(['--endpoint', s.proxy.endpoint, ...on(s.bucket), ...command.args(label)], { cwd: s.dir });
      const done = finished(child);
      while (!s.proxy.seen.some((r) => r.method === command.method && /\.bin/.test(r.path))) await sleep(10);
      await sleep(300);
      child.kill(signal);
      const run = await done;
      assertExit(run, 128 + constants.signals[signal]);
      assert.deepEqual(await pendingUploads(s.direct), [], `${label}: no multipart upload left open`);
      assert.deepEqual(partFiles(s.dir), [], `${label}: no part file`);
    }
  });
}
