/**
 * Presigning throughput, side by side in one process: ours (public async API and sync core),
 * the AWS SDK, and a bare node:crypto floor for GET. Interleaved rounds, median ops/s.
 *
 *   node --import tsx bench/presign.ts          # measures src/ (transpiled by tsx)
 *   BENCH_DIST=1 node --import tsx bench/presign.ts   # measures the built dist/esm instead
 *   BENCH_OURS=/path/to/src/index.ts ...        # measures another copy (a patch under review)
 *   BENCH_ROUNDS=7 BENCH_ROUND_MS=800 ...       # longer runs for a tighter noise band
 *   BENCH_CHART=0 ...                           # no docs/presign.svg
 *
 * Writes its results as a chart, docs/presign.svg (the README shows it).
 * Prints to stdout only and exits 0 (a missed target is reported, not an error).
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { barChart } from './chart.js';

// ------------------------------------------------------------------ setup

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const ROUND_MS = Number(process.env['BENCH_ROUND_MS'] ?? 500);
const WARMUP_MS = Number(process.env['BENCH_WARMUP_MS'] ?? 300);

const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const REGION = 'us-east-1';
const BUCKET = 'examplebucket';
const EXPIRES_IN = 3600;
const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const keyOf = (i: number): string => `uploads/photo-${i % 1000}.jpg`;

const POST_CONDITIONS = [
  ['content-length-range', 0, 10_485_760],
  ['eq', '$Content-Type', 'image/jpeg'],
] as const;
const POST_FIELDS = { 'Content-Type': 'image/jpeg' };

// The SDK announces its Node >= 22 plans on stderr; the library itself silences it the same way.
try {
  const core = (await import('@aws-sdk/core/client' as string)) as { state?: { warningEmitted: boolean } };
  if (core.state) core.state.warningEmitted = true;
} catch {
  // an SDK without that switch: its notice goes to stderr, the numbers are unaffected
}

type OursModule = typeof import('../src/index.js');
const fromDist = process.env['BENCH_DIST'] === '1';
const oursPath = process.env['BENCH_OURS']; // another copy of the library, e.g. a patched src/index.ts
const oursLabel = oursPath ?? (fromDist ? 'dist/esm' : 'src (tsx)');
const ours = (
  oursPath !== undefined
    ? await import(pathToFileURL(resolvePath(oursPath)).href)
    : fromDist
      ? await import('../dist/esm/index.js' as string)
      : await import('../src/index.js')
) as OursModule;
const { S3Connection, S3Presigner } = ours;
const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
const { createPresignedPost } = await import('@aws-sdk/s3-presigned-post');

const connection = new S3Connection({
  accessKeyId: ACCESS_KEY_ID,
  secretAccessKey: SECRET_ACCESS_KEY,
  region: REGION,
  bucket: BUCKET,
});
const presigner = new S3Presigner({ bucket: BUCKET, region: REGION });
const sdkClient = new S3Client({ region: REGION, credentials });

// ------------------------------------------------------------------ the floor

/**
 * The least work a correct presigned GET needs: signing key derived once per day, the query
 * prefix once per second, and per URL one SHA-256 of the canonical request plus one HMAC.
 * No validation, no encoding (the key shape is known to be safe), nothing else.
 */
type HashHex = (data: string) => string;
const createHashHex: HashHex = (data) => createHash('sha256').update(data).digest('hex');
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const oneShotHashHex: HashHex | undefined = oneShot && ((data) => oneShot('sha256', data, 'hex'));

function rateOf(fn: () => unknown, ms: number): number {
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    for (let j = 0; j < 256; j++) fn();
    n += 256;
    now = performance.now();
  }
  return n / ((now - start) / 1000);
}

const sampleCanonical = `GET\n/uploads/photo-123.jpg\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${ACCESS_KEY_ID}%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:${BUCKET}.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD`;
const hashChoice: { name: string; rate: number; fn: HashHex }[] = [];
for (let pass = 0; pass < 2; pass++) {
  // two passes, keep the second: the first one warms the JIT up
  hashChoice.length = 0;
  hashChoice.push({ name: 'createHash', rate: rateOf(() => createHashHex(sampleCanonical), 150), fn: createHashHex });
  if (oneShotHashHex)
    hashChoice.push({
      name: 'crypto.hash',
      rate: rateOf(() => oneShotHashHex(sampleCanonical), 150),
      fn: oneShotHashHex,
    });
}
hashChoice.sort((a, b) => b.rate - a.rate);
const floorHash = hashChoice[0]!;

