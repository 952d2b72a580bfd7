/**
 * A SigV4 reference for the tests, written from AWS's documentation ("Create a signed AWS API
 * request"; S3 API Reference, "Signature Calculations for the Authorization Header") on
 * `node:crypto` alone. It shares no code with src/sigv4, so a test can check the library against
 * it; test/unit/sigv4-conformance.test.ts checks it against AWS's published vectors.
 *
 * Not shipped: the library signs no Authorization headers and no chunked uploads, only
 * presigned URLs and POST policies (src/sigv4/presigner.ts).
 */
import { createHash, createHmac } from 'node:crypto';

/** SHA-256 of no bytes, as AWS's documentation prints it. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

export const hmacHex = (key: Uint8Array, data: string): string => createHmac('sha256', key).update(data).digest('hex');

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secretAccessKey: string, dateStamp: string, region: string, service: string): Buffer {
  let key: Buffer = Buffer.from(`AWS4${secretAccessKey}`, 'utf8');
  for (const part of [dateStamp, region, service, 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  return key;
}

export interface Signer {
  secretAccessKey: string;
  region: string;
  service: string;
}

export const scopeOf = (amzDate: string, c: Omit<Signer, 'secretAccessKey'>): string =>
  `${amzDate.slice(0, 8)}/${c.region}/${c.service}/aws4_request`;

/** The signature of a canonical request made at `amzDate` (`20130524T000000Z`). */
export function signCanonicalRequest(c: Signer, amzDate: string, canonicalRequest: string): string {
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scopeOf(amzDate, c), sha256Hex(canonicalRequest)].join('\n');
  return hmacHex(signingKey(c.secretAccessKey, amzDate.slice(0, 8), c.region, c.service), toSign);
}

/** RFC 3986 percent-encoding as SigV4 wants it: everything but A-Z a-z 0-9 - . _ ~ escaped. */
const encode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface CanonicalRequestInput {
  method: string;
  /** The URI path, already percent-encoded once (S3 does not encode it twice). */
  path: string;
  /** Query parameters, not yet encoded; the order given does not matter. */
  query?: ReadonlyArray<readonly [string, string]>;
  /** Header names in any case; values are trimmed and inner runs of spaces folded. */
  headers: Readonly<Record<string, string>>;
  payloadHash: string;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  // Sorted by encoded name, then by encoded value.
  const query = (input.query ?? [])
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([ak, av], [bk, bv]) => byCodeUnit(ak, bk) || byCodeUnit(av, bv))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = Object.entries(input.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => byCodeUnit(a, b));
  const lines = headers.map(([name, value]) => `${name}:${value}\n`).join('');
  const signedHeaders = headers.map(([name]) => name).join(';');
  return [input.method, input.path, query, lines, signedHeaders, input.payloadHash].join('\n');
}
