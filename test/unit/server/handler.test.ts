/**
 * The upload handler's decisions that need no storage: requests it refuses (with which status and
 * code), and the presigned POST it signs, read back from its policy. Its connection points at a
 * port where nothing listens, so any request to storage would fail loudly. post/complete's check
 * of the client's MD5 runs against a one-object store in memory, which records every call.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3Connection, policyDecode } from '../../../src/index.js';
import { createUploadHandler, type UploadHandlerOptions, type ErrorBody } from '../../../src/server/index.js';
import { rulesFingerprint, signToken } from '../../../src/server/token.js';
import { resolveRules } from '../../../src/server/rules.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE, invalid } from '../helpers.js';

const SECRET = new Uint8Array(32).fill(7);

const connection = new S3Connection({
  accessKeyId: ACCESS_KEY_ID,
  secretAccessKey: SECRET_ACCESS_KEY,
  endpoint: UNREACHABLE,
  bucket: 'uploads-bucket',
});
const rules = { maxSize: 1_000_000, allowedTypes: ['image/*', 'application/pdf'] };
/** What the handlers below bind their tokens to (tokens are signed here, without the network). */
const RULES = rulesFingerprint(resolveRules(rules), '/api/uploads');

function handlerWith(options: Partial<UploadHandlerOptions> = {}) {
  return createUploadHandler({ connection, rules, basePath: '/api/uploads', ...options });
}

