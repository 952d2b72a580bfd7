/**
 * The library's `signal` on file and folder transfers (issue 21, item 2): `uploadFile`,
 * `uploadDirectory` and `downloadPrefix`, slowed down by the proxy, are cancelled mid-transfer.
 * Each rejects with ABORTED at once (not when the slow transfer would have ended), sends no
 * request after the cancel, and leaves nothing: no object, no open upload, no part file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNothingLeft, faultSuite, timed } from '../support/fault.js';
import { pendingUploads } from '../support/rgw.js';
import { isCloudSparkError } from '../unit/helpers.js';

const MiB = 1024 * 1024;
const big = randomBytes(12 * MiB);
const s = faultSuite('fault-cancel', {}, async (s) => {
  writeFileSync(join(s.dir, 'big.bin'), big);
  mkdirSync(join(s.dir, 'tree'));
  writeFileSync(join(s.dir, 'tree', 'big.bin'), big);
  writeFileSync(join(s.dir, 'tree', 'small.txt'), 'small');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cancels `run` after `after` ms: what it threw, and how long after the cancel it took. */
async function cancelAfter(
  after: number,
  run: (signal: AbortSignal) => Promise<unknown>,
): Promise<{ error: unknown; lag: number; sentAfter: () => number }> {
  const controller = new AbortController();
  const pending = timed(() => run(controller.signal));
  await sleep(after);
  const at = s.proxy.seen.length;
  controller.abort();
  const { ms, error } = await pending;
  return { error, lag: ms - after, sentAfter: () => s.proxy.seen.length - at };
}

test('uploadFile cancelled mid-part: ABORTED at once, no request after it, no object and no upload left open', async () => {
  s.proxy.reset();
  s.proxy.inject({
    method: 'PUT',
    query: { partNumber: true },
    times: Infinity,
    action: { kind: 'slow', bytesPerSecond: MiB },
  });
  const { error, lag, sentAfter } = await cancelAfter(1500, (signal) =>
    s.faulty.uploadFile(join(s.dir, 'big.bin'), 'cancel/file.bin', { partSize: 5 * MiB, concurrency: 2, signal }),
  );
  isCloudSparkError('ABORTED')(error);
  assert.ok(lag < 3000, `${lag} ms after the cancel`);
  const sent = sentAfter();
  await sleep(1000);
  // The abort of the upload (DELETE) is the one request the cancel sends.
  assert.deepEqual(
    s.proxy.seen
      .slice(-sent)
      .map((r) => r.method)
      .filter((m) => m !== 'DELETE'),
    [],
    'no PUT after the cancel',
  );
  await assertNothingLeft(s.direct, 'cancel/file.bin');
});

test('uploadDirectory cancelled mid-file: ABORTED at once, the multipart file not stored and no upload left open', async () => {
  s.proxy.reset();
  s.proxy.inject({
    method: 'PUT',
    query: { partNumber: true },
    times: Infinity,
    action: { kind: 'slow', bytesPerSecond: MiB },
  });
  const { error, lag } = await cancelAfter(1500, (signal) =>
    s.faulty.uploadDirectory(join(s.dir, 'tree'), 'cancel-dir/', { partSize: 5 * MiB, signal }),
  );
  isCloudSparkError('ABORTED')(error);
  assert.ok(lag < 3000, `${lag} ms after the cancel`);
  await sleep(1000);
  await assertNothingLeft(s.direct, 'cancel-dir/big.bin');
  assert.deepEqual(await pendingUploads(s.direct), []);
});

test('downloadPrefix cancelled mid-file: ABORTED at once, no part file left, the files already written whole', async () => {
  s.proxy.reset();
  await s.direct.uploadObject(big, 'down/big.bin');
  await s.direct.uploadObject('small', 'down/a-small.txt');
  s.proxy.inject({
    method: 'GET',
    path: /\/down\/big\.bin$/,
    times: Infinity,
    action: { kind: 'slow', bytesPerSecond: MiB },
  });
  const target = join(s.dir, 'down');
  const { error, lag, sentAfter } = await cancelAfter(1500, (signal) =>
    s.faulty.downloadPrefix('down/', target, { concurrency: 1, signal }),
  );
  isCloudSparkError('ABORTED')(error);
  assert.ok(lag < 3000, `${lag} ms after the cancel`);
  await sleep(1000);
  assert.equal(sentAfter(), 0, 'no request after the cancel');
  assert.deepEqual(readdirSync(target), ['a-small.txt'], 'no part file, no big.bin');
  assert.equal(readFileSync(join(target, 'a-small.txt'), 'utf8'), 'small');
  assert.ok(!existsSync(join(target, 'big.bin')));
});
