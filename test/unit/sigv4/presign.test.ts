/**
 * Presigning through S3Connection (and the S3Presigner core) without any server: the URLs and
 * POST policies are checked offline, byte for byte where boto3 fixtures exist.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { S3Connection, S3Presigner, type PostCondition } from '../../../src/index.js';
import { readFixture, repoRoot } from '../../support/fixtures.js';
import * as reference from '../../support/sigv4-reference.js';
import {
  ACCESS_KEY_ID,
  SECRET_ACCESS_KEY,
  UNREACHABLE,
  decodePolicy,
  deepFreeze,
  invalid,
  isCloudSparkError,
} from '../helpers.js';

const signingDate = new Date('2026-11-29T04:30:00Z');
const BUCKET = 'example-bucket';
const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const connection = (extra: Record<string, unknown> = {}) =>
  new S3Connection({ ...credentials, bucket: BUCKET, endpoint: UNREACHABLE, region: 'us-east-1', ...extra });

const BOTO3_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
];
const BOTO3_PARAMS_WITH_TOKEN = [...BOTO3_PARAMS.slice(0, 5), 'X-Amz-Security-Token', 'X-Amz-Signature'];
const params = (url: string) => [...new URL(url).searchParams.keys()];

type Method = 'GET' | 'PUT' | 'DELETE';
const presignWith = (
  c: S3Connection,
  method: Method,
  key: string,
  options?: { expiresIn?: number; signingDate?: Date },
) =>
  method === 'GET'
    ? c.presignedGetUrl(key, options)
    : method === 'PUT'
      ? c.presignedPutUrl(key, options)
      : c.presignedDeleteUrl(key, options);

describe('presigned URLs from S3Connection', () => {
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    test(`${method}: exactly the six X-Amz-* parameters, in boto3's order, and nothing else`, async () => {
      const url = await presignWith(connection(), method, 'photos/cat.jpg', { signingDate });
      assert.deepEqual(params(url), BOTO3_PARAMS);
      assert.doesNotMatch(url, /[?&]x-id=/i);
      assert.doesNotMatch(url, /checksum/i);
      assert.doesNotMatch(url, /x-amz-user-agent|x-amz-content-sha256/i);
      const u = new URL(url);
      assert.equal(`${u.origin}${u.pathname}`, 'http://127.0.0.1:1/example-bucket/photos/cat.jpg');
      assert.equal(u.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
      assert.equal(u.searchParams.get('X-Amz-Credential'), `${ACCESS_KEY_ID}/20261129/us-east-1/s3/aws4_request`);
      assert.equal(u.searchParams.get('X-Amz-Date'), '20261129T043000Z');
      assert.equal(u.searchParams.get('X-Amz-SignedHeaders'), 'host');
      assert.match(u.searchParams.get('X-Amz-Signature')!, /^[0-9a-f]{64}$/);
    });

    test(`${method}: seven parameters with a session token, the token after SignedHeaders as boto3 puts it`, async () => {
      const token = 'IQoJb3JpZ2luX2VjE/+token==';
      const url = await presignWith(connection({ sessionToken: token }), method, 'a.txt', { signingDate });
      assert.deepEqual(params(url), BOTO3_PARAMS_WITH_TOKEN);
      assert.equal(new URL(url).searchParams.get('X-Amz-Security-Token'), token);
      // Percent-encoded the SigV4 way in the URL itself.
      assert.match(url, /X-Amz-Security-Token=IQoJb3JpZ2luX2VjE%2F%2Btoken%3D%3D&/);
    });

    test(`${method}: expiresIn defaults to 3600 and accepts 1 s to 7 days`, async () => {
      const c = connection();
      assert.equal(
        new URL(await presignWith(c, method, 'k', { signingDate })).searchParams.get('X-Amz-Expires'),
        '3600',
      );
      assert.equal(
        new URL(await presignWith(c, method, 'k', { signingDate, expiresIn: 1 })).searchParams.get('X-Amz-Expires'),
        '1',
      );
      assert.equal(
        new URL(await presignWith(c, method, 'k', { signingDate, expiresIn: 604800 })).searchParams.get(
          'X-Amz-Expires',
        ),
        '604800',
      );
      for (const expiresIn of [0, 604801, 1.5, -1]) {
        await assert.rejects(presignWith(c, method, 'k', { expiresIn }), invalid('expiresIn'));
      }
    });
  }

  test('the three methods sign differently, and equal the S3Presigner core for the same inputs', async () => {
    const c = connection();
    const core = new S3Presigner({ bucket: BUCKET, region: 'us-east-1', endpoint: UNREACHABLE });
    const urls = new Set<string>();
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const url = await presignWith(c, method, 'dir/file name.txt', { signingDate, expiresIn: 900 });
      assert.equal(
        url,
        core.presignUrl(credentials, { method, key: 'dir/file name.txt', expiresIn: 900, signingDate }),
      );
      urls.add(new URL(url).searchParams.get('X-Amz-Signature')!);
    }
    assert.equal(urls.size, 3);
  });

  test('signingDate is honoured, and the clock is used without it', async () => {
    const c = connection();
    const other = new Date('2027-01-02T03:04:05Z');
    const a = new URL(await c.presignedGetUrl('k', { signingDate }));
    const b = new URL(await c.presignedGetUrl('k', { signingDate: other }));
    assert.equal(a.searchParams.get('X-Amz-Date'), '20261129T043000Z');
    assert.equal(b.searchParams.get('X-Amz-Date'), '20270102T030405Z');
    assert.equal(b.searchParams.get('X-Amz-Credential'), `${ACCESS_KEY_ID}/20270102/us-east-1/s3/aws4_request`);
    assert.notEqual(a.searchParams.get('X-Amz-Signature'), b.searchParams.get('X-Amz-Signature'));

    const before = Date.now();
    const now = new URL(await c.presignedGetUrl('k'));
    const after = Date.now();
    // X-Amz-Date is ISO 8601 basic format, 20261129T043000Z: back to milliseconds, independently.
    const [, y, mo, d, h, mi, sec] = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/
      .exec(now.searchParams.get('X-Amz-Date')!)!
      .map(Number);
    const signedAt = Date.UTC(y!, mo! - 1, d!, h!, mi!, sec!);
    assert.ok(signedAt >= before - 1000 && signedAt <= after, `${signedAt} within [${before - 1000}, ${after}]`);

    await assert.rejects(c.presignedGetUrl('k', { signingDate: new Date('nope') }), invalid('signingDate'));
  });

  test('every boto3 golden URL (UploadPart, signed headers, response-* too) is reproduced through S3Connection', async () => {
    interface Golden {
      signingDate: string;
      presignedUrls: Array<{
        name: string;
        method: Method;
        region: string;
        endpoint: string | null;
        forcePathStyle: boolean;
        bucket: string;
        key: string;
        expiresIn: number;
        credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
        url: string;
        query?: Record<string, string>;
        headers?: Record<string, string>;
      }>;
    }
    const golden = readFixture<Golden>('boto3-golden.json');
    const date = new Date(golden.signingDate);
    assert.ok(golden.presignedUrls.length > 0);
    let coreOnly = 0;
    for (const g of golden.presignedUrls) {
      const headers = Object.fromEntries(
        Object.entries(g.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
      );
      const { 'content-type': contentType, 'content-length': length, ...otherHeaders } = headers;
      // Headers the connection has no option for (x-amz-meta-*) are the core's alone.
      if (Object.keys(otherHeaders).length > 0) {
        coreOnly++;
        continue;
      }
      const c = new S3Connection({
        ...g.credentials,
        bucket: g.bucket,
        region: g.region,
        forcePathStyle: g.forcePathStyle,
        ...(g.endpoint === null ? {} : { endpoint: g.endpoint }),
      });
      const contentLength = length === undefined ? undefined : Number(length);
      const options = { expiresIn: g.expiresIn, signingDate: date };
      const {
        partNumber,
        uploadId,
        'response-content-disposition': responseContentDisposition,
        'response-content-type': responseContentType,
      } = g.query ?? {};
      const url =
        uploadId !== undefined
          ? await c.presignedUploadPartUrl(g.key, uploadId, Number(partNumber), { ...options, contentLength })
          : g.method === 'GET'
            ? await c.presignedGetUrl(g.key, { ...options, responseContentDisposition, responseContentType })
            : g.method === 'PUT'
              ? await c.presignedPutUrl(g.key, { ...options, contentType, contentLength })
              : await presignWith(c, g.method, g.key, options);
      assert.equal(url, g.url, g.name);
    }
    assert.equal(coreOnly, 1, 'only the x-amz-meta-* case is left to the core');
  });

  test('a bucket bound later by connect(bucket) is the one signed for', async () => {
    const c = new S3Connection({ ...credentials, endpoint: UNREACHABLE, region: 'us-east-1', bucket: 'first-bucket' });
    assert.match(await c.presignedGetUrl('k', { signingDate }), /^http:\/\/127\.0\.0\.1:1\/first-bucket\/k\?/);
    await c.connect('second-bucket'); // creates the SDK client, sends nothing
    try {
      assert.equal(c.bucket, 'second-bucket');
      assert.match(await c.presignedGetUrl('k', { signingDate }), /^http:\/\/127\.0\.0\.1:1\/second-bucket\/k\?/);
    } finally {
      c.close();
    }
  });
});

describe('presigned POSTs from S3Connection (presignedCreateUrl)', () => {
  // The conditions every policy ends with: the bucket and key, then what SigV4 signs.
  const bucketAndKey = (key: string) => [{ bucket: BUCKET }, { key }];
  const SIGNED = [
    { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
    { 'x-amz-credential': 'AKIAIOSFODNN7EXAMPLE/20261129/us-east-1/s3/aws4_request' },
    { 'x-amz-date': '20261129T043000Z' },
  ];

  test('url, key, expiration (default 3600 s) and a signature that verifies', async () => {
    const post = await connection().presignedCreateUrl('uploads/a.png', { signingDate });
    assert.equal(post.url, 'http://127.0.0.1:1/example-bucket');
    assert.equal(post.fields['key'], 'uploads/a.png');
    const policy = decodePolicy(post.fields['policy']);
    assert.equal(policy.expiration, '2026-11-29T05:30:00Z');
    assert.deepEqual(policy.conditions, [...bucketAndKey('uploads/a.png'), ...SIGNED]);
    // Checked independently: the reference signer (node:crypto alone, no code shared with src;
    // sigv4-conformance.test.ts holds it to AWS's published POST example).
    const signingKey = reference.signingKey(SECRET_ACCESS_KEY, '20261129', 'us-east-1', 's3');
    assert.equal(post.fields['x-amz-signature'], reference.hmacHex(signingKey, post.fields['policy']!));
    const later = await connection().presignedCreateUrl('uploads/a.png', { signingDate, expiresIn: 60 });
    assert.equal(decodePolicy(later.fields['policy']).expiration, '2026-11-29T04:31:00Z');
  });

  test('params become x-amz-meta-* fields, each with a matching condition', async () => {
    const post = await connection().presignedCreateUrl('a.txt', {
      signingDate,
      params: { owner: 'alice', 'Project-Id': 'ünïcode 42' },
    });
    assert.equal(post.fields['x-amz-meta-owner'], 'alice');
    assert.equal(post.fields['x-amz-meta-Project-Id'], 'ünïcode 42');
    assert.deepEqual(decodePolicy(post.fields['policy']).conditions, [
      { 'x-amz-meta-owner': 'alice' },
      { 'x-amz-meta-Project-Id': 'ünïcode 42' },
      ...bucketAndKey('a.txt'),
      ...SIGNED,
    ]);
  });

  test('every field sent is covered by a policy condition', async () => {
    const fields = {
      'Content-Type': 'image/png',
      acl: 'private',
      success_action_status: '201',
      'Cache-Control': 'max-age=60',
    };
    const post = await connection({ sessionToken: 'tok' }).presignedCreateUrl('a.png', {
      signingDate,
      fields,
      params: { owner: 'bob' },
    });
    // Each form field (but the policy and its signature) has exactly one condition.
    assert.deepEqual(Object.keys(post.fields), [
      'Content-Type',
      'acl',
      'success_action_status',
      'Cache-Control',
      'x-amz-meta-owner',
      'key',
      'x-amz-algorithm',
      'x-amz-credential',
      'x-amz-date',
      'x-amz-security-token',
      'policy',
      'x-amz-signature',
    ]);
    for (const [name, value] of Object.entries(fields)) assert.equal(post.fields[name], value);
    assert.deepEqual(decodePolicy(post.fields['policy']).conditions, [
      { 'x-amz-meta-owner': 'bob' },
      { 'Content-Type': 'image/png' },
      { acl: 'private' },
      { success_action_status: '201' },
      { 'Cache-Control': 'max-age=60' },
      ...bucketAndKey('a.png'),
      ...SIGNED,
      { 'x-amz-security-token': 'tok' },
    ]);
  });

  test('an existing starts-with or eq condition for a field is not duplicated (names case-insensitive)', async () => {
    const post = await connection().presignedCreateUrl('a.png', {
      signingDate,
      fields: { 'Content-Type': 'image/png', acl: 'private', 'Cache-Control': 'no-cache' },
      conditions: [
        ['starts-with', '$content-type', 'image/'],
        ['eq', '$ACL', 'private'],
        { 'cache-control': 'no-cache' },
        ['content-length-range', 1, 1024],
      ],
    });
    // The caller's conditions, unchanged, and nothing added for the fields they cover.
    assert.deepEqual(decodePolicy(post.fields['policy']).conditions, [
      ['starts-with', '$content-type', 'image/'],
      ['eq', '$ACL', 'private'],
      { 'cache-control': 'no-cache' },
      ['content-length-range', 1, 1024],
      ...bucketAndKey('a.png'),
      ...SIGNED,
    ]);
  });

  test('a content-length-range condition does not count as covering a field', async () => {
    const post = await connection().presignedCreateUrl('a.png', {
      signingDate,
      fields: { 'content-length-range': 'x' },
      conditions: [['content-length-range', 1, 10]],
    });
    assert.deepEqual(decodePolicy(post.fields['policy']).conditions, [
      ['content-length-range', 1, 10],
      { 'content-length-range': 'x' },
      ...bucketAndKey('a.png'),
      ...SIGNED,
    ]);
  });

  test("the caller's fields, conditions and params are neither mutated nor aliased", async () => {
    const options = {
      signingDate,
      fields: { 'Content-Type': 'image/png', acl: 'private' },
      conditions: [
        ['starts-with', '$Content-Type', 'image/'],
        ['content-length-range', 1, 1048576],
        { success_action_status: '201' },
      ] as PostCondition[],
      params: { owner: 'carol' },
    };
    const snapshot = structuredClone(options);
    deepFreeze(options.fields);
    deepFreeze(options.conditions);
    deepFreeze(options.params);
    const c = connection();
    const post = await c.presignedCreateUrl('a.png', options);
    assert.deepEqual(options, snapshot);
    assert.notEqual(post.fields, options.fields);
    // A second call with the same objects gives the same policy: nothing accumulated in them.
    const again = await c.presignedCreateUrl('a.png', options);
    assert.equal(again.fields['policy'], post.fields['policy']);
  });

  test('a key ending in ${filename} is constrained by starts-with on its prefix', async () => {
    const post = await connection().presignedCreateUrl('uploads/${filename}', { signingDate });
    assert.equal(post.fields['key'], 'uploads/${filename}');
    assert.deepEqual(decodePolicy(post.fields['policy']).conditions[1], ['starts-with', '$key', 'uploads/']);
  });

  test('every boto3 golden POST is reproduced through S3Connection when all fields are covered', async () => {
    interface Golden {
      signingDate: string;
      presignedPosts: Array<{
        name: string;
        region: string;
        endpoint: string | null;
        forcePathStyle: boolean;
        bucket: string;
        key: string;
        expiresIn: number;
        fields: Record<string, string>;
        conditions: PostCondition[];
        credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
        result: { url: string; fields: Record<string, string> };
      }>;
    }
    const golden = readFixture<Golden>('boto3-golden.json');
    const date = new Date(golden.signingDate);
    for (const g of golden.presignedPosts) {
      const c = new S3Connection({
        ...g.credentials,
        bucket: g.bucket,
        region: g.region,
        forcePathStyle: g.forcePathStyle,
        ...(g.endpoint === null ? {} : { endpoint: g.endpoint }),
      });
      const post = await c.presignedCreateUrl(g.key, {
        fields: g.fields,
        conditions: g.conditions,
        expiresIn: g.expiresIn,
        signingDate: date,
      });
      assert.equal(post.url, g.result.url, g.name);
      assert.deepEqual(post.fields, g.result.fields, g.name);
    }
  });

  const malformed: Array<[string, unknown]> = [
    ['an unknown operator', ['between', '$key', 'a']],
    ['content-length-range with min > max', ['content-length-range', 10, 1]],
    ['content-length-range with a negative min', ['content-length-range', -1, 10]],
    ['content-length-range with a fraction', ['content-length-range', 1.5, 10]],
    ['content-length-range with strings', ['content-length-range', '1', '10']],
    ['a field name without "$"', ['starts-with', 'key', 'uploads/']],
    ['an eq without "$"', ['eq', 'acl', 'private']],
    ['a two-element array', ['starts-with', '$key']],
    ['a non-string value', ['eq', '$acl', 1]],
    ['an object with two fields', { acl: 'private', success_action_status: '201' }],
    ['an object with a non-string value', { 'content-length': 10 }],
    ['a bare string', 'starts-with'],
  ];
  for (const [what, condition] of malformed) {
    test(`a malformed condition is refused: ${what}`, async () => {
      await assert.rejects(
        connection().presignedCreateUrl('a.png', { conditions: [condition as PostCondition] }),
        invalid('conditions'),
      );
    });
  }

  test('a null condition is refused with INVALID_INPUT when fields are given too', async () => {
    // With fields, each field is looked up in the conditions before they are checked.
    await assert.rejects(
      connection().presignedCreateUrl('a.png', {
        fields: { acl: 'private' },
        conditions: [null as unknown as PostCondition],
      }),
      invalid('conditions'),
    );
  });

  test('conditions that are not an array are refused with INVALID_INPUT', async () => {
    await assert.rejects(
      connection().presignedCreateUrl('a.png', { conditions: { acl: 'private' } as unknown as PostCondition[] }),
      invalid('conditions'),
    );
  });

  test('a field with a non-string value is refused with INVALID_INPUT', async () => {
    await assert.rejects(
      connection().presignedCreateUrl('a.png', { fields: { acl: 1 } as unknown as Record<string, string> }),
      invalid('fields'),
    );
  });

  test('fields given as a string (not an object) are refused with INVALID_INPUT', async () => {
    // S3Presigner#presignPost refuses this; the connection must not turn "acl=private" into
    // form fields named "0", "1", "2", ... by spreading it.
    await assert.rejects(
      connection().presignedCreateUrl('a.png', { fields: 'acl=private' as unknown as Record<string, string> }),
      invalid('fields'),
    );
  });

  test('bad params (metadata names) are refused', async () => {
    for (const params of [{ 'bad name': 'x' }, { é: 'x' }, { '-lead': 'x' }, { ok: 1 }]) {
      await assert.rejects(
        connection().presignedCreateUrl('a.png', { params: params as unknown as Record<string, string> }),
        invalid('params'),
        JSON.stringify(params),
      );
    }
  });
});

describe('the S3Presigner core directly', () => {
  test('refuses bad keys, lifetimes, fields and conditions', () => {
    const p = new S3Presigner({ bucket: BUCKET, region: 'us-east-1' });
    assert.throws(() => p.presignUrl(credentials, { method: 'GET', key: '', expiresIn: 60 }), invalid('key'));
    assert.throws(
      () => p.presignUrl(credentials, { method: 'GET', key: 'k', expiresIn: 604801 }),
      invalid('expiresIn'),
    );
    assert.throws(() => p.presignPost(credentials, { key: 'k'.repeat(1025), expiresIn: 60 }), invalid('key'));
    assert.throws(
      () => p.presignPost(credentials, { key: 'k', expiresIn: 60, fields: 'x' as never }),
      invalid('fields'),
    );
    assert.throws(
      () => p.presignPost(credentials, { key: 'k', expiresIn: 60, conditions: {} as never }),
      invalid('conditions'),
    );
    assert.throws(
      () => p.presignPost(credentials, { key: 'k', expiresIn: 60, conditions: [null as never] }),
      invalid('conditions'),
    );
  });

  test('Amazon S3 addresses: virtual-hosted by default, path style for dotted buckets', () => {
    const virtual = new S3Presigner({ bucket: 'my-bucket', region: 'eu-west-1' });
    assert.match(
      virtual.presignUrl(credentials, { method: 'GET', key: 'k', expiresIn: 60, signingDate }),
      /^https:\/\/my-bucket\.s3\.amazonaws\.com\/k\?/,
    );
    const dotted = new S3Presigner({ bucket: 'my.bucket', region: 'eu-west-1' });
    assert.match(
      dotted.presignUrl(credentials, { method: 'GET', key: 'k', expiresIn: 60, signingDate }),
      /^https:\/\/s3\.eu-west-1\.amazonaws\.com\/my\.bucket\/k\?/,
    );
  });
});

describe('NOT_CONNECTED', () => {
  const unbound = () => new S3Connection({ ...credentials, endpoint: UNREACHABLE, region: 'us-east-1' });

  test('presigning with no bucket bound is refused with NOT_CONNECTED', async () => {
    const c = unbound();
    assert.equal(c.bucket, undefined);
    await assert.rejects(c.presignedGetUrl('k'), isCloudSparkError('NOT_CONNECTED'));
    await assert.rejects(c.presignedPutUrl('k'), isCloudSparkError('NOT_CONNECTED'));
    await assert.rejects(c.presignedDeleteUrl('k'), isCloudSparkError('NOT_CONNECTED'));
    await assert.rejects(c.presignedCreateUrl('k'), isCloudSparkError('NOT_CONNECTED'));
  });

  test('bucket operations with no bucket bound are refused with NOT_CONNECTED, before any network call', async () => {
    const c = unbound();
    await assert.rejects(c.getObject('k'), isCloudSparkError('NOT_CONNECTED'));
    await assert.rejects(c.headObject('k'), isCloudSparkError('NOT_CONNECTED'));
    await assert.rejects(c.deleteObject('k'), isCloudSparkError('NOT_CONNECTED'));
    await assert.rejects(c.uploadObject('body', 'k'), isCloudSparkError('NOT_CONNECTED'));
    await assert.rejects(c.setBucketCors(), isCloudSparkError('NOT_CONNECTED'));
    await assert.rejects(c.setBucketPolicy(), isCloudSparkError('NOT_CONNECTED'));
    await assert.rejects(c.getBucketPolicy(), isCloudSparkError('NOT_CONNECTED'));
    await assert.rejects(c.publicAccess(), isCloudSparkError('NOT_CONNECTED'));
    await assert.rejects(c.getObjects(), isCloudSparkError('NOT_CONNECTED'));
  });

  test('getInstance() before connect() throws NOT_CONNECTED, even with a bucket bound', () => {
    assert.throws(() => unbound().getInstance(), isCloudSparkError('NOT_CONNECTED'));
    assert.throws(() => connection().getInstance(), isCloudSparkError('NOT_CONNECTED'));
  });
});

test('importing the package, constructing a connection and presigning load no AWS SDK module', () => {
  // How this is checked, in a fresh process:
  // - a module-resolution hook (module.register) appends every resolved URL to a log file; it
  //   sees every ESM import, static or dynamic, including `import('@aws-sdk/client-s3')`;
  // - `require.cache` lists every CommonJS module loaded, which is how the SDK's own internal
  //   `require()`s (which bypass ESM hooks on Node 20) would show up.
  // As a control, the same process then calls connect(), which must load the SDK: both lists
  // must then name @aws-sdk modules, proving that the check can see them at all.
  const dir = mkdtempSync(join(tmpdir(), 'cloudspark-nosdk-'));
  const log = join(dir, 'resolved.log');
  const hook = `
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      appendFileSync(process.env.CLOUDSPARK_RESOLVE_LOG, specifier + ' -> ' + result.url + '\\n');
      return result;
    }`;
  const script = `
    import { register, createRequire } from 'node:module';
    import { readFileSync } from 'node:fs';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
    const require = createRequire(import.meta.url);
    const snapshot = () => ({
      resolved: readFileSync(process.env.CLOUDSPARK_RESOLVE_LOG, 'utf8').split('\\n').filter(Boolean),
      cache: Object.keys(require.cache),
    });
    const lib = await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'src', 'index.ts')).href)});
    const c = new lib.S3Connection({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', bucket: 'b-b', endpoint: 'http://127.0.0.1:1' });
    const urls = [await c.presignedGetUrl('k'), await c.presignedPutUrl('k'), await c.presignedDeleteUrl('k')];
    const post = await c.presignedCreateUrl('k', { params: { a: 'b' }, conditions: [['content-length-range', 1, 2]] });
    const core = new lib.S3Presigner({ bucket: 'b-b', region: 'us-east-1' }).presignUrl({ accessKeyId: 'a', secretAccessKey: 's' }, { method: 'GET', key: 'k', expiresIn: 60 });
    lib.policyDecode(post.fields.policy);
    lib.validateCorsRules(lib.defaultCorsRules());
    const before = snapshot();
    await c.connect();
    c.close();
    const after = snapshot();
    process.stdout.write(JSON.stringify({ urls, core, postUrl: post.url, before, after }));
  `;
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      env: { ...process.env, CLOUDSPARK_RESOLVE_LOG: log, AWS_REGION: 'us-east-1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as {
      urls: string[];
      core: string;
      postUrl: string;
      before: { resolved: string[]; cache: string[] };
      after: { resolved: string[]; cache: string[] };
    };
    assert.equal(out.urls.length, 3);
    for (const url of out.urls) assert.match(url, /X-Amz-Signature=[0-9a-f]{64}$/);
    assert.match(out.core, /X-Amz-Signature=[0-9a-f]{64}$/);
    assert.equal(out.postUrl, 'http://127.0.0.1:1/b-b');

    const sdk = (list: string[]) => list.filter((entry) => /@aws-sdk|@smithy/.test(entry));
    // The hook did see the library's own modules: the log is not empty by accident.
    assert.ok(
      out.before.resolved.some((r) => r.includes('/src/sigv4/presigner.ts')),
      'the resolve log records the library',
    );
    assert.deepEqual(sdk(out.before.resolved), [], 'no @aws-sdk/@smithy module resolved before connect()');
    assert.deepEqual(sdk(out.before.cache), [], 'no @aws-sdk/@smithy module in require.cache before connect()');
    // Control: connect() loads the SDK, and both views notice it.
    assert.ok(
      sdk(out.after.resolved).some((r) => r.includes('@aws-sdk/client-s3')),
      'the control saw @aws-sdk/client-s3 resolved',
    );
    assert.ok(sdk(out.after.cache).length > 0, 'the control saw SDK modules in require.cache');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
