/** `cloudspark bucket create <name>` */
import type { Command } from 'commander';
import { action, examples, type App } from '../action.js';

export function registerBucket(program: Command, app: App): void {
  const bucket = program.command('bucket').description('create buckets');
  examples(
    bucket
      .command('create')
      .description('create a bucket (in --region); a bucket that is already yours is fine')
      .argument('<name>', 'bucket name: 3 to 63 lowercase letters, digits, dots and hyphens'),
    'cloudspark bucket create my-uploads',
    'cloudspark --endpoint http://127.0.0.1:7480 bucket create media --json',
  ).action(
    action(app, async (ctx, name: string) => {
      const result = await ctx.connection(false).createBucket(name);
      ctx.out.info(result.created ? `created bucket "${name}"` : `bucket "${name}" already exists and is yours`);
      ctx.out.result(result, () => undefined);
    }),
  );
}
