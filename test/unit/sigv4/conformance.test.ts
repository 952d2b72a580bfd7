/**
 * AWS's published Signature V4 examples for S3, from the project's committed copy in
 * test/fixtures (the tests need nothing outside this repository; CI compares the copy with the
 * workplace's shared file when one sits beside the checkout: scripts/check-shared-vectors.mjs).
 *
 * What each group checks:
 * - presignedQuery, postPolicy, signingKey: the shipped code. URLs come from S3Presigner; the
 *   POST policy, a fixed document, is signed by the path presignPost signs with
 *   (SigningKeyCache and its KeyedHmac).
 * - headerAuth, chunkedUpload: the library signs neither (no Authorization header, no chunked
 *   upload). They check test/support/sigv4-reference.ts, the independent signer that other
 *   tests use as their oracle, and say nothing about the library itself.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  S3Presigner,
  SigningKeyCache,
  credentialScope,
  deriveSigningKey,
  sha256Hex,
  stringToSign,
} from '../../../src/sigv4/index.js';
import { readFixture } from '../../support/fixtures.js';
import * as reference from '../../support/sigv4-reference.js';

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
}
interface Vectors {
  presignedQuery: Array<{
    name: string;
    credentials: Creds;
    method: 'GET';
    host: string;
    bucket: string;
    key: string;
    canonicalUri: string;
    amzDate: string;
    expiresIn: number;
    canonicalRequest?: string;
    stringToSign?: string;
    signature: string;
    url?: string;
  }>;
  headerAuth: Array<{
    name: string;
    credentials: Creds;
    amzDate: string;
    canonicalRequest: string;
    canonicalRequestSha256: string;
    signature: string;
    body?: string;
    bodySha256?: string;
  }>;
  postPolicy: Array<{
    name: string;
    credentials: Creds;
    signingDate: string;
    policyText: string;
    policyBase64: string;
    signature: string;
  }>;
  chunkedUpload: Array<{
    name: string;
    credentials: Creds;
    amzDate: string;
    host: string;
    path: string;
    seedSignature: string;
    chunkSignatures: string[];
  }>;
  signingKey: Array<{
    name: string;
    secretAccessKey: string;
    accessKeyId?: string;
    date?: string;
    amzDate?: string;
    region: string;
    service: string;
    signingKeyHex?: string;
    canonicalRequest?: string;
    signature?: string;
  }>;
}

const vectors = readFixture<Vectors>('aws-sigv4-s3-vectors.json');

function parseAmzDate(amzDate: string): Date {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(amzDate);
  assert.ok(m, amzDate);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/** Re-parses a canonical request into its parts, so the reference has to re-create it. */
function splitCanonical(canonical: string) {
  const lines = canonical.split('\n');
  const [method, path, query] = lines;
  const blank = lines.indexOf('', 3);
  const headers: Record<string, string> = {};
  // Feed the headers back in upper case and reversed, to prove sorting and lower-casing.
  for (const line of lines.slice(3, blank).reverse()) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toUpperCase()] = `  ${line.slice(i + 1)} `;
  }
  const queryPairs = (query ?? '')
    .split('&')
    .filter(Boolean)
    .map((p) => p.split('=').map(decodeURIComponent) as [string, string])
    .reverse();
  return { method: method!, path: path!, query: queryPairs, headers, payloadHash: lines.at(-1)! };
}

test('every group of vectors is checked below', () => {
  assert.deepEqual(
    Object.keys(vectors)
      .filter((k) => k !== 'about')
      .sort(),
    ['chunkedUpload', 'headerAuth', 'postPolicy', 'presignedQuery', 'signingKey'],
  );
});

describe('presigned query-string URLs: S3Presigner', () => {
  for (const v of vectors.presignedQuery) {
    test(v.name, () => {
      const pathStyle = v.canonicalUri.startsWith(`/${v.bucket}/`);
      const presigner = new S3Presigner({
        bucket: v.bucket,
        region: v.credentials.region,
        // The vectors name the host; give it as an endpoint so the same host is signed.
        endpoint: `https://${pathStyle ? v.host : v.host.slice(v.bucket.length + 1)}`,
        forcePathStyle: pathStyle,
      });
      const url = presigner.presignUrl(v.credentials, {
        method: v.method,
        key: v.key,
        expiresIn: v.expiresIn,
        signingDate: parseAmzDate(v.amzDate),
      });
      assert.equal(new URL(url).searchParams.get('X-Amz-Signature'), v.signature);
      assert.equal(new URL(url).host, v.host);
      if (v.url) assert.equal(url, v.url);
      if (v.stringToSign) {
        const scope = credentialScope(v.amzDate.slice(0, 8), v.credentials.region, 's3');
        assert.equal(stringToSign(v.amzDate, scope, sha256Hex(v.canonicalRequest!)), v.stringToSign);
      }
    });
  }
});

