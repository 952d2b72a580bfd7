/**
 * radosgw killed (SIGKILL, as a crash) in the middle of a multipart upload from the demo page,
 * then started again: the page shows a network failure with Retry; Retry resumes the upload,
 * sending only the parts S3 did not hold yet, and the object is intact.
 *
 * This file runs an RGW of its own: killing the tier's radosgw would fail whatever other test
 * file is using it at that moment (node --test runs files in parallel on a machine with more
 * than 2 cores). Only radosgw restarts: the monitor and the in-memory OSD keep running, and with
 * them the upload in progress and its parts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { killRadosgw, startRadosgw, startRgw, stopRgw, type StartedRgw } from '../../scripts/rgw/rgw.mjs';
import { throttleUploads } from '../../scripts/browser/chromium.js';
import { pendingUploads } from '../support/rgw.js';
import {
  choose,
  clearEvents,
  demoInBrowser,
  outcome,
  randomFile,
  rowText,
  type DemoInBrowser,
} from '../support/demo-page.js';

const MiB = 1024 * 1024;
let own: StartedRgw | undefined;
let ctx: DemoInBrowser | undefined;
before(() => {
  own = startRgw();
});
after(async () => {
  await ctx?.close();
  stopRgw(own?.dir);
});

/** Polls `check` every 100 ms until it gives a value, for at most `ms`. */
async function waitFor<T>(check: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const value = await check();
    if (value !== undefined) return value;
  }
  throw new Error(`not within ${ms} ms: ${what}`);
}

test('radosgw killed mid-upload and started again: the page offers Retry, which resumes the upload, and the object is intact', async (t) => {
  const { endpoint, region, accessKeyId, secretAccessKey } = own!;
  // The bucket goes away with this RGW.
  ctx = await demoInBrowser('restart', {
    s3: { endpoint, region, accessKeyId, secretAccessKey },
    rules: { maxSize: 64 * MiB },
    removeBucket: false,
  });
  const s3 = ctx.demo.connection; // straight to this RGW
  const page: Page = await ctx.openPage();
  /** Part PUTs the page sent, by part number, counted from the last reset. */
  const partsSent = new Map<number, number>();
  page.on('request', (r) => {
    const part = /[?&]partNumber=(\d+)/.exec(r.url());
    if (r.method() === 'PUT' && part) partsSent.set(Number(part[1]), (partsSent.get(Number(part[1])) ?? 0) + 1);
  });

  // 17 MiB goes in 3 parts (8 + 8 + 1 MiB), in parallel, slowed down: the small part is stored
  // after about 1.5 s, the large ones after about 8.5 s, and the kill must land between. The
  // 7 s between are for a busy machine (a throttle changed now would not slow the parts
  // already on their way: Chromium applies it to new requests only).
  await throttleUploads(page, 2 * MiB);
  const file = randomFile('through-restart.mp4', 17 * MiB, 'video/mp4');
  await choose(page, file);
  const upload = await waitFor(async () => (await pendingUploads(s3))[0], 'the multipart upload began');
  await waitFor(
    async () => ((await s3.listParts(upload.key, upload.uploadId)).length > 0 ? true : undefined),
    'a part is stored',
  );

  await killRadosgw(own!.dir);
  const failed = await outcome(page, file.name);
  assert.equal(failed.detail.code, 'NETWORK', JSON.stringify(failed.detail));
  assert.match(
    await rowText(page, file.name),
    /Network problem: the upload stopped\. Retry resumes where it stopped\./,
  );
  assert.ok(await page.locator(`li.upload[data-name="${file.name}"] .retry`).isVisible());

  const restartMs = await startRadosgw(own!.dir);
  t.diagnostic(`radosgw answered again ${restartMs} ms after it was started`);
  // What the store held through the restart: the upload, and some parts of it but not all.
  assert.deepEqual(
    (await pendingUploads(s3)).map((u) => u.uploadId),
    [upload.uploadId],
  );
  const held = (await s3.listParts(upload.key, upload.uploadId)).map((p) => p.partNumber).sort();
  assert.ok(held.length >= 1 && held.length < 3, `parts held: ${held}`);

  await throttleUploads(page, -1); // unthrottled: the rest goes at loopback speed
  partsSent.clear();
  await clearEvents(page);
  await page.locator(`li.upload[data-name="${file.name}"] .retry`).click();
  const done = await outcome(page, file.name);
  assert.equal(done.type, 'uploaded', JSON.stringify(done.detail));
  assert.equal(done.detail.key, upload.key, 'the same upload, resumed');
  const missing = [1, 2, 3].filter((n) => !held.includes(n));
  assert.deepEqual([...partsSent.keys()].sort(), missing, 'only the parts S3 did not hold were sent');
  assert.ok(
    [...partsSent.values()].every((n) => n === 1),
    `each once: ${JSON.stringify(Object.fromEntries(partsSent))}`,
  );

  const object = await s3.getObject(upload.key);
  assert.ok(Buffer.from(await object.bytes()).equals(file.buffer), 'the object is intact');
  assert.deepEqual(await pendingUploads(s3), []);
});
