/**
 * The pure pieces of the handler's defences: tokens, key shapes, content types and the part
 * plan, and what the handler signs from them (read back from the POST policy). No storage: the
 * connection points where nothing listens. The attacks themselves run against RGW in
 * test/rgw/upload-handler-attacks.test.ts.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { S3Connection, policyDecode } from '../../../src/index.js';
import {
  createUploadHandler,
  typeAllowed,
  servedInline,
  attachmentDisposition,
  type UploadHandlerOptions,
  type ErrorBody,
} from '../../../src/server/index.js';
import { signToken, verifyToken, type UploadGrant } from '../../../src/server/token.js';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
import { keyShapeProblem, keyMatchesTemplate } from '../../../src/server/keys.js';
import { planParts, partLength } from '../../../src/server/parts.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE } from '../helpers.js';

const KEY = new Uint8Array(32).fill(1);
const grant: UploadGrant = {
  kind: 'post',
  key: 'uploads/a/b.png',
  size: 10,
  contentType: 'image/png',
  filename: 'b.png',
  rules: 'fingerprint',
  expires: 2_000_000_000,
};

describe('upload tokens', () => {
  test('round-trip: what was granted comes back', () => {
    assert.deepEqual(verifyToken(KEY, signToken(KEY, grant), 1_900_000_000), {
      ...grant,
      uploadId: undefined,
      partSize: undefined,
      identity: undefined,
    });
  });
  test('refused: another key, an edited payload, a cut or padded MAC, expired, not a string', () => {
    const token = signToken(KEY, grant);
    const [v, payload, mac] = token.split('.') as [string, string, string];
    const edited = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('"s":10', '"s":99999999')).toString(
      'base64url',
    );
    const refused: unknown[] = [
      signToken(new Uint8Array(32).fill(2), grant),
      `${v}.${edited}.${mac}`,
      `${v}.${payload}.${mac.slice(0, -2)}`,
      `${v}.${payload}.${mac}AA`,
      // Other spellings of the same MAC bytes: one encoding only (#17, item 6).
      `${v}.${payload}.${mac}=`,
      `${v}.${payload}.${mac}==`,
      `${v}.${payload}.${mac.slice(0, -1)}${B64URL[B64URL.indexOf(mac.at(-1)!) ^ 1]}`,
      `${v}.${payload}.${mac.replace(/-/g, '+').replace(/_/g, '/')}${/[-_]/.test(mac) ? '' : '='}`,
      `v2.${payload}.${mac}`,
      `${token}.x`,
      '',
      undefined,
      42,
    ];
    for (const t of refused) assert.equal(verifyToken(KEY, t, 1_900_000_000), undefined, String(t));
    assert.equal(verifyToken(KEY, token, 2_000_000_000), undefined, 'expired at its second');
  });
  test('carries no secret: the payload is the grant, readable', () => {
    const payload = JSON.parse(Buffer.from(signToken(KEY, grant).split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    assert.deepEqual(payload, {
      v: 1,
      o: 'post',
      k: 'uploads/a/b.png',
      t: 'image/png',
      f: 'b.png',
      r: 'fingerprint',
      e: 2_000_000_000,
      s: 10,
    });
  });
});

describe('key shapes a client may not name', () => {
  const bad: Array<[string, RegExp]> = [
    ['uploads/../secret.txt', /"\." or "\.\." segment/],
    ['uploads/./a', /segment/],
    ['uploads/a/..', /segment/],
    ['uploads//a', /"\/\/"/],
    ['/uploads/a', /starts with "\/"/],
    ['uploads/a\nb', /control/],
    ['uploads/a\u0000', /control/],
  ];
  for (const [key, why] of bad) test(JSON.stringify(key), () => assert.match(keyShapeProblem(key) ?? '', why));
  test('ordinary keys, dots inside names included', () => {
    for (const key of ['uploads/a/b.png', 'uploads/a..b/c', 'uploads/.hidden', 'uploads/x/...'])
      assert.equal(keyShapeProblem(key), undefined, key);
  });
  test('a ${filename} template matches one more segment, nothing else', () => {
    assert.ok(keyMatchesTemplate('u/1/cat.png', 'u/1/${filename}'));
    assert.ok(!keyMatchesTemplate('u/1/a/cat.png', 'u/1/${filename}'));
    assert.ok(!keyMatchesTemplate('u/1/', 'u/1/${filename}'));
    assert.ok(!keyMatchesTemplate('u/2/cat.png', 'u/1/${filename}'));
    assert.ok(keyMatchesTemplate('u/1/cat.png', 'u/1/cat.png') && !keyMatchesTemplate('u/1/cat.pn', 'u/1/cat.png'));
  });
});

describe('content types', () => {
  test('wildcards, and no list at all, never admit active content', () => {
    for (const type of [
      'image/svg+xml',
      'text/html',
      'application/xhtml+xml',
      'text/xml',
      'application/xml',
      'text/javascript',
      'application/javascript',
      'application/rss+xml',
    ]) {
      const family = type.slice(0, type.indexOf('/'));
      assert.ok(!typeAllowed(type, [`${family}/*`]), `${family}/* admits ${type}`);
      assert.ok(!typeAllowed(type, ['*/*']), `*/* admits ${type}`);
      assert.ok(!typeAllowed(type, undefined), `no list admits ${type}`);
      assert.ok(typeAllowed(type, [type]), `an exact entry admits ${type}`);
    }
    assert.ok(!typeAllowed('Text/HTML; charset=utf-8', ['text/*']));
  });
  test('inline only for passive types; PDF is a download', () => {
    for (const type of [
      'image/png',
      'image/jpeg',
      'image/gif',
      'image/webp',
      'image/avif',
      'video/mp4',
      'audio/mpeg',
      'text/plain',
      'TEXT/PLAIN; charset=utf-8',
    ])
      assert.ok(servedInline(type), type);
    for (const type of [
      'application/pdf',
      'image/svg+xml',
      'text/html',
      'application/octet-stream',
      'application/json',
      'text/csv',
      'application/zip',
    ])
      assert.ok(!servedInline(type), type);
  });
  test("attachment; filename*=UTF-8'' with RFC 8187 escapes", () => {
    assert.equal(attachmentDisposition('report.pdf'), "attachment; filename*=UTF-8''report.pdf");
    assert.equal(
      attachmentDisposition("uploads/x/Résumé (final) it's*.pdf"),
      "attachment; filename*=UTF-8''R%C3%A9sum%C3%A9%20%28final%29%20it%27s%2A.pdf",
    );
    assert.equal(attachmentDisposition('a"b;\r\nc.html'), "attachment; filename*=UTF-8''a%22b%3Bc.html");
  });
});

