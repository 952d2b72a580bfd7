/**
 * Whether a bucket's CORS rules let a page on `origin` upload: S3 applies the first rule that
 * matches the origin, the method and every requested header, so each method is looked up as S3
 * would. POST (a presigned form) sends no custom header; PUT sends Content-Type (a presigned
 * URL) or Content-MD5 (a part of a multipart upload, which S3 checks against the part's bytes),
 * and the page must read each part's ETag.
 */
import type { CorsRule } from '../../s3/rules/cors.js';
import { fail, pass, wildcardMatch, type Fix, type Verdict } from './check.js';

/** The index of the rule S3 would apply, or -1. */
export function matchingRule(
  rules: readonly CorsRule[],
  origin: string,
  method: string,
  headers: readonly string[] = [],
): number {
  return rules.findIndex(
    (r) =>
      r.AllowedOrigins.some((o) => wildcardMatch(o, origin)) &&
      (r.AllowedMethods as readonly string[]).includes(method) &&
      headers.every((h) => (r.AllowedHeaders ?? []).some((allowed) => wildcardMatch(allowed, h, true))),
  );
}

export function corsVerdict(rules: readonly CorsRule[], origin: string, fix: Fix): Verdict {
  if (rules.length === 0)
    return fail('the bucket has no CORS rules: browsers may not upload to it from any origin', fix);
  const post = matchingRule(rules, origin, 'POST');
  const put = matchingRule(rules, origin, 'PUT', ['content-type', 'content-md5']);
  const problems: string[] = [];
  if (post < 0) problems.push(`no rule allows POST from ${origin}`);
  if (put < 0) problems.push(`no rule allows PUT with Content-Type and Content-MD5 headers from ${origin}`);
  else if (!(rules[put]!.ExposeHeaders ?? []).some((h) => h.toLowerCase() === 'etag')) {
    problems.push(`rule ${put}, which applies to PUT, does not expose ETag (multipart uploads read it)`);
  }
  if (problems.length) return fail(problems.join('; '), fix);
  const which = post === put ? `rule ${post} allows` : `rules ${post} and ${put} allow`;
  return pass(`${which} POST and PUT from ${origin} and expose${post === put ? 's' : ''} ETag`);
}
