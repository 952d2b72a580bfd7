/**
 * uploadObject through a fault proxy in front of the test RGW: single PUTs and multipart
 * uploads complete with identical bytes through 503 SlowDown, 500 and connections cut mid-body,
 * and leave no multipart upload open. An upload that cannot succeed fails with a typed error
 * and leaves nothing behind: no object, no open upload. Every fault is counted, so a test
 * that passed because its fault never fired cannot pass.
 *
 * The SDK makes 3 attempts per request: a request gets at most 2 faults to go through.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pendingUploads } from '../support/rgw.js';
import { assertNothingLeft, behindProxy, timed, type FaultSetup } from '../support/fault.js';
import { isCloudSparkError } from '../unit/helpers.js';

const MiB = 1024 * 1024;
let s: FaultSetup;
before(async () => (s = await behindProxy('fault-up', { timeouts: { idle: 2000 } })));
after(() => s.close());

async function assertStored(key: string, body: Buffer): Promise<void> {
  const back = Buffer.from(await (await s.direct.getObject(key)).bytes());
  assert.equal(back.length, body.length);
  assert.ok(back.equals(body), 'the stored bytes differ from the ones sent');
}

test('a single PUT goes through a 503 SlowDown and then a connection cut after 256 KiB of its body', async () => {
  s.proxy.reset();
  const body = randomBytes(2 * MiB);
  const slowDown = s.proxy.inject({ method: 'PUT', path: /\/single$/, action: { kind: 'status', status: 503 } });
  const cut = s.proxy.inject({ method: 'PUT', path: /\/single$/, action: { kind: 'cut-request', bytes: 256 * 1024 } });
  const result = await s.faulty.uploadObject(body, 'single');
  assert.deepEqual([slowDown.fired, cut.fired], [1, 1]);
  assert.match(result.etag ?? '', /^"[0-9a-f]{32}"$/);
  await assertStored('single', body);
});

test('a multipart upload (a stream of 12 MiB) goes through a 500 on create, two 503s on one part, a part cut after 1 MiB and a complete request cut before it arrived', async () => {
  s.proxy.reset();
  const body = randomBytes(12 * MiB);
  const faults = [
    s.proxy.inject({ method: 'POST', query: { uploads: true }, action: { kind: 'status', status: 500 } }),
    s.proxy.inject({ method: 'PUT', query: { partNumber: '2' }, times: 2, action: { kind: 'status', status: 503 } }),
    s.proxy.inject({ method: 'PUT', query: { partNumber: '3' }, action: { kind: 'cut-request', bytes: MiB } }),
    s.proxy.inject({ method: 'POST', query: { uploadId: true }, action: { kind: 'cut-request', bytes: 0 } }),
  ];
  await s.faulty.uploadObject(Readable.from([body.subarray(0, 7 * MiB), body.subarray(7 * MiB)]), 'multi.bin');
  assert.deepEqual(
    faults.map((f) => f.fired),
    [1, 2, 1, 1],
  );
  await assertStored('multi.bin', body);
  assert.deepEqual(await pendingUploads(s.direct), []);
});

test('a multipart upload whose complete gets a 503 SlowDown: retried, stored once, no upload left open', async () => {
  s.proxy.reset();
  const body = randomBytes(12 * MiB);
  const slow = s.proxy.inject({ method: 'POST', query: { uploadId: true }, action: { kind: 'status', status: 503 } });
  await s.faulty.uploadObject(body, 'complete-503.bin', { partSize: 5 * MiB });
  assert.equal(slow.fired, 1);
  await assertStored('complete-503.bin', body);
  assert.deepEqual(await pendingUploads(s.direct), []);
});

test('a single PUT that keeps getting 503 SlowDown fails with SERVICE_ERROR (SlowDown, 503) after 3 attempts, and stores nothing', async () => {
  s.proxy.reset();
  const refuse = s.proxy.inject({ method: 'PUT', times: Infinity, action: { kind: 'status', status: 503 } });
  await assert.rejects(s.faulty.uploadObject(randomBytes(MiB), 'refused.bin'), (e: unknown) => {
    isCloudSparkError('SERVICE_ERROR')(e);
    assert.deepEqual([(e as { status?: number }).status, (e as { s3Code?: string }).s3Code], [503, 'SlowDown']);
    return true;
  });
  assert.equal(refuse.fired, 3);
  await assertNothingLeft(s.direct, 'refused.bin');
});

test('a multipart upload whose parts keep failing with 500 fails with SERVICE_ERROR, aborts the upload, and leaves nothing', async () => {
  s.proxy.reset();
  const broken = s.proxy.inject({
    method: 'PUT',
    query: { partNumber: true },
    times: Infinity,
    action: { kind: 'status', status: 500 },
  });
  await assert.rejects(s.faulty.uploadObject(randomBytes(11 * MiB), 'broken.bin'), isCloudSparkError('SERVICE_ERROR'));
  assert.ok(broken.fired >= 3, `${broken.fired} part requests refused`);
  assert.ok(
    s.proxy.seen.some((r) => r.method === 'DELETE' && r.query.includes('uploadId=')),
    'the upload was aborted on the store',
  );
  await assertNothingLeft(s.direct, 'broken.bin');
});

test('a multipart upload whose parts the store takes and never answers (a full OSD) fails with TIMEOUT and leaves nothing', async () => {
  s.proxy.reset();
  const stall = s.proxy.inject({
    method: 'PUT',
    query: { partNumber: true },
    times: Infinity,
    action: { kind: 'stall' },
  });
  const { ms, error } = await timed(() => s.faulty.uploadObject(randomBytes(6 * MiB), 'stalled.bin', { queueSize: 1 }));
  isCloudSparkError('TIMEOUT', 'timeouts.idle')(error);
  assert.match((error as Error).message, new RegExp(`no answer from ${s.proxy.endpoint} for 2 s \\(3 attempts\\)`));
  assert.equal(stall.fired, 3);
  // 3 attempts of 2 s each, plus the SDK's backoff, with room for a busy machine.
  assert.ok(ms >= 6000 && ms < 20_000, `${ms} ms`);
  await assertNothingLeft(s.direct, 'stalled.bin');
});
