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
export function action<A extends unknown[]>(app: App, run: (ctx: CliContext, ...args: A) => Promise<number | void>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    app.context = new CliContext(command, app.out, app.signal);
    const status = await run(app.context, ...(args.slice(0, -1) as A));
    if (typeof status === 'number') app.exitCode = status;
  };
}

/** Adds an "Examples:" block to a command's --help. */
export function examples(command: Command, ...lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}
