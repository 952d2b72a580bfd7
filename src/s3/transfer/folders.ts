/**
 * Folders: a local folder uploaded under a key prefix, and a prefix downloaded into a folder,
 * many files at once, with one progress for the whole transfer.
 *
 * Keys are made from paths relative to the folder, with `/` between segments. On the way down,
 * files are written while the listing goes on, and each key is checked before its file is: a key
 * with `..` or `.` segments, an empty segment, or that is absolute, that is both a file and a
 * folder, or whose way leads through a symbolic link, is not written and is reported in `failed`
 * with `UNSAFE_KEY` (as aws CLI skips such keys), and so is a key deleted after it was listed.
 * The part file's place is checked on its descriptor once it is open, so a link placed on the way
 * during the run cannot redirect a write out of the folder.
 * Each file is written through a part file renamed into place (see download-file.ts).
 */
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CloudSparkError, invalidInput, type CloudSparkErrorCode } from '../../errors.js';
import { assertFlag, assertKey } from '../../validate.js';
import { directContext, type TransferContext } from './context.js';
import { downloadWith } from './download-file.js';
import { fileFailure, fsp } from './files.js';
import {
  DEFAULT_DOWNLOAD_PART,
  DEFAULT_FOLDER_CONCURRENCY,
  DEFAULT_UPLOAD_PART,
  MIN_DOWNLOAD_PART,
  MIN_PART_SIZE,
} from '../limits.js';
import { assertPath, transferOptions } from './options.js';
import { cancelLink, eachLimited } from './pool.js';
import { readFailure, uploadFile } from './upload-file.js';
import { DirectClient } from './direct.js';

/** What `onProgress` receives during a folder transfer: bytes and files, for the whole of it. */
export interface FolderProgress {
  /** Bytes transferred so far, all files together. */
  loaded: number;
  /** Bytes of all the files. */
  total: number;
  /** Files finished so far. */
  files: number;
  /** Files in the transfer. */
  totalFiles: number;
}

/** Options of `S3Connection.uploadDirectory` and `downloadPrefix`. */
export interface FolderOptions {
  /** Files transferred at once, 1 to 64. Default 16. */
  concurrency?: number | undefined;
  /**
   * Files up to this size go in one request; larger ones in parts of this size (multipart
   * upload, ranged GETs). Up: 5 MiB to 5 GiB, default 8 MiB; down: 1 MiB to 5 GiB, default 8 MiB.
   */
  partSize?: number | undefined;
  /** `downloadPrefix`: check each file against its object's ETag (default true); see `downloadObject`. */
  verify?: boolean | undefined;
  /** Called as bytes move, for the whole transfer. */
  onProgress?: ((progress: FolderProgress) => void) | undefined;
  /**
   * Cancels the transfer (it rejects with `ABORTED`). Files already complete stay; none is left
   * half-written, and no multipart upload is left open.
   */
  signal?: AbortSignal | undefined;
}

/** One file of a folder transfer. */
export interface FolderFile {
  /** The object key. */
  key: string;
  /** The local file. */
  path: string;
  /** Bytes. */
  size: number;
  /** `downloadPrefix`: whether the file's bytes were checked against the object's ETag (see `DownloadResult`). */
  verified?: boolean;
  /** `downloadPrefix`: why they could not be, when `verified` is false. */
  unverifiedReason?: string;
}

/** An entry a folder transfer left out, and why. */
export interface SkippedEntry {
  /** The path relative to the folder (up), or the key (down). */
  name: string;
  /** Why, in words. */
  reason: string;
}

/** A key `downloadPrefix` did not write while it wrote the others, and why. */
export interface FailedEntry {
  /** The object key. */
  key: string;
  /**
   * `UNSAFE_KEY`: it cannot be a file inside the folder (a `..` segment, an absolute path, a
   * path another key needs as a folder, a symbolic link on its way); `NO_SUCH_KEY`: it was
   * deleted after it was listed.
   */
  code: CloudSparkErrorCode;
  /** Why, in words. */
  reason: string;
}

/** What `uploadDirectory` and `downloadPrefix` resolve to. */
export interface FolderResult {
  /** The key prefix, as used: empty, or ending with `/`. */
  prefix: string;
  /** The local folder. */
  dir: string;
  /** Every file transferred, in key order. */
  files: FolderFile[];
  /** Bytes of all the files. */
  bytes: number;
  /**
   * What was left out, each with why: for `uploadDirectory`, entries under the folder that are
   * not regular files (symbolic links, which are not followed; FIFOs, sockets, devices) or whose
   * name is not UTF-8 (`name`: the path relative to the folder); for `downloadPrefix`, keys
   * ending with `/` (folder markers; `name`: the key).
   */
  skipped: SkippedEntry[];
  /**
   * `downloadPrefix`: keys that were not written, each with why, while the others were (the CLI
   * exits 1 when there is one); always empty for `uploadDirectory`, which stops at a failure.
   */
  failed: FailedEntry[];
  /**
   * Every byte checked: for `uploadDirectory`, each body was sent with its `Content-MD5` for the
   * store to check (always true); for `downloadPrefix`, each file matched its object's ETag
   * (false when one could not be checked: its `verified` and `unverifiedReason` say which and why).
   */
  verified: boolean;
}

