/**
 * Load, against the tier's RGW: 300 uploads at once through createUploadHandler (each a `post`,
 * the presigned POST sent with Node's fetch, then `post/complete`), and 20 multipart uploads at
 * once from one Chromium page. Every object must be there with the right bytes, and no upload
 * left open. The handler's latency per route (p50, p99) is printed: on the shared 2-core
 * development machine it says how the handler holds up under a burst, not what a server does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { S3Connection } from '../../src/index.js';
import { createUploadHandler, type CompletedUpload } from '../../src/server/index.js';
import { pendingUploads, withBucket } from '../support/rgw.js';
import { callRoute, md5Of, sendForm, type PostTarget } from '../support/handler.js';
import { demoInBrowser, randomFile, stageFiles, uploadInPage, type PageFile } from '../support/demo-page.js';

const MiB = 1024 * 1024;

/** The value below which `share` of the sorted `values` lie (nearest rank). */
function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)]!;
}
const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Every file is stored under its key with its bytes: read back from RGW, 20 at a time. */
async function assertAllStored(
  conn: S3Connection,
  stored: Array<{ key: string; file: { buffer: Buffer } }>,
): Promise<void> {
  const queue = [...stored];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const back = Buffer.from(await (await conn.getObject(next.key)).bytes());
      assert.ok(back.equals(next.file.buffer), `${next.key}: the stored bytes differ`);
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  assert.equal(
    (await conn.getObjects({ onlyKeys: true })).length,
    stored.length,
    'no more, no fewer objects than uploads',
  );
  assert.deepEqual(await pendingUploads(conn), []);
}

test("300 uploads at once through createUploadHandler: every object stored with its bytes; the handler's p50/p99 per route", async (t) => {
  const { conn, cleanup } = await withBucket('load-handler');
  try {
    const handler = createUploadHandler({ connection: conn, rules: { maxSize: MiB, allowedTypes: ['image/png'] } });
    const latency: Record<'post' | 'post/complete', number[]> = { post: [], 'post/complete': [] };
    /** One handler call, as a framework makes it, timed from the Request to the answer read. */
    const route = async <T>(name: keyof typeof latency, body: unknown): Promise<T> => {
      const started = performance.now();
      const answer = await callRoute<T>(handler, name, body);
      latency[name].push(performance.now() - started);
      return answer;
    };
    const upload = async (file: PageFile) => {
      const post = await route<PostTarget>('post', {
        filename: file.name,
        contentType: file.mimeType,
        size: file.buffer.length,
      });
      const sent = await sendForm(post, new Uint8Array(file.buffer));
      assert.equal(sent.status, 201, await sent.text());
      const done = await route<CompletedUpload>('post/complete', {
        key: post.key,
        token: post.token,
        md5: md5Of(file.buffer),
      });
      assert.equal(done.size, file.buffer.length);
      return { key: done.key, file };
    };
    // PNGs (their signature first), so that post/complete also reads and checks the first bytes.
    const files = Array.from({ length: 301 }, (_, i) => randomFile(`load-${i}.png`, 16 * 1024 + i, 'image/png'));
    // One alone first, for comparison (it also derives the token key, once for all).
    const alone = await upload(files[0]!);
    t.diagnostic(`handler alone: post ${ms(latency.post[0]!)}, post/complete ${ms(latency['post/complete'][0]!)}`);
    latency.post.length = latency['post/complete'].length = 0;
    const started = performance.now();
    const stored = [alone, ...(await Promise.all(files.slice(1).map(upload)))];
    const wall = performance.now() - started;
    for (const [name, times] of Object.entries(latency)) {
      assert.equal(times.length, 300);
      t.diagnostic(
        `handler ${name}: p50 ${ms(percentile(times, 0.5))}, p99 ${ms(percentile(times, 0.99))}, max ${ms(Math.max(...times))} (300 at once)`,
      );
    }
    t.diagnostic(`300 uploads (post, the form to RGW, post/complete) in ${(wall / 1000).toFixed(1)} s`);
    await assertAllStored(conn, stored);
  } finally {
    await cleanup();
  }
});

test('20 multipart uploads at once from one Chromium page (uploadMultipart, 2 parts each): every object stored with its bytes', async (t) => {
  const ctx = await demoInBrowser('load-page', { rules: { maxSize: 16 * MiB } });
  try {
    const page = await ctx.openPage();
    // 6 MiB in parts of 5 MiB: 2 parts each, 40 part PUTs in all.
    const files: PageFile[] = Array.from({ length: 20 }, (_, i) => randomFile(`page-load-${i}.bin`, 6 * MiB + i));
    await stageFiles(page, files);
    const started = performance.now();
    const results = await uploadInPage(
      page,
      'uploadMultipart',
      files.map((f) => f.name),
      { partSize: 5 * MiB },
    );
    const wall = performance.now() - started;
    assert.deepEqual(
      results.filter((r) => !r.ok),
      [],
      'every upload succeeded',
    );
    t.diagnostic(
      `20 multipart uploads (${20 * 6} MiB) from one page in ${(wall / 1000).toFixed(1)} s; per upload p50 ${ms(
        percentile(
          results.map((r) => r.ms),
          0.5,
        ),
      )}, max ${ms(Math.max(...results.map((r) => r.ms)))}`,
    );
    await assertAllStored(
      ctx.demo.connection,
      results.map((r, i) => ({ key: r.key!, file: files[i]! })),
    );
  } finally {
    await ctx.close();
  }
});
