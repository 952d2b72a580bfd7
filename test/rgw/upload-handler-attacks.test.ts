/**
 * The upload handler under attack, for real, against RGW: each test performs one attack a
 * hostile client could try with what the handler hands out, and asserts that it fails and leaves
 * nothing behind. docs/security.md's table points at these tests by name.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MIN_PART_SIZE } from '../../src/index.js';
import { createUploadHandler, type UploadHandler, type UploadHandlerOptions } from '../../src/server/index.js';
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

const SECRET = randomBytes(32);
const SECRET_KEY = 'private/secret.txt';
const SECRET_TEXT = 'the payroll of everyone';
let ctx: Awaited<ReturnType<typeof withBucket>>;
let handler: UploadHandler;

/** Identity from a header, as an app's session would give it; no header: 401. */
const options = (extra: Partial<UploadHandlerOptions> = {}): UploadHandlerOptions => ({
  connection: ctx.conn,
  secret: SECRET,
  rules: {
    maxSize: 2 * MIN_PART_SIZE,
    allowedTypes: ['image/*', 'text/plain', 'text/html', 'application/octet-stream'],
  },
  authorize: (request) => {
    const user = request.headers.get('x-user');
    return user ? { identity: user } : { status: 401 };
  },
  ...extra,
});

before(async () => {
  ctx = await withBucket('attacks');
  await ctx.conn.uploadObject(SECRET_TEXT, SECRET_KEY);
  handler = createUploadHandler(options());
});
after(() => ctx.cleanup());

const as =
  (user: string, h?: UploadHandler) =>
  <T = Record<string, unknown>>(route: string, body: unknown, status = 200) =>
    callRoute<T>(h ?? handler, route, body, status, { 'x-user': user });
const ALICE = { 'x-user': 'alice' };
const alice = as('alice');
const bob = as('bob');
const named = (u: MultipartTarget) => ({ key: u.key, uploadId: u.uploadId, token: u.token });

const partsHeld = async (u: MultipartTarget) => ctx.conn.listParts(u.key, u.uploadId);

test('UploadPartCopy through a part URL: refused, nothing copied (an unbound URL on this RGW would copy)', async () => {
  const copySource = { 'x-amz-copy-source': `/${ctx.bucket}/${SECRET_KEY}` };
  // The control: a part URL that signs only the host, as the handler used to hand out. RGW obeys
  // the unsigned header and copies the secret into the upload: the threat is real here.
  const control = await ctx.conn.createMultipartUpload('uploads/control.bin');
  const open = await ctx.conn.presignedUploadPartUrl(control.key, control.uploadId, 1);
  assert.equal((await fetch(open, { method: 'PUT', headers: copySource })).status, 200);
  assert.equal(
    (await ctx.conn.listParts(control.key, control.uploadId))[0]?.size,
    SECRET_TEXT.length,
    'the control copied the secret',
  );
  await ctx.conn.abortMultipartUpload(control.key, control.uploadId);

  const upload = await alice<MultipartTarget>('multipart/create', { filename: 'a.bin', size: 1000 });
  const { urls } = await alice<{ urls: Record<string, string> }>('multipart/sign-parts', {
    ...named(upload),
    partNumbers: [1],
  });
  const empty = await fetch(urls[1]!, { method: 'PUT', headers: copySource });
  assert.ok(empty.status >= 400, `with no body: ${empty.status}`);
  const sized = await fetch(urls[1]!, { method: 'PUT', headers: copySource, body: randomBytes(1000) });
  assert.ok(sized.status >= 400, `with a body of the signed length: ${sized.status}`);
  assert.deepEqual(await partsHeld(upload), [], 'no part stored');
  await alice('multipart/abort', named(upload));
});

