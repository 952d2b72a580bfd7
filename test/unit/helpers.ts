/**
 * Small assertions shared by the unit tests (not a test file itself: the runner only picks up
 * `*.test.ts`).
 */
import assert from 'node:assert/strict';
import { CloudSparkError, type CloudSparkErrorCode } from '../../src/errors.js';

/** The AWS documentation's example key pair: never a real secret. */
export const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
/** Nothing listens on port 1: any request there fails with ECONNREFUSED (code NETWORK). */
export const UNREACHABLE = 'http://127.0.0.1:1';

/** A predicate for assert.throws / assert.rejects: a CloudSparkError with this code (and field). */
export function isCloudSparkError(code: CloudSparkErrorCode, field?: string | RegExp) {
  return (error: unknown): true => {
    assert.ok(error instanceof CloudSparkError, `expected a CloudSparkError, got ${describeError(error)}`);
    assert.equal(error.code, code, `expected code ${code}, got ${error.code}: ${error.message}`);
    if (typeof field === 'string') assert.equal(error.field, field, `field of: ${error.message}`);
    else if (field instanceof RegExp) assert.match(error.field ?? '', field, `field of: ${error.message}`);
    return true;
  };
}

export const invalid = (field?: string | RegExp) => isCloudSparkError('INVALID_INPUT', field);

export function describeError(error: unknown): string {
  if (error instanceof CloudSparkError) return `CloudSparkError ${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Freezes an object graph, so that any write to it throws (modules run in strict mode). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The JSON policy of a presigned POST, decoded from its base64 `policy` field. */
export function decodePolicy(policy: string | undefined): { expiration: string; conditions: unknown[] } {
  assert.ok(policy, 'the POST has a policy field');
  return JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
}
