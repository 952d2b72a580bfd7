/**
 * The upload handler against RGW, called as a framework would call it (web Request in, Response
 * out), with the uploads themselves sent as a browser would send them. The attacks on it are in
 * upload-handler-attacks.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { MIN_PART_SIZE } from '../../src/index.js';
import { createUploadHandler, type CompletedUpload, type UploadHandler } from '../../src/server/index.js';
import { withBucket, pendingUploads } from '../support/rgw.js';
import {
  callRoute,
  md5Of,
  sendForm,
  sendParts,
  type MultipartTarget,
  type PostTarget,
  type Refusal,
} from '../support/handler.js';

let ctx: Awaited<ReturnType<typeof withBucket>>;
let handler: UploadHandler;
const allowed = new Set(['get', 'delete']);
const completed: CompletedUpload[] = [];
before(async () => {
  ctx = await withBucket('handler');
  handler = createUploadHandler({
    connection: ctx.conn,
    rules: { maxSize: 2 * MIN_PART_SIZE + 1024, allowedTypes: ['text/*', 'application/octet-stream'] },
    authorize: (_request, action) => !['get', 'delete'].includes(action.operation) || allowed.has(action.operation),
    onUploadComplete: (_request, upload) => {
      completed.push(upload);
      return { id: completed.length };
    },
  });
});
after(() => ctx.cleanup());

const call = <T = Record<string, unknown>>(route: string, body: unknown, status = 200) =>
  callRoute<T>(handler, route, body, status);

test('a presigned POST stores the file (S3 answers 201 with the ETag); post/complete verifies it and calls onUploadComplete once', async () => {
  const text = 'hello from the handler';
  const post = await call<PostTarget>('post', { filename: 'note.txt', contentType: 'text/plain', size: text.length });
  const res = await sendForm(post, text);
  const xml = await res.text();
  assert.equal(res.status, 201, xml);
  // AWS quotes the ETag (&quot;...&quot;); Ceph RGW does not.
  assert.match(xml, /<ETag>(&quot;)?[0-9a-f]{32}(&quot;)?<\/ETag>/);
  const before = completed.length;
  const done = await call<CompletedUpload & { result: unknown }>('post/complete', {
    key: post.key,
    token: post.token,
    md5: md5Of(text),
  });
  assert.deepEqual(
    { ...done, etag: undefined },
    {
      key: post.key,
      size: text.length,
      contentType: 'text/plain',
      etag: undefined,
      filename: 'note.txt',
      result: { id: before + 1 },
    },
  );
  assert.match(done.etag ?? '', /^"[0-9a-f]{32}"$/);
  assert.equal(completed.length, before + 1);
  const object = await ctx.conn.getObject(post.key);
  assert.equal(object.contentType, 'text/plain');
  assert.equal(object.contentDisposition, undefined, 'text/plain is shown inline');
  assert.equal(await object.text(), text);
});

test('post/complete before the upload: 404, and onUploadComplete is not called', async () => {
  const post = await call<PostTarget>('post', { filename: 'n.txt', contentType: 'text/plain', size: 2 });
  const before = completed.length;
  assert.equal(
    (await call<Refusal>('post/complete', { key: post.key, token: post.token, md5: md5Of('hi') }, 404)).error.code,
    'NO_SUCH_KEY',
  );
  assert.equal(completed.length, before);
});

test('post/complete with the MD5 of other bytes than RGW stored (a bit flipped on the way): 400 CORRUPT, the object deleted, onUploadComplete not called; the same form sent again completes', async () => {
  const file = randomBytes(4096);
  const flipped = Buffer.from(file);
  flipped[2048] = flipped[2048]! ^ 0x10;
  const post = await call<PostTarget>('post', { filename: 'flip.bin', size: file.length });
  assert.equal((await sendForm(post, flipped)).status, 201, 'RGW stores it: it checks no Content-MD5 on a POST');
  const before = completed.length;
  const refused = await call<Refusal>('post/complete', { key: post.key, token: post.token, md5: md5Of(file) }, 400);
  assert.equal(refused.error.code, 'CORRUPT');
  assert.match(refused.error.message, /the file was deleted/);
  await assert.rejects(ctx.conn.headObject(post.key), { code: 'NO_SUCH_KEY' });
  assert.equal(completed.length, before, 'onUploadComplete was not called');

  assert.equal((await sendForm(post, file)).status, 201);
  const done = await call<CompletedUpload>('post/complete', { key: post.key, token: post.token, md5: md5Of(file) });
  assert.equal(
    done.etag,
    `"${createHash('md5').update(file).digest('hex')}"`,
    "RGW's ETag of a POST object is its MD5",
  );
  assert.equal(completed.length, before + 1);
  assert.ok(Buffer.from(await (await ctx.conn.getObject(post.key)).bytes()).equals(file));
});

test('post/complete without the md5: 400 INVALID_INPUT on "md5", and the stored object is left for a complete that sends it', async () => {
  const post = await call<PostTarget>('post', { filename: 'old-client.txt', contentType: 'text/plain', size: 2 });
  assert.equal((await sendForm(post, 'hi')).status, 201);
  const before = completed.length;
  assert.equal((await call<Refusal>('post/complete', { key: post.key, token: post.token }, 400)).error.field, 'md5');
  assert.equal(completed.length, before);
  assert.equal((await ctx.conn.headObject(post.key)).contentLength, 2);
});

test('a different Content-Type than the one signed is refused by S3', async () => {
  const post = await call<PostTarget>('post', { filename: 'n.txt', contentType: 'text/plain', size: 2 });
  const res = await sendForm(post, 'hi', { ...post.fields, 'Content-Type': 'text/html' });
  assert.equal(res.status, 403, await res.text());
});

test('multipart: create plans the parts, sign, list, complete; the object has the parts and is verified', async () => {
  const data = randomBytes(MIN_PART_SIZE + 1000);
  const upload = await call<MultipartTarget>('multipart/create', {
    filename: 'data.bin',
    size: data.length,
    partSize: MIN_PART_SIZE,
  });
  assert.deepEqual([upload.partSize, upload.partCount], [MIN_PART_SIZE, 2]);
  const etags = await sendParts(handler, upload, data);
  const { parts } = await call<{ parts: Array<{ partNumber: number; size: number }> }>('multipart/list-parts', {
    key: upload.key,
    uploadId: upload.uploadId,
    token: upload.token,
  });
  assert.deepEqual(
    parts.map((p) => [p.partNumber, p.size]),
    [
      [1, MIN_PART_SIZE],
      [2, 1000],
    ],
  );
  const before = completed.length;
  const done = await call<CompletedUpload & { result: { id: number } }>('multipart/complete', {
    key: upload.key,
    uploadId: upload.uploadId,
    token: upload.token,
    parts: etags,
  });
  assert.equal(done.size, data.length);
  assert.equal(completed.length, before + 1, 'onUploadComplete called once');
  assert.equal(done.result.id, completed.length, "its result is the answer's");
  assert.equal(completed.at(-1)?.key, upload.key);
  const object = await ctx.conn.getObject(upload.key);
  assert.equal(
    object.contentDisposition,
    "attachment; filename*=UTF-8''data.bin",
    'octet-stream is stored as a download',
  );
  assert.ok(Buffer.from(await object.bytes()).equals(data));
});

test('abort discards an upload; parts that were never uploaded cannot be completed', async () => {
  const upload = await call<MultipartTarget>('multipart/create', { filename: 'a.bin', size: 10 });
  const named = { key: upload.key, uploadId: upload.uploadId, token: upload.token };
  const missing = await call<Refusal>('multipart/complete', { ...named, parts: [{ partNumber: 1, etag: '"x"' }] }, 400);
  assert.equal(missing.error.code, 'INVALID_INPUT');
  assert.deepEqual(await call('multipart/abort', named), { aborted: true });
  assert.ok(!(await pendingUploads(ctx.conn)).some((u) => u.uploadId === upload.uploadId));
  assert.equal((await call<Refusal>('multipart/list-parts', named, 404)).error.code, 'NO_SUCH_UPLOAD');
});

test('presigned GET and DELETE for existing keys, when authorize allows; 404 for a missing key, 403 when refused', async () => {
  const post = await call<PostTarget>('post', { filename: 'x.txt', contentType: 'text/plain', size: 1 });
  assert.equal((await sendForm(post, 'x')).status, 201);

  const get = await call<{ url: string }>('get', { key: post.key });
  const got = await fetch(get.url);
  assert.equal(await got.text(), 'x');
  assert.equal(got.headers.get('content-disposition'), null, 'text/plain is shown inline');
  assert.equal((await call<Refusal>('get', { key: 'uploads/none/missing.txt' }, 404)).error.code, 'NO_SUCH_KEY');
  allowed.delete('delete');
  await call('delete', { key: post.key }, 403);
  allowed.add('delete');
  const del = await call<{ url: string }>('delete', { key: post.key });
  assert.equal((await fetch(del.url, { method: 'DELETE' })).status, 204);
  await assert.rejects(ctx.conn.headObject(post.key), { code: 'NO_SUCH_KEY' });
});
