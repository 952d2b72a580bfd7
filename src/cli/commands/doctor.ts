/** `cloudspark doctor --origin <url>`: one line per check, exit 1 when any fails. */
import type { Command } from 'commander';
import { action, examples, type App } from '../action.js';
import { runDoctor } from '../doctor/index.js';
import { EXIT_FAILURE, EXIT_OK } from '../failure.js';
import { origin, plural } from '../parse.js';

const CHECKS = `
Checks:
  cors rules     a rule allows POST and PUT (with Content-Type) from the origin,
                 and exposes ETag
  preflight      OPTIONS requests, as a browser sends them, get CORS answers
  public access  the public-access block agrees with the bucket policy
  round trip     a presigned POST upload, a presigned PUT over it and a
                 presigned DELETE, each sent with the origin
  clock          this machine's clock against the store's (fails beyond 5 min)
  incomplete uploads
                 a lifecycle rule aborts multipart uploads left unfinished
                 (a warning only: uploads work without it)
A failed check (✘) or a warning (!) says how to fix it. Exit status 1 when any
check fails; warnings leave it 0.`;

export function registerDoctor(program: Command, app: App): void {
  examples(
    program
      .command('doctor')
      .description('check that the bucket is ready for uploads from pages on an origin, one line per check')
      .addHelpText('after', CHECKS)
      .requiredOption('--origin <url>', "the pages' origin, such as https://app.example", origin),
    'cloudspark doctor --bucket my-uploads --origin https://app.example',
    'cloudspark doctor --origin http://localhost:3000 --json',
  ).action(
    action(app, async (ctx, options: { origin: string }) => {
      const checks = await runDoctor(ctx, options.origin);
      const failed = checks.filter((c) => !c.ok).length;
      const warnings = checks.filter((c) => c.warning).length;
      ctx.out.result(checks, () =>
        checks
          .map(
            (c) =>
              `${c.ok ? (c.warning ? '!' : '✔') : '✘'} ${c.check}: ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ''}`,
          )
          .join('\n'),
      );
      const warned = warnings ? ` (${plural(warnings, 'warning')})` : '';
      ctx.out.info(
        failed
          ? `${failed} of ${checks.length} checks failed${warned}: bucket "${ctx.bucket}" is not ready for uploads from ${options.origin}`
          : `bucket "${ctx.bucket}" is ready for uploads from ${options.origin}${warned}`,
      );
      return failed ? EXIT_FAILURE : EXIT_OK;
    }),
  );
}
