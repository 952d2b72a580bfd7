/**
 * Orphaned multipart uploads: parts that a closed tab or a killed process left behind are kept,
 * invisibly and billed, until someone aborts the upload. A bucket lifecycle rule
 * (`AbortIncompleteMultipartUpload`) makes the store do it; these are the rule's pure parts
 * and the checks made before any network call. The calls are in ../ops/buckets.ts.
 */
import type { LifecycleRule } from '@aws-sdk/client-s3';
import { invalidInput } from '../../errors.js';
import { isPlainObject, knownOptionsOf } from '../../validate.js';
import type { AbortUploadsRule } from '../types.js';

/** The ID of the rule cloudspark sets: setting it again replaces it, never adds a second one. */
export const ABORT_RULE_ID = 'cloudspark-abort-incomplete-uploads';

/** S3 counts lifecycle days in whole days; a century is plenty. */
const MAX_DAYS = 36_500;

export function assertAfterDays(options: unknown): number {
  if (!isPlainObject(options)) throw invalidInput('options', 'must be an object such as { afterDays: 7 }');
  const days = knownOptionsOf(options as { afterDays?: unknown }, ['afterDays'])['afterDays'];
  if (!Number.isInteger(days) || (days as number) < 1 || (days as number) > MAX_DAYS) {
    throw invalidInput('afterDays', `must be a whole number of days from 1 to ${MAX_DAYS}, got ${String(days)}`);
  }
  return days as number;
}

export function assertOlderThan(olderThan: unknown, required: boolean): void {
  if (olderThan === undefined && !required) return;
  if (!Number.isSafeInteger(olderThan) || (olderThan as number) < 0) {
    throw invalidInput(
      'olderThan',
      `must be an age in milliseconds (a whole number, 0 or more), got ${String(olderThan)}`,
    );
  }
}

/** The bucket's rules with cloudspark's abort rule added, or put in place of the one set before. */
export function withAbortRule(rules: readonly LifecycleRule[], afterDays: number): LifecycleRule[] {
  const others = rules.filter((r) => r.ID !== ABORT_RULE_ID);
  return [
    ...others,
    {
      ID: ABORT_RULE_ID,
      Status: 'Enabled',
      Filter: { Prefix: '' },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: afterDays },
    },
  ];
}

/** The enabled rules that abort incomplete uploads, whoever set them. */
export function abortRulesOf(rules: readonly LifecycleRule[]): AbortUploadsRule[] {
  return rules.flatMap((r) => {
    const afterDays = r.AbortIncompleteMultipartUpload?.DaysAfterInitiation;
    if (r.Status !== 'Enabled' || afterDays === undefined) return [];
    // AWS answers with Filter; Ceph RGW answers a rule set with an empty Filter with the older Prefix.
    const prefix = r.Filter?.Prefix ?? r.Filter?.And?.Prefix ?? r.Prefix ?? '';
    return [{ id: r.ID, prefix, afterDays }];
  });
}
