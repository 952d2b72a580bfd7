/**
 * `cloudspark put <file> [key]` and `cloudspark get <key> [file]`, with a progress bar; with
 * `-r`, folders (commands/folders.ts).
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { CloudSparkError } from '../../errors.js';
import { endpointLabel, noAnswer } from '../../s3/sdk/network.js';
import { DEFAULT_UPLOAD_CONCURRENCY, DEFAULT_UPLOAD_PART } from '../../s3/limits.js';
import { action, examples, type App } from '../action.js';
import type { CliContext } from '../context.js';
import { FileError, InterruptedError, UsageError, fileError } from '../failure.js';
import { copyTo, downloadPath } from '../files.js';
import { byteSize, formatBytes, keyValue, wholeNumber } from '../parse.js';
import { noProgress, progressBar } from '../progress.js';
import { getFolder, putFolder, type FolderFlags } from './folders.js';

export interface TransferFlags extends FolderFlags {
  recursive?: boolean;
  /** `--no-verify` sets it false. */
  verify?: boolean;
}

interface PutOptions extends TransferFlags {
  contentType?: string;
  meta?: Record<string, string>;
}

export function registerTransfer(program: Command, app: App): void {
  examples(
    program
      .command('put')
      .description('upload a file (multipart when it is larger than the part size); - reads stdin; -r uploads a folder')
      .argument('<file>', 'the file to upload, - for stdin, or with -r a folder')
      .argument(
        '[key]',
        "the object key (default: the file's name); with -r the key prefix (default: the folder's name)",
      )
      .option(
        '-r, --recursive',
        'upload every file under the folder <file>, keyed <key>/<path relative to it> with / separators',
      )
      .option(
        '--concurrency <n>',
        `parts sent at once (default ${DEFAULT_UPLOAD_CONCURRENCY}); with -r, files at once (default 16)`,
        wholeNumber,
      )
      .option(
        '--part-size <size>',
        'multipart part size, 5MiB to 5GiB (default 8MiB); with -r, larger files go multipart',
        byteSize,
      )
      .option('--content-type <type>', "default: guessed from the key's extension")
      .option('--meta <name=value>', 'store as object metadata x-amz-meta-<name> (repeat for more)', keyValue),
    'cloudspark put backup.tar backups/2026-11-29.tar',
    'pg_dump app | cloudspark put - dumps/app.sql --content-type application/sql',
    'cloudspark put -r ./site www/ --concurrency 32',
  ).action(action(app, put));

  examples(
    program
      .command('get')
      .description(
        'download an object to a file, complete or not at all (large ones in parallel ranges); - writes to stdout; -r downloads a prefix',
      )
      .argument('<key>', 'the object key; with -r the key prefix')
      .argument(
        '[file]',
        "where to write it: a file, a folder, or - (default: the key's last part, here); with -r the folder",
      )
      .option(
        '-r, --recursive',
        'download every object under the prefix <key> into the folder [file], at its path after the prefix',
      )
      .option('--concurrency <n>', 'ranged GETs at once (default 4); with -r, files at once (default 16)', wholeNumber)
      .option(
        '--part-size <size>',
        'bytes per ranged GET, 1MiB to 5GiB (default 8MiB): an object up to this size comes in one GET',
        byteSize,
      )
      .option(
        '--no-verify',
        "skip the check of the bytes against the object's ETag (MD5); a mismatch is otherwise fetched again, then refused",
      ),
    'cloudspark get backups/2026-11-29.tar restore.tar',
    'cloudspark get logs/today.txt - | grep ERROR',
    'cloudspark get -r www/ ./site-copy',
  ).action(action(app, get));
}

export async function put(ctx: CliContext, file: string, key: string | undefined, options: PutOptions): Promise<void> {
  return putAny(ctx, file, key, options).catch(async (error: unknown) => {
    throw await ctx.whyWriteRefused(error);
  });
}

