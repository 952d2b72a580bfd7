/**
 * Errors: SDK errors mapped to stable codes, access keys masked, secrets never shown. The last
 * part drives the real AWS SDK against a tiny local stand-in that answers as Amazon S3 does in
 * cases Ceph RGW never produces (a BucketAlreadyOwnedByYou race, AWS's BlockPublicPolicy
 * refusal), so the mapping is checked on the errors the SDK really throws. It proves our error
 * translation only: S3 behaviour itself is proven against a real server in test/rgw.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import util from 'node:util';
import { CloudSparkError, maskAccessKey, S3Connection } from '../../../../src/index.js';
import { fromSdkError } from '../../../../src/s3/sdk/errors.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE, isCloudSparkError } from '../../helpers.js';

const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error((extra['message'] as string) ?? name), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status, requestId: 'REQ-1' } }),
    ...extra,
  });

describe('fromSdkError', () => {
  const onKey = { action: 'getObject("a.txt")', bucket: 'b', key: 'a.txt' };
  const onBucket = { action: 'listObjects()', bucket: 'b' };

  const cases: Array<
    [string, unknown, { action: string; bucket?: string; key?: string }, string, number | undefined, string | undefined]
  > = [
    ['NoSuchBucket', sdkError('NoSuchBucket', 404), onKey, 'NO_SUCH_BUCKET', 404, 'NoSuchBucket'],
    ['NoSuchKey', sdkError('NoSuchKey', 404), onKey, 'NO_SUCH_KEY', 404, 'NoSuchKey'],
    ['a bare 404 NotFound (HEAD) with a key', sdkError('NotFound', 404), onKey, 'NO_SUCH_KEY', 404, 'NotFound'],
    ['a bare 404 NotFound on a bucket', sdkError('NotFound', 404), onBucket, 'NO_SUCH_BUCKET', 404, 'NotFound'],
    ['a bare 404 with no context', sdkError('NotFound', 404), { action: 'x()' }, 'SERVICE_ERROR', 404, 'NotFound'],
    ['AccessDenied', sdkError('AccessDenied', 403), onKey, 'ACCESS_DENIED', 403, 'AccessDenied'],
    ['Forbidden (HEAD)', sdkError('Forbidden', 403), onKey, 'ACCESS_DENIED', 403, 'Forbidden'],
    ['InvalidAccessKeyId', sdkError('InvalidAccessKeyId', 403), onBucket, 'ACCESS_DENIED', 403, 'InvalidAccessKeyId'],
    [
      'SignatureDoesNotMatch',
      sdkError('SignatureDoesNotMatch', 403),
      onBucket,
      'ACCESS_DENIED',
      403,
      'SignatureDoesNotMatch',
    ],
    ['AllAccessDisabled', sdkError('AllAccessDisabled', 403), onBucket, 'ACCESS_DENIED', 403, 'AllAccessDisabled'],
    ['an unnamed 403', sdkError('Unknown', 403), onBucket, 'ACCESS_DENIED', 403, 'Unknown'],
    [
      'BucketAlreadyExists',
      sdkError('BucketAlreadyExists', 409),
      onBucket,
      'ALREADY_EXISTS',
      409,
      'BucketAlreadyExists',
    ],
    [
      'ECONNREFUSED without a status',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
        code: 'ECONNREFUSED',
        $metadata: { attempts: 3 },
      }),
      onKey,
      'NETWORK',
      undefined,
      undefined,
    ],
    [
      'ENOTFOUND',
      Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }),
      onKey,
      'NETWORK',
      undefined,
      undefined,
    ],
    ['ETIMEDOUT', Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }), onKey, 'NETWORK', undefined, undefined],
    ['a TimeoutError of no timer of ours', sdkError('TimeoutError'), onKey, 'NETWORK', undefined, undefined],
    [
      "ECONNRESET, which the SDK's handler names TimeoutError",
      Object.assign(new Error('read ECONNRESET'), { name: 'TimeoutError', code: 'ECONNRESET' }),
      onKey,
      'NETWORK',
      undefined,
      undefined,
    ],
    [
      'CredentialsProviderError',
      sdkError('CredentialsProviderError', undefined, { message: 'Could not load credentials from any providers' }),
      { action: 'x()' },
      'CREDENTIALS',
      undefined,
      undefined,
    ],
    [
      'InternalError 500',
      sdkError('InternalError', 500, { message: 'We encountered an internal error.' }),
      onKey,
      'SERVICE_ERROR',
      500,
      'InternalError',
    ],
    ['InvalidArgument 400', sdkError('InvalidArgument', 400), onKey, 'SERVICE_ERROR', 400, 'InvalidArgument'],
    ['a plain Error', new Error('boom'), onKey, 'SERVICE_ERROR', undefined, undefined],
    ['undefined', undefined, onKey, 'SERVICE_ERROR', undefined, undefined],
  ];
  for (const [what, error, context, code, status, s3Code] of cases) {
    test(`${what} -> ${code}`, () => {
      const e = fromSdkError(error, context);
      assert.ok(e instanceof CloudSparkError);
      assert.equal(e.code, code);
      assert.equal(e.status, status);
      assert.equal(e.s3Code, s3Code);
      assert.equal(e.cause, error);
      assert.ok(e.message.startsWith(`${context.action} failed: `), e.message);
    });
  }

  test('TIMEOUT names the endpoint, the time waited, the attempts and the option to raise', () => {
    const network = { endpoint: 'http://127.0.0.1:9', timeouts: { connect: 1500, idle: 2000 } };
    // The messages of @smithy/node-http-handler's two timers, as the installed version words them.
    const idle = sdkError('TimeoutError', undefined, {
      message:
        '@smithy/node-http-handler - the request socket timed out after 2000 ms of inactivity (configured by client requestHandler).',
      $metadata: { attempts: 3 },
    });
    const e = fromSdkError(idle, { ...onBucket, network });
    assert.equal(e.code, 'TIMEOUT');
    assert.equal(e.field, 'timeouts.idle');
    assert.equal(
      e.message,
      'listObjects() failed: no answer from http://127.0.0.1:9 for 2 s (3 attempts); raise timeouts.idle if the store is only slow',
    );
    const connect = sdkError('TimeoutError', undefined, {
      message:
        '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 1500 ms.',
    });
    const c = fromSdkError(connect, { ...onBucket, network });
    assert.equal(c.field, 'timeouts.connect');
    assert.equal(
      c.message,
      'listObjects() failed: could not connect to http://127.0.0.1:9 within 1.5 s (1 attempt); check the endpoint and the network, or raise timeouts.connect',
    );
  });

  test("the service's Code wins over the exception name, and $response.statusCode is a fallback status", () => {
    const withCode = Object.assign(new Error('x'), {
      name: 'S3ServiceException',
      Code: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    assert.equal(fromSdkError(withCode, onKey).code, 'NO_SUCH_KEY');
    const responseOnly = Object.assign(new Error('x'), { name: 'AccessDenied', $response: { statusCode: 403 } });
    const e = fromSdkError(responseOnly, onKey);
    assert.equal(e.code, 'ACCESS_DENIED');
    assert.equal(e.status, 403);
  });

  test('requestId is carried, and the message names key, bucket, code and status', () => {
    const e = fromSdkError(sdkError('NoSuchKey', 404), onKey);
    assert.equal(e.requestId, 'REQ-1');
    assert.equal(
      e.message,
      'getObject("a.txt") failed: key "a.txt" in bucket "b" does not exist (NoSuchKey, HTTP 404)',
    );
    assert.match(
      fromSdkError(sdkError('NoSuchBucket', 404), onBucket).message,
      /bucket "b" does not exist: create it with createBucket\(\)/,
    );
  });

  test("a service error keeps the service's message", () => {
    const e = fromSdkError(sdkError('SlowDown', 503, { message: 'Please reduce your request rate.' }), onKey);
    assert.equal(e.code, 'SERVICE_ERROR');
    assert.match(e.message, /Please reduce your request rate\. \(SlowDown, HTTP 503\)$/);
  });

  test('a CloudSparkError passes through unchanged', () => {
    const original = new CloudSparkError('ABORTED', 'cancelled');
    assert.equal(fromSdkError(original, onKey), original);
  });

  test('a status wins over a network-looking code: an HTTP answer is not a NETWORK error', () => {
    const e = fromSdkError(Object.assign(sdkError('AccessDenied', 403), { code: 'ECONNRESET' }), onKey);
    assert.equal(e.code, 'ACCESS_DENIED');
  });
});

describe('CloudSparkError', () => {
  test('is an Error with a stable name, code and options', () => {
    const cause = new Error('root');
    const e = new CloudSparkError('SERVICE_ERROR', 'msg', {
      status: 500,
      s3Code: 'InternalError',
      field: 'f',
      requestId: 'r',
      cause,
    });
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'CloudSparkError');
    assert.deepEqual(
      [e.code, e.status, e.s3Code, e.field, e.requestId, e.cause],
      ['SERVICE_ERROR', 500, 'InternalError', 'f', 'r', cause],
    );
    assert.match(String(e), /^CloudSparkError: msg$/);
    assert.equal(new CloudSparkError('ABORTED', 'x').cause, undefined);
    assert.equal('cause' in new CloudSparkError('ABORTED', 'x'), false);
  });
});

describe('maskAccessKey', () => {
  test('shows the first and last four characters of a real-length key', () => {
    assert.equal(maskAccessKey(ACCESS_KEY_ID), 'AKIA****MPLE');
  });

  test('never reveals more than 8 characters, nor the whole key, at any length', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    for (let length = 0; length <= 128; length++) {
      const key = Array.from({ length }, (_, i) => alphabet[(i * 7 + length) % alphabet.length]).join('');
      const masked = maskAccessKey(key);
      const shown = masked.replace(/\*/g, '');
      assert.ok(shown.length <= 8, `length ${length}: ${masked}`);
      assert.ok(masked.includes('****'), `length ${length}: ${masked}`);
      if (length > 0) assert.ok(!masked.includes(key), `length ${length}: ${masked}`);
      if (length <= 8) assert.equal(masked, '****');
    }
  });
});

