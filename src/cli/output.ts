/**
 * The CLI's conventions in one place: results on stdout (one JSON document with --json, or
 * text), messages and errors on stderr (messages silenced by --quiet), and nothing secret in
 * a message.
 */
import type { Writable } from 'node:stream';

export interface OutputMode {
  /** Results as JSON on stdout: one document per command, or one object per line for `ls`. */
  json: boolean;
  /** No messages on stderr; results and errors still go out. */
  quiet: boolean;
}

export interface Streams {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

/** The shape of `{"error": ...}` on stdout with --json. */
export interface ErrorDocument {
  /** A CloudSparkError code (`NO_SUCH_KEY`, ...), or `USAGE`, `FILE`, `INTERRUPTED`, `INTERNAL`. */
  code: string;
  message: string;
  hint?: string | undefined;
  status?: number | undefined;
  s3Code?: string | undefined;
  field?: string | undefined;
  requestId?: string | undefined;
}

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly #streams: Streams;

  constructor(mode: OutputMode, streams: Streams = { stdout: process.stdout, stderr: process.stderr }) {
    this.json = mode.json;
    this.quiet = mode.quiet;
    this.#streams = streams;
  }

  /** A command's result: `value` as JSON with --json, else `text` (nothing when it gives undefined). */
  result(value: unknown, text: () => string | undefined): void {
    const out = this.json ? JSON.stringify(value) : text();
    if (out !== undefined) this.#streams.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  }

  /** One item of a streamed result: a JSON line (NDJSON) with --json, else a text line. */
  item(value: unknown, text: string): Promise<void> {
    return writeLine(this.#streams.stdout, this.json ? JSON.stringify(value) : text);
  }

  /** The raw stdout, for `get <key> -`. */
  get stdout(): Writable {
    return this.#streams.stdout;
  }

  get stdoutIsTTY(): boolean {
    return this.#streams.stdout.isTTY === true;
  }

  /** A message for the person at the terminal; not with --quiet. */
  info(message: string): void {
    if (!this.quiet) this.#streams.stderr.write(`${redact(message)}\n`);
  }

  /** Progress bars only make sense for a person watching a terminal. */
  get showsProgress(): boolean {
    return !this.quiet && !this.json && this.#streams.stderr.isTTY === true;
  }

  get stderr(): Writable {
    return this.#streams.stderr;
  }

  /** An error: always on stderr as `cloudspark: message` (and its hint); with --json, on stdout too. */
  error(e: ErrorDocument): void {
    const message = redact(e.message);
    const hint = e.hint === undefined ? undefined : redact(e.hint);
    this.#streams.stderr.write(`cloudspark: ${message}\n${hint ? `  hint: ${hint}\n` : ''}`);
    if (this.json) this.#streams.stdout.write(`${JSON.stringify({ error: { ...e, message, hint } })}\n`);
  }
}

/** Waits for the pipe to drain, so that listing a huge bucket into `less` keeps memory flat. */
function writeLine(stream: Writable, line: string): Promise<void> {
  return stream.write(`${line}\n`) ? Promise.resolve() : new Promise((resolve) => stream.once('drain', resolve));
}

/**
 * Belt and braces: the library never puts a secret in a message, but a message may quote
 * something else (a file, an SDK error). The secret and session token in the environment are
 * blanked from every message and error printed.
 */
export function redact(text: string): string {
  let out = text;
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    const secret = process.env[name];
    if (secret && secret.length >= 8) out = out.split(secret).join('****');
  }
  return out;
}
