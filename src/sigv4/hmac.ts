/**
 * HMAC-SHA256 under one fixed key, for the hot path: every presigned URL ends in one HMAC of
 * its string to sign, always under the day's signing key.
 *
 * `createHmac` builds an Hmac object and imports the key on every call, which costs more than
 * the hashing itself for a 150-byte message. HMAC is two hashes (RFC 2104):
 * H((K ^ opad) || H((K ^ ipad) || message)); with the padded keys prepared once and Node's
 * one-shot `crypto.hash`, each call is two hash calls and no allocation beyond their results.
 * Where `crypto.hash` is missing (Node < 20.12) or a message is too long for the buffer, it
 * falls back to `createHmac`; test/unit/hmac.test.ts holds both paths to it.
 */
import * as nodeCrypto from 'node:crypto';
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

type OneShotHash = (algorithm: string, data: Uint8Array, encoding: 'buffer' | 'hex') => Buffer & string;
const oneShotHash = (nodeCrypto as unknown as { hash?: OneShotHash }).hash;

const BLOCK = 64;
/** Longest message (in UTF-16 units, up to 3 UTF-8 bytes each) taken by the fast path. */
const MAX_FAST_MESSAGE = 2048;

export class KeyedHmac {
  readonly #key: KeyObject;
  /** (K ^ ipad), then room for the message. */
  readonly #inner = Buffer.alloc(BLOCK + MAX_FAST_MESSAGE * 3);
  /** (K ^ opad), then room for the inner digest. */
  readonly #outer = Buffer.alloc(BLOCK + 32);
  #head = '';
  #headBytes = 0;
  #view = this.#inner.subarray(0, BLOCK);

  /** `key`: at most 64 bytes (a SigV4 signing key is 32). */
  constructor(key: Uint8Array) {
    if (key.length > BLOCK) throw new RangeError('KeyedHmac takes keys of at most 64 bytes');
    this.#key = createSecretKey(key);
    this.#inner.fill(0x36, 0, BLOCK);
    this.#outer.fill(0x5c, 0, BLOCK);
    for (let i = 0; i < key.length; i++) {
      this.#inner[i]! ^= key[i]!;
      this.#outer[i]! ^= key[i]!;
    }
  }

  hex(message: string): string {
    return this.hexOf('', message);
  }

  /**
   * HMAC of `head + tail`. A string to sign is a head that changes once a second and a hash
   * that changes every time: the head's bytes stay in the buffer while it is the same.
   */
  hexOf(head: string, tail: string): string {
    if (oneShotHash === undefined || head.length + tail.length > MAX_FAST_MESSAGE) {
      return createHmac('sha256', this.#key)
        .update(head + tail)
        .digest('hex');
    }
    if (head !== this.#head) {
      this.#head = head;
      this.#headBytes = this.#inner.write(head, BLOCK, 'utf8');
    }
    const length = BLOCK + this.#headBytes + this.#inner.write(tail, BLOCK + this.#headBytes, 'utf8');
    if (length !== this.#view.length) this.#view = this.#inner.subarray(0, length);
    oneShotHash('sha256', this.#view, 'buffer').copy(this.#outer, BLOCK);
    return oneShotHash('sha256', this.#outer, 'hex');
  }
}