test('a part of another length than planned: refused by S3, nothing stored', async () => {
  const upload = await alice<MultipartTarget>('multipart/create', {
    filename: 'a.bin',
    size: MIN_PART_SIZE + 10,
    partSize: MIN_PART_SIZE,
  });
  const { urls } = await alice<{ urls: Record<string, string> }>('multipart/sign-parts', {
    ...named(upload),
    partNumbers: [1, 2],
  });
  for (const [n, length] of [
    [2, 11],
    [2, 9],
    [1, MIN_PART_SIZE + 1],
  ] as const) {
    const res = await fetch(urls[n]!, { method: 'PUT', body: randomBytes(length) });
    assert.equal(res.status, 403, `part ${n} with ${length} bytes`);
  }
  assert.deepEqual(await partsHeld(upload), []);
  await alice('multipart/abort', named(upload));
});

test('the complete-time swap: a bigger part re-sent after listing is refused, and complete uses what S3 holds', async () => {
  const data = randomBytes(MIN_PART_SIZE + 10);
  const upload = await alice<MultipartTarget>('multipart/create', {
    filename: 'a.bin',
    size: data.length,
    partSize: MIN_PART_SIZE,
  });
  const etags = await sendParts(handler, upload, data, ALICE);
  const { urls } = await alice<{ urls: Record<string, string> }>('multipart/sign-parts', {
    ...named(upload),
    partNumbers: [2],
  });
  assert.equal(
    (await fetch(urls[2]!, { method: 'PUT', body: randomBytes(MIN_PART_SIZE) })).status,
    403,
    'the part URL binds its length',
  );
  const lying = await alice<Refusal>(
    'multipart/complete',
    { ...named(upload), parts: [etags[0], { partNumber: 2, etag: '"0123456789abcdef0123456789abcdef"' }] },
    400,
  );
  assert.match(lying.error.message, /not the parts the storage holds/);
  const done = await alice<{ size: number }>('multipart/complete', { ...named(upload), parts: etags });
  assert.equal(done.size, data.length);
  assert.equal((await ctx.conn.headObject(upload.key)).contentLength, data.length);
});

test("another upload's token, or another user's: 403 on every route that names an upload", async () => {
  const mine = await alice<MultipartTarget>('multipart/create', { filename: 'mine.bin', size: 100 });
  const theirs = await bob<MultipartTarget>('multipart/create', { filename: 'theirs.bin', size: 100 });
  const crossed = { key: theirs.key, uploadId: theirs.uploadId, token: mine.token };
  for (const [route, extra] of [
    ['multipart/sign-parts', { partNumbers: [1] }],
    ['multipart/list-parts', {}],
    ['multipart/complete', { parts: [] }],
    ['multipart/abort', {}],
  ] as const) {
    assert.equal(
      (await alice<Refusal>(route, { ...crossed, ...extra }, 403)).error.code,
      'FORBIDDEN',
      `${route} with another upload's token`,
    );
    assert.equal(
      (await alice<Refusal>(route, { ...named(theirs), ...extra }, 403)).error.code,
      'FORBIDDEN',
      `${route} with another user's token`,
    );
  }
  assert.equal(
    (await alice<Refusal>('multipart/abort', { ...named(mine), uploadId: theirs.uploadId }, 403)).error.field,
    'token',
  );
  assert.ok(
    (await pendingUploads(ctx.conn)).some((u) => u.uploadId === theirs.uploadId),
    "bob's upload is still there",
  );
  const post = await alice<PostTarget>('post', { filename: 'a.txt', contentType: 'text/plain', size: 1 });
  const other = await alice<PostTarget>('post', { filename: 'b.txt', contentType: 'text/plain', size: 1 });
  await alice('post/complete', { key: post.key, token: other.token }, 403);
  await bob('post/complete', { key: post.key, token: post.token }, 403);
  await alice('multipart/abort', named(mine));
  await bob('multipart/abort', named(theirs));
});

