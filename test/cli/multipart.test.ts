/**
 * multipart ls|abort|auto-abort: unfinished uploads listed (text and NDJSON), aborted by age
 * with a dry run first, and the lifecycle rule set; usage errors exit 2 before any request.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connection, pendingUploads, removeBucket, uniqueBucket } from '../support/rgw.js';
import { assertExit, assertNoSecrets, cli, json, on } from '../support/cli.js';

const bucket = uniqueBucket('cli-multipart');
const s3 = connection({ bucket });
let uploadId: string;
before(async () => {
  assertExit(await cli(['bucket', 'create', bucket]), 0);
  uploadId = (await s3.createMultipartUpload('left/behind.bin')).uploadId;
});
after(async () => {
  s3.close();
  await removeBucket(bucket);
});

test('multipart ls: one line per unfinished upload; --json one object per line; --older-than filters by age', async () => {
  const text = await cli(['multipart', 'ls', ...on(bucket)]);
  assertExit(text, 0);
  assert.match(
    text.stdout,
    new RegExp(
      `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  left/behind\\.bin  ${uploadId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`,
    ),
  );
  assert.match(text.stderr, /1 unfinished upload in bucket/);
  const lines = await cli(['multipart', 'ls', ...on(bucket), '--prefix', 'left/', '--json']);
  assertExit(lines, 0);
  assert.deepEqual(
    lines.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).key),
    ['left/behind.bin'],
  );
  const none = await cli(['multipart', 'ls', ...on(bucket), '--older-than', '1h', '--json']);
  assertExit(none, 0);
  assert.equal(none.stdout, '');
});

test('multipart abort --older-than: the dry run lists and keeps; the real one aborts and says so', async () => {
  const dry = await cli(['multipart', 'abort', ...on(bucket), '--older-than', '0', '--dry-run', '--json']);
  assertExit(dry, 0);
  assert.deepEqual(json<{ dryRun: boolean; aborted: Array<{ uploadId: string }> }>(dry), {
    bucket,
    dryRun: true,
    aborted: [
      {
        key: 'left/behind.bin',
        uploadId,
        initiated: json<{ aborted: Array<{ initiated: string }> }>(dry).aborted[0]!.initiated,
      },
    ],
  });
  assert.equal((await pendingUploads(s3)).length, 1);
  const young = await cli(['multipart', 'abort', ...on(bucket), '--older-than', '2d']);
  assertExit(young, 0);
  assert.match(young.stderr, /aborted 0 uploads/);
  const real = await cli(['multipart', 'abort', ...on(bucket), '--older-than', '0']);
  assertExit(real, 0);
  assert.match(real.stdout, /left\/behind\.bin/);
  assert.match(real.stderr, /aborted 1 upload in bucket/);
  assert.deepEqual(await pendingUploads(s3), []);
});

test('multipart auto-abort --after-days sets the lifecycle rule; bad ages and a missing --older-than are usage errors', async () => {
  const set = await cli(['multipart', 'auto-abort', ...on(bucket), '--after-days', '7', '--json']);
  assertExit(set, 0);
  assert.deepEqual(json(set), {
    bucket,
    rule: { id: 'cloudspark-abort-incomplete-uploads', prefix: '', afterDays: 7 },
  });
  assert.deepEqual(await s3.getAbortIncompleteUploads(), [
    { id: 'cloudspark-abort-incomplete-uploads', prefix: '', afterDays: 7 },
  ]);
  for (const args of [
    ['abort'],
    ['abort', '--older-than', '2 days'],
    ['ls', '--older-than', '-1d'],
    ['auto-abort', '--after-days', '0'],
  ]) {
    const run = await cli(['multipart', ...args, ...on(bucket)]);
    assertExit(run, 2);
  }
});

test('multipart ls, abort and auto-abort --help: exit 0, each option explained, with examples', async () => {
  const options: Record<string, string[]> = {
    ls: ['--prefix', '--older-than'],
    abort: ['--older-than', '--prefix', '--key', '--upload-id', '--dry-run'],
    'auto-abort': ['--after-days'],
  };
  for (const [command, names] of Object.entries(options)) {
    const help = await cli(['multipart', command, '--help']);
    assertExit(help, 0);
    assert.match(help.stdout, new RegExp(`^Usage: cloudspark multipart ${command} \\[options\\]`), command);
    for (const name of names) assert.match(help.stdout, new RegExp(`^  ${name}\\b.*\\S`, 'm'), `${command} ${name}`);
    assert.match(help.stdout, /^Examples:\n {2}\$ cloudspark multipart /m, command);
  }
});

test('multipart abort --prefix: only the uploads under it are aborted', async () => {
  const inside = await s3.createMultipartUpload('pfx/in.bin');
  const outside = await s3.createMultipartUpload('other/out.bin');
  const run = await cli(['multipart', 'abort', ...on(bucket), '--older-than', '0', '--prefix', 'pfx/', '--json']);
  assertExit(run, 0);
  assert.deepEqual(
    json<{ aborted: Array<{ uploadId: string }> }>(run).aborted.map((u) => u.uploadId),
    [inside.uploadId],
  );
  assert.deepEqual(
    (await pendingUploads(s3)).map((u) => u.uploadId),
    [outside.uploadId],
  );
  await s3.abortMultipartUpload('other/out.bin', outside.uploadId);
});

test('--region signs for that region (the credential scope of a presigned URL says it)', async () => {
  const run = await cli(['presign', 'get', 'k.txt', ...on(bucket), '--region', 'eu-west-3']);
  assertExit(run, 0);
  assert.match(
    new URL(run.stdout.trim()).searchParams.get('X-Amz-Credential') ?? '',
    /^[^/]+\/\d{8}\/eu-west-3\/s3\/aws4_request$/,
  );
});

test("--verbose: the library's own messages on stderr, levelled, the access key masked, no secret", async () => {
  const run = await cli(['ls', ...on(bucket), '--verbose']);
  assertExit(run, 0);
  assert.match(run.stderr, /^\[debug\] cloudspark: using access key \S{4}\*{4}\S{4}$/m);
  const quiet = await cli(['ls', ...on(bucket)]);
  assert.doesNotMatch(quiet.stderr, /\[debug\]/);
  assertNoSecrets(run);
});
