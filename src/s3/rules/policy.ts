/** Bucket policies: the safe default, checks before sending, and decoding POST policies. */
import { invalidInput } from '../../errors.js';
import { isPlainObject } from '../../validate.js';

/** One statement of a bucket policy, in the IAM policy language's own field names. */
export interface PolicyStatement {
  /** The statement's name, unique in the policy. */
  Sid?: string;
  /** Whether the statement grants or refuses. */
  Effect: 'Allow' | 'Deny';
  /** Who it applies to: `'*'` for anyone, or e.g. `{ AWS: 'arn:aws:iam::123456789012:root' }`. */
  Principal?: '*' | Record<string, string | string[]>;
  /** Everyone but these. */
  NotPrincipal?: Record<string, string | string[]>;
  /** Actions, such as `s3:GetObject`. */
  Action?: string | string[];
  /** Every action but these. */
  NotAction?: string | string[];
  /** ARNs of this bucket or its objects, such as `arn:aws:s3:::my-bucket/*`. */
  Resource?: string | string[];
  /** Every resource but these. */
  NotResource?: string | string[];
  /** When it applies: `{ operator: { key: value } }`, e.g. `{ Bool: { 'aws:SecureTransport': 'false' } }`. */
  Condition?: Record<string, Record<string, unknown>>;
}

/** A bucket policy document (at most 20 KB as JSON). */
export interface BucketPolicy {
  /** The policy language's version; use `'2012-10-17'`. */
  Version?: '2012-10-17' | '2008-10-17';
  /** An optional name for the policy. */
  Id?: string;
  /** At least one statement. */
  Statement: PolicyStatement[];
}

/** AWS limits a bucket policy to 20 KB. */
const MAX_POLICY_BYTES = 20 * 1024;

/**
 * Anyone may read (GET) the bucket's objects; nothing else. The original's README documents
 * exactly this, while its code granted `s3:*` to everyone, which we do not copy.
 */
export function publicReadPolicy(bucket: string): BucketPolicy {
  // A name that cannot break out of the ARN; S3's naming rules are checked where the bucket is bound.
  if (typeof bucket !== 'string' || !/^[A-Za-z0-9._-]+$/.test(bucket))
    throw invalidInput('bucket', 'must be a bucket name such as "my-bucket"');
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PublicReadGetObject',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
    ],
  };
}

/**
 * Checks a policy (object or JSON text) for the mistakes S3 would answer with an opaque
 * `MalformedPolicy`, including resources of another bucket, and returns the JSON to send.
 */
export function bucketPolicyJson(policy: unknown, bucket: string): string {
  let doc: unknown = policy;
  if (typeof policy === 'string') {
    try {
      doc = JSON.parse(policy);
    } catch (error) {
      throw invalidInput('policy', `is not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isPlainObject(doc)) throw invalidInput('policy', 'must be a JSON object with a "Statement" array');
  const version = doc['Version'];
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    throw invalidInput('policy', `Version must be "2012-10-17", got ${JSON.stringify(version)}`);
  }
  const raw = doc['Statement'];
  const statements: unknown[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (statements.length === 0) throw invalidInput('policy', 'needs at least one Statement');
  statements.forEach((s, i) => checkStatement(s, `policy Statement ${i}`, bucket));
  const json = JSON.stringify(doc);
  if (Buffer.byteLength(json) > MAX_POLICY_BYTES) throw invalidInput('policy', 'is larger than the 20 KB S3 allows');
  return json;
}

function checkStatement(s: unknown, where: string, bucket: string): void {
  if (!isPlainObject(s)) throw invalidInput(where, 'must be an object');
  if (s['Effect'] !== 'Allow' && s['Effect'] !== 'Deny') throw invalidInput(where, 'Effect must be "Allow" or "Deny"');
  if (s['Principal'] === undefined && s['NotPrincipal'] === undefined) {
    throw invalidInput(where, 'a bucket policy statement needs a Principal (e.g. "*")');
  }
  const actions = s['Action'] ?? s['NotAction'];
  if (!isStringOrList(actions))
    throw invalidInput(where, 'needs Action (or NotAction): a string or an array of strings');
  const resources = s['Resource'] ?? s['NotResource'];
  if (!isStringOrList(resources))
    throw invalidInput(where, 'needs Resource (or NotResource): a string or an array of strings');
  const ownArn = new RegExp(`^arn:[a-z-]+:s3:::${bucket.replace(/\./g, '\\.')}(/.*)?$`);
  for (const arn of typeof resources === 'string' ? [resources] : resources) {
    if (!ownArn.test(arn)) {
      throw invalidInput(where, `resource "${arn}" is not in bucket "${bucket}" (expected arn:aws:s3:::${bucket}/*)`);
    }
  }
}

function isStringOrList(v: unknown): v is string | string[] {
  return (
    (typeof v === 'string' && v.length > 0) ||
    (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'))
  );
}

/**
 * Decodes the base64 `policy` field of a presigned POST into pretty-printed JSON (4-space
 * indent, non-ASCII escaped), as the original's `policy_decode` does.
 */
export function policyDecode(encoded: string): string {
  if (
    typeof encoded !== 'string' ||
    !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded.trim()) ||
    encoded.trim().length % 4 !== 0
  ) {
    throw invalidInput('policy', 'is not base64 (expected the "policy" field of a presigned POST)');
  }
  const text = Buffer.from(encoded.trim(), 'base64').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidInput('policy', `decodes to text that is not JSON (${(error as Error).message})`);
  }
  return JSON.stringify(parsed, null, 4).replace(
    /[\u007f-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}
