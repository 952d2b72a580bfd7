/**
 * What an upload handler allows, checked once when the handler is made, and the pure decisions
 * made per request: does a type match, how big may it be, what key does the file get.
 */
import { randomUUID } from 'node:crypto';
import { invalidInput } from '../errors.js';
import { assertExpiresIn, assertKey, isPlainObject } from '../validate.js';
import { MAX_PARTS, MIN_PART_SIZE } from '../s3/multipart.js';

export interface FileInfo {
  /** The name the client gave, used only to name the key (never as a path). */
  filename: string;
  contentType: string;
  /** Bytes, as the client declared them. */
  size: number | undefined;
}

export interface UploadRules {
  /** Largest file accepted, in bytes. S3 enforces it for presigned POSTs; the handler for multipart. */
  maxSize: number;
  /**
   * MIME types accepted, exact (`application/pdf`) or by family (`image/*`). Default: any type.
   * The declared type is signed into the upload and stored as the object's Content-Type.
   */
  allowedTypes?: string[];
  /** Keys are `<keyPrefix><random id>/<cleaned file name>`. Default `uploads/`. */
  keyPrefix?: string;
  /** Makes the key instead (after the other rules passed), e.g. from the signed-in user. */
  makeKey?: (request: Request, file: FileInfo) => string | Promise<string>;
  /** Lifetime of every presigned POST and URL, in seconds. Default 600. */
  expiresIn?: number;
}

/** The rules with their defaults filled in. */
export interface ResolvedRules extends Required<Omit<UploadRules, 'makeKey' | 'allowedTypes'>> {
  allowedTypes: string[] | undefined;
  makeKey: UploadRules['makeKey'];
  /** More parts than this could not make an object within maxSize (all but the last are >= 5 MiB). */
  maxParts: number;
}

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;
const MIME_PATTERN = /^(\*\/\*|[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*))$/i;

export function resolveRules(rules: unknown): ResolvedRules {
  if (!isPlainObject(rules)) throw invalidInput('rules', 'must be an object such as { maxSize: 10_000_000 }');
  const { maxSize, allowedTypes, keyPrefix = 'uploads/', makeKey, expiresIn = 600 } = rules as Partial<UploadRules>;
  if (!Number.isSafeInteger(maxSize) || (maxSize as number) < 1) throw invalidInput('rules.maxSize', 'must be a whole number of bytes, at least 1');
  if (allowedTypes !== undefined) {
    if (!Array.isArray(allowedTypes) || allowedTypes.length === 0) throw invalidInput('rules.allowedTypes', 'must be a non-empty array of MIME types or patterns like "image/*"');
    for (const t of allowedTypes) if (typeof t !== 'string' || !MIME_PATTERN.test(t)) throw invalidInput('rules.allowedTypes', `"${String(t)}" is not a MIME type or pattern like "image/*"`);
  }
  if (typeof keyPrefix !== 'string') throw invalidInput('rules.keyPrefix', 'must be a string');
  if (keyPrefix !== '') assertKey(keyPrefix);
  if (makeKey !== undefined && typeof makeKey !== 'function') throw invalidInput('rules.makeKey', 'must be a function (request, file) => key');
  assertExpiresIn(expiresIn, 'rules.expiresIn');
  return {
    maxSize: maxSize as number,
    allowedTypes: allowedTypes?.map((t) => t.toLowerCase()),
    keyPrefix,
    makeKey,
    expiresIn,
    maxParts: Math.min(MAX_PARTS, Math.floor((maxSize as number) / MIN_PART_SIZE) + 1),
  };
}

export const isMimeType = (value: string): boolean => MIME.test(value);

/** Whether `contentType` (parameters such as `; charset=` ignored) matches one of `patterns`. */
export function typeAllowed(contentType: string, patterns: readonly string[] | undefined): boolean {
  if (patterns === undefined) return true;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const family = type.slice(0, type.indexOf('/'));
  return patterns.some((p) => p === '*/*' || p === type || p === `${family}/*`);
}

/**
 * A key the client cannot steer: the prefix, a random id, then the file's base name reduced to
 * letters, digits, `.`, `_` and `-` (so no `../`, no folders, nothing to escape).
 */
export function defaultKey(keyPrefix: string, filename: string): string {
  return `${keyPrefix}${randomUUID()}/${cleanFilename(filename)}`;
}

export function cleanFilename(filename: string): string {
  const base = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
  let name = base.normalize('NFC').replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^[.-]+/, '').replace(/-+(?=\.[^.]*$|$)/, '');
  if (name.length > 100) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 12 ? name.slice(dot) : '';
    name = name.slice(0, 100 - ext.length) + ext;
  }
  return name || 'file';
}
