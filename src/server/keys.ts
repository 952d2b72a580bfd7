/**
 * Object keys and the handler's key prefix. A key a client names must lie under the prefix, and
 * be one the handler could have made: no `.`/`..` segments, no `//`, no leading `/`, no control
 * characters. S3 takes such keys literally, but the tools and proxies in front of a bucket, and
 * the app's own paths, often do not.
 */
import { randomUUID } from 'node:crypto';
import { assertKey, assertString } from '../validate.js';

const FILENAME_VARIABLE = '${filename}';

/** What is wrong with the shape of `key`, or undefined. */
export function keyShapeProblem(key: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(key)) return 'contains control characters';
  if (key.startsWith('/')) return 'starts with "/"';
  if (key.includes('//')) return 'contains "//"';
  if (key.split('/').some((segment) => segment === '.' || segment === '..')) return 'has a "." or ".." segment';
  return undefined;
}

export const underPrefix = (key: string, keyPrefix: string): boolean => key.startsWith(keyPrefix);

export const hasFilenameVariable = (key: string): boolean => key.includes(FILENAME_VARIABLE);

/**
 * Whether `key` is the key a presigned POST for `template` could have stored: the template
 * itself, or, when it ends in `${filename}` (allowFilenameVariable), the template's folder with
 * one more segment.
 */
export function keyMatchesTemplate(key: string, template: string): boolean {
  if (!template.endsWith(FILENAME_VARIABLE)) return key === template;
  const folder = template.slice(0, -FILENAME_VARIABLE.length);
  const rest = key.slice(folder.length);
  return key.startsWith(folder) && rest !== '' && !rest.includes('/');
}

/**
 * A key the client cannot steer: the prefix, a random id, then the file's base name reduced to
 * letters, digits, `.`, `_` and `-` (so no `../`, no folders, nothing to escape).
 */
export function defaultKey(keyPrefix: string, filename: string): string {
  return `${keyPrefix}${randomUUID()}/${cleanFilename(filename)}`;
}

/** The name after the last `/` or `\`: a client may send a path, a Windows one too, as the file's name. */
export const baseName = (filename: string): string =>
  filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);

/**
 * A file name safe as the last segment of a key: the base name only (no folders), in NFC, runs
 * of anything but letters, digits, `.`, `_` and `-` made one `-`, no leading dot or hyphen, at
 * most 100 characters (the extension kept), and `file` when nothing is left.
 */
export function cleanFilename(filename: string): string {
  assertString(filename, 'filename');
  let name = baseName(filename)
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^[.-]+/, '')
    .replace(/-+(?=\.[^.]*$|$)/, '');
  if (name.length > 100) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 12 ? name.slice(dot) : '';
    name = name.slice(0, 100 - ext.length) + ext;
  }
  return name || 'file';
}

/**
 * Checks a key `rules.makeKey` returned. A bad one is the app's bug, not the client's: the
 * message is for the server's logs.
 */
export function assertMadeKey(key: unknown, keyPrefix: string, allowFilenameVariable: boolean): asserts key is string {
  try {
    assertKey(key);
  } catch (error) {
    throw new Error(`rules.makeKey returned a bad key: ${(error as Error).message}`, { cause: error });
  }
  const problem = keyShapeProblem(key);
  if (problem) throw new Error(`rules.makeKey returned the key "${key}", which ${problem}`);
  if (!underPrefix(key, keyPrefix))
    throw new Error(`rules.makeKey returned the key "${key}", outside rules.keyPrefix "${keyPrefix}"`);
  if (
    hasFilenameVariable(key) &&
    !(
      allowFilenameVariable &&
      key.endsWith(FILENAME_VARIABLE) &&
      key.indexOf(FILENAME_VARIABLE) === key.length - FILENAME_VARIABLE.length
    )
  ) {
    throw new Error(
      `rules.makeKey returned the key "${key}" with \${filename}: S3 would let the client choose the rest of the key. ` +
        'Set rules.allowFilenameVariable: true to allow it at the end of a key.',
    );
  }
}