const sizeOf = (files: readonly FolderFile[]) => files.reduce((n, f) => n + f.size, 0);

/** `prefix` as a folder: empty, or ending with one `/`. */
function folderPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string') throw invalidInput('prefix', 'must be a string (empty for the whole bucket)');
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** Progress for a whole folder, fed by each file's own; its totals grow as a listing goes on. */
function folderProgress(files: readonly FolderFile[], onProgress: FolderOptions['onProgress']) {
  const state: FolderProgress = {
    loaded: 0,
    total: files.reduce((n, f) => n + f.size, 0),
    files: 0,
    totalFiles: files.length,
  };
  const report = () => onProgress?.({ ...state });
  return {
    /** Files finished so far. */
    get files() {
      return state.files;
    },
    /** Files known so far. */
    get totalFiles() {
      return state.totalFiles;
    },
    report,
    /** One more file to transfer, found by a listing. */
    listed(size: number) {
      state.total += size;
      state.totalFiles++;
    },
    /** A reporter for one file: takes that file's bytes so far, adds what is new. */
    file() {
      let seen = 0;
      return (loaded: number) => {
        if (loaded <= seen) return;
        state.loaded += loaded - seen;
        seen = loaded;
        report();
      };
    },
    done() {
      state.files++;
      report();
    },
  };
}

function cancelled(action: string, done: number, of: number, what: string, cause?: unknown): CloudSparkError {
  return new CloudSparkError('ABORTED', `${action} was cancelled after ${done} of ${of} files; ${what}`, { cause });
}

// ---------------------------------------------------------------- up

/**
 * Every regular file under `root`, as paths relative to it, and every entry left out with why:
 * symbolic links are not followed (a link could lead out of the folder, or round in a loop),
 * FIFOs, sockets and devices are not files, and a name that is not UTF-8 cannot be a key (S3 keys
 * are UTF-8; Node would read such a name with U+FFFD in it, and then not find the file).
 */
export async function walk(
  root: string,
  action: string,
): Promise<{ files: Array<{ path: string; rel: string[]; size: number; mtimeMs: number }>; skipped: SkippedEntry[] }> {
  const { lstat, readdir } = await fsp();
  const files: Array<{ path: string; rel: string[]; size: number; mtimeMs: number }> = [];
  const skipped: SkippedEntry[] = [];
  const visit = async (dir: string, rel: string[]) => {
    const entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' }).catch((error: unknown) => {
      throw readFailure(action, dir, error);
    });
    for (const entry of entries) {
      const raw = entry.name as unknown as Buffer;
      const name = raw.toString('utf8');
      const here = [...rel, name];
      if (!Buffer.from(name, 'utf8').equals(raw)) {
        skipped.push({
          name: [...rel, raw.toString('latin1')].join('/'),
          reason: 'its name is not UTF-8, which an S3 key must be: rename it',
        });
        continue;
      }
      const path = join(dir, name);
      if (entry.isDirectory()) await visit(path, here);
      else if (entry.isFile()) {
        const { size, mtimeMs } = await lstat(path).catch((error: unknown) => {
          throw readFailure(action, path, error);
        });
        files.push({ path, rel: here, size, mtimeMs });
      } else {
        const what = entry.isSymbolicLink()
          ? 'a symbolic link, not followed'
          : entry.isFIFO()
            ? 'a FIFO, not a file'
            : entry.isSocket()
              ? 'a socket, not a file'
              : 'a device, not a file';
        skipped.push({ name: here.join('/'), reason: `it is ${what}` });
      }
    }
  };
  await visit(root, []);
  return { files, skipped };
}

/**
 * Uploads every file under `dir` to `prefix` + its path relative to `dir` (`/` between
 * segments), each as `uploadFile` sends it: up to `partSize` in one PUT, larger ones multipart.
 */
