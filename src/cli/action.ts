/** The glue between commander and a command's code: one CliContext per run, and help examples. */
import type { Command } from 'commander';
import { CliContext } from './context.js';
import type { Output } from './output.js';

/** What the program shares with every command it runs. */
export interface App {
  out: Output;
  /** Aborted by Ctrl-C. */
  signal: AbortSignal;
  /** The context of the command being run, for error advice and for closing its connection. */
  context?: CliContext;
  /** Set by a command that finished its work and still fails, such as `doctor`. */
  exitCode?: number;
}

/**
 * A commander action running `run` with a fresh context; `run` may resolve to an exit status.
 * Commander passes the positional arguments, then the command's own options, then the command.
 */
export function action<A extends unknown[]>(
  app: App,
  run: (ctx: CliContext, ...args: A) => Promise<number | void>,
  { s3Paths = true } = {},
) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const ctx = (app.context = new CliContext(command, app.out, app.signal));
    // `s3://BUCKET/KEY` wherever a key or prefix is named (and a file is not: it cannot start so).
    // Not for cp and mv, whose two paths may name two buckets: they read their own.
    const uri = (a: unknown) => (s3Paths && typeof a === 'string' && a.startsWith('s3://') ? ctx.keyOf(a) : a);
    const given = args.slice(0, -1).map((a) => (Array.isArray(a) ? a.map(uri) : uri(a)));
    const status = await run(ctx, ...(given as A));
    if (typeof status === 'number') app.exitCode = status;
  };
}

/** Adds an "Examples:" block to a command's --help. */
export function examples(command: Command, ...lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}
