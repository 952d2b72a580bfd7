/**
 * Progress never goes back, even when a part fails after its bytes went out and is sent again
 * from its first byte. The failure is real: the part's first PUT is sent to a local server that
 * reads every byte, then answers as S3 does when it fails (500 InternalError, "Please try
 * again"), which the module retries.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoInBrowser, type DemoInBrowser } from '../support/demo-page.js';
import { throttleUploads } from '../../scripts/browser/chromium.js';

const MiB = 1024 * 1024;
let ctx: DemoInBrowser;
let failing: http.Server;
/** Bytes the failing server received, one entry per request. */
const received: number[] = [];

before(async () => {
  ctx = await demoInBrowser('progress', { rules: { maxSize: 32 * MiB } });
  failing = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      received.push(bytes);
      res.writeHead(500, {
        'access-control-allow-origin': req.headers.origin ?? '*',
        'content-type': 'application/xml',
      });
      res.end(
        '<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>',
      );
    });
  });
  await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  failing?.close();
  await ctx?.close();
});

interface Run {
  ok: boolean;
  detail: unknown;
  /** Every onProgress event, in order. */
  events: Array<{ loaded: number; total: number; percent: number }>;
  /** Each XMLHttpRequest's own upload progress, by part number: what the module adds up. */
  attempts: Record<string, number[][]>;
}

test('a part that fails after sending its bytes is retried, and progress never goes back', async () => {
  const page = await ctx.openPage();
  // Slow enough for several progress events per part.
  await throttleUploads(page, 8 * MiB);
  await page.evaluate(() => {
    // Records the upload progress of each request on its own, to show that the retry of part 2
    // really started again from 0 after its first attempt had counted bytes.
    const attempts: Record<string, number[][]> = ((window as unknown as { __attempts: unknown }).__attempts = {});
    const { open, send } = XMLHttpRequest.prototype;
    XMLHttpRequest.prototype.open = function (
      this: XMLHttpRequest & { part?: string },
      method: string,
      url: string | URL,
    ) {
      this.part = /[?&]partNumber=(\d+)/.exec(String(url))?.[1];
      return open.call(this, method, url, true);
    };
    XMLHttpRequest.prototype.send = function (this: XMLHttpRequest & { part?: string }, body) {
      if (this.part !== undefined) {
        const attempt: number[] = [];
        (attempts[this.part] ??= []).push(attempt);
        this.upload.addEventListener('progress', (e) => attempt.push(e.loaded));
      }
      return send.call(this, body);
    };
  });
  let failed = false;
  await page.route(/[?&]partNumber=2&/, (route) => {
    if (failed || route.request().method() !== 'PUT') return route.continue();
    failed = true;
    const url = new URL(route.request().url());
    return route.continue({
      url: `http://127.0.0.1:${(failing.address() as AddressInfo).port}${url.pathname}${url.search}`,
    });
  });

  const run: Run = await page.evaluate(async () => {
    const { uploadMultipart } = (
      window as unknown as { cloudspark: { uploadMultipart: (f: Blob, o: unknown) => Promise<unknown> } }
    ).cloudspark;
    const events: Run['events'] = [];
    const file = new File([new Uint8Array(11 * 1024 * 1024)], 'retried.bin', { type: 'application/octet-stream' });
    const options = {
      api: '/api/uploads',
      partSize: 5 * 1024 * 1024,
      concurrency: 1,
      onProgress: (p: Run['events'][number]) => events.push(p),
    };
    const attempts = (window as unknown as { __attempts: Run['attempts'] }).__attempts;
    try {
      return { ok: true, detail: await uploadMultipart(file, options), events, attempts };
    } catch (e) {
      return {
        ok: false,
        detail: { code: (e as { code: string }).code, message: (e as Error).message },
        events,
        attempts,
      };
    }
  });

  assert.ok(run.ok, JSON.stringify(run.detail));
  assert.deepEqual(received, [5 * MiB], 'part 2 went out in full once, and was answered 500');
  // The situation under test: part 2's first attempt counted bytes, and its retry started over.
  const [first, retry] = run.attempts['2'] ?? [];
  assert.equal(run.attempts['2']?.length, 2, JSON.stringify(run.attempts));
  assert.ok(first!.length > 1 && first!.at(-1) === 5 * MiB, `first attempt: ${first}`);
  assert.ok(retry![0]! < first!.at(-1)!, `the retry restarts below what was counted: ${retry}`);

  const total = 11 * MiB;
  assert.ok(run.events.length > 5, `${run.events.length} events`);
  run.events.forEach((e, i) => {
    assert.equal(e.total, total);
    if (i > 0)
      assert.ok(
        e.loaded >= run.events[i - 1]!.loaded && e.percent >= run.events[i - 1]!.percent,
        `event ${i} went back: ${JSON.stringify(run.events.slice(i - 1, i + 1))}`,
      );
  });
  assert.deepEqual(run.events.at(-1), { loaded: total, total, percent: 100 });
  assert.equal((await ctx.demo.connection.headObject((run.detail as { key: string }).key)).contentLength, total);
  await page.context().close();
});
