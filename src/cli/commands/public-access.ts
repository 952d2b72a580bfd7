/** `cloudspark public-access block|allow|status`: the bucket's public-access block. */
import type { Command } from 'commander';
import { action, examples, type App } from '../action.js';

export function registerPublicAccess(program: Command, app: App): void {
  const group = program
    .command('public-access')
    .description("the bucket's public-access block (all four settings at once)");
  for (const [name, block, description] of [
    ['block', true, 'block public access: public ACLs and policies are refused or ignored'],
    ['allow', false, 'allow public access, so that a public bucket policy can be set'],
  ] as const) {
    examples(
      group.command(name).description(description),
      `cloudspark public-access ${name} --bucket my-uploads`,
    ).action(
      action(app, async (ctx) => {
        const s3 = ctx.connection();
        await s3.publicAccess(block);
        ctx.out.info(`public access to bucket "${ctx.bucket}" ${block ? 'blocked' : 'allowed'}`);
        const settings = await s3.getPublicAccess();
        ctx.out.result(settings, () => undefined);
      }),
    );
  }

  examples(
    group.command('status').description('print the four settings'),
    'cloudspark public-access status --json',
  ).action(
    action(app, async (ctx) => {
      const settings = await ctx.connection().getPublicAccess();
      ctx.out.result(settings, () =>
        Object.entries(settings)
          .map(([name, on]) => `${name.padEnd(22)}${on}`)
          .join('\n'),
      );
    }),
  );
}
