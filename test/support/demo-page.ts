/**
 * The demo app in Chromium, for the browser tier: a demo server on its own bucket in the test
 * RGW, a fresh browser context per page, and the page's `cloudspark:*` events collected.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { startDemo, type Demo, type DemoOptions } from '../../demo/server.js';
import { launchChromium } from '../../scripts/browser/chromium.js';
import { rgw, removeBucket, uniqueBucket } from './rgw.js';

export interface PageEvent {
  type: 'progress' | 'uploaded' | 'failed' | 'deleted' | 'listed';
  detail: { name?: string; key?: string; etag?: string; code?: string; message?: string; percent?: number; loaded?: number; total?: number };
}

export interface DemoInBrowser {
  demo: Demo;
  bucket: string;
  browser: Browser;
  openPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function demoInBrowser(label: string, options: Partial<DemoOptions> = {}): Promise<DemoInBrowser> {
  const bucket = uniqueBucket(label);
  const demo = await startDemo({
    s3: { endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    bucket,
    ...options,
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
          document.addEventListener(`cloudspark:${type}`, (e) => events.push({ type, detail: (e as CustomEvent).detail }));
        }
      });
      await page.goto(demo.url);
      await page.waitForSelector('body[data-ready]');
      return page;
    },
    async close() {
      await browser.close();
      await demo.close();
      await removeBucket(bucket);
    },
  };
}

export const events = (page: Page): Promise<PageEvent[]> => page.evaluate(() => (window as unknown as { __events: PageEvent[] }).__events);

/** Waits for the upload of `name` to end, and returns how it ended. */
export async function outcome(page: Page, name: string, timeout = 60_000): Promise<PageEvent> {
  await page.waitForFunction(
    (n) => (window as unknown as { __events: PageEvent[] }).__events.some((e) => (e.type === 'uploaded' || e.type === 'failed') && e.detail.name === n),
    name,
    { timeout, polling: 100 },
  );
  return (await events(page)).find((e) => (e.type === 'uploaded' || e.type === 'failed') && e.detail.name === name)!;
}

/** Chooses files in the page's file input. */
export async function choose(page: Page, ...files: Array<{ name: string; mimeType: string; buffer: Buffer }>): Promise<void> {
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
    if (r.url().endsWith('/api/uploads/multipart/sign-parts')) calls.push((JSON.parse(r.postData() ?? '{}') as { partNumbers: number[] }).partNumbers);
  });
  return calls;
}
