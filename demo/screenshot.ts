/**
 * `npm run demo:screenshot`: the README's picture of the demo (docs/demo.png), taken in headless
 * Chromium with uploads finished, in progress and refused.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, throttleUploads } from '../scripts/browser/chromium.js';
import { startDemo } from './server.js';
import { chooseStore } from './store.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'demo.png');
const store = chooseStore();
const demo = await startDemo({ s3: store.options, bucket: `cloudspark-shot-${Date.now().toString(36)}` });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(demo.url);
  await page.waitForSelector('body[data-ready]');
  // Random bytes after the signature of their type: the handler checks a file's first bytes
  // against its declared type (and would refuse, then delete, a "PDF" of random bytes).
  const heads: Record<string, string> = {
    'image/jpeg': 'ffd8ffe000104a464946',
    'application/pdf': '255044462d312e370a',
    'video/mp4': '000000186674797069736f6d',
  };
  const file = (name: string, size: number, mimeType: string) => {
    const buffer = randomBytes(size);
    Buffer.from(heads[mimeType] ?? '', 'hex').copy(buffer);
    return { name, mimeType, buffer };
  };
  await page.setInputFiles('#file-input', [
    file('team-photo.jpg', 850_000, 'image/jpeg'),
    file('quarterly-report.pdf', 2_400_000, 'application/pdf'),
  ]);
  await page.waitForSelector('tr[data-key$="quarterly-report.pdf"]');
  await throttleUploads(page, 4 * 1024 * 1024);
  await page.setInputFiles('#file-input', [
    file('installer.exe', 40_000, 'application/x-msdownload'),
    file('product-launch.mp4', 40 * 1024 * 1024, 'video/mp4'),
  ]);
  await page.waitForFunction(
    () =>
      Number(
        document.querySelector('li.upload[data-name="product-launch.mp4"] .percent')?.textContent?.replace('%', ''),
      ) >= 35,
    undefined,
    { timeout: 60_000 },
  );
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await demo.close();
  store.stop();
}
