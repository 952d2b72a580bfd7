/** `cloudspark doctor --origin <url>`: one line per check, exit 1 when any fails. */
import type { Command } from 'commander';
import { action, examples, type App } from '../action.js';
import { runDoctor } from '../doctor/index.js';
import { EXIT_FAILURE, EXIT_OK } from '../failure.js';
import { origin } from '../parse.js';

export function registerDoctor(program: Command, app: App): void {
  examples(
    program
      .command('doctor')
      .description(
        'check that the bucket is ready for uploads from pages on an origin: CORS rules, real preflights, ' +
          'public access against the policy, a presigned POST upload and DELETE, and clock skew',
      )
      .requiredOption('--origin <url>', "the pages' origin, such as https://app.example", origin),
    'cloudspark doctor --bucket my-uploads --origin https://app.example',
    'cloudspark doctor --origin http://localhost:3000 --json',
  ).action(
    action(app, async (ctx, options: { origin: string }) => {
      const checks = await runDoctor(ctx, options.origin);
      const failed = checks.filter((c) => !c.ok).length;
      ctx.out.result(checks, () =>
        checks.map((c) => `${c.ok ? '✔' : '✘'} ${c.check}: ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ''}`).join('\n'),
      );
      ctx.out.info(
        failed
          ? `${failed} of ${checks.length} checks failed: bucket "${ctx.bucket}" is not ready for uploads from ${options.origin}`
          : `bucket "${ctx.bucket}" is ready for uploads from ${options.origin}`,
      );
      return failed ? EXIT_FAILURE : EXIT_OK;
    }),
  );
}
