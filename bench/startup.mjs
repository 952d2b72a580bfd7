/**
 * Start-up cost of the BUILT package: wall time of a fresh `node -e` that imports dist/ (ESM,
 * then CJS), creates an S3Connection with static credentials and awaits its first presigned
 * GET URL, against a bare `node -e 0`. Runs alternate, medians are reported.
 *
 *   node bench/startup.mjs            # BENCH_STARTUP_RUNS=25 for more runs
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
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
const WARMUP = 2;
const TARGET_MS = 15;

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
const variants = [
  { name: 'bare node -e 0', args: ['-e', '0'] },
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
for (const v of variants.slice(1)) {
  const diff = median(v.times) - bareMedian;
  // paired: each run against the bare run of the same round, which shares the box's state
  const paired = median(v.times.map((t, i) => t - bare.times[i]));
  const status = v.failure ? `FAILED (${v.failure})` : diff <= TARGET_MS ? 'MET' : 'NOT MET';
  console.log(
    `${v.name}: ${status} - +${diff.toFixed(1)} ms over bare node (paired median +${paired.toFixed(1)} ms), target <= ${TARGET_MS} ms`,
  );
}
