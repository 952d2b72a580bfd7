/**
 * cloudspark/react in Chromium (React 19 from the npm registry, bundled into the page): a page
 * built with `useUpload` and `useDropzone` (test/browser/pages/hook-page.tsx), one hook per route
 * of a handler with two named routes, against Ceph RGW. What the user sees is read from what the
 * page rendered; what was stored, from RGW.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { demoInBrowser, type DemoInBrowser } from '../support/demo-page.js';
import { throttleUploads } from '../../scripts/browser/chromium.js';
import { pendingUploads } from '../support/rgw.js';
import type { Render } from './pages/hook-page.js';

const MiB = 1024 * 1024;
let ctx: DemoInBrowser;
before(
  async () =>
    (ctx = await demoInBrowser('hook', {
      page: join(fileURLToPath(new URL('.', import.meta.url)), 'pages/hook-page.tsx'),
      routes: {
        avatars: { rules: { maxSize: 1 * MiB, allowedTypes: ['image/png'], keyPrefix: 'avatars/' } },
        documents: { rules: { maxSize: 32 * MiB, allowedTypes: ['application/pdf'], keyPrefix: 'documents/' } },
      },
    })),
);
after(() => ctx?.close());

/** A file whose first bytes are its type's signature (the handler checks them), the rest random. */
function typed(name: string, size: number): { name: string; mimeType: string; buffer: Buffer } {
  const png = name.endsWith('.png');
  const buffer = randomBytes(size);
  Buffer.from(png ? '89504e470d0a1a0a0000000d49484452' : Buffer.from('%PDF-1.7\n').toString('hex'), 'hex').copy(buffer);
  return { name, mimeType: png ? 'image/png' : 'application/pdf', buffer };
}

const renders = (page: Page) => page.evaluate(() => (window as unknown as { __renders: Render[] }).__renders);
const row = (page: Page, route: string, name: string) => page.locator(`#${route} li[data-name="${name}"]`);

