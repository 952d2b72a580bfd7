/**
 * Clock skew against the store: S3 refuses requests signed more than 15 minutes off, and a
 * presigned link made by a fast or slow clock lives shorter or longer than it says.
 */
import { fail, pass, type Verdict } from './check.js';

export const SKEW_LIMIT_MS = 5 * 60 * 1000;

/**
 * The server's clock minus ours, from one request: the `Date` header (whole seconds, so +0.5 s)
 * against the middle of the round trip.
 */
export async function measureSkew(url: string): Promise<number> {
  const sent = Date.now();
  const res = await fetch(url, { method: 'HEAD' });
  const received = Date.now();
  const date = Date.parse(res.headers.get('date') ?? '');
  if (Number.isNaN(date)) throw new Error(`${url} answered without a Date header`);
  return date + 500 - (sent + received) / 2;
}

export function clockVerdict(skewMs: number): Verdict {
  const off = Math.abs(skewMs);
  if (off < 2000) return pass('in step with the server (within 2 s)');
  const amount = off < 120_000 ? `${(off / 1000).toFixed(0)} s` : `${(off / 60_000).toFixed(1)} min`;
  const detail = `this machine's clock is ${amount} ${skewMs > 0 ? 'behind' : 'ahead of'} the server's (limit ${SKEW_LIMIT_MS / 60_000} min)`;
  return off <= SKEW_LIMIT_MS
    ? pass(detail)
    : fail(detail, "set this machine's clock, e.g. turn on NTP: timedatectl set-ntp true");
}