async function putAny(ctx: CliContext, file: string, key: string | undefined, options: PutOptions): Promise<void> {
  if (options.recursive) {
    if (options.contentType !== undefined || options.meta !== undefined) {
      throw new UsageError(
        '--content-type and --meta are for one file: with -r each type is guessed from its file name',
      );
    }
    if (file === '-') throw new UsageError('put -r needs a folder, not stdin');
    return putFolder(ctx, file, key, { concurrency: options.concurrency, partSize: options.partSize });
  }
  if (file === '-') {
    if (key === undefined) throw new UsageError('put - needs a key: cloudspark put - KEY');
    return putStdin(ctx, key, options);
  }
  // A key that ends in / is a folder, as aws s3 cp reads it: the file goes in under its name.
  const target = key === undefined ? basename(file) : key.endsWith('/') ? key + basename(file) : key;
  const info = await stat(file).catch((error: unknown) => {
    throw fileError(error, `cannot upload "${file}"`);
  });
  if (!info.isFile()) throw new FileError(`cannot upload "${file}": it is not a file`);
  const bar = progressBar(ctx.out, `put ${target}`, info.size);
  try {
    // Parts read at their offsets and sent in parallel (S3Connection.uploadFile).
    const result = await ctx.connection().uploadFile(file, target, {
      contentType: options.contentType,
      metadata: options.meta,
      partSize: options.partSize,
      concurrency: options.concurrency,
      signal: ctx.signal,
      onProgress: (p) => bar.update(p.loaded, p.total),
    });
    bar.stop();
    ctx.out.info(`uploaded "${file}" to s3://${ctx.bucket}/${target} (${formatBytes(info.size)})`);
    ctx.out.result({ bucket: ctx.bucket, ...result, size: info.size }, () => undefined);
  } catch (error) {
    if (error instanceof CloudSparkError && error.code === 'FILE')
      throw fileError(error.cause ?? error, `cannot upload "${file}"`);
    throw error;
  } finally {
    bar.stop();
  }
}

/** `put - KEY`: stdin, of unknown length, streamed (multipart when it is large). */
async function putStdin(ctx: CliContext, key: string, options: PutOptions): Promise<void> {
  const body: Readable = process.stdin;
  const bar = progressBar(ctx.out, `put ${key}`, undefined);
  try {
    const result = await ctx.connection().uploadObject(body, key, {
      contentType: options.contentType,
      metadata: options.meta,
      // A stream goes as a file would (uploadFile's defaults), not with uploadObject's own.
      partSize: options.partSize ?? DEFAULT_UPLOAD_PART,
      queueSize: options.concurrency ?? DEFAULT_UPLOAD_CONCURRENCY,
      signal: ctx.signal,
      onProgress: (p) => bar.update(p.loaded, p.total),
    });
    bar.stop();
    ctx.out.info(`uploaded stdin to s3://${ctx.bucket}/${key}`);
    ctx.out.result({ bucket: ctx.bucket, ...result, size: undefined }, () => undefined);
  } finally {
    bar.stop();
    body.destroy();
  }
}

export async function get(
  ctx: CliContext,
  key: string,
  file: string | undefined,
  options: TransferFlags,
): Promise<number | undefined | void> {
  if (options.recursive) {
    if (file === '-') throw new UsageError('get -r writes files into a folder, not to stdout');
    return getFolder(ctx, key, file, {
      concurrency: options.concurrency,
      partSize: options.partSize,
      verify: options.verify,
    });
  }
  if (file === '-' && ctx.out.json)
    throw new UsageError('get KEY - writes the object to stdout, where --json would write too: choose one');
  const path = file === '-' ? '-' : await downloadPath(key, file);
  if (path === undefined)
    throw new UsageError(
      `"${key}" ends with "/": name the file to write, e.g. cloudspark get '${key}' out.bin (or get -r for every key under it)`,
    );
  if (path === '-' && options.verify === false)
    throw new UsageError('--no-verify is for files: get KEY - checks the body only where that costs nothing');
  return path === '-' ? getToStdout(ctx, key) : getToFile(ctx, key, path, options);
}

