/** CORS rules for a bucket: the default browser uploads need, and checks made before sending. */
import { invalidInput } from '../../errors.js';
import { isPlainObject } from '../../validate.js';

/** An HTTP method a CORS rule can allow: the ones S3 accepts there. */
export type CorsMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';

/** One CORS rule, in the field names S3 itself uses. */
export interface CorsRule {
  /** A name for the rule, up to 255 characters. */
  ID?: string;
  /** Methods a page from an allowed origin may use. */
  AllowedMethods: CorsMethod[];
  /** Origins allowed, e.g. `https://app.example.com`; `*` for any, one `*` wildcard allowed in each. */
  AllowedOrigins: string[];
  /** Request headers a page may send (`Access-Control-Request-Headers`); `*` for any. */
  AllowedHeaders?: string[];
  /** Response headers a page may read; browser multipart uploads need `ETag`. */
  ExposeHeaders?: string[];
  /** How long a browser may cache the preflight answer, in seconds. */
  MaxAgeSeconds?: number;
}

/** Every {@link CorsMethod}. */
export const CORS_METHODS: readonly CorsMethod[] = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];
const MAX_RULES = 100;
const RULE_FIELDS = new Set([
  'ID',
  'AllowedMethods',
  'AllowedOrigins',
  'AllowedHeaders',
  'ExposeHeaders',
  'MaxAgeSeconds',
]);

/**
 * The original's default (any origin, every method, any header, cached 3000 s) plus
 * `ExposeHeaders: ['ETag']`, without which a page cannot complete a multipart upload.
 */
export function defaultCorsRules(): CorsRule[] {
  return [
    {
      AllowedHeaders: ['*'],
      AllowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
      AllowedOrigins: ['*'],
      ExposeHeaders: ['ETag'],
      MaxAgeSeconds: 3000,
    },
  ];
}

/** Checks CORS rules and returns a copy that is safe to send (the caller's array is not kept). */
export function validateCorsRules(rules: unknown): CorsRule[] {
  if (!Array.isArray(rules) || rules.length === 0) {
    throw invalidInput('CORS rules', 'must be a non-empty array of rules');
  }
  if (rules.length > MAX_RULES) throw invalidInput('CORS rules', `at most ${MAX_RULES} rules are allowed`);
  return rules.map((rule: unknown, i) => validateRule(rule, `CORS rule ${i}`));
}

function validateRule(rule: unknown, where: string): CorsRule {
  if (!isPlainObject(rule)) throw invalidInput(where, 'must be an object');
  for (const field of Object.keys(rule)) {
    if (!RULE_FIELDS.has(field)) {
      const hint = [...RULE_FIELDS].find((f) => f.toLowerCase() === field.toLowerCase());
      throw invalidInput(where, `unknown field "${field}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }
  const methods = stringList(rule['AllowedMethods'], `${where} AllowedMethods`, true);
  for (const m of methods) {
    if (!(CORS_METHODS as readonly string[]).includes(m)) {
      throw invalidInput(`${where} AllowedMethods`, `"${m}" is not one of ${CORS_METHODS.join(', ')}`);
    }
  }
  const origins = stringList(rule['AllowedOrigins'], `${where} AllowedOrigins`, true);
  for (const o of origins) {
    if ((o.match(/\*/g) ?? []).length > 1) {
      throw invalidInput(`${where} AllowedOrigins`, `"${o}" may contain at most one "*" wildcard`);
    }
  }
  const out: CorsRule = { AllowedMethods: methods as CorsMethod[], AllowedOrigins: origins };
  if (rule['ID'] !== undefined) {
    if (typeof rule['ID'] !== 'string' || rule['ID'].length > 255)
      throw invalidInput(`${where} ID`, 'must be a string of at most 255 characters');
    out.ID = rule['ID'];
  }
  if (rule['AllowedHeaders'] !== undefined)
    out.AllowedHeaders = stringList(rule['AllowedHeaders'], `${where} AllowedHeaders`, false);
  if (rule['ExposeHeaders'] !== undefined)
    out.ExposeHeaders = stringList(rule['ExposeHeaders'], `${where} ExposeHeaders`, false);
  if (rule['MaxAgeSeconds'] !== undefined) {
    const age = rule['MaxAgeSeconds'];
    if (typeof age !== 'number' || !Number.isSafeInteger(age) || age < 0) {
      throw invalidInput(`${where} MaxAgeSeconds`, 'must be a whole number of seconds, 0 or more');
    }
    out.MaxAgeSeconds = age;
  }
  return out;
}

function stringList(value: unknown, field: string, required: boolean): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw invalidInput(field, 'must be an array of non-empty strings');
  }
  if (required && value.length === 0) throw invalidInput(field, 'must not be empty');
  return [...(value as string[])];
}