test('a forged, edited, missing or expired token: 403', async () => {
  const upload = await alice<MultipartTarget>('multipart/create', { filename: 'a.bin', size: 100 });
  const [v, payload, mac] = upload.token.split('.') as [string, string, string];
  const bigger = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('"s":100', '"s":10000000')).toString(
    'base64url',
  );
  for (const token of [
    `${v}.${bigger}.${mac}`,
    `${v}.${payload}.${randomBytes(32).toString('base64url')}`,
    undefined,
    'v1.e30.AAAA',
  ]) {
    await alice('multipart/sign-parts', { ...named(upload), token, partNumbers: [1] }, 403);
  }
  const shortLived = createUploadHandler(options({ rules: { maxSize: 1000, tokenExpiresIn: 1 } }));
  const post = await as('alice', shortLived)<PostTarget>('post', {
    filename: 'a.txt',
    contentType: 'text/plain',
    size: 1,
  });
  assert.equal((await sendForm(post, 'x')).status, 201);
  await new Promise((r) => setTimeout(r, 2100));
  await as('alice', shortLived)('post/complete', { key: post.key, token: post.token }, 403);
  await alice('multipart/abort', named(upload));
});

test('tokens work across handler instances with the same secret, and not with another', async () => {
  const twin = createUploadHandler(options());
  const stranger = createUploadHandler(options({ secret: randomBytes(32) }));
  const data = randomBytes(1000);
  const upload = await alice<MultipartTarget>('multipart/create', { filename: 'a.bin', size: data.length });
  await as('alice', stranger)('multipart/sign-parts', { ...named(upload), partNumbers: [1] }, 403);
  const parts = await sendParts(twin, upload, data, ALICE);
  await as('alice', stranger)('multipart/complete', { ...named(upload), parts }, 403);
  const done = await as('alice', twin)<{ size: number }>('multipart/complete', { ...named(upload), parts });
  assert.equal(done.size, data.length);
});

test('a token is bound to the rules that issued it (#17, item 1): HTML started where HTML is allowed is not completed by an images-only handler with the same secret, nor after a rules change', async () => {
  const html = Buffer.from('<!doctype html><script>alert(1)</script>');
  const post = await alice<PostTarget>('post', { filename: 'page.html', contentType: 'text/html', size: html.length });
  assert.equal((await sendForm(post, html)).status, 201);
  const imagesOnly = createUploadHandler(
    options({ rules: { maxSize: 2 * MIN_PART_SIZE, allowedTypes: ['image/png'] } }),
  );
  assert.equal(
    (
      await as('alice', imagesOnly)<Refusal>(
        'post/complete',
        { key: post.key, token: post.token, md5: md5Of(html) },
        403,
      )
    ).error.code,
    'FORBIDDEN',
  );
  const changed = createUploadHandler(
    options({
      rules: {
        maxSize: MIN_PART_SIZE,
        allowedTypes: ['image/*', 'text/plain', 'text/html', 'application/octet-stream'],
      },
    }),
  );
  await as('alice', changed)('post/complete', { key: post.key, token: post.token, md5: md5Of(html) }, 403);
  const mp = await alice<MultipartTarget>('multipart/create', {
    filename: 'page.html',
    contentType: 'text/html',
    size: 1000,
  });
  for (const h of [imagesOnly, changed])
    await as('alice', h)('multipart/sign-parts', { ...named(mp), partNumbers: [1] }, 403);
  // The handler that issued them still takes them.
  await alice('post/complete', { key: post.key, token: post.token, md5: md5Of(html) });
  await alice('multipart/abort', named(mp));
});

