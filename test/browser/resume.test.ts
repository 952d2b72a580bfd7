/**
 * Multipart uploads that survive a page reload (#20), in Chromium against Ceph RGW: the demo page
 * (a React app on `useUpload`, whose `resume` is `localResume` by default) is reloaded in the
 * middle of a 64 MiB upload, the same file is chosen again, and only the parts S3 does not hold
 * are sent. Then the store's other promises, with `uploadMultipart` called in the page: a saved
 * state the handler refuses is dropped and the upload starts afresh; a completed or cancelled
 * upload leaves no state behind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { throttleUploads } from '../../scripts/browser/chromium.js';
import { pendingUploads } from '../support/rgw.js';
import { demoInBrowser, events, outcome, randomFile, stageFiles, type DemoInBrowser } from '../support/demo-page.js';

const MiB = 1024 * 1024;
const PART = 8 * MiB;
let ctx: DemoInBrowser;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cloudspark-resume-'));
  // 8 MiB parts, 2 at a time: a 64 MiB file is 8 parts.
  ctx = await demoInBrowser('resume', { rules: { maxSize: 128 * MiB }, partSize: PART, concurrency: 2 });
});
after(async () => {
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
/** The resume store's items in the page's localStorage. */
const savedStates = (page: Page) =>
  page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('cloudspark:')));
const handlerCall = (r: Request) => /\/api\/uploads\/(.+)$/.exec(new URL(r.url()).pathname)?.[1];
const partNumber = (r: Request) => (r.method() === 'PUT' ? Number(/[?&]partNumber=(\d+)/.exec(r.url())?.[1] ?? 0) : 0);

test('reloaded in the middle of a 64 MiB upload, the same file chosen again: only the parts S3 lacks are sent, and the object is the file', async (t) => {
  const file = randomFile('holiday.mp4', 64 * MiB, 'video/mp4');
  // On disk, with a fixed date, as a user's file: chosen again, it is the same name, size, date and bytes.
  const path = join(dir, file.name);
  writeFileSync(path, file.buffer);
  utimesSync(path, new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));

  const page = await ctx.openPage();
  let reloaded = false;
  const calls: Array<{ call: string; reloaded: boolean }> = [];
  /** Body bytes of each part PUT that reached RGW (answered), as Chromium measured them, and when. */
  const puts: Array<Promise<{ part: number; bytes: number; reloaded: boolean; status: number }>> = [];
  let created: Promise<{ key: string; uploadId: string }> | undefined;
  let held: Promise<number[]> | undefined;
  page.on('request', (r) => {
    const call = handlerCall(r);
    if (call) calls.push({ call, reloaded });
    if (call === 'multipart/create') created = r.response().then((a) => a!.json());
    if (call === 'multipart/list-parts')
      held = r
        .response()
        .then(async (a) =>
          ((await a!.json()) as { parts: Array<{ partNumber: number }> }).parts.map((p) => p.partNumber),
        );
  });
  page.on('requestfinished', (r) => {
    const part = partNumber(r);
    const when = reloaded;
    if (part)
      puts.push(
        r.allHeaders().then(async (h) => ({
          part,
          bytes: Number(h['content-length']),
          reloaded: when,
          status: (await r.response())!.status(),
        })),
      );
  });

  // Slowed, so that the reload lands in the middle: some parts stored, others on their way.
  await throttleUploads(page, 8 * MiB);
  await page.setInputFiles('#file-input', path);
  await page.waitForFunction(
    () =>
      (window as unknown as { __events: Array<{ type: string; detail: { percent: number } }> }).__events.some(
        (e) => e.type === 'progress' && e.detail.percent >= 40,
      ),
    undefined,
    { timeout: 120_000 },
  );
  const upload = await created!;
  assert.equal((await savedStates(page)).length, 1, 'the upload is saved in localStorage');
  const storedBefore = (await ctx.demo.connection.listParts(upload.key, upload.uploadId)).map((p) => p.partNumber);

  reloaded = true;
  await page.reload();
  await page.waitForSelector('body[data-ready]');
  await throttleUploads(page, -1);
  assert.equal((await savedStates(page)).length, 1, 'the state outlived the reload');
  await page.setInputFiles('#file-input', path);
  const done = await outcome(page, file.name, 120_000);
  assert.equal(done.type, 'uploaded', JSON.stringify(done.detail));

  const sent = await Promise.all(puts);
  const after = sent.filter((p) => p.reloaded);
  const bytesAfter = after.reduce((n, p) => n + p.bytes, 0);
  assert.ok(
    held,
    `after the reload the page asked for the parts S3 holds (multipart/list-parts); it called ${JSON.stringify(calls.filter((c) => c.reloaded).map((c) => c.call))}`,
  );
  const partsHeld = (await held).sort((a, b) => a - b);
  t.diagnostic(
    `before the reload: parts ${storedBefore.sort((a, b) => a - b)} stored; after it, S3 held ${partsHeld}, and the page sent parts ${after.map((p) => p.part).sort((a, b) => a - b)}: ${bytesAfter} bytes of ${file.buffer.length}`,
  );
  assert.ok(partsHeld.length >= 1 && partsHeld.length < 8, `S3 held some parts but not all: ${partsHeld}`);
  assert.ok(
    bytesAfter < file.buffer.length,
    `sent after the reload: ${bytesAfter} bytes, fewer than the file's ${file.buffer.length}`,
  );
  assert.equal(bytesAfter, (8 - partsHeld.length) * PART, 'exactly the parts S3 did not hold, each once');
  assert.deepEqual(
    after.map((p) => p.part).sort((a, b) => a - b),
    [1, 2, 3, 4, 5, 6, 7, 8].filter((n) => !partsHeld.includes(n)),
  );
  assert.deepEqual(
    calls.filter((c) => c.reloaded).map((c) => c.call),
    ['multipart/list-parts', 'multipart/sign-parts', 'multipart/complete'],
    'the same upload, asked for its parts: no second create',
  );
  assert.equal(done.detail.key, upload.key, 'completed under the key of the upload begun before the reload');

  const object = await ctx.demo.connection.getObject(upload.key);
  assert.equal(md5(await object.bytes()), md5(file.buffer), 'the stored object is the file');
  assert.deepEqual(await pendingUploads(ctx.demo.connection), [], 'no upload left open');
  assert.deepEqual(await savedStates(page), [], "the completed upload's state is removed");
  // What the page showed after the reload: 0 while the handler is asked, then progress going on
  // from the bytes S3 held (not counted up again), to 100.
  const percents = (await events(page)).filter((e) => e.type === 'progress').map((e) => e.detail.percent!);
  const moving = percents.filter((p) => p > 0);
  assert.ok(
    moving[0]! >= Math.floor((partsHeld.length * PART * 100) / file.buffer.length),
    `went on from ${moving[0]}%: ${percents}`,
  );
  assert.equal(percents.at(-1), 100);
  await page.context().close();
});