// HMAC has no one-shot form in node:crypto; the key can be a Buffer or a KeyObject made once.
const sampleKey = createHmac('sha256', 'sample').update('key').digest();
const sampleKeyObject = createSecretKey(sampleKey);
const sampleSts = `AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n${'0'.repeat(64)}`;
const hmacChoice: { name: string; rate: number; keyObject: boolean }[] = [];
for (let pass = 0; pass < 2; pass++) {
  hmacChoice.length = 0;
  hmacChoice.push({
    name: 'createHmac(Buffer key)',
    rate: rateOf(() => createHmac('sha256', sampleKey).update(sampleSts).digest('hex'), 150),
    keyObject: false,
  });
  hmacChoice.push({
    name: 'createHmac(KeyObject)',
    rate: rateOf(() => createHmac('sha256', sampleKeyObject).update(sampleSts).digest('hex'), 150),
    keyObject: true,
  });
}
hmacChoice.sort((a, b) => b.rate - a.rate);
const floorHmac = hmacChoice[0]!;

const FLOOR_HOST = `${BUCKET}.s3.amazonaws.com`;
let floorSecond = -1;
let floorDay = '';
let floorKey: Buffer | KeyObject = Buffer.alloc(0);
let floorQuery = '';
let floorStsHead = '';

function floorRefresh(second: number): void {
  const iso = new Date(second * 1000).toISOString();
  const amzDate = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const day = amzDate.slice(0, 8);
  if (day !== floorDay) {
    floorDay = day;
    const h = (k: string | Buffer, d: string): Buffer => createHmac('sha256', k).update(d).digest();
    const key = h(h(h(h(`AWS4${SECRET_ACCESS_KEY}`, day), REGION), 's3'), 'aws4_request');
    floorKey = floorHmac.keyObject ? createSecretKey(key) : key;
  }
  floorQuery =
    `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${ACCESS_KEY_ID}%2F${day}%2F${REGION}%2Fs3%2Faws4_request` +
    `&X-Amz-Date=${amzDate}&X-Amz-Expires=${EXPIRES_IN}&X-Amz-SignedHeaders=host`;
  floorStsHead = `AWS4-HMAC-SHA256\n${amzDate}\n${day}/${REGION}/s3/aws4_request\n`;
  floorSecond = second;
}

function floorUrl(n: number, nowMs: number = Date.now()): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== floorSecond) floorRefresh(second);
  const path = `/uploads/photo-${n}.jpg`;
  const canonicalHash = floorHash.fn(`GET\n${path}\n${floorQuery}\nhost:${FLOOR_HOST}\n\nhost\nUNSIGNED-PAYLOAD`);
  const signature = createHmac('sha256', floorKey)
    .update(floorStsHead + canonicalHash)
    .digest('hex');
  return `https://${FLOOR_HOST}${path}?${floorQuery}&X-Amz-Signature=${signature}`;
}

// ------------------------------------------------------------------ sanity: same URLs

const fixedDate = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
{
  const a = floorUrl(42, fixedDate.getTime());
  const b = presigner.presignUrl(credentials, {
    method: 'GET',
    key: 'uploads/photo-42.jpg',
    expiresIn: EXPIRES_IN,
    signingDate: fixedDate,
  });
  const c = await connection.presignedGetUrl('uploads/photo-42.jpg', { expiresIn: EXPIRES_IN, signingDate: fixedDate });
  if (a !== b || b !== c) {
    console.log(`SANITY FAILED: floor, core and public API disagree\n  floor: ${a}\n  core:  ${b}\n  api:   ${c}`);
  }
  floorSecond = -1; // forget the fixed date
  const sdkUrl = await getSignedUrl(sdkClient, new GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/photo-42.jpg' }), {
    expiresIn: EXPIRES_IN,
  });
  if (!sdkUrl.includes('X-Amz-Signature=')) console.log(`SANITY FAILED: SDK URL without a signature: ${sdkUrl}`);
}

// ------------------------------------------------------------------ contenders

interface Contender {
  name: string;
  group: 'GET' | 'POST';
  /** Exactly one of run/runAsync: produces one presigned result for iteration i. */
  run?: (i: number) => string | { url: string; fields: Record<string, string> };
  runAsync?: (i: number) => Promise<string | { url: string; fields: Record<string, string> }>;
  rates: number[];
}

