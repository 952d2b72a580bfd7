/**
 * `cloudspark sync <source> <dest>`: a folder to an `s3://BUCKET/PREFIX/`, or back. A file goes
 * when the other side lacks it, has another size, or has an older copy (S3's Last-Modified
 * against the file's mtime; a download gets the object's Last-Modified as its mtime), so a
 * second run with nothing changed sends nothing. A newer copy of the same size whose MD5 is the
 * object's ETag (known for objects of one PUT) holds the same bytes and does not go either. `--delete` removes what the destination has
 * and the source does not; `--exclude`/`--include` globs choose what is compared (a path an
 * `--include` matches is in, whatever the excludes say); `--dryrun` prints what it would do.
 */
import { mkdir, open, unlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { fileMd5 } from '../../s3/integrity.js';
import { walk, unsafeReason } from '../../s3/transfer/folders.js';
import { eachLimited } from '../../s3/transfer/pool.js';
import { action, examples, type App } from '../action.js';
import { parseS3Uri, type CliContext } from '../context.js';
import { UsageError } from '../failure.js';
import { noProgress, progressBar } from '../progress.js';
import { plural, wholeNumber } from '../parse.js';

interface SyncOptions {
  delete?: boolean;
  dryrun?: boolean;
  exclude: string[];
  include: string[];
  concurrency?: number;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSync(program: Command, app: App): void {
  examples(
    program
      .command('sync')
      .description(
        'make the destination hold what the source holds: a folder to s3://BUCKET/PREFIX/ or back; only what differs goes',
      )
      .argument('<source>', 'a folder, or s3://BUCKET/PREFIX/')
      .argument('<dest>', 's3://BUCKET/PREFIX/, or a folder')
      .option('--delete', 'also delete what the destination has and the source does not')
      .option('--dryrun', 'print what would be sent, fetched or deleted, and do nothing')
      .option(
        '--exclude <glob>',
        'leave out paths that match (* and ** match any characters, / included; ? one); repeatable',
        collect,
        [],
      )
      .option('--include <glob>', 'keep paths that match, whatever --exclude says; repeatable', collect, [])
      .option('--concurrency <n>', 'files at once (default 16, as put -r and get -r)', wholeNumber),
    'cloudspark sync ./site s3://www/ --delete',
    "cloudspark sync s3://backups/db/ ./restore --exclude '*.tmp'",
  ).action(action(app, sync, { s3Paths: false }));
}

/** A glob as a regular expression over a path with / separators. */
function globRegex(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*+/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

interface Entry {
  size: number;
  /** Milliseconds, to the second (S3's Last-Modified has seconds). */
  modified: number;
  /** An object's ETag when it is the MD5 of its bytes (one PUT, no SSE-KMS/C), lower-case hex. */
  md5?: string | undefined;
}

/** The hex MD5 of the file's bytes, read back as downloads read theirs (integrity.ts). */
async function md5Of(path: string, size: number): Promise<string> {
  const file = await open(path, 'r');
  try {
    return await fileMd5(file, size);
  } finally {
    await file.close();
  }
}

const toSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

async function sync(ctx: CliContext, source: string, dest: string, options: SyncOptions): Promise<number | void> {
  const from = parseS3Uri(source);
  const to = parseS3Uri(dest);
  if ((from === undefined) === (to === undefined))
    throw new UsageError(
      from
        ? 'sync between two buckets is not done here: cp -r copies inside the store'
        : 'sync needs one side as s3://BUCKET/PREFIX/ and the other a folder',
    );
  const remote = (from ?? to)!;
  const prefix = remote.key === '' || remote.key.endsWith('/') ? remote.key : `${remote.key}/`;
  const folder = from ? dest : source;
  const s3 = ctx.connection(remote.bucket);
  const excludes = options.exclude.map(globRegex);
  const includes = options.include.map(globRegex);
  const wanted = (rel: string) => includes.some((r) => r.test(rel)) || !excludes.some((r) => r.test(rel));

  // Both sides, by path relative to the folder and the prefix, read at once: the listing waits
  // on the store (and the SDK's loading), the walk on the disk.
  const listing = (async () => {
    const objects = new Map<string, Entry>();
    for await (const o of s3.listObjects({ prefix })) {
      const rel = o.key.slice(prefix.length);
      if (rel === '' || rel.endsWith('/')) continue; // folder markers hold no file
      const md5 = /^"?([0-9a-f]{32})"?$/i.exec(o.etag ?? '')?.[1]?.toLowerCase();
      objects.set(rel, { size: o.size, modified: toSecond(o.lastModified?.getTime() ?? 0), md5 });
    }
    return objects;
  })();
  const walking = (async () => {
    const files = new Map<string, Entry & { path: string }>();
    const local = await walk(folder, `sync "${folder}"`).catch((error: unknown) => {
      // A destination folder not there yet is empty.
      if (from && (error as { cause?: { code?: string } }).cause?.code === 'ENOENT') return { files: [], skipped: [] };
      throw error;
    });
    for (const f of local.files)
      files.set(f.rel.join('/'), { path: f.path, size: f.size, modified: toSecond(f.mtimeMs) });
    return files;
  })();
  // Both settle before either's failure is thrown: nothing is left running behind an error.
  const [listed, walked] = await Promise.allSettled([listing, walking]);
  if (listed.status === 'rejected') throw listed.reason;
  if (walked.status === 'rejected') throw walked.reason;
  const objects = listed.value;
  const files = walked.value;

  const [have, want] = from ? [files, objects] : [objects, files];
  const newer = [...want].filter(([rel, w]) => {
    if (!wanted(rel)) return false;
    const h = have.get(rel);
    return h === undefined || h.size !== w.size || w.modified > h.modified;
  });
  // A newer file of the same size whose bytes are the object's (its ETag is their MD5) is not
  // sent again: a `touch`, a checkout, a copy that kept the bytes. Going down, the file takes the
  // object's time instead, so that the next run does not hash it again.
  const same = new Set<string>();
  await eachLimited(newer, 4, new AbortController(), async ([rel, w]) => {
    const h = have.get(rel);
    const object = from ? w : h;
    const file = (from ? h : w) as (Entry & { path: string }) | undefined;
    if (h === undefined || h.size !== w.size || object?.md5 === undefined || file === undefined) return;
    if ((await md5Of(file.path, file.size).catch(() => undefined)) !== object.md5) return;
    same.add(rel);
    if (from && !options.dryrun) await utimes(file.path, w.modified / 1000, w.modified / 1000).catch(() => {});
  });
  const copies = newer.filter(([rel]) => !same.has(rel));
  const deletions = options.delete ? [...have.keys()].filter((rel) => wanted(rel) && !want.has(rel)) : [];
  const skipped: Array<{ key: string; reason: string }> = [];

  const done: string[] = [];
  const failed: Array<{ path: string; reason: string }> = [];
  const verb = from ? 'download' : 'upload';
  const describe = (rel: string) =>
    from
      ? `s3://${remote.bucket}/${prefix}${rel} to ${join(folder, rel)}`
      : `${join(folder, rel)} to s3://${remote.bucket}/${prefix}${rel}`;
  // One bar for every byte to move; the files' own lines only where no bar is drawn.
  const bar =
    options.dryrun || copies.length === 0
      ? noProgress
      : progressBar(
          ctx.out,
          `sync ${source}`,
          copies.reduce((n, [, e]) => n + e.size, 0),
        );
  let moved = 0;
  const moving = new Map<string, number>();
  const report = (rel: string, loaded: number) => {
    moving.set(rel, loaded);
    let now = moved;
    for (const n of moving.values()) now += n;
    bar.update(now);
  };
  const perFile = !ctx.out.showsProgress;
  // A file that fails is named and the others go on; a cancel stops them all.
  const stopped = await eachLimited(copies, options.concurrency ?? 16, new AbortController(), async ([rel, entry]) => {
    if (options.dryrun) {
      ctx.out.info(`(dryrun) ${verb}: ${describe(rel)}`);
      return;
    }
    const onProgress = ({ loaded }: { loaded: number }) => report(rel, loaded);
    try {
      if (from) {
        const why = unsafeReason(rel);
        if (why) {
          skipped.push({ key: prefix + rel, reason: why });
          return;
        }
        const path = join(folder, rel);
        await mkdir(dirname(path), { recursive: true });
        await s3.downloadObject(prefix + rel, path, { signal: ctx.signal, onProgress });
        // Its time is the object's: the next run sees the same file.
        await utimes(path, entry.modified / 1000, entry.modified / 1000);
      } else {
        await s3.uploadFile((entry as Entry & { path: string }).path, prefix + rel, { signal: ctx.signal, onProgress });
      }
      done.push(rel);
      moved += entry.size;
      if (perFile) ctx.out.info(`${verb}: ${describe(rel)}`);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      failed.push({ path: rel, reason: (error as Error).message });
      if (perFile) ctx.out.info(`failed: ${describe(rel)}: ${(error as Error).message}`);
    } finally {
      moving.delete(rel);
    }
  });
  bar.update(moved);
  bar.stop();
  if (!perFile) for (const f of failed) ctx.out.info(`failed: ${describe(f.path)}: ${f.reason}`);
  if (stopped) throw stopped.error;

  if (deletions.length > 0) {
    for (const rel of deletions)
      ctx.out.info(
        `${options.dryrun ? '(dryrun) ' : ''}delete: ${from ? join(folder, rel) : `s3://${remote.bucket}/${prefix}${rel}`}`,
      );
    if (!options.dryrun) {
      if (from) for (const rel of deletions) await unlink((files.get(rel) as { path: string }).path);
      else {
        const { failed: refused } = await s3.deleteObjects(deletions.map((rel) => prefix + rel));
        for (const f of refused)
          failed.push({ path: f.key.slice(prefix.length), reason: `${f.message} (${f.s3Code})` });
      }
    }
  }
  for (const s of skipped) ctx.out.info(`not written "${s.key}": ${s.reason}`);
  ctx.out.info(
    `${options.dryrun ? '(dryrun) ' : ''}${plural(options.dryrun ? copies.length : done.length, 'file')} ${from ? 'downloaded' : 'uploaded'}, ${deletions.length} deleted${failed.length > 0 ? `, ${failed.length} failed` : ''}`,
  );
  ctx.out.result(
    {
      source,
      dest,
      dryRun: options.dryrun === true,
      [from ? 'downloaded' : 'uploaded']: options.dryrun ? copies.map(([rel]) => rel) : done,
      deleted: deletions,
      ...(failed.length > 0 && { failed }),
      ...(skipped.length > 0 && { skipped }),
    },
    () => undefined,
  );
  return failed.length > 0 || skipped.length > 0 ? 1 : undefined;
}
