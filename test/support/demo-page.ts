/**
 * The demo app in Chromium, for the browser and fault tiers: a demo server on its own bucket in
 * the test RGW (or in front of it, through a fault proxy), a fresh browser context per page, the
 * page's `cloudspark:*` events collected, and `cloudspark/browser` called in the page on files
 * Chromium reads from disk.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { S3Connection } from '../../src/index.js';
import { startDemo, type Demo, type DemoOptions } from '../../demo/server.js';
import { launchChromium } from '../../scripts/browser/chromium.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { connection, rgw, removeBucket, uniqueBucket } from './rgw.js';

export interface PageEvent {
  type: 'progress' | 'uploaded' | 'failed' | 'deleted' | 'listed';
  detail: {
    name?: string;
    key?: string;
    etag?: string;
    code?: string;
    message?: string;
    percent?: number;
    loaded?: number;
    total?: number;
  };
}

export interface DemoInBrowser {
  demo: Demo;
  bucket: string;
  browser: Browser;
  openPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface DemoInBrowserOptions extends Partial<DemoOptions> {
  /**
   * Empty and remove the bucket from the tier's RGW on close. Default true; false for a demo on
   * an RGW of the test's own (`s3`), which goes away whole.
   */
  removeBucket?: boolean;
}

export async function demoInBrowser(label: string, options: DemoInBrowserOptions = {}): Promise<DemoInBrowser> {
  const { removeBucket: remove = true, ...demoOptions } = options;
  const bucket = uniqueBucket(label);
  const demo = await startDemo({
    s3: {
      endpoint: rgw.endpoint,
      region: rgw.region,
      accessKeyId: rgw.accessKeyId,
      secretAccessKey: rgw.secretAccessKey,
    },
    bucket,
    ...demoOptions,
  });
  const browser = await launchChromium();
  return {
    demo,
    bucket,
    browser,
    async openPage() {
      const page = await (await browser.newContext()).newPage();
      // tsx compiles these tests with esbuild's keepNames, which wraps named functions in a
      // __name() helper: functions passed to page.evaluate need it in the page too.
      await page.addInitScript({ content: 'window.__name = (f) => f;' });
      await page.addInitScript(() => {
        const events: unknown[] = ((window as unknown as { __events: unknown[] }).__events = []);
        for (const type of ['progress', 'uploaded', 'failed', 'deleted', 'listed']) {
          document.addEventListener(`cloudspark:${type}`, (e) =>
            events.push({ type, detail: (e as CustomEvent).detail }),
          );
        }
      });
      await page.goto(demo.url);
      await page.waitForSelector('body[data-ready]');
      return page;
    },
    async close() {
      await browser.close();
      await demo.close();
      if (remove) await removeBucket(bucket);
    },
  };
}

export const events = (page: Page): Promise<PageEvent[]> =>
  page.evaluate(() => (window as unknown as { __events: PageEvent[] }).__events);

/** Forgets the events so far: `outcome` then waits for the next end, such as a retry's. */
export const clearEvents = (page: Page): Promise<void> =>
  page.evaluate(() => void ((window as unknown as { __events: unknown[] }).__events.length = 0));

/** Waits for the upload of `name` to end, and returns how it ended. */
export async function outcome(page: Page, name: string, timeout = 60_000): Promise<PageEvent> {
  await page.waitForFunction(
    (n) =>
      (window as unknown as { __events: PageEvent[] }).__events.some(
        (e) => (e.type === 'uploaded' || e.type === 'failed') && e.detail.name === n,
      ),
    name,
    { timeout, polling: 100 },
  );
  return (await events(page)).find((e) => (e.type === 'uploaded' || e.type === 'failed') && e.detail.name === name)!;
}

/** Chooses files in the page's file input. */
export async function choose(
  page: Page,
  ...files: Array<{ name: string; mimeType: string; buffer: Buffer }>
): Promise<void> {
  await page.setInputFiles('#file-input', files);
}

/** How files of these types begin (their format's signature), so that the handler's check of the content passes. */
const SIGNATURES: Record<string, string> = {
  'image/png': '89504e470d0a1a0a0000000d49484452',
  'image/jpeg': 'ffd8ffe000104a464946',
  'video/mp4': '000000186674797069736f6d',
};

/** Random bytes of `size`, starting as a real file of `mimeType` would (see SIGNATURES). */
export function randomFile(name: string, size: number, mimeType = 'application/octet-stream') {
  const buffer = randomBytes(size);
  Buffer.from(SIGNATURES[mimeType] ?? '', 'hex').copy(buffer);
  return { name, mimeType, buffer };
}

/** The text the page shows on the row of `name`. */
export const rowText = (page: Page, name: string) => page.locator(`li.upload[data-name="${name}"]`).innerText();

