/**
 * One retry policy for both ways to the store: the SDK's calls, and the direct path's GETs and
 * PUTs (../transfer/direct.ts). How many attempts comes from one place, in the SDK's own order: the
 * `maxAttempts` option, else `AWS_MAX_ATTEMPTS`, else `max_attempts` of the profile in the shared
 * config file, else 3. What is retried is the SDK's retryable set (5xx, throttling, transient
 * timeouts, connections that fail before an answer), plus a body the store refused as corrupted;
 * the back-off is the SDK's: full jitter over 100 ms x 2^attempt, at most 20 s.
 */
import { invalidInput } from '../../errors.js';

export const DEFAULT_MAX_ATTEMPTS = 3;
const MAX_MAX_ATTEMPTS = 10;

/** Statuses retried whatever the body says. */
export const RETRY_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
/** S3 codes retried: throttling, and a body the store waited too long for (AWS answers 400 RequestTimeout). */
export const RETRY_S3_CODES: ReadonlySet<string> = new Set([
  'SlowDown',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'TooManyRequestsException',
  'BandwidthLimitExceeded',
]);
/** Connections that fail before an answer, as the SDK retries them. */
export const RETRY_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The wait before attempt `attempt + 1`, in milliseconds: the SDK's full-jitter exponential back-off. */
export function backoff(attempt: number): number {
  return Math.random() * Math.min(20_000, 100 * 2 ** attempt);
}

/** `maxAttempts` as given: a whole number from 1 to 10, or left out. */
export function assertMaxAttempts(value: unknown): asserts value is number | undefined {
  if (
    value !== undefined &&
    (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_MAX_ATTEMPTS)
  ) {
    throw invalidInput('maxAttempts', `must be a whole number from 1 to ${MAX_MAX_ATTEMPTS}`);
  }
}

/** A whole number of attempts from 1 to 10 in `text`, else undefined. */
function attemptsIn(text: string | undefined): number | undefined {
  const n = Number(text?.trim());
  return Number.isInteger(n) && n >= 1 && n <= MAX_MAX_ATTEMPTS ? n : undefined;
}

/**
 * The attempts in force, in the SDK's order: `given`, `AWS_MAX_ATTEMPTS`, `max_attempts` of the
 * profile (`profile`, else `AWS_PROFILE`, else `default`) in the shared config file
 * (`AWS_CONFIG_FILE`, else `~/.aws/config`), else 3. The file is read once per connection.
 */
export async function resolveMaxAttempts(given: number | undefined, profile: string | undefined): Promise<number> {
  if (given !== undefined) return given;
  const env = attemptsIn(process.env['AWS_MAX_ATTEMPTS']);
  if (env !== undefined) return env;
  const [{ readFile }, { homedir }, { join }] = await Promise.all([
    import('node:fs/promises'),
    import('node:os'),
    import('node:path'),
  ]);
  const file = process.env['AWS_CONFIG_FILE'] || join(homedir(), '.aws', 'config');
  const text = await readFile(file, 'utf8').catch(() => '');
  return (
    attemptsIn(iniValue(text, profile ?? process.env['AWS_PROFILE'] ?? 'default', 'max_attempts')) ??
    DEFAULT_MAX_ATTEMPTS
  );
}

/** `name` in the config file's section of `profile` (`[default]`, or `[profile NAME]`). */
export function iniValue(text: string, profile: string, name: string): string | undefined {
  const wanted = profile === 'default' ? ['default', 'profile default'] : [`profile ${profile}`];
  let inside = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)[#;].*$/, '').trim();
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) inside = wanted.includes(section[1]!.replace(/\s+/g, ' '));
    else if (inside) {
      const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
      if (pair && pair[1] === name) return pair[2];
    }
  }
  return undefined;
}