describe('browser POST policy: the signing path of S3Presigner#presignPost', () => {
  for (const v of vectors.postPolicy) {
    test(v.name, () => {
      // presignPost signs its base64 policy with the day's key from a SigningKeyCache; the vector
      // is a fixed policy document, so it goes through that same path.
      const signer = new SigningKeyCache().get(
        v.credentials.secretAccessKey,
        v.signingDate,
        v.credentials.region,
        's3',
      );
      assert.equal(signer.hex(v.policyBase64), v.signature);
    });
  }
});

describe('signing key: deriveSigningKey (what SigningKeyCache keeps)', () => {
  for (const v of vectors.signingKey.filter((k) => k.signingKeyHex !== undefined)) {
    test(v.name, () => {
      assert.equal(deriveSigningKey(v.secretAccessKey, v.date!, v.region, v.service).toString('hex'), v.signingKeyHex);
    });
  }
});

describe('test reference only (test/support/sigv4-reference.ts), not the library: header-signed requests', () => {
  for (const v of vectors.headerAuth) {
    test(v.name, () => {
      const rebuilt = reference.canonicalRequest(splitCanonical(v.canonicalRequest));
      assert.equal(rebuilt, v.canonicalRequest);
      assert.equal(reference.sha256Hex(rebuilt), v.canonicalRequestSha256);
      if (v.body !== undefined) assert.equal(reference.sha256Hex(v.body), v.bodySha256);
      assert.equal(reference.signCanonicalRequest(v.credentials, v.amzDate, v.canonicalRequest), v.signature);
    });
  }
  for (const v of vectors.signingKey) {
    test(`${v.name}: signing key and signature`, () => {
      if (v.signingKeyHex)
        assert.equal(
          reference.signingKey(v.secretAccessKey, v.date!, v.region, v.service).toString('hex'),
          v.signingKeyHex,
        );
      if (v.signature) assert.equal(reference.signCanonicalRequest(v, v.amzDate!, v.canonicalRequest!), v.signature);
    });
  }
  for (const v of vectors.postPolicy) {
    test(`${v.name}: the policy signature (presign.test.ts checks presigned POSTs with it)`, () => {
      const key = reference.signingKey(v.credentials.secretAccessKey, v.signingDate, v.credentials.region, 's3');
      assert.equal(reference.hmacHex(key, v.policyBase64), v.signature);
    });
  }
});

describe('test reference only (test/support/sigv4-reference.ts), not the library: chunked upload signatures', () => {
  for (const v of vectors.chunkedUpload) {
    test(v.name, () => {
      const { credentials: c, amzDate } = v;
      const chunkSize = 65536;
      const total = 65536 + 1024;
      // Encoded length: each chunk is "<hex size>;chunk-signature=<64 hex>\r\n<data>\r\n".
      const frame = (n: number) => n.toString(16).length + ';chunk-signature='.length + 64 + 2 + n + 2;
      const contentLength = frame(chunkSize) + frame(1024) + frame(0);
      const canonical = reference.canonicalRequest({
        method: 'PUT',
        path: v.path,
        headers: {
          Host: v.host,
          'x-amz-date': amzDate,
          'x-amz-storage-class': 'REDUCED_REDUNDANCY',
          'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
          'Content-Encoding': 'aws-chunked',
          'x-amz-decoded-content-length': String(total),
          'Content-Length': String(contentLength),
        },
        payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      });
      let previous = reference.signCanonicalRequest(c, amzDate, canonical);
      assert.equal(previous, v.seedSignature);

      const key = reference.signingKey(c.secretAccessKey, amzDate.slice(0, 8), c.region, c.service);
      const scope = reference.scopeOf(amzDate, c);
      const chunks = [Buffer.alloc(chunkSize, 'a'), Buffer.alloc(1024, 'a'), Buffer.alloc(0)];
      chunks.forEach((chunk, i) => {
        const toSign = [
          'AWS4-HMAC-SHA256-PAYLOAD',
          amzDate,
          scope,
          previous,
          reference.EMPTY_SHA256,
          reference.sha256Hex(chunk),
        ].join('\n');
        previous = reference.hmacHex(key, toSign);
        assert.equal(previous, v.chunkSignatures[i], `chunk ${i}`);
      });
    });
  }
});
