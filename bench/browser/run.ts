/**
 * `npm run bench:browser`: browser uploads, cloudspark against Uppy, in one headless Chromium
 * (Debian's) against one throw-away Ceph RGW on loopback. The same file, made once in the page
 * from random bytes, goes up with the same part size and concurrency through
 *   - `uploadMultipart` of `cloudspark/browser`, to the upload handler (`createUploadHandler`);
 *   - `@uppy/core` + `@uppy/aws-s3` in multipart mode, its callbacks calling plain S3Connection
 *     routes of the same app server (bench/browser/server.ts). Uppy 5: its last major with these
 *     callbacks and parts in parallel (6 replaced them with one `signRequest`, and sends a file's
 *     parts one after another).
 * Per upload: MB/s (the upload call, until it resolves), and the requests the app server
 * received. Per tool: its page bundle, minified and gzipped. Rounds alternate the order; the best
 * round counts. Every upload is read back and compared (size and SHA-256) with the page's file.
 *
 *   npm run bench:browser                      # 256 MiB, 3 rounds (and a warm-up), on loopback
 *   BENCH_MIB=64 BENCH_ROUNDS=2 npm run bench:browser
 *   BENCH_CONCURRENCY=3 npm run bench:browser  # parts in flight (cloudspark) and Uppy's `limit`
 *   BENCH_LATENCY_MS=20 npm run bench:browser  # every request of the page 20 ms slower, as off loopback
 *
 * Prints a Markdown table and the ratios. Exits 1 when an upload fails or differs (a missed
 * target is reported, not an error), and stops RGW and Chromium in every case.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { S3Connection } from '../../src/index.js';
import { launchChromium } from '../../scripts/browser/chromium.js';
import { startRgw, stopRgw } from '../../scripts/rgw/rgw.mjs';
import { startBenchServer, TOOLS, type BenchServer, type Tool } from './server.js';
import type { PageBundle } from '../../scripts/browser-bundle.js';

const MiB = 1024 * 1024;
const SIZE = Number(process.env['BENCH_MIB'] ?? 256) * MiB;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const PART_SIZE = 8 * MiB;
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 4);
/** Added by Chromium to every request the page makes (DevTools network emulation): 0 is plain loopback. */
const LATENCY_MS = Number(process.env['BENCH_LATENCY_MS'] ?? 0);
/** The whole run, RGW and Chromium included; then everything is stopped. */
const TIME_LIMIT_MS = 270_000;

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const version = (pkg: string) =>
  (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
const LABELS: Record<Tool, string> = {
  cloudspark: 'cloudspark/browser `uploadMultipart`',
  uppy: `\`@uppy/core\` ${version('@uppy/core')} + \`@uppy/aws-s3\` ${version('@uppy/aws-s3')}`,
};

interface Run {
  tool: Tool;
  seconds: number;
  requests: number;
}

// ------------------------------------------------------------------ clean-up, in every case

let rgwDir: string | undefined;
let connection: S3Connection | undefined;
let server: BenchServer | undefined;
let browser: Browser | undefined;

async function cleanup(): Promise<void> {
  await browser?.close().catch(() => {});
  browser = undefined;
  await server?.close();
  server = undefined;
  connection?.close();
  connection = undefined;
  stopRgw(rgwDir);
  rgwDir = undefined;
}

/**
 * Stops RGW first, synchronously: on SIGINT, Playwright's own handler closes Chromium and ends
 * the process as soon as this one returns.
 */
let stopping = false;
function stopNow(why: string, code: number): void {
  stopping = true;
  console.error(`bench:browser: ${why}; stopping.`);
  stopRgw(rgwDir);
  rgwDir = undefined;
  void Promise.race([cleanup(), new Promise((r) => setTimeout(r, 20_000))]).then(() => process.exit(code));
}
const watchdog = setTimeout(() => stopNow(`not done within ${TIME_LIMIT_MS / 1000} s`, 1), TIME_LIMIT_MS);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopNow(`interrupted (${signal})`, 130));

// ------------------------------------------------------------------ the page's side

/** Makes the file once in the page (`window.benchFile`) and returns its SHA-256, read from the file. */
function makeFile(page: Page): Promise<string> {
  return page.evaluate(async (size) => {
    const file = (() => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
      return new File([bytes], 'bench.bin', { type: 'application/octet-stream' });
    })();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
    Object.assign(window, { benchFile: file });
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }, SIZE);
}

