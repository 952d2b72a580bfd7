/** One line of `cloudspark doctor`: what was checked, whether it passed, and the fix when not. */
export interface Check {
  check: string;
  ok: boolean;
  detail: string;
  /** What to run or do; only on a failed check. */
  fix?: string | undefined;
}

/** A way out: a cloudspark command line (its arguments), or advice in words. */
export type Fix = string[] | string;

/** A check's verdict before it is named; `fixes` are alternatives. */
export interface Verdict {
  ok: boolean;
  detail: string;
  fixes?: Fix[];
}

export const pass = (detail: string): Verdict => ({ ok: true, detail });
export const fail = (detail: string, ...fixes: Fix[]): Verdict => ({ ok: false, detail, fixes });

/** Whether `value` matches an S3 CORS pattern, in which each `*` stands for any characters. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}