test('a token is bound to its route (#17, routes): HTML started on a route that allows it is not completed, signed or aborted through another route of the same handler, even one with the same rules', async () => {
  const rules = options().rules!;
  const completed: string[] = [];
  const routed = createUploadHandler({
    connection: ctx.conn,
    secret: SECRET,
    authorize: options().authorize!,
    routes: {
      pages: { rules, onUploadComplete: (_r, u) => void completed.push(`pages ${u.key}`) },
      twin: { rules, onUploadComplete: (_r, u) => void completed.push(`twin ${u.key}`) },
      images: {
        rules: { maxSize: 2 * MIN_PART_SIZE, allowedTypes: ['image/png'] },
        onUploadComplete: (_r, u) => void completed.push(`images ${u.key}`),
      },
    },
  });
  const on =
    (route: string) =>
    <T = Record<string, unknown>>(operation: string, body: Record<string, unknown>, status = 200) =>
      callRoute<T>(routed, operation, { ...body, route }, status, ALICE);
  const html = Buffer.from('<!doctype html><script>alert(1)</script>');
  const post = await on('pages')<PostTarget>('post', {
    filename: 'page.html',
    contentType: 'text/html',
    size: html.length,
  });
  assert.equal((await sendForm(post, html)).status, 201);
  const complete = { key: post.key, token: post.token, md5: md5Of(html) };
  for (const other of ['images', 'twin'])
    assert.equal((await on(other)<Refusal>('post/complete', complete, 403)).error.code, 'FORBIDDEN', other);
  const mp = await on('pages')<MultipartTarget>('multipart/create', {
    filename: 'page.html',
    contentType: 'text/html',
    size: 1000,
  });
  for (const other of ['images', 'twin']) {
    await on(other)('multipart/sign-parts', { ...named(mp), partNumbers: [1] }, 403);
    await on(other)('multipart/abort', named(mp), 403);
  }
  assert.deepEqual(completed, [], 'no other route was told of the upload');
  assert.deepEqual(
    (await pendingUploads(ctx.conn)).filter((u) => u.uploadId === mp.uploadId).length,
    1,
    'the upload is still open: no other route aborted it',
  );
  // Its own route takes them.
  await on('pages')('post/complete', complete);
  await on('pages')('multipart/abort', named(mp));
  assert.deepEqual(completed, [`pages ${post.key}`]);
});

test('rotating the secret keeps uploads in progress (#17, item 5): a list signs with its first secret and verifies with all; a handler without the old one refuses its tokens', async () => {
  const data = randomBytes(1000);
  const newSecret = randomBytes(32);
  const upload = await alice<MultipartTarget>('multipart/create', {
    filename: 'rot.bin',
    size: data.length,
    contentType: 'application/octet-stream',
  });
  const rotated = createUploadHandler(options({ secret: [newSecret, SECRET] }));
  const onlyNew = createUploadHandler(options({ secret: newSecret }));
  await as('alice', onlyNew)('multipart/list-parts', named(upload), 403);
  const parts = await sendParts(rotated, upload, data, ALICE);
  const done = await as('alice', rotated)<{ size: number }>('multipart/complete', { ...named(upload), parts });
  assert.equal(done.size, data.length);
  // What the rotated handler issues, the new secret alone verifies, the old alone does not.
  const fresh = await as('alice', rotated)<MultipartTarget>('multipart/create', {
    filename: 'rot2.bin',
    size: 1000,
    contentType: 'application/octet-stream',
  });
  await as('alice', onlyNew)('multipart/list-parts', named(fresh), 200);
  await alice('multipart/list-parts', named(fresh), 403);
  await as('alice', onlyNew)('multipart/abort', named(fresh));
});

test('${filename} keys (#17, item 2): the handler fills the name in, so a form cannot store "../" or nested keys, and one user\'s token completes no other object of the shared folder', async () => {
  const shared = createUploadHandler(
    options({
      rules: {
        maxSize: 1000,
        allowFilenameVariable: true,
        allowedTypes: ['text/plain'],
        makeKey: () => 'uploads/shared/${filename}',
      },
    }),
  );
  const mine = await as('alice', shared)<PostTarget>('post', { filename: 'a.txt', contentType: 'text/plain', size: 5 });
  const theirs = await as('bob', shared)<PostTarget>('post', { filename: 'b.txt', contentType: 'text/plain', size: 5 });
  assert.deepEqual([mine.key, theirs.key], ['uploads/shared/a.txt', 'uploads/shared/b.txt']);
  for (const key of ['uploads/shared/../../x.txt', 'uploads/shared/deep/x.txt', 'uploads/shared/b.txt']) {
    assert.equal(
      (await sendForm(mine, 'alice', { ...mine.fields, key })).status,
      403,
      `the policy binds the key: ${key}`,
    );
  }
  assert.equal((await sendForm(theirs, 'bobby')).status, 201);
  // Alice's token names Bob's object: refused, and his object is neither claimed nor deleted.
  await as('alice', shared)('post/complete', { key: theirs.key, token: mine.token, md5: md5Of('bobby') }, 403);
  assert.equal(await (await ctx.conn.getObject(theirs.key)).text(), 'bobby');
  assert.deepEqual(await ctx.conn.getObjects({ prefix: 'uploads/shared/', onlyKeys: true }), ['uploads/shared/b.txt']);
});