/** One upload of the page's file by `tool`: the key, and the milliseconds the upload call took. */
function uploadInPage(page: Page, tool: Tool): Promise<{ key: string; ms: number }> {
  return page.evaluate(
    async ({ tool, partSize, concurrency }) => {
      type Upload = (file: File, partSize: number, concurrency: number) => Promise<string>;
      const w = window as unknown as { benchFile: File; benchCloudspark: Upload; benchUppy: Upload };
      const upload = tool === 'cloudspark' ? w.benchCloudspark : w.benchUppy;
      const started = performance.now();
      const key = await upload(w.benchFile, partSize, concurrency);
      return { key, ms: performance.now() - started };
    },
    { tool, partSize: PART_SIZE, concurrency: CONCURRENCY },
  );
}

/** Reads the object back whole: the benchmark must have measured a real, complete upload. */
async function verify(key: string, sha256: string): Promise<void> {
  const object = await connection!.getObject(key);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of object.body) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  if (size !== SIZE || hash.digest('hex') !== sha256)
    throw new Error(`${key} is not the page's file (${size} bytes read back)`);
  await connection!.deleteObject(key);
}

// ------------------------------------------------------------------ the run

async function measure(): Promise<{ runs: Run[]; bundles: Record<Tool, PageBundle> }> {
  // RGW keeps objects in memory (memstore): room for every upload, warm-up included, since the
  // data of deleted multipart objects is only collected hours later. RAM holds only what is stored.
  process.env['RGW_MEMSTORE_BYTES'] ??= String(Math.max(2 * 1024 * MiB, 2 * (ROUNDS + 1) * TOOLS.length * SIZE));
  const rgw = startRgw({ quiet: true }) as {
    dir: string;
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
  };
  rgwDir = rgw.dir;
  connection = new S3Connection({
    endpoint: rgw.endpoint,
    region: rgw.region,
    accessKeyId: rgw.accessKeyId,
    secretAccessKey: rgw.secretAccessKey,
    bucket: 'bench-browser',
  });
  server = await startBenchServer(connection, { maxSize: SIZE, expiresIn: 900 });
  browser = await launchChromium();
  const page = await browser.newPage();
  // tsx keeps function names with a __name() helper: the functions given to evaluate need it.
  await page.addInitScript({ content: 'window.__name = (f) => f;' });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Requests to S3 that failed: a tool retries them, and its time includes the retries.
  const s3Failures: string[] = [];
  const toS3 = (url: string) => url.startsWith(rgw.endpoint);
  page.on(
    'requestfailed',
    (r) => toS3(r.url()) && s3Failures.push(`${r.method()} ${r.failure()?.errorText ?? 'failed'}`),
  );
  page.on(
    'response',
    (r) => toS3(r.url()) && r.status() >= 400 && s3Failures.push(`${r.request().method()} HTTP ${r.status()}`),
  );
  await page.goto(server.url);
  await page.waitForFunction(() => 'benchCloudspark' in window && 'benchUppy' in window, undefined, {
    timeout: 10_000,
  });
  const sha256 = await makeFile(page);
  const cdp = await page.context().newCDPSession(page);
  if (LATENCY_MS > 0) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: LATENCY_MS,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
  }
  console.log(
    `Ceph RGW at ${rgw.endpoint}, page at ${server.url}: ${SIZE / MiB} MiB, ${PART_SIZE / MiB} MiB parts, ${CONCURRENCY} at a time, ${ROUNDS} rounds${LATENCY_MS ? `, ${LATENCY_MS} ms added to every request` : ''}`,
  );

  // Round 0 warms up and is not counted: in the first upload of the new file, whichever tool
  // sends it, Chromium fails the first parts with ERR_BLOB_OUT_OF_MEMORY (and the tool retries).
  const runs: Run[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? TOOLS : [...TOOLS].reverse();
    for (const tool of order) {
      // Blob slices of earlier uploads hold memory in Chromium's blob store until the page's
      // garbage is collected: without this, parts fail with ERR_BLOB_OUT_OF_MEMORY some rounds on.
      await cdp.send('HeapProfiler.collectGarbage');
      server.takeRequests(tool);
      const { key, ms } = await uploadInPage(page, tool).catch((error: Error) => {
        const seen = [
          ...pageErrors.map((e) => `page error: ${e}`),
          ...s3Failures.map((f) => `S3 request failed: ${f}`),
        ];
        throw new Error(
          `${tool} failed in round ${round}: ${error.message}${seen.map((line) => `\n  ${line}`).join('')}`,
        );
      });
      const run = { tool, seconds: ms / 1000, requests: server.takeRequests(tool) };
      await verify(key, sha256);
      const failed = s3Failures.splice(0);
      if (round === 0) continue;
      runs.push(run);
      console.log(
        `  round ${round}: ${tool.padEnd(10)} ${run.seconds.toFixed(2)} s  ${mbps(run).toFixed(0).padStart(4)} MB/s  ${run.requests} requests  (read back: same bytes)${failed.length ? `  S3 requests failed and retried: ${failed.join(', ')}` : ''}`,
      );
    }
  }
  return { runs, bundles: server.bundles };
}