export async function uploadDirectory(
  ctx: TransferContext,
  dir: string,
  prefix: string,
  options: FolderOptions = {},
): Promise<FolderResult> {
  assertPath(dir, 'dir');
  const base = folderPrefix(prefix);
  const { concurrency, partSize } = transferOptions(
    options,
    { minPart: MIN_PART_SIZE, defaultPart: DEFAULT_UPLOAD_PART, defaultConcurrency: DEFAULT_FOLDER_CONCURRENCY },
    ['verify'],
  );
  assertFlag(options.verify, 'verify');
  const action = `uploadDirectory("${dir}")`;
  const { stat } = await fsp();
  const info = await stat(dir).catch((error: unknown) => {
    throw readFailure(action, dir, error);
  });
  if (!info.isDirectory()) throw new CloudSparkError('FILE', `${action} failed: "${dir}" is not a folder`);
  const { files: found, skipped } = await walk(dir, action);
  const files: FolderFile[] = [];
  for (const f of found) {
    const key = base + f.rel.join('/');
    // A path too long for a key is left out by name; the rest of the folder goes on.
    const why = keyProblem(key);
    if (why) skipped.push({ name: f.rel.join('/'), reason: why });
    else files.push({ key, path: f.path, size: f.size });
  }
  files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const { signal } = options;
  if (signal?.aborted) throw cancelled(action, 0, files.length, 'nothing was uploaded');
  await transferAll(
    ctx,
    files,
    { concurrency, action, options, whatStays: 'the files uploaded so far stay, and no multipart upload is left open' },
    async (direct, f, stop, report) => {
      await uploadFile(
        ctx,
        f.path,
        f.key,
        { partSize, concurrency: 2, signal: stop, onProgress: (p) => report(p.loaded) },
        direct,
      );
      report(f.size);
    },
  );
  return { prefix: base, dir, files, bytes: sizeOf(files), skipped, failed: [], verified: true };
}

/**
 * Runs `each` on every file, `concurrency` at a time, over one DirectClient whose sockets they
 * share, with one progress for the whole folder; a cancel (`options.signal`) or a failure stops
 * the rest. `files`: a list, or a listing to read as files are taken, which tells each file it
 * yields to `listed` (the progress's totals grow with it).
 */
async function transferAll<F extends FolderFile>(
  ctx: TransferContext,
  files: readonly F[] | ((listed: (size: number) => void) => AsyncIterable<F>),
  run: { concurrency: number; action: string; options: FolderOptions; whatStays: string },
  each: (direct: DirectClient, file: F, stop: AbortSignal, report: (loaded: number) => void) => Promise<void>,
): Promise<void> {
  const { signal, onProgress } = run.options;
  const { stop, release } = cancelLink(signal);
  const progress = folderProgress(Array.isArray(files) ? files : [], onProgress);
  progress.report();
  const direct = new DirectClient(directContext(ctx));
  try {
    const items = typeof files === 'function' ? files(progress.listed) : files;
    const failure = await eachLimited(items, run.concurrency, stop, async (f) => {
      await each(direct, f, stop.signal, progress.file());
      progress.done();
    });
    if (failure) throw failure.error;
  } catch (error) {
    if (signal?.aborted) throw cancelled(run.action, progress.files, progress.totalFiles, run.whatStays, error);
    throw error;
  } finally {
    direct.close();
    release();
  }
}

// ---------------------------------------------------------------- down

/** Why a key's relative part cannot be a file path inside the folder, or undefined when it can. */
export function unsafeReason(rel: string): string | undefined {
  if (rel.startsWith('/')) return 'it is an absolute path';
  const segments = rel.split('/');
  if (segments.some((s) => s === '..')) return 'it has a ".." segment';
  if (segments.some((s) => s === '.')) return 'it has a "." segment';
  if (segments.some((s) => s === '')) return 'it has an empty segment ("//")';
  if (segments.some((s) => s.includes('\0'))) return 'it has a NUL character';
  if (sep === '\\' && segments.some((s) => /[\\:]/.test(s)))
    return 'it has a "\\" or ":", which Windows reads as a path';
  if (isAbsolute(rel)) return 'it is an absolute path';
  return undefined;
}

/** Why `key` cannot be an S3 key, in words, or undefined when it can. */
function keyProblem(key: string): string | undefined {
  try {
    assertKey(key);
    return undefined;
  } catch (error) {
    return `its key cannot be stored: ${(error as Error).message.replace(/^Invalid key: /, '')}`;
  }
}

/** What a failure of one file says of that file alone (the others go on), or undefined when it stops the transfer. */
function fileProblem(error: unknown): { code: CloudSparkErrorCode; reason: string } | undefined {
  if (!(error instanceof CloudSparkError)) return undefined;
  if (error.code === 'NO_SUCH_KEY') return { code: 'NO_SUCH_KEY', reason: 'it was deleted after it was listed' };
  if (error.code === 'UNSAFE_KEY') return { code: 'UNSAFE_KEY', reason: error.message };
  const cause = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  // The file's place is taken by a folder (another key's), or a folder on its way by a file.
  if (error.code === 'FILE' && (cause === 'EISDIR' || cause === 'ENOTDIR' || cause === 'ENOTEMPTY'))
    return { code: 'UNSAFE_KEY', reason: 'another key needs its path as a folder' };
  return undefined;
}

