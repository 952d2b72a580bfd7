/**
 * Debian's Chromium, driven by playwright-core (never a downloaded browser), for the browser
 * tier and the README's screenshot: launched headless with the flags this machine needs.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Without the background-networking flags Chromium keeps calling out, and this machine's
    // closed network refuses it; the sandbox cannot run as root.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** One DevTools session per page: network conditions set through another would add to these, not replace them. */
const sessions = new WeakMap<Page, Promise<CDPSession>>();

/**
 * Slows the page's uploads to `bytesPerSecond` through DevTools network emulation: on loopback an
 * upload is otherwise over before a test can cancel it. `-1` lifts the limit again.
 */
export async function throttleUploads(page: Page, bytesPerSecond: number): Promise<void> {
  let session = sessions.get(page);
  if (!session) {
    session = page
      .context()
      .newCDPSession(page)
      .then(async (cdp) => {
        await cdp.send('Network.enable');
        return cdp;
      });
    sessions.set(page, session);
  }
  await (
    await session
  ).send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
}
