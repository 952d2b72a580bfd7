/**
 * What an upload handler allows, checked once when the handler is made, and the file a client
 * asks to upload, checked against it per request.
 */
import { invalidInput } from '../errors.js';
import { assertExpiresIn, assertFlag, isPlainObject, knownOptionsOf } from '../validate.js';
import { HandlerError, badInput } from './errors.js';
import { isActiveType, isMimeType, typeAllowed } from './content-types.js';
import { keyShapeProblem } from './keys.js';

/** A file a client asks to upload, as it describes it. */
export interface FileInfo {
  /** The name the client gave, used only to name the key (never as a path). */
  filename: string;
  /** The MIME type the client declared; signed into the upload and stored with the object. */
  contentType: string;
  /** Bytes, as the client declared them. */
  size: number | undefined;
}

/** What an upload handler accepts: checked when the handler is made, then for every upload. */
export interface UploadRules {
  /** Largest file accepted, in bytes. S3 enforces it for presigned POSTs; the handler for multipart. */
  maxSize: number;
  /**
   * MIME types accepted, exact (`application/pdf`) or by family (`image/*`). Default: any type.
   * Active content (HTML, SVG, XML, JavaScript) is accepted only when listed exactly: no wildcard,
   * nor the default, admits it. The declared type is signed into the upload and stored as the
   * object's Content-Type; types that are not safe to show inline are stored as downloads.
   */
  allowedTypes?: string[] | undefined;
  /** Every key is under this prefix, also those `makeKey` makes. Default `uploads/`. */
  keyPrefix?: string | undefined;
  /**
   * Makes the key instead of `<keyPrefix><random id>/<cleaned file name>` (after the other rules
   * passed), e.g. from the signed-in user. It must return a key under `keyPrefix`.
   */
  makeKey?: ((request: Request, file: FileInfo) => string | Promise<string>) | undefined;
  /**
   * Lets a `makeKey` key end in `${filename}`, which the handler replaces with the declared file
   * name, cleaned (letters, digits, `.`, `_`, `-`): never S3, which would let the client choose
   * the rest of the key. Default false.
   */
  allowFilenameVariable?: boolean | undefined;
  /** Lifetime of every presigned POST and URL, in seconds. Default 600. */
  expiresIn?: number | undefined;
  /**
   * How long an upload may take from its start to its completion, in seconds: the lifetime of
   * its token (parts are signed as they are needed). Default 86400 (a day).
   */
  tokenExpiresIn?: number | undefined;
}

/** The rules with their defaults filled in. */
export interface ResolvedRules extends Required<Omit<UploadRules, 'makeKey' | 'allowedTypes'>> {
  allowedTypes: string[] | undefined;
  makeKey: UploadRules['makeKey'];
}

const MIME_PATTERN = /^(\*\/\*|[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*))$/i;

/** `field`: where the rules were given, for the errors (`rules`, or `routes.avatars.rules`). */
export function resolveRules(rules: unknown, field = 'rules'): ResolvedRules {
  if (!isPlainObject(rules)) throw invalidInput(field, 'must be an object such as { maxSize: 10_000_000 }');
  const {
    maxSize,
    allowedTypes,
    keyPrefix = 'uploads/',
    makeKey,
    allowFilenameVariable = false,
    expiresIn = 600,
    tokenExpiresIn = 86400,
  } = knownOptionsOf(
    rules as Partial<UploadRules>,
    ['maxSize', 'allowedTypes', 'keyPrefix', 'makeKey', 'allowFilenameVariable', 'expiresIn', 'tokenExpiresIn'],
    field,
  );
  if (!Number.isSafeInteger(maxSize) || (maxSize as number) < 1)
    throw invalidInput(`${field}.maxSize`, 'must be a whole number of bytes, at least 1');
  if (allowedTypes !== undefined) {
    if (!Array.isArray(allowedTypes) || allowedTypes.length === 0)
      throw invalidInput(`${field}.allowedTypes`, 'must be a non-empty array of MIME types or patterns like "image/*"');
    for (const t of allowedTypes)
      if (typeof t !== 'string' || !MIME_PATTERN.test(t))
        throw invalidInput(`${field}.allowedTypes`, `"${String(t)}" is not a MIME type or pattern like "image/*"`);
  }
  if (typeof keyPrefix !== 'string' || keyPrefix.length > 512)
    throw invalidInput(`${field}.keyPrefix`, 'must be a string of at most 512 characters');
  const problem = keyPrefix === '' ? undefined : keyShapeProblem(keyPrefix);
  if (problem) throw invalidInput(`${field}.keyPrefix`, `"${keyPrefix}" ${problem}`);
  if (makeKey !== undefined && typeof makeKey !== 'function')
    throw invalidInput(`${field}.makeKey`, 'must be a function (request, file) => key');
  assertFlag(allowFilenameVariable, `${field}.allowFilenameVariable`);
  assertExpiresIn(expiresIn, `${field}.expiresIn`);
  assertExpiresIn(tokenExpiresIn, `${field}.tokenExpiresIn`);
  return {
    maxSize: maxSize as number,
    allowedTypes: allowedTypes?.map((t) => t.toLowerCase()),
    keyPrefix,
    makeKey,
    allowFilenameVariable,
    expiresIn,
    tokenExpiresIn,
  };
}

/**
 * The file the client describes, checked for shape only: nothing here depends on the rules, so
 * a caller `authorize` refuses learns none of them.
 */
export function describedFile(body: Record<string, unknown>, sizeRequired: boolean): FileInfo {
  const { filename, contentType = 'application/octet-stream', size } = body;
  if (typeof filename !== 'string' || filename.trim() === '')
    throw badInput('filename', 'give the file\'s name as "filename"');
  if (filename.length > 1024) throw badInput('filename', 'is over 1024 characters');
  if (typeof contentType !== 'string' || !isMimeType(contentType))
    throw badInput('contentType', 'must be a MIME type such as "image/png"');
  if (size === undefined) {
    if (sizeRequired) throw badInput('size', 'give the file\'s size in bytes as "size"');
  } else if (!Number.isSafeInteger(size) || (size as number) < 0) {
    throw badInput('size', 'must be a whole number of bytes');
  }
  return { filename, contentType: contentType.toLowerCase(), size: size as number | undefined };
}

/** Refuses a file the rules do not accept (after `authorize` allowed the caller). */
export function checkFileAgainstRules(file: FileInfo, rules: ResolvedRules): void {
  if (!typeAllowed(file.contentType, rules.allowedTypes)) {
    const why = isActiveType(file.contentType)
      ? ' (active content is accepted only when allowedTypes lists its exact type)'
      : '';
    const allowed = rules.allowedTypes ? ` (allowed: ${rules.allowedTypes.join(', ')})` : '';
    throw new HandlerError(
      400,
      'TYPE_NOT_ALLOWED',
      `files of type ${file.contentType} are not accepted${allowed}${why}`,
      'contentType',
    );
  }
  if (file.size !== undefined && file.size > rules.maxSize) {
    throw new HandlerError(
      400,
      'TOO_LARGE',
      `the file is ${file.size} bytes, over the limit of ${rules.maxSize}`,
      'size',
    );
  }
}