test('makeKey escaping keyPrefix: 500, nothing signed; with makeKey, get and delete stay inside keyPrefix', async () => {
  const errors: unknown[] = [];
  const escaping = createUploadHandler(
    options({ rules: { maxSize: 1000, makeKey: () => SECRET_KEY }, onError: (e) => errors.push(e) }),
  );
  const refused = await as('alice', escaping)<Refusal>(
    'post',
    { filename: 'x.txt', contentType: 'text/plain', size: 5 },
    500,
  );
  assert.doesNotMatch(refused.error.message, /private/);
  assert.match(String(errors[0]), /outside rules.keyPrefix/);
  const keyed = createUploadHandler(
    options({ rules: { maxSize: 1000, makeKey: (_r, f) => `uploads/alice/${f.filename}` }, authorize: () => true }),
  );
  for (const route of ['get', 'delete'])
    assert.equal((await callRoute<Refusal>(keyed, route, { key: SECRET_KEY }, 403)).error.code, 'FORBIDDEN');
  assert.equal(await (await ctx.conn.getObject(SECRET_KEY)).text(), SECRET_TEXT);
});

test('".." keys: refused (400), whatever they resolve to', async () => {
  const open = createUploadHandler(options({ authorize: () => true }));
  for (const key of ['uploads/../private/secret.txt', 'uploads/./../private/secret.txt', 'uploads//x', '/uploads/x']) {
    for (const route of ['get', 'delete'])
      assert.equal((await callRoute<Refusal>(open, route, { key }, 400)).error.field, 'key', `${route} ${key}`);
  }
});

test('SVG under image/*: not accepted (active content must be listed exactly)', async () => {
  const refused = await alice<Refusal>('post', { filename: 'x.svg', contentType: 'image/svg+xml', size: 100 }, 400);
  assert.equal(refused.error.code, 'TYPE_NOT_ALLOWED');
  await alice('multipart/create', { filename: 'x.svg', contentType: 'image/svg+xml', size: 100 }, 400);
});

test('every JavaScript MIME type (WHATWG) is active content: text/* and application/* admit none of them (#17, item 3)', async () => {
  const wide = createUploadHandler(
    options({ rules: { maxSize: MIN_PART_SIZE, allowedTypes: ['text/*', 'application/*'] } }),
  );
  const js = [
    'application/ecmascript',
    'application/javascript',
    'application/x-ecmascript',
    'application/x-javascript',
    'text/ecmascript',
    'text/javascript',
    'text/javascript1.0',
    'text/javascript1.1',
    'text/javascript1.2',
    'text/javascript1.3',
    'text/javascript1.4',
    'text/javascript1.5',
    'text/jscript',
    'text/livescript',
    'text/x-ecmascript',
    'text/x-javascript',
  ];
  for (const contentType of js) {
    const refused = await callRoute<Refusal>(wide, 'post', { filename: 'x.mjs', contentType, size: 100 }, 400, ALICE);
    assert.equal(refused.error.code, 'TYPE_NOT_ALLOWED', contentType);
    await callRoute(wide, 'multipart/create', { filename: 'x.mjs', contentType, size: MIN_PART_SIZE }, 400, ALICE);
  }
  // The passive types of the same families still pass.
  await callRoute(wide, 'post', { filename: 'x.txt', contentType: 'text/plain', size: 100 }, 200, ALICE);
  await callRoute(wide, 'post', { filename: 'x.json', contentType: 'application/json', size: 100 }, 200, ALICE);
});

