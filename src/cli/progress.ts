/**
 * A progress bar on stderr for `put` and `get`, drawn by cli-progress, only for a person at a
 * terminal: never with --quiet or --json, nor when stderr is a pipe or a file. cli-progress is
 * loaded when a bar is drawn, not at start-up (about 20 ms of every command otherwise).
 */
import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import type { Output } from './output.js';
import { formatBytes } from './parse.js';

export interface Progress {
  /** Bytes done so far, and the total once it is known. */
  update(done: number, total?: number): void;
  /** Draws the last state and leaves the bar's line on the screen; once, however often called. */
  stop(): void;
}

/** For when no bar should be drawn. */
export const noProgress: Progress = { update: () => {}, stop: () => {} };

export function progressBar(out: Output, label: string, total: number | undefined): Progress {
  if (!out.showsProgress) return noProgress;
  const started = Date.now();
  const payload = (done: number, size: number | undefined) => {
    const perSecond = done / Math.max((Date.now() - started) / 1000, 0.001);
    return {
      label,
      done: formatBytes(done),
      size: size === undefined ? '?' : formatBytes(size),
      rate: `${formatBytes(Math.round(perSecond))}/s`,
    };
  };
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    {
      stream: out.stderr,
      format: '{label} {bar} {percentage}% | {done} of {size} | {rate} | ETA {eta_formatted}',
      barsize: 30,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  // An unknown total (a stream from stdin) shows the bytes sent, with the bar kept empty.
  let known = total;
  let stopped = false;
  bar.start(known ?? 0, 0, payload(0, known));
  return {
    update(done, newTotal) {
      if (newTotal !== undefined && newTotal !== known) {
        known = newTotal;
        bar.setTotal(newTotal);
      }
      bar.update(done, payload(done, known));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
