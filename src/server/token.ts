/**
 * Upload tokens: a stateless capability for one upload in progress. The handler hands one out
 * when an upload starts and requires it on every later call about that upload, so knowing a key
 * or an uploadId is not enough to sign parts for, complete or abort someone else's upload.
 *
 * A token is `v1.<payload>.<mac>`, both base64url: the payload is readable JSON (it holds only
 * what the client already knows), the MAC is HMAC-SHA256 under the handler's key. Any server
 * with the same key verifies it, so a load balancer needs no shared state.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What a token binds. Short names keep it small: it travels with every part request. */
export interface UploadGrant {
  /** `post` (one request) or `multipart`. */
  kind: 'post' | 'multipart';
  key: string;
  /** The multipart upload's id. */
  uploadId?: string | undefined;
  /** Declared size in bytes, when the client declared one (always, for multipart). */
  size?: number | undefined;
  contentType: string;
  /** The client's file name, for `onUploadComplete`. */
  filename: string;
  /** Multipart: bytes per part (the last part has the rest). */
  partSize?: number | undefined;
  /** What `authorize` returned as the caller's identity, if anything. */
  identity?: string | undefined;
  /** The fingerprint of the rules that issued it (rulesFingerprint): another rule set refuses it. */
  rules: string;
  /** Unix seconds after which the token is refused. */
  expires: number;
}

interface Wire {
  v: 1;
  o: UploadGrant['kind'];
  k: string;
  u?: string;
  s?: number;
  t: string;
  f: string;
  p?: number;
  i?: string;
  r: string;
  e: number;
}

const VERSION = 'v1';

export function signToken(key: Uint8Array, grant: UploadGrant): string {
  const wire: Wire = {
    v: 1,
    o: grant.kind,
    k: grant.key,
    t: grant.contentType,
    f: grant.filename,
    r: grant.rules,
    e: grant.expires,
  };
  if (grant.uploadId !== undefined) wire.u = grant.uploadId;
  if (grant.size !== undefined) wire.s = grant.size;
  if (grant.partSize !== undefined) wire.p = grant.partSize;
  if (grant.identity !== undefined) wire.i = grant.identity;
  const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
  return `${VERSION}.${payload}.${mac(key, payload).toString('base64url')}`;
}

/**
 * The grant a token carries, or undefined when it is missing, malformed, forged (another key)
 * or expired. Callers answer all of these alike: the client learns nothing about which.
 */
export function verifyToken(key: Uint8Array, token: unknown, nowSeconds = Date.now() / 1000): UploadGrant | undefined {
  if (typeof token !== 'string' || token.length > 8192) return undefined;
  const [version, payload, signature, extra] = token.split('.');
  if (version !== VERSION || payload === undefined || signature === undefined || extra !== undefined) return undefined;
  // Compared as text, in its one encoding: base64url decoding would also take the MAC with `=`
  // appended or other trailing bits, several spellings of one token.
  const expected = Buffer.from(mac(key, payload).toString('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let wire: Wire;
  try {
    wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Wire;
  } catch {
    return undefined; // only a holder of the key could have made it: a bug, not an attack
  }
  if (wire.v !== 1 || !(wire.e > nowSeconds) || typeof wire.r !== 'string') return undefined;
  return {
    kind: wire.o,
    key: wire.k,
    uploadId: wire.u,
    size: wire.s,
    contentType: wire.t,
    filename: wire.f,
    partSize: wire.p,
    identity: wire.i,
    rules: wire.r,
    expires: wire.e,
  };
}

/**
 * What identifies a rule set for its tokens: a hash of every rule that decides what may be
 * stored (size, types, key prefix, whether keys may hold the file name), the routes' base, and
 * the route's name. A token is refused by a handler or route whose rules differ, so one started
 * where HTML is allowed is not completed where only images are, a rules change ends the tokens
 * issued before it, and a token of one route is refused by another even with the same rules.
 */
export function rulesFingerprint(
  rules: {
    maxSize: number;
    allowedTypes: readonly string[] | undefined;
    keyPrefix: string;
    allowFilenameVariable: boolean;
  },
  basePath: string,
  route?: string,
): string {
  // A route's name is added only where there is one: a one-route handler's tokens stay as they were.
  const canonical = JSON.stringify([
    rules.maxSize,
    rules.allowedTypes === undefined ? null : [...rules.allowedTypes].map((t) => t.toLowerCase()).sort(),
    rules.keyPrefix,
    rules.allowFilenameVariable,
    basePath,
    ...(route === undefined ? [] : [route]),
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

// The domain string keeps these MACs from ever being mistaken for another use of the same key.
const mac = (key: Uint8Array, payload: string): Buffer =>
  createHmac('sha256', key).update(`cloudspark upload token\n${payload}`).digest();
