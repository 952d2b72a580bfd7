/**
 * The memory `cloudspark get -r` needs for a very large prefix: 100,000 small objects are
 * stored on a throw-away Ceph RGW (started and stopped here), then `get -r` downloads them all,
 * timed by /usr/bin/time for its peak resident memory. Files are written while the listing goes
 * on (one page of 1,000 keys at a time, read only as fast as files are taken), so the peak
 * should not grow with the number of keys; the target is under 150 MB for 100,000 keys (issue 16).
 *
 *   npm run bench:get-r-memory
 *   BENCH_KEYS=20000 npm run bench:get-r-memory
 *
 * Prints the peak RSS, the time, and the same for a tenth of the keys (to show it does not
 * grow); exits 1 when a file is missing or the target is missed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Connection } from '../src/index.js';
import { CLI, buildIfStale, configureTools, startRgw, stopRgw } from './tools.js';

const KEYS = Number(process.env['BENCH_KEYS'] ?? 100_000);
const LIMIT_MB = 150;
const BUCKET = 'bench-get-r-memory';

/** Stores `count` objects of a few bytes under `prefix`, 64 at once, in 100 folders. */
async function store(s3: S3Connection, prefix: string, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await s3.uploadObject(
        `object ${i}\n`,
        `${prefix}d${String(i % 100).padStart(2, '0')}/k${String(i).padStart(6, '0')}`,
      );
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

function countFiles(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).length;
}

/** `get -r prefix` into a fresh folder: peak RSS in MB and seconds, from /usr/bin/time. */
function getR(
  env: NodeJS.ProcessEnv,
  work: string,
  prefix: string,
  expected: number,
): { rssMb: number; seconds: number } {
  const dir = join(work, `out-${expected}`);
  const run = spawnSync('/usr/bin/time', ['-f', '%M %e', process.execPath, CLI, '-q', 'get', '-r', prefix, dir], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`get -r ${prefix} failed (${run.status}):\n${run.stderr}`);
  const [kb, seconds] = run.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  const files = countFiles(dir);
  if (files !== expected) throw new Error(`get -r ${prefix}: ${files} files written, ${expected} expected`);
  rmSync(dir, { recursive: true, force: true });
  return { rssMb: kb! / 1024, seconds: seconds! };
}

buildIfStale('the get -r memory benchmark');
const work = mkdtempSync(join(tmpdir(), 'cloudspark-bench-get-r-'));
const rgw = startRgw();
let failed = false;
try {
  const { env } = configureTools(join(work, 'home'), rgw, rgw.endpoint, BUCKET);
  const s3 = new S3Connection({
    endpoint: rgw.endpoint,
    region: rgw.region,
    accessKeyId: rgw.accessKeyId,
    secretAccessKey: rgw.secretAccessKey,
    bucket: BUCKET,
  });
  await s3.createBucket(BUCKET);
  const tenth = Math.max(1, Math.floor(KEYS / 10));
  const started = Date.now();
  await store(s3, 'small/', tenth);
  await store(s3, 'large/', KEYS);
  console.log(`# ${tenth + KEYS} objects stored in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  s3.close();
  const small = getR(env, work, 'small/', tenth);
  const large = getR(env, work, 'large/', KEYS);
  const met = large.rssMb < LIMIT_MB;
  failed = !met;
  console.log(`\nget -r peak memory, ${new Date().toISOString().slice(0, 10)}, one Ceph RGW on 127.0.0.1:\n`);
  console.log('| keys | peak RSS | time |');
  console.log('|---:|---:|---:|');
  console.log(`| ${tenth.toLocaleString('en')} | ${small.rssMb.toFixed(0)} MB | ${small.seconds.toFixed(1)} s |`);
  console.log(`| ${KEYS.toLocaleString('en')} | ${large.rssMb.toFixed(0)} MB | ${large.seconds.toFixed(1)} s |`);
  console.log(`\ntarget: under ${LIMIT_MB} MB for ${KEYS.toLocaleString('en')} keys: ${met ? 'MET' : 'NOT MET'}`);
  console.log('reproduce: npm run bench:get-r-memory');
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  stopRgw(rgw.dir);
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
