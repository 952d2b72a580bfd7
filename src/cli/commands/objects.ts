/** `cloudspark head <key>`, `cloudspark rm <key>...` and `cloudspark ls [prefix]`. */
import type { Command } from 'commander';
import type { ObjectInfo, ObjectMetadata } from '../../s3/types.js';
import { action, examples, type App } from '../action.js';
import { formatBytes, plural, timestamp, wholeNumber } from '../parse.js';

export function registerObjects(program: Command, app: App): void {
  examples(
    program.command('head').description("print an object's metadata").argument('<key>', 'the object key'),
    'cloudspark head avatars/42.png --json',
  ).action(
    action(app, async (ctx, key: string) => {
      const head = await ctx.connection().headObject(key);
      ctx.out.result(head, () => describeHead(head));
    }),
  );

  examples(
    program
      .command('rm')
      .description('delete objects (a key that does not exist is no error, as in S3)')
      .argument('<key...>', 'the object keys; with -r key prefixes')
      .option('-r, --recursive', 'delete every object under each prefix, 1000 per request')
      .option('--dryrun', 'print what would be deleted, and delete nothing'),
    'cloudspark rm tmp/a.txt tmp/b.txt',
    'cloudspark rm -r s3://uploads/tmp/ --dryrun',
  ).action(
    action(app, async (ctx, given: string[], options: { recursive?: boolean; dryrun?: boolean }) => {
      const s3 = ctx.connection();
      let keys = given;
      if (options.recursive) {
        keys = [];
        for (const prefix of given) keys.push(...(await ctx.keysUnder(ctx.bucket, prefix)));
      }
      if (options.dryrun) {
        for (const key of keys) ctx.out.info(`(dryrun) delete s3://${ctx.bucket}/${key}`);
        ctx.out.result({ bucket: ctx.bucket, deleted: [], wouldDelete: keys }, () => undefined);
        return;
      }
      // One request per 1000 keys; a key the store refuses is named, and the exit status is 1.
      const { deleted, failed } = await s3.deleteObjects(keys);
      for (const key of deleted) ctx.out.info(`deleted s3://${ctx.bucket}/${key}`);
      for (const f of failed)
        ctx.out.info(`not deleted s3://${ctx.bucket}/${f.key}: ${f.message || f.s3Code} (${f.s3Code})`);
      if (options.recursive) ctx.out.info(`${plural(deleted.length, 'object')} deleted`);
      ctx.out.result({ bucket: ctx.bucket, deleted, ...(failed.length > 0 && { failed }) }, () => undefined);
      return failed.length > 0 ? 1 : undefined;
    }),
  );

  examples(
    program
      .command('ls')
      .description(
        'list a folder: its folders (PRE lines) and its objects, printed as each page arrives (--json: one JSON object per line); -r: every object under it; with no bucket, list the buckets',
      )
      .argument('[prefix]', 'the folder, or any start of keys (or s3://BUCKET/PREFIX)')
      .option('-r, --recursive', 'every object under the prefix, not one level')
      .option('--page-size <n>', 'keys asked for per request, 1 to 1000', wholeNumber),
    'cloudspark ls avatars/',
    'cloudspark ls -r s3://uploads/avatars/',
    'cloudspark ls                      # the buckets, when no bucket is set',
    "cloudspark ls --json | jq -r 'select(.size > 1000000) | .key'",
  ).action(
    action(app, async (ctx, prefix: string | undefined, options: { pageSize?: number; recursive?: boolean }) => {
      if (prefix === undefined && !ctx.options.bucket) {
        const buckets = await ctx.connection(false).listBuckets();
        for (const b of buckets) await ctx.out.item(b, `${timestamp(b.creationDate)}  ${b.name}`);
        ctx.out.info(plural(buckets.length, 'bucket'));
        return;
      }
      let count = 0;
      let bytes = 0;
      let folders = 0;
      const listing = options.recursive
        ? ctx.connection().listObjects({ prefix, pageSize: options.pageSize })
        : ctx.connection().listFolder({ prefix, pageSize: options.pageSize });
      for await (const entry of listing) {
        // A folder as aws CLI shows it (PRE), in the size column; its whole prefix, as keys are.
        if ('kind' in entry && entry.kind === 'folder') {
          folders++;
          await ctx.out.item({ prefix: entry.prefix }, `${''.padEnd(20)}  ${'PRE'.padStart(12)}  ${entry.prefix}`);
          continue;
        }
        const { kind: _, ...o } = entry as ObjectInfo & { kind?: 'object' };
        count++;
        bytes += o.size;
        await ctx.out.item(o, `${timestamp(o.lastModified)}  ${String(o.size).padStart(12)}  ${o.key}`);
      }
      ctx.out.info(
        `${plural(count, 'object')}, ${formatBytes(bytes)}${folders > 0 ? `, ${plural(folders, 'folder')}` : ''}`,
      );
    }),
  );
}

function describeHead(head: ObjectMetadata): string {
  const rows: Array<[string, unknown]> = [
    ['key', head.key],
    ['content-type', head.contentType],
    ['content-length', head.contentLength],
    ['etag', head.etag],
    ['last-modified', head.lastModified?.toISOString()],
    ['version-id', head.versionId],
    ['cache-control', head.cacheControl],
    ['content-disposition', head.contentDisposition],
    ...Object.entries(head.metadata).map(([name, value]): [string, unknown] => [`x-amz-meta-${name}`, value]),
  ];
  const shown = rows.filter(([, value]) => value !== undefined);
  // One column for the values, wide enough for the longest name (a metadata name can be long).
  const width = Math.max(21, ...shown.map(([name]) => name.length + 2));
  return shown.map(([name, value]) => `${`${name}:`.padEnd(width)}${String(value)}`).join('\n');
}
