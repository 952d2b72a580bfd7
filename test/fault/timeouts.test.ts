/**
 * The connection's timeouts against a store that accepts and never answers, and against an
 * endpoint that never accepts the connection: TIMEOUT after the SDK's 3 attempts, within the
 * configured time plus its backoff, naming the endpoint and the option to raise. An upload
 * that keeps moving is never cut, however long it takes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { S3Connection } from '../../src/index.js';
import { connection } from '../support/rgw.js';
import { behindProxy, timed, type FaultSetup } from '../support/fault.js';
import { isCloudSparkError } from '../unit/helpers.js';

const MiB = 1024 * 1024;
const IDLE = 1000;
/** The SDK's backoff between its 3 attempts stays well under this, even on a busy machine. */
const SLACK = 8000;
let s: FaultSetup;
before(async () => {
  s = await behindProxy('fault-time', { timeouts: { idle: IDLE } });
  await s.direct.uploadObject('hello', 'hello.txt');
});
after(() => s.close());

const stalledCalls: Array<[string, (c: S3Connection) => Promise<unknown>]> = [
  ['headObject', (c) => c.headObject('hello.txt')],
  ['getObjects (ListObjectsV2)', (c) => c.getObjects()],
  ['uploadObject (a PUT the store reads and never answers)', (c) => c.uploadObject(randomBytes(64 * 1024), 'new.bin')],
];
for (const [what, call] of stalledCalls) {
  test(`a stalled store: ${what} fails with TIMEOUT after 3 attempts of 1 s`, async () => {
    s.proxy.reset();
    const stall = s.proxy.inject({ times: Infinity, action: { kind: 'stall' } });
    const { ms, error } = await timed(() => call(s.faulty));
    isCloudSparkError('TIMEOUT', 'timeouts.idle')(error);
    assert.match(
      (error as Error).message,
      new RegExp(
        `failed: no answer from ${s.proxy.endpoint} for 1 s \\(3 attempts\\); raise timeouts.idle if the store is only slow$`,
      ),
    );
    assert.equal(stall.fired, 3);
    assert.ok(ms >= 3 * IDLE - 100 && ms < 3 * IDLE + SLACK, `${ms} ms`);
  });
}

test('an upload that keeps moving (20 MiB in one PUT at 4 MiB/s, 5 s against a 3 s idle limit) is never cut', async () => {
  s.proxy.reset();
  // A slow reader lets the kernel buffer a MiB or two of the body, during which the client
  // sees no progress: the idle limit must stay above that (here about 0.5 s) for any timer to hold.
  const idle = 3000;
  const conn = connection({ endpoint: s.proxy.endpoint, bucket: s.bucket, timeouts: { idle } });
  try {
    const slow = s.proxy.inject({ method: 'PUT', action: { kind: 'slow', bytesPerSecond: 4 * MiB } });
    const body = randomBytes(20 * MiB);
    const { ms, error } = await timed(() => conn.uploadObject(body, 'slow.bin', { partSize: 24 * MiB }));
    assert.equal(error, undefined);
    assert.equal(slow.fired, 1);
    assert.deepEqual(s.proxy.seen.filter((r) => r.method === 'PUT').length, 1, 'sent once, not retried');
    assert.ok(ms >= 1.5 * idle, `took ${ms} ms: not slower than the idle limit, the test proves nothing`);
    assert.ok(Buffer.from(await (await s.direct.getObject('slow.bin')).bytes()).equals(body));
  } finally {
    conn.close();
  }
});

/**
 * An endpoint that never completes a connection: a socket that listens with a backlog of 0 and
 * never accepts (Python, since Node accepts by itself), its queue filled by one connection of
 * ours. Further SYNs are dropped, so a connect waits.
 */
async function unacceptingEndpoint(): Promise<{ endpoint: string; close(): void }> {
  const python: ChildProcess = spawn(
    '/usr/bin/python3',
    [
      '-c',
      [
        'import socket, sys',
        's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
        'print(s.getsockname()[1], flush=True)',
        'sys.stdin.read()',
      ].join('\n'),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    python.once('error', reject);
    python.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
  });
  const fillers: Socket[] = [];
  const connects = () =>
    new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      fillers.push(socket);
      socket.on('error', () => resolve(false));
      socket.once('connect', () => resolve(true));
      setTimeout(() => resolve(false), 300);
    });
  let attempts = 0;
  while (await connects()) if (++attempts >= 8) throw new Error(`port ${port} kept accepting connections`);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close() {
      for (const f of fillers) f.destroy();
      python.kill();
    },
  };
}

test('an endpoint that never accepts the connection: TIMEOUT naming timeouts.connect after 3 attempts of 1 s', async () => {
  const dead = await unacceptingEndpoint();
  const conn = connection({ endpoint: dead.endpoint, bucket: 'any-bucket', timeouts: { connect: 1000 } });
  try {
    const { ms, error } = await timed(() => conn.headObject('k'));
    isCloudSparkError('TIMEOUT', 'timeouts.connect')(error);
    assert.match(
      (error as Error).message,
      new RegExp(
        `could not connect to ${dead.endpoint} within 1 s \\(3 attempts\\); check the endpoint and the network, or raise timeouts.connect$`,
      ),
    );
    assert.ok(ms >= 3000 - 100 && ms < 3000 + SLACK, `${ms} ms`);
  } finally {
    conn.close();
    dead.close();
  }
});
