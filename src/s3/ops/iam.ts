/** IAM look-ups. The credentials themselves (given, the default chain, or STS ones) are sdk/credentials.ts's. */
import { invalidInput } from '../../errors.js';
import type { Session } from '../session.js';

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