describe('the part plan', () => {
  const MiB = 1024 * 1024;
  test('8 MiB by default, 5 MiB at least, raised to keep within 10000 parts', () => {
    assert.deepEqual(planParts(20 * MiB), { partSize: 8 * MiB, partCount: 3 });
    assert.deepEqual(planParts(20 * MiB, 1), { partSize: 5 * MiB, partCount: 4 });
    assert.deepEqual(planParts(100_000 * MiB), { partSize: 10 * MiB, partCount: 10_000 });
    assert.deepEqual(planParts(1), { partSize: 8 * MiB, partCount: 1 });
  });
  test('every part but the last has partSize bytes', () => {
    assert.deepEqual(
      [1, 2, 3].map((n) => partLength(20 * MiB, 8 * MiB, n)),
      [8 * MiB, 8 * MiB, 4 * MiB],
    );
  });
});

describe('what the handler signs', () => {
  const connection = new S3Connection({
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    endpoint: UNREACHABLE,
    bucket: 'uploads-bucket',
  });
  const make = (options: Partial<UploadHandlerOptions> = {}) =>
    createUploadHandler({
      connection,
      rules: { maxSize: 1_000_000, allowedTypes: ['image/*', 'application/pdf', 'image/svg+xml'] },
      ...options,
    });
  const post = async (handler: ReturnType<typeof make>, body: unknown) => {
    const response = await handler(
      new Request('http://app.test/post', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );
    return {
      status: response.status,
      body: (await response.json()) as {
        key: string;
        token: string;
        fields: Record<string, string>;
        error?: ErrorBody['error'];
      },
    };
  };

  test('a PDF (and an SVG listed exactly) is signed as a download; a PNG is not', async () => {
    const handler = make();
    for (const [filename, contentType, disposition] of [
      ['Report 1.pdf', 'application/pdf', "attachment; filename*=UTF-8''Report%201.pdf"],
      ['logo.svg', 'image/svg+xml', "attachment; filename*=UTF-8''logo.svg"],
      ['cat.png', 'image/png', undefined],
    ] as const) {
      const { body } = await post(handler, { filename, contentType, size: 10 });
      assert.equal(body.fields['Content-Disposition'], disposition, filename);
      const policy = JSON.parse(policyDecode(body.fields['policy']!)) as { conditions: unknown[] };
      assert.equal(
        policy.conditions.some((c) => JSON.stringify(c) === JSON.stringify({ 'Content-Disposition': disposition })),
        disposition !== undefined,
        'the policy pins it',
      );
    }
  });

  test('every answer that starts an upload carries a token bound to its key, size and type', async () => {
    const { body } = await post(make({ secret: KEY }), { filename: 'cat.png', contentType: 'image/png', size: 10 });
    const held = verifyToken(KEY, body.token);
    assert.equal(held?.key, body.key);
    assert.equal(held?.size, 10);
    assert.equal(held?.contentType, 'image/png');
    assert.ok(held!.expires > Date.now() / 1000 + 86000, 'a day to finish by default');
  });

  test('the default token key is derived from the connection: the same on two servers, another with other credentials', async () => {
    const body = { filename: 'cat.png', contentType: 'image/png', size: 10 };
    const token = (await post(make(), body)).body.token;
    const twin = new S3Connection({
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      endpoint: UNREACHABLE,
      bucket: 'uploads-bucket',
    });
    assert.ok(verifyToken(await twin.deriveKey('upload tokens for bucket uploads-bucket'), token));
    const other = new S3Connection({
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: 'another-secret-key-entirely',
      endpoint: UNREACHABLE,
      bucket: 'uploads-bucket',
    });
    assert.equal(verifyToken(await other.deriveKey('upload tokens for bucket uploads-bucket'), token), undefined);
  });

  test('makeKey outside keyPrefix, with a ".." segment, or with ${filename}: a 500, the reason to onError only', async () => {
    for (const [made, why] of [
      ['other/42/cat.png', /outside rules.keyPrefix "uploads\/"/],
      ['uploads/42/../../cat.png', /segment/],
      ['uploads/42/${filename}', /allowFilenameVariable/],
    ] as const) {
      const errors: unknown[] = [];
      const handler = createUploadHandler({
        connection,
        rules: { maxSize: 100, makeKey: () => made },
        onError: (e) => errors.push(e),
      });
      const { status, body } = await post(handler, { filename: 'cat.png', contentType: 'image/png', size: 10 });
      assert.equal(status, 500);
      assert.doesNotMatch(body.error!.message, /makeKey|uploads/);
      assert.match(String(errors[0]), why);
    }
  });

  test('${filename} at the end of a key only with allowFilenameVariable; the handler fills it in with the cleaned name, and the policy binds that exact key (#17, item 2)', async () => {
    const handler = createUploadHandler({
      connection,
      rules: { maxSize: 100, allowFilenameVariable: true, makeKey: () => 'uploads/42/${filename}' },
    });
    const { status, body } = await post(handler, {
      filename: '../../etc/cat photo.png',
      contentType: 'image/png',
      size: 10,
    });
    assert.equal(status, 200);
    assert.equal(body.key, 'uploads/42/cat-photo.png');
    assert.equal(body.fields['key'], 'uploads/42/cat-photo.png');
    const policy = JSON.parse(policyDecode(body.fields['policy']!)) as { conditions: unknown[] };
    assert.ok(
      !policy.conditions.some((c) => Array.isArray(c) && c[0] === 'starts-with' && c[1] === '$key'),
      'no starts-with on the key: the client chooses none of it',
    );
    assert.ok(policy.conditions.some((c) => JSON.stringify(c) === JSON.stringify({ key: 'uploads/42/cat-photo.png' })));
  });

  test('client keys with "..", "//", a leading "/" or control characters: 400 before any storage call', async () => {
    const handler = make({ authorize: () => true });
    for (const key of ['uploads/../private/x', 'uploads//x', '/uploads/x', 'uploads/x\n']) {
      const response = await handler(
        new Request('http://app.test/get', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ key }),
        }),
      );
      assert.equal(response.status, 400, key);
      assert.equal(((await response.json()) as ErrorBody).error.field, 'key');
    }
  });
});
