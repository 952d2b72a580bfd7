/**
 * getObject through a fault proxy: a body cut or gone silent mid-way never ends short. It
 * fails, typed (NETWORK, TIMEOUT), whether read whole or as a stream; a slow body that keeps
 * moving is delivered whole however long it takes, even past the idle limit several times.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connection } from '../support/rgw.js';
import { behindProxy, timed, type FaultSetup } from '../support/fault.js';
import { isCloudSparkError } from '../unit/helpers.js';

const MiB = 1024 * 1024;
const IDLE = 1000;
const body = randomBytes(6 * MiB);
let s: FaultSetup;
before(async () => {
  s = await behindProxy('fault-down', { timeouts: { idle: IDLE } });
  await s.direct.uploadObject(body, 'data.bin');
});
after(() => s.close());

test('control: with no fault the body arrives whole', async () => {
  s.proxy.reset();
  assert.ok(Buffer.from(await (await s.faulty.getObject('data.bin')).bytes()).equals(body));
});

test('a connection cut after 1 MiB of the body: bytes() fails with NETWORK, never a short result', async () => {
  s.proxy.reset();
  const cut = s.proxy.inject({ method: 'GET', action: { kind: 'cut-response', bytes: MiB } });
  const object = await s.faulty.getObject('data.bin');
  assert.equal(object.contentLength, body.length);
  await assert.rejects(object.bytes(), (e: unknown) => {
    isCloudSparkError('NETWORK')(e);
    assert.match(
      (e as Error).message,
      new RegExp(
        `^getObject\\("data.bin"\\) failed: the connection broke off after \\d+ of ${body.length} bytes of the body`,
      ),
    );
    return true;
  });
  assert.equal(cut.fired, 1);
});

test('read as a stream, the cut body errors after what it delivered, which is less than the whole', async () => {
  s.proxy.reset();
  s.proxy.inject({ method: 'GET', action: { kind: 'cut-response', bytes: 2 * MiB } });
  const object = await s.faulty.getObject('data.bin');
  let received = 0;
  await assert.rejects(
    (async () => {
      for await (const chunk of object.body) received += (chunk as Buffer).length;
    })(),
    isCloudSparkError('NETWORK'),
  );
  assert.ok(received <= 2 * MiB, `${received} bytes delivered`);
});

test('a body that goes silent after 1 MiB fails with TIMEOUT after the idle limit, naming the endpoint', async () => {
  s.proxy.reset();
  const stall = s.proxy.inject({ method: 'GET', action: { kind: 'stall-response', bytes: MiB } });
  const object = await s.faulty.getObject('data.bin');
  const { ms, error } = await timed(() => object.bytes());
  isCloudSparkError('TIMEOUT', 'timeouts.idle')(error);
  assert.match(
    (error as Error).message,
    new RegExp(`no answer from ${s.proxy.endpoint} for 1 s \\(after \\d+ of ${body.length} bytes of the body\\)`),
  );
  assert.equal(stall.fired, 1);
  assert.ok(ms >= IDLE - 100 && ms < IDLE + 5000, `${ms} ms`);
});

test('a slow body that keeps moving (6 MiB at 1.5 MiB/s, 4 s against a 2 s idle limit) arrives whole', async () => {
  s.proxy.reset();
  // A connection of its own, with room for a busy machine's pauses: what counts is that the
  // transfer outlasts the idle limit, not by how much.
  const idle = 2000;
  const conn = connection({ endpoint: s.proxy.endpoint, bucket: s.bucket, timeouts: { idle } });
  try {
    const slow = s.proxy.inject({ method: 'GET', action: { kind: 'slow', bytesPerSecond: 1.5 * MiB } });
    const { ms, value, error } = await timed(async () => Buffer.from(await (await conn.getObject('data.bin')).bytes()));
    assert.equal(error, undefined);
    assert.equal(slow.fired, 1);
    assert.ok(value!.equals(body));
    assert.ok(ms >= 1.5 * idle, `took ${ms} ms: not slower than the idle limit, the test proves nothing`);
  } finally {
    conn.close();
  }
});
