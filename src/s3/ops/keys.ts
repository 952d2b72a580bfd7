/** Keys derived from the connection's secret, for servers that must agree on one without sharing it (the upload handler's tokens). */
import { hkdfSync } from 'node:crypto';
import { CloudSparkError, invalidInput } from '../../errors.js';
import type { Session } from '../session.js';

/**
 * A 32-byte key for `purpose`, derived with HKDF-SHA256 from the connection's secret access
 * key: servers that share the credentials derive the same key, and the secret itself never
 * leaves the session. Temporary (STS) credentials change, so they are refused with `CREDENTIALS`.
 */
export async function deriveKey(s: Session, purpose: string): Promise<Uint8Array> {
  if (typeof purpose !== 'string' || purpose === '')
    throw invalidInput('purpose', 'must be a non-empty string naming what the key is for');
  const credentials = await s.credentials.get();
  if (credentials.sessionToken !== undefined) {
    throw new CloudSparkError(
      'CREDENTIALS',
      'deriveKey() needs long-term credentials: temporary ones change, and so would every key derived from them. Give a secret of your own instead.',
    );
  }
  return new Uint8Array(hkdfSync('sha256', credentials.secretAccessKey, 'cloudspark.deriveKey', purpose, 32));
}