const mbps = (run: Run) => SIZE / 1e6 / run.seconds;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
const ratio = (x: number) => `${x.toPrecision(3)}×`;

function report({ runs, bundles }: { runs: Run[]; bundles: Record<Tool, PageBundle> }): void {
  const of = (tool: Tool) => runs.filter((r) => r.tool === tool);
  const best = (tool: Tool) => Math.max(...of(tool).map(mbps));
  const requests = (tool: Tool) => Math.max(...of(tool).map((r) => r.requests));
  const distinct = (tool: Tool) => [...new Set(of(tool).map((r) => r.requests))].join(' / ');

  console.log(
    `\n| ${SIZE / MiB} MiB, ${PART_SIZE / MiB} MiB parts, ${CONCURRENCY} at a time | MB/s (best of ${ROUNDS}) | each round | app-server requests | bundle min | min+gzip |`,
  );
  console.log('|---|---:|---|---:|---:|---:|');
  for (const tool of TOOLS) {
    const rounds = of(tool)
      .map((r) => mbps(r).toFixed(0))
      .join(', ');
    console.log(
      `| ${LABELS[tool]} | ${best(tool).toFixed(0)} | ${rounds} | ${distinct(tool)} | ${kb(bundles[tool].minified)} | ${kb(bundles[tool].gzip)} |`,
    );
  }
  const throughput = best('cloudspark') / best('uppy');
  // Both tools of a round ran under the same load: their ratio per round is steadier than the best.
  const perRound = Array.from({ length: ROUNDS }, (_, i) => mbps(of('cloudspark')[i]!) / mbps(of('uppy')[i]!)).sort(
    (a, b) => a - b,
  );
  const median =
    perRound[Math.floor((perRound.length - 1) / 2)]! / 2 + perRound[Math.ceil((perRound.length - 1) / 2)]! / 2;
  const calls = requests('cloudspark') / requests('uppy');
  const weight = bundles.cloudspark.gzip / bundles.uppy.gzip;
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  console.log(`\ncloudspark vs Uppy:`);
  console.log(
    `  throughput           ${ratio(throughput).padStart(7)}  (target >= 1×: ${verdict(throughput >= 1)}; per round ${ratio(perRound[0]!)} to ${ratio(perRound.at(-1)!)}, median ${ratio(median)})`,
  );
  console.log(`  app-server requests  ${ratio(calls).padStart(7)}  (target <= 0.1×: ${verdict(calls <= 0.1)})`);
  console.log(`  bundle min+gzip      ${ratio(weight).padStart(7)}  (target <= 0.1×: ${verdict(weight <= 0.1)})`);
  console.log(`Every upload was read back whole: the page's ${SIZE / MiB} MiB, byte for byte.`);
  console.log(
    `Reproduce: npm run bench:browser   (BENCH_MIB=${SIZE / MiB} BENCH_ROUNDS=${ROUNDS} BENCH_CONCURRENCY=${CONCURRENCY} BENCH_LATENCY_MS=${LATENCY_MS})`,
  );
}

let measured: Awaited<ReturnType<typeof measure>> | undefined;
let failure: unknown;
try {
  measured = await measure();
} catch (error) {
  failure = error;
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
if (measured) report(measured);
else if (!stopping) {
  console.error(`bench:browser failed: ${failure instanceof Error ? failure.message : String(failure)}`);
  process.exitCode = 1;
}
