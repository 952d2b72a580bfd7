/**
 * POST policy conditions (S3 API Reference, "Creating a POST policy"), checked before signing
 * so a malformed one fails here rather than as an opaque 403 from S3 in the user's browser.
 */
import { invalidInput } from '../errors.js';
import { isPlainObject } from '../validate.js';

/**
 * One condition of a POST policy:
 * - `{ field: value }`: exact match;
 * - `['eq' | 'starts-with', '$field', value]`;
 * - `['content-length-range', min, max]`: the file's size in bytes.
 */
export type PostCondition =
  | Readonly<Record<string, string>>
  | readonly ['eq' | 'starts-with', string, string]
  | readonly ['content-length-range', number, number];

export function assertPostFields(fields: unknown): void {
  if (fields === undefined) return;
  if (!isPlainObject(fields)) throw invalidInput('fields', 'must be an object of string values');
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string') {
      throw invalidInput('fields', `field "${name}" must be a string, got ${typeof value}`);
    }
    // S3 serves fields such as Content-Type back as the object's headers: no CR or LF (header injection).
    if (/[\r\n]/.test(value)) throw invalidInput('fields', `field "${name}" must not contain CR or LF`);
  }
}

export function assertPostConditions(conditions: unknown): void {
  if (conditions === undefined) return;
  if (!Array.isArray(conditions)) throw invalidInput('conditions', 'must be an array');
  conditions.forEach((condition: unknown, i) => {
    const problem = conditionProblem(condition);
    if (problem) throw invalidInput('conditions', `condition ${i} ${problem}`);
  });
}

function conditionProblem(condition: unknown): string | undefined {
  if (isPlainObject(condition)) {
    const entries = Object.entries(condition);
    if (entries.length !== 1) return 'must have exactly one field, like { "acl": "private" }';
    return typeof entries[0]?.[1] === 'string' ? undefined : 'must have a string value';
  }
  if (!Array.isArray(condition) || condition.length !== 3) {
    return 'must be { field: value } or a 3-element array like ["starts-with", "$key", "uploads/"]';
  }
  const [op, a, b] = condition as unknown[];
  if (op === 'content-length-range') {
    const ok =
      Number.isSafeInteger(a) && Number.isSafeInteger(b) && (a as number) >= 0 && (a as number) <= (b as number);
    return ok ? undefined : 'content-length-range needs two whole numbers 0 <= min <= max';
  }
  if (op !== 'eq' && op !== 'starts-with') {
    return `has unknown operator ${JSON.stringify(op)} (use "eq", "starts-with" or "content-length-range")`;
  }
  if (typeof a !== 'string' || !a.startsWith('$')) return 'must name its field with a leading "$", like "$key"';
  return typeof b === 'string' ? undefined : 'must have a string value';
}

/**
 * A copy of `fields` that stays cheap to add properties to. (On V8, an object made by `{ ...x }`
 * gets a map whose later property additions are not cached: each one costs ~0.3-0.4 us.)
 * `__proto__` is defined as an own property, as the spread would, never set as the prototype.
 */
export function copyFields(fields: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (fields === undefined) return out;
  for (const name of Object.keys(fields)) {
    if (name === '__proto__')
      Object.defineProperty(out, name, { value: fields[name], enumerable: true, writable: true, configurable: true });
    else out[name] = fields[name]!;
  }
  return out;
}