const contenders: Contender[] = [
  {
    name: 'GET  floor (node:crypto)',
    group: 'GET',
    run: (i) => floorUrl(i % 1000),
    rates: [],
  },
  {
    name: 'GET  ours S3Presigner.presignUrl',
    group: 'GET',
    run: (i) => presigner.presignUrl(credentials, { method: 'GET', key: keyOf(i), expiresIn: EXPIRES_IN }),
    rates: [],
  },
  {
    name: 'GET  ours S3Connection.presignedGetUrl',
    group: 'GET',
    runAsync: (i) => connection.presignedGetUrl(keyOf(i), { expiresIn: EXPIRES_IN }),
    rates: [],
  },
  {
    name: 'GET  AWS SDK getSignedUrl',
    group: 'GET',
    runAsync: (i) =>
      getSignedUrl(sdkClient, new GetObjectCommand({ Bucket: BUCKET, Key: keyOf(i) }), { expiresIn: EXPIRES_IN }),
    rates: [],
  },
  {
    name: 'POST ours S3Presigner.presignPost',
    group: 'POST',
    run: (i) =>
      presigner.presignPost(credentials, {
        key: keyOf(i),
        fields: POST_FIELDS,
        conditions: POST_CONDITIONS as never,
        expiresIn: EXPIRES_IN,
      }),
    rates: [],
  },
  {
    name: 'POST ours S3Connection.presignedCreateUrl',
    group: 'POST',
    runAsync: (i) =>
      connection.presignedCreateUrl(keyOf(i), {
        fields: POST_FIELDS,
        conditions: POST_CONDITIONS as never,
        expiresIn: EXPIRES_IN,
      }),
    rates: [],
  },
  {
    name: 'POST AWS SDK createPresignedPost',
    group: 'POST',
    runAsync: (i) =>
      createPresignedPost(sdkClient, {
        Bucket: BUCKET,
        Key: keyOf(i),
        Conditions: POST_CONDITIONS as never,
        Fields: POST_FIELDS,
        Expires: EXPIRES_IN,
      }),
    rates: [],
  },
];

let sink = 0;
const weigh = (r: string | { url: string; fields: Record<string, string> }): number =>
  typeof r === 'string' ? r.length : r.url.length + Object.keys(r.fields).length;

