/**
 * downloadObject through the fault proxy: a small object in one GET and no HEAD; a large one in
 * parallel ranges; a range cut or gone silent mid-body resumed from its last byte, same bytes;
 * an object replaced mid-download fails with OBJECT_CHANGED; a failure that outlasts the
 * retries fails typed. Whatever fails leaves no file at the target, and no part file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { behindProxy, faultSuite, timed } from '../support/fault.js';
import { isCloudSparkError } from '../unit/helpers.js';
import { connection } from '../support/rgw.js';

const MiB = 1024 * 1024;
const body = randomBytes(6 * MiB + 12345);
const s = faultSuite('fault-transfer', { timeouts: { idle: 1000 } }, async (s) => {
  await s.direct.uploadObject(body, 'big.bin');
  await s.direct.uploadObject('small and whole', 'small.txt');
});

const gets = (key: string) => s.proxy.seen.filter((r) => r.method === 'GET' && r.path.endsWith(`/${key}`));
const files = () => readdirSync(s.dir).sort();

test('a small object comes in one ranged GET, with no HEAD before it', async () => {
  s.proxy.reset();
  const result = await s.faulty.downloadObject('small.txt', join(s.dir, 'small.txt'));
  assert.equal(readFileSync(join(s.dir, 'small.txt'), 'utf8'), 'small and whole');
  assert.equal(result.size, 15);
  assert.deepEqual(
    s.proxy.seen.map((r) => [r.method, r.range]),
    [['GET', `bytes=0-${8 * MiB - 1}`]],
  );
  rmSync(join(s.dir, 'small.txt'));
});

test('a large object comes in parallel ranges, one GET each, the same bytes', async () => {
  s.proxy.reset();
  const seen: number[] = [];
  await s.faulty.downloadObject('big.bin', join(s.dir, 'big.bin'), {
    partSize: MiB,
    concurrency: 4,
    onProgress: (p) => seen.push(p.loaded),
  });
  assert.ok(readFileSync(join(s.dir, 'big.bin')).equals(body));
  const ranges = gets('big.bin')
    .map((r) => r.range)
    .sort();
  assert.equal(ranges.length, 7);
  assert.deepEqual(
    ranges,
    Array.from({ length: 7 }, (_, i) => `bytes=${i * MiB}-${Math.min(body.length, (i + 1) * MiB) - 1}`).sort(),
  );
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => a - b),
    'progress never goes back',
  );
  assert.equal(seen.at(-1), body.length);
  rmSync(join(s.dir, 'big.bin'));
});

test('a range cut after 300 KiB of its body is resumed from its last byte: same bytes, one more GET', async () => {
  s.proxy.reset();
  const cut = s.proxy.inject({
    method: 'GET',
    headers: { range: /^bytes=2097152-/ },
    action: { kind: 'cut-response', bytes: 300 * 1024 },
  });
  await s.faulty.downloadObject('big.bin', join(s.dir, 'cut.bin'), { partSize: MiB, concurrency: 3 });
  assert.equal(cut.fired, 1);
  assert.ok(readFileSync(join(s.dir, 'cut.bin')).equals(body));
  const ranges = gets('big.bin').map((r) => r.range);
  assert.equal(ranges.length, 8);
  // The resume asks for the rest of that range only, from a byte after the start.
  const resumed = ranges.find(
    (r) => r !== undefined && /^bytes=(\d+)-3145727$/.test(r) && r !== 'bytes=2097152-3145727',
  );
  assert.ok(resumed, `no resumed range in ${ranges.join(', ')}`);
  assert.deepEqual(files(), ['cut.bin']);
  rmSync(join(s.dir, 'cut.bin'));
});

test('a range that goes silent is resumed after the idle limit: same bytes', async () => {
  s.proxy.reset();
  const stall = s.proxy.inject({
    method: 'GET',
    headers: { range: /^bytes=1048576-/ },
    action: { kind: 'stall-response', bytes: 200 * 1024 },
  });
  const { error } = await timed(() =>
    s.faulty.downloadObject('big.bin', join(s.dir, 'silent.bin'), { partSize: MiB, concurrency: 2 }),
  );
  assert.equal(error, undefined);
  assert.equal(stall.fired, 1);
  assert.ok(readFileSync(join(s.dir, 'silent.bin')).equals(body));
  // Resumed from after the 200 KiB that arrived, not fetched again from the range's start.
  const ranges = gets('big.bin').map((r) => r.range);
  const resumed = ranges
    .map((r) => /^bytes=(\d+)-2097151$/.exec(r ?? ''))
    .find((m) => m && Number(m[1]) >= MiB + 200 * 1024);
  assert.ok(resumed, `no range resumed after byte ${MiB + 200 * 1024} in ${ranges.join(', ')}`);
  assert.equal(
    ranges.filter((r) => r === 'bytes=1048576-2097151').length,
    1,
    'the stalled range was not fetched again whole',
  );
  rmSync(join(s.dir, 'silent.bin'));
});

test('the object replaced between two ranges: OBJECT_CHANGED (If-Match refused), and no file', async () => {
  s.proxy.reset();
  await s.direct.uploadObject(body, 'changing.bin');
  // The second range's GET waits at the proxy until the object has been replaced.
  const replaced = s.proxy.inject({
    method: 'GET',
    headers: { range: /^bytes=1048576-/ },
    action: { kind: 'hold', until: () => s.direct.uploadObject(randomBytes(body.length), 'changing.bin') },
  });
  const target = join(s.dir, 'changing.bin');
  await assert.rejects(
    s.faulty.downloadObject('changing.bin', target, { partSize: MiB, concurrency: 1 }),
    (e: unknown) => {
      isCloudSparkError('OBJECT_CHANGED')(e);
      assert.match(
        (e as Error).message,
        /^downloadObject\("changing\.bin"\) failed: the object changed during the download \(it no longer has the ETag ".*" \(If-Match refused\)\); nothing was written/,
      );
      return true;
    },
  );
  assert.equal(replaced.fired, 1);
  assert.deepEqual(files(), []);
});

test('a range cut again and again without progress: NETWORK after the retries, no file and no part file', async () => {
  s.proxy.reset();
  // Every answer for the second range is cut after 64 KiB: the first resume gains nothing more.
  const first = s.proxy.inject({
    method: 'GET',
    headers: { range: /^bytes=1048576-/ },
    action: { kind: 'cut-response', bytes: 64 * 1024 },
  });
  const never = s.proxy.inject({
    method: 'GET',
    headers: { range: /^bytes=(?!0-)/ },
    times: Infinity,
    action: { kind: 'cut-request', bytes: 0 },
  });
  await assert.rejects(
    s.faulty.downloadObject('big.bin', join(s.dir, 'never.bin'), { partSize: MiB, concurrency: 2, retries: 2 }),
    isCloudSparkError('NETWORK'),
  );
  assert.equal(first.fired, 1);
  assert.ok(never.fired >= 3, `${never.fired} requests cut`);
  assert.deepEqual(files(), []);
});

test('Ctrl-C (the signal) mid-download: ABORTED, and no file', async () => {
  s.proxy.reset();
  s.proxy.inject({ method: 'GET', times: Infinity, action: { kind: 'slow', bytesPerSecond: 2 * MiB } });
  const controller = new AbortController();
  const download = s.faulty.downloadObject('big.bin', join(s.dir, 'cancelled.bin'), {
    partSize: MiB,
    signal: controller.signal,
    onProgress: (p) => (p.loaded > 0 ? controller.abort() : undefined),
  });
  await assert.rejects(download, isCloudSparkError('ABORTED'));
  assert.deepEqual(files(), []);
});

test('a cancel during the back-off after a 503: ABORTED at once, and no further request is sent (it would wait for the idle limit)', async () => {
  const setup = await behindProxy('fault-backoff', { timeouts: { idle: 20_000 } });
  const random = Math.random;
  try {
    await setup.direct.uploadObject('x', 'k');
    // A 503, then a store that takes the request and never answers: a retry sent anyway hangs.
    setup.proxy.inject({ method: 'GET', action: { kind: 'status', status: 503 } });
    const stall = setup.proxy.inject({ method: 'GET', times: Infinity, action: { kind: 'stall' } });
    Math.random = () => 0.99; // a back-off of about 200 ms (jitter at its top), for the cancel to land in
    const controller = new AbortController();
    const download = timed(() =>
      setup.faulty.downloadObject('k', join(s.dir, 'backoff.bin'), { signal: controller.signal }),
    );
    while (setup.proxy.seen.length < 1) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 60));
    controller.abort();
    const { ms, error } = await download;
    assert.ok(isCloudSparkError('ABORTED')(error), String(error));
    assert.ok(ms < 5000, `${ms} ms`);
    assert.equal(stall.fired, 0, 'no request after the cancel');
  } finally {
    Math.random = random;
    await setup.close();
  }
  assert.deepEqual(files(), []);
});

test('one retry policy: the direct path takes maxAttempts (option, AWS_MAX_ATTEMPTS) as the SDK does, and retries 400 RequestTimeout', async () => {
  const setup = await behindProxy('fault-attempts', { maxAttempts: 5 });
  const saved = process.env['AWS_MAX_ATTEMPTS'];
  try {
    await setup.direct.uploadObject('five', 'k');
    // Four failures, then the answer: the fifth attempt of five gets it.
    const failures = setup.proxy.inject({ method: 'GET', times: 4, action: { kind: 'status', status: 503 } });
    await setup.faulty.downloadObject('k', join(s.dir, 'attempts.bin'));
    assert.equal(failures.fired, 4);
    assert.equal(readFileSync(join(s.dir, 'attempts.bin'), 'utf8'), 'five');
    rmSync(join(s.dir, 'attempts.bin'));
    // AWS's answer to a slow upload body is retried like a 5xx.
    setup.proxy.reset();
    const slow = setup.proxy.inject({ method: 'PUT', times: 2, action: { kind: 'status', status: 400 } });
    writeFileSync(join(s.dir, 'up.txt'), 'uploaded');
    await setup.faulty.uploadFile(join(s.dir, 'up.txt'), 'up.txt');
    assert.equal(slow.fired, 2);
    rmSync(join(s.dir, 'up.txt'));
    // Without the option, AWS_MAX_ATTEMPTS=2 is the limit, for the direct path and the SDK alike.
    process.env['AWS_MAX_ATTEMPTS'] = '2';
    const two = connection({ endpoint: setup.proxy.endpoint, bucket: setup.bucket });
    setup.proxy.reset();
    const always = setup.proxy.inject({ times: Infinity, action: { kind: 'status', status: 503 } });
    await assert.rejects(two.downloadObject('k', join(s.dir, 'never.bin')), isCloudSparkError('SERVICE_ERROR'));
    assert.equal(always.fired, 2, 'two GETs');
    await assert.rejects(two.headObject('k'), isCloudSparkError('SERVICE_ERROR'));
    assert.equal(always.fired, 4, 'and two HEADs by the SDK');
    two.close();
  } finally {
    if (saved === undefined) delete process.env['AWS_MAX_ATTEMPTS'];
    else process.env['AWS_MAX_ATTEMPTS'] = saved;
    await setup.close();
  }
  assert.deepEqual(files(), []);
});
