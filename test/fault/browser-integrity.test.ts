/**
 * A corrupted body never becomes a completed upload from the page: the fault proxy flips one bit
 * in the middle of a request's body (lengths unchanged) between Chromium and RGW. For `upload`
 * (a presigned POST, which RGW stores whatever its Content-MD5 says: the handler's post/complete
 * compares the page's MD5 with what was stored) and for `uploadMultipart` (each part PUT carries
 * its Content-MD5, which RGW checks: 400 BadDigest). A body corrupted once is sent again and the
 * object read back straight from RGW is the file; a body corrupted every time ends in
 * `UploadError` CORRUPT with nothing stored and no multipart upload open. Every rule's `fired`
 * count proves the corruption happened.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { pendingUploads } from '../support/rgw.js';
import {
  demoBehindProxy,
  keysOf,
  randomFile,
  stageFiles,
  uploadInPage,
  type DemoBehindProxy,
  type PageFile,
} from '../support/demo-page.js';

const MiB = 1024 * 1024;
let s: DemoBehindProxy;
let page: Page;
/** The presigned POSTs: to the bucket itself (path style), with no query. */
let postPath: RegExp;
/** The Content-MD5 of every part PUT the page made, by part number, in order. */
const partMd5s = new Map<number, Array<string | undefined>>();
before(async () => {
  s = await demoBehindProxy('fault-integrity', { rules: { maxSize: 64 * MiB } });
  postPath = new RegExp(`^/${s.bucket}/?$`);
  page = await s.openPage();
  page.on('request', (r) => {
    const n = new URL(r.url()).searchParams.get('partNumber');
    if (r.method() === 'PUT' && n)
      partMd5s.set(Number(n), [...(partMd5s.get(Number(n)) ?? []), r.headers()['content-md5']]);
  });
});
after(() => s?.close());

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('base64');
const sent = (method: string, match: (r: { path: string; query: string }) => boolean) =>
  s.proxy.seen.filter((r) => r.method === method && match(r)).length;
const corruptEvery = (times: number, rule: { method: string; path?: RegExp; query?: Record<string, true> }) =>
  s.proxy.inject({ ...rule, times, action: { kind: 'corrupt', body: 'request' } });

/** Stored once, under the key the page reported, with the file's bytes, as RGW itself holds them; no upload left open. */
async function assertStoredOnce(file: PageFile, key: string | undefined): Promise<void> {
  assert.deepEqual(await keysOf(s.direct, file.name), [key]);
  const stored = Buffer.from(await (await s.direct.getObject(key!)).bytes());
  assert.ok(stored.equals(file.buffer), 'the stored bytes differ from the file');
  assert.deepEqual(await pendingUploads(s.direct), [], 'a multipart upload is still open');
}

/** Nothing stored for `name`, and no multipart upload open, as RGW itself says. */
async function assertNothingLeft(name: string): Promise<void> {
  assert.deepEqual(await keysOf(s.direct, name), [], `something was stored for ${name}`);
  assert.deepEqual(await pendingUploads(s.direct), [], 'a multipart upload is still open');
}

test('upload (POST), its first body corrupted: post/complete finds the stored MD5 differs and deletes it, the page sends the form again, the file is stored', async () => {
  s.proxy.reset();
  const flip = corruptEvery(1, { method: 'POST', path: postPath });
  const file = randomFile('post-flipped-once.bin', MiB);
  await stageFiles(page, [file]);
  const [result] = await uploadInPage(page, 'upload', [file.name]);
  assert.ok(result!.ok, JSON.stringify(result));
  assert.equal(flip.fired, 1, 'the first POST was corrupted');
  assert.equal(
    sent('POST', (r) => postPath.test(r.path)),
    2,
    'corrupted, then sent again',
  );
  assert.equal(
    sent('DELETE', (r) => r.path.endsWith(`/${file.name}`)),
    1,
    'the handler deleted the corrupted object',
  );
  await assertStoredOnce(file, result!.key);
});

test('upload (POST), every body corrupted: CORRUPT after 4 attempts, each corrupted object deleted, nothing stored', async () => {
  s.proxy.reset();
  const flip = corruptEvery(Infinity, { method: 'POST', path: postPath });
  const file = randomFile('post-flipped-always.bin', MiB);
  await stageFiles(page, [file]);
  const [result] = await uploadInPage(page, 'upload', [file.name]);
  assert.equal(result!.ok, false, JSON.stringify(result));
  assert.equal(result!.code, 'CORRUPT', JSON.stringify(result));
  assert.equal(result!.status, 400);
  assert.match(result!.message!, /changed on the way/);
  assert.equal(flip.fired, 4, 'the first attempt and 3 retries, each corrupted');
  assert.equal(
    sent('DELETE', (r) => r.path.endsWith(`/${file.name}`)),
    4,
    'each corrupted object deleted',
  );
  await assertNothingLeft(file.name);
});

test('uploadMultipart, its first part body corrupted: RGW refuses it (BadDigest), the page sends it again, the file is stored', async () => {
  s.proxy.reset();
  partMd5s.clear();
  const flip = corruptEvery(1, { method: 'PUT', query: { partNumber: true } });
  const file = randomFile('parts-flipped-once.bin', 6 * MiB);
  await stageFiles(page, [file]);
  const [result] = await uploadInPage(page, 'uploadMultipart', [file.name], { partSize: 5 * MiB });
  assert.ok(result!.ok, JSON.stringify(result));
  assert.equal(flip.fired, 1, 'a part PUT was corrupted');
  assert.equal(
    sent('PUT', (r) => r.query.includes('partNumber=')),
    3,
    'two parts, one of them sent twice',
  );
  // Each attempt carried the MD5 of the part's bytes, which is how RGW refused the corrupted one.
  assert.deepEqual([...partMd5s.keys()].sort(), [1, 2]);
  for (const [n, md5s] of partMd5s) {
    for (const sentMd5 of md5s)
      assert.equal(sentMd5, md5(file.buffer.subarray((n - 1) * 5 * MiB, n * 5 * MiB)), `part ${n}`);
  }
  await assertStoredOnce(file, result!.key);
});

test('uploadMultipart, every part body corrupted: CORRUPT after 4 attempts, the upload aborted through the handler, nothing left', async () => {
  s.proxy.reset();
  const flip = corruptEvery(Infinity, { method: 'PUT', query: { partNumber: true } });
  const file = randomFile('parts-flipped-always.bin', 6 * MiB);
  await stageFiles(page, [file]);
  const [result] = await uploadInPage(page, 'uploadMultipart', [file.name], { partSize: 5 * MiB });
  assert.equal(result!.ok, false, JSON.stringify(result));
  assert.equal(result!.code, 'CORRUPT', JSON.stringify(result));
  assert.equal(result!.status, 400);
  assert.match(result!.message!, /BadDigest/);
  assert.ok(flip.fired >= 4, `${flip.fired} part PUTs corrupted`);
  assert.equal(
    sent('DELETE', (r) => r.query.includes('uploadId=')),
    1,
    'the handler aborted the upload on the store',
  );
  await assertNothingLeft(file.name);
});
