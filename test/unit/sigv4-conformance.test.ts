/**
 * Published AWS Signature V4 examples for S3 (copied from shared/conformance): every vector
 * must pass through our signing core.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  S3Presigner,
  buildCanonicalRequest,
  credentialScope,
  deriveSigningKey,
  hmacHex,
  sha256Hex,
  stringToSign,
  EMPTY_SHA256,
} from '../../src/sigv4/index.js';
import { readFixture, sharedVectorsPath, sharedVectorsPresent } from '../support/fixtures.js';

interface Creds { accessKeyId: string; secretAccessKey: string; region: string; service: string }
interface Vectors {
  presignedQuery: Array<{ name: string; credentials: Creds; method: 'GET'; host: string; bucket: string; key: string; canonicalUri: string; amzDate: string; expiresIn: number; canonicalRequest?: string; stringToSign?: string; signature: string; url?: string }>;
  headerAuth: Array<{ name: string; credentials: Creds; amzDate: string; canonicalRequest: string; canonicalRequestSha256: string; signature: string; body?: string; bodySha256?: string }>;
  postPolicy: Array<{ name: string; credentials: Creds; signingDate: string; policyText: string; policyBase64: string; signature: string }>;
  chunkedUpload: Array<{ name: string; credentials: Creds; amzDate: string; host: string; path: string; seedSignature: string; chunkSignatures: string[] }>;
  signingKey: Array<{ name: string; secretAccessKey: string; accessKeyId?: string; date?: string; amzDate?: string; region: string; service: string; signingKeyHex?: string; canonicalRequest?: string; signature?: string }>;
}

const vectors = readFixture<Vectors>('aws-sigv4-s3-vectors.json');

function parseAmzDate(amzDate: string): Date {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(amzDate);
  assert.ok(m, amzDate);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

function sign(c: { secretAccessKey: string; region: string; service: string }, amzDate: string, canonicalRequest: string): string {
  const scope = credentialScope(amzDate.slice(0, 8), c.region, c.service);
  const key = deriveSigningKey(c.secretAccessKey, amzDate.slice(0, 8), c.region, c.service);
  return hmacHex(key, stringToSign(amzDate, scope, sha256Hex(canonicalRequest)));
}

/** Re-parses a canonical request into its parts, so our builder has to re-create it. */
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

test('the fixture copy equals shared/conformance when the shared folder is beside the checkout', (t) => {
  if (!sharedVectorsPresent()) {
    t.diagnostic(`shared vectors not found at ${sharedVectorsPath}; compared the committed copy only`);
    return;
  }
  assert.deepEqual(readFixture('aws-sigv4-s3-vectors.json'), JSON.parse(readFileSync(sharedVectorsPath, 'utf8')));
});

describe('presigned query-string URLs', () => {
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
      if (v.canonicalRequest) {
        const parts = splitCanonical(v.canonicalRequest);
        assert.equal(buildCanonicalRequest(parts).canonicalRequest, v.canonicalRequest);
      }
      if (v.stringToSign) {
        const scope = credentialScope(v.amzDate.slice(0, 8), v.credentials.region, 's3');
        assert.equal(stringToSign(v.amzDate, scope, sha256Hex(v.canonicalRequest!)), v.stringToSign);
      }
    });
  }
});

describe('header-signed requests', () => {
  for (const v of vectors.headerAuth) {
    test(v.name, () => {
      const rebuilt = buildCanonicalRequest(splitCanonical(v.canonicalRequest));
      assert.equal(rebuilt.canonicalRequest, v.canonicalRequest);
      assert.equal(rebuilt.hash, v.canonicalRequestSha256);
      if (v.body !== undefined) assert.equal(sha256Hex(v.body), v.bodySha256);
      assert.equal(sign(v.credentials, v.amzDate, v.canonicalRequest), v.signature);
    });
  }
});

describe('browser POST policy', () => {
  for (const v of vectors.postPolicy) {
    test(v.name, () => {
      assert.equal(Buffer.from(v.policyText, 'utf8').toString('base64'), v.policyBase64);
      const key = deriveSigningKey(v.credentials.secretAccessKey, v.signingDate, v.credentials.region, 's3');
      assert.equal(hmacHex(key, v.policyBase64), v.signature);
    });
  }
});

describe('chunked (streaming) upload signatures', () => {
  for (const v of vectors.chunkedUpload) {
    test(v.name, () => {
      const { credentials: c, amzDate } = v;
      const chunkSize = 65536;
      const total = 65536 + 1024;
      // Encoded length: each chunk is "<hex size>;chunk-signature=<64 hex>\r\n<data>\r\n".
      const frame = (n: number) => n.toString(16).length + ';chunk-signature='.length + 64 + 2 + n + 2;
      const contentLength = frame(chunkSize) + frame(1024) + frame(0);
      const canonical = buildCanonicalRequest({
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
      let previous = sign(c, amzDate, canonical.canonicalRequest);
      assert.equal(previous, v.seedSignature);

      const key = deriveSigningKey(c.secretAccessKey, amzDate.slice(0, 8), c.region, c.service);
      const scope = credentialScope(amzDate.slice(0, 8), c.region, c.service);
      const chunks = [Buffer.alloc(chunkSize, 'a'), Buffer.alloc(1024, 'a'), Buffer.alloc(0)];
      chunks.forEach((chunk, i) => {
        const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, EMPTY_SHA256, sha256Hex(chunk)].join('\n');
        previous = hmacHex(key, toSign);
        assert.equal(previous, v.chunkSignatures[i], `chunk ${i}`);
      });
    });
  }
});

describe('signing key', () => {
  for (const v of vectors.signingKey) {
    test(v.name, () => {
      if (v.signingKeyHex) {
        assert.equal(deriveSigningKey(v.secretAccessKey, v.date!, v.region, v.service).toString('hex'), v.signingKeyHex);
      }
      if (v.signature) {
        assert.equal(sign(v, v.amzDate!, v.canonicalRequest!), v.signature);
      }
    });
  }
});
