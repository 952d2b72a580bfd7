/**
 * Part MD5s hashed on the hashing thread behind the writes (src/s3/transfer/md5-worker.ts):
 * ranges written in any order and cut anywhere against the parts give node:crypto's MD5 of each
 * part; what is hashed is the file (a byte written at the wrong place changes the digest);
 * bytes never written give no digests; a cancelled job lets go of the file and the thread
 * serves the next; jobs in flight together each get their own; and a process waiting for a
 * job neither exits before it nor is kept alive after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { hashPartsBehind } from '../../../../src/s3/transfer/md5-worker.js';
import type { WrittenRange } from '../../../../src/s3/integrity.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const partMd5s = (body: Buffer, partSize: number) => {
  const out: string[] = [];
  for (let i = 0; i < body.length; i += partSize) out.push(md5(body.subarray(i, i + partSize)));
  return out;
};

const dir = mkdtempSync(join(tmpdir(), 'cloudspark-md5-worker-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Ranges of `rangeSize` over `size` bytes, as download-file.ts plans them. */
const plan = (size: number, rangeSize: number): WrittenRange[] => {
  const ranges: WrittenRange[] = [];
  for (let start = 0; start < size; start += rangeSize)
    ranges.push({ start, end: Math.min(size, start + rangeSize) - 1, pos: start });
  return ranges;
};

/**
 * Writes `body` into a new file through `ranges`, `lanes` ranges at a time, in chunks of
 * `chunk` bytes, reporting each write as download-file.ts does (and yielding between writes,
 * so that the thread hashes while they go on); `skip`: a range left unwritten.
 */
async function download(
  body: Buffer,
  partSize: number,
  ranges: WrittenRange[],
  options: { lanes?: number; chunk?: number; order?: number[]; skip?: number; wrongByteAt?: number } = {},
) {
  const { lanes = 4, chunk = 100 * KiB, order = ranges.map((_, i) => i) } = options;
  const file = await open(join(dir, `f${files++}`), 'wx+');
  const job = await hashPartsBehind(file.fd, body.length, partSize, ranges);
  assert.ok(job, 'the hashing thread is available');
  const queue = order.filter((i) => i !== options.skip);
  const writeRange = async (index: number) => {
    const r = ranges[index]!;
    while (r.pos <= r.end!) {
      const n = Math.min(chunk, r.end! + 1 - r.pos);
      const bytes = Buffer.from(body.subarray(r.pos, r.pos + n));
      if (options.wrongByteAt !== undefined && options.wrongByteAt >= r.pos && options.wrongByteAt < r.pos + n)
        bytes[options.wrongByteAt - r.pos]! ^= 1;
      await file.write(bytes, 0, n, r.pos);
      r.pos += n;
      job.written(r);
      await tick();
    }
  };
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) await writeRange(i);
    }),
  );
  return { file, job };
}

test('ranges aligned to the parts, four at a time: each part MD5 is node:crypto MD5 of its bytes', async () => {
  for (const size of [9 * MiB, 9 * MiB + 1, 9 * MiB + 55, 9 * MiB + 56, 9 * MiB + 63, 9 * MiB + 64]) {
    const body = randomBytes(size);
    const { file, job } = await download(body, MiB, plan(size, MiB));
    const digests = await job.finish();
    await file.close();
    assert.deepEqual(
      digests?.map((d) => d.toString('hex')),
      partMd5s(body, MiB),
      `size ${size}`,
    );
  }
});

test('ranges cut across the parts, finished out of order, in odd chunks: the same digests', async () => {
  const partSize = MiB + 13;
  const size = 7 * MiB + 777;
  const body = randomBytes(size);
  const ranges = plan(size, 700 * KiB + 3);
  const order = ranges.map((_, i) => i).reverse();
  const { file, job } = await download(body, partSize, ranges, { lanes: 3, chunk: 33 * KiB + 1, order });
  const digests = await job.finish();
  await file.close();
  assert.deepEqual(
    digests?.map((d) => d.toString('hex')),
    partMd5s(body, partSize),
  );
});

