import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { S3Client, HeadBucketCommand, CreateBucketCommand } from '@aws-sdk/client-s3';
import { CloudSparkError } from '../../src/index.js';
import { connection, removeBucket, sdkClient, uniqueBucket } from '../support/rgw.js';

const made: Array<[string, 'main' | 'other']> = [];
after(async () => {
  for (const [bucket, as] of made) await removeBucket(bucket, as);
});

test('connect() binds the bucket and resolves to the SDK client; getInstance() returns it', async () => {
  const conn = connection();
  assert.throws(
    () => conn.getInstance(),
    (e: CloudSparkError) => e.code === 'NOT_CONNECTED' && /connect\(\)/.test(e.message),
  );
  const client = await conn.connect('some-bucket');
  assert.ok(client instanceof S3Client);
  assert.equal(conn.getInstance(), client);
  assert.equal(conn.bucket, 'some-bucket');
  conn.close();
});

test('createBucket() creates the bucket, binds it, and reports created', async () => {
  const conn = connection();
  const bucket = uniqueBucket('create');
  made.push([bucket, 'main']);
  assert.deepEqual(await conn.createBucket(bucket), { bucket, created: true });
  assert.equal(conn.bucket, bucket);
  await sdkClient().send(new HeadBucketCommand({ Bucket: bucket }));
  // Already yours: fine, not created again.
  assert.deepEqual(await connection().createBucket(bucket), { bucket, created: false });
  conn.close();
});

test('createBucket() on a bucket owned by another user is ALREADY_EXISTS and binds nothing', async () => {
  const bucket = uniqueBucket('theirs');
  const other = sdkClient('other');
  await other.send(new CreateBucketCommand({ Bucket: bucket }));
  made.push([bucket, 'other']);
  const conn = connection();
  await assert.rejects(conn.createBucket(bucket), (e: CloudSparkError) => {
    assert.equal(e.code, 'ALREADY_EXISTS');
    assert.match(e.message, /belongs to someone else/);
    return true;
  });
  assert.equal(conn.bucket, undefined);
  conn.close();
});

test('an operation on a missing bucket is NO_SUCH_BUCKET with the HTTP status and S3 code', async () => {
  const conn = connection({ bucket: uniqueBucket('missing') });
  await assert.rejects(conn.getBucketCors(), (e: CloudSparkError) => {
    assert.equal(e.code, 'NO_SUCH_BUCKET');
    assert.equal(e.status, 404);
    assert.equal(e.s3Code, 'NoSuchBucket');
    return true;
  });
  conn.close();
});

test('wrong credentials are ACCESS_DENIED', async () => {
  const conn = connection({ accessKeyId: 'NOSUCHKEY0000000000', secretAccessKey: 'x'.repeat(40), bucket: 'whatever' });
  await assert.rejects(conn.getObjects(), (e: CloudSparkError) => e.code === 'ACCESS_DENIED' && e.status === 403);
  conn.close();
});
