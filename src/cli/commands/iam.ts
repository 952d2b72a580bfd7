/** `cloudspark iam list-user-policies <user>` */
import type { Command } from 'commander';
import { action, examples, type App } from '../action.js';

export function registerIam(program: Command, app: App): void {
  const iam = program.command('iam').description('IAM users (on the same endpoint for S3-compatible stores)');
  examples(
    iam
      .command('list-user-policies')
      .description("the names of a user's inline policies, every page of them")
      .argument('<user>', 'IAM user name'),
    'cloudspark iam list-user-policies deploy-bot',
  ).action(
    action(app, async (ctx, user: string) => {
      const names = await ctx.connection(false).listUserPolicies(user);
      if (names.length === 0) ctx.out.info(`user "${user}" has no inline policies`);
      ctx.out.result(names, () => (names.length ? names.join('\n') : undefined));
    }),
  );
}
