/** put, get, head, rm and ls, as text and --json; multipart for big files; progress only on a TTY. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeBucket, uniqueBucket } from '../support/rgw.js';
import { assertExit, cli, json, on } from '../support/cli.js';

const bucket = uniqueBucket('cli-objects');
const dir = mkdtempSync(join(tmpdir(), 'cloudspark-cli-'));
const big = join(dir, 'big.bin');
const bigData = randomBytes(12 * 1024 * 1024);
before(async () => {
  writeFileSync(big, bigData);
  writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  assertExit(await cli(['bucket', 'create', bucket]), 0);
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await removeBucket(bucket);
});

test('put: the key defaults to the file name; a message on stderr, nothing on stdout', async () => {
  const run = await cli(['put', join(dir, 'hello.txt'), ...on(bucket)]);
  assertExit(run, 0);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, new RegExp(`uploaded ".*hello\\.txt" to s3://${bucket}/hello\\.txt \\(6 B\\)`));
});

test('put --json with --content-type and --meta; head shows them as text and JSON', async () => {
  const put = await cli([
    'put',
    join(dir, 'hello.txt'),
    'docs/greeting',
    ...on(bucket),
    '--content-type',
    'text/x-greeting',
    '--meta',
    'owner=alice',
    '--meta',
    'lang=en',
    '--json',
  ]);
  assertExit(put, 0);
  const result = json<{ bucket: string; key: string; etag: string; size: number }>(put);
  assert.deepEqual({ ...result, etag: undefined }, { bucket, key: 'docs/greeting', etag: undefined, size: 6 });
  assert.match(result.etag, /^"[0-9a-f]{32}"$/);

  const head = await cli(['head', 'docs/greeting', ...on(bucket)]);
  assertExit(head, 0);
  assert.match(head.stdout, /^content-type:\s+text\/x-greeting$/m);
  assert.match(head.stdout, /^content-length:\s+6$/m);
  assert.match(head.stdout, /^x-amz-meta-owner:\s+alice$/m);
  const meta = json<{
    key: string;
    contentType: string;
    contentLength: number;
    etag: string;
    lastModified: string;
    metadata: object;
  }>(await cli(['head', 'docs/greeting', ...on(bucket), '--json']));
  assert.equal(meta.key, 'docs/greeting');
  assert.equal(meta.contentLength, 6);
  assert.equal(meta.etag, result.etag);
  assert.ok(!Number.isNaN(Date.parse(meta.lastModified)));
  assert.deepEqual(meta.metadata, { owner: 'alice', lang: 'en' });
});

test('a 12 MiB file goes multipart (2 parts of 8 MiB, the default) and comes back whole; without a TTY, no progress bar', async () => {
  const put = await cli(['put', big, 'big/file.bin', ...on(bucket), '--json']);
  assertExit(put, 0);
  assert.match(json<{ etag: string }>(put).etag, /^"[0-9a-f]{32}-2"$/);
  const out = join(dir, 'restored.bin');
  const get = await cli(['get', 'big/file.bin', out, ...on(bucket)]);
  assertExit(get, 0);
  assert.ok(readFileSync(out).equals(bigData));
  for (const run of [put, get]) {
    // Not a terminal: no bar, no carriage returns, no escape sequences, only the message line.
    assert.doesNotMatch(run.stderr, /[\r\u001b\u2588\u2591]|%/);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  }
  assert.match(get.stderr, /^downloaded s3:\/\/.*big\/file\.bin to ".*restored\.bin" \(12 MiB\)\n$/);
});

test("get: into a folder, to the key's name here, and to stdout with -; --json describes the file", async () => {
  const folder = join(dir, 'into');
  mkdirSync(folder);
  const intoFolder = await cli(['get', 'docs/greeting', folder, ...on(bucket), '--json']);
  assertExit(intoFolder, 0);
  assert.deepEqual(json(intoFolder), {
    bucket,
    key: 'docs/greeting',
    file: join(folder, 'greeting'),
    size: 6,
    etag: json<{ etag: string }>(await cli(['head', 'docs/greeting', ...on(bucket), '--json'])).etag,
    contentType: 'text/x-greeting',
    verified: true,
  });
  assert.equal(readFileSync(join(folder, 'greeting'), 'utf8'), 'hello\n');

  const here = await cli(['get', 'docs/greeting', ...on(bucket)], { cwd: folder });
  assertExit(here, 0);
  assert.deepEqual(readdirSync(folder), ['greeting']);

  const stdout = await cli(['get', 'docs/greeting', '-', ...on(bucket)]);
  assertExit(stdout, 0);
  assert.equal(stdout.stdout, 'hello\n');
  assert.equal(stdout.stderr, '');
});

test('put - reads stdin', async () => {
  const put = await cli(['put', '-', 'piped.txt', ...on(bucket), '--quiet'], { input: 'from a pipe' });
  assertExit(put, 0);
  assert.equal(put.stderr, '');
  assert.equal((await cli(['get', 'piped.txt', '-', ...on(bucket)])).stdout, 'from a pipe');
});

test('failures exit 1: head or get of a missing key (no file made), put of a missing file', async () => {
  const head = await cli(['head', 'nope.txt', ...on(bucket), '--json']);
  assertExit(head, 1);
  const { error } = json<{ error: { code: string; status: number; message: string } }>(head);
  assert.equal(error.code, 'NO_SUCH_KEY');
  assert.equal(error.status, 404);
  assert.match(
    head.stderr,
    /^cloudspark: headObject\("nope\.txt"\) failed: key "nope\.txt" in bucket ".*" does not exist/,
  );

  const empty = mkdtempSync(join(dir, 'empty-'));
  const get = await cli(['get', 'nope.txt', ...on(bucket)], { cwd: empty });
  assertExit(get, 1);
  assert.deepEqual(readdirSync(empty), []);

  const put = await cli(['put', join(dir, 'missing.txt'), ...on(bucket), '--json']);
  assertExit(put, 1);
  assert.equal(json<{ error: { code: string } }>(put).error.code, 'FILE');
  assert.match(put.stderr, /cannot upload ".*missing\.txt": no such file or directory/);
});

/** ListObjectsV2 requests for this bucket with `max-keys=N` in RGW's own log (RGW_DIR, set by the harness). */
function listRequests(n: number): number {
  const log = readFileSync(join(process.env['RGW_DIR']!, 'log', 'client.rgw.a.log'), 'utf8');
  return log
    .split('\n')
    .filter(
      (l) =>
        l.includes(`"GET /${bucket}/?`) && l.includes('list-type=2') && new RegExp(`[?&]max-keys=${n}(?:&| )`).test(l),
    ).length;
}

