import { hmac } from './primitives.js';
import { KeyedHmac } from './hmac.js';

/** Derives the SigV4 signing key: four chained HMACs over date, region, service and a constant. */
export function deriveSigningKey(secretAccessKey: string, dateStamp: string, region: string, service: string): Buffer {
  const kDate = hmac('AWS4' + secretAccessKey, dateStamp);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/**
 * Remembers the signing key of the current day. The key only changes at UTC midnight (or when
 * the credentials do), so deriving it once saves four HMACs on every presigned URL.
 */
export class SigningKeyCache {
  #secret = '';
  #scope = '';
  #hmac: KeyedHmac | undefined;

  /** The day's signing key, ready to sign with. */
  get(secretAccessKey: string, dateStamp: string, region: string, service: string): KeyedHmac {
    const scope = `${dateStamp}/${region}/${service}`;
    if (this.#hmac === undefined || this.#scope !== scope || this.#secret !== secretAccessKey) {
      this.#hmac = new KeyedHmac(deriveSigningKey(secretAccessKey, dateStamp, region, service));
      this.#scope = scope;
      this.#secret = secretAccessKey;
    }
    return this.#hmac;
  }
}