/** Parallel ranged GETs into a part file, renamed into place when complete (S3Connection.downloadObject). */
async function getToFile(ctx: CliContext, key: string, path: string, options: TransferFlags): Promise<void> {
  const bar = progressBar(ctx.out, `get ${key}`, undefined);
  let received = 0;
  let expected: number | undefined;
  try {
    const result = await ctx.connection().downloadObject(key, path, {
      concurrency: options.concurrency,
      partSize: options.partSize,
      verify: options.verify,
      signal: ctx.signal,
      onProgress: (p) => {
        received = p.loaded;
        expected = p.total;
        bar.update(p.loaded, p.total);
      },
    });
    bar.stop();
    ctx.out.info(`downloaded s3://${ctx.bucket}/${key} to "${path}" (${formatBytes(result.size)})`);
    if (!result.verified) ctx.out.info(`notice: the bytes were not checked: ${result.unverifiedReason}`);
    const { verified, unverifiedReason } = result;
    ctx.out.result(
      {
        bucket: ctx.bucket,
        key,
        file: path,
        size: result.size,
        etag: result.etag,
        contentType: result.contentType,
        verified,
        unverifiedReason,
      },
      () => undefined,
    );
  } catch (error) {
    throw downloadError(ctx, { key, path, received, expected }, error);
  } finally {
    bar.stop();
  }
}

/** `get KEY -`: the body streamed to stdout, in order. */
async function getToStdout(ctx: CliContext, key: string): Promise<void> {
  const object = await ctx.connection().getObject(key);
  const expected = object.contentLength;
  // Bytes for the terminal itself leave no room for a bar; bytes for a pipe do.
  const bar = ctx.out.stdoutIsTTY ? noProgress : progressBar(ctx.out, `get ${key}`, expected);
  let received = 0;
  const options = { signal: ctx.signal, onData: (n: number) => bar.update((received = n)) };
  try {
    await copyTo(object.body, ctx.out.stdout, options);
    bar.stop();
  } catch (error) {
    throw downloadError(ctx, { key, path: '-', received, expected }, error);
  } finally {
    bar.stop();
    object.body.destroy();
  }
}

/** Why a download stopped, as the error the CLI reports: Ctrl-C, the local file, or the connection. */
function downloadError(
  ctx: CliContext,
  at: { key: string; path: string; received: number; expected: number | undefined },
  error: unknown,
): Error {
  const nothingLeft = at.path === '-' ? '' : `; "${at.path}" was not written`;
  if (ctx.signal.aborted) return new InterruptedError(`download of "${at.key}" cancelled${nothingLeft}`);
  // The library reports every local file failure (open, write, rename) as FILE.
  if (error instanceof CloudSparkError && error.code === 'FILE')
    return fileError(error.cause ?? error, `cannot write "${at.path}"`);
  // Refusals (no such key, access denied, the object changed) are reported as they are, and so
  // is a store never reached (no byte came): one wording for that across commands.
  if (error instanceof CloudSparkError && ((error.code !== 'NETWORK' && error.code !== 'TIMEOUT') || at.received === 0))
    return error;
  // The library fails with TIMEOUT when the store went silent, NETWORK when the connection
  // broke off (after resuming what it could) or a body ended short of its length.
  const timedOut = error instanceof CloudSparkError && error.code === 'TIMEOUT';
  const s3 = ctx.connection();
  const reason = timedOut
    ? noAnswer(endpointLabel(s3.endpoint, s3.region), s3.timeouts.idle)
    : error instanceof CloudSparkError
      ? 'the connection closed early'
      : (error as Error).message;
  const progress = `${formatBytes(at.received)}${at.expected === undefined ? '' : ` of ${formatBytes(at.expected)}`}`;
  return new CloudSparkError(
    timedOut ? 'TIMEOUT' : 'NETWORK',
    `download of key "${at.key}" in bucket "${ctx.bucket}" broke off after ${progress} (${reason})${nothingLeft}`,
    {
      cause: error,
      field: timedOut ? error.field : undefined,
    },
  );
}