/** Runs one contender for about `ms`; returns ops/s. Checks the clock every 64 operations. */
async function measure(c: Contender, ms: number): Promise<number> {
  let i = Math.floor(Math.random() * 1000);
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  if (c.run) {
    const run = c.run;
    while (now < end) {
      for (let j = 0; j < 64; j++) sink += weigh(run(i++));
      n += 64;
      now = performance.now();
    }
  } else {
    const run = c.runAsync!;
    while (now < end) {
      for (let j = 0; j < 64; j++) sink += weigh(await run(i++));
      n += 64;
      now = performance.now();
    }
  }
  return n / ((now - start) / 1000);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ------------------------------------------------------------------ run

const t0 = performance.now();
for (const c of contenders) await measure(c, WARMUP_MS);
for (let round = 0; round < ROUNDS; round++) {
  // rotate the order each round so that no contender always follows the same neighbour
  for (let k = 0; k < contenders.length; k++) {
    const c = contenders[(k + round) % contenders.length]!;
    c.rates.push(await measure(c, ROUND_MS));
  }
}
const elapsed = (performance.now() - t0) / 1000;

// ------------------------------------------------------------------ report

const byName = (prefix: string): Contender => contenders.find((c) => c.name.startsWith(prefix))!;
const floor = byName('GET  floor');
const sdkGet = byName('GET  AWS SDK');
const sdkPost = byName('POST AWS SDK');
const apiGet = byName('GET  ours S3Connection');
const coreGet = byName('GET  ours S3Presigner');
const apiPost = byName('POST ours S3Connection');
const corePost = byName('POST ours S3Presigner');

/** Per-round ratios (neighbours in time, so they share the box's momentary state). */
const roundRatios = (a: Contender, b: Contender): number[] => a.rates.map((r, k) => r / b.rates[k]!);
const spread = (xs: number[]): string => {
  const m = median(xs);
  return `±${((100 * (Math.max(...xs) - Math.min(...xs))) / 2 / m).toFixed(1)}%`;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const pad = (s: string, w: number): string => s.padEnd(w);
const lpad = (s: string, w: number): string => s.padStart(w);

console.log(
  `presign benchmark: node ${process.version}, ${oursLabel}, ${ROUNDS} interleaved rounds x ${ROUND_MS} ms per contender, median ops/s`,
);
console.log(
  `floor crypto, the faster of each: ${floorHash.name} (${hashChoice.map((h) => `${h.name} ${fmt(h.rate)}/s`).join(', ')}${oneShotHashHex ? '' : '; crypto.hash not available'})` +
    ` + ${floorHmac.name} (${hmacChoice.map((h) => `${h.name} ${fmt(h.rate)}/s`).join(', ')})`,
);
console.log('');
console.log(`${pad('contender', 44)}${lpad('ops/s', 11)}${lpad('rounds', 10)}${lpad('ratio', 9)}  ratio basis`);
console.log('-'.repeat(44 + 11 + 10 + 9 + 15));
for (const c of contenders) {
  const base = c.group === 'GET' ? floor : sdkPost;
  const ratio = median(c.rates) / median(base.rates);
  console.log(
    `${pad(c.name, 44)}${lpad(fmt(median(c.rates)), 11)}${lpad(spread(c.rates), 10)}${lpad(ratio.toFixed(2) + 'x', 9)}  ${c.group === 'GET' ? 'vs floor' : 'vs SDK'}`,
  );
}
console.log('');

const verdict = (label: string, ratios: number[], target: number): void => {
  const m = median(ratios);
  const lo = Math.min(...ratios);
  const hi = Math.max(...ratios);
  const ok = m >= target;
  const within = !ok && hi >= target ? ' (target inside the round-to-round band: not decided by this run)' : '';
  console.log(
    `${label}: ${ok ? 'MET' : 'NOT MET'} - median ratio ${m.toFixed(2)}x (per-round ${lo.toFixed(2)}..${hi.toFixed(2)}), target >= ${target.toFixed(1)}x${within}`,
  );
};
verdict('GET ours >= floor   [public API S3Connection.presignedGetUrl]', roundRatios(apiGet, floor), 1.0);
verdict('GET ours >= floor   [sync core S3Presigner.presignUrl]       ', roundRatios(coreGet, floor), 1.0);
verdict('POST ours >= 5x SDK [public API S3Connection.presignedCreateUrl]', roundRatios(apiPost, sdkPost), 5.0);
verdict('POST ours >= 5x SDK [sync core S3Presigner.presignPost]        ', roundRatios(corePost, sdkPost), 5.0);
const sdkPct = roundRatios(sdkGet, floor).map((r) => r * 100);
console.log(
  `SDK GET is ${median(sdkPct).toFixed(1)}% of the floor (per-round ${Math.min(...sdkPct).toFixed(1)}..${Math.max(...sdkPct).toFixed(1)}%)`,
);
const halfSpread = (xs: number[]): number => (Math.max(...xs) - Math.min(...xs)) / 2 / median(xs);
console.log(
  `noise band between rounds (half-spread): GET ratio api/floor ±${(100 * halfSpread(roundRatios(apiGet, floor))).toFixed(1)}%, ` +
    `POST ratio api/SDK ±${(100 * halfSpread(roundRatios(apiPost, sdkPost))).toFixed(1)}%, ` +
    `single contenders ±${(100 * Math.min(...contenders.map((c) => halfSpread(c.rates)))).toFixed(1)}..${(100 * Math.max(...contenders.map((c) => halfSpread(c.rates)))).toFixed(1)}%` +
    ` (2 cores, shared box: a ratio within that band of its target is a tie)`,
);
console.log(`(${elapsed.toFixed(1)} s measured; checksum ${sink % 9973})`);

if (process.env['BENCH_CHART'] !== '0') {
  const bar = (c: Contender, base: Contender, label: string) => ({
    label,
    value: median(c.rates),
    text: `${fmt(median(c.rates))}/s (${(median(c.rates) / median(base.rates)).toFixed(2)}x)`,
    ours: c.name.includes(' ours '),
  });
  const svg = barChart({
    title: 'Presigning: operations per second, higher is faster',
    subtitle: `${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${oursLabel}; median of ${ROUNDS} interleaved rounds; 2-core shared machine`,
    groups: [
      {
        title: 'presigned GET URL (ratio to the bare node:crypto floor)',
        bars: [
          bar(floor, floor, 'floor: bare node:crypto'),
          bar(coreGet, floor, 'cloudspark S3Presigner'),
          bar(apiGet, floor, 'cloudspark S3Connection'),
          bar(sdkGet, floor, 'AWS SDK getSignedUrl'),
        ],
      },
      {
        title: 'presigned POST (ratio to the AWS SDK)',
        bars: [
          bar(corePost, sdkPost, 'cloudspark S3Presigner'),
          bar(apiPost, sdkPost, 'cloudspark S3Connection'),
          bar(sdkPost, sdkPost, 'AWS SDK createPresignedPost'),
        ],
      },
    ],
    note: 'npm run bench: each contender in turn for 500 ms per round, rounds interleaved',
  });
  const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'presign.svg');
  writeFileSync(path, svg);
  console.log(`chart: ${path}`);
}
sdkClient.destroy();
