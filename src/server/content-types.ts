/**
 * Which content types an upload may declare, and how the stored file may be served. A file
 * served inline from the storage origin with an active type (HTML, SVG, XML, JavaScript) runs
 * script there: stored XSS. So wildcards never admit those types, and every type outside a short
 * list of passive ones is stored, and linked, as a download (`Content-Disposition: attachment`).
 */
import { invalidInput } from '../errors.js';
import { assertString } from '../validate.js';
import { baseName } from './keys.js';

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

export const isMimeType = (value: string): boolean => MIME.test(value);

/** The type without parameters, lower-cased: `Text/HTML; charset=x` -> `text/html`. */
export const baseType = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase();

/** Types a browser renders as a document or runs as script. */
const ACTIVE = new Set([
  'text/html',
  'application/xhtml+xml',
  'text/xml',
  'application/xml',
  'text/xsl',
  'application/xslt+xml',
  'image/svg+xml',
  // Every JavaScript MIME type of the WHATWG MIME Sniffing standard: a browser runs any of
  // them as a (module) script.
  'application/ecmascript',
  'application/javascript',
  'application/x-ecmascript',
  'application/x-javascript',
  'text/ecmascript',
  'text/javascript',
  'text/javascript1.0',
  'text/javascript1.1',
  'text/javascript1.2',
  'text/javascript1.3',
  'text/javascript1.4',
  'text/javascript1.5',
  'text/jscript',
  'text/livescript',
  'text/x-ecmascript',
  'text/x-javascript',
  'text/vbscript',
  'application/x-shockwave-flash',
  'text/cache-manifest',
  'application/wasm',
]);

/** Active content, which only an exact entry of `allowedTypes` admits. Any `+xml` type can carry script. */
export const isActiveType = (type: string): boolean =>
  ACTIVE.has(type) || type.endsWith('+xml') || type.endsWith('/xml');

/**
 * Whether `contentType` matches one of `patterns` (exact types, `family/*` or `*\/*`). A wildcard
 * never admits active content: `image/*` does not admit `image/svg+xml`, nor `text/*` `text/html`.
 */
export function typeAllowed(contentType: string, patterns: readonly string[] | undefined): boolean {
  assertString(contentType, 'contentType');
  if (patterns !== undefined && (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string')))
    throw invalidInput('patterns', 'must be an array of MIME types or patterns like "image/*"');
  const type = baseType(contentType);
  if (patterns?.includes(type)) return true;
  if (isActiveType(type)) return false;
  if (patterns === undefined) return true;
  const family = type.slice(0, type.indexOf('/'));
  return patterns.some((p) => p === '*/*' || p === `${family}/*`);
}

/** Passive types a browser may show inline from the storage origin. PDF is not one: its viewer runs script. */
const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'text/plain']);

/**
 * Whether a file of `contentType` may be shown inline from the storage origin: a short list of
 * passive images, plain text, and audio and video. Every other type is stored, and linked, as a
 * download.
 */
export function servedInline(contentType: string): boolean {
  assertString(contentType, 'contentType');
  const type = baseType(contentType);
  return INLINE.has(type) || ((type.startsWith('audio/') || type.startsWith('video/')) && !isActiveType(type));
}

/**
 * `attachment; filename*=UTF-8''<name>` (RFC 6266 and 8187): the browser downloads the file,
 * under its own name, instead of rendering it.
 */
export function attachmentDisposition(filename: string): string {
  assertString(filename, 'filename');
  // eslint-disable-next-line no-control-regex
  const name =
    baseName(filename)
      .normalize('NFC')
      .replace(/[\x00-\x1f\x7f]/g, '')
      .slice(0, 200) || 'file';
  // RFC 8187 attr-char: letters, digits and !#$&+-.^_`|~ go as they are; everything else is %XX of UTF-8.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename*=UTF-8''${encoded}`;
}

/** The Content-Disposition an upload of `contentType` is stored with: none for passive types. */
export const dispositionFor = (contentType: string, filename: string): string | undefined =>
  servedInline(contentType) ? undefined : attachmentDisposition(filename);
