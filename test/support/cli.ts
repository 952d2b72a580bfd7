/**
 * Runs the BUILT `cloudspark` bin (dist/esm/cli.js) as a person or a script would, against the
 * RGW of the test runner (S3_ENDPOINT, AWS_* in the environment). Every run is checked for
 * leaked secrets: no secret key in any output, and no whole access key in any message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { repoRoot } from './fixtures.js';

export const CLI = join(repoRoot, 'dist', 'esm', 'cli.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to (or, when undefined, removed from) the environment. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed (at once, without input), unless `openStdin`. */
  input?: string | Buffer;
  /** Leaves stdin open, for the test to write to. */
  openStdin?: boolean;
  cwd?: string;
}

/** The environment of a run: the runner's, without a default bucket, and never asking EC2's metadata service. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_EC2_METADATA_DISABLED: 'true',
    CLOUDSPARK_BUCKET: undefined,
    NO_COLOR: '1',
  };
  for (const [name, value] of Object.entries(extra)) env[name] = value;
  for (const name of Object.keys(env)) if (env[name] === undefined) delete env[name];
  return env;
}

/** Starts the bin; for tests that signal it or read it while it runs. */
export function spawnCli(args: string[], options: CliOptions = {}): ChildProcess {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`npm run build\` (\`npm test\` builds it for the cli tier).`);
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cliEnv(options.env),
    stdio: 'pipe',
  });
  // The bin may exit (Ctrl-C, a failure) before reading all that a test wrote to it: the EPIPE
  // that the pending write then gets is expected, not a failure of the test process.
  child.stdin!.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  if (!options.openStdin) child.stdin!.end(options.input);
  return child;
}

/** Waits for a spawned bin to exit, collecting its output, and checks that output for secrets. */
export async function finished(child: ChildProcess): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const run = await new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  // Asserted here, not in the 'close' handler: a throw there is an uncaught exception, not
  // this test's failure.
  assertNoSecrets(run);
  return run;
}

export function cli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return finished(spawnCli(args, options));
}

/** The secrets the runner's environment holds; none may ever be printed. */
const secrets = () =>
  ['AWS_SECRET_ACCESS_KEY', 'RGW_OTHER_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']
    .map((n) => process.env[n])
    .filter((v): v is string => !!v);

export function assertNoSecrets(run: Pick<CliRun, 'stdout' | 'stderr'>): void {
  for (const secret of secrets()) {
    assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'a secret key was printed');
  }
  // An access key is shown masked in messages; results such as presigned URLs carry it by design.
  const accessKey = process.env['AWS_ACCESS_KEY_ID'];
  if (accessKey)
    assert.ok(!run.stderr.includes(accessKey), `the whole access key was printed on stderr:\n${run.stderr}`);
}

/** Asserts the exit status, showing the output when it is not the one expected. */
export function assertExit(run: CliRun, code: number): void {
  assert.equal(
    run.code,
    code,
    `exit status ${run.code}, expected ${code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`,
  );
}

/** The one JSON document a --json run printed. */
export function json<T = unknown>(run: CliRun): T {
  return JSON.parse(run.stdout) as T;
}

/** The `--bucket` flag for a bucket. */
export const on = (bucket: string) => ['--bucket', bucket];
