/** `cloudspark bucket create <name>` (and `mb <name>`), `bucket delete <name>` (and `rb <name>`, `--force` to empty it first). */
import type { Command } from 'commander';
import { CloudSparkError } from '../../errors.js';
import { action, examples, type App } from '../action.js';
import type { CliContext } from '../context.js';
import { plural } from '../parse.js';

export function registerBucket(program: Command, app: App): void {
  const create = async (ctx: CliContext, arg: string) => {
    const name = ctx.bucketArg(arg);
    const result = await ctx.connection(false).createBucket(name);
    ctx.out.info(result.created ? `created bucket "${name}"` : `bucket "${name}" already exists and is yours`);
    ctx.out.result(result, () => undefined);
  };
  const remove = async (ctx: CliContext, arg: string, options: { force?: boolean }) => {
    const bucket = ctx.bucketArg(arg);
    const s3 = ctx.connection(bucket);
    const emptied = { objects: 0, uploads: 0 };
    if (options.force) {
      // Everything it holds first: its objects (deleteObjects batches them), then unfinished uploads.
      const { deleted, failed } = await s3.deleteObjects(await ctx.keysUnder(bucket, ''));
      if (failed.length > 0)
        throw new CloudSparkError(
          'SERVICE_ERROR',
          `${plural(failed.length, 'object')} could not be deleted, e.g. "${failed[0]!.key}": ${failed[0]!.message}; the bucket stays`,
          { s3Code: failed[0]!.s3Code },
        );
      emptied.objects = deleted.length;
      for await (const u of s3.listMultipartUploads()) {
        await s3.abortMultipartUpload(u.key, u.uploadId);
        emptied.uploads++;
      }
    }
    await s3.deleteBucket();
    ctx.out.info(
      `deleted bucket "${bucket}"${options.force ? ` (and ${plural(emptied.objects, 'object')}, ${plural(emptied.uploads, 'unfinished upload')})` : ''}`,
    );
    ctx.out.result({ bucket, deleted: true, ...(options.force && emptied) }, () => undefined);
  };

  const bucket = program.command('bucket').description('create and delete buckets');
  const nameArgument = ['<name>', 'bucket name: 3 to 63 lowercase letters, digits, dots and hyphens'] as const;
  examples(
    bucket
      .command('create')
      .description('create a bucket (in --region); a bucket that is already yours is fine')
      .argument(...nameArgument),
    'cloudspark bucket create my-uploads',
    'cloudspark --endpoint http://127.0.0.1:7480 bucket create media --json',
  ).action(action(app, create));
  examples(
    program
      .command('mb')
      .description('make a bucket: bucket create, as aws s3 mb')
      .argument('<name>', 'bucket name, or s3://NAME'),
    'cloudspark mb s3://my-uploads',
  ).action(action(app, create));

  const forceOption = ['--force', 'delete every object and abort every unfinished upload first'] as const;
  examples(
    bucket
      .command('delete')
      .description('delete a bucket, which must be empty (or --force)')
      .argument(...nameArgument)
      .option(...forceOption),
    'cloudspark bucket delete old-uploads --force',
  ).action(action(app, remove));
  examples(
    program
      .command('rb')
      .description('remove a bucket: bucket delete, as aws s3 rb')
      .argument('<name>', 'bucket name, or s3://NAME')
      .option(...forceOption),
    'cloudspark rb s3://old-uploads --force',
  ).action(action(app, remove));
}
