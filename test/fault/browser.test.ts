/**
 * cloudspark/browser in Chromium, through a fault proxy in front of RGW: the demo's connection
 * has the proxy as its endpoint, so the presigned POSTs and part URLs the page gets, and the
 * handler's own calls, all go through it. Uploads (POST and multipart) complete with identical
 * bytes through 503s and cut connections and leave no upload open; an upload that cannot
 * succeed ends with a typed UploadError and leaves nothing; a request the store takes and never
 * answers is given up after `stallTimeout` and sent again. Every fault is counted: a test whose
 * fault never fired cannot pass.
 *
 * The module makes 4 attempts per request (retries after 0.5, 1 and 2 s), single POSTs included.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { throttleUploads } from '../../scripts/browser/chromium.js';
import { pendingUploads } from '../support/rgw.js';
import {
  choose,
  clearEvents,
  demoBehindProxy,
  events,
  keysOf,
  outcome,
  randomFile,
  rowText,
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
const pageRequests: Array<{ method: string; url: URL }> = [];
before(async () => {
  // Files from 8 MiB on go multipart from the demo page (8 MiB parts): 12 MiB is 2 parts.
  s = await demoBehindProxy('fault-page', { rules: { maxSize: 64 * MiB }, multipartFrom: 8 * MiB });
  postPath = new RegExp(`^/${s.bucket}/?$`);
  page = await s.openPage();
  // The requests the page made, as Chromium reports them: one per attempt of the module, however
  // many times Chromium's network stack itself sent it.
  page.on('request', (r) => pageRequests.push({ method: r.method(), url: new URL(r.url()) }));
});
after(() => s?.close());

/** `file` is stored once, under the key the page reported, with the same bytes; no upload is left open. */
async function assertStoredOnce(file: PageFile, key: string | undefined): Promise<void> {
  assert.deepEqual(await keysOf(s.direct, file.name), [key]);
  assert.ok(
    Buffer.from(await (await s.direct.getObject(key!)).bytes()).equals(file.buffer),
    'the stored bytes differ from the file',
  );
  assert.deepEqual(await pendingUploads(s.direct), [], 'a multipart upload is still open');
}

/** Nothing stored for `name`, and no multipart upload open, as RGW itself says. */
async function assertNothingLeft(name: string): Promise<void> {
  assert.deepEqual(await keysOf(s.direct, name), [], `something was stored for ${name}`);
  assert.deepEqual(await pendingUploads(s.direct), [], 'a multipart upload is still open');
}

const retryButton = (name: string) => page.locator(`li.upload[data-name="${name}"] .retry`);
const sent = (method: string, match: (r: { path: string; query: string }) => boolean) =>
  s.proxy.seen.filter((r) => r.method === method && match(r)).length;

test('a POST goes through a 503 SlowDown and a connection cut after 64 KiB of its body: the page shows Uploaded, same bytes', async () => {
  s.proxy.reset();
  const faults = [
    s.proxy.inject({ method: 'POST', path: postPath, action: { kind: 'status', status: 503 } }),
    s.proxy.inject({ method: 'POST', path: postPath, action: { kind: 'cut-request', bytes: 64 * 1024 } }),
  ];
  const file = randomFile('post-faults.png', MiB, 'image/png');
  // Slowed, so that each attempt reports progress on the way, not only at its end.
  await throttleUploads(page, MiB);
  await choose(page, file);
  const done = await outcome(page, file.name).finally(() => throttleUploads(page, -1));
  assert.equal(done.type, 'uploaded', JSON.stringify(done.detail));
  assert.deepEqual(
    faults.map((f) => f.fired),
    [1, 1],
  );
  assert.equal(
    sent('POST', (r) => postPath.test(r.path)),
    3,
    'refused, cut, then through',
  );
  assert.match(await rowText(page, file.name), /Uploaded/);
  // Each attempt's progress starts again from 0: what the page shows holds until passed.
  const loaded = (await events(page))
    .filter((e) => e.type === 'progress' && e.detail.name === file.name)
    .map((e) => e.detail.loaded!);
  assert.deepEqual(
    loaded,
    [...loaded].sort((a, b) => a - b),
    'progress never goes back',
  );
  assert.equal(loaded.at(-1), file.buffer.length);
  await assertStoredOnce(file, done.detail.key);
});

test('a multipart upload from the page goes through a 503 on create, two 503s on a part, a part cut after 1 MiB and a 500 on complete', async () => {
  s.proxy.reset();
  const faults = [
    // The handler's own calls (the SDK retries them) ...
    s.proxy.inject({ method: 'POST', query: { uploads: true }, action: { kind: 'status', status: 503 } }),
    s.proxy.inject({ method: 'POST', query: { uploadId: true }, action: { kind: 'status', status: 500 } }),
    // ... and the page's part PUTs (the browser module retries them).
    s.proxy.inject({ method: 'PUT', query: { partNumber: '1' }, times: 2, action: { kind: 'status', status: 503 } }),
    s.proxy.inject({ method: 'PUT', query: { partNumber: '2' }, action: { kind: 'cut-request', bytes: MiB } }),
  ];
  const file = randomFile('multi-faults.mp4', 12 * MiB, 'video/mp4');
  await choose(page, file);
  const done = await outcome(page, file.name);
  assert.equal(done.type, 'uploaded', JSON.stringify(done.detail));
  assert.deepEqual(
    faults.map((f) => f.fired),
    [1, 1, 2, 1],
  );
  await assertStoredOnce(file, done.detail.key);
});

