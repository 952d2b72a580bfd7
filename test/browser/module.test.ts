/**
 * `cloudspark/browser` called directly in the page (the demo puts it on window.cloudspark), with
 * targets signed by the connection rather than the handler: presigned PUT, and expired links.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { demoInBrowser, type DemoInBrowser } from '../support/demo-page.js';

let ctx: DemoInBrowser;
let page: Page;
before(async () => {
  ctx = await demoInBrowser('module', { rules: { maxSize: 1024 * 1024 } });
  page = await ctx.openPage();
});
after(() => ctx?.close());

interface Outcome {
  ok: boolean;
  key?: string;
  etag?: string;
  code?: string;
  message?: string;
  status?: number;
  percents: number[];
}

/** Runs uploadFile(target, a blob of `size` bytes) in the page. */
function uploadInPage(target: unknown, size: number, type = 'text/plain'): Promise<Outcome> {
  return page.evaluate(
    async ({ target, size, type }) => {
      const { uploadFile } = (
        window as unknown as {
          cloudspark: { uploadFile: (t: unknown, f: Blob, o: unknown) => Promise<{ key?: string; etag?: string }> };
        }
      ).cloudspark;
      const percents: number[] = [];
      try {
        const done = await uploadFile(target, new Blob(['x'.repeat(size)], { type }), {
          onProgress: (p: { percent: number }) => percents.push(p.percent),
        });
        return { ok: true, ...done, percents };
      } catch (e) {
        const error = e as { code: string; message: string; status: number };
        return { ok: false, code: error.code, message: error.message, status: error.status, percents };
      }
    },
    { target, size, type },
  );
}

test('uploadFile to a presigned PUT resolves with the ETag, and S3 holds the bytes', async () => {
  const key = 'direct/put.txt';
  const url = await ctx.demo.connection.presignedPutUrl(key, { expiresIn: 300 });
  const done = await uploadInPage({ url, method: 'PUT', key }, 5000);
  assert.ok(done.ok, JSON.stringify(done));
  assert.equal(done.key, key);
  assert.match(done.etag ?? '', /^"[0-9a-f]{32}"$/);
  assert.equal(done.percents.at(-1), 100);
  assert.equal(await (await ctx.demo.connection.getObject(key)).text(), 'x'.repeat(5000));
});

test("an expired presigned POST is refused with S3's AccessDenied, and the message says it expired", async () => {
  const post = await ctx.demo.connection.presignedCreateUrl('direct/late.txt', {
    expiresIn: 60,
    signingDate: new Date(Date.now() - 3600_000),
  });
  const refused = await uploadInPage(post, 10);
  assert.equal(refused.ok, false);
  assert.equal(refused.code, 'AccessDenied');
  assert.equal(refused.status, 403);
  assert.match(refused.message ?? '', /expired: ask for a new one/);
});

test('an expired presigned PUT fails as NETWORK: RGW sends that 403 without CORS headers', async () => {
  const url = await ctx.demo.connection.presignedPutUrl('direct/late-put.txt', {
    expiresIn: 60,
    signingDate: new Date(Date.now() - 3600_000),
  });
  const refused = await uploadInPage({ url, method: 'PUT' }, 10);
  assert.equal(refused.code, 'NETWORK');
  assert.match(refused.message ?? '', /expired link/);
  await assert.rejects(ctx.demo.connection.headObject('direct/late-put.txt'), { code: 'NO_SUCH_KEY' });
});

test('a target that is neither POST nor PUT is refused', async () => {
  const refused = await uploadInPage({ url: 'http://example.invalid/' }, 10);
  assert.equal(refused.code, 'INVALID_TARGET');
});

test('the demo refuses a Host that is not its own (DNS rebinding), and answers its own', async () => {
  const { request } = await import('node:http');
  const { port } = new URL(ctx.demo.url);
  const statusWithHost = (host: string) =>
    new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/api/config', headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
  assert.equal(await statusWithHost(`attacker.example:${port}`), 421);
  assert.equal(await statusWithHost('127.0.0.1'), 421, 'the port is part of the address');
  assert.equal(await statusWithHost(`127.0.0.1:${port}`), 200);
  assert.equal(await statusWithHost(`localhost:${port}`), 200);
});

/** Runs deleteFile(url) in the page, cancelled at once when `cancel`. */
function deleteInPage(
  url: string,
  cancel = false,
): Promise<{ ok: boolean; code?: string; status?: number; message?: string }> {
  return page.evaluate(
    async ({ url, cancel }) => {
      const { deleteFile } = (
        window as unknown as { cloudspark: { deleteFile: (u: string, o?: { signal?: AbortSignal }) => Promise<void> } }
      ).cloudspark;
      const controller = new AbortController();
      if (cancel) controller.abort();
      try {
        await deleteFile(url, { signal: controller.signal });
        return { ok: true };
      } catch (e) {
        const error = e as { code: string; message: string; status: number };
        return { ok: false, code: error.code, status: error.status, message: error.message };
      }
    },
    { url, cancel },
  );
}