function call(route: string, body: unknown, init: RequestInit = {}) {
  return new Request(`http://app.test/api/uploads/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

async function refusal(response: Response, status: number, code: string) {
  assert.equal(response.status, status, await response.clone().text());
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = (await response.json()) as ErrorBody;
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.length > 10, 'a message that says what is wrong');
  return body.error;
}

describe('refused with a JSON error', () => {
  const handler = handlerWith();
  test('malformed JSON: 400 BAD_JSON', async () => {
    await refusal(await handler(call('post', '{"filename": ')), 400, 'BAD_JSON');
  });
  test('a JSON array: 400 BAD_JSON', async () => {
    await refusal(await handler(call('post', '[]')), 400, 'BAD_JSON');
  });
  test('missing filename: 400 INVALID_INPUT on "filename"', async () => {
    const error = await refusal(
      await handler(call('post', { contentType: 'image/png', size: 10 })),
      400,
      'INVALID_INPUT',
    );
    assert.equal(error.field, 'filename');
  });
  test('a type outside allowedTypes: 400 TYPE_NOT_ALLOWED', async () => {
    const error = await refusal(
      await handler(call('post', { filename: 'a.exe', contentType: 'application/x-msdownload', size: 10 })),
      400,
      'TYPE_NOT_ALLOWED',
    );
    assert.match(error.message, /image\/\*, application\/pdf/);
  });
  test('no type at all counts as application/octet-stream, which is not allowed here', async () => {
    await refusal(await handler(call('post', { filename: 'a.bin', size: 10 })), 400, 'TYPE_NOT_ALLOWED');
  });
  test('a declared size over maxSize: 400 TOO_LARGE', async () => {
    const error = await refusal(
      await handler(call('post', { filename: 'big.png', contentType: 'image/png', size: 1_000_001 })),
      400,
      'TOO_LARGE',
    );
    assert.match(error.message, /1000001 bytes, over the limit of 1000000/);
  });
  test('a size that is not a whole number: 400', async () => {
    await refusal(
      await handler(call('post', { filename: 'a.png', contentType: 'image/png', size: -1 })),
      400,
      'INVALID_INPUT',
    );
  });
  test('multipart needs the size', async () => {
    await refusal(
      await handler(call('multipart/create', { filename: 'a.png', contentType: 'image/png' })),
      400,
      'INVALID_INPUT',
    );
  });
  test("part numbers beyond the upload's plan", async () => {
    // 6 MiB in 5 MiB parts: two parts.
    const big = { ...rules, maxSize: 10 * 1024 * 1024 };
    const token = signToken(SECRET, {
      kind: 'multipart',
      key: 'uploads/x/a.png',
      uploadId: 'u',
      size: 6 * 1024 * 1024,
      partSize: 5 * 1024 * 1024,
      contentType: 'image/png',
      filename: 'a.png',
      rules: rulesFingerprint(resolveRules(big), '/api/uploads'),
      expires: Date.now() / 1000 + 60,
    });
    const withSecret = handlerWith({ secret: SECRET, rules: big });
    const error = await refusal(
      await withSecret(
        call('multipart/sign-parts', { key: 'uploads/x/a.png', uploadId: 'u', token, partNumbers: [1, 3] }),
      ),
      400,
      'INVALID_INPUT',
    );
    assert.match(error.message, /parts 1 to 2/);
  });
  test('not JSON: 415', async () => {
    await refusal(
      await handler(
        call('post', 'filename=a.png', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      ),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });
  test('GET: 405 with Allow: POST', async () => {
    const response = await handler(new Request('http://app.test/api/uploads/post'));
    assert.equal(response.headers.get('allow'), 'POST');
    await refusal(response, 405, 'METHOD_NOT_ALLOWED');
  });
  test('an unknown route, or one outside basePath: 404', async () => {
    await refusal(await handler(call('nope', {})), 404, 'NOT_FOUND');
    await refusal(await handler(new Request('http://app.test/post', { method: 'POST' })), 404, 'NOT_FOUND');
    await refusal(await handler(call('toString', {})), 404, 'NOT_FOUND');
  });
  test('a body over 1 MiB: 413', async () => {
    await refusal(
      await handler(call('post', JSON.stringify({ filename: 'x'.repeat(1_100_000) }))),
      413,
      'BODY_TOO_LARGE',
    );
  });
  test('a key outside keyPrefix: 403', async () => {
    await refusal(
      await handler(call('multipart/abort', { key: 'private/report.pdf', uploadId: 'u' })),
      403,
      'FORBIDDEN',
    );
  });
  test('presigned GET and DELETE are off without authorize', async () => {
    await refusal(await handler(call('get', { key: 'uploads/a/b.png' })), 403, 'FORBIDDEN');
    await refusal(await handler(call('delete', { key: 'uploads/a/b.png' })), 403, 'FORBIDDEN');
  });
});

describe('authorize', () => {
  test('false refuses with 403, { status: 401 } with 401, and sees what is asked', async () => {
    const seen: unknown[] = [];
    const handler = handlerWith({
      authorize: (request, action) => {
        seen.push(action);
        if (!request.headers.get('authorization')) return { status: 401, message: 'sign in to upload' };
        return false;
      },
    });
    const error = await refusal(
      await handler(call('post', { filename: 'a.png', contentType: 'image/png', size: 5 })),
      401,
      'UNAUTHORIZED',
    );
    assert.equal(error.message, 'sign in to upload');
    await refusal(
      await handler(
        call(
          'post',
          { filename: 'a.png', contentType: 'image/png', size: 5 },
          { headers: { 'content-type': 'application/json', authorization: 'Bearer x' } },
        ),
      ),
      403,
      'FORBIDDEN',
    );
    assert.deepEqual(seen[0], { operation: 'post', file: { filename: 'a.png', contentType: 'image/png', size: 5 } });
  });

  test('runs before any rule is checked: a refused caller learns no rule', async () => {
    const handler = handlerWith({ authorize: () => ({ status: 401 }) });
    const asks: Array<[string, unknown]> = [
      ['post', { filename: 'a.exe', contentType: 'application/x-msdownload', size: 10 }],
      ['post', { filename: 'big.png', contentType: 'image/png', size: 1e9 }],
      ['multipart/create', { filename: 'big.png', contentType: 'text/html', size: 1e12 }],
      ['get', { key: 'private/report.pdf' }],
      ['multipart/abort', { key: '../x', uploadId: 'u', token: 'forged' }],
    ];
    for (const [route, body] of asks) await refusal(await handler(call(route, body)), 401, 'UNAUTHORIZED');
  });
});

describe('a presigned POST that carries the rules', () => {
  test('the server makes the key, and the policy pins size and type', async () => {
    const handler = handlerWith();
    const response = await handler(
      call('post', { filename: '../../etc/pass wd.png', contentType: 'image/png', size: 1234 }),
    );
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const post = (await response.json()) as {
      key: string;
      url: string;
      fields: Record<string, string>;
      expiresIn: number;
    };
    assert.match(post.key, /^uploads\/[0-9a-f-]{36}\/pass-wd\.png$/);
    assert.equal(post.fields['key'], post.key);
    assert.equal(post.fields['Content-Type'], 'image/png');
    assert.equal(post.expiresIn, 600);
    const policy = JSON.parse(policyDecode(post.fields['policy']!)) as { conditions: unknown[]; expiration: string };
    assert.deepEqual(policy.conditions.slice(0, 3), [
      ['content-length-range', 1234, 1234],
      { 'Content-Type': 'image/png' },
      { success_action_status: '201' },
    ]);
    assert.ok(Math.abs(Date.parse(policy.expiration) - Date.now() - 600_000) < 5000);
  });

  test('without a declared size the range is 0..maxSize; makeKey decides the key', async () => {
    const handler = handlerWith({
      rules: { ...rules, keyPrefix: 'users/', makeKey: (_request, file) => `users/42/${file.filename}` },
    });
    const post = (await (await handler(call('post', { filename: 'cat.gif', contentType: 'image/gif' }))).json()) as {
      key: string;
      fields: Record<string, string>;
    };
    assert.equal(post.key, 'users/42/cat.gif');
    const policy = JSON.parse(policyDecode(post.fields['policy']!)) as { conditions: unknown[] };
    assert.deepEqual(policy.conditions[0], ['content-length-range', 0, 1_000_000]);
  });

  test('a makeKey that returns a bad key is a 500, told to onError, not to the client', async () => {
    const errors: unknown[] = [];
    const handler = handlerWith({ rules: { ...rules, makeKey: () => '' }, onError: (e) => errors.push(e) });
    const error = await refusal(
      await handler(call('post', { filename: 'cat.gif', contentType: 'image/gif' })),
      500,
      'INTERNAL',
    );
    assert.doesNotMatch(error.message, /makeKey/);
    assert.match(String(errors[0]), /makeKey returned a bad key/);
  });
});

/**
 * A bucket of one object, in memory: just what post/complete calls (HEAD, GET, DELETE), each call
 * recorded. `etag` is what HEAD answers: the bytes' MD5 by default, as S3 and RGW give for a POST.
 */
function storeOf(bytes: Buffer, etag = `"${createHash('md5').update(bytes).digest('hex')}"`) {
  const calls: string[] = [];
  let held: Buffer | undefined = bytes;
  const missing = () => Object.assign(new Error('no such key'), { code: 'NO_SUCH_KEY' });
  const store = {
    bucket: 'uploads-bucket',
    presignedCreateUrl: () => Promise.reject(new Error('not used here')),
    async headObject(key: string) {
      calls.push(`HEAD ${key}`);
      if (!held) throw missing();
      return { key, contentLength: held.length, contentType: 'image/png', etag };
    },
    async getObject(key: string, options?: { range?: { start: number; end: number } }) {
      calls.push(options?.range ? `GET ${key} ${options.range.start}-${options.range.end}` : `GET ${key}`);
      if (!held) throw missing();
      const body = options?.range ? held.subarray(options.range.start, options.range.end + 1) : held;
      return { body: Readable.from([body]), bytes: async () => new Uint8Array(body) };
    },
    async deleteObject(key: string) {
      calls.push(`DELETE ${key}`);
      held = undefined;
    },
  };
  return { connection: store as unknown as S3Connection, calls, held: () => held };
}

describe('post/complete compares the MD5 the client computed with the bytes stored', () => {
  const KEY = 'uploads/0b6c/cat.png';
  const file = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(2000)]);
  const md5 = createHash('md5').update(file).digest('base64');
  const token = signToken(SECRET, {
    kind: 'post',
    key: KEY,
    size: file.length,
    contentType: 'image/png',
    filename: 'cat.png',
    rules: RULES,
    expires: Date.now() / 1000 + 60,
  });
  /** The stored bytes: the file with one bit flipped at `at`, as a faulty proxy does. */
  const flipped = (at: number) => {
    const bytes = Buffer.from(file);
    bytes[at] = bytes[at]! ^ 0x10;
    return bytes;
  };
  const completing = (connection: S3Connection) => {
    const completed: unknown[] = [];
    const handler = handlerWith({
      connection,
      secret: SECRET,
      onUploadComplete: (_request, upload) => void completed.push(upload),
    });
    return {
      completed,
      complete: (body: Record<string, unknown>) => handler(call('post/complete', { key: KEY, token, ...body })),
    };
  };

  test('the same bytes: completed, and onUploadComplete told once; the ETag settles it, with no read of the whole object', async () => {
    const store = storeOf(file);
    const { completed, complete } = completing(store.connection);
    const response = await complete({ md5 });
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(completed.length, 1);
    assert.deepEqual(store.calls, [`HEAD ${KEY}`, `GET ${KEY} 0-63`], 'the HEAD, then the first bytes for the type');
  });

  test('one bit flipped on the way: 400 CORRUPT, the object deleted, onUploadComplete never told', async () => {
    const store = storeOf(flipped(1000));
    const { completed, complete } = completing(store.connection);
    const error = await refusal(await complete({ md5 }), 400, 'CORRUPT');
    assert.match(error.message, /changed on the way; the file was deleted/);
    assert.equal(store.held(), undefined, 'deleted');
    assert.equal(store.calls.at(-1), `DELETE ${KEY}`);
    assert.deepEqual(completed, []);
  });

  test('a flip in the first bytes is CORRUPT too, not CONTENT_MISMATCH: sending again can work', async () => {
    const store = storeOf(flipped(3));
    const { completed, complete } = completing(store.connection);
    await refusal(await complete({ md5 }), 400, 'CORRUPT');
    assert.equal(store.held(), undefined);
    assert.deepEqual(completed, []);
  });

  test('an ETag that is not the MD5 (SSE-KMS on AWS): the bytes are read and hashed, and good ones complete', async () => {
    const store = storeOf(file, '"9a0364b9e99bb480dd25e1f0284c8555"');
    const { completed, complete } = completing(store.connection);
    const response = await complete({ md5 });
    assert.equal(response.status, 200, await response.clone().text());
    assert.ok(store.calls.includes(`GET ${KEY}`), 'read whole');
    assert.equal(completed.length, 1);
  });

  test('an ETag that is not the MD5, and bytes that are not the file: CORRUPT, deleted', async () => {
    const store = storeOf(flipped(1500), '"9a0364b9e99bb480dd25e1f0284c8555"');
    const { completed, complete } = completing(store.connection);
    await refusal(await complete({ md5 }), 400, 'CORRUPT');
    assert.equal(store.held(), undefined);
    assert.deepEqual(completed, []);
  });

  test('no md5, or not 16 bytes in base64: 400 INVALID_INPUT on "md5", before any storage call (the object is left for a complete that sends it)', async () => {
    for (const body of [
      {},
      { md5: null },
      { md5: createHash('md5').update(file).digest('hex') },
      { md5: md5.slice(0, -2) },
      { md5: `${md5}x` },
      { md5: 'AAAAAAAAAAAAAAAAAAAAAB==' },
    ]) {
      const store = storeOf(file);
      const { completed, complete } = completing(store.connection);
      const error = await refusal(await complete(body), 400, 'INVALID_INPUT');
      assert.equal(error.field, 'md5', JSON.stringify(body));
      assert.deepEqual(store.calls, []);
      assert.deepEqual(completed, []);
    }
  });

  test('the token is checked before the md5: a bad token is 403 whatever the md5', async () => {
    const store = storeOf(file);
    const { complete } = completing(store.connection);
    await refusal(await complete({ token: 'v1.e30.AAAA' }), 403, 'FORBIDDEN');
    assert.deepEqual(store.calls, []);
  });
});

describe('createUploadHandler refuses bad set-ups at once', () => {
  const cases: Array<[string, Partial<UploadHandlerOptions>, string]> = [
    ['no maxSize', { rules: {} as never }, 'rules.maxSize'],
    ['maxSize 0', { rules: { maxSize: 0 } }, 'rules.maxSize'],
    ['a bad type pattern', { rules: { maxSize: 1, allowedTypes: ['image'] } }, 'rules.allowedTypes'],
    ['an empty type list', { rules: { maxSize: 1, allowedTypes: [] } }, 'rules.allowedTypes'],
    ['expiresIn over 7 days', { rules: { maxSize: 1, expiresIn: 604801 } }, 'rules.expiresIn'],
    ['a connection without bucket', { connection: new S3Connection({ endpoint: UNREACHABLE }) }, 'connection'],
    ['a secret under 32 bytes', { secret: 'short' }, 'secret'],
    ['a keyPrefix with a ".." segment', { rules: { maxSize: 1, keyPrefix: 'uploads/../' } }, 'rules.keyPrefix'],
    ['tokenExpiresIn 0', { rules: { maxSize: 1, tokenExpiresIn: 0 } }, 'rules.tokenExpiresIn'],
    ['onUploadComplete not a function', { onUploadComplete: 'yes' as never }, 'onUploadComplete'],
  ];
  for (const [name, options, field] of cases) {
    test(name, () => assert.throws(() => handlerWith(options), invalid(field)));
  }
});
