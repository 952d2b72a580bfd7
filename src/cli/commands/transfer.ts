/** `cloudspark put <file> [key]` and `cloudspark get <key> [file]`, with a progress bar. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { CloudSparkError } from '../../errors.js';
import { endpointLabel, noAnswer } from '../../s3/network.js';
import { action, examples, type App } from '../action.js';
import type { CliContext } from '../context.js';
import { FileError, InterruptedError, UsageError, fileError } from '../failure.js';
import { ShortBodyError, copyTo, downloadPath, saveAtomically } from '../files.js';
import { formatBytes, keyValue } from '../parse.js';
import { noProgress, progressBar } from '../progress.js';

interface PutOptions {
  contentType?: string;
  meta?: Record<string, string>;
}

export function registerTransfer(program: Command, app: App): void {
  examples(
    program
      .command('put')
      .description('upload a file (multipart when it is larger than 5 MiB); - reads stdin')
      .argument('<file>', 'the file to upload, or - for stdin')
      .argument('[key]', "the object key (default: the file's name)")
      .option('--content-type <type>', "default: guessed from the key's extension")
      .option('--meta <name=value>', 'store as object metadata x-amz-meta-<name> (repeat for more)', keyValue),
    'cloudspark put backup.tar backups/2026-11-29.tar',
    'pg_dump app | cloudspark put - dumps/app.sql --content-type application/sql',
  ).action(action(app, put));

  examples(
    program
      .command('get')
      .description('download an object to a file, complete or not at all; - writes to stdout')
      .argument('<key>', 'the object key')
      .argument('[file]', "where to write it: a file, a folder, or - (default: the key's last part, here)"),
    'cloudspark get backups/2026-11-29.tar restore.tar',
    'cloudspark get logs/today.txt - | grep ERROR',
  ).action(action(app, get));
}

async function put(ctx: CliContext, file: string, key: string | undefined, options: PutOptions): Promise<void> {
  const fromStdin = file === '-';
  if (fromStdin && key === undefined) throw new UsageError('put - needs a key: cloudspark put - KEY');
  const target = key ?? basename(file);
  const s3 = ctx.connection();
  let body: Readable = process.stdin;
  let size: number | undefined;
  if (!fromStdin) {
    const info = await stat(file).catch((error: unknown) => {
      throw fileError(error, `cannot upload "${file}"`);
    });
    if (!info.isFile()) throw new FileError(`cannot upload "${file}": it is not a file`);
    size = info.size;
    body = createReadStream(file);
  }
  const bar = progressBar(ctx.out, `put ${target}`, size);
  try {
    const result = await s3.uploadObject(body, target, {
      contentType: options.contentType,
      metadata: options.meta,
      signal: ctx.signal,
      onProgress: (p) => bar.update(p.loaded, p.total),
    });
    bar.stop();
    ctx.out.info(`uploaded ${fromStdin ? 'stdin' : `"${file}"`} to s3://${ctx.bucket}/${target}${size === undefined ? '' : ` (${formatBytes(size)})`}`);
    ctx.out.result({ bucket: ctx.bucket, ...result, size }, () => undefined);
  } finally {
    bar.stop();
    body.destroy();
  }
}

async function get(ctx: CliContext, key: string, file: string | undefined): Promise<void> {
  if (file === '-' && ctx.out.json) throw new UsageError('get KEY - writes the object to stdout, where --json would write too: choose one');
  const path = file === '-' ? '-' : await downloadPath(key, file);
  if (path === undefined) throw new UsageError(`"${key}" ends with "/": name the file to write, e.g. cloudspark get '${key}' out.bin`);
  const object = await ctx.connection().getObject(key);
  const expected = object.contentLength;
  // Bytes for the terminal itself leave no room for a bar; bytes for a pipe do.
  const bar = path === '-' && ctx.out.stdoutIsTTY ? noProgress : progressBar(ctx.out, `get ${key}`, expected);
  let received = 0;
  const options = { signal: ctx.signal, expected, onData: (n: number) => bar.update((received = n)) };
  try {
    const size = path === '-' ? await copyTo(object.body, ctx.out.stdout, options) : await saveAtomically(object.body, path, options);
    bar.stop();
    if (path !== '-') {
      ctx.out.info(`downloaded s3://${ctx.bucket}/${key} to "${path}" (${formatBytes(size)})`);
      ctx.out.result({ bucket: ctx.bucket, key, file: path, size, etag: object.etag, contentType: object.contentType }, () => undefined);
    }
  } catch (error) {
    throw downloadError(ctx, { key, path, received, expected }, error);
  } finally {
    bar.stop();
    object.body.destroy();
  }
}

/** Why a download stopped, as the error the CLI reports: Ctrl-C, the local file, or the connection. */
function downloadError(ctx: CliContext, at: { key: string; path: string; received: number; expected: number | undefined }, error: unknown): Error {
  const nothingLeft = at.path === '-' ? '' : `; "${at.path}" was not written`;
  if (ctx.signal.aborted) return new InterruptedError(`download of "${at.key}" cancelled${nothingLeft}`);
  const e = error as NodeJS.ErrnoException;
  if (e.syscall !== undefined && e.path !== undefined) return fileError(error, `cannot write "${at.path}"`);
  // The library's body fails with TIMEOUT when the store went silent, NETWORK when the
  // connection broke off; the counter here finds a body that ended short all the same.
  const timedOut = error instanceof CloudSparkError && error.code === 'TIMEOUT';
  const s3 = ctx.connection();
  const reason = timedOut
    ? noAnswer(endpointLabel(s3.endpoint, s3.region), s3.timeouts.idle)
    : error instanceof ShortBodyError || error instanceof CloudSparkError ? 'the connection closed early' : e.message;
  const progress = `${formatBytes(at.received)}${at.expected === undefined ? '' : ` of ${formatBytes(at.expected)}`}`;
  return new CloudSparkError(timedOut ? 'TIMEOUT' : 'NETWORK', `download of key "${at.key}" in bucket "${ctx.bucket}" broke off after ${progress} (${reason})${nothingLeft}`, {
    cause: error,
    field: timedOut ? error.field : undefined,
  });
}
