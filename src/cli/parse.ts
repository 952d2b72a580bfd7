/**
 * Parsers for option and argument values. They throw commander's InvalidArgumentError, so a
 * bad value is a usage error (exit 2) that names the option. Range checks the library makes
 * itself (expiry, key length, ...) are left to it.
 */
import { InvalidArgumentError } from 'commander';

/** A whole number, for `--expires 600` or `--page-size 100`. */
export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new InvalidArgumentError('expected a whole number, such as 600');
  return Number(value);
}

/** Seconds, such as `60` or `2.5`, for `--timeout`: returned in milliseconds. */
export function secondsAsMs(value: string): number {
  const ms = /^\d+(?:\.\d{1,3})?$/.test(value) ? Math.round(Number(value) * 1000) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 1)
    throw new InvalidArgumentError('expected seconds above 0, such as 60 or 2.5');
  return ms;
}

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** An age such as `30m`, `12h`, `2d` or `1w` (`0` for any age), in milliseconds. */
export function duration(value: string): number {
  const m = /^(\d+)([smhdw])$/.exec(value.trim());
  const ms = value.trim() === '0' ? 0 : m ? Number(m[1]) * DURATION_UNITS[m[2]!]! : Number.NaN;
  if (!Number.isSafeInteger(ms))
    throw new InvalidArgumentError('expected an age such as 30m, 12h, 2d or 1w (or 0 for any age)');
  return ms;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 2 ** 10,
  m: 1e6,
  mb: 1e6,
  mib: 2 ** 20,
  g: 1e9,
  gb: 1e9,
  gib: 2 ** 30,
};

/** A size in bytes, with an optional unit: `1048576`, `10MB`, `5MiB`, `1.5GiB`. */
export function byteSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new InvalidArgumentError('expected a size such as 1048576, 10MB or 5MiB');
  return bytes;
}

/** Collects repeated `--meta name=value` options into one record. */
export function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('expected name=value, such as --meta owner=alice');
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Collects a repeated option into a list. */
export function list(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A browser origin: scheme, host and port only, as a page's `Origin` header carries it. */
export function origin(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    !/^https?:$/.test(url.protocol) ||
    url.pathname !== '/' ||
    url.search ||
    url.hash ||
    value.endsWith('/')
  ) {
    throw new InvalidArgumentError('expected an origin such as https://app.example or http://localhost:3000 (no path)');
  }
  return url.origin;
}

const BYTES_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1536` -> `1.5 KiB`, for messages and progress bars. */
export function formatBytes(bytes: number): string {
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < BYTES_UNITS.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${BYTES_UNITS[i]}`;
}

/** `2024-05-01T12:00:00Z`, to the second; `-` padded to the same width when unknown, so columns stay aligned. */
export function timestamp(date: Date | undefined): string {
  return date?.toISOString().replace(/\.\d{3}Z$/, 'Z') ?? '-'.padEnd(20);
}

/** `1 day`, `2 days`: for words that take an `s`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
