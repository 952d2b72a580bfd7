/**
 * The frameworks tier's one contract, run against each example's `start()`: the app's real HTTP
 * server on a free port, reached with fetch, uploading to Ceph RGW. Each test file runs it for
 * one framework (node --test gives each file its own process, so the environment set here is
 * that framework's alone).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MIN_PART_SIZE } from '../../src/index.js';
import type { CompletedUpload } from '../../src/server/index.js';
import { sessionToken } from '../../examples/uploads.js';
import { withBucket } from './rgw.js';
import {
  callRoute,
  md5Of,
  sendForm,
  sendParts,
  type Handles,
  type MultipartTarget,
  type PostTarget,
  type Refusal,
} from './handler.js';

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** Where every example mounts the handler. */
const MOUNT = '/api/uploads';
const MiB = 1024 * 1024;

/**
 * The app at `base` as an `UploadHandler`: each Request the shared helpers make (to
 * `http://app.test/<route>`) is sent over HTTP to the same route under the app's mount point.
 */
function overHttp(base: string): Handles {
  return async (request) => {
    const { pathname } = new URL(request.url);
    return fetch(`${base}${MOUNT}${pathname}`, {
      method: request.method,
      headers: request.headers,
      body: await request.text(),
    });
  };
}

export function frameworkContract(framework: string, start: () => Promise<RunningApp>): void {
  let bucket: Awaited<ReturnType<typeof withBucket>>;
  let app: RunningApp;
  let uploads: Handles;
  // Read by examples/uploads.ts, as S3_BUCKET below; S3_ENDPOINT and the keys come from the tier.
  process.env['SESSION_SECRET'] = randomBytes(32).toString('hex');
  const as = (user: string) => ({ authorization: `Bearer ${sessionToken(user)}` });
  const alice = as('alice');
  /** A call to one of the example's routes: `documents` unless the body names another. */
  const call = <T = Record<string, unknown>>(
    operation: string,
    body: Record<string, unknown>,
    status = 200,
    headers: Record<string, string> = alice,
  ) => callRoute<T>(uploads, operation, { route: 'documents', ...body }, status, headers);

  before(async () => {
    bucket = await withBucket(`fw-${framework}`);
    process.env['S3_BUCKET'] = bucket.bucket;
    app = await start();
    uploads = overHttp(app.url);
  });
  after(async () => {
    await app?.close();
    await bucket?.cleanup();
  });

  test(`${framework}: post, the form to S3, post/complete; the user's file is in the bucket`, async () => {
    const text = `hello through ${framework}`;
    const post = await call<PostTarget>('post', {
      filename: 'hello.txt',
      contentType: 'text/plain',
      size: text.length,
    });
    assert.match(post.key, /^uploads\/alice\/documents\/[0-9a-f-]{36}\/hello\.txt$/);
    const sent = await sendForm(post, text);
    assert.equal(sent.status, 201, await sent.text());
    const done = await call<CompletedUpload>('post/complete', { key: post.key, token: post.token, md5: md5Of(text) });
    assert.deepEqual([done.key, done.size, done.contentType], [post.key, text.length, 'text/plain']);
    assert.equal(await (await bucket.conn.getObject(post.key)).text(), text);
  });

  test(`${framework}: multipart of two parts (5 MiB + 1000 bytes), completed and verified`, async () => {
    // A PDF's signature: completion checks the first bytes against the declared type.
    const data = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(MIN_PART_SIZE + 1000 - 9)]);
    const upload = await call<MultipartTarget>('multipart/create', {
      filename: 'big.pdf',
      contentType: 'application/pdf',
      size: data.length,
      partSize: MIN_PART_SIZE,
    });
    assert.deepEqual([upload.partSize, upload.partCount], [MIN_PART_SIZE, 2]);
    const parts = await sendParts(uploads, upload, data, alice, { route: 'documents' });
    const done = await call<CompletedUpload>('multipart/complete', {
      key: upload.key,
      uploadId: upload.uploadId,
      token: upload.token,
      parts,
    });
    assert.deepEqual([done.size, done.contentType], [data.length, 'application/pdf']);
    assert.ok(Buffer.from(await (await bucket.conn.getObject(upload.key)).bytes()).equals(data));
  });

  test(`${framework}: a body over 1 MiB is the handler's 413, declared or streamed; one under it reaches the handler`, async () => {
    const url = `${app.url}${MOUNT}/post`;
    const oversize = JSON.stringify({ filename: 'x'.repeat(MiB) });
    const refused = (response: Response) =>
      jsonAnswer<Refusal>(response, 413).then((r) => assert.equal(r.error.code, 'BODY_TOO_LARGE'));
    // With Content-Length, a framework (or the handler) can refuse before reading.
    await refused(
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...alice }, body: oversize }),
    );
    // Chunked, with no length: only counting the bytes read catches it.
    const chunked = new Blob([oversize]).stream();
    await refused(
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...alice },
        body: chunked,
        duplex: 'half',
      } as RequestInit),
    );
    // A multipart/complete of 10 000 parts (~0.6 MiB) must not meet a smaller framework limit:
    // the handler parses it, and refuses it only for its made-up token.
    const parts = Array.from({ length: 10_000 }, (_, i) => ({
      partNumber: i + 1,
      etag: `"${randomBytes(16).toString('hex')}"`,
    }));
    const big = await call<Refusal>(
      'multipart/complete',
      { key: 'uploads/alice/x/y.bin', uploadId: 'u', token: 'not-a-token', parts },
      403,
    );
    assert.equal(big.error.field, 'token');
  });

  test(`${framework}: two routes: an image goes through avatars, not documents, and a token of one is refused by the other`, async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const image = { filename: 'me.png', contentType: 'image/png', size: png.length };
    assert.equal((await call<Refusal>('post', image, 400)).error.code, 'TYPE_NOT_ALLOWED');
    const post = await call<PostTarget>('post', { ...image, route: 'avatars' });
    assert.match(post.key, /^uploads\/alice\/avatars\//);
    assert.equal((await sendForm(post, png)).status, 201);
    const complete = { key: post.key, token: post.token, md5: md5Of(png) };
    assert.equal((await call<Refusal>('post/complete', complete, 403)).error.code, 'FORBIDDEN');
    assert.equal(
      (await call<CompletedUpload>('post/complete', { ...complete, route: 'avatars' })).contentType,
      'image/png',
    );
  });

  test(`${framework}: authorize answers 401 without a valid session, 403 for another user's key`, async () => {
    const file = { filename: 'a.txt', contentType: 'text/plain', size: 1 };
    const noSession: Array<Record<string, string>> = [{}, { authorization: `Bearer alice.${'A'.repeat(43)}` }];
    for (const headers of noSession) {
      assert.equal((await call<Refusal>('post', file, 401, headers)).error.code, 'UNAUTHORIZED');
    }
    const post = await call<PostTarget>('post', file);
    assert.equal((await sendForm(post, 'a')).status, 201);
    assert.equal((await call<Refusal>('get', { key: post.key }, 403, as('bob'))).error.code, 'FORBIDDEN');
    const { url } = await call<{ url: string }>('get', { key: post.key });
    assert.equal(await (await fetch(url)).text(), 'a');
  });
}

/** The handler's JSON answer (not a framework's HTML page), with the expected status. */
async function jsonAnswer<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/, text.slice(0, 200));
  return JSON.parse(text) as T;
}