interface InPage {
  ok: boolean;
  key?: string;
  code?: string;
  states: string[];
}

test('a saved state the handler refuses is dropped and the upload starts afresh; a completed or cancelled upload leaves no state', async () => {
  const page = await ctx.openPage();
  const file = randomFile('again.bin', 10 * MiB);
  await stageFiles(page, [file]);
  const calls: string[] = [];
  page.on('request', (r) => handlerCall(r) && calls.push(handlerCall(r)!));

  // A state for this very file whose token the handler never issued (or that expired): 403.
  const refused = await page.evaluate(async (): Promise<InPage> => {
    const w = window as unknown as {
      __staged: Record<string, File>;
      cloudspark: typeof import('../../src/browser/index.js') & typeof import('../../src/browser/persist.js');
    };
    const { uploadMultipart, localResume } = w.cloudspark;
    const file = w.__staged['again.bin']!;
    const api = { url: '/api/uploads' };
    await localResume.save(file, api, {
      key: 'uploads/forged/again.bin',
      uploadId: 'no-such-upload',
      token: 'v1.eyJ2IjoxfQ.forged',
      partSize: 8 * 1024 * 1024,
      partCount: 2,
    });
    const states = Object.keys(localStorage).filter((k) => k.startsWith('cloudspark:'));
    if (states.length !== 1) return { ok: false, code: 'NOT_SAVED', states };
    const { key } = await uploadMultipart(file, { api: '/api/uploads', resume: localResume });
    return { ok: true, key, states: Object.keys(localStorage).filter((k) => k.startsWith('cloudspark:')) };
  });
  assert.ok(refused.ok, JSON.stringify(refused));
  assert.deepEqual(
    calls.splice(0),
    ['multipart/list-parts', 'multipart/create', 'multipart/sign-parts', 'multipart/complete'],
    'refused, then created afresh',
  );
  assert.match(refused.key!, /^uploads\/[0-9a-f-]{36}\/again\.bin$/);
  assert.ok(Buffer.from(await (await ctx.demo.connection.getObject(refused.key!)).bytes()).equals(file.buffer));
  assert.deepEqual(refused.states, [], 'no state left once completed');

  // Cancelled once on its way: aborted on RGW, and its state removed.
  await throttleUploads(page, 4 * MiB);
  const cancelled = await page.evaluate(async (): Promise<InPage> => {
    const w = window as unknown as {
      __staged: Record<string, File>;
      cloudspark: typeof import('../../src/browser/index.js') & typeof import('../../src/browser/persist.js');
    };
    const { uploadMultipart, localResume } = w.cloudspark;
    const controller = new AbortController();
    let saved: string[] = [];
    try {
      await uploadMultipart(w.__staged['again.bin']!, {
        api: '/api/uploads',
        resume: localResume,
        signal: controller.signal,
        onProgress: ({ loaded }) => {
          if (loaded === 0) return;
          saved = Object.keys(localStorage).filter((k) => k.startsWith('cloudspark:'));
          controller.abort();
        },
      });
      return { ok: true, states: saved };
    } catch (e) {
      return {
        ok: false,
        code: (e as { code: string }).code,
        states: saved.concat(
          ['|'],
          Object.keys(localStorage).filter((k) => k.startsWith('cloudspark:')),
        ),
      };
    }
  });
  await throttleUploads(page, -1);
  assert.equal(cancelled.code, 'ABORTED', JSON.stringify(cancelled));
  const [whileSending, bar, ...afterwards] = cancelled.states;
  assert.ok(
    whileSending?.startsWith('cloudspark:') && bar === '|',
    `saved while it was sent: ${JSON.stringify(cancelled.states)}`,
  );
  assert.deepEqual(afterwards, [], 'removed once cancelled');
  assert.ok(calls.includes('multipart/abort'));
  assert.deepEqual(await pendingUploads(ctx.demo.connection), []);
  await page.context().close();
});
