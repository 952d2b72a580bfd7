/** presign post|get|put|delete and policy decode, each used for real against RGW. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { removeBucket, uniqueBucket } from '../support/rgw.js';
import { assertExit, cli, json, on } from '../support/cli.js';

const bucket = uniqueBucket('cli-presign');
before(async () => assertExit(await cli(['bucket', 'create', bucket]), 0));
after(() => removeBucket(bucket));

interface Post {
  url: string;
  fields: Record<string, string>;
}

function form(post: Post, body: string | Buffer): FormData {
  const f = new FormData();
  for (const [name, value] of Object.entries(post.fields)) f.append(name, value);
  f.append('file', new Blob([typeof body === 'string' ? body : new Uint8Array(body)]), 'upload.bin');
  return f;
}

test('presign post: size limit, content type and metadata are enforced by the store', async () => {
  const run = await cli([
    'presign',
    'post',
    'up/avatar.png',
    ...on(bucket),
    '--max-size',
    '1KiB',
    '--content-type',
    'image/png',
    '--meta',
    'user=42',
    '--expires',
    '300',
    '--json',
  ]);
  assertExit(run, 0);
  const post = json<Post>(run);
  assert.equal(post.fields['key'], 'up/avatar.png');
  assert.equal(post.fields['Content-Type'], 'image/png');
  assert.equal(post.fields['x-amz-meta-user'], '42');

  const tooBig = await fetch(post.url, { method: 'POST', body: form(post, Buffer.alloc(1025)) });
  assert.equal(tooBig.status, 400);
  assert.match(await tooBig.text(), /EntityTooLarge/);
  const ok = await fetch(post.url, { method: 'POST', body: form(post, Buffer.alloc(1024, 7)) });
  assert.equal(ok.status, 204);

  const head = json<{ contentType: string; contentLength: number; metadata: object }>(
    await cli(['head', 'up/avatar.png', ...on(bucket), '--json']),
  );
  assert.deepEqual([head.contentType, head.contentLength, head.metadata], ['image/png', 1024, { user: '42' }]);

  // Text mode prints the same document, indented.
  const text = await cli(['presign', 'post', 'up/x', ...on(bucket)]);
  assertExit(text, 0);
  assert.deepEqual(Object.keys(JSON.parse(text.stdout) as object), ['url', 'fields']);
  assert.match(text.stdout, /^\{\n {2}"url"/);
});

test('policy decode shows the conditions of a presigned POST (text: 4-space JSON; --json: compact)', async () => {
  const asked = Date.now();
  const post = json<Post>(
    await cli(['presign', 'post', 'up/doc.pdf', ...on(bucket), '--max-size', '5MB', '--expires', '60', '--json']),
  );
  const answered = Date.now();
  const text = await cli(['policy', 'decode', post.fields['policy']!]);
  assertExit(text, 0);
  assert.match(text.stdout, /^\{\n {4}"expiration": /);
  const decoded = json<{ expiration: string; conditions: unknown[] }>(
    await cli(['policy', 'decode', post.fields['policy']!, '--json']),
  );
  assert.deepEqual(decoded.conditions[0], ['content-length-range', 0, 5_000_000]);
  assert.deepEqual(
    decoded.conditions.find((c) => (c as { key?: string }).key),
    { key: 'up/doc.pdf' },
  );
  // 60 s after it was signed, which was between the ask and the answer, however slow the
  // machine (the policy's expiration may drop the milliseconds).
  const expires = Date.parse(decoded.expiration);
  assert.ok(
    expires >= asked + 60_000 - 1000 && expires <= answered + 60_000,
    `expires ${expires - asked} ms after the ask, ${expires - answered} ms after the answer`,
  );
});

test('presign put, get and delete: each URL works with plain HTTP; text mode prints the URL alone', async () => {
  const put = await cli(['presign', 'put', 'url/file.txt', ...on(bucket)]);
  assertExit(put, 0);
  assert.match(put.stdout, /^http:\/\/\S+X-Amz-Signature=[0-9a-f]{64}\n$/);
  assert.equal((await fetch(put.stdout.trim(), { method: 'PUT', body: 'via presigned PUT' })).status, 200);

  const get = await cli(['presign', 'get', 'url/file.txt', ...on(bucket), '--expires', '120', '--json']);
  assertExit(get, 0);
  const doc = json<{ method: string; key: string; url: string; expiresAt: string }>(get);
  assert.equal(doc.method, 'GET');
  assert.equal(doc.key, 'url/file.txt');
  assert.equal(new URL(doc.url).searchParams.get('X-Amz-Expires'), '120');
  assert.ok(Math.abs(Date.parse(doc.expiresAt) - Date.now() - 120_000) < 10_000);
  assert.equal(await (await fetch(doc.url)).text(), 'via presigned PUT');

  const del = await cli(['presign', 'delete', 'url/file.txt', ...on(bucket)]);
  assert.equal((await fetch(del.stdout.trim(), { method: 'DELETE' })).status, 204);
  assertExit(await cli(['head', 'url/file.txt', ...on(bucket)]), 1);
});
