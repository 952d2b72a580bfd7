/**
 * JSON exactly as Python's `json.dumps` writes it by default (`", "` and `": "` separators,
 * non-ASCII escaped as \uXXXX). boto3 signs the base64 of that text, so a POST policy only
 * matches boto3's byte for byte if it is serialised the same way.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const ESCAPE = /[\\"]|[^ -~]/g;
const SHORT_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function escapeChar(c: string): string {
  return SHORT_ESCAPES[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
}

const NEEDS_ESCAPE = /[\\"]|[^ -~]/;

/** A string as a JSON literal, the way Python's json.dumps writes it. */
export function pythonJsonQuote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? '"' + s.replace(ESCAPE, escapeChar) + '"' : '"' + s + '"';
}

export function pythonJsonDumps(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return pythonJsonQuote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('policy numbers must be finite');
      return String(value);
    default:
      break;
  }
  if (Array.isArray(value)) return '[' + value.map(pythonJsonDumps).join(', ') + ']';
  return (
    '{' +
    Object.entries(value)
      .map(([k, v]) => pythonJsonQuote(k) + ': ' + pythonJsonDumps(v))
      .join(', ') +
    '}'
  );
}