test('a POST that keeps getting 503: after 4 attempts the page shows SlowDown (HTTP 503), and nothing is stored', async () => {
  s.proxy.reset();
  const refuse = s.proxy.inject({
    method: 'POST',
    path: postPath,
    times: Infinity,
    action: { kind: 'status', status: 503 },
  });
  const file = randomFile('post-refused.png', 256 * 1024, 'image/png');
  await choose(page, file);
  const failed = await outcome(page, file.name);
  assert.equal(failed.type, 'failed');
  assert.equal(failed.detail.code, 'SlowDown');
  assert.equal(refuse.fired, 4, 'the first attempt and 3 retries');
  assert.match(await rowText(page, file.name), /Failed[\s\S]*SlowDown: Please reduce your request rate\., HTTP 503/);
  assert.equal(await retryButton(file.name).isVisible(), false, 'Retry is offered for network failures only');
  await assertNothingLeft(file.name);
});

test('a POST whose connection is always cut: the page shows NETWORK with Retry, nothing is stored; once the network is back, Retry uploads it', async () => {
  s.proxy.reset();
  pageRequests.length = 0;
  const cut = s.proxy.inject({
    method: 'POST',
    path: postPath,
    times: Infinity,
    action: { kind: 'cut-request', bytes: 0 },
  });
  const file = randomFile('post-cut.png', 256 * 1024, 'image/png');
  await choose(page, file);
  const failed = await outcome(page, file.name);
  assert.equal(failed.detail.code, 'NETWORK', JSON.stringify(failed.detail));
  assert.equal(
    pageRequests.filter((r) => r.method === 'POST' && postPath.test(r.url.pathname)).length,
    4,
    'the page sent it 4 times',
  );
  // Chromium itself sends a request again when a kept-alive connection it reused is reset, so
  // the proxy may count more than the page's 4 attempts.
  assert.ok(cut.fired >= 4, `${cut.fired} POSTs cut`);
  assert.match(
    await rowText(page, file.name),
    /Network problem: the upload stopped\. Retry resumes where it stopped\./,
  );
  await assertNothingLeft(file.name);

  cut.remove();
  await clearEvents(page);
  await retryButton(file.name).click();
  const done = await outcome(page, file.name);
  assert.equal(done.type, 'uploaded', JSON.stringify(done.detail));
  await assertStoredOnce(file, done.detail.key);
});

test('a multipart upload whose parts keep failing with 500: the page shows InternalError, the upload is aborted, nothing is left', async () => {
  s.proxy.reset();
  const broken = s.proxy.inject({
    method: 'PUT',
    query: { partNumber: true },
    times: Infinity,
    action: { kind: 'status', status: 500 },
  });
  const file = randomFile('multi-refused.bin', 12 * MiB);
  await choose(page, file);
  const failed = await outcome(page, file.name);
  assert.equal(failed.detail.code, 'InternalError', JSON.stringify(failed.detail));
  assert.ok(broken.fired >= 4, `${broken.fired} part PUTs refused`);
  assert.equal(
    sent('DELETE', (r) => r.query.includes('uploadId=')),
    1,
    'the handler aborted the upload on the store',
  );
  assert.equal(await retryButton(file.name).isVisible(), false);
  await assertNothingLeft(file.name);
});

test('a part PUT the store takes and never answers: with stallTimeout 1.5 s it is given up, sent again, and the upload completes', async () => {
  s.proxy.reset();
  const stall = s.proxy.inject({ method: 'PUT', query: { partNumber: '2' }, action: { kind: 'stall' } });
  const file = randomFile('stalled-part.bin', 11 * MiB);
  await stageFiles(page, [file]);
  const [result] = await uploadInPage(page, 'uploadMultipart', [file.name], { partSize: 5 * MiB, stallTimeout: 1500 });
  assert.ok(result!.ok, JSON.stringify(result));
  assert.equal(stall.fired, 1);
  assert.equal(
    sent('PUT', (r) => /(^|&)partNumber=2(&|$)/.test(r.query)),
    2,
    'part 2: stalled, then sent again',
  );
  assert.ok(result!.ms >= 1500, `done in ${result!.ms} ms: before the stall could have been noticed`);
  await assertStoredOnce(file, result!.key);
});

test('a POST the store takes and never answers: with stallTimeout 1.5 s, upload() gives it up, sends it again, and it completes', async () => {
  s.proxy.reset();
  const stall = s.proxy.inject({ method: 'POST', path: postPath, action: { kind: 'stall' } });
  const file = randomFile('stalled-post.png', 512 * 1024, 'image/png');
  await stageFiles(page, [file]);
  const [result] = await uploadInPage(page, 'upload', [file.name], { stallTimeout: 1500 });
  assert.ok(result!.ok, JSON.stringify(result));
  assert.equal(stall.fired, 1);
  assert.equal(
    sent('POST', (r) => postPath.test(r.path)),
    2,
    'stalled, then sent again',
  );
  assert.ok(result!.ms >= 1500, `done in ${result!.ms} ms`);
  await assertStoredOnce(file, result!.key);
});