describe('secrets never appear in errors', () => {
  const SECRET = 'sEcReT/0123456789+abcdefghijKLMNOPQRSTUV';
  const TOKEN = 'SeSsIoNtOkEn/very+long+session+token==';
  const leaks = (error: unknown): string[] => {
    const views = [
      String(error),
      (error as Error).stack ?? '',
      JSON.stringify(error) ?? '',
      util.inspect(error, { depth: Infinity, showHidden: true }),
      util.inspect((error as Error).cause, { depth: Infinity, showHidden: true }),
    ];
    return views.filter((v) => v.includes(SECRET) || v.includes(TOKEN) || v.includes(SECRET.slice(0, 12)));
  };
  const caught = async (run: () => unknown): Promise<unknown> => {
    try {
      await run();
    } catch (error) {
      return error;
    }
    assert.fail('expected an error');
  };

  test('errors from a connection built with a secret and a session token', async () => {
    const logged: string[] = [];
    const logger = {
      debug: (m: string) => logged.push(m),
      info: (m: string) => logged.push(m),
      warn: (m: string) => logged.push(m),
      error: (m: string) => logged.push(m),
    };
    const c = new S3Connection({
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
      endpoint: UNREACHABLE,
      region: 'us-east-1',
      bucket: 'b-b',
      logger,
    });
    const unbound = new S3Connection({
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
      endpoint: UNREACHABLE,
    });
    const errors = [
      await caught(() => c.presignedGetUrl('')),
      await caught(() => c.presignedCreateUrl('k', { conditions: [['nope', '$a', 'b'] as never] })),
      await caught(() => c.setBucketPolicy('{')),
      await caught(() => unbound.presignedGetUrl('k')),
      await caught(() => unbound.getInstance()),
      await caught(() => c.headObject('k')), // NETWORK, with the SDK's error as cause
      await caught(() => new S3Connection({ secretAccessKey: SECRET })),
      await caught(
        () => new S3Connection({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET, region: 'Bad Region' }),
      ),
      await caught(
        () =>
          new S3Connection({
            accessKeyId: ACCESS_KEY_ID,
            secretAccessKey: SECRET,
            endpoint: `http://x:${encodeURIComponent(SECRET)}@h`,
          }),
      ),
      await caught(() =>
        new S3Connection({
          accessKeyId: ACCESS_KEY_ID,
          secretAccessKey: SECRET,
          sts: { durationSeconds: 900 },
          endpoint: UNREACHABLE,
          bucket: 'b-b',
        }).presignedGetUrl('k'),
      ),
    ];
    c.close();
    assert.deepEqual(
      errors.map((e) => (e as CloudSparkError).code),
      [
        'INVALID_INPUT',
        'INVALID_INPUT',
        'INVALID_INPUT',
        'NOT_CONNECTED',
        'NOT_CONNECTED',
        'NETWORK',
        'INVALID_INPUT',
        'INVALID_INPUT',
        'INVALID_INPUT',
        'EXPIRES_AFTER_CREDENTIALS',
      ],
    );
    errors.forEach((e, i) => assert.deepEqual(leaks(e), [], `error ${i} (${(e as Error).message}) shows a secret`));
    // The connection itself does not show them either, and the logger only ever sees a masked key.
    assert.ok(!util.inspect(c, { depth: Infinity, showHidden: true }).includes(SECRET));
    assert.ok(!JSON.stringify(c).includes(SECRET));
    assert.ok(
      logged.some((m) => m.includes('AKIA****MPLE')),
      logged.join('\n'),
    );
    assert.ok(
      logged.every((m) => !m.includes(SECRET) && !m.includes(TOKEN) && !m.includes(ACCESS_KEY_ID)),
      logged.join('\n'),
    );
  });
});

