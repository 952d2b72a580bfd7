/**
 * The bound bucket's settings: creation, CORS, policy, public access, and the clean-up of
 * orphaned multipart uploads (a lifecycle rule, or aborting them now).
 */
import type { BucketLocationConstraint } from '@aws-sdk/client-s3';
import { CloudSparkError, invalidInput } from '../../errors.js';
import { assertBucketName, assertFlag, knownOptionsOf } from '../../validate.js';
import { defaultCorsRules, validateCorsRules, type CorsRule } from '../rules/cors.js';
import { bucketPolicyJson, publicReadPolicy, type BucketPolicy } from '../rules/policy.js';
import { ABORT_RULE_ID, abortRulesOf, assertAfterDays, assertOlderThan, withAbortRule } from '../rules/lifecycle.js';
import { abortMultipartUpload, listMultipartUploads } from './multipart.js';
import type { Session } from '../session.js';
import type {
  AbortIncompleteUploadsOptions,
  AbortUploadsRule,
  BucketInfo,
  CreateBucketResult,
  PendingUpload,
  PublicAccessSettings,
  StaleUploadsOptions,
} from '../types.js';

/** What S3 answers a GET of a setting that was never set: for these calls "none", not an error. */
const NONE_SET = {
  cors: ['NoSuchCORSConfiguration'],
  policy: ['NoSuchBucketPolicy'],
  publicAccess: ['NoSuchPublicAccessBlockConfiguration'],
  lifecycle: ['NoSuchLifecycleConfiguration'],
} as const;

/**
 * Creates a bucket (with a `LocationConstraint` outside us-east-1) and binds it. A bucket that
 * already exists and is yours is fine (`created: false`); one owned by someone else is an
 * `ALREADY_EXISTS` error.
 */
export async function createBucket(s: Session, name: string): Promise<CreateBucketResult> {
  assertBucketName(name);
  const action = `createBucket("${name}")`;
  // HEAD first: some stores (Ceph RGW) answer CreateBucket on a bucket you own with a plain 200.
  // A HEAD refused is someone else's bucket; one not found is ours to create.
  const head = {
    action,
    bucket: name,
    absent: ['NO_SUCH_BUCKET'],
    means: { ACCESS_DENIED: 'ALREADY_EXISTS' },
  } as const;
  const exists = (await s.send(head, 'HeadBucketCommand', { Bucket: name })) !== undefined;
  const CreateBucketConfiguration =
    s.region === 'us-east-1' ? undefined : { LocationConstraint: s.region as BucketLocationConstraint };
  // Made by a concurrent call of ours between the HEAD and now: BucketAlreadyOwnedByYou.
  const create = { action, bucket: name, absent: ['BucketAlreadyOwnedByYou'] } as const;
  const created =
    !exists && (await s.send(create, 'CreateBucketCommand', { Bucket: name, CreateBucketConfiguration })) !== undefined;
  s.bind(name);
  if (created) s.logger?.info?.(`cloudspark: bucket "${name}" created`);
  return { bucket: name, created };
}

