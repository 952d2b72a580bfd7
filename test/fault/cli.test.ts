/**
 * The built `cloudspark` bin through a fault proxy in front of RGW: `put` completes with the
 * same bytes through 503s and cut connections and leaves no upload open, or fails with exit 1
 * and leaves nothing; `get` resumes a range cut once, and cut or stalled for good exits 1 and
 * leaves no file; a stalled store
 * gives "no answer from <endpoint> for N s" and exit 1 within --timeout times the attempts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertExit, cli, json, on } from '../support/cli.js';
import { pendingUploads } from '../support/rgw.js';
import { assertNothingLeft, faultSuite, timed } from '../support/fault.js';

const MiB = 1024 * 1024;
const body = randomBytes(12 * MiB);
const s = faultSuite('fault-cli', {}, async (s) => {
  writeFileSync(join(s.dir, 'up.bin'), body);
});

/** The bin, on the test bucket, through the proxy. */
const run = (...args: string[]) => cli(['--endpoint', s.proxy.endpoint, ...on(s.bucket), ...args], { cwd: s.dir });

test('put (multipart) goes through a 503 on a part and a part cut after 1 MiB: exit 0, same bytes, no upload left open', async () => {
  s.proxy.reset();
  const faults = [
    s.proxy.inject({ method: 'PUT', query: { partNumber: '1' }, action: { kind: 'status', status: 503 } }),
    s.proxy.inject({ method: 'PUT', query: { partNumber: '2' }, action: { kind: 'cut-request', bytes: MiB } }),
  ];
  const put = await run('put', 'up.bin', 'cli/up.bin', '--json');
  assertExit(put, 0);
  assert.deepEqual(
    faults.map((f) => f.fired),
    [1, 1],
  );
  assert.equal(json<{ size: number }>(put).size, body.length);
  assert.ok(Buffer.from(await (await s.direct.getObject('cli/up.bin')).bytes()).equals(body));
  assert.deepEqual(await pendingUploads(s.direct), []);
});

test('put (multipart) goes through a 503 on create and a 500 on complete: exit 0, same bytes, no upload left open', async () => {
  s.proxy.reset();
  const faults = [
    s.proxy.inject({ method: 'POST', query: { uploads: true }, action: { kind: 'status', status: 503 } }),
    s.proxy.inject({ method: 'POST', query: { uploadId: true }, action: { kind: 'status', status: 500 } }),
  ];
  const put = await run('put', 'up.bin', 'cli/steps.bin', '--json');
  assertExit(put, 0);
  assert.deepEqual(
    faults.map((f) => f.fired),
    [1, 1],
  );
  assert.ok(Buffer.from(await (await s.direct.getObject('cli/steps.bin')).bytes()).equals(body));
  assert.deepEqual(await pendingUploads(s.direct), []);
});

test('put of a small file (one PUT) goes through a 503 SlowDown: exit 0, same bytes', async () => {
  s.proxy.reset();
  writeFileSync(join(s.dir, 'small.txt'), 'one small body');
  const slow = s.proxy.inject({ method: 'PUT', path: /\/cli\/small\.txt$/, action: { kind: 'status', status: 503 } });
  const put = await run('put', 'small.txt', 'cli/small.txt', '--json');
  assertExit(put, 0);
  assert.equal(slow.fired, 1);
  assert.equal(await (await s.direct.getObject('cli/small.txt')).text(), 'one small body');
  rmSync(join(s.dir, 'small.txt'));
});

test('put that cannot succeed (every part refused with 500): exit 1, SERVICE_ERROR, nothing stored, no upload open', async () => {
  s.proxy.reset();
  s.proxy.inject({
    method: 'PUT',
    query: { partNumber: true },
    times: Infinity,
    action: { kind: 'status', status: 500 },
  });
  const put = await run('put', 'up.bin', 'cli/refused.bin', '--json');
  assertExit(put, 1);
  assert.equal(json<{ error: { code: string; status: number } }>(put).error.code, 'SERVICE_ERROR');
  await assertNothingLeft(s.direct, 'cli/refused.bin');
});

