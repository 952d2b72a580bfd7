/**
 * Direct uploads from the demo page in headless Chromium, against Ceph RGW: what a user does,
 * checked in the bucket afterwards.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CloudSparkError } from '../../src/index.js';
import {
  choose,
  clearEvents,
  demoInBrowser,
  events,
  outcome,
  randomFile,
  rowText,
  signCalls,
  type DemoInBrowser,
} from '../support/demo-page.js';
import { throttleUploads } from '../../scripts/browser/chromium.js';
import type { Request } from 'playwright-core';
import { pendingUploads, rgw } from '../support/rgw.js';

const MiB = 1024 * 1024;
let ctx: DemoInBrowser;
before(async () => (ctx = await demoInBrowser('browser', { rules: { maxSize: 32 * MiB } })));
after(() => ctx?.close());

const keysInBucket = async () => ctx.demo.connection.getObjects({ onlyKeys: true });
const pending = () => pendingUploads(ctx.demo.connection);
async function eventually(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200)))
    if (await check()) return;
  assert.fail(`not within ${ms} ms: ${what}`);
}

test('a small file uploads through presigned POST with the same bytes, progress reaching 100%', async () => {
  const page = await ctx.openPage();
  const file = randomFile('photo.png', 300 * 1024, 'image/png');
  await choose(page, file);
  const done = await outcome(page, 'photo.png');
  assert.equal(done.type, 'uploaded', JSON.stringify(done.detail));
  const key = done.detail.key!;
  assert.match(key, /^uploads\/[0-9a-f-]{36}\/photo\.png$/);
  assert.match(done.detail.etag ?? '', /^"[0-9a-f]{32}"$/, "the ETag, read from S3's 201 answer");
  const object = await ctx.demo.connection.getObject(key);
  assert.equal(object.contentType, 'image/png');
  assert.ok(Buffer.from(await object.bytes()).equals(file.buffer), 'same bytes');
  const percents = (await events(page))
    .filter((e) => e.type === 'progress' && e.detail.name === 'photo.png')
    .map((e) => e.detail.percent!);
  assert.equal(percents.at(-1), 100);
  assert.deepEqual(
    percents,
    [...percents].sort((a, b) => a - b),
    'progress never goes back',
  );
  assert.match(await rowText(page, 'photo.png'), /Uploaded/);
  await page.locator(`tr[data-key="${key}"]`).waitFor();
  await page.context().close();
});

test('cancel mid-upload aborts the POST itself: the request fails (aborted), and no object is stored even once the network is free', async () => {
  const page = await ctx.openPage();
  await throttleUploads(page, 256 * 1024);
  const before = await keysInBucket();
  // The POST to the store (not to the demo's own API), as Chromium saw it end.
  const store = new URL(rgw.endpoint).host;
  const toStore = (r: Request) => r.method() === 'POST' && new URL(r.url()).host === store;
  const failed: string[] = [];
  const finished: string[] = [];
  page.on('requestfailed', (r) => toStore(r) && failed.push(r.failure()?.errorText ?? 'failed'));
  page.on('requestfinished', (r) => toStore(r) && finished.push(r.url()));
  await choose(page, randomFile('slow.bin', 4 * MiB));
  await page.waitForFunction(() =>
    (window as unknown as { __events: Array<{ type: string; detail: { percent: number } }> }).__events.some(
      (e) => e.type === 'progress' && e.detail.percent > 5,
    ),
  );
  await page.locator('li.upload[data-name="slow.bin"] .cancel').click();
  const end = await outcome(page, 'slow.bin');
  assert.equal(end.detail.code, 'ABORTED');
  assert.match(await rowText(page, 'slow.bin'), /Cancelled/);
  // Unthrottled, a POST that was still sending would now finish in well under a second.
  await throttleUploads(page, -1);
  await eventually(async () => failed.length > 0, 'the POST failed');
  assert.match(failed[0]!, /ERR_ABORTED/);
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(finished, [], 'no POST to the store finished');
  assert.deepEqual(await keysInBucket(), before);
  await page.context().close();
});

test('a type outside allowedTypes is refused with a clear message', async () => {
  const page = await ctx.openPage();
  await choose(page, { name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ not really') });
  const end = await outcome(page, 'setup.exe');
  assert.equal(end.detail.code, 'TYPE_NOT_ALLOWED');
  assert.match(
    await rowText(page, 'setup.exe'),
    /Not accepted: this page takes no application\/x-msdownload files \(allowed: image\/\*/,
  );
  await page.context().close();
});

test('a file whose bytes are not its declared type fails with CONTENT_MISMATCH after post/complete, and is not kept', async () => {
  const page = await ctx.openPage();
  const before = await keysInBucket();
  await choose(page, {
    name: 'cat.png',
    mimeType: 'image/png',
    buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
  });
  const end = await outcome(page, 'cat.png');
  assert.equal(end.detail.code, 'CONTENT_MISMATCH');
  assert.deepEqual(await keysInBucket(), before);
  await page.context().close();
});