test('an endpoint with embedded credentials is refused without echoing them, even when it does not parse', () => {
  // Secret access keys often contain "/" and "+": pasted raw into an endpoint's user-info, the
  // URL no longer parses, and the "is not a URL" message must still not repeat the secret.
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  for (const endpoint of [
    `http://AKIAIOSFODNN7EXAMPLE:${encodeURIComponent(SECRET)}@127.0.0.1:7480`,
    `http://AKIAIOSFODNN7EXAMPLE:${SECRET}@127.0.0.1:7480`,
  ]) {
    assert.throws(
      () => new S3Connection({ endpoint }),
      (e: CloudSparkError) => {
        isCloudSparkError('INVALID_INPUT', 'endpoint')(e);
        assert.ok(
          !String(e).includes(SECRET.slice(0, 12)) && !String(e).includes(encodeURIComponent(SECRET).slice(0, 12)),
          String(e),
        );
        return true;
      },
    );
  }
});

describe('errors the AWS SDK really throws, against a local fake S3', () => {
  interface Answer {
    status: number;
    body?: string;
    headers?: Record<string, string>;
  }
  const requests: Array<{ method: string; path: string; query: string; body: string }> = [];
  const xmlError = (code: string, message = code) =>
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAKE-REQ</RequestId><HostId>h</HostId></Error>`;
  const error = (status: number, code: string, message?: string): Answer => ({
    status,
    body: xmlError(code, message),
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'FAKE-REQ' },
  });
  const ok = (body = ''): Answer => ({ status: 200, body, headers: { 'content-type': 'application/xml' } });

  function route(method: string, path: string, query: string): Answer {
    const q = new URLSearchParams(query);
    switch (`${method} ${path}`) {
      case 'GET /b-b/missing.txt':
        return error(404, 'NoSuchKey', 'The specified key does not exist.');
      case 'HEAD /b-b/missing.txt':
        return { status: 404 };
      case 'GET /b-b/private.txt':
        return error(403, 'AccessDenied', 'Access Denied');
      case 'HEAD /b-b/private.txt':
        return { status: 403 };
      case 'GET /b-b/bad.txt':
        return error(400, 'InvalidArgument', 'Invalid Argument');
      case 'GET /gone-bucket/a.txt':
        return error(404, 'NoSuchBucket', 'The specified bucket does not exist');
      case 'HEAD /taken-bucket':
        return { status: 403 };
      case 'HEAD /mine-bucket':
        return { status: 200 };
      case 'HEAD /new-bucket':
      case 'HEAD /race-bucket':
      case 'HEAD /others-bucket':
        return { status: 404 };
      case 'PUT /new-bucket':
        return ok();
      case 'PUT /race-bucket':
        return error(409, 'BucketAlreadyOwnedByYou');
      case 'PUT /others-bucket':
        return error(409, 'BucketAlreadyExists');
      case 'PUT /blocked-bucket':
        if (q.has('policy')) return error(403, 'AccessDenied');
        break;
      case 'GET /blocked-bucket':
        if (q.has('publicAccessBlock')) {
          return ok(
            '<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>',
          );
        }
        if (q.has('cors')) return error(404, 'NoSuchCORSConfiguration', 'The CORS configuration does not exist');
        if (q.has('policy')) return error(404, 'NoSuchBucketPolicy', 'The bucket policy does not exist');
        break;
      default:
        break;
    }
    return error(400, 'UnexpectedTestRequest', `${method} ${path}?${query}`);
  }

  let server: http.Server;
  let endpoint = '';
  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        url.pathname = url.pathname.replace(/(.)\/$/, '$1'); // the SDK sends bucket operations to /bucket/
        requests.push({
          method: req.method ?? '',
          path: url.pathname,
          query: url.search.slice(1),
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const answer = route(req.method ?? '', url.pathname, url.search.slice(1));
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(req.method === 'HEAD' ? undefined : answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const SECRET = 'fakeS3secret/abcdefghijklmnopqrstuvwxyz0';
  const open = (bucket?: string, region = 'us-east-1') =>
    new S3Connection({
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
      endpoint,
      region,
      ...(bucket ? { bucket } : {}),
    });
  const noSecret = (e: unknown) => {
    assert.ok(!util.inspect(e, { depth: Infinity, showHidden: true }).includes(SECRET));
    return true;
  };

  test('GET of a missing key -> NO_SUCH_KEY, with status, s3Code and requestId', async () => {
    const c = open('b-b');
    try {
      await assert.rejects(c.getObject('missing.txt'), (e: CloudSparkError) => {
        isCloudSparkError('NO_SUCH_KEY')(e);
        assert.equal(e.status, 404);
        assert.equal(e.s3Code, 'NoSuchKey');
        assert.equal(e.requestId, 'FAKE-REQ');
        assert.match(e.message, /key "missing\.txt" in bucket "b-b" does not exist/);
        return noSecret(e);
      });
    } finally {
      c.close();
    }
  });

  test('HEAD of a missing key (a 404 with no body) -> NO_SUCH_KEY', async () => {
    const c = open('b-b');
    try {
      await assert.rejects(
        c.headObject('missing.txt'),
        (e: CloudSparkError) => isCloudSparkError('NO_SUCH_KEY')(e) && e.status === 404,
      );
    } finally {
      c.close();
    }
  });

  test('403s -> ACCESS_DENIED, a 400 -> SERVICE_ERROR, NoSuchBucket -> NO_SUCH_BUCKET', async () => {
    const c = open('b-b');
    const gone = open('gone-bucket');
    try {
      await assert.rejects(
        c.getObject('private.txt'),
        (e: CloudSparkError) => isCloudSparkError('ACCESS_DENIED')(e) && e.s3Code === 'AccessDenied' && noSecret(e),
      );
      await assert.rejects(
        c.headObject('private.txt'),
        (e: CloudSparkError) => isCloudSparkError('ACCESS_DENIED')(e) && e.status === 403,
      );
      await assert.rejects(
        c.getObject('bad.txt'),
        (e: CloudSparkError) =>
          isCloudSparkError('SERVICE_ERROR')(e) && e.s3Code === 'InvalidArgument' && e.status === 400,
      );
      await assert.rejects(
        gone.getObject('a.txt'),
        (e: CloudSparkError) => isCloudSparkError('NO_SUCH_BUCKET')(e) && e.s3Code === 'NoSuchBucket',
      );
    } finally {
      c.close();
      gone.close();
    }
  });

  test('createBucket: created, already yours, owned by someone else', async () => {
    const c = open(undefined, 'eu-west-1');
    try {
      requests.length = 0;
      assert.deepEqual(await c.createBucket('new-bucket'), { bucket: 'new-bucket', created: true });
      assert.equal(c.bucket, 'new-bucket');
      const put = requests.find((r) => r.method === 'PUT' && r.path === '/new-bucket');
      assert.ok(put, 'a CreateBucket request was sent');
      assert.match(put.body, /<LocationConstraint>eu-west-1<\/LocationConstraint>/);

      assert.deepEqual(await c.createBucket('mine-bucket'), { bucket: 'mine-bucket', created: false });
      assert.equal(c.bucket, 'mine-bucket');
      assert.deepEqual(await c.createBucket('race-bucket'), { bucket: 'race-bucket', created: false });

      await assert.rejects(
        c.createBucket('taken-bucket'),
        (e: CloudSparkError) => isCloudSparkError('ALREADY_EXISTS')(e) && noSecret(e),
      );
      await assert.rejects(
        c.createBucket('others-bucket'),
        (e: CloudSparkError) => isCloudSparkError('ALREADY_EXISTS')(e) && e.s3Code === 'BucketAlreadyExists',
      );
      assert.equal(c.bucket, 'race-bucket', 'a refused bucket is not bound');
    } finally {
      c.close();
    }
  });

  test('in us-east-1, CreateBucket is sent without a LocationConstraint', async () => {
    const c = open();
    try {
      requests.length = 0;
      await c.createBucket('new-bucket');
      const put = requests.find((r) => r.method === 'PUT' && r.path === '/new-bucket');
      assert.ok(put);
      assert.doesNotMatch(put.body, /LocationConstraint/);
    } finally {
      c.close();
    }
  });

  test('a public policy refused by BlockPublicPolicy -> POLICY_BLOCKED_BY_PUBLIC_ACCESS', async () => {
    const c = open('blocked-bucket');
    try {
      requests.length = 0;
      await assert.rejects(
        c.setBucketPolicy(),
        (e: CloudSparkError) => isCloudSparkError('POLICY_BLOCKED_BY_PUBLIC_ACCESS')(e) && e.status === 403,
      );
      const put = requests.find((r) => r.method === 'PUT' && new URLSearchParams(r.query).has('policy'));
      assert.ok(put);
      assert.deepEqual(JSON.parse(put.body), {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PublicReadGetObject',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::blocked-bucket/*',
          },
        ],
      });
    } finally {
      c.close();
    }
  });

  test('no CORS configuration and no policy read as [] and null', async () => {
    const c = open('blocked-bucket');
    try {
      assert.deepEqual(await c.getBucketCors(), []);
      assert.equal(await c.getBucketPolicy(), null);
    } finally {
      c.close();
    }
  });
});
