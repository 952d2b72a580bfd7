/**
 * Start-up cost of the BUILT package: wall time of a fresh `node -e` that imports dist/ (ESM,
 * then CJS), creates an S3Connection with static credentials and awaits its first presigned
 * GET URL, against a hand-written signer (the same URL from node:crypto in a dozen lines: the
 * least a presigned link costs from a cold start) and a bare `node -e 0`. Runs alternate; the
 * cold-start figure is the median of the paired differences (each run against the hand-written
 * signer's run of the same round, which shares the box's state).
 *
 *   node bench/startup.mjs            # BENCH_STARTUP_RUNS=60 for more pairs (default 40)
 *
 * Builds dist/ first (npm run build) only if it is missing. Prints to stdout only; exits 0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const esmEntry = join(root, 'dist', 'esm', 'index.js');
const cjsEntry = join(root, 'dist', 'cjs', 'index.js');
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 40);
const WARMUP = 2;
/** Over the hand-written signer (issue 19). */
const TARGET_MS = 10;

if (!existsSync(esmEntry) || !existsSync(cjsEntry)) {
  console.log('dist/ is missing: running npm run build ...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0 || !existsSync(esmEntry) || !existsSync(cjsEntry)) {
    console.log(
      `build failed (status ${build.status}); startup benchmark skipped\n${build.stdout ?? ''}${build.stderr ?? ''}`,
    );
    process.exit(0);
  }
} else {
  // Only a hint: rebuilding here could pull dist/ away from someone else using it.
  const newest = (dir) =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  if (newest(join(root, 'src')) > statSync(esmEntry).mtimeMs) {
    console.log('note: src/ has changes newer than dist/; this measures the last build (npm run build to refresh)');
  }
}

const options = `{ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1', bucket: 'examplebucket' }`;
const check = `if (!url.startsWith('https://examplebucket.s3.amazonaws.com/uploads/photo.jpg?')) { console.log('bad url: ' + url); process.exit(1); }`;
// The same URL as the variants below, signed by hand: SigV4 query presigning on node:crypto.
const handWritten = `
import { createHash, createHmac } from 'node:crypto';
const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region = 'us-east-1';
const amzDate = new Date().toISOString().replace(/[-:]|\\.\\d{3}/g, ''), day = amzDate.slice(0, 8);
const scope = day + '/' + region + '/s3/aws4_request';
const query = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=' + encodeURIComponent('AKIAIOSFODNN7EXAMPLE/' + scope) +
  '&X-Amz-Date=' + amzDate + '&X-Amz-Expires=3600&X-Amz-SignedHeaders=host';
const host = 'examplebucket.s3.amazonaws.com', path = '/uploads/photo.jpg';
const canonical = ['GET', path, query, 'host:' + host, '', 'host', 'UNSIGNED-PAYLOAD'].join('\\n');
const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\\n');
let key = 'AWS4' + secret;
for (const part of [day, region, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
const url = 'https://' + host + path + '?' + query + '&X-Amz-Signature=' + createHmac('sha256', key).update(toSign).digest('hex');
${check}`;
const variants = [
  { name: 'bare node -e 0', args: ['-e', '0'] },
  { name: 'hand-written signer (node:crypto)', args: ['--input-type=module', '-e', handWritten] },
  {
    name: 'ESM import dist/esm + first GET URL',
    args: [
      '--input-type=module',
      '-e',
      `import { S3Connection } from ${JSON.stringify(pathToFileURL(esmEntry).href)};\n` +
        `const url = await new S3Connection(${options}).presignedGetUrl('uploads/photo.jpg');\n${check}`,
    ],
  },
  {
    name: 'CJS require dist/cjs + first GET URL',
    args: [
      '-e',
      `const { S3Connection } = require(${JSON.stringify(cjsEntry)});\n` +
        `new S3Connection(${options}).presignedGetUrl('uploads/photo.jpg').then((url) => {\n${check}\n` +
        // the SDK must not have been loaded just to presign
        `if (Object.keys(require.cache).some((p) => p.includes('@aws-sdk'))) { console.log('AWS SDK was loaded'); process.exit(2); } });`,
    ],
  },
];

// Children inherit no AWS_* surprises that could change what they do.
const env = { ...process.env };
for (const k of Object.keys(env)) if (k.startsWith('AWS_') || k === 'NODE_OPTIONS') delete env[k];

function once(v) {
  const t = performance.now();
  const r = spawnSync(process.execPath, v.args, { cwd: root, env, encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) v.failure ??= `exit ${r.status}: ${(r.stdout + r.stderr).trim().slice(0, 400)}`;
  return ms;
}

for (const v of variants) v.times = [];
for (let i = 0; i < WARMUP; i++) for (const v of variants) once(v);
for (let i = 0; i < RUNS; i++) {
  // alternate, rotating which one goes first
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(k + i) % variants.length];
    v.times.push(once(v));
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const bare = variants[0];
const hand = variants[1];
const bareMedian = median(bare.times);
console.log(
  `startup benchmark: node ${process.version}, ${RUNS} alternating runs each (after ${WARMUP} warm-up), wall time of spawnSync`,
);
console.log('');
console.log(`${'variant'.padEnd(40)}${'median'.padStart(10)}${'min..max'.padStart(18)}${'vs bare'.padStart(12)}`);
console.log('-'.repeat(80));
for (const v of variants) {
  const m = median(v.times);
  const range = `${Math.min(...v.times).toFixed(1)}..${Math.max(...v.times).toFixed(1)}`;
  const diff = v === bare ? '' : `+${(m - bareMedian).toFixed(1)} ms`;
  console.log(`${v.name.padEnd(40)}${`${m.toFixed(1)} ms`.padStart(10)}${range.padStart(18)}${diff.padStart(12)}`);
}
console.log('');
if (hand.failure) console.log(`hand-written signer FAILED (${hand.failure})`);
for (const v of variants.slice(2)) {
  // The cold-start figure: paired, each run against the hand-written signer's of the same round.
  const paired = median(v.times.map((t, i) => t - hand.times[i]));
  const status = v.failure ? `FAILED (${v.failure})` : paired <= TARGET_MS ? 'MET' : 'NOT MET';
  console.log(
    `${v.name}: ${status} - cold start +${paired.toFixed(1)} ms over the hand-written signer (median of ${RUNS} pairs; +${(median(v.times) - bareMedian).toFixed(1)} ms over bare node), target <= ${TARGET_MS} ms`,
  );
}