test('finished uploads answer as finished (#17, item 6): abort after complete and sign-parts after abort or complete are 404 NO_SUCH_UPLOAD; the object stays', async () => {
  const data = randomBytes(1000);
  const done = await alice<MultipartTarget>('multipart/create', {
    filename: 'fin.bin',
    size: data.length,
    contentType: 'application/octet-stream',
  });
  const etags = await sendParts(handler, done, data, ALICE);
  await alice('multipart/complete', { ...named(done), parts: etags });
  assert.equal((await alice<Refusal>('multipart/abort', named(done), 404)).error.code, 'NO_SUCH_UPLOAD');
  assert.equal(
    (await alice<Refusal>('multipart/sign-parts', { ...named(done), partNumbers: [1] }, 404)).error.code,
    'NO_SUCH_UPLOAD',
  );
  assert.ok(Buffer.from(await (await ctx.conn.getObject(done.key)).bytes()).equals(data), 'the completed object stays');

  const gone = await alice<MultipartTarget>('multipart/create', {
    filename: 'gone.bin',
    size: 1000,
    contentType: 'application/octet-stream',
  });
  await alice('multipart/abort', named(gone));
  assert.equal(
    (await alice<Refusal>('multipart/sign-parts', { ...named(gone), partNumbers: [1] }, 404)).error.code,
    'NO_SUCH_UPLOAD',
  );
});

test('a token in another spelling of its MAC (base64 padding, other trailing bits): 403 (#17, item 6)', async () => {
  const upload = await alice<MultipartTarget>('multipart/create', {
    filename: 'spell.bin',
    size: 1000,
    contentType: 'application/octet-stream',
  });
  await alice('multipart/list-parts', named(upload));
  for (const token of [`${upload.token}=`, `${upload.token}==`]) {
    assert.equal(
      (await alice<Refusal>('multipart/list-parts', { ...named(upload), token }, 403)).error.code,
      'FORBIDDEN',
      token.slice(-3),
    );
  }
  await alice('multipart/abort', named(upload));
});

test('HTML, even listed exactly, is never served inline: stored and linked as a download, and the form cannot drop it', async () => {
  const html = '<!doctype html><script>alert(document.domain)</script>';
  const post = await alice<PostTarget>('post', { filename: 'page.html', contentType: 'text/html', size: html.length });
  const { 'Content-Disposition': disposition, ...withoutDisposition } = post.fields;
  assert.equal(disposition, "attachment; filename*=UTF-8''page.html");
  assert.equal((await sendForm(post, html, withoutDisposition)).status, 403, 'the policy requires the field');
  assert.equal((await sendForm(post, html)).status, 201);
  await alice('post/complete', { key: post.key, token: post.token, md5: md5Of(html) });
  assert.equal((await fetch(`${ctx.conn.endpoint}/${ctx.bucket}/${post.key}`)).status, 403, 'the bucket is not public');
  const viaHandler = await callRoute<{ url: string }>(createUploadHandler(options({ authorize: () => true })), 'get', {
    key: post.key,
  });
  const served = await fetch(viaHandler.url);
  assert.equal(served.headers.get('content-disposition'), "attachment; filename*=UTF-8''page.html");
  assert.equal(await served.text(), html);
  // RGW 16 drops a POST form's Content-Disposition field (AWS stores it): post/complete gives it
  // to the object in place, so any link to it, even a bare presigned GET, downloads (#17, item 7).
  const stored = await ctx.conn.headObject(post.key);
  assert.equal(stored.contentDisposition, "attachment; filename*=UTF-8''page.html");
  assert.equal(stored.contentType, 'text/html');
  const bare = await fetch(await ctx.conn.presignedGetUrl(post.key, { expiresIn: 60 }));
  assert.equal(bare.headers.get('content-disposition'), "attachment; filename*=UTF-8''page.html");
  assert.equal(await bare.text(), html, 'the bytes are the same');
});

