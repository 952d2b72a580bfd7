/**
 * `get` of a large object in parallel ranges, and `put -r` / `get -r` of a folder: nested
 * folders and unicode names, the --json summary, a key with `..` refused with nothing written.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertExit, cli, json, on } from '../support/cli.js';
import { connection, removeBucket, uniqueBucket } from '../support/rgw.js';
import { tree } from '../support/tree.js';

const MiB = 1024 * 1024;
const bucket = uniqueBucket('cli-transfer');
const dir = mkdtempSync(join(tmpdir(), 'cloudspark-cli-transfer-'));
before(async () => assertExit(await cli(['bucket', 'create', bucket]), 0));
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await removeBucket(bucket);
});

const run = (...args: string[]) => cli([...args, ...on(bucket)], { cwd: dir });

test('get of 13 MiB with --part-size 1MiB --concurrency 4 (counted at the store in test/fault/parallel.test.ts): the same bytes, --json describes the file', async () => {
  const body = randomBytes(13 * MiB + 5);
  writeFileSync(join(dir, 'big.bin'), body);
  assertExit(await run('put', 'big.bin', 'big/big.bin'), 0);
  const get = await run('get', 'big/big.bin', 'back.bin', '--part-size', '1MiB', '--concurrency', '4', '--json');
  assertExit(get, 0);
  const doc = json<{ key: string; file: string; size: number; etag: string }>(get);
  assert.deepEqual([doc.key, doc.file, doc.size], ['big/big.bin', 'back.bin', body.length]);
  assert.ok(readFileSync(join(dir, 'back.bin')).equals(body));
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.part')));
});

test('put -r and get -r: nested folders and unicode names round trip, with a --json summary', async () => {
  const files: Record<string, Buffer> = {
    'index.html': Buffer.from('<h1>hi</h1>'),
    'img/été/çà là.png': randomBytes(40_000),
    'docs/日本語/メモ.txt': Buffer.from('メモ'),
    'a/b/c/d.bin': randomBytes(6 * MiB),
  };
  const src = join(dir, 'site');
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(join(src, ...rel.split('/').slice(0, -1)), { recursive: true });
    writeFileSync(join(src, ...rel.split('/')), bytes);
  }
  const bytes = Object.values(files).reduce((n, b) => n + b.length, 0);
  // The prefix defaults to the folder's name.
  const put = await run('put', '-r', 'site', '--concurrency', '3', '--json');
  assertExit(put, 0);
  assert.deepEqual(json(put), {
    bucket,
    prefix: 'site/',
    dir: 'site',
    files: 4,
    bytes,
    skipped: [],
    failed: [],
    verified: true,
    unverified: [],
  });
  const keys = await connection({ bucket }).getObjects({ prefix: 'site/', onlyKeys: true });
  assert.deepEqual(
    keys.sort(),
    Object.keys(files)
      .map((k) => `site/${k}`)
      .sort(),
  );

  const get = await run('get', '-r', 'site/', 'copy', '--json');
  assertExit(get, 0);
  assert.deepEqual(json(get), {
    bucket,
    prefix: 'site/',
    dir: 'copy',
    files: 4,
    bytes,
    skipped: [],
    failed: [],
    verified: true,
    unverified: [],
  });
  const copy = tree(join(dir, 'copy'));
  assert.deepEqual([...copy.keys()].sort(), Object.keys(files).sort());
  for (const [rel, b] of Object.entries(files)) assert.ok(copy.get(rel)!.equals(b), rel);

  const text = await run('get', '-r', 'site/', 'copy2');
  assertExit(text, 0);
  assert.match(text.stderr, /^downloaded 4 files \(6\.0 MiB\) from s3:\/\/.*\/site\/ to "copy2"\n$/);
});

test('get -r of a prefix holding a key with "..": the others written, that key named (UNSAFE_KEY) and not written, exit 1', async () => {
  const s3 = connection({ bucket });
  await s3.uploadObject('fine', 'trap/fine.txt');
  await s3.uploadObject('gotcha', 'trap/../../gotcha.txt');
  s3.close();
  const get = await run('get', '-r', 'trap/', 'trapped', '--json');
  assertExit(get, 1);
  const out = json<{ files: number; failed: Array<{ key: string; code: string; reason: string }> }>(get);
  assert.equal(out.files, 1);
  assert.deepEqual(out.failed, [{ key: 'trap/../../gotcha.txt', code: 'UNSAFE_KEY', reason: 'it has a ".." segment' }]);
  assert.equal(readFileSync(join(dir, 'trapped', 'fine.txt'), 'utf8'), 'fine');
  assert.ok(!existsSync(join(dir, '..', 'gotcha.txt')) && !existsSync(join(dir, 'gotcha.txt')));
  const text = await run('get', '-r', 'trap/', 'trapped2');
  assertExit(text, 1);
  assert.match(text.stderr, /^not written "trap\/\.\.\/\.\.\/gotcha\.txt": it has a "\.\." segment \(UNSAFE_KEY\)$/m);
});

test('usage: -r with --content-type, get -r to stdout, put -r of a file', async () => {
  assertExit(await run('put', '-r', 'site', '--content-type', 'text/plain'), 2);
  assertExit(await run('get', '-r', 'site/', '-'), 2);
  // Its own file: this test does not lean on what earlier tests left in the folder.
  writeFileSync(join(dir, 'not-a-folder.txt'), 'x');
  const notFolder = await run('put', '-r', 'not-a-folder.txt', '--json');
  assertExit(notFolder, 1);
  assert.equal(json<{ error: { code: string } }>(notFolder).error.code, 'FILE');
});