test('a 20 MiB file uploads multipart, parts in parallel and signed in one call, content verified', async () => {
  const page = await ctx.openPage();
  const puts: string[] = [];
  page.on('request', (r) => r.method() === 'PUT' && puts.push(r.url()));
  const signed = signCalls(page);
  const file = randomFile('video.mp4', 20 * MiB, 'video/mp4');
  await choose(page, file);
  const done = await outcome(page, 'video.mp4');
  assert.equal(done.type, 'uploaded', JSON.stringify(done.detail));
  assert.equal(puts.filter((u) => u.includes('uploadId=')).length, 3, '8 + 8 + 4 MiB');
  assert.deepEqual(signed, [[1, 2, 3]], 'one multipart/sign-parts call for every part');
  const object = await ctx.demo.connection.getObject(done.detail.key!);
  assert.equal(object.contentType, 'video/mp4');
  assert.ok(Buffer.from(await object.bytes()).equals(file.buffer), 'same bytes');
  assert.deepEqual(await pending(), []);
  await page.context().close();
});

test('a cancelled multipart upload leaves no incomplete upload and no object', async () => {
  const page = await ctx.openPage();
  await throttleUploads(page, 1 * MiB);
  const before = await keysInBucket();
  await choose(page, randomFile('big-cancel.bin', 20 * MiB));
  await eventually(async () => (await pending()).length === 1, 'the multipart upload started');
  await page.waitForFunction(() =>
    (window as unknown as { __events: Array<{ type: string; detail: { percent: number } }> }).__events.some(
      (e) => e.type === 'progress' && e.detail.percent > 2,
    ),
  );
  await page.locator('li.upload[data-name="big-cancel.bin"] .cancel').click();
  assert.equal((await outcome(page, 'big-cancel.bin')).detail.code, 'ABORTED');
  await eventually(async () => (await pending()).length === 0, 'ListMultipartUploads is empty');
  assert.deepEqual(await keysInBucket(), before);
  await page.context().close();
});

test('a multipart upload cut off by the network resumes on retry, without sending done parts again', async () => {
  const page = await ctx.openPage();
  const sent = new Map<number, number>();
  page.on('requestfinished', (r) => {
    const part = /[?&]partNumber=(\d+)/.exec(r.url());
    if (r.method() === 'PUT' && part) sent.set(Number(part[1]), (sent.get(Number(part[1])) ?? 0) + 1);
  });
  const signed = signCalls(page);
  // Part 3 cannot get through: the browser module retries it, then gives up with NETWORK.
  let part3Attempts = 0;
  await page.route(/partNumber=3&/, (route) => (part3Attempts++, route.abort('connectionreset')));
  const file = randomFile('resume.bin', 20 * MiB);
  await choose(page, file);
  const failed = await outcome(page, 'resume.bin');
  assert.equal(failed.detail.code, 'NETWORK', JSON.stringify(failed.detail));
  assert.equal(part3Attempts, 4, 'the first try and 3 retries');
  assert.equal((await pending()).length, 1, 'the upload is kept for a retry');
  assert.deepEqual([...sent.keys()].sort(), [1, 2]);
  assert.deepEqual(
    signed.splice(0),
    [[1, 2, 3], [3], [3], [3]],
    'every part signed up front, a retried part signed again',
  );

  await page.unroute(/partNumber=3&/);
  await clearEvents(page);
  await page.locator('li.upload[data-name="resume.bin"] .retry').click();
  const done = await outcome(page, 'resume.bin');
  assert.equal(done.type, 'uploaded', JSON.stringify(done.detail));
  assert.deepEqual(Object.fromEntries(sent), { 1: 1, 2: 1, 3: 1 }, 'parts 1 and 2 were not sent again');
  assert.deepEqual(signed, [[3]], 'only the missing part is signed on resume');
  const object = await ctx.demo.connection.getObject(done.detail.key!);
  assert.ok(Buffer.from(await object.bytes()).equals(file.buffer), 'same bytes');
  assert.deepEqual(await pending(), []);
  await page.context().close();
});

test('delete through the presigned URL removes the object', async () => {
  const page = await ctx.openPage();
  await choose(page, randomFile('to-delete.txt', 1000, 'text/plain'));
  const key = (await outcome(page, 'to-delete.txt')).detail.key!;
  const row = page.locator(`tr[data-key="${key}"]`);
  await row.waitFor();
  const deletes: string[] = [];
  page.on('request', (r) => r.method() === 'DELETE' && deletes.push(r.url()));
  await row.locator('.delete').click();
  await row.waitFor({ state: 'detached' });
  assert.equal(deletes.length, 1);
  assert.match(deletes[0]!, /X-Amz-Signature=/, 'a presigned DELETE, sent by the browser to S3');
  await assert.rejects(ctx.demo.connection.headObject(key), (e: CloudSparkError) => e.code === 'NO_SUCH_KEY');
  await page.context().close();
});
