import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { IAMClient, PutUserPolicyCommand, DeleteUserPolicyCommand } from '@aws-sdk/client-iam';
import { CloudSparkError } from '../../src/index.js';
import { createUploadHandler } from '../../src/server/index.js';
import { callRoute, sendForm, type PostTarget, type Refusal } from '../support/handler.js';
import { connection, quietSdk, removeBucket, rgw, uniqueBucket } from '../support/rgw.js';

quietSdk();
const iam = new IAMClient({
  region: rgw.region,
  endpoint: rgw.endpoint,
  credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
});
const buckets: string[] = [];
after(async () => {
  iam.destroy();
  for (const b of buckets) await removeBucket(b);
});

test('listUserPolicies() returns the names added with PutUserPolicy', async () => {
  const names = ['cs-test-read', 'cs-test-write'];
  const doc = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  });
  for (const PolicyName of names) {
    await iam.send(new PutUserPolicyCommand({ UserName: rgw.userName, PolicyName, PolicyDocument: doc }));
  }
  try {
    const listed = await connection().listUserPolicies(rgw.userName);
    for (const name of names) assert.ok(listed.includes(name), `${name} in ${listed.join(', ')}`);
  } finally {
    for (const PolicyName of names) await iam.send(new DeleteUserPolicyCommand({ UserName: rgw.userName, PolicyName }));
  }
  assert.ok(!(await connection().listUserPolicies(rgw.userName)).includes(names[0]!));
});

test('with sts, calls and presigned URLs are signed by temporary session credentials', async () => {
  const bucket = uniqueBucket('sts');
  buckets.push(bucket);
  const conn = connection({ sts: { durationSeconds: 3600 } });
  await conn.createBucket(bucket);
  await conn.uploadObject('temporary', 'sts/a.txt');
  assert.equal(await (await conn.getObject('sts/a.txt')).text(), 'temporary');

  const url = new URL(await conn.presignedGetUrl('sts/a.txt', { expiresIn: 600 }));
  assert.ok(url.searchParams.get('X-Amz-Security-Token'), 'the URL carries the session token');
  assert.ok(
    !url.searchParams.get('X-Amz-Credential')!.startsWith(rgw.accessKeyId),
    'signed by the session key, not the long-term one',
  );
  assert.equal(await (await fetch(url)).text(), 'temporary');

  const post = await conn.presignedCreateUrl('sts/posted.txt', { expiresIn: 600 });
  assert.ok(post.fields['x-amz-security-token']);
  const form = new FormData();
  for (const [k, v] of Object.entries(post.fields)) form.append(k, v);
  form.append('file', new Blob(['posted with a session']), 'f.txt');
  assert.equal((await fetch(post.url, { method: 'POST', body: form })).status, 204);
  assert.equal(await (await conn.getObject('sts/posted.txt')).text(), 'posted with a session');

  // A URL may not outlive the credentials that sign it: 3600 s is the whole session, already begun.
  for (const expiresIn of [7200, 3600]) {
    await assert.rejects(
      conn.presignedGetUrl('sts/a.txt', { expiresIn }),
      (e: CloudSparkError) => e.code === 'EXPIRES_AFTER_CREDENTIALS',
    );
  }
  conn.close();
});

test('temporary credentials: deriveKey() is refused, a handler without `secret` fails 500 and says why to onError, one with a secret works', async () => {
  const bucket = uniqueBucket('sts-handler');
  buckets.push(bucket);
  const conn = connection({ bucket, sts: { durationSeconds: 3600 } });
  await conn.createBucket(bucket);
  await assert.rejects(
    conn.deriveKey('tokens'),
    (e: CloudSparkError) =>
      e.code === 'CREDENTIALS' && /long-term credentials/.test(e.message) && /secret of your own/.test(e.message),
  );

  const errors: unknown[] = [];
  const derived = createUploadHandler({ connection: conn, rules: { maxSize: 1024 }, onError: (e) => errors.push(e) });
  const refusal = await callRoute<Refusal>(
    derived,
    'post',
    { filename: 'a.txt', contentType: 'text/plain', size: 2 },
    500,
  );
  assert.equal(refusal.error.code, 'INTERNAL');
  assert.doesNotMatch(JSON.stringify(refusal), /deriveKey|credential/i, "the browser is not told the server's set-up");
  assert.equal(errors.length, 1);
  assert.ok(
    errors[0] instanceof CloudSparkError &&
      errors[0].code === 'CREDENTIALS' &&
      /secret of your own/.test(errors[0].message),
    String(errors[0]),
  );

  const given = createUploadHandler({
    connection: conn,
    rules: { maxSize: 1024 },
    secret: 'a secret of at least 32 bytes, for the tokens',
  });
  const post = await callRoute<PostTarget>(given, 'post', { filename: 'a.txt', contentType: 'text/plain', size: 2 });
  assert.equal((await sendForm(post, 'hi')).status, 201);
  assert.equal(await (await conn.getObject(post.key)).text(), 'hi');
  conn.close();
});
