/** The library prints nothing by itself; give it a logger (console works) to see what it does. */
export interface Logger {
  /** Details: the access key in use (masked), when temporary credentials were obtained. */
  debug?(message: string, ...details: unknown[]): void;
  /** What changed, e.g. a bucket created. */
  info?(message: string, ...details: unknown[]): void;
  /** What deserves a look: notices, and the AWS SDK's own warnings. */
  warn?(message: string, ...details: unknown[]): void;
  /** The AWS SDK's own errors (a failed call in one line, without its input). */
  error?(message: string, ...details: unknown[]): void;
}

/**
 * The shape the AWS SDK expects. Passing one is also what keeps the SDK itself quiet: without
 * a logger some of its warnings go straight to `console.warn`.
 */
export function sdkLogger(logger: Logger | undefined) {
  const forward = (level: keyof Logger) => (...content: unknown[]) => {
    const fn = logger?.[level];
    if (fn) fn.call(logger, `[aws-sdk] ${content.map(describe).join(' ')}`);
  };
  return { trace: () => {}, debug: () => {}, info: () => {}, warn: forward('warn'), error: forward('error') };
}

/**
 * The SDK logs a failed call as an object ({ clientName, commandName, input, error, ... }): it is
 * told in one line, without its input, which may hold what the caller sent.
 */
function describe(content: unknown): string {
  if (typeof content !== 'object' || content === null) return String(content);
  const { clientName, commandName, error } = content as { clientName?: string; commandName?: string; error?: { name?: string; message?: string } };
  if (commandName === undefined) return content instanceof Error ? `${content.name}: ${content.message}` : Object.prototype.toString.call(content);
  return `${clientName ?? 'client'} ${commandName}${error ? ` failed: ${error.name ?? 'Error'}: ${error.message ?? ''}` : ''}`;
}
