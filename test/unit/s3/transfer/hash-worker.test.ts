/**
 * Content-MD5 hashed on the worker thread (src/s3/transfer/hash-worker.ts): the digest of exactly the
 * bytes of the body (a view at an offset in shared memory included), every one of many hashes
 * in flight answered with its own, and a process that awaits a hash neither exits before it
 * nor is kept alive by the worker after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { md5Of, sharedBuffer } from '../../../../src/s3/transfer/hash-worker.js';

const MiB = 1024 * 1024;
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('base64');

function sharedCopy(bytes: Buffer): Buffer {
  const b = sharedBuffer(bytes.length);
  bytes.copy(b);
  return b;
}

test('md5Of: the MD5 of the body only, for a view at an offset in shared memory, a small body and an unshared one', async () => {
  const bytes = randomBytes(3 * MiB);
  const whole = sharedCopy(bytes);
  const view = whole.subarray(MiB + 7, 2 * MiB + 9);
  assert.equal(await md5Of(view), md5(bytes.subarray(MiB + 7, 2 * MiB + 9)));
  assert.equal(await md5Of(whole), md5(bytes));
  assert.equal(await md5Of(sharedCopy(bytes.subarray(0, 100))), md5(bytes.subarray(0, 100)));
  assert.equal(await md5Of(bytes), md5(bytes));
  assert.equal(await md5Of(sharedBuffer(0)), md5(Buffer.alloc(0)));
});

test('md5Of: many hashes in flight each get their own digest', async () => {
  const bodies = Array.from({ length: 24 }, (_, i) => sharedCopy(randomBytes(MiB / 2 + i * 1000)));
  const digests = await Promise.all(bodies.map((b) => md5Of(b)));
  assert.deepEqual(digests, bodies.map(md5));
});

test('md5Of: a process waits for a hash in flight, then exits on its own (the idle worker holds nothing)', () => {
  const script = `
    import { md5Of, sharedBuffer } from './src/s3/transfer/hash-worker.ts';
    const b = sharedBuffer(4 * 1024 * 1024); b.fill(7);
    md5Of(b).then((d) => console.log(d));
  `;
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), md5(Buffer.alloc(4 * MiB, 7)));
  assert.ok(Date.now() - started < 15_000, 'exited on its own');
});
