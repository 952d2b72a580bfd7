/** The library prints nothing by itself; give it a logger (console works) to see what it does. */
import { invalidInput } from '../../errors.js';

/** Where the library tells what it does: any of the four levels, or none. `console` is one. */
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

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** An optional logger: an object whose levels, those it has, are functions. */
export function assertLogger(logger: unknown): void {
  if (logger === undefined) return;
  if (typeof logger !== 'object' || logger === null || Array.isArray(logger))
    throw invalidInput('logger', 'must be an object such as console, with debug, info, warn and error functions');
  for (const level of LEVELS) {
    const fn = (logger as Record<string, unknown>)[level];
    if (fn !== undefined && typeof fn !== 'function')
      throw invalidInput(`logger.${level}`, 'must be a function (message, ...details) => void');
  }
}

/**
 * The shape the AWS SDK expects. Passing one is also what keeps the SDK itself quiet: without
 * a logger some of its warnings go straight to `console.warn`.
 */
export function sdkLogger(logger: Logger | undefined) {
  const forward =
    (level: keyof Logger) =>
    (...content: unknown[]) => {
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
  const { clientName, commandName, error } = content as {
    clientName?: string;
    commandName?: string;
    error?: { name?: string; message?: string };
  };
  if (commandName === undefined)
    return content instanceof Error ? `${content.name}: ${content.message}` : Object.prototype.toString.call(content);
  return `${clientName ?? 'client'} ${commandName}${error ? ` failed: ${error.name ?? 'Error'}: ${error.message ?? ''}` : ''}`;
}
