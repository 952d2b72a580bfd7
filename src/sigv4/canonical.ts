/**
 * Canonical request, as the SigV4 specification defines it. The presigners below build the
 * same string inline for speed; this general form is what the conformance tests check them
 * (and the published header-signing examples) against.
 */
import { sha256Hex, uriEncode } from './primitives.js';

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

export interface CanonicalRequest {
  canonicalRequest: string;
  signedHeaders: string;
  hash: string;
}

export function canonicalQueryString(query: ReadonlyArray<readonly [string, string]>): string {
  return query
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function buildCanonicalRequest(input: CanonicalRequestInput): CanonicalRequest {
  const headers = Object.entries(input.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([name]) => name).join(';');
  const canonicalRequest = [
    input.method,
    input.path,
    canonicalQueryString(input.query ?? []),
    headers.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  return { canonicalRequest, signedHeaders, hash: sha256Hex(canonicalRequest) };
}
