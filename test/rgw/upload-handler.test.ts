/**
 * The upload handler against RGW, called as a framework would call it (web Request in, Response
 * out), with the uploads themselves sent as a browser would send them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MIN_PART_SIZE } from '../../src/index.js';
import { createUploadHandler, type UploadHandler } from '../../src/server/index.js';
import { withBucket } from '../support/rgw.js';

let ctx: Awaited<ReturnType<typeof withBucket>>;
let handler: UploadHandler;
const allowed = new Set(['get', 'delete']);
before(async () => {
  ctx = await withBucket('handler');
  handler = createUploadHandler({
    connection: ctx.conn,
    rules: { maxSize: MIN_PART_SIZE + 1024, allowedTypes: ['text/*', 'application/octet-stream'] },
    authorize: (_request, action) => !['get', 'delete'].includes(action.operation) || allowed.has(action.operation),
  });
});
after(() => ctx.cleanup());

async function call<T = Record<string, unknown>>(route: string, body: unknown, status = 200): Promise<T> {
  const response = await handler(new Request(`http://app.test/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  const answer = (await response.json()) as T;
  assert.equal(response.status, status, JSON.stringify(answer));
  return answer;
}

test('a presigned POST from the handler stores the file; S3 answers 201 with the ETag', async () => {
  const text = 'hello from the handler';
  const post = await call<{ key: string; url: string; fields: Record<string, string> }>('post', { filename: 'note.txt', contentType: 'text/plain', size: text.length });
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
  form.append('file', new Blob([text]));
  const res = await fetch(post.url, { method: 'POST', body: form });
  const xml = await res.text();
  assert.equal(res.status, 201, xml);
  // AWS quotes the ETag (&quot;...&quot;); Ceph RGW does not.
  assert.match(xml, /<ETag>(&quot;)?[0-9a-f]{32}(&quot;)?<\/ETag>/);
  const object = await ctx.conn.getObject(post.key);
  assert.equal(object.contentType, 'text/plain');
  assert.equal(await object.text(), text);
});

test('a different Content-Type than the one signed is refused by S3', async () => {
  const post = await call<{ url: string; fields: Record<string, string> }>('post', { filename: 'n.txt', contentType: 'text/plain', size: 2 });
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...post.fields, 'Content-Type': 'text/html' })) form.append(name, value);
  form.append('file', new Blob(['hi']));
  const res = await fetch(post.url, { method: 'POST', body: form });
  assert.equal(res.status, 403, await res.text());
});

test('multipart: create, sign, list, complete; the object has the parts', async () => {
  const data = randomBytes(MIN_PART_SIZE + 1000);
  const { key, uploadId, maxParts } = await call<{ key: string; uploadId: string; maxParts: number }>('multipart/create', { filename: 'data.bin', size: data.length });
  assert.equal(maxParts, 2, 'maxSize allows two parts at most');
  const { urls } = await call<{ urls: Record<string, string> }>('multipart/sign-parts', { key, uploadId, partNumbers: [1, 2] });
  const etags = [];
  for (const [n, body] of [[1, data.subarray(0, MIN_PART_SIZE)], [2, data.subarray(MIN_PART_SIZE)]] as const) {
    const res = await fetch(urls[n]!, { method: 'PUT', body });
    assert.equal(res.status, 200);
    etags.push({ partNumber: n, etag: res.headers.get('etag')! });
  }
  const { parts } = await call<{ parts: Array<{ partNumber: number; size: number }> }>('multipart/list-parts', { key, uploadId });
  assert.deepEqual(parts.map((p) => [p.partNumber, p.size]), [[1, MIN_PART_SIZE], [2, 1000]]);
  const done = await call<{ key: string; size: number; etag: string }>('multipart/complete', { key, uploadId, parts: etags });
  assert.equal(done.size, data.length);
  assert.ok(Buffer.from(await (await ctx.conn.getObject(key)).bytes()).equals(data));
});

test('multipart over maxSize (the declared size lied) is refused at complete, and aborted', async () => {
  const { key, uploadId } = await call<{ key: string; uploadId: string }>('multipart/create', { filename: 'liar.bin', size: 10 });
  const { urls } = await call<{ urls: Record<string, string> }>('multipart/sign-parts', { key, uploadId, partNumbers: [1, 2] });
  const parts = [];
  for (const n of [1, 2]) {
    const res = await fetch(urls[n]!, { method: 'PUT', body: randomBytes(MIN_PART_SIZE) });
    parts.push({ partNumber: n, etag: res.headers.get('etag')! });
  }
  const refused = await call<{ error: { code: string; message: string } }>('multipart/complete', { key, uploadId, parts }, 400);
  assert.equal(refused.error.code, 'TOO_LARGE');
  await call('multipart/list-parts', { key, uploadId }, 404);
  await assert.rejects(ctx.conn.headObject(key));
});

test('abort discards an upload; a part that was never uploaded cannot be completed', async () => {
  const { key, uploadId } = await call<{ key: string; uploadId: string }>('multipart/create', { filename: 'a.bin', size: 10 });
  const missing = await call<{ error: { code: string } }>('multipart/complete', { key, uploadId, parts: [{ partNumber: 1, etag: '"x"' }] }, 400);
  assert.equal(missing.error.code, 'INVALID_INPUT');
  assert.deepEqual(await call('multipart/abort', { key, uploadId }), { aborted: true });
  for await (const u of ctx.conn.listMultipartUploads()) assert.notEqual(u.uploadId, uploadId);
});

test('presigned GET and DELETE for existing keys, when authorize allows; 404 for a missing key, 403 when refused', async () => {
  const post = await call<{ key: string; url: string; fields: Record<string, string> }>('post', { filename: 'x.txt', contentType: 'text/plain', size: 1 });
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
  form.append('file', new Blob(['x']));
  assert.equal((await fetch(post.url, { method: 'POST', body: form })).status, 201);

  const get = await call<{ url: string }>('get', { key: post.key });
  assert.equal(await (await fetch(get.url)).text(), 'x');
  assert.equal((await call<{ error: { code: string } }>('get', { key: 'uploads/none/missing.txt' }, 404)).error.code, 'NO_SUCH_KEY');
  allowed.delete('delete');
  await call('delete', { key: post.key }, 403);
  allowed.add('delete');
  const del = await call<{ url: string }>('delete', { key: post.key });
  assert.equal((await fetch(del.url, { method: 'DELETE' })).status, 204);
  await assert.rejects(ctx.conn.headObject(post.key));
});
