/**
 * Presigned URLs that sign request headers besides `host` (content-length, content-type, ...):
 * what the core refuses, what S3Connection refuses before any I/O, and that URLs signing `host`
 * alone are exactly what they were. Byte equality with boto3 is in sigv4-boto3-golden.test.ts.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { S3Connection, S3Presigner, type PresignUrlRequest } from '../../../src/index.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE, invalid, isCloudSparkError } from '../helpers.js';

const signingDate = new Date('2026-11-29T04:30:00Z');
const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const presigner = () =>
  new S3Presigner({ bucket: 'example-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:7480' });
const put = (extra: Partial<PresignUrlRequest> = {}): PresignUrlRequest => ({
  method: 'PUT',
  key: 'photos/cat 1.jpg',
  expiresIn: 600,
  signingDate,
  ...extra,
});
const connection = (extra: Record<string, unknown> = {}) =>
  new S3Connection({ ...credentials, bucket: 'example-bucket', endpoint: UNREACHABLE, region: 'us-east-1', ...extra });
const GiB5 = 5 * 1024 ** 3;

describe('S3Presigner: signed headers', () => {
  test('match a canonical request built independently, the AWS-documented way', () => {
    // The expected URL was computed once by a small Python script written from AWS's page
    // "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)" with hashlib
    // and hmac only (no botocore), and pasted here. Its canonical request:
    //   PUT\n/example-bucket/photos/cat%201.jpg\n
    //   X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261129%2Fus-east-1%2Fs3%2Faws4_request
    //   &X-Amz-Date=20261129T043000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bx-amz-meta-note
    //   &partNumber=7&uploadId=up%2Fload%2Bid\n
    //   content-length:42\ncontent-type:image/png\nhost:127.0.0.1:7480\nx-amz-meta-note:a b\n\n
    //   content-length;content-type;host;x-amz-meta-note\nUNSIGNED-PAYLOAD
    // Names are lower-cased and sorted with host (x-amz-meta-note after it), values trimmed with
    // their inner runs of spaces collapsed.
    const url = presigner().presignUrl(
      credentials,
      put({
        query: { partNumber: '7', uploadId: 'up/load+id' },
        headers: { 'X-Amz-Meta-Note': '  a   b ', 'Content-Type': 'image/png', 'content-length': '42' },
      }),
    );
    assert.equal(
      url,
      'http://127.0.0.1:7480/example-bucket/photos/cat%201.jpg?partNumber=7&uploadId=up%2Fload%2Bid' +
        '&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261129%2Fus-east-1%2Fs3%2Faws4_request' +
        '&X-Amz-Date=20261129T043000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bx-amz-meta-note' +
        '&X-Amz-Signature=8b3af0ccfc65e1224acf4dd25eba3d7032c9509f13c8281ba5a7da483ed4a98f',
    );
  });

  test('without headers the URL is the one signing host alone, and headers leave no trace on the next call', () => {
    const p = presigner();
    const token = { ...credentials, sessionToken: 'IQoJb3JpZ2luX2VjE/+token==' };
    for (const creds of [credentials, token]) {
      const plain = p.presignUrl(creds, put());
      assert.match(plain, /&X-Amz-SignedHeaders=host(&|$)/);
      // An empty set of headers takes the other path and must land on the same URL.
      assert.equal(p.presignUrl(creds, put({ headers: {} })), plain);
      assert.equal(p.presignUrl(creds, put({ headers: undefined })), plain);
      const signed = p.presignUrl(creds, put({ headers: { 'content-length': '5' } }));
      assert.match(signed, /&X-Amz-SignedHeaders=content-length%3Bhost(&|$)/);
      assert.notEqual(
        new URL(signed).searchParams.get('X-Amz-Signature'),
        new URL(plain).searchParams.get('X-Amz-Signature'),
      );
      // The per-second strings cached for host alone are untouched by the call with headers.
      assert.equal(p.presignUrl(creds, put()), plain);
      assert.equal(
        new S3Presigner({
          bucket: 'example-bucket',
          region: 'us-east-1',
          endpoint: 'http://127.0.0.1:7480',
        }).presignUrl(creds, put()),
        plain,
      );
    }
  });

  test('the session token stays after SignedHeaders in the URL, as boto3 puts it', () => {
    const url = presigner().presignUrl(
      { ...credentials, sessionToken: 'tok' },
      put({ headers: { 'content-length': '5' } }),
    );
    assert.deepEqual(
      [...new URL(url).searchParams.keys()],
      [
        'X-Amz-Algorithm',
        'X-Amz-Credential',
        'X-Amz-Date',
        'X-Amz-Expires',
        'X-Amz-SignedHeaders',
        'X-Amz-Security-Token',
        'X-Amz-Signature',
      ],
    );
  });

  test('header names are case-insensitive: any spelling signs the same', () => {
    const p = presigner();
    const lower = p.presignUrl(credentials, put({ headers: { 'content-length': '5', 'content-type': 'image/png' } }));
    assert.equal(
      p.presignUrl(credentials, put({ headers: { 'Content-Type': 'image/png', 'CONTENT-LENGTH': '5' } })),
      lower,
    );
    assert.equal(
      p.presignUrl(credentials, put({ headers: { 'content-type': ' image/png  ', 'content-length': '5' } })),
      lower,
      'values trimmed',
    );
  });

  const badNames: Array<[string, string]> = [
    ['host', 'host'],
    ['Host in another case', 'Host'],
    ['empty', ''],
    ['with a space', 'content type'],
    ['with a colon', 'content-type:'],
    ['with a CR/LF', 'x-a\r\nx-b'],
    ['non-ASCII', 'cöntent-type'],
    ['X-Amz-Date', 'X-Amz-Date'],
    ['x-amz-security-token', 'x-amz-security-token'],
    ['x-amz-signedheaders', 'x-amz-signedheaders'],
    ['x-amz-signature', 'x-amz-signature'],
    ['x-amz-credential', 'x-amz-credential'],
    ['x-amz-algorithm', 'x-amz-algorithm'],
    ['x-amz-expires', 'x-amz-expires'],
    ['x-amz-content-sha256', 'x-amz-content-sha256'],
  ];
  for (const [what, name] of badNames) {
    test(`a header name that is ${what} is refused`, () => {
      assert.throws(() => presigner().presignUrl(credentials, put({ headers: { [name]: 'x' } })), invalid('headers'));
    });
  }

  test('the same header twice (in two spellings) is refused', () => {
    assert.throws(
      () => presigner().presignUrl(credentials, put({ headers: { 'Content-Type': 'a/b', 'content-type': 'a/b' } })),
      invalid('headers'),
    );
  });

  const badValues: Array<[string, unknown]> = [
    ['CR/LF (header injection)', 'image/png\r\nx-amz-acl: public-read'],
    ['a bare LF', 'a\nb'],
    ['a bare CR', 'a\rb'],
    ['a NUL', 'a\0b'],
    ['a tab', 'a\tb'],
    ['DEL', 'a\x7fb'],
    ['non-ASCII', 'imäge/png'],
    ['a number', 5],
    ['undefined', undefined],
  ];
  for (const [what, value] of badValues) {
    test(`a header value with ${what} is refused`, () => {
      assert.throws(
        () => presigner().presignUrl(credentials, put({ headers: { 'content-type': value as string } })),
        invalid('headers.content-type'),
      );
    });
  }

  test('headers that are not a plain object of strings are refused', () => {
    for (const headers of ['content-length: 5', ['content-length', '5'], null, new Map([['content-length', '5']])]) {
      assert.throws(
        () => presigner().presignUrl(credentials, put({ headers: headers as never })),
        invalid('headers'),
        String(headers),
      );
    }
  });
});

describe('S3Connection: contentType / contentLength / response-* options', () => {
  const query = (url: string) => new URL(url).searchParams;

  test('presignedPutUrl signs content-length and content-type exactly as the core does', async () => {
    const url = await connection().presignedPutUrl('photos/cat 1.jpg', {
      signingDate,
      expiresIn: 600,
      contentType: 'image/png',
      contentLength: 42,
    });
    const core = new S3Presigner({ bucket: 'example-bucket', region: 'us-east-1', endpoint: UNREACHABLE });
    assert.equal(
      url,
      core.presignUrl(credentials, put({ headers: { 'content-type': 'image/png', 'content-length': '42' } })),
    );
    assert.equal(query(url).get('X-Amz-SignedHeaders'), 'content-length;content-type;host');
    assert.equal(
      query(await connection().presignedPutUrl('k', { contentLength: 0 })).get('X-Amz-SignedHeaders'),
      'content-length;host',
    );
    assert.equal(
      query(await connection().presignedPutUrl('k', { contentLength: GiB5 })).get('X-Amz-SignedHeaders'),
      'content-length;host',
    );
    assert.equal(
      query(await connection().presignedPutUrl('k', { contentType: 'text/plain; charset=utf-8' })).get(
        'X-Amz-SignedHeaders',
      ),
      'content-type;host',
    );
    assert.equal(query(await connection().presignedPutUrl('k', {})).get('X-Amz-SignedHeaders'), 'host');
  });

  test('presignedUploadPartUrl signs content-length', async () => {
    const url = await connection().presignedUploadPartUrl('k', 'upload-1', 2, {
      signingDate,
      contentLength: 5 * 1024 * 1024,
    });
    assert.equal(query(url).get('X-Amz-SignedHeaders'), 'content-length;host');
    assert.match(url, /\?partNumber=2&uploadId=upload-1&X-Amz-Algorithm=/);
    assert.equal(
      query(await connection().presignedUploadPartUrl('k', 'upload-1', 2)).get('X-Amz-SignedHeaders'),
      'host',
    );
  });

  test("presignedGetUrl puts response-content-disposition and -type first, in boto3's model order", async () => {
    const disposition = "attachment; filename*=UTF-8''na%C3%AFve.pdf";
    const url = await connection().presignedGetUrl('k', {
      signingDate,
      responseContentType: 'application/pdf',
      responseContentDisposition: disposition,
    });
    assert.match(
      url,
      /\?response-content-disposition=attachment%3B%20filename%2A%3DUTF-8%27%27na%25C3%25AFve\.pdf&response-content-type=application%2Fpdf&X-Amz-Algorithm=/,
    );
    assert.equal(query(url).get('response-content-disposition'), disposition);
    assert.equal(query(url).get('X-Amz-SignedHeaders'), 'host');
  });

  const badContentTypes: unknown[] = [
    '',
    'image',
    'image/',
    '/png',
    'image/png\r\nx-amz-acl: public-read',
    'image/png\n',
    ' image/png',
    'text/plain ',
    'imäge/png',
    'image png/x',
    5,
    null,
  ];
  const badLengths: unknown[] = [-1, 1.5, GiB5 + 1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '5', null];

  test('a bad contentType is refused with INVALID_INPUT naming contentType', async () => {
    for (const contentType of badContentTypes) {
      await assert.rejects(
        connection().presignedPutUrl('k', { contentType: contentType as string }),
        invalid('contentType'),
        JSON.stringify(contentType),
      );
    }
  });

  test('a bad contentLength is refused with INVALID_INPUT naming contentLength, on PUT and part URLs', async () => {
    for (const contentLength of badLengths) {
      await assert.rejects(
        connection().presignedPutUrl('k', { contentLength: contentLength as number }),
        invalid('contentLength'),
        String(contentLength),
      );
      await assert.rejects(
        connection().presignedUploadPartUrl('k', 'u', 1, { contentLength: contentLength as number }),
        invalid('contentLength'),
        String(contentLength),
      );
    }
  });

  test('bad response-* values are refused with INVALID_INPUT naming the option', async () => {
    for (const value of [
      '',
      'attachment\r\nSet-Cookie: a=b',
      'attachment\n',
      'attachment; filename="naïve.pdf"',
      ' inline',
      7,
    ]) {
      await assert.rejects(
        connection().presignedGetUrl('k', { responseContentDisposition: value as string }),
        invalid('responseContentDisposition'),
        JSON.stringify(value),
      );
    }
    for (const value of ['', 'text/plain\r\nx: y', 'text']) {
      await assert.rejects(
        connection().presignedGetUrl('k', { responseContentType: value }),
        invalid('responseContentType'),
        JSON.stringify(value),
      );
    }
  });

  describe('before any I/O: with STS, credentials would need a network call', () => {
    const sts = () => connection({ sts: { durationSeconds: 3600 } });

    test('control: a valid signed-header presign does go to the network for credentials', async () => {
      await assert.rejects(
        sts().presignedPutUrl('k', { expiresIn: 60, contentLength: 5, contentType: 'image/png' }),
        isCloudSparkError('NETWORK'),
      );
    });

    test('bad options are refused first', async () => {
      await assert.rejects(sts().presignedPutUrl('k', { contentType: 'image/png\r\nx: y' }), invalid('contentType'));
      await assert.rejects(sts().presignedPutUrl('k', { contentLength: -1 }), invalid('contentLength'));
      await assert.rejects(
        sts().presignedUploadPartUrl('k', 'u', 1, { contentLength: GiB5 + 1 }),
        invalid('contentLength'),
      );
      await assert.rejects(
        sts().presignedGetUrl('k', { responseContentDisposition: 'a\r\nb' }),
        invalid('responseContentDisposition'),
      );
      await assert.rejects(sts().presignedGetUrl('k', { responseContentType: 'nope' }), invalid('responseContentType'));
    });
  });
});
