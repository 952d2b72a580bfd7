/**
 * Behaviours that had no test of their own (issue 21): getObject's `range`, getPublicAccess on
 * a bucket where nothing was ever set, listMultipartUploads' `olderThan`, and close() keeping
 * what needs no network (presigning). Each against Ceph RGW.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { connection, pendingUploads, withBucket } from '../support/rgw.js';

let ctx: Awaited<ReturnType<typeof withBucket>>;
const body = randomBytes(100_000);
before(async () => {
  ctx = await withBucket('untested');
  await ctx.conn.uploadObject(body, 'ranged.bin');
});
after(() => ctx.cleanup());

test('getObject with a range: exactly those bytes, both ends included, and its length', async () => {
  const part = await ctx.conn.getObject('ranged.bin', { range: { start: 1000, end: 1999 } });
  const bytes = Buffer.from(await part.bytes());
  assert.equal(bytes.length, 1000);
  assert.ok(bytes.equals(body.subarray(1000, 2000)));
  const last = Buffer.from(
    await (await ctx.conn.getObject('ranged.bin', { range: { start: body.length - 1, end: body.length - 1 } })).bytes(),
  );
  assert.deepEqual([...last], [body[body.length - 1]]);
});

test('getPublicAccess on a bucket where no setting was ever made: all four false, as S3 reads a missing configuration', async () => {
  const { bucket, conn, cleanup } = await withBucket('untested-pab');
  try {
    assert.deepEqual(await conn.getPublicAccess(), {
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
  } finally {
    await cleanup();
  }
  assert.ok(bucket);
});

test("listMultipartUploads({ olderThan }): only the uploads older than that by the store's clock", async () => {
  const old = await ctx.conn.createMultipartUpload('mp/old.bin');
  // Until the store itself finds it older than 1 s (its Date header has whole seconds).
  const olderThanASecond = async () => {
    const found: string[] = [];
    for await (const u of ctx.conn.listMultipartUploads({ olderThan: 1000 })) found.push(u.uploadId);
    return found;
  };
  for (const end = Date.now() + 30_000; Date.now() < end && !(await olderThanASecond()).includes(old.uploadId);)
    await sleep(250);
  const fresh = await ctx.conn.createMultipartUpload('mp/fresh.bin');
  const listed = await olderThanASecond();
  assert.ok(listed.includes(old.uploadId), 'the old upload is listed');
  assert.ok(!listed.includes(fresh.uploadId), 'the fresh one is not');
  const hour: string[] = [];
  for await (const u of ctx.conn.listMultipartUploads({ olderThan: 3_600_000 })) hour.push(u.uploadId);
  assert.deepEqual(hour, []);
  await ctx.conn.abortStaleUploads({ olderThan: 0 });
  assert.deepEqual(await pendingUploads(ctx.conn), []);
});

test('close() ends the network side only: presigned URLs are still made, and they work', async () => {
  const conn = connection({ bucket: ctx.bucket });
  await conn.headObject('ranged.bin'); // the SDK loaded and used
  conn.close();
  const url = await conn.presignedGetUrl('ranged.bin', { expiresIn: 60 });
  const answer = await fetch(url);
  assert.equal(answer.status, 200);
  assert.ok(Buffer.from(await answer.arrayBuffer()).equals(body));
});
