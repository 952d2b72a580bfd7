/**
 * `cloudspark multipart ls|abort|auto-abort`: multipart uploads that were begun and never
 * finished (a closed tab, a killed process). Their parts are billed until they are aborted.
 */
import type { Command } from 'commander';
import { UsageError } from '../failure.js';
import type { PendingUpload } from '../../s3/types.js';
import { action, examples, type App } from '../action.js';
import { duration, plural, timestamp, wholeNumber } from '../parse.js';

const line = (u: PendingUpload) => `${timestamp(u.initiated)}  ${u.key}  ${u.uploadId}`;

export function registerMultipart(program: Command, app: App): void {
  const multipart = program
    .command('multipart')
    .description('multipart uploads begun and never finished, which keep costing until aborted');

  examples(
    multipart
      .command('ls')
      .description('list unfinished multipart uploads (--json: one JSON object per line)')
      .option('--prefix <prefix>', 'only keys that start with it')
      .option(
        '--older-than <age>',
        "only uploads begun at least this long ago, by the store's clock: 30m, 12h, 2d, 1w",
        duration,
      ),
    'cloudspark multipart ls --older-than 2d',
    'cloudspark multipart ls --prefix uploads/ --json',
  ).action(
    action(app, async (ctx, options: { prefix?: string; olderThan?: number }) => {
      let count = 0;
      for await (const u of ctx
        .connection()
        .listMultipartUploads({ prefix: options.prefix, olderThan: options.olderThan })) {
        count++;
        await ctx.out.item(u, line(u));
      }
      ctx.out.info(`${plural(count, 'unfinished upload')} in bucket "${ctx.bucket}"`);
    }),
  );

  examples(
    multipart
      .command('abort')
      .description(
        'abort the unfinished uploads begun at least --older-than ago, or the one named by --key and --upload-id, freeing their parts',
      )
      .option(
        '--older-than <age>',
        'uploads begun at least this long ago: 30m, 12h, 2d, 1w (0: every one, in progress or not)',
        duration,
      )
      .option('--prefix <prefix>', 'only keys that start with it')
      .option('--key <key>', 'with --upload-id: the key of the one upload to abort')
      .option('--upload-id <id>', 'abort this upload only (an id a failed clean-up named), with --key')
      .option('--dry-run', 'list what would be aborted, abort nothing'),
    'cloudspark multipart abort --older-than 2d --dry-run',
    'cloudspark multipart abort --older-than 7d --prefix uploads/',
    "cloudspark multipart abort --key backup.tar --upload-id '2~abc...'",
  ).action(
    action(
      app,
      async (
        ctx,
        options: { olderThan?: number; prefix?: string; key?: string; uploadId?: string; dryRun?: boolean },
      ) => {
        const dryRun = options.dryRun === true;
        if ((options.key === undefined) !== (options.uploadId === undefined))
          throw new UsageError('--key and --upload-id go together: they name one upload');
        if (options.uploadId !== undefined) {
          if (options.olderThan !== undefined || options.prefix !== undefined)
            throw new UsageError('--upload-id names one upload: leave out --older-than and --prefix');
          const one = { key: options.key!, uploadId: options.uploadId };
          if (!dryRun) await ctx.connection().abortMultipartUpload(one.key, one.uploadId);
          ctx.out.info(`${dryRun ? 'would abort' : 'aborted'} the upload of "${one.key}" in bucket "${ctx.bucket}"`);
          ctx.out.result({ bucket: ctx.bucket, dryRun, aborted: [one] }, () => `${one.key}\t${one.uploadId}`);
          return;
        }
        if (options.olderThan === undefined)
          throw new UsageError('say which uploads: --older-than AGE (0 for every one), or --key KEY --upload-id ID');
        const aborted = await ctx
          .connection()
          .abortStaleUploads({ olderThan: options.olderThan, prefix: options.prefix, dryRun });
        ctx.out.info(
          `${dryRun ? 'would abort' : 'aborted'} ${plural(aborted.length, 'upload')} in bucket "${ctx.bucket}"`,
        );
        ctx.out.result({ bucket: ctx.bucket, dryRun, aborted }, () => aborted.map(line).join('\n') || undefined);
      },
    ),
  );

  examples(
    multipart
      .command('auto-abort')
      .description(
        'set a lifecycle rule that makes the store abort uploads some days after they began (other rules are kept)',
      )
      .requiredOption('--after-days <days>', 'days after an upload began', wholeNumber),
    'cloudspark multipart auto-abort --after-days 7',
  ).action(
    action(app, async (ctx, options: { afterDays: number }) => {
      const rule = await ctx.connection().abortIncompleteUploads({ afterDays: options.afterDays });
      ctx.out.info(
        `bucket "${ctx.bucket}": lifecycle rule "${rule.id}" set; the store aborts uploads ${plural(rule.afterDays, 'day')} after they began`,
      );
      ctx.out.result({ bucket: ctx.bucket, rule }, () => undefined);
    }),
  );
}
