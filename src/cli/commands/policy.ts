/** `cloudspark policy get|set|delete|decode`: the bucket policy, and POST policies. */
import type { Command } from 'commander';
import { policyDecode, publicReadPolicy, type BucketPolicy } from '../../s3/rules/policy.js';
import { action, examples, type App } from '../action.js';
import { readJson } from '../files.js';

export function registerPolicy(program: Command, app: App): void {
  const policy = program.command('policy').description('the bucket policy; decoding presigned POST policies');

  examples(
    policy.command('get').description('print the bucket policy as JSON (null when there is none)'),
    'cloudspark policy get --bucket my-uploads',
  ).action(
    action(app, async (ctx) => {
      const doc = await ctx.connection().getBucketPolicy();
      if (doc === null) ctx.out.info(`bucket "${ctx.bucket}" has no policy`);
      ctx.out.result(doc, () => (doc === null ? undefined : JSON.stringify(doc, null, 2)));
    }),
  );

  examples(
    policy
      .command('set')
      .description('replace the bucket policy: from a file, or the default (anyone may read objects, nothing more)')
      .option('--file <path>', 'the policy document as JSON; - for stdin'),
    'cloudspark policy set                      # public read of objects only',
    'cloudspark policy set --file policy.json',
  ).action(
    action(app, async (ctx, options: { file?: string }) => {
      const s3 = ctx.connection();
      // The default is made here, not left to the library, so that it can be shown.
      const doc = options.file !== undefined ? await readJson(options.file) : publicReadPolicy(ctx.bucket);
      if (options.file === undefined)
        ctx.out.info('no --file: setting the default policy, which lets anyone read (s3:GetObject) every object');
      await s3.setBucketPolicy(doc as BucketPolicy);
      ctx.out.info(`policy of bucket "${ctx.bucket}" set`);
      ctx.out.result({ bucket: ctx.bucket, policy: doc }, () => undefined);
    }),
  );

  examples(
    policy.command('delete').description('remove the bucket policy'),
    'cloudspark policy delete --bucket my-uploads',
  ).action(
    action(app, async (ctx) => {
      await ctx.connection().deleteBucketPolicy();
      ctx.out.info(`policy of bucket "${ctx.bucket}" removed`);
      ctx.out.result({ bucket: ctx.bucket, policy: null }, () => undefined);
    }),
  );

  examples(
    policy
      .command('decode')
      .description('decode the base64 "policy" field of a presigned POST (no bucket or credentials needed)')
      .argument('<base64>', 'the policy field'),
    'cloudspark policy decode eyJleHBpcmF0aW9uIjog...',
    'cloudspark presign post a.png --json | jq -r .fields.policy | xargs cloudspark policy decode',
  ).action(
    action(app, async (ctx, encoded: string) => {
      const text = policyDecode(encoded);
      ctx.out.result(JSON.parse(text), () => text);
    }),
  );
}
