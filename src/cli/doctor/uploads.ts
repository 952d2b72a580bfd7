/**
 * Whether the store cleans up after uploads that never finish: a page closed mid-upload leaves
 * its parts behind, invisible in listings and billed, until the upload is aborted. Uploads
 * still work without a rule, so a missing one is a warning, not a failure.
 */
import type { AbortUploadsRule } from '../../s3/types.js';
import { plural } from '../parse.js';
import { pass, warn, type Fix, type Verdict } from './check.js';

export function abortRuleVerdict(rules: readonly AbortUploadsRule[], ...fixes: Fix[]): Verdict {
  const whole = rules.filter((r) => r.prefix === '').sort((a, b) => a.afterDays - b.afterDays)[0];
  if (whole)
    return pass(
      `lifecycle rule ${whole.id ? `"${whole.id}" ` : ''}aborts unfinished multipart uploads ${plural(whole.afterDays, 'day')} after they began`,
    );
  if (rules.length) {
    const prefixes = rules.map((r) => `"${r.prefix}"`).join(', ');
    return warn(
      `lifecycle rules abort unfinished multipart uploads under ${prefixes} only: elsewhere their parts are kept, and billed, until someone aborts them`,
      ...fixes,
    );
  }
  return warn(
    'no lifecycle rule aborts unfinished multipart uploads: the parts of an upload a closed page left behind are kept, and billed, until someone aborts it',
    ...fixes,
  );
}
