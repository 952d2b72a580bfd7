/**
 * Parallelism and part sizes as the store sees them (issue 21, item 7): the proxy counts the
 * requests in flight when each arrives and records each body's length and each range. Transfers
 * are slowed so that requests overlap: the peak must reach the concurrency asked for and never
 * pass it, and every part and range must have the size asked for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertExit, cli, on } from '../support/cli.js';
import { faultSuite } from '../support/fault.js';
import type { SeenRequest } from '../support/fault-proxy.js';

const MiB = 1024 * 1024;
const body = randomBytes(20 * MiB + 12345);
const s = faultSuite('fault-parallel', {}, async (s) => {
  writeFileSync(join(s.dir, 'big.bin'), body);
  mkdirSync(join(s.dir, 'tree'));
  for (let i = 0; i < 12; i++) writeFileSync(join(s.dir, 'tree', `f${i}.bin`), randomBytes(256 * 1024));
  await s.direct.uploadObject(body, 'seed/big.bin');
});

const parts = () => s.proxy.seen.filter((r) => r.method === 'PUT' && /partNumber=/.test(r.query));
const gets = (path: RegExp) =>
  s.proxy.seen.filter((r) => r.method === 'GET' && path.test(r.path) && !r.query.includes('list-type'));
const peak = (requests: readonly SeenRequest[]) => Math.max(0, ...requests.map((r) => r.inFlight));
/** Sizes of parts of `partSize` covering `total`: all full but the last. */
const layout = (total: number, partSize: number) =>
  Array.from({ length: Math.ceil(total / partSize) }, (_, i) => Math.min(partSize, total - i * partSize));
const rangesOf = (total: number, partSize: number) =>
  layout(total, partSize).map((n, i) => `bytes=${i * partSize}-${i * partSize + n - 1}`);

test('uploadFile: parts of partSize, concurrency 3 at once and never more', async () => {
  s.proxy.reset();
  s.proxy.inject({ method: 'PUT', times: Infinity, action: { kind: 'slow', bytesPerSecond: 8 * MiB } });
  await s.faulty.uploadFile(join(s.dir, 'big.bin'), 'par/file.bin', { partSize: 5 * MiB, concurrency: 3 });
  assert.equal(peak(parts()), 3);
  assert.deepEqual(
    parts()
      .map((r) => r.length)
      .sort((a, b) => b! - a!),
    layout(body.length, 5 * MiB),
  );
});

test('downloadObject: ranges of partSize, concurrency 3 at once and never more', async () => {
  s.proxy.reset();
  s.proxy.inject({ method: 'GET', times: Infinity, action: { kind: 'slow', bytesPerSecond: 8 * MiB } });
  await s.faulty.downloadObject('seed/big.bin', join(s.dir, 'down.bin'), { partSize: 4 * MiB, concurrency: 3 });
  assert.ok(readFileSync(join(s.dir, 'down.bin')).equals(body));
  const ranges = gets(/\/seed\/big\.bin$/);
  assert.equal(peak(ranges), 3);
  assert.deepEqual(ranges.map((r) => r.range).sort(), rangesOf(body.length, 4 * MiB).sort());
  rmSync(join(s.dir, 'down.bin'));
});

test('cloudspark put --part-size 6MiB --concurrency 2 and get --part-size 5MiB --concurrency 2: as asked, at the store', async () => {
  s.proxy.reset();
  s.proxy.inject({ times: Infinity, action: { kind: 'slow', bytesPerSecond: 8 * MiB } });
  const run = (...args: string[]) => cli(['--endpoint', s.proxy.endpoint, ...on(s.bucket), ...args], { cwd: s.dir });
  assertExit(await run('put', 'big.bin', 'par/cli.bin', '--part-size', '6MiB', '--concurrency', '2'), 0);
  assert.equal(peak(parts()), 2);
  assert.deepEqual(
    parts()
      .map((r) => r.length)
      .sort((a, b) => b! - a!),
    layout(body.length, 6 * MiB),
  );
  assertExit(await run('get', 'par/cli.bin', 'cli.out', '--part-size', '5MiB', '--concurrency', '2'), 0);
  const ranges = gets(/\/par\/cli\.bin$/);
  assert.equal(peak(ranges), 2);
  assert.deepEqual(ranges.map((r) => r.range).sort(), rangesOf(body.length, 5 * MiB).sort());
  assert.ok(readFileSync(join(s.dir, 'cli.out')).equals(body));
});

test('put -r and get -r --concurrency 4: 4 files at once, never more', async () => {
  s.proxy.reset();
  s.proxy.inject({ times: Infinity, action: { kind: 'slow', bytesPerSecond: 2 * MiB } });
  const run = (...args: string[]) => cli(['--endpoint', s.proxy.endpoint, ...on(s.bucket), ...args], { cwd: s.dir });
  assertExit(await run('put', '-r', 'tree', 'par-tree/', '--concurrency', '4'), 0);
  const puts = s.proxy.seen.filter((r) => r.method === 'PUT' && r.path.includes('/par-tree/'));
  assert.equal(puts.length, 12);
  assert.equal(peak(puts), 4);
  assertExit(await run('get', '-r', 'par-tree/', 'tree-copy', '--concurrency', '4'), 0);
  const downs = gets(/\/par-tree\//);
  assert.equal(downs.length, 12);
  assert.equal(peak(downs), 4);
});
