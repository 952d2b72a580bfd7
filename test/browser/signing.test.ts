/**
 * How `uploadMultipart` asks for part URLs, against a handler whose URLs live 2 s: signed in
 * batches, used while fresh, and signed again, all the parts left in one call, once they are
 * near the end of their lifetime. (Uploads from the demo's file input, one call per upload,
 * are in uploads.test.ts.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { demoInBrowser, type DemoInBrowser } from '../support/demo-page.js';
import { throttleUploads } from '../../scripts/browser/chromium.js';
import { pendingUploads } from '../support/rgw.js';

const MiB = 1024 * 1024;
let ctx: DemoInBrowser;
before(async () => (ctx = await demoInBrowser('signing', { rules: { maxSize: 32 * MiB, expiresIn: 2 } })));
after(() => ctx?.close());

/**
 * What the page asks and sends, in the order Chromium saw it: each sign-parts call with the
 * parts asked for (and the URLs answered), each part PUT with the URL it used. Timing-free:
 * the throttle only makes parts slower than a URL's life, and more load only slower still.
 */
function partTraffic(page: import('playwright-core').Page) {
  const steps: { kind: 'sign' | 'put'; parts: number[]; url?: string; urls?: Promise<Record<string, string>> }[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/uploads/multipart/sign-parts')) {
      const urls = r
        .response()
        .then(async (answer) => ((await answer!.json()) as { urls: Record<string, string> }).urls);
      steps.push({
        kind: 'sign',
        parts: (JSON.parse(r.postData() ?? '{}') as { partNumbers: number[] }).partNumbers,
        urls,
      });
    }
    const part = /[?&]partNumber=(\d+)/.exec(r.url());
    if (r.method() === 'PUT' && part) steps.push({ kind: 'put', parts: [Number(part[1])], url: r.url() });
  });
  return steps;
}

test('part URLs about to expire are signed again, for all the parts left in one call', async () => {
  const page = await ctx.openPage();
  const steps = partTraffic(page);
  // Each 5 MiB part takes 2.5 s or more: longer than a URL is trusted (90% of 2 s).
  await throttleUploads(page, 2 * MiB);
  const done = await page.evaluate(async (size) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
    const sha256 = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
    const file = new File([bytes], 'slow-parts.bin', { type: 'application/octet-stream' });
    const { uploadMultipart } = (window as unknown as { cloudspark: typeof import('../../src/browser/index.js') })
      .cloudspark;
    const { key } = await uploadMultipart(file, { api: '/api/uploads', partSize: 5 * 1024 * 1024, concurrency: 1 });
    return { key, sha256 };
  }, 15 * MiB);

  const signs = steps.filter((s) => s.kind === 'sign');
  assert.deepEqual(signs[0]?.parts, [1, 2, 3], 'the first call signs every part');
  assert.ok(
    signs.length >= 2,
    `a part outlasting its URL's life makes the page sign again (calls: ${JSON.stringify(signs.map((s) => s.parts))})`,
  );
  // Every later call asks for all the parts not sent yet, the one about to go first: one at a
  // time, parts before it are sent.
  let sent = 0;
  const latest = new Map<number, string>();
  for (const step of steps) {
    if (step.kind === 'put') {
      const n = step.parts[0]!;
      assert.equal(step.url, latest.get(n), `part ${n} goes with the URL of the last call that signed it`);
      sent = Math.max(sent, n);
      continue;
    }
    assert.deepEqual(
      step.parts,
      [1, 2, 3].filter((n) => n > sent),
      `a call signs every part left (after ${sent} sent)`,
    );
    const urls = await step.urls!;
    for (const n of step.parts) latest.set(n, urls[n]!);
  }
  assert.deepEqual(
    steps.filter((s) => s.kind === 'put').map((s) => s.parts[0]),
    [1, 2, 3],
    'each part sent once',
  );

  const stored = Buffer.from(await (await ctx.demo.connection.getObject(done.key)).bytes());
  assert.equal(createHash('sha256').update(stored).digest('hex'), done.sha256, 'same bytes');
  assert.deepEqual(await pendingUploads(ctx.demo.connection), []);
  await page.context().close();
});
