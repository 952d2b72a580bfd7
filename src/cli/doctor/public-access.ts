/**
 * Whether the public-access block and the bucket policy agree. A public grant under a block
 * is a trap: AWS ignores it (RestrictPublicBuckets) or refuses any change to the policy
 * (BlockPublicPolicy), while Ceph RGW stores RestrictPublicBuckets without enforcing it, so
 * the same bucket behaves differently from store to store.
 */
import type { PublicAccessSettings } from '../../s3/types.js';
import type { BucketPolicy, PolicyStatement } from '../../s3/rules/policy.js';
import { fail, pass, wildcardMatch, type Verdict } from './check.js';

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

/** An Allow to everyone: `"Principal": "*"` or `{"AWS": "*"}`. */
function isPublic(s: PolicyStatement): boolean {
  if (s.Effect !== 'Allow' || s.Principal === undefined) return false;
  return s.Principal === '*' || asList(s.Principal['AWS']).includes('*');
}

const grants = (s: PolicyStatement, action: string) => asList(s.Action).some((a) => wildcardMatch(a, action, true));
const name = (s: PolicyStatement, i: number) => (s.Sid ? `statement "${s.Sid}"` : `statement ${i}`);

export function publicAccessVerdict(settings: PublicAccessSettings, policy: BucketPolicy | null): Verdict {
  const statements = policy?.Statement ?? [];
  const publicOnes = statements.map((s, i) => ({ s, i })).filter(({ s }) => isPublic(s));
  const writer = publicOnes.find(({ s }) => grants(s, 's3:PutObject') || grants(s, 's3:DeleteObject'));
  if (writer) {
    return fail(
      `the bucket policy lets anyone write or delete objects (${name(writer.s, writer.i)}): presigned uploads protect nothing`,
      ['policy', 'set'],
      ['policy', 'delete'],
    );
  }
  const blocks = (['BlockPublicPolicy', 'RestrictPublicBuckets'] as const).filter((flag) => settings[flag]);
  const blocked = Object.values(settings).every(Boolean)
    ? 'blocked'
    : Object.values(settings).some(Boolean)
      ? 'partly blocked'
      : 'allowed';
  if (publicOnes.length === 0) {
    return pass(
      `${policy ? 'the policy grants nothing to everyone' : 'no bucket policy'}; public access ${blocked}: pages read objects through presigned GET URLs`,
    );
  }
  const grant = name(publicOnes[0]!.s, publicOnes[0]!.i);
  if (blocks.length) {
    return fail(
      `the policy makes objects public (${grant}) but ${blocks.join(' and ')} ${blocks.length > 1 ? 'are' : 'is'} on: AWS ignores or freezes the grant, Ceph RGW does not enforce RestrictPublicBuckets; keep one or the other`,
      ['public-access', 'allow'],
      ['policy', 'delete'],
    );
  }
  return pass(`the policy makes objects public (${grant}) and public access is ${blocked}`);
}
