/**
 * `cloudspark cp <source> <dest>` and `mv`, as aws s3 users type them: one side (or both) an
 * `s3://BUCKET/KEY`. To S3 is `put`, from S3 is `get` (with their progress, verification and
 * `--json`); S3 to S3 is a copy inside the store (CopyObject: the bytes do not come here), in
 * one bucket or between two. `-r` copies every object under a prefix, or every file of a folder.
 * `mv` deletes the source once the copy succeeded.
 */
import { unlink } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Command } from 'commander';
import { CloudSparkError } from '../../errors.js';
import { action, examples, type App } from '../action.js';
import { parseS3Uri, type CliContext } from '../context.js';
import { UsageError } from '../failure.js';
import { plural, wholeNumber } from '../parse.js';
import { eachLimited } from '../../s3/transfer/pool.js';
import { get, put, type TransferFlags } from './transfer.js';

export function registerCopy(program: Command, app: App): void {
  for (const [name, move] of [
    ['cp', false],
    ['mv', true],
  ] as const) {
    examples(
      program
        .command(name)
        .description(
          move
            ? 'move: cp, then delete the source once the copy succeeded'
            : 'copy to, from or within S3: either side an s3://BUCKET/KEY (S3 to S3 is a copy inside the store)',
        )
        .argument('<source>', 'a file, a folder with -r, or s3://BUCKET/KEY (a prefix with -r)')
        .argument('<dest>', "a file or folder, or s3://BUCKET/KEY (a key ending in / takes the source's name)")
        .option('-r, --recursive', 'every file of the folder, or every object under the prefix')
        .option('--concurrency <n>', 'parts, ranges, files or copies at once', wholeNumber),
      `cloudspark ${name} report.pdf s3://docs/2026/`,
      `cloudspark ${name} s3://docs/2026/report.pdf ./`,
      `cloudspark ${name} -r s3://docs/2026/ s3://archive/docs-2026/`,
    ).action(
      action(
        app,
        (ctx, source: string, dest: string, options: TransferFlags) => copy(ctx, source, dest, options, move),
        { s3Paths: false },
      ),
    );
  }
}

async function copy(
  ctx: CliContext,
  source: string,
  dest: string,
  options: TransferFlags,
  move: boolean,
): Promise<number | void> {
  const from = parseS3Uri(source);
  const to = parseS3Uri(dest);
  const verb = move ? 'mv' : 'cp';
  if (!from && !to) throw new UsageError(`${verb} copies to, from or within S3: write one side as s3://BUCKET/KEY`);
  if (!from) {
    if (move && options.recursive)
      throw new UsageError('mv -r from a folder is not done here: cp -r, then remove the folder yourself');
    // s3://BUCKET/ alone: the file under its own name, a folder's files at the top.
    const key = ctx.keyOf(dest);
    await put(ctx, source, key === '' && !options.recursive ? undefined : key, options);
    if (move) await unlink(source);
    return;
  }
  if (!to) {
    const status = await get(ctx, ctx.keyOf(source), dest, options);
    if (move && status !== 1)
      await removeSources(
        ctx,
        from.bucket,
        options.recursive ? await ctx.keysUnder(from.bucket, from.key) : [from.key],
      );
    return status;
  }
  // S3 to S3, inside the store: the destination's connection copies from the source's bucket.
  const target = ctx.connection(to.bucket);
  const pairs = options.recursive
    ? (await ctx.keysUnder(from.bucket, from.key)).map((key) => [key, to.key + key.slice(from.key.length)] as const)
    : [[from.key, to.key === '' || to.key.endsWith('/') ? to.key + posix.basename(from.key) : to.key] as const];
  const copied: string[] = [];
  const failure = await eachLimited(pairs, options.concurrency ?? 8, new AbortController(), async ([key, into]) => {
    await target.copyObject(key, into, { sourceBucket: from.bucket });
    copied.push(key);
    ctx.out.info(`copied s3://${from.bucket}/${key} to s3://${to.bucket}/${into}`);
  });
  if (failure) throw failure.error;
  if (move) await removeSources(ctx, from.bucket, copied);
  if (options.recursive) ctx.out.info(`${move ? 'moved' : 'copied'} ${plural(copied.length, 'object')}`);
  ctx.out.result(
    {
      source: `s3://${from.bucket}/${from.key}`,
      dest: `s3://${to.bucket}/${to.key}`,
      copied: pairs.map(([key, into]) => ({ key, to: into })),
      ...(move && { deleted: copied }),
    },
    () => undefined,
  );
}

/** mv's last step: the sources, once copied; a key the store refuses to delete fails the command. */
async function removeSources(ctx: CliContext, bucket: string, keys: string[]): Promise<void> {
  const { failed } = await ctx.connection(bucket).deleteObjects(keys);
  if (failed.length > 0)
    throw new CloudSparkError(
      'SERVICE_ERROR',
      `copied, but ${plural(failed.length, 'source')} could not be deleted, e.g. s3://${bucket}/${failed[0]!.key}: ${failed[0]!.message}`,
      { s3Code: failed[0]!.s3Code },
    );
}
