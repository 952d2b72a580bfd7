/** What the SDK's own log lines become on the caller's logger. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sdkLogger } from '../../src/s3/logger.js';

test('a failed call is one readable line, without its input', () => {
  const lines: string[] = [];
  const logger = sdkLogger({ error: (m) => lines.push(m), warn: (m) => lines.push(m) });
  const error = Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
  logger.error({ clientName: 'S3Client', commandName: 'GetObjectCommand', input: { Bucket: 'b', Key: 'secret-plan.txt' }, error });
  logger.warn('a plain warning', 42);
  logger.error(new TypeError('boom'));
  assert.deepEqual(lines, [
    '[aws-sdk] S3Client GetObjectCommand failed: NoSuchKey: The specified key does not exist.',
    '[aws-sdk] a plain warning 42',
    '[aws-sdk] TypeError: boom',
  ]);
});

test('without a logger, nothing happens', () => {
  assert.doesNotThrow(() => sdkLogger(undefined).error({ commandName: 'X' }));
});
