/**
 * Turns whatever a command threw into the exit status and the error printed: 2 for usage
 * errors (nothing was sent), 1 for failures, 130 when the person pressed Ctrl-C.
 */
import { CommanderError } from 'commander';
import { CloudSparkError } from '../errors.js';
import { timeoutAdvice } from '../s3/sdk/errors.js';
import type { ErrorDocument } from './output.js';
import { fileReason } from '../s3/transfer/files.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, as shells report a command stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/** The command line asked for something impossible: exit 2, like commander's own errors. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A local file could not be read or written. */
export class FileError extends Error {
  override readonly name = 'FileError';
}

/** The person pressed Ctrl-C; what was under way has been undone. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

const USAGE_HINT = 'see cloudspark --help, or cloudspark COMMAND --help';

export interface Failure {
  exitCode: number;
  /** Undefined for --help and --version, which are no errors. */
  error: ErrorDocument | undefined;
}

/** Extra advice for an error of the library, in terms of this CLI's commands. */
export type Hints = (error: CloudSparkError) => string | undefined;

/** The library's option names, as this CLI's flags. */
const FLAG_OF: Readonly<Record<string, string>> = {
  expiresIn: '--expires',
  partSize: '--part-size',
  concurrency: '--concurrency',
  pageSize: '--page-size',
  olderThan: '--older-than',
  afterDays: '--after-days',
  endpoint: '--endpoint',
  region: '--region',
  profile: '--profile',
  'timeouts.idle': '--timeout',
};

export function toFailure(error: unknown, hints: Hints): Failure {
  if (error instanceof CommanderError) {
    // --help and --version end parsing with status 0; everything else commander refuses is usage.
    if (error.exitCode === 0) return { exitCode: EXIT_OK, error: undefined };
    // A command group without its subcommand: commander has shown the group's help.
    const message =
      error.code === 'commander.help'
        ? 'a command is missing: see the list above'
        : error.message.replace(/^error: /, '');
    return { exitCode: EXIT_USAGE, error: { code: 'USAGE', message, hint: USAGE_HINT } };
  }
  if (error instanceof UsageError)
    return { exitCode: EXIT_USAGE, error: { code: 'USAGE', message: error.message, hint: USAGE_HINT } };
  if (error instanceof InterruptedError)
    return { exitCode: EXIT_INTERRUPTED, error: { code: 'INTERRUPTED', message: error.message } };
  if (error instanceof FileError) return { exitCode: EXIT_FAILURE, error: { code: 'FILE', message: error.message } };
  if (error instanceof CloudSparkError) {
    const { code, status, s3Code, field, requestId } = error;
    // Advice that names the library's option or method goes: the hint names the CLI's own
    // (--timeout; cloudspark bucket create).
    // A refused option is named as the flag that set it (--expires, not expiresIn).
    const flag = code === 'INVALID_INPUT' && field !== undefined ? FLAG_OF[field] : undefined;
    const message =
      code === 'TIMEOUT' && field
        ? error.message.replace(`; ${timeoutAdvice(field)}`, '')
        : code === 'NO_SUCH_BUCKET'
          ? error.message.replace(': create it with createBucket()', '')
          : flag
            ? error.message.replace(`Invalid ${field}:`, `invalid ${flag}:`)
            : error.message;
    // INVALID_INPUT is refused before anything is sent: the command line (or its file) is wrong.
    const exitCode = code === 'INVALID_INPUT' ? EXIT_USAGE : code === 'ABORTED' ? EXIT_INTERRUPTED : EXIT_FAILURE;
    return { exitCode, error: { code, message, hint: hints(error), status, s3Code, field, requestId } };
  }
  // A bug of ours: say what it was, without a stack trace full of paths.
  return {
    exitCode: EXIT_FAILURE,
    error: { code: 'INTERNAL', message: `unexpected error: ${(error as Error)?.message ?? String(error)}` },
  };
}

/** A Node file-system error (or the library's FILE error) as a FileError that names the file and what went wrong, in words. */
export function fileError(error: unknown, what: string): FileError {
  return new FileError(`${what}: ${fileReason(error)}`, { cause: error });
}