test('what is hashed is the file: a byte written at the wrong place changes its part digest only', async () => {
  const size = 4 * MiB;
  const body = randomBytes(size);
  const at = 2 * MiB + 12345;
  const { file, job } = await download(body, MiB, plan(size, MiB), { wrongByteAt: at });
  const digests = (await job.finish())!.map((d) => d.toString('hex'));
  await file.close();
  const expected = partMd5s(body, MiB);
  assert.deepEqual(
    digests.map((d, i) => d === expected[i]),
    [true, true, false, true],
  );
});

test('thousands of parts and ranges: each digest right, in a time that does not grow with parts x ranges', async () => {
  // 8,389 parts of 500 bytes and 1,049 ranges: looking at every part against every range at
  // each step would take minutes; the thread looks only at the ranges being written.
  const size = 4 * MiB;
  const body = randomBytes(size);
  const started = Date.now();
  const { file, job } = await download(body, 500, plan(size, 4000), { chunk: 4000 });
  const digests = await job.finish();
  await file.close();
  assert.deepEqual(
    digests?.map((d) => d.toString('hex')),
    partMd5s(body, 500),
  );
  assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
});

test('a range never written: no digests (the caller reports the bytes missing)', async () => {
  const size = 3 * MiB;
  const body = randomBytes(size);
  const { file, job } = await download(body, MiB, plan(size, MiB), { skip: 1 });
  assert.equal(await job.finish(), undefined);
  await file.close();
});

test('a job cancelled half-way lets go of the file; the thread then serves the next job', async () => {
  const size = 4 * MiB;
  const body = randomBytes(size);
  const ranges = plan(size, MiB);
  const { file, job } = await download(body, MiB, ranges, { skip: 3 });
  await job.cancel();
  await file.close();
  const again = await download(body, MiB, plan(size, MiB));
  assert.deepEqual(
    (await again.job.finish())?.map((d) => d.toString('hex')),
    partMd5s(body, MiB),
  );
  await again.file.close();
});

test('several jobs at once (a folder of large files): each gets its own digests', async () => {
  const bodies = [5 * MiB + 3, 6 * MiB, 2 * MiB + 100].map((n) => randomBytes(n));
  const results = await Promise.all(
    bodies.map(async (body) => {
      const { file, job } = await download(body, MiB, plan(body.length, 2 * MiB), { lanes: 2 });
      const digests = await job.finish();
      await file.close();
      return digests?.map((d) => d.toString('hex'));
    }),
  );
  assert.deepEqual(
    results,
    bodies.map((b) => partMd5s(b, MiB)),
  );
});

test('a process waits for a job in flight, then exits on its own (the idle thread holds nothing)', () => {
  const script = `
    import { open } from 'node:fs/promises';
    import { hashPartsBehind } from './src/s3/transfer/md5-worker.ts';
    const path = ${JSON.stringify(join(dir, 'exit'))};
    const file = await open(path, 'w+');
    await file.write(Buffer.alloc(3 * 1024 * 1024, 7), 0, 3 * 1024 * 1024, 0);
    const ranges = [{ start: 0, end: 3 * 1024 * 1024 - 1, pos: 0 }];
    const job = await hashPartsBehind(file.fd, 3 * 1024 * 1024, 1024 * 1024, ranges);
    ranges[0].pos = 3 * 1024 * 1024;
    job.written(ranges[0]);
    job.finish().then(async (d) => {
      console.log(d.map((x) => x.toString('hex')).join());
      await file.close();
    });
  `;
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), partMd5s(Buffer.alloc(3 * MiB, 7), MiB).join());
  assert.ok(Date.now() - started < 15_000, 'exited on its own');
});

test('without WebAssembly (node --jitless) there is no hashing thread: hashPartsBehind answers undefined, and the caller hashes on its own', () => {
  const script = `
    import { hashPartsBehind } from './src/s3/transfer/md5-worker.ts';
    console.log(String(await hashPartsBehind(0, 1, 1, [{ start: 0, end: 0, pos: 0 }])));
  `;
  const run = spawnSync(process.execPath, ['--jitless', '--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'undefined');
});
