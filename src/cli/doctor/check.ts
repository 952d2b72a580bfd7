/**
 * One line of `cloudspark doctor`: what was checked, whether it passed, and the fix when not.
 * A warning passes (uploads work) but names something worth fixing, with its fix.
 */
export interface Check {
  check: string;
  ok: boolean;
  warning?: true;
  detail: string;
  /** What to run or do; on a failed check or a warning. */
  fix?: string | undefined;
}

/** A way out: a cloudspark command line (its arguments), or advice in words. */
export type Fix = string[] | string;

/** A check's verdict before it is named; `fixes` are alternatives. */
export interface Verdict {
  ok: boolean;
  warning?: true;
  detail: string;
  fixes?: Fix[];
}

export const pass = (detail: string): Verdict => ({ ok: true, detail });
export const fail = (detail: string, ...fixes: Fix[]): Verdict => ({ ok: false, detail, fixes });
export const warn = (detail: string, ...fixes: Fix[]): Verdict => ({ ok: true, warning: true, detail, fixes });

/** Whether `value` matches an S3 CORS pattern, in which each `*` stands for any characters. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}
