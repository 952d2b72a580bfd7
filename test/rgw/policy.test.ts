import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CloudSparkError, publicReadPolicy } from '../../src/index.js';
import { objectUrl, withBucket } from '../support/rgw.js';

let ctx: Awaited<ReturnType<typeof withBucket>>;
before(async () => {
  ctx = await withBucket('policy');
  await ctx.conn.uploadObject('hello', 'public/hello.txt');
});
after(() => ctx.cleanup());

const anonymousGet = () => fetch(objectUrl(ctx.bucket, 'public/hello.txt'));

test('without a policy an anonymous GET is refused; getBucketPolicy() is null', async () => {
  assert.equal(await ctx.conn.getBucketPolicy(), null);
  assert.equal((await anonymousGet()).status, 403);
});

test('the default policy grants anonymous GET (s3:GetObject only), and not more', async () => {
  await ctx.conn.setBucketPolicy();
  assert.deepEqual(await ctx.conn.getBucketPolicy(), publicReadPolicy(ctx.bucket));
  const res = await anonymousGet();
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'hello');
  // s3:GetObject only: an anonymous PUT or DELETE is still refused.
  assert.equal((await fetch(objectUrl(ctx.bucket, 'public/x.txt'), { method: 'PUT', body: 'x' })).status, 403);
  assert.equal((await fetch(objectUrl(ctx.bucket, 'public/hello.txt'), { method: 'DELETE' })).status, 403);
});

test('a policy given as JSON text is stored; deleteBucketPolicy() removes it', async () => {
  const text = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyPublic',
        Effect: 'Allow',
        Principal: '*',
        Action: ['s3:GetObject'],
        Resource: [`arn:aws:s3:::${ctx.bucket}/public/*`],
      },
    ],
  });
  await ctx.conn.setBucketPolicy(text);
  assert.deepEqual(await ctx.conn.getBucketPolicy(), JSON.parse(text));
  assert.equal((await anonymousGet()).status, 200);
  await ctx.conn.deleteBucketPolicy();
  assert.equal(await ctx.conn.getBucketPolicy(), null);
  assert.equal((await anonymousGet()).status, 403);
});

test('publicAccess(true) blocks a public policy with an error that says what to do; publicAccess(false) allows it', async () => {
  await ctx.conn.publicAccess(true);
  assert.deepEqual(await ctx.conn.getPublicAccess(), {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  });
  await assert.rejects(ctx.conn.setBucketPolicy(), (e: CloudSparkError) => {
    assert.equal(e.code, 'POLICY_BLOCKED_BY_PUBLIC_ACCESS');
    assert.equal(e.status, 403);
    assert.match(e.message, /publicAccess\(false\)/);
    return true;
  });
  assert.equal(await ctx.conn.getBucketPolicy(), null, 'nothing was half-written');

  await ctx.conn.publicAccess(false);
  assert.equal((await ctx.conn.getPublicAccess()).BlockPublicPolicy, false);
  await ctx.conn.setBucketPolicy();
  assert.equal((await anonymousGet()).status, 200);
  await ctx.conn.deleteBucketPolicy();
});
