/** mb, rb (--force empties first) and rm -r (batched DeleteObjects, --dryrun), as aws s3 users type them. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connection, removeBucket, uniqueBucket } from '../support/rgw.js';
import { assertExit, cli, json } from '../support/cli.js';

const made: string[] = [];
after(async () => {
  for (const b of made) await removeBucket(b).catch(() => {});
});

/** DeleteObjects requests for `bucket` in RGW's own log (RGW_DIR, set by the harness). */
function deleteRequests(bucket: string): number {
  return readFileSync(join(process.env['RGW_DIR']!, 'log', 'client.rgw.a.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes(`"POST /${bucket}/?delete`)).length;
}

/** `count` objects under `prefix`, 50 at a time. */
async function seed(bucket: string, prefix: string, count: number): Promise<void> {
  const s3 = connection({ bucket });
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) =>
        s3.uploadObject('x', `${prefix}${String(i + j).padStart(5, '0')}.txt`),
      ),
    );
  }
  s3.close();
}

test('rm -r of 2,500 keys: three DeleteObjects requests (1000 each at most) empty the prefix, and nothing outside it; --dryrun first deletes nothing', async () => {
  const bucket = uniqueBucket('cli-rm-r');
  made.push(bucket);
  assertExit(await cli(['mb', `s3://${bucket}`]), 0);
  await seed(bucket, 'tmp/', 2500);
  await connection({ bucket }).uploadObject('keep me', 'keep/k.txt');

  const dry = await cli(['rm', '-r', `s3://${bucket}/tmp/`, '--dryrun', '--json']);
  assertExit(dry, 0);
  assert.equal(json<{ wouldDelete: string[] }>(dry).wouldDelete.length, 2500);
  assert.equal(
    (await connection({ bucket }).getObjects({ prefix: 'tmp/', onlyKeys: true })).length,
    2500,
    'a dry run deletes nothing',
  );

  const run = await cli(['rm', '-r', `s3://${bucket}/tmp/`, '--json']);
  assertExit(run, 0);
  assert.equal(json<{ deleted: string[] }>(run).deleted.length, 2500);
  assert.deepEqual(await connection({ bucket }).getObjects({ onlyKeys: true }), ['keep/k.txt']);
  // RGW's own log: one DeleteObjects request per 1000 keys (it writes a moment after it answers).
  let posts = 0;
  for (let i = 0; i < 40 && (posts = deleteRequests(bucket)) !== 3; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(posts, 3, `DeleteObjects requests in RGW's log: ${posts}`);
});

test('rb: refused while the bucket holds objects (BUCKET_NOT_EMPTY, exit 1); --force deletes its objects and unfinished uploads, then the bucket', async () => {
  const bucket = uniqueBucket('cli-rb');
  made.push(bucket);
  assertExit(await cli(['mb', bucket]), 0);
  await seed(bucket, 'a/', 30);
  const s3 = connection({ bucket });
  const { uploadId } = await s3.createMultipartUpload('open/upload.bin');

  const refused = await cli(['rb', bucket, '--json']);
  assertExit(refused, 1);
  const { error } = json<{ error: { code: string; message: string } }>(refused);
  assert.equal(error.code, 'BUCKET_NOT_EMPTY');
  assert.match(error.message, new RegExp(`bucket "${bucket}" is not empty`));

  const forced = await cli(['rb', `s3://${bucket}`, '--force', '--json']);
  assertExit(forced, 0);
  assert.deepEqual(json(forced), { bucket, deleted: true, objects: 30, uploads: 1 });
  assert.ok(!(await connection({}).listBuckets()).some((b) => b.name === bucket), 'the bucket is gone');
  assert.ok(uploadId);
  // rb of an object is a usage error, not the deletion of a bucket named like the key.
  const wrong = await cli(['rb', `s3://${bucket}/a/00001.txt`]);
  assertExit(wrong, 2);
  assert.match(wrong.stderr, /name a bucket, not an object/);
});
