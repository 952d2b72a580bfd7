/**
 * A client whose clock is an hour behind the store's, made so by Debian's faketime
 * (libfaketime) around a child process: after one SDK call, its presigned GET, PUT and POST
 * all work, with correctClockSkew (the default). Without it the same links are refused, an
 * hour expired before they were made: proof that the test has teeth.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withBucket } from '../support/rgw.js';

const HOUR = 3_600_000;
const script = fileURLToPath(new URL('./fixtures/skewed-client.ts', import.meta.url));

interface SkewedRun {
  now: string;
  attempts: number;
  offset: number;
  get: [number, string];
  put: [number, string];
  post: [number, string];
}

function anHourBehind(bucket: string, correct: boolean): SkewedRun {
  const child = spawnSync(
    'faketime',
    ['-f', '-1h', process.execPath, '--import', 'tsx', script, bucket, String(correct)],
    {
      encoding: 'utf8',
      env: process.env,
      timeout: 60_000,
    },
  );
  if (child.error && (child.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('faketime is not installed: apt-get install -y faketime (.ci/run installs it)');
  }
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stderr, '', 'the library printed something');
  return JSON.parse(child.stdout) as SkewedRun;
}

let ctx: Awaited<ReturnType<typeof withBucket>>;
before(async () => {
  ctx = await withBucket('skew');
  await ctx.conn.uploadObject('seed', 'seed.txt');
});
after(() => ctx.cleanup());

test('an hour behind, after one SDK call: getClockOffset() is +1 h and presigned GET, PUT and POST all work', async () => {
  const run = anHourBehind(ctx.bucket, true);
  assert.ok(
    Math.abs(Date.parse(run.now) - (Date.now() - HOUR)) < 60_000,
    `the child's clock said ${run.now}: faketime did not take`,
  );
  assert.equal(run.attempts, 2, 'the first attempt was refused as skewed, the retry signed with the learned offset');
  assert.ok(Math.abs(run.offset - HOUR) < 5000, `offset ${run.offset} ms`);
  assert.deepEqual(run.get, [200, 'seed']);
  assert.equal(run.put[0], 200);
  assert.equal(run.post[0], 204);
  assert.equal(await (await ctx.conn.getObject('by-put.txt')).text(), 'put an hour off');
  assert.equal(await (await ctx.conn.getObject('by-post.txt')).text(), 'posted an hour off');
});

test('the same without correctClockSkew: the links are refused (expired an hour ago), though the offset is known', () => {
  const run = anHourBehind(ctx.bucket, false);
  assert.ok(Math.abs(run.offset - HOUR) < 5000, `offset ${run.offset} ms`);
  assert.equal(run.get[0], 403);
  assert.equal(run.put[0], 403);
  assert.equal(run.post[0], 403);
  assert.match(run.post[1], /Policy expired/);
});
