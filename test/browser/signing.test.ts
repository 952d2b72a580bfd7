/**
 * How `uploadMultipart` asks for part URLs, against a handler whose URLs live 2 s: signed in
 * batches, used while fresh, and signed again, all the parts left in one call, once they are
 * near the end of their lifetime. (Uploads from the demo's file input, one call per upload,
 * are in uploads.test.ts.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { demoInBrowser, signCalls, type DemoInBrowser } from '../support/demo-page.js';
import { throttleUploads } from '../../scripts/browser/chromium.js';
import { pendingUploads } from '../support/rgw.js';

const MiB = 1024 * 1024;
let ctx: DemoInBrowser;
before(async () => (ctx = await demoInBrowser('signing', { rules: { maxSize: 32 * MiB, expiresIn: 2 } })));
after(() => ctx?.close());

test('part URLs about to expire are signed again, for all the parts left in one call', async () => {
  const page = await ctx.openPage();
  const signed = signCalls(page);
  // Each 5 MiB part takes 2.5 s: longer than a URL is trusted (90% of 2 s).
  await throttleUploads(page, 2 * MiB);
  const done = await page.evaluate(async (size) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
    const sha256 = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
    const file = new File([bytes], 'slow-parts.bin', { type: 'application/octet-stream' });
    const { uploadMultipart } = (window as unknown as { cloudspark: typeof import('../../src/browser/index.js') }).cloudspark;
    const { key } = await uploadMultipart(file, { api: '/api/uploads', partSize: 5 * 1024 * 1024, concurrency: 1 });
    return { key, sha256 };
  }, 15 * MiB);
  assert.deepEqual(signed, [[1, 2, 3], [2, 3], [3]]);
  const stored = Buffer.from(await (await ctx.demo.connection.getObject(done.key)).bytes());
  assert.equal(createHash('sha256').update(stored).digest('hex'), done.sha256, 'same bytes');
  assert.deepEqual(await pendingUploads(ctx.demo.connection), []);
  await page.context().close();
});
