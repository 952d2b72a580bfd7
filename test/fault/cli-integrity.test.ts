/**
 * The built bin through a proxy that flips one bit mid-body: `put`, `put -`, `get`, `put -r` and
 * `get -r` end intact (exit 0) when the first bodies are corrupted, and exit 1 with CORRUPT,
 * leaving no object, no open upload and no file, when every body is. `get` says in `--json`
 * whether the bytes were checked, and prints one notice line when they could not be.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertExit, cli, json, on } from '../support/cli.js';
import { pendingUploads } from '../support/rgw.js';
import { assertNothingLeft, faultSuite } from '../support/fault.js';

const MiB = 1024 * 1024;
const small = randomBytes(200_000);
const big = randomBytes(12 * MiB + 1);
const s = faultSuite('fault-cli-integrity', {}, async (s) => {
  writeFileSync(join(s.dir, 'small.bin'), small);
  writeFileSync(join(s.dir, 'big.bin'), big);
  mkdirSync(join(s.dir, 'tree', 'sub'), { recursive: true });
  writeFileSync(join(s.dir, 'tree', 'a.bin'), small);
  writeFileSync(join(s.dir, 'tree', 'sub', 'b.bin'), big);
});

const run = (args: string[], input?: Buffer) =>
  cli(['--endpoint', s.proxy.endpoint, ...on(s.bucket), ...args], { cwd: s.dir, input });
const stored = async (key: string) => Buffer.from(await (await s.direct.getObject(key)).bytes());
const corrupt = (way: 'up' | 'down', times: number) =>
  s.proxy.inject({
    method: way === 'up' ? 'PUT' : 'GET',
    path: /\.bin$/,
    times,
    action: { kind: 'corrupt', body: way === 'up' ? 'request' : 'response' },
  });
const local = () => readdirSync(s.dir).sort();

test('put of one PUT, of parts, and of stdin: corrupted first bodies are refused by the store and sent again: exit 0, the stored bytes are the file', async () => {
  for (const [args, key, bytes, input] of [
    [['put', 'small.bin', 'c/small.bin'], 'c/small.bin', small, undefined],
    [['put', 'big.bin', 'c/big.bin', '--part-size', '5MiB'], 'c/big.bin', big, undefined],
    [['put', '-', 'c/stdin.bin'], 'c/stdin.bin', big, big],
  ] as const) {
    s.proxy.reset();
    const fault = corrupt('up', 2);
    assertExit(await run([...args, '--json'], input), 0);
    assert.equal(fault.fired, 2, key);
    assert.ok((await stored(key)).equals(bytes), key);
  }
  assert.deepEqual(await pendingUploads(s.direct), []);
});

test('put with every body corrupted: exit 1, CORRUPT naming what to suspect, nothing stored and no upload open', async () => {
  for (const [file, key] of [
    ['small.bin', 'bad/small.bin'],
    ['big.bin', 'bad/big.bin'],
  ] as const) {
    s.proxy.reset();
    corrupt('up', Infinity);
    const put = await run(['put', file, key, '--json']);
    assertExit(put, 1);
    const { error } = json<{ error: { code: string; message: string } }>(put);
    assert.equal(error.code, 'CORRUPT');
    assert.match(error.message, /on every attempt.*corrupts data/);
    await assertNothingLeft(s.direct, key);
  }
});

test('get: a corrupted body is fetched again: exit 0, verified: true in --json, the file is the object', async () => {
  s.proxy.reset();
  const fault = corrupt('down', 1);
  const get = await run(['get', 'c/big.bin', 'got.bin', '--json']);
  assertExit(get, 0);
  assert.equal(fault.fired, 1);
  assert.equal(json<{ verified: boolean }>(get).verified, true);
  assert.ok(readFileSync(join(s.dir, 'got.bin')).equals(big));
  rmSync(join(s.dir, 'got.bin'));
});

test('get with every body corrupted: exit 1, CORRUPT, no file and no part file', async () => {
  const before = local();
  s.proxy.reset();
  corrupt('down', Infinity);
  const get = await run(['get', 'c/small.bin', 'never.bin', '--json']);
  assertExit(get, 1);
  assert.equal(json<{ error: { code: string } }>(get).error.code, 'CORRUPT');
  assert.deepEqual(local(), before);
});

test('get of an object whose ETag is no MD5: exit 0, verified: false with the reason, and one notice line on stderr', async () => {
  s.proxy.reset();
  s.proxy.inject({
    method: 'GET',
    path: /\.bin$/,
    action: { kind: 'answer-headers', headers: { etag: '"not-an-md5"' } },
  });
  const get = await run(['get', 'c/small.bin', 'unchecked.bin', '--json']);
  assertExit(get, 0);
  const out = json<{ verified: boolean; unverifiedReason: string }>(get);
  assert.equal(out.verified, false);
  assert.match(out.unverifiedReason, /is not an MD5/);
  assert.deepEqual(
    get.stderr.split('\n').filter((l) => l.startsWith('notice:')),
    [`notice: the bytes were not checked: ${out.unverifiedReason}`],
  );
  rmSync(join(s.dir, 'unchecked.bin'));
  // --no-verify: no check, said so.
  s.proxy.reset();
  const off = await run(['get', 'c/small.bin', 'off.bin', '--json', '--no-verify']);
  assertExit(off, 0);
  assert.equal(json<{ verified: boolean }>(off).verified, false);
  rmSync(join(s.dir, 'off.bin'));
});

test('put -r and get -r: corrupted bodies among the files are sent or fetched again: exit 0, verified, every file intact', async () => {
  s.proxy.reset();
  const up = corrupt('up', 2);
  assertExit(await run(['put', '-r', 'tree', 'tree', '--part-size', '5MiB', '--json']), 0);
  assert.equal(up.fired, 2);
  assert.ok((await stored('tree/a.bin')).equals(small));
  assert.ok((await stored('tree/sub/b.bin')).equals(big));
  s.proxy.reset();
  const down = corrupt('down', 2);
  const get = await run(['get', '-r', 'tree/', 'copy', '--json']);
  assertExit(get, 0);
  assert.equal(down.fired, 2);
  const summary = json<{ files: number; verified: boolean; unverified: unknown[] }>(get);
  assert.deepEqual([summary.files, summary.verified, summary.unverified], [2, true, []]);
  assert.ok(readFileSync(join(s.dir, 'copy', 'a.bin')).equals(small));
  assert.ok(readFileSync(join(s.dir, 'copy', 'sub', 'b.bin')).equals(big));
  rmSync(join(s.dir, 'copy'), { recursive: true });
  s.proxy.reset();
  corrupt('down', Infinity);
  const bad = await run(['get', '-r', 'tree/', 'copy', '--json']);
  assertExit(bad, 1);
  assert.equal(json<{ error: { code: string } }>(bad).error.code, 'CORRUPT');
  assert.deepEqual(
    readdirSync(join(s.dir, 'copy'), { recursive: true }).filter((f) => f !== 'sub'),
    [],
    'no file and no part file',
  );
});
