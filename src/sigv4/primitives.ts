/**
 * The few operations every SigV4 signature is made of. Kept tiny and synchronous
 * because presigning is the hot path: a page may render hundreds of links.
 */
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function hmacHex(key: Uint8Array, data: string): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

// RFC 3986 unreserved characters stay as they are; everything else is %XX of its UTF-8 bytes,
// upper-case hex. encodeURIComponent leaves !'()* alone, which SigV4 (and boto3) escape.
const NEEDS_NO_ESCAPE = /^[A-Za-z0-9\-._~]*$/;
const NEEDS_NO_ESCAPE_PATH = /^[A-Za-z0-9\-._~/]*$/;
const SUB_DELIMS = /[!'()*]/g;
const escapeSubDelim = (c: string): string => '%' + c.charCodeAt(0).toString(16).toUpperCase();

/** Percent-encodes a string the SigV4 way (`/` escaped too). */
export function uriEncode(value: string): string {
  if (NEEDS_NO_ESCAPE.test(value)) return value;
  return encodeURIComponent(value).replace(SUB_DELIMS, escapeSubDelim);
}

/** Percent-encodes an S3 object key for a URL path: like {@link uriEncode} but `/` is kept. */
export function uriEncodePath(value: string): string {
  if (NEEDS_NO_ESCAPE_PATH.test(value)) return value;
  return encodeURIComponent(value).replace(SUB_DELIMS, escapeSubDelim).replace(/%2F/g, '/');
}

/** `20130524T000000Z`: the ISO 8601 basic format SigV4 uses. */
export function toAmzDate(date: Date): string {
  const iso = date.toISOString(); // 2013-05-24T00:00:00.000Z
  return (
    iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z'
  );
}

/** `20130524/us-east-1/s3/aws4_request` */
export function credentialScope(dateStamp: string, region: string, service: string): string {
  return `${dateStamp}/${region}/${service}/aws4_request`;
}

export function stringToSign(amzDate: string, scope: string, canonicalRequestHash: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${canonicalRequestHash}`;
}