test('setObjectHeaders: the headers rewritten in place, bytes and metadata kept; an ifMatch the object no longer has changes nothing (OBJECT_CHANGED)', async () => {
  await ctx.conn.uploadObject('body', 'headers/x.txt', { contentType: 'text/plain', metadata: { owner: 'ada' } });
  const before = await ctx.conn.headObject('headers/x.txt');
  const after = await ctx.conn.setObjectHeaders('headers/x.txt', {
    contentDisposition: 'attachment',
    cacheControl: 'no-cache',
  });
  assert.deepEqual(
    [after.contentDisposition, after.cacheControl, after.contentType, after.metadata, after.etag],
    ['attachment', 'no-cache', 'text/plain', { owner: 'ada' }, before.etag],
  );
  // What it answers is what a HEAD now says (built from the copy's answer, with no HEAD of its own).
  const now = await ctx.conn.headObject('headers/x.txt');
  assert.deepEqual(
    { ...after, lastModified: after.lastModified?.getTime() },
    { ...now, lastModified: now.lastModified?.getTime() },
  );
  assert.equal(await (await ctx.conn.getObject('headers/x.txt')).text(), 'body');
  await assert.rejects(
    ctx.conn.setObjectHeaders('headers/x.txt', {
      contentType: 'text/html',
      ifMatch: '"00000000000000000000000000000000"',
    }),
    { code: 'OBJECT_CHANGED' },
  );
  assert.equal((await ctx.conn.headObject('headers/x.txt')).contentType, 'text/plain');
});

test('a PNG that is not a PNG: CONTENT_MISMATCH at completion, and the file is deleted', async () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>';
  const post = await alice<PostTarget>('post', { filename: 'cat.png', contentType: 'image/png', size: svg.length });
  assert.equal((await sendForm(post, svg)).status, 201, 'S3 cannot tell');
  const refused = await alice<Refusal>('post/complete', { key: post.key, token: post.token, md5: md5Of(svg) }, 400);
  assert.equal(refused.error.code, 'CONTENT_MISMATCH');
  await assert.rejects(ctx.conn.headObject(post.key), { code: 'NO_SUCH_KEY' });

  const data = randomBytes(MIN_PART_SIZE + 10);
  const upload = await alice<MultipartTarget>('multipart/create', {
    filename: 'big.png',
    contentType: 'image/png',
    size: data.length,
    partSize: MIN_PART_SIZE,
  });
  const parts = await sendParts(handler, upload, data, ALICE);
  assert.equal(
    (await alice<Refusal>('multipart/complete', { ...named(upload), parts }, 400)).error.code,
    'CONTENT_MISMATCH',
  );
  await assert.rejects(ctx.conn.headObject(upload.key), { code: 'NO_SUCH_KEY' });

  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(40)]);
  const real = await alice<PostTarget>('post', { filename: 'real.png', contentType: 'image/png', size: png.length });
  assert.equal((await sendForm(real, png)).status, 201);
  assert.equal(
    (await alice<{ size: number }>('post/complete', { key: real.key, token: real.token, md5: md5Of(png) })).size,
    png.length,
  );
});

test('authorize runs first: a caller it refuses learns no rule, and nothing is signed', async () => {
  const anonymous = (route: string, body: unknown) => callRoute<Refusal>(handler, route, body, 401);
  await anonymous('post', { filename: 'x.svg', contentType: 'image/svg+xml', size: 10 ** 12 });
  await anonymous('multipart/create', { filename: 'x.exe', contentType: 'application/x-msdownload', size: 10 ** 12 });
  await anonymous('get', { key: 'uploads/../private/secret.txt' });
  await anonymous('multipart/sign-parts', { key: 'uploads/x', uploadId: 'u', partNumbers: [99999] });
});
