/** `cloudspark put -r <dir> [prefix]` and `cloudspark get -r <prefix> [dir]`: folders, one progress bar for all. */
import { basename, resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { formatBytes } from '../parse.js';
import { progressBar } from '../progress.js';
import type { FolderProgress, FolderResult } from '../../s3/transfer/folders.js';

export interface FolderFlags {
  concurrency?: number;
  partSize?: number;
  /** `get -r --no-verify`. */
  verify?: boolean | undefined;
}

/** The prefix a folder goes to when none is given: the folder's own name, as `put FILE` keys a file by its name. */
export function defaultPrefix(dir: string): string {
  const name = basename(resolve(dir));
  return name === '' ? '' : `${name}/`;
}

/** The folder a prefix comes down to when none is given: the prefix's last segment, here. */
export function defaultDir(prefix: string): string {
  const name = prefix.replace(/\/+$/, '').split('/').pop() ?? '';
  return name === '' || name === '.' || name === '..' ? '.' : name;
}

export async function putFolder(
  ctx: CliContext,
  dir: string,
  prefix: string | undefined,
  flags: FolderFlags,
): Promise<void> {
  const target = prefix ?? defaultPrefix(dir);
  const s3 = ctx.connection();
  const bar = lazyBar(ctx, `put -r ${dir}`);
  try {
    const result = await s3.uploadDirectory(dir, target, { ...flags, signal: ctx.signal, onProgress: bar.update });
    bar.stop();
    ctx.out.info(`uploaded ${count(result)} from "${dir}" to s3://${ctx.bucket}/${result.prefix}`);
    // Every entry left out, with why: nothing is dropped silently.
    for (const entry of result.skipped) ctx.out.info(`skipped "${entry.name}": ${entry.reason}`);
    ctx.out.result(summary(ctx, result), () => undefined);
  } finally {
    bar.stop();
  }
}

export async function getFolder(
  ctx: CliContext,
  prefix: string,
  dir: string | undefined,
  flags: FolderFlags,
): Promise<number | undefined> {
  const target = dir ?? defaultDir(prefix);
  const s3 = ctx.connection();
  const bar = lazyBar(ctx, `get -r ${prefix || '(bucket)'}`);
  try {
    const result = await s3.downloadPrefix(prefix, target, { ...flags, signal: ctx.signal, onProgress: bar.update });
    bar.stop();
    const skipped = result.skipped.length
      ? `; ${result.skipped.length} folder marker${result.skipped.length === 1 ? '' : 's'} (keys ending with /) left out`
      : '';
    ctx.out.info(`downloaded ${count(result)} from s3://${ctx.bucket}/${result.prefix} to "${target}"${skipped}`);
    // A typo'd prefix matches nothing: exit 0 as aws CLI does, but say so.
    if (result.files.length + result.skipped.length + result.failed.length === 0)
      ctx.out.info(
        `notice: no object under s3://${ctx.bucket}/${result.prefix}: check the prefix (cloudspark ls '${result.prefix.replace(/\/$/, '')}')`,
      );
    for (const entry of result.failed) ctx.out.info(`not written "${entry.key}": ${entry.reason} (${entry.code})`);
    const unchecked = result.files.filter((f) => !f.verified);
    if (unchecked.length) {
      const first = unchecked[0]!;
      const more = unchecked.length > 1 ? ` (and ${unchecked.length - 1} more)` : '';
      ctx.out.info(
        `notice: the bytes of ${unchecked.length} file${unchecked.length === 1 ? ' were' : 's were'} not checked: "${first.key}"${more}: ${first.unverifiedReason}`,
      );
    }
    ctx.out.result(summary(ctx, result), () => undefined);
    // The others were written; the ones that were not make the run fail, at its end.
    return result.failed.length > 0 ? 1 : undefined;
  } finally {
    bar.stop();
  }
}

function count(result: FolderResult): string {
  return `${result.files.length} file${result.files.length === 1 ? '' : 's'} (${formatBytes(result.bytes)})`;
}

/** The `--json` document: a summary, not the list of files. */
function summary(ctx: CliContext, result: FolderResult) {
  const unverified = result.files
    .filter((f) => f.verified === false)
    .map((f) => ({ key: f.key, reason: f.unverifiedReason }));
  return {
    bucket: ctx.bucket,
    prefix: result.prefix,
    dir: result.dir,
    files: result.files.length,
    bytes: result.bytes,
    skipped: result.skipped,
    failed: result.failed,
    verified: result.verified,
    unverified,
  };
}

/** One bar for the whole transfer, drawn once the files (and so the total) are known. */
function lazyBar(ctx: CliContext, label: string) {
  let bar: ReturnType<typeof progressBar> | undefined;
  let stopped = false;
  return {
    update: (p: FolderProgress) => {
      if (stopped) return;
      bar ??= progressBar(ctx.out, `${label} (${p.totalFiles} file${p.totalFiles === 1 ? '' : 's'})`, p.total);
      bar.update(p.loaded, p.total);
    },
    stop: () => {
      stopped = true;
      bar?.stop();
    },
  };
}