test('get whose first range is cut after 1 MiB: resumed, exit 0, the same bytes', async () => {
  s.proxy.reset();
  await s.direct.uploadObject(body, 'cli/down.bin');
  const cut = s.proxy.inject({ method: 'GET', action: { kind: 'cut-response', bytes: MiB } });
  const get = await run('get', 'cli/down.bin', 'resumed.bin', '--json');
  assertExit(get, 0);
  assert.equal(cut.fired, 1);
  assert.equal(json<{ size: number }>(get).size, body.length);
  assert.ok(readFileSync(join(s.dir, 'resumed.bin')).equals(body));
  // The first range (bytes 0-8 MiB) resumed from after the 1 MiB that arrived, not from 0.
  const ranges = s.proxy.seen.filter((r) => r.method === 'GET').map((r) => r.range);
  assert.ok(
    ranges.some((r) => {
      const m = /^bytes=(\d+)-8388607$/.exec(r ?? '');
      return m !== null && Number(m[1]) >= MiB;
    }),
    `no resumed range in ${ranges.join(', ')}`,
  );
  assert.equal(ranges.filter((r) => r === 'bytes=0-8388607').length, 1, 'the first range was not fetched again whole');
  rmSync(join(s.dir, 'resumed.bin'));
});

test('get cut after 1 MiB of the body, and every request after it cut too: exit 1 (NETWORK), and no file at the target, not even a part file', async () => {
  s.proxy.reset();
  const cut = s.proxy.inject({ method: 'GET', action: { kind: 'cut-response', bytes: MiB } });
  const rest = s.proxy.inject({ method: 'GET', times: Infinity, action: { kind: 'cut-request', bytes: 0 } });
  const get = await run('get', 'cli/down.bin', 'cut.bin', '--json');
  assertExit(get, 1);
  assert.equal(cut.fired, 1);
  assert.ok(rest.fired >= 3);
  const { error } = json<{ error: { code: string; message: string } }>(get);
  assert.equal(error.code, 'NETWORK');
  assert.match(
    error.message,
    /broke off after .* of 12 MiB \(the connection closed early\); "cut\.bin" was not written/,
  );
  assert.deepEqual(readdirSync(s.dir).sort(), ['up.bin']);
});

test('get that goes silent mid-body, and stays silent, with --timeout 1: exit 1, "no answer from <endpoint> for 1 s", no file', async () => {
  s.proxy.reset();
  s.proxy.inject({ method: 'GET', action: { kind: 'stall-response', bytes: MiB } });
  s.proxy.inject({ method: 'GET', times: Infinity, action: { kind: 'stall' } });
  const { ms, value: get } = await timed(() => run('--timeout', '1', 'get', 'cli/down.bin', 'silent.bin'));
  assertExit(get!, 1);
  assert.match(
    get!.stderr,
    new RegExp(
      `^cloudspark: download of key "cli/down.bin" in bucket "${s.bucket}" broke off after .* \\(no answer from ${s.proxy.endpoint} for 1 s\\); "silent.bin" was not written$`,
      'm',
    ),
  );
  assert.ok(!existsSync(join(s.dir, 'silent.bin')));
  assert.deepEqual(readdirSync(s.dir).sort(), ['up.bin']);
  assert.ok(ms < 20_000, `${ms} ms`);
});

test('ls against a stalled store with --timeout 1: exit 1 after 3 attempts, naming the endpoint and --timeout', async () => {
  s.proxy.reset();
  const stall = s.proxy.inject({ times: Infinity, action: { kind: 'stall' } });
  const { ms, value: ls } = await timed(() => run('--timeout', '1', 'ls', '--json'));
  assertExit(ls!, 1);
  assert.equal(stall.fired, 3);
  assert.match(
    ls!.stderr,
    new RegExp(
      `^cloudspark: listFolder\\(\\) failed: no answer from ${s.proxy.endpoint} for 1 s \\(3 attempts\\)`,
      'm',
    ),
  );
  assert.match(ls!.stderr, /hint: if the store is only slow, wait longer: --timeout SECONDS \(now 1 s\)/);
  const { error } = JSON.parse(ls!.stdout.trim().split('\n').pop()!) as { error: { code: string; field: string } };
  assert.deepEqual([error.code, error.field], ['TIMEOUT', 'timeouts.idle']);
  // 3 attempts of 1 s, the SDK's backoff, and the bin's own start-up, on a busy machine.
  assert.ok(ms >= 3000 && ms < 15_000, `${ms} ms`);
});
