/**
 * How long the SDK's clients wait for the store. Without limits a stalled endpoint (a stuck
 * gateway; Ceph RGW on a full OSD accepts writes and never answers them) makes every call wait
 * forever. Both limits are on silence, never on a transfer's total time: an upload or download
 * that keeps moving bytes is never cut.
 */
import { invalidInput } from '../../errors.js';
import { isPlainObject } from '../../validate.js';

/** How long the connection waits for the store, in milliseconds: the `timeouts` option. */
export interface Timeouts {
  /** Milliseconds to wait for a connection to be made. Default 10000. */
  connect?: number | undefined;
  /** Milliseconds a request may go with no byte moving either way. Default 60000. */
  idle?: number | undefined;
}

/** The limits in force: the given {@link Timeouts} with the defaults filled in. */
export type ResolvedTimeouts = Required<Readonly<Timeouts>>;

export const DEFAULT_TIMEOUTS: ResolvedTimeouts = Object.freeze({ connect: 10_000, idle: 60_000 });

/** setTimeout's own limit (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The limits to use, with every given value checked before any I/O. */
export function resolveTimeouts(timeouts: unknown): ResolvedTimeouts {
  if (timeouts === undefined) return DEFAULT_TIMEOUTS;
  if (!isPlainObject(timeouts))
    throw invalidInput('timeouts', 'must be an object such as { connect: 10000, idle: 60000 }');
  for (const name of Object.keys(timeouts)) {
    if (name !== 'connect' && name !== 'idle')
      throw invalidInput(`timeouts.${name}`, 'is not an option: there are timeouts.connect and timeouts.idle');
  }
  const pick = (name: 'connect' | 'idle'): number => {
    const value = timeouts[name];
    if (value === undefined) return DEFAULT_TIMEOUTS[name];
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_TIMEOUT_MS) {
      throw invalidInput(
        `timeouts.${name}`,
        `must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${String(value)}`,
      );
    }
    return value as number;
  };
  return Object.freeze({ connect: pick('connect'), idle: pick('idle') });
}

/**
 * The SDK's NodeHttpHandler options for these limits. In @smithy/node-http-handler 4.x
 * `socketTimeout` is the idle timer (the socket's own, reset by every byte read or written);
 * `requestTimeout` bounds the whole request and would cut long transfers, so it stays unset.
 */
export function requestHandlerOptions(timeouts: ResolvedTimeouts) {
  return { connectionTimeout: timeouts.connect, socketTimeout: timeouts.idle };
}

/** Which limit an SDK error reports: `connect`, `idle`, or undefined for any other error. */
export function timeoutKind(error: unknown): keyof Timeouts | undefined {
  const e = error as { name?: string; message?: string } | null | undefined;
  // The name does not tell: the handler also names ECONNRESET and EPIPE "TimeoutError". Only
  // its own timers' messages do: "did not establish a connection ... within the configured
  // timeout" and "timed out after N ms of inactivity".
  if (e?.name !== 'TimeoutError' || typeof e.message !== 'string') return undefined;
  if (/did not establish a connection/.test(e.message)) return 'connect';
  if (/ms of inactivity/.test(e.message)) return 'idle';
  return undefined;
}

/** Where the store is, for messages: the endpoint, or Amazon S3's regional one. */
export function endpointLabel(endpoint: string | undefined, region: string): string {
  return endpoint ?? `https://s3.${region}.amazonaws.com`;
}

/** `2 s`, `0.5 s`: a timeout as people read it. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** What a TIMEOUT of the idle limit says, in the library's messages and the CLI's alike. */
export function noAnswer(endpoint: string, idleMs: number): string {
  return `no answer from ${endpoint} for ${seconds(idleMs)}`;
}
