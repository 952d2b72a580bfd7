/**
 * `cloudspark doctor --origin <url>`: is the bucket ready for uploads straight from pages on
 * that origin? Each check runs even when another failed, so one run lists every fix.
 */
import { randomUUID } from 'node:crypto';
import { CloudSparkError } from '../../errors.js';
import type { CliContext } from '../context.js';
import type { Check, Fix, Verdict } from './check.js';
import { preflightVerdict, roundTripVerdict } from './browser.js';
import { clockVerdict, measureSkew } from './clock.js';
import { corsVerdict } from './cors-rules.js';
import { publicAccessVerdict } from './public-access.js';
import { abortRuleVerdict } from './uploads.js';
import { warn } from './check.js';

export async function runDoctor(ctx: CliContext, origin: string): Promise<Check[]> {
  const s3 = ctx.connection();
  const key = `.cloudspark-doctor/${randomUUID()}.txt`;
  const corsFix: Fix = ['cors', 'set', '--origin', origin];
  const accessFix = `check what ${ctx.describeCredentials()} may do: s3:PutObject and s3:DeleteObject on the bucket, and no Deny in its policy (${ctx.command('policy', 'get')})`;
  // Ceph RGW (16.2) refuses every PUT, presigned or not, while BlockPublicAcls is on; POST still works.
  const putRefused = async (): Promise<Fix> =>
    (await s3.getPublicAccess().catch(() => undefined))?.BlockPublicAcls
      ? `Ceph RGW refuses every PUT while BlockPublicAcls is on: ${ctx.command('public-access', 'allow')}; on other stores, ${accessFix}`
      : accessFix;
  // Presigning is local: these are the URLs a page would use, with the query (signature) cut.
  const urls = async () => ({
    bucket: (await s3.presignedCreateUrl(key)).url,
    object: withoutQuery(await s3.presignedGetUrl(key)),
  });

  const checks: Array<[string, () => Promise<Verdict>]> = [
    ['cors rules', async () => corsVerdict(await s3.getBucketCors(), origin, corsFix)],
    ['preflight', async () => preflightVerdict(await urls(), origin, corsFix)],
    ['public access', async () => publicAccessVerdict(await s3.getPublicAccess(), await s3.getBucketPolicy())],
    ['round trip', () => roundTripVerdict(s3, key, origin, { cors: corsFix, access: accessFix, putRefused })],
    ['clock', async () => clockVerdict(await measureSkew((await urls()).object))],
    [
      'incomplete uploads',
      async () => {
        const fixes: Fix[] = [
          ['multipart', 'auto-abort', '--after-days', '7'],
          ['multipart', 'abort', '--older-than', '7d'],
        ];
        // A store without lifecycle rules still takes uploads: what it cannot say is only a warning.
        const rules = await s3.getAbortIncompleteUploads().catch((error: Error) => error);
        return rules instanceof Error
          ? warn(`could not read the lifecycle rules: ${rules.message}`, ...fixes)
          : abortRuleVerdict(rules, ...fixes);
      },
    ],
  ];
  const results: Check[] = [];
  for (const [check, run] of checks) {
    const verdict = await run().catch((error: unknown) => failedToRun(ctx, error));
    const fix =
      verdict.ok && !verdict.warning
        ? undefined
        : verdict.fixes?.map((f) => (typeof f === 'string' ? f : ctx.command(...f))).join('   or   ');
    results.push({
      check,
      ok: verdict.ok,
      ...(verdict.warning && { warning: true as const }),
      detail: verdict.detail,
      ...(fix && { fix }),
    });
  }
  return results;
}

/** A check that could not run fails with the reason, and the CLI's usual advice for it. */
function failedToRun(ctx: CliContext, error: unknown): Verdict {
  if (error instanceof CloudSparkError) {
    const hint = ctx.hint(error);
    return { ok: false, detail: error.message, fixes: hint ? [hint] : [] };
  }
  const e = error as Error & { cause?: { code?: string } };
  return { ok: false, detail: `could not ask the store: ${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}` };
}

function withoutQuery(url: string): string {
  const u = new URL(url);
  u.search = '';
  return u.toString();
}