test("deleteFile through a presigned DELETE removes the object; cancelled, it rejects ABORTED and the object stays; refused, S3's code and status", async () => {
  const key = 'direct/delete-me.txt';
  await ctx.demo.connection.uploadObject('bye', key);
  const cancelled = await deleteInPage(await ctx.demo.connection.presignedDeleteUrl(key, { expiresIn: 300 }), true);
  assert.deepEqual([cancelled.ok, cancelled.code], [false, 'ABORTED']);
  assert.equal(await (await ctx.demo.connection.getObject(key)).text(), 'bye', 'a cancelled delete deletes nothing');
  const expired = await deleteInPage(
    await ctx.demo.connection.presignedDeleteUrl(key, { expiresIn: 60, signingDate: new Date(Date.now() - 3600_000) }),
  );
  assert.equal(expired.ok, false);
  assert.equal(expired.code, 'NETWORK', 'RGW refuses an expired link without CORS headers: the page sees no answer');
  const done = await deleteInPage(await ctx.demo.connection.presignedDeleteUrl(key, { expiresIn: 300 }));
  assert.deepEqual(done, { ok: true });
  await assert.rejects(ctx.demo.connection.headObject(key), { code: 'NO_SUCH_KEY' });
});

/** Runs `upload` (by the handler's POST) or `uploadMultipart` of a file of `size` bytes in `on`; the error's fields if it fails. */
function handlerUploadInPage(on: Page, how: 'upload' | 'uploadMultipart', size: number): Promise<Outcome> {
  return on.evaluate(
    async ({ how, size }) => {
      const lib = (
        window as unknown as { cloudspark: Record<string, (f: File, o: unknown) => Promise<{ key: string }>> }
      ).cloudspark;
      try {
        const done = await lib[how]!(new File(['x'.repeat(size)], 'f.txt', { type: 'text/plain' }), {
          api: '/api/uploads',
          retries: 0,
        });
        return { ok: true, key: done.key, percents: [] };
      } catch (e) {
        const error = e as { code: string; message: string; status: number };
        return { ok: false, code: error.code, message: error.message, status: error.status, percents: [] };
      }
    },
    { how, size },
  );
}

test('CORS rules that hide the ETag: uploadMultipart fails ETAG_NOT_EXPOSED with what to change, and leaves no upload open', async () => {
  const { demoCors } = await import('../../demo/server.js');
  const { pendingUploads } = await import('../support/rgw.js');
  const rules = demoCors(ctx.demo.url);
  await ctx.demo.connection.setBucketCors(rules.map(({ ExposeHeaders: _hidden, ...rule }) => rule));
  const fresh = await ctx.openPage(); // no answer of the old rules cached
  try {
    const failed = await handlerUploadInPage(fresh, 'uploadMultipart', 1000);
    assert.equal(failed.code, 'ETAG_NOT_EXPOSED', JSON.stringify(failed));
    assert.match(failed.message ?? '', /ExposeHeaders: \["ETag"\]/);
    assert.deepEqual(await pendingUploads(ctx.demo.connection), [], 'the upload was aborted');
  } finally {
    await ctx.demo.connection.setBucketCors(rules);
    await fresh.context().close();
  }
  // The same page, once the rules expose it again.
  const again = await ctx.openPage();
  assert.equal((await handlerUploadInPage(again, 'uploadMultipart', 1000)).ok, true);
  await again.context().close();
});

test("answers without a code (a proxy's HTML error page): HTTP_ERROR with the status, from the handler and from storage", async () => {
  const fresh = await ctx.openPage();
  await fresh.route('**/api/uploads/post', (route) =>
    route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>Service Unavailable</h1>' }),
  );
  const fromHandler = await handlerUploadInPage(fresh, 'upload', 10);
  assert.deepEqual([fromHandler.code, fromHandler.status], ['HTTP_ERROR', 503], JSON.stringify(fromHandler));
  assert.match(fromHandler.message ?? '', /answered HTTP 503/);
  await fresh.unroute('**/api/uploads/post');

  // Storage's answer replaced by a gateway's page, with the CORS headers that let the page read it.
  await fresh.route(
    (url) => url.origin === new URL(ctx.demo.connection.endpoint!).origin,
    (route) =>
      route.fulfill({
        status: 502,
        contentType: 'text/html',
        headers: { 'access-control-allow-origin': new URL(ctx.demo.url).origin },
        body: '<html><body>Bad Gateway</body></html>',
      }),
  );
  const fromStorage = await handlerUploadInPage(fresh, 'upload', 10);
  assert.deepEqual([fromStorage.code, fromStorage.status], ['HTTP_ERROR', 502], JSON.stringify(fromStorage));
  assert.match(fromStorage.message ?? '', /HTTP_ERROR, HTTP 502/);
  await fresh.context().close();
});
