/** What the SDK's own log lines become on the caller's logger. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sdkLogger } from '../../../../src/s3/sdk/logger.js';

test('a failed call is one readable line, without its input', () => {
  const lines: string[] = [];
  const logger = sdkLogger({ error: (m) => lines.push(m), warn: (m) => lines.push(m) });
  const error = Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
  logger.error({
    clientName: 'S3Client',
    commandName: 'GetObjectCommand',
    input: { Bucket: 'b', Key: 'secret-plan.txt' },
    error,
  });
  logger.warn('a plain warning', 42);
  logger.error(new TypeError('boom'));
  assert.deepEqual(lines, [
    '[aws-sdk] S3Client GetObjectCommand failed: NoSuchKey: The specified key does not exist.',
    '[aws-sdk] a plain warning 42',
    '[aws-sdk] TypeError: boom',
  ]);
});

test('without a logger, nothing happens: nothing is printed, on any channel', () => {
  const printed: string[] = [];
  const saved = { stdout: process.stdout.write, stderr: process.stderr.write, console: { ...console } };
  const capture = (chunk: unknown) => (printed.push(String(chunk)), true);
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const)
    console[level] = (...args: unknown[]) => void printed.push(args.join(' '));
  try {
    const logger = sdkLogger(undefined);
    logger.error({ commandName: 'X', error: new Error('boom') });
    logger.warn('a warning');
    logger.info();
    logger.debug();
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
    Object.assign(console, saved.console);
  }
  assert.deepEqual(printed, []);
});
