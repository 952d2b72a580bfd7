/**
 * Bad input is refused before any network call. Every connection here points at an endpoint
 * where nothing listens, so a call that did reach the network would fail with NETWORK (or, for
 * STS, CREDENTIALS/NETWORK) instead of INVALID_INPUT. The first test proves that control.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { S3Connection, type CorsRule, type PostCondition } from '../../src/index.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE, invalid, isCloudSparkError } from './helpers.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const connect = (extra: Record<string, unknown> = {}) =>
  new S3Connection({ ...credentials, endpoint: UNREACHABLE, region: 'us-east-1', bucket: 'my-bucket', ...extra });

const LONG_KEY = 'k'.repeat(1025);
const LONG_UNICODE_KEY = 'é'.repeat(513); // 513 characters, 1026 bytes
const BAD_KEYS: Array<[string, string]> = [
  ['empty', ''],
  ['1025 bytes', LONG_KEY],
  ['1026 bytes of é', LONG_UNICODE_KEY],
  ['a lone surrogate', 'a\uD800'],
];
const MiB = 1024 * 1024;

test('control: a valid call on the same connection does reach the network and fails with NETWORK', async () => {
  const c = connect();
  try {
    await assert.rejects(c.headObject('exists.txt'), isCloudSparkError('NETWORK'));
  } finally {
    c.close();
  }
});

describe('bucket names', () => {
  for (const name of [
    'My-Bucket',
    'my_bucket',
    'ab',
    'a'.repeat(64),
    '192.168.1.1',
    'xn--bucket',
    'bucket-s3alias',
    '-bucket',
    'a..b',
  ]) {
    test(`createBucket and connect refuse ${JSON.stringify(name)}`, async () => {
      const c = connect();
      await assert.rejects(c.createBucket(name), invalid('bucket name'));
      await assert.rejects(c.connect(name), invalid('bucket name'));
      assert.throws(() => connect({ bucket: name }), invalid('bucket name'));
      assert.equal(c.bucket, 'my-bucket', 'a refused name is not bound');
    });
  }
});

describe('object keys', () => {
  for (const [what, key] of BAD_KEYS) {
    test(`every key-taking operation refuses a key that is ${what}`, async () => {
      const c = connect();
      await assert.rejects(c.getObject(key), invalid('key'));
      await assert.rejects(c.headObject(key), invalid('key'));
      await assert.rejects(c.deleteObject(key), invalid('key'));
      await assert.rejects(c.uploadObject('body', key), invalid('key'));
      await assert.rejects(c.presignedGetUrl(key), invalid('key'));
      await assert.rejects(c.presignedPutUrl(key), invalid('key'));
      await assert.rejects(c.presignedDeleteUrl(key), invalid('key'));
      await assert.rejects(c.presignedCreateUrl(key), invalid('key'));
    });
  }
});

describe('expiresIn', () => {
  for (const expiresIn of [0, -60, 604801, 3600.5, Number.NaN]) {
    test(`every presign refuses expiresIn ${expiresIn}`, async () => {
      const c = connect();
      await assert.rejects(c.presignedGetUrl('k', { expiresIn }), invalid('expiresIn'));
      await assert.rejects(c.presignedPutUrl('k', { expiresIn }), invalid('expiresIn'));
      await assert.rejects(c.presignedDeleteUrl('k', { expiresIn }), invalid('expiresIn'));
      await assert.rejects(c.presignedCreateUrl('k', { expiresIn }), invalid('expiresIn'));
    });
  }
});

describe('bucket configuration', () => {
  test('setBucketPolicy refuses malformed JSON and malformed policies', async () => {
    const c = connect();
    await assert.rejects(c.setBucketPolicy('{"Statement": ['), invalid('policy'));
    await assert.rejects(c.setBucketPolicy('not json at all'), invalid('policy'));
    await assert.rejects(c.setBucketPolicy({ Statement: [] }), invalid('policy'));
    await assert.rejects(
      c.setBucketPolicy({
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::someone-else/*' },
        ],
      }),
      invalid('policy Statement 0'),
    );
    await assert.rejects(
      c.setBucketPolicy({
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-bucket/*' }],
      }),
      invalid('policy Statement 0'),
    );
  });

  test('setBucketCors refuses methods outside GET/PUT/POST/DELETE/HEAD and other bad rules', async () => {
    const c = connect();
    for (const method of ['PATCH', 'OPTIONS', 'get']) {
      await assert.rejects(
        c.setBucketCors([{ AllowedMethods: [method], AllowedOrigins: ['*'] }] as unknown as CorsRule[]),
        invalid('CORS rule 0 AllowedMethods'),
      );
    }
    await assert.rejects(c.setBucketCors([]), invalid('CORS rules'));
    await assert.rejects(
      c.setBucketCors([{ allowedMethods: ['GET'], AllowedOrigins: ['*'] }] as unknown as CorsRule[]),
      invalid('CORS rule 0'),
    );
  });

  test('publicAccess refuses a non-boolean', async () => {
    await assert.rejects(connect().publicAccess('false' as unknown as boolean), invalid('block'));
  });

  test('listUserPolicies refuses a bad IAM user name', async () => {
    for (const name of ['', 'has space', 'x'.repeat(65), 'semi;colon']) {
      await assert.rejects(connect().listUserPolicies(name), invalid('userName'), name);
    }
  });
});

describe('uploads', () => {
  test('partSize below 5 MiB (or above 5 GiB, or fractional) is refused', async () => {
    const c = connect();
    for (const partSize of [5 * MiB - 1, 1, 0, 5 * 1024 * MiB + 1, 5 * MiB + 0.5]) {
      await assert.rejects(c.uploadObject('body', 'k', { partSize }), invalid('partSize'), String(partSize));
    }
  });

  test('queueSize outside 1..64 is refused', async () => {
    const c = connect();
    for (const queueSize of [0, 65, 1.5]) {
      await assert.rejects(c.uploadObject('body', 'k', { queueSize }), invalid('queueSize'), String(queueSize));
    }
  });

  test('bad metadata names and values are refused', async () => {
    const c = connect();
    for (const metadata of [
      { 'has space': 'x' },
      { naïve: 'x' },
      { '': 'x' },
      { '-dash-first': 'x' },
      { 'a:b': 'x' },
      { ok: 1 },
      { ok: null },
    ]) {
      await assert.rejects(
        c.uploadObject('body', 'k', { metadata: metadata as unknown as Record<string, string> }),
        invalid('metadata'),
        JSON.stringify(metadata),
      );
    }
    await assert.rejects(
      c.uploadObject('body', 'k', { metadata: 'a=b' as unknown as Record<string, string> }),
      invalid('metadata'),
    );
  });

  test('a body that is not a Buffer, string, Blob or stream is refused', async () => {
    const c = connect();
    for (const body of [42, null, undefined, { data: 'x' }]) {
      await assert.rejects(c.uploadObject(body as never, 'k'), invalid('body'), String(body));
    }
    // A Readable is a valid body: the refusal is then about the key, proving the body passed.
    await assert.rejects(c.uploadObject(Readable.from(['x']), ''), invalid('key'));
  });
});

describe('listing', () => {
  test('pageSize outside 1..1000 and a non-string prefix are refused', async () => {
    const c = connect();
    for (const pageSize of [0, 1001, 2.5]) {
      await assert.rejects(c.getObjects({ pageSize }), invalid('pageSize'), String(pageSize));
      await assert.rejects(c.listObjects({ pageSize }).next(), invalid('pageSize'));
    }
    await assert.rejects(c.getObjects({ prefix: 7 as unknown as string }), invalid('prefix'));
    await assert.rejects(c.getObjects({ onlyKeys: true, onlyObjects: true } as never), invalid('options'));
  });
});

describe('construction', () => {
  test('only one of accessKeyId / secretAccessKey is refused', () => {
    assert.throws(() => new S3Connection({ accessKeyId: ACCESS_KEY_ID }), invalid('credentials'));
    assert.throws(() => new S3Connection({ secretAccessKey: SECRET_ACCESS_KEY }), invalid('credentials'));
    assert.throws(
      () => new S3Connection({ accessKeyId: '', secretAccessKey: SECRET_ACCESS_KEY }),
      invalid('credentials'),
    );
    assert.throws(() => new S3Connection({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: '' }), invalid('credentials'));
    assert.throws(
      () => new S3Connection({ accessKeyId: 42 as unknown as string, secretAccessKey: SECRET_ACCESS_KEY }),
      invalid('credentials'),
    );
  });

  test('a session token without keys is refused', () => {
    assert.throws(() => new S3Connection({ sessionToken: 'tok' }), invalid('sessionToken'));
  });

  test('a bad endpoint URL is refused', () => {
    for (const endpoint of [
      'not a url',
      '127.0.0.1:7480',
      'ftp://127.0.0.1',
      'http://user:pass@127.0.0.1:7480',
      'http://127.0.0.1:7480/?x=1',
      'http://127.0.0.1:7480/#f',
    ]) {
      assert.throws(() => new S3Connection({ ...credentials, endpoint }), invalid('endpoint'), endpoint);
    }
    // An endpoint with a path prefix is fine.
    assert.doesNotThrow(() => new S3Connection({ ...credentials, endpoint: 'https://storage.example.com/s3' }));
  });

  test('a bad region is refused', () => {
    for (const region of ['EU-WEST-1', 'eu west 1', '', 'eu_west_1']) {
      assert.throws(() => new S3Connection({ ...credentials, region }), invalid('region'), region);
    }
  });

  test('sts.durationSeconds outside 900..129600 (or fractional) is refused; the bounds are accepted', () => {
    for (const durationSeconds of [899, 129601, 0, -900, 1000.5, Number.NaN]) {
      assert.throws(
        () => new S3Connection({ ...credentials, endpoint: UNREACHABLE, sts: { durationSeconds } }),
        invalid('sts.durationSeconds'),
        String(durationSeconds),
      );
    }
    assert.doesNotThrow(
      () => new S3Connection({ ...credentials, endpoint: UNREACHABLE, sts: { durationSeconds: 900 } }),
    );
    assert.doesNotThrow(
      () => new S3Connection({ ...credentials, endpoint: UNREACHABLE, sts: { durationSeconds: 129600 } }),
    );
  });

  test('options that are not an object are refused', () => {
    for (const options of [null, 'bucket', 42, []]) {
      assert.throws(() => new S3Connection(options as never), invalid('options'), String(options));
    }
  });
});

describe('with STS session credentials (a network call is needed to get them)', () => {
  // Presigning with STS first fetches session credentials, which here would fail with
  // NETWORK: every check on the arguments must come before that.
  const sts = () => connect({ sts: { durationSeconds: 3600 } });

  test('control: a valid presign does go to the network for credentials', async () => {
    await assert.rejects(sts().presignedGetUrl('k', { expiresIn: 60 }), isCloudSparkError('NETWORK'));
  });

  test('bad keys, lifetimes and params are refused before fetching credentials', async () => {
    const c = sts();
    await assert.rejects(c.presignedGetUrl(''), invalid('key'));
    await assert.rejects(c.presignedPutUrl(LONG_KEY), invalid('key'));
    await assert.rejects(c.presignedCreateUrl('k', { expiresIn: 0 }), invalid('expiresIn'));
    await assert.rejects(c.presignedCreateUrl('k', { params: { 'bad name': 'x' } }), invalid('params'));
  });

  test('malformed POST conditions are refused before fetching credentials', async () => {
    await assert.rejects(
      sts().presignedCreateUrl('k', {
        expiresIn: 60,
        conditions: [['between', '$key', 'a'] as unknown as PostCondition],
      }),
      invalid('conditions'),
    );
    await assert.rejects(
      sts().presignedCreateUrl('k', { expiresIn: 60, conditions: [['content-length-range', 10, 1]] }),
      invalid('conditions'),
    );
  });

  test('malformed POST fields are refused before fetching credentials', async () => {
    await assert.rejects(
      sts().presignedCreateUrl('k', { expiresIn: 60, fields: { acl: 1 } as unknown as Record<string, string> }),
      invalid('fields'),
    );
  });

  test('an invalid signingDate is refused before fetching credentials', async () => {
    await assert.rejects(
      sts().presignedGetUrl('k', { expiresIn: 60, signingDate: new Date('nope') }),
      invalid('signingDate'),
    );
    await assert.rejects(
      sts().presignedCreateUrl('k', { expiresIn: 60, signingDate: new Date('nope') }),
      invalid('signingDate'),
    );
  });
});
