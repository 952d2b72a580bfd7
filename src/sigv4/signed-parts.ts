/**
 * What a presigned URL signs besides method, key and lifetime: the operation's own query
 * parameters (`partNumber`, `uploadId`, `response-*`) and request headers (`content-type`,
 * `content-length`), checked and put in SigV4's canonical form.
 */
import { invalidInput } from '../errors.js';
import { isPlainObject } from '../validate.js';
import { uriEncode } from './primitives.js';

/** `name=value` pairs, encoded; names must not collide with the signature's own parameters. */
export function operationQuery(query: Readonly<Record<string, string>>): string[] {
  if (!isPlainObject(query)) throw invalidInput('query', 'must be an object of strings');
  return Object.entries(query).map(([name, value]) => {
    if (name === '' || /^x-amz-/i.test(name)) throw invalidInput('query', `"${name}" is not an operation parameter`);
    if (typeof value !== 'string') throw invalidInput(`query.${name}`, 'must be a string');
    return `${uriEncode(name)}=${uriEncode(value)}`;
  });
}

// RFC 9110 field names (tokens), and field values this library is willing to sign: printable
// ASCII only, so that no CR/LF (header injection) or byte a client would re-encode gets through.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\x20-\x7e]*$/;
/** Headers the query-string signature itself stands for: signing them would contradict it. */
const SIGNATURE_HEADERS = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-signedheaders',
  'x-amz-signature',
  'x-amz-security-token',
  'x-amz-content-sha256',
]);

/**
 * The canonical header lines and the SignedHeaders list for `headers` plus `host`: names lower
 * case and sorted, values trimmed with inner runs of spaces collapsed (SigV4's Trimall).
 */
export function signedHeaders(
  headers: Readonly<Record<string, string>>,
  host: string,
): { lines: string; names: string } {
  if (!isPlainObject(headers)) throw invalidInput('headers', 'must be an object of strings');
  const canonical = new Map<string, string>([['host', host]]);
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (!HEADER_NAME.test(name)) throw invalidInput('headers', `"${rawName}" is not a header name`);
    if (name === 'host' || SIGNATURE_HEADERS.has(name))
      throw invalidInput('headers', `"${rawName}" is signed by the URL itself`);
    if (canonical.has(name)) throw invalidInput('headers', `"${rawName}" is given twice`);
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      throw invalidInput(
        `headers.${name}`,
        'must be a string of printable ASCII (no CR, LF or other control characters)',
      );
    }
    canonical.set(name, value.trim().replace(/ {2,}/g, ' '));
  }
  const names = [...canonical.keys()].sort();
  let lines = '';
  for (const name of names) lines += `${name}:${canonical.get(name)!}\n`;
  return { lines, names: names.join(';') };
}

/** SigV4 sorts the canonical query by encoded name (then value), in code-unit order. */
export function byName(a: string, b: string): number {
  const an = a.slice(0, a.indexOf('='));
  const bn = b.slice(0, b.indexOf('='));
  if (an !== bn) return an < bn ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