/** RGW writes its log a moment after it answers. */
async function eventuallyEqual(read: () => number, expected: number, what: string): Promise<void> {
  let got = read();
  for (let i = 0; i < 40 && got !== expected; i++) {
    await new Promise((r) => setTimeout(r, 100));
    got = read();
  }
  assert.equal(got, expected, what);
}

test('ls streams every page (text, and NDJSON with --json), with a prefix; rm deletes several keys', async () => {
  const keys = ['list/a.txt', 'list/b.txt', 'list/c.txt', 'list/d.txt', 'list/e.txt'];
  for (const key of keys) assertExit(await cli(['put', join(dir, 'hello.txt'), key, ...on(bucket), '-q']), 0);

  const pagesBefore = listRequests(2);
  const text = await cli(['ls', 'list/', ...on(bucket), '--page-size', '2']);
  assertExit(text, 0);
  // Asked 2 keys at a time: 3 pages for 5 keys, as RGW's own log shows.
  await eventuallyEqual(() => listRequests(2) - pagesBefore, 3, 'ListObjectsV2 requests with max-keys=2');
  const lines = text.stdout.trim().split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+6 {2}list\/a\.txt$/);
  assert.match(text.stderr, /^5 objects, 30 B\n$/);

  const ndjson = await cli(['ls', 'list/', ...on(bucket), '--page-size', '2', '--json']);
  assertExit(ndjson, 0);
  const objects = ndjson.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { key: string; size: number; etag: string; lastModified: string });
  assert.deepEqual(
    objects.map((o) => o.key),
    keys,
  );
  assert.deepEqual(Object.keys(objects[0]!).sort(), ['etag', 'key', 'lastModified', 'size', 'storageClass']);

  const rm = await cli(['rm', 'list/a.txt', 'list/b.txt', 'list/never-was.txt', ...on(bucket), '--json']);
  assertExit(rm, 0);
  assert.deepEqual(json(rm), { bucket, deleted: ['list/a.txt', 'list/b.txt', 'list/never-was.txt'] });
  const after = await cli(['ls', 'list/', ...on(bucket), '--json', '-q']);
  assert.deepEqual(
    after.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { key: string }).key),
    keys.slice(2),
  );
  assert.equal(after.stderr, '');

  const none = await cli(['ls', 'nothing-here/', ...on(bucket)]);
  assertExit(none, 0);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /^0 objects, 0 B\n$/);
});
