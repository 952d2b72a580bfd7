/**
 * downloadObject, uploadDirectory and downloadPrefix against RGW: the same bytes in parallel
 * ranges, small and empty objects, failures that leave no file; a folder with nested folders
 * and unicode names up and down again, keys with `/`; and keys that would leave the target
 * folder refused before anything is written.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FolderProgress, S3Connection } from '../../src/index.js';
import { withBucket } from '../support/rgw.js';
import { isCloudSparkError } from '../unit/helpers.js';
import { tree } from '../support/tree.js';

const MiB = 1024 * 1024;
let conn: S3Connection;
let cleanup: () => Promise<void>;
let dir: string;
before(async () => {
  ({ conn, cleanup } = await withBucket('transfer'));
  dir = mkdtempSync(join(tmpdir(), 'cloudspark-transfer-'));
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await cleanup();
});

test('downloadObject: 20 MiB asked in 1 MiB ranges, 6 at once (counted at the store in test/fault/parallel.test.ts), byte for byte; progress up to the size', async () => {
  const body = randomBytes(20 * MiB + 333);
  await conn.uploadObject(body, 'big/object.bin');
  const progress: number[] = [];
  const target = join(dir, 'object.bin');
  const result = await conn.downloadObject('big/object.bin', target, {
    partSize: MiB,
    concurrency: 6,
    onProgress: (p) => progress.push(p.loaded),
  });
  assert.ok(readFileSync(target).equals(body));
  assert.equal(result.size, body.length);
  assert.equal(result.etag, (await conn.headObject('big/object.bin')).etag);
  assert.equal(result.contentType, 'application/octet-stream');
  assert.equal(result.verified, true);
  assert.equal(progress.at(-1), body.length);
  assert.deepEqual(readdirSync(dir), ['object.bin'], 'no part file left');
  rmSync(target);
});

test('downloadObject: a small object, an empty one, and metadata', async () => {
  await conn.uploadObject('héllo', 'small.txt', { metadata: { owner: 'alice' } });
  const small = await conn.downloadObject('small.txt', join(dir, 'small.txt'));
  assert.equal(readFileSync(join(dir, 'small.txt'), 'utf8'), 'héllo');
  assert.deepEqual(
    [small.size, small.contentType, small.metadata, small.verified],
    [6, 'text/plain; charset=utf-8', { owner: 'alice' }, true],
  );
  await conn.uploadObject(Buffer.alloc(0), 'empty.bin');
  const empty = await conn.downloadObject('empty.bin', join(dir, 'empty.bin'));
  assert.equal(empty.size, 0);
  assert.equal(empty.verified, true, 'the MD5 of nothing is checked too');
  assert.equal(readFileSync(join(dir, 'empty.bin')).length, 0);
  rmSync(join(dir, 'small.txt'));
  rmSync(join(dir, 'empty.bin'));
});

test('uploadFile stores contentType, metadata, cacheControl and contentDisposition, in one PUT and in parts alike', async () => {
  const options = {
    contentType: 'application/pdf',
    metadata: { owner: 'ada' },
    cacheControl: 'max-age=60',
    contentDisposition: 'attachment',
    partSize: 5 * MiB,
  };
  const from = mkdtempSync(join(tmpdir(), 'cloudspark-upload-'));
  for (const [name, size] of [
    ['one-put.pdf', 1000],
    ['parts.pdf', 6 * MiB],
  ] as const) {
    const path = join(from, name);
    writeFileSync(path, randomBytes(size));
    await conn.uploadFile(path, name, options);
    const head = await conn.headObject(name);
    assert.deepEqual(
      [head.contentLength, head.contentType, head.metadata, head.cacheControl, head.contentDisposition],
      // In parts, the part size is recorded too, for downloads to check the ETag.
      [
        size,
        'application/pdf',
        name === 'parts.pdf' ? { owner: 'ada', 'cloudspark-part-size': String(5 * MiB) } : { owner: 'ada' },
        'max-age=60',
        'attachment',
      ],
      name,
    );
  }
  rmSync(from, { recursive: true });
});

test('downloadObject: a missing key is NO_SUCH_KEY, a missing folder is FILE, a cancelled one is ABORTED; never a file', async () => {
  await assert.rejects(conn.downloadObject('missing.bin', join(dir, 'missing.bin')), isCloudSparkError('NO_SUCH_KEY'));
  await assert.rejects(
    conn.downloadObject('small.txt', join(dir, 'no', 'such', 'folder.txt')),
    isCloudSparkError('FILE'),
  );
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    conn.downloadObject('big/object.bin', join(dir, 'cancelled.bin'), { signal: controller.signal }),
    isCloudSparkError('ABORTED'),
  );
  // A file that was there stays as it was.
  writeFileSync(join(dir, 'kept.bin'), 'before');
  await assert.rejects(conn.downloadObject('missing.bin', join(dir, 'kept.bin')), isCloudSparkError('NO_SUCH_KEY'));
  assert.equal(readFileSync(join(dir, 'kept.bin'), 'utf8'), 'before');
  assert.deepEqual(readdirSync(dir), ['kept.bin']);
  rmSync(join(dir, 'kept.bin'));
});

test('uploadDirectory then downloadPrefix: nested folders and unicode names, same files, keys with "/"', async () => {
  const src = join(dir, 'src');
  const files: Record<string, Buffer> = {
    'top.txt': Buffer.from('at the top'),
    'photos/été/çà et là.jpg': randomBytes(70_000),
    'photos/été/vide.txt': Buffer.alloc(0),
    '日本/ファイル 名.bin': randomBytes(1234),
    'deep/a/b/c/d/e.json': Buffer.from('{"deep":true}'),
    'emoji/🎉 party.bin': randomBytes(5),
    // Larger than the part size: a multipart upload, and ranged GETs on the way down.
    'big/part.bin': randomBytes(6 * MiB + 7),
  };
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(join(src, ...rel.split('/').slice(0, -1)), { recursive: true });
    writeFileSync(join(src, ...rel.split('/')), bytes);
  }
  const total = Object.values(files).reduce((n, b) => n + b.length, 0);
  const upProgress: FolderProgress[] = [];
  const up = await conn.uploadDirectory(src, 'site', {
    concurrency: 3,
    partSize: 5 * MiB,
    onProgress: (p) => upProgress.push(p),
  });
  assert.equal(up.prefix, 'site/');
  assert.equal(up.bytes, total);
  const keys = Object.keys(files)
    .map((rel) => `site/${rel}`)
    .sort();
  assert.deepEqual(
    up.files.map((f) => f.key),
    keys,
  );
  assert.deepEqual((await conn.getObjects({ prefix: 'site/', onlyKeys: true })).sort(), keys);
  assert.deepEqual(upProgress.at(-1), { loaded: total, total, files: 7, totalFiles: 7 });
  assert.equal((await conn.headObject('site/photos/été/çà et là.jpg')).contentType, 'image/jpeg');

  const out = join(dir, 'out');
  const downProgress: FolderProgress[] = [];
  const down = await conn.downloadPrefix('site', out, {
    concurrency: 4,
    partSize: MiB,
    onProgress: (p) => downProgress.push(p),
  });
  assert.equal(down.prefix, 'site/');
  assert.equal(down.files.length, 7);
  assert.deepEqual(downProgress.at(-1), { loaded: total, total, files: 7, totalFiles: 7 });
  const got = tree(out);
  assert.deepEqual([...got.keys()].sort(), Object.keys(files).sort());
  for (const [rel, bytes] of Object.entries(files)) assert.ok(got.get(rel)!.equals(bytes), rel);
  rmSync(out, { recursive: true });
});

test('downloadPrefix does not write a key with "..", "." or "//" segments: it is reported in failed (UNSAFE_KEY) and the others are written', async () => {
  for (const bad of ['../escape.txt', 'a/../../escape.txt', './dot.txt', 'a//b.txt']) {
    const prefix = `evil-${randomBytes(3).toString('hex')}/`;
    await conn.uploadObject('fine', `${prefix}fine.txt`);
    await conn.uploadObject('bad', `${prefix}${bad}`);
    const target = join(dir, 'evil', 'target');
    const result = await conn.downloadPrefix(prefix, target);
    assert.deepEqual(
      result.failed.map((f) => [f.key, f.code]),
      [[`${prefix}${bad}`, 'UNSAFE_KEY']],
      bad,
    );
    assert.match(result.failed[0]!.reason, /segment/);
    assert.deepEqual(
      result.files.map((f) => f.key),
      [`${prefix}fine.txt`],
    );
    assert.deepEqual(
      tree(join(dir, 'evil')),
      new Map([['target/fine.txt', Buffer.from('fine')]]),
      `${bad}: only fine.txt is written`,
    );
    rmSync(join(dir, 'evil'), { recursive: true });
  }
  assert.ok(!existsSync(join(dir, 'escape.txt')) && !existsSync(join(dir, 'evil', 'escape.txt')));
});

test('downloadPrefix does not write through a folder that is a symbolic link (leading outside): that key fails with UNSAFE_KEY, the others are written', async () => {
  await conn.uploadObject('x', 'linked/inside/file.txt');
  await conn.uploadObject('y', 'linked/other.txt');
  const target = join(dir, 'linktarget');
  const elsewhere = join(dir, 'elsewhere');
  mkdirSync(target);
  mkdirSync(elsewhere);
  symlinkSync(elsewhere, join(target, 'inside'));
  const result = await conn.downloadPrefix('linked/', target);
  assert.deepEqual(
    result.failed.map((f) => [f.key, f.code]),
    [['linked/inside/file.txt', 'UNSAFE_KEY']],
  );
  assert.match(result.failed[0]!.reason, /symbolic link/);
  assert.deepEqual(readdirSync(elsewhere), []);
  assert.equal(readFileSync(join(target, 'other.txt'), 'utf8'), 'y');
});

test('downloadPrefix with a key that is both a file and a folder: the first listed is written, the other fails with UNSAFE_KEY', async () => {
  await conn.uploadObject('file', 'clash/a');
  await conn.uploadObject('under', 'clash/a/b');
  await conn.uploadObject('dir', 'clash/c/d');
  mkdirSync(join(dir, 'clash', 'c', 'd'), { recursive: true }); // a folder where a file goes
  const result = await conn.downloadPrefix('clash/', join(dir, 'clash'), { concurrency: 1 });
  assert.deepEqual(
    result.files.map((f) => f.key),
    ['clash/a'],
  );
  assert.deepEqual(
    result.failed.map((f) => [f.key, f.code]),
    [
      ['clash/a/b', 'UNSAFE_KEY'],
      ['clash/c/d', 'UNSAFE_KEY'],
    ],
  );
  assert.equal(readFileSync(join(dir, 'clash', 'a'), 'utf8'), 'file');
  assert.deepEqual(readdirSync(join(dir, 'clash', 'c', 'd')), []);
});

test('keys with "." and ".." segments go byte-exact both ways on the direct path: uploaded, listed and downloaded as named', async () => {
  const from = mkdtempSync(join(tmpdir(), 'cloudspark-dots-'));
  const keys = ['dots/a/../b.txt', 'dots/./x.txt', 'dots/../up.txt'];
  for (const [i, key] of keys.entries()) {
    writeFileSync(join(from, `f${i}`), `body of ${key}`);
    await conn.uploadFile(join(from, `f${i}`), key);
  }
  assert.deepEqual((await conn.getObjects({ prefix: 'dots/', onlyKeys: true })).sort(), [...keys].sort());
  for (const [i, key] of keys.entries()) {
    const result = await conn.downloadObject(key, join(from, `d${i}`));
    assert.equal(readFileSync(join(from, `d${i}`), 'utf8'), `body of ${key}`, key);
    assert.equal(result.verified, true);
  }
  // And no object under the collapsed names.
  for (const collapsed of ['b.txt', 'dots/x.txt', 'up.txt'])
    await assert.rejects(conn.headObject(collapsed), isCloudSparkError('NO_SUCH_KEY'), collapsed);
  rmSync(from, { recursive: true });
});
