/**
 * One handler, named routes: each with its own rules, authorize and onUploadComplete, chosen by
 * the `route` every call names, and tokens that one route issues refused by every other. No
 * storage: the connection points where nothing listens, and the tokens are signed here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Connection, policyDecode } from '../../../src/index.js';
import { createUploadHandler, type ErrorBody, type UploadAction } from '../../../src/server/index.js';
import { rulesFingerprint, signToken } from '../../../src/server/token.js';
import { resolveRules } from '../../../src/server/rules.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE, invalid } from '../helpers.js';

const SECRET = new Uint8Array(32).fill(9);
const connection = new S3Connection({
  accessKeyId: ACCESS_KEY_ID,
  secretAccessKey: SECRET_ACCESS_KEY,
  endpoint: UNREACHABLE,
  bucket: 'uploads-bucket',
});
const avatars = { maxSize: 5_000_000, allowedTypes: ['image/*'], keyPrefix: 'avatars/' };
const documents = { maxSize: 50_000_000, allowedTypes: ['application/pdf'], keyPrefix: 'documents/' };

const seen: UploadAction[] = [];
const handler = createUploadHandler({
  connection,
  secret: SECRET,
  basePath: '/api/uploads',
  authorize: (_request, action) => (seen.push(action), true),
  routes: {
    avatars: { rules: avatars },
    documents: {
      rules: documents,
      authorize: (_request, action) => (
        seen.push({ ...action, operation: action.operation }),
        { identity: 'doc-user' }
      ),
    },
  },
});

/** A JSON POST to `path` of `on`. */
const send = (on: (request: Request) => Promise<Response>, path: string, body: Record<string, unknown>) =>
  on(
    new Request(`http://app.test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
const call = (operation: string, body: Record<string, unknown>) => send(handler, `/api/uploads/${operation}`, body);

async function answer<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  return JSON.parse(text) as T;
}

const png = { filename: 'me.png', contentType: 'image/png', size: 1000 };
const pdf = { filename: 'cv.pdf', contentType: 'application/pdf', size: 1000 };

test('each route signs under its own rules: a PNG goes through avatars, not documents; a 10 MB PDF through documents, not avatars', async () => {
  const post = await answer<{ key: string; fields: Record<string, string> }>(
    await call('post', { ...png, route: 'avatars' }),
    200,
  );
  assert.match(post.key, /^avatars\/[0-9a-f-]{36}\/me\.png$/);
  assert.deepEqual(
    (JSON.parse(policyDecode(post.fields['policy']!)) as { conditions: unknown[] }).conditions.find(
      (c) => Array.isArray(c) && c[0] === 'content-length-range',
    ),
    ['content-length-range', 1000, 1000],
  );
  assert.equal(
    (await answer<ErrorBody>(await call('post', { ...png, route: 'documents' }), 400)).error.code,
    'TYPE_NOT_ALLOWED',
  );

  const big = { ...pdf, size: 10_000_000 };
  assert.match(
    (await answer<{ key: string }>(await call('post', { ...big, route: 'documents' }), 200)).key,
    /^documents\//,
  );
  assert.equal(
    (await answer<ErrorBody>(await call('post', { ...big, route: 'avatars' }), 400)).error.code,
    'TYPE_NOT_ALLOWED',
  );
  assert.equal(
    (await answer<ErrorBody>(await call('post', { ...png, size: 6_000_000, route: 'avatars' }), 400)).error.code,
    'TOO_LARGE',
  );
});

test('a route left out is 400 naming the routes; an unknown one, or one that is not a string, 404; the handler lists its routes', async () => {
  const missing = (await answer<ErrorBody>(await call('post', png), 400)).error;
  assert.deepEqual([missing.code, missing.field], ['INVALID_INPUT', 'route']);
  assert.match(missing.message, /avatars, documents/);
  for (const route of ['banners', 7, '', '__proto__', 'constructor']) {
    const refused = (await answer<ErrorBody>(await call('post', { ...png, route }), 404)).error;
    assert.deepEqual([refused.code, refused.field], ['NOT_FOUND', 'route'], String(route));
  }
  assert.deepEqual(handler.routes, ['avatars', 'documents']);
});

test('a handler given `rules` has no named routes: a call naming one is 404, and its routes are none', async () => {
  const single = createUploadHandler({ connection, secret: SECRET, rules: avatars });
  assert.deepEqual(single.routes, []);
  const refused = (await answer<ErrorBody>(await send(single, '/post', { ...png, route: 'avatars' }), 404)).error;
  assert.deepEqual([refused.code, refused.field], ['NOT_FOUND', 'route']);
});

test("authorize sees the route; a route's own authorize replaces the handler's, and its identity binds the token", async () => {
  seen.length = 0;
  await answer(await call('post', { ...png, route: 'avatars' }), 200);
  await answer(await call('post', { ...pdf, route: 'documents' }), 200);
  assert.deepEqual(
    seen.map((a) => [a.operation, a.route]),
    [
      ['post', 'avatars'],
      ['post', 'documents'],
    ],
  );
});

test('a token of one route is refused (403) by another, even with the same rules, and by the same rules under no route', async () => {
  const twins = createUploadHandler({
    connection,
    secret: SECRET,
    basePath: '/api/uploads',
    routes: { left: { rules: avatars }, right: { rules: avatars } },
  });
  const token = signToken(SECRET, {
    kind: 'post',
    key: 'avatars/k/me.png',
    size: 1000,
    contentType: 'image/png',
    filename: 'me.png',
    rules: rulesFingerprint(resolveRules(avatars), '/api/uploads', 'left'),
    expires: Math.floor(Date.now() / 1000) + 600,
  });
  const complete = (on: (request: Request) => Promise<Response>, route: string | undefined) =>
    send(on, '/api/uploads/post/complete', { key: 'avatars/k/me.png', token, md5: 'AAAAAAAAAAAAAAAAAAAAAA==', route });
  assert.equal((await answer<ErrorBody>(await complete(twins, 'right'), 403)).error.code, 'FORBIDDEN');
  const single = createUploadHandler({ connection, secret: SECRET, basePath: '/api/uploads', rules: avatars });
  assert.equal((await answer<ErrorBody>(await complete(single, undefined), 403)).error.code, 'FORBIDDEN');
  // On its own route it gets past the token, to the store (which cannot be reached here).
  assert.equal((await complete(twins, 'left')).status, 502);
});

test("options: rules or routes, not both nor neither; route names and each route's rules and callbacks are checked, with the route in the field", () => {
  const refuses = (options: unknown, field: string) =>
    assert.throws(() => createUploadHandler(options as Parameters<typeof createUploadHandler>[0]), invalid(field));
  refuses({ connection, rules: avatars, routes: { a: { rules: avatars } } }, 'routes');
  refuses({ connection }, 'rules');
  refuses({ connection, routes: {} }, 'routes');
  refuses({ connection, routes: [] }, 'routes');
  refuses({ connection, routes: { 'a b': { rules: avatars } } }, 'routes.a b');
  refuses({ connection, routes: { ['x'.repeat(65)]: { rules: avatars } } }, `routes.${'x'.repeat(65)}`);
  refuses({ connection, routes: { a: null } }, 'routes.a');
  refuses({ connection, routes: { a: { rules: { maxSize: 0 } } } }, 'routes.a.rules.maxSize');
  refuses({ connection, routes: { a: { rules: avatars, authorize: 'yes' } } }, 'routes.a.authorize');
  refuses({ connection, routes: { a: { rules: avatars, onUploadComplete: 1 } } }, 'routes.a.onUploadComplete');
});

test("authorize allowing with an identity that is not a string is the app's bug: 500 INTERNAL, and why to onError", async () => {
  const errors: unknown[] = [];
  const buggy = createUploadHandler({
    connection,
    secret: SECRET,
    rules: avatars,
    authorize: () => ({ identity: 42 as unknown as string }),
    onError: (e) => errors.push(e),
  });
  const refused = (await answer<ErrorBody>(await send(buggy, '/post', png), 500)).error;
  assert.equal(refused.code, 'INTERNAL');
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /identity that is not a string \(number\)/);
});
