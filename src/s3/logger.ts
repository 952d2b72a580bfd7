/** The library prints nothing by itself; give it a logger (console works) to see what it does. */
export interface Logger {
  debug?(message: string, ...details: unknown[]): void;
  info?(message: string, ...details: unknown[]): void;
  warn?(message: string, ...details: unknown[]): void;
  error?(message: string, ...details: unknown[]): void;
}

/**
 * The shape the AWS SDK expects. Passing one is also what keeps the SDK itself quiet: without
 * a logger some of its warnings go straight to `console.warn`.
 */
export function sdkLogger(logger: Logger | undefined) {
  const forward = (level: keyof Logger) => (...content: unknown[]) => {
    const fn = logger?.[level];
    if (fn) fn.call(logger, `[aws-sdk] ${content.map(String).join(' ')}`);
  };
  return { trace: () => {}, debug: () => {}, info: () => {}, warn: forward('warn'), error: forward('error') };
}