test('three files at once through two routes: progress to 100, one cancelled (aborted on RGW), each result rendered', async (t) => {
  const page = await ctx.openPage();
  // Slow enough that the three overlap, and that the big document can be cancelled on its way.
  await throttleUploads(page, 1.5 * MiB);
  const avatar = typed('me.png', 900 * 1024);
  const report = typed('report.pdf', 6 * MiB);
  const big = typed('archive.pdf', 24 * MiB);
  // From disk, as a user chooses them: Chromium reads them there (sent through DevTools, 30 MiB
  // would take seconds to arrive, and the three would not start together).
  const dir = mkdtempSync(join(tmpdir(), 'cloudspark-hook-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const onDisk = (...files: Array<{ name: string; buffer: Buffer }>) =>
    files.map((f) => (writeFileSync(join(dir, f.name), f.buffer), join(dir, f.name)));
  await page.setInputFiles('#avatars-input', onDisk(avatar));
  await page.setInputFiles('#documents-input', onDisk(report, big));

  // The big document is multipart: cancelled once it is on its way, its upload open on RGW.
  await page.waitForFunction(
    () =>
      Number(
        document.querySelector('#documents li[data-name="archive.pdf"] .percent')?.textContent?.replace('%', ''),
      ) >= 10,
    undefined,
    { timeout: 60_000 },
  );
  const open = await pendingUploads(ctx.demo.connection);
  assert.equal(open.length, 1, "the big document's multipart upload is open");
  assert.match(open[0]!.key, /^documents\/.*archive\.pdf$/);
  await row(page, 'documents', 'archive.pdf').locator('.cancel').click();

  for (const [route, name] of [
    ['avatars', 'me.png'],
    ['documents', 'report.pdf'],
  ] as const) {
    await row(page, route, name).and(page.locator('[data-status="done"]')).waitFor({ timeout: 60_000 });
  }
  await row(page, 'documents', 'archive.pdf')
    .and(page.locator('[data-status="cancelled"]'))
    .waitFor({ timeout: 30_000 });
  await throttleUploads(page, -1);

  // What the user saw.
  const log = await renders(page);
  const of = (name: string) => log.filter((r) => r.name === name);
  const uploading = (name: string) => of(name).find((r) => r.status === 'uploading')!.t;
  const ended = (name: string) => of(name).find((r) => r.status === 'done' || r.status === 'cancelled')!.t;
  const names = ['me.png', 'report.pdf', 'archive.pdf'];
  assert.ok(
    Math.max(...names.map(uploading)) < Math.min(...names.map(ended)),
    `the three were uploading at once: ${JSON.stringify(names.map((n) => [uploading(n), ended(n)]))}`,
  );
  for (const name of ['me.png', 'report.pdf']) {
    const percents = of(name).map((r) => r.percent);
    assert.equal(percents.at(-1), 100, `${name}: ${percents}`);
    assert.deepEqual(
      percents,
      [...percents].sort((a, b) => a - b),
      `${name}: progress never went back`,
    );
    assert.ok(
      percents.some((p) => p > 0 && p < 100),
      `${name}: progress shown on the way, not only at the end: ${percents}`,
    );
  }
  assert.equal(await row(page, 'documents', 'archive.pdf').locator('.code').innerText(), 'ABORTED');
  // Redrawn at most a few times a second while bytes move: progress is published every 200 ms,
  // status changes at once. Over every second of the run, each row rendered at most 8 times.
  for (const name of names) {
    const times = of(name).map((r) => r.t);
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
    assert.ok(busiest <= 8, `${name}: ${busiest} renders within one second`);
    t.diagnostic(
      `${name}: ${times.length} renders over ${Math.round(times.at(-1)! - times[0]!)} ms, at most ${busiest} within a second`,
    );
  }

  // The results rendered, and what RGW holds: both completed uploads, byte for byte, under their
  // route's prefix; of the cancelled one, nothing, and no upload left open.
  for (const [route, file] of [
    ['avatars', avatar],
    ['documents', report],
  ] as const) {
    const key = await row(page, route, file.name).locator('.key').innerText();
    assert.match(key, new RegExp(`^${route}/[0-9a-f-]{36}/${file.name.replace('.', '\\.')}$`));
    const object = await ctx.demo.connection.getObject(key);
    assert.equal(object.contentType, file.mimeType);
    assert.ok(Buffer.from(await object.bytes()).equals(file.buffer), `${file.name}: same bytes`);
  }
  assert.equal(await row(page, 'documents', 'archive.pdf').locator('.key').count(), 0);
  assert.deepEqual(await pendingUploads(ctx.demo.connection), [], 'the cancelled upload was aborted on RGW');
  assert.deepEqual(
    (await ctx.demo.connection.getObjects({ onlyKeys: true })).filter((k) => k.endsWith('archive.pdf')),
    [],
  );
  await page.context().close();
});

test('maxFiles: 1 uploads one file at a time, the others queued in order; a queued file cancelled is never sent', async () => {
  const page = await ctx.openPage();
  await page.goto(`${ctx.demo.url}/?maxFiles=1`);
  await page.waitForSelector('body[data-ready]');
  const started: string[] = [];
  page.on(
    'request',
    (r) =>
      r.url().endsWith('/api/uploads/post') &&
      started.push((JSON.parse(r.postData() ?? '{}') as { filename: string }).filename),
  );
  await throttleUploads(page, 1 * MiB);
  const files = ['one.pdf', 'two.pdf', 'three.pdf'].map((name) => typed(name, 1 * MiB));
  const dir = mkdtempSync(join(tmpdir(), 'cloudspark-hook-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  await page.setInputFiles(
    '#documents-input',
    files.map((f) => (writeFileSync(join(dir, f.name), f.buffer), join(dir, f.name))),
  );
  await row(page, 'documents', 'one.pdf').and(page.locator('[data-status="uploading"]')).waitFor();
  assert.equal(await row(page, 'documents', 'two.pdf').getAttribute('data-status'), 'queued');
  await row(page, 'documents', 'three.pdf').locator('.cancel').click();
  await row(page, 'documents', 'two.pdf').and(page.locator('[data-status="done"]')).waitFor({ timeout: 60_000 });
  await throttleUploads(page, -1);

  const log = await renders(page);
  const first = (name: string, status: string) => log.find((r) => r.name === name && r.status === status)?.t;
  assert.ok(first('two.pdf', 'uploading')! >= first('one.pdf', 'done')!, 'the second started once the first was done');
  assert.equal(first('three.pdf', 'uploading'), undefined, 'the cancelled one never started');
  assert.equal(await row(page, 'documents', 'three.pdf').getAttribute('data-status'), 'cancelled');
  assert.equal(await row(page, 'documents', 'three.pdf').locator('.code').innerText(), 'ABORTED');
  assert.deepEqual(started, ['one.pdf', 'two.pdf'], 'asked of the handler in order, the cancelled one never');
  await page.context().close();
});
