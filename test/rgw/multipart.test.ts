/**
 * Multipart uploads driven from outside: parts PUT to presigned UploadPart URLs (as a page
 * does), then listed, completed or aborted through the connection.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CloudSparkError, MIN_PART_SIZE } from '../../src/index.js';
import { pendingUploads, withBucket } from '../support/rgw.js';

let ctx: Awaited<ReturnType<typeof withBucket>>;
before(async () => (ctx = await withBucket('multipart')));
after(() => ctx.cleanup());

async function putPart(url: string, body: Uint8Array<ArrayBuffer>): Promise<string> {
  const res = await fetch(url, { method: 'PUT', body });
  assert.equal(res.status, 200, await res.text());
  return res.headers.get('etag')!;
}

const pending = (prefix: string) => pendingUploads(ctx.conn, prefix);

test('parts sent to presigned URLs are listed, completed into the object, and the upload is gone', async () => {
  const key = 'mp/résumé photo.bin';
  const data = randomBytes(MIN_PART_SIZE + 1234);
  const { uploadId } = await ctx.conn.createMultipartUpload(key, {
    contentType: 'application/x-test',
    metadata: { owner: 'ada' },
  });
  assert.deepEqual(
    (await pending('mp/')).map((u) => u.uploadId),
    [uploadId],
  );

  const first = await putPart(
    await ctx.conn.presignedUploadPartUrl(key, uploadId, 1, { expiresIn: 600 }),
    data.subarray(0, MIN_PART_SIZE),
  );
  const second = await putPart(await ctx.conn.presignedUploadPartUrl(key, uploadId, 2), data.subarray(MIN_PART_SIZE));
  const parts = await ctx.conn.listParts(key, uploadId);
  assert.deepEqual(parts, [
    { partNumber: 1, size: MIN_PART_SIZE, etag: first },
    { partNumber: 2, size: 1234, etag: second },
  ]);

  const done = await ctx.conn.completeMultipartUpload(key, uploadId, parts);
  assert.match(done.etag ?? '', /^"[0-9a-f]{32}-2"$/);
  const object = await ctx.conn.getObject(key);
  assert.equal(object.contentType, 'application/x-test');
  assert.deepEqual(object.metadata, { owner: 'ada' });
  assert.ok(Buffer.from(await object.bytes()).equals(data));
  assert.deepEqual(await pending('mp/'), []);
});

test('abort discards the parts (true); aborting again succeeds (false: nothing was there); later calls say NO_SUCH_UPLOAD', async () => {
  const key = 'mp/aborted.bin';
  const { uploadId } = await ctx.conn.createMultipartUpload(key);
  await putPart(await ctx.conn.presignedUploadPartUrl(key, uploadId, 1), randomBytes(1000));
  assert.equal(await ctx.conn.abortMultipartUpload(key, uploadId), true);
  assert.equal(await ctx.conn.abortMultipartUpload(key, uploadId), false);
  assert.deepEqual(await pending('mp/aborted'), []);
  await assert.rejects(ctx.conn.listParts(key, uploadId), (e: CloudSparkError) => e.code === 'NO_SUCH_UPLOAD');
  await assert.rejects(ctx.conn.headObject(key), (e: CloudSparkError) => e.code === 'NO_SUCH_KEY');
});

test('bad multipart input is refused before any request', async () => {
  const bad = [
    () => ctx.conn.presignedUploadPartUrl('k', '', 1),
    () => ctx.conn.presignedUploadPartUrl('k', 'id', 0),
    () => ctx.conn.presignedUploadPartUrl('k', 'id', 10_001),
    () => ctx.conn.completeMultipartUpload('k', 'id', []),
    () =>
      ctx.conn.completeMultipartUpload('k', 'id', [
        { partNumber: 2, etag: '"a"' },
        { partNumber: 1, etag: '"b"' },
      ]),
    () => ctx.conn.createMultipartUpload('k', { contentType: 'bad\ntype' }),
  ];
  for (const call of bad) await assert.rejects(call(), (e: CloudSparkError) => e.code === 'INVALID_INPUT');
});