/**
 * Downloads every object under `prefix` into `dir`, at its key's path relative to the prefix,
 * while the listing goes on (memory stays bounded however many keys there are). A key that
 * cannot be a file inside the folder, or that vanished after it was listed, is not written and
 * is reported in `failed`; the others are (see the top of this file).
 */
export async function downloadPrefix(
  ctx: TransferContext,
  list: (prefix: string) => AsyncIterable<{ key: string; size: number }>,
  prefix: string,
  dir: string,
  options: FolderOptions = {},
): Promise<FolderResult> {
  const base = folderPrefix(prefix);
  assertPath(dir, 'dir');
  const { concurrency, partSize } = transferOptions(
    options,
    { minPart: MIN_DOWNLOAD_PART, defaultPart: DEFAULT_DOWNLOAD_PART, defaultConcurrency: DEFAULT_FOLDER_CONCURRENCY },
    ['verify'],
  );
  assertFlag(options.verify, 'verify');
  const action = `downloadPrefix("${base}")`;
  const { lstat, mkdir, realpath } = await fsp();
  const { signal, verify } = options;
  if (signal?.aborted) throw cancelled(action, 0, 0, 'nothing was written');

  await mkdir(resolve(dir), { recursive: true }).catch((error: unknown) => {
    throw fileFailure(action, dir, error);
  });
  // Paths are made under the folder's real path, so that each can be checked against it.
  const root = await realpath(dir).catch((error: unknown) => {
    throw fileFailure(action, dir, error);
  });
  const files: FolderFile[] = [];
  const skipped: SkippedEntry[] = [];
  const failed: FailedEntry[] = [];

  /** The folders on the way to `path`, made one by one: each must be a folder in `root`, not a link. */
  const checked = new Set<string>([root]);
  const folderFor = async (path: string): Promise<string | undefined> => {
    const parent = dirname(path);
    if (checked.has(parent)) return undefined;
    const why = await folderFor(parent);
    if (why) return why;
    await mkdir(parent).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw fileFailure(action, parent, error);
    });
    const info = await lstat(parent).catch((error: unknown) => {
      throw fileFailure(action, parent, error);
    });
    if (info.isSymbolicLink())
      return `"${relative(root, parent)}" is a symbolic link, which could lead outside "${dir}"`;
    if (!info.isDirectory())
      return `"${relative(root, parent)}" is a file, not a folder (another key's, or one that was there)`;
    checked.add(parent);
    return undefined;
  };

  /** The keys to write, as the listing yields them; what cannot be written is noted on the way. */
  async function* wanted(listed: (size: number) => void): AsyncGenerator<FolderFile> {
    for await (const o of list(base)) {
      const rel = o.key.slice(base.length);
      if (rel === '' || rel.endsWith('/')) {
        skipped.push({ name: o.key, reason: 'a folder marker (a key ending with /), not a file' });
        continue;
      }
      const path = resolve(root, ...rel.split('/'));
      const why =
        unsafeReason(rel) ?? (path.startsWith(root + sep) ? undefined : `it would be written outside "${dir}"`);
      if (why) failed.push({ key: o.key, code: 'UNSAFE_KEY', reason: why });
      else {
        listed(o.size);
        yield { key: o.key, path, size: o.size };
      }
    }
  }

  await transferAll(
    ctx,
    wanted,
    { concurrency, action, options, whatStays: 'the files written so far stay, and none is half-written' },
    async (direct, f, stop, report) => {
      try {
        const why =
          (await folderFor(f.path)) ??
          ((await lstat(f.path).catch(() => undefined))?.isDirectory()
            ? `"${relative(root, f.path)}" is a folder`
            : undefined);
        if (why) throw new CloudSparkError('UNSAFE_KEY', why);
        const done = await downloadWith(
          direct,
          ctx,
          f.key,
          f.path,
          {
            partSize,
            concurrency: 2,
            signal: stop,
            onProgress: (p) => report(p.loaded),
            ...(verify !== undefined && { verify }),
          },
          root,
        );
        f.verified = done.verified;
        if (done.unverifiedReason !== undefined) f.unverifiedReason = done.unverifiedReason;
        files.push(f);
      } catch (error) {
        const problem = stop.aborted ? undefined : fileProblem(error);
        if (!problem) throw error;
        failed.push({ key: f.key, ...problem });
      }
    },
  );
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  files.sort(byKey);
  failed.sort(byKey);
  return { prefix: base, dir, files, bytes: sizeOf(files), skipped, failed, verified: files.every((f) => f.verified) };
}