/** The part numbers of each `multipart/sign-parts` call the page makes from now on, in order. */
export function signCalls(page: Page): number[][] {
  const calls: number[][] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/uploads/multipart/sign-parts'))
      calls.push((JSON.parse(r.postData() ?? '{}') as { partNumbers: number[] }).partNumbers);
  });
  return calls;
}

/** A file for the page: its name, type and bytes. */
export type PageFile = ReturnType<typeof randomFile>;

/**
 * Makes `files` available to code run in the page, as `File`s named by their names (see
 * `uploadInPage`). Chromium reads them from disk, as it reads a file the user chose, so their
 * size costs nothing on the way in; the files are removed when the page's context closes.
 */
export async function stageFiles(page: Page, files: PageFile[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudspark-page-files-'));
  page.context().once('close', () => rmSync(dir, { recursive: true, force: true }));
  const paths = files.map((f) => {
    writeFileSync(join(dir, f.name), f.buffer);
    return join(dir, f.name);
  });
  // An input of its own: the demo's file input would start uploads of its own.
  await page.evaluate(() => {
    const input = Object.assign(document.createElement('input'), {
      type: 'file',
      multiple: true,
      id: 'staged-files',
      hidden: true,
    });
    document.getElementById('staged-files')?.remove();
    document.body.append(input);
  });
  await page.setInputFiles('#staged-files', paths);
  await page.evaluate(
    (types) => {
      const staged: Record<string, File> = ((window as unknown as { __staged?: Record<string, File> }).__staged ??= {});
      for (const file of (document.getElementById('staged-files') as HTMLInputElement).files ?? []) {
        staged[file.name] = new File([file], file.name, {
          type: types[file.name] ?? file.type,
          lastModified: file.lastModified,
        });
      }
    },
    Object.fromEntries(files.map((f) => [f.name, f.mimeType])),
  );
}

/** How one upload run in the page ended: `upload` in the page's words, or the UploadError. */
export interface InPageOutcome {
  name: string;
  ok: boolean;
  key?: string;
  size?: number;
  code?: string;
  message?: string;
  status?: number;
  /** From the call until it settled, as the page's clock measured it. */
  ms: number;
}

/**
 * Calls `cloudspark/browser`'s `upload` or `uploadMultipart` (as the demo puts them on
 * `window.cloudspark`) in the page, at once for every staged file named, with the demo's handler
 * as `api` and the given options (such as `partSize`, `stallTimeout`); resolves when all have ended.
 */
export function uploadInPage(
  page: Page,
  how: 'upload' | 'uploadMultipart',
  names: string[],
  options: Record<string, unknown> = {},
): Promise<InPageOutcome[]> {
  return page.evaluate(
    async ({ how, names, options }) => {
      const w = window as unknown as {
        __staged: Record<string, File>;
        cloudspark: Record<string, (file: File, options: unknown) => Promise<{ key: string; size: number }>>;
      };
      return Promise.all(
        names.map(async (name) => {
          const started = performance.now();
          try {
            const { key, size } = await w.cloudspark[how]!(w.__staged[name]!, { api: '/api/uploads', ...options });
            return { name, ok: true, key, size, ms: performance.now() - started };
          } catch (e) {
            const { code, message, status } = e as { code?: string; message: string; status?: number };
            return { name, ok: false, code, message, status, ms: performance.now() - started };
          }
        }),
      );
    },
    { how, names, options },
  );
}

/** The demo with a fault proxy between it and the tier's RGW. */
export interface DemoBehindProxy extends DemoInBrowser {
  /** Between the demo's connection and RGW: the handler's calls and every URL it signs go through it. */
  proxy: FaultProxy;
  /** Straight to RGW, on the demo's bucket: to check what was really stored, or left behind. */
  direct: S3Connection;
}

/**
 * The demo, its S3 endpoint a fault proxy in front of the tier's RGW: presigned POSTs and part
 * URLs are signed for the proxy's address, so the page's uploads go through it, and so do the
 * handler's own calls (create, list, complete, abort, verify).
 */
export async function demoBehindProxy(label: string, options: Partial<DemoOptions> = {}): Promise<DemoBehindProxy> {
  const proxy = await startFaultProxy(rgw.endpoint);
  const ctx = await demoInBrowser(label, {
    ...options,
    s3: {
      endpoint: proxy.endpoint,
      region: rgw.region,
      accessKeyId: rgw.accessKeyId,
      secretAccessKey: rgw.secretAccessKey,
    },
  });
  const direct = connection({ bucket: ctx.bucket });
  return {
    ...ctx,
    proxy,
    direct,
    async close() {
      proxy.reset(); // the bucket is emptied through RGW itself, but nothing may stall the demo's last calls
      await ctx.close();
      direct.close();
      await proxy.close();
    },
  };
}

/** The keys stored in the bucket for the file `name` (the handler's keys end with it). */
export async function keysOf(conn: S3Connection, name: string): Promise<string[]> {
  return (await conn.getObjects({ onlyKeys: true })).filter((k) => k.endsWith(`/${name}`));
}
