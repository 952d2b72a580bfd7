/** Local files on the byte path: where a download is written before its rename, and file errors in words. */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { CloudSparkError } from '../../errors.js';

/** node:fs/promises, loaded on first use (importing the package stays cheap). */
export const fsp = () => import('node:fs/promises');

/** The longest file name most file systems take (NAME_MAX), in bytes. */
const NAME_MAX = 255;

/**
 * The part file beside `path`: `.<name>.cloudspark-<random>.part`, its `<name>` cut (on a
 * character boundary) so that the whole stays within NAME_MAX: a target whose own name is legal
 * always gets a legal part file.
 */
export function partFileName(path: string): string {
  const tail = `.cloudspark-${randomBytes(4).toString('hex')}.part`;
  let name = basename(path);
  const room = NAME_MAX - 1 - Buffer.byteLength(tail);
  if (Buffer.byteLength(name) > room) {
    name = Buffer.from(name)
      .subarray(0, room)
      .toString('utf8')
      .replace(/\uFFFD+$/, '');
  }
  return join(dirname(path), `.${name}${tail}`);
}

const FILE_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on the device',
  EEXIST: 'it already exists',
  ENAMETOOLONG: 'the name is too long',
};

/** Why a local file operation failed, in words: its errno's, else the error's own message. */
export function fileReason(cause: unknown): string {
  const e = cause as NodeJS.ErrnoException | undefined;
  return (e?.code && FILE_REASONS[e.code]) ?? e?.message ?? 'unknown error';
}

/** A local file error as a CloudSparkError `FILE` naming the file and the reason in words. */
export function fileFailure(
  action: string,
  path: string,
  cause: unknown,
  verb: 'read' | 'write' = 'write',
): CloudSparkError {
  return new CloudSparkError('FILE', `${action} failed: cannot ${verb} "${path}": ${fileReason(cause)}`, { cause });
}