/** Every bucket of the account the credentials belong to (ListBuckets), by name. */
export async function listBuckets(s: Session): Promise<BucketInfo[]> {
  const answer = await s.send({ action: 'listBuckets()' }, 'ListBucketsCommand', {});
  return (answer.Buckets ?? [])
    .map((b) => ({ name: b.Name ?? '', creationDate: b.CreationDate }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Deletes the bound bucket, which must hold no objects and no unfinished uploads (`BUCKET_NOT_EMPTY`). */
export async function deleteBucket(s: Session): Promise<void> {
  const Bucket = s.requireBucket();
  await s.send({ action: `deleteBucket("${Bucket}")`, bucket: Bucket }, 'DeleteBucketCommand', { Bucket });
  s.logger?.info?.(`cloudspark: bucket "${Bucket}" deleted`);
}

/** Sets the bucket's CORS rules; default: the original's open rule plus `ExposeHeaders: ['ETag']`. */
export async function setBucketCors(s: Session, rules?: CorsRule[]): Promise<void> {
  const CORSRules = rules === undefined ? defaultCorsRules() : validateCorsRules(rules);
  const Bucket = s.requireBucket();
  await s.send({ action: 'setBucketCors()' }, 'PutBucketCorsCommand', { Bucket, CORSConfiguration: { CORSRules } });
}

/** The bucket's CORS rules; `[]` when it has none. */
export async function getBucketCors(s: Session): Promise<CorsRule[]> {
  const Bucket = s.requireBucket();
  const out = await s.send({ action: 'getBucketCors()', absent: NONE_SET.cors }, 'GetBucketCorsCommand', { Bucket });
  return (out?.CORSRules ?? []).map((r) => {
    const rule: CorsRule = {
      AllowedMethods: (r.AllowedMethods ?? []) as CorsRule['AllowedMethods'],
      AllowedOrigins: r.AllowedOrigins ?? [],
    };
    if (r.ID) rule.ID = r.ID;
    if (r.AllowedHeaders?.length) rule.AllowedHeaders = r.AllowedHeaders;
    if (r.ExposeHeaders?.length) rule.ExposeHeaders = r.ExposeHeaders;
    if (r.MaxAgeSeconds !== undefined) rule.MaxAgeSeconds = r.MaxAgeSeconds;
    return rule;
  });
}

/** Removes the bucket's CORS rules. */
export async function deleteBucketCors(s: Session): Promise<void> {
  await s.send({ action: 'deleteBucketCors()' }, 'DeleteBucketCorsCommand', { Bucket: s.requireBucket() });
}

/**
 * Sets the bucket policy (object or JSON text). Default: public read of objects. A refusal
 * caused by the bucket's BlockPublicPolicy is told as POLICY_BLOCKED_BY_PUBLIC_ACCESS.
 */
export async function setBucketPolicy(s: Session, policy?: BucketPolicy | string): Promise<void> {
  const Bucket = s.requireBucket();
  // Only a policy left out means the default: null is refused like any other non-policy.
  const Policy = bucketPolicyJson(policy === undefined ? publicReadPolicy(Bucket) : policy, Bucket);
  const explain = async (e: CloudSparkError): Promise<CloudSparkError> => {
    if (e.code !== 'ACCESS_DENIED' || !(await getPublicAccess(s).catch(() => undefined))?.BlockPublicPolicy) return e;
    return new CloudSparkError(
      'POLICY_BLOCKED_BY_PUBLIC_ACCESS',
      `setBucketPolicy() was refused: bucket "${Bucket}" blocks public policies (BlockPublicPolicy). Call publicAccess(false) first, or set a policy that grants nothing to everyone.`,
      { status: e.status, s3Code: e.s3Code, cause: e },
    );
  };
  await s.send({ action: 'setBucketPolicy()', explain }, 'PutBucketPolicyCommand', { Bucket, Policy });
}

/** The bucket policy as an object; `null` when the bucket has none. */
export async function getBucketPolicy(s: Session): Promise<BucketPolicy | null> {
  const Bucket = s.requireBucket();
  const out = await s.send({ action: 'getBucketPolicy()', absent: NONE_SET.policy }, 'GetBucketPolicyCommand', {
    Bucket,
  });
  if (!out?.Policy) return null;
  try {
    return JSON.parse(out.Policy) as BucketPolicy;
  } catch (error) {
    throw new CloudSparkError(
      'SERVICE_ERROR',
      `getBucketPolicy() failed: the store answered with a policy that is not JSON`,
      { cause: error },
    );
  }
}

/** Removes the bucket policy. */
export async function deleteBucketPolicy(s: Session): Promise<void> {
  await s.send({ action: 'deleteBucketPolicy()' }, 'DeleteBucketPolicyCommand', { Bucket: s.requireBucket() });
}

/** Blocks (default) or allows public access: all four public-access-block settings at once. */
export async function publicAccess(s: Session, block = true): Promise<void> {
  assertFlag(block, 'block');
  const Bucket = s.requireBucket();
  const PublicAccessBlockConfiguration = {
    BlockPublicAcls: block,
    IgnorePublicAcls: block,
    BlockPublicPolicy: block,
    RestrictPublicBuckets: block,
  };
  await s.send({ action: `publicAccess(${block})` }, 'PutPublicAccessBlockCommand', {
    Bucket,
    PublicAccessBlockConfiguration,
  });
}

/** The bucket's public-access-block settings; all false when none are set. */
export async function getPublicAccess(s: Session): Promise<PublicAccessSettings> {
  const Bucket = s.requireBucket();
  const out = await s.send(
    { action: 'getPublicAccess()', absent: NONE_SET.publicAccess },
    'GetPublicAccessBlockCommand',
    { Bucket },
  );
  const c = out?.PublicAccessBlockConfiguration ?? {};
  return {
    BlockPublicAcls: c.BlockPublicAcls ?? false,
    IgnorePublicAcls: c.IgnorePublicAcls ?? false,
    BlockPublicPolicy: c.BlockPublicPolicy ?? false,
    RestrictPublicBuckets: c.RestrictPublicBuckets ?? false,
  };
}

/**
 * Sets a lifecycle rule that makes the store abort multipart uploads `afterDays` days after
 * they began, keeping the bucket's other lifecycle rules. The rule has a fixed ID
 * (`ABORT_RULE_ID`): calling again replaces it. S3 has no conditional write for lifecycle
 * rules: a change made by someone else between the read and the write is lost.
 */
export async function abortIncompleteUploads(
  s: Session,
  options: AbortIncompleteUploadsOptions,
): Promise<AbortUploadsRule> {
  const afterDays = assertAfterDays(options);
  const Bucket = s.requireBucket();
  const action = 'abortIncompleteUploads()';
  const Rules = withAbortRule(await lifecycleRules(s, action), afterDays);
  await s.send({ action }, 'PutBucketLifecycleConfigurationCommand', { Bucket, LifecycleConfiguration: { Rules } });
  return { id: ABORT_RULE_ID, prefix: '', afterDays };
}

/** The bucket's enabled lifecycle rules that abort incomplete multipart uploads; `[]` when none. */
export async function getAbortIncompleteUploads(s: Session): Promise<AbortUploadsRule[]> {
  return abortRulesOf(await lifecycleRules(s, 'getAbortIncompleteUploads()'));
}

/**
 * Aborts, now, the multipart uploads begun at least `olderThan` milliseconds ago (under
 * `prefix`), and resolves to them; with `dryRun`, only lists them. An upload finished or
 * aborted meanwhile by someone else is no error.
 */
export async function abortStaleUploads(s: Session, options: StaleUploadsOptions): Promise<PendingUpload[]> {
  if (options === undefined) throw invalidInput('options', 'must be an object such as { olderThan: 86400000 }');
  const { olderThan, prefix, dryRun } = knownOptionsOf(options, ['olderThan', 'prefix', 'dryRun']);
  assertOlderThan(olderThan, true);
  assertFlag(dryRun, 'dryRun');
  const stale: PendingUpload[] = [];
  // Listed first, aborted after: aborting while paging would move the markers under our feet.
  for await (const u of listMultipartUploads(s, { prefix, olderThan })) stale.push(u);
  if (!dryRun) for (const u of stale) await abortMultipartUpload(s, u.key, u.uploadId);
  return stale;
}

/** The bucket's lifecycle rules, `[]` when it has none. */
async function lifecycleRules(s: Session, action: string) {
  const out = await s.send({ action, absent: NONE_SET.lifecycle }, 'GetBucketLifecycleConfigurationCommand', {
    Bucket: s.requireBucket(),
  });
  return out?.Rules ?? [];
}
