/**
 * Identities and credentials: IAM look-ups, and keys derived from the connection's secret. The
 * credentials themselves (given, the default chain, or STS session ones) are credentials.ts's.
 */
import { hkdfSync } from 'node:crypto';
import { CloudSparkError, invalidInput } from '../errors.js';
import type { Session } from './session.js';

/** Names of the IAM user's inline policies, every page of them. */
export async function listUserPolicies(s: Session, userName: string): Promise<string[]> {
  if (typeof userName !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(userName)) {
    throw invalidInput('userName', 'must be an IAM user name: 1 to 64 letters, digits and +=,.@_-');
  }
  const op = { action: `listUserPolicies("${userName}")`, service: 'iam' } as const;
  const names: string[] = [];
  const pages = s.paginate(op, 'ListUserPoliciesCommand', { UserName: userName }, (out) => ({
    items: out.PolicyNames,
    next: out.IsTruncated && out.Marker ? { Marker: out.Marker } : undefined,
  }));
  for await (const name of pages) names.push(name);
  return names;
}

/**
 * A 32-byte key for `purpose`, derived with HKDF-SHA256 from the connection's secret access
 * key: servers that share the credentials derive the same key, and the secret itself never
 * leaves the session. Temporary (STS) credentials change, so they are refused with `CREDENTIALS`.
 */
export async function deriveKey(s: Session, purpose: string): Promise<Uint8Array> {
  if (typeof purpose !== 'string' || purpose === '') throw invalidInput('purpose', 'must be a non-empty string naming what the key is for');
  const credentials = await s.credentials.get();
  if (credentials.sessionToken !== undefined) {
    throw new CloudSparkError('CREDENTIALS', 'deriveKey() needs long-term credentials: temporary ones change, and so would every key derived from them. Give a secret of your own instead.');
  }
  return new Uint8Array(hkdfSync('sha256', credentials.secretAccessKey, 'cloudspark.deriveKey', purpose, 32));
}
