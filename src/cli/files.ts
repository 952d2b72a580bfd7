/**
 * Local files: reading a JSON document (`--file`, `-` for stdin), where a download goes, and
 * copying a body to stdout. Downloads to a file are the library's (S3Connection.downloadObject).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidInput } from '../errors.js';
import { fileError } from './failure.js';

/** The text of `path`, or of stdin for `-`. */
export async function readText(path: string): Promise<string> {
  try {
    if (path !== '-') return await readFile(path, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    throw fileError(error, `cannot read ${path === '-' ? 'stdin' : `"${path}"`}`);
  }
}

/** Parses `path` as JSON; bad JSON is INVALID_INPUT (a usage error), like the library's checks. */
export async function readJson(path: string): Promise<unknown> {
  const text = await readText(path);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidInput(
      'file',
      `${path === '-' ? 'stdin' : `"${path}"`} is not valid JSON (${(error as Error).message})`,
    );
  }
}

/** The file to download `key` to: `file` itself, or the key's last part inside `file` (a folder) or here. */
export async function downloadPath(key: string, file: string | undefined): Promise<string | undefined> {
  const name = basename(key);
  if (file === undefined) return key.endsWith('/') ? undefined : name;
  const isDir = await stat(file).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) return file;
  return key.endsWith('/') ? undefined : join(file, name);
}

export interface CopyOptions {
  signal: AbortSignal;
  /** Called with the bytes copied so far. */
  onData?: (copied: number) => void;
}

/** Copies `body` to `out` (stdout, for `get <key> -`) without ending it. Resolves to the bytes copied. */
export async function copyTo(body: Readable, out: Writable, options: CopyOptions): Promise<number> {
  const count = counter(options);
  await pipeline(body, count, out, { signal: options.signal, end: false });
  return count.copied;
}

/**
 * A pass-through that counts and reports. A body shorter or longer than its Content-Length is
 * the body's own failure (getObject's, NETWORK), before this ever sees its end.
 */
function counter(options: CopyOptions): Transform & { copied: number } {
  const count = Object.assign(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        count.copied += chunk.length;
        options.onData?.(count.copied);
        done(null, chunk);
      },
    }),
    { copied: 0 },
  );
  return count;
}
