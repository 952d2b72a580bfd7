/**
 * The `cloudspark` program: global options, every command, and one exit status for the run
 * (0 success, 1 failure, 2 usage error, 130 interrupted).
 */
import { getEventListeners } from 'node:events';
import { Command, Option } from 'commander';
import type { App } from './action.js';
import { ENDPOINT_ENV } from './context.js';
import { constants } from 'node:os';
import { EXIT_INTERRUPTED, toFailure } from './failure.js';
import { Output, type Streams } from './output.js';
import { secondsAsMs } from './parse.js';
import { registerBucket } from './commands/bucket.js';
import { registerCopy } from './commands/copy.js';
import { registerSync } from './commands/sync.js';
import { registerCors } from './commands/cors.js';
import { registerDoctor } from './commands/doctor.js';
import { registerIam } from './commands/iam.js';
import { registerMultipart } from './commands/multipart.js';
import { registerObjects } from './commands/objects.js';
import { registerPolicy } from './commands/policy.js';
import { registerPresign } from './commands/presign.js';
import { registerPublicAccess } from './commands/public-access.js';
import { registerTransfer } from './commands/transfer.js';

/** Set by the build from package.json. */
declare const CLOUDSPARK_VERSION: string | undefined;
const VERSION = typeof CLOUDSPARK_VERSION === 'string' ? CLOUDSPARK_VERSION : '0.0.0-dev';

const GLOBAL_HELP = `
Credentials come from the AWS SDK's default chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
(and AWS_SESSION_TOKEN), or a profile (--profile, AWS_PROFILE) of ~/.aws/credentials and
~/.aws/config, or a container or instance role. Secrets are never printed.

Results go to stdout, messages and errors to stderr. Exit status: 0 success, 1 failure
(doctor: a check failed), 2 usage error, 130 interrupted (Ctrl-C).

Examples:
  $ export CLOUDSPARK_BUCKET=my-uploads
  $ cloudspark bucket create my-uploads
  $ cloudspark cors set --origin https://app.example
  $ cloudspark doctor --origin https://app.example
  $ cloudspark put photo.png avatars/42.png
  $ cloudspark ls avatars/ --json
`;

/** Whether the raw arguments ask for `flag`, so that even a usage error follows --json and --quiet. */
function asks(argv: readonly string[], ...flags: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => flags.includes(a));
}

export function buildProgram(app: App): Command {
  const program = new Command('cloudspark')
    .description('Amazon S3 and S3-compatible stores (Ceph RGW, MinIO, R2) from the terminal')
    .version(VERSION, '-V, --version')
    .addOption(
      new Option(
        '--endpoint <url>',
        `an S3-compatible endpoint, such as http://127.0.0.1:7480 (default: ${ENDPOINT_ENV.join(', ')}, else AWS); also --endpoint-url, as aws CLI spells it`,
      ),
    )
    // aws CLI's spelling, for hands used to it: the same option.
    .addOption(new Option('--endpoint-url <url>').hideHelp())
    .addOption(new Option('--region <name>', 'the region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)'))
    .addOption(new Option('--profile <name>', 'a profile of the AWS shared config files'))
    .addOption(
      new Option('-b, --bucket <name>', 'the bucket to work on; or name it with the key: s3://BUCKET/KEY').env(
        'CLOUDSPARK_BUCKET',
      ),
    )
    .option('--json', 'machine-readable results on stdout (ls: one JSON object per line)')
    .option('-q, --quiet', 'no messages or progress bars on stderr, only results and errors')
    .option('--verbose', "the library's own messages on stderr")
    .addOption(
      new Option(
        '--timeout <seconds>',
        'give up when the store sends nothing for this long, after retries (default: 60)',
      ).argParser(secondsAsMs),
    )
    .addHelpText('after', GLOBAL_HELP)
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError()
    // Commander's errors come back as exceptions, to be printed and given status 2 by run().
    .exitOverride()
    .configureOutput({
      writeOut: (s) => app.out.stdout.write(s),
      writeErr: (s) => app.out.stderr.write(s),
      outputError: () => {},
    });
  for (const register of [
    registerBucket,
    registerCors,
    registerPolicy,
    registerPublicAccess,
    registerPresign,
    registerTransfer,
    registerCopy,
    registerSync,
    registerObjects,
    registerMultipart,
    registerIam,
    registerDoctor,
  ]) {
    register(program, app);
  }
  return program;
}

/** The signals that cancel a command and run its clean-up. */
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs one command line (without `node` and the script) and resolves to its exit status. */
export async function run(argv: string[], streams?: Streams): Promise<number> {
  const out = new Output({ json: asks(argv, '--json'), quiet: asks(argv, '-q', '--quiet') }, streams);
  const controller = new AbortController();
  const app: App = { out, signal: controller.signal };
  // Ctrl-C (SIGINT), and SIGTERM and SIGHUP (what `timeout`, systemd, `docker stop`, CI cancels
  // and a closed terminal send) cancel a transfer, which then cleans up (a part file, a
  // multipart upload) and says what it could not; the status is then 128 + the signal's number.
  // With no transfer listening, or at a second signal, the CLI leaves at once.
  let received: NodeJS.Signals | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    const status = 128 + (constants.signals[name] ?? 2);
    if (controller.signal.aborted || getEventListeners(controller.signal, 'abort').length === 0) process.exit(status);
    received = name;
    controller.abort();
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  try {
    await buildProgram(app).parseAsync(argv, { from: 'user' });
    return app.exitCode ?? 0;
  } catch (error) {
    const failure = toFailure(error, (e) => app.context?.hint(e));
    if (failure.error) out.error(failure.error);
    return failure.exitCode === EXIT_INTERRUPTED && received
      ? 128 + (constants.signals[received] ?? 2)
      : failure.exitCode;
  } finally {
    for (const name of SIGNALS) process.off(name, onSignal);
    app.context?.close();
  }
}
