/**
 * The browser module's input gate: every function checks its arguments here before any request,
 * and refuses with an UploadError of code `INVALID_INPUT` whose message starts `Invalid <field>:`.
 */
import { UploadError } from './errors.js';
import type { HandlerApi, RoutedApi } from './api.js';

const invalid = (field: string, message: string) => new UploadError('INVALID_INPUT', `Invalid ${field}: ${message}`);
const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);
/**
 * Every option the module knows (no prototype: `toString` is no option): the whole numbers with
 * their least value, the others -1. `maxFiles` is `useUpload`'s (cloudspark/react), which hands
 * its options on to `upload`: one table checks both.
 */
const OPTIONS = {
  __proto__: null,
  stallTimeout: 1,
  partSize: 1,
  concurrency: 1,
  maxFiles: 1,
  retries: 0,
  multipartFrom: 0,
  onProgress: -1,
  signal: -1,
  api: -1,
  route: -1,
  resume: -1,
} as unknown as Record<string, number>;

/**
 * The options of any function of the module, `{}` when left out (unless `required`): each option
 * the module knows is checked when present.
 */
export function optionsOf<T extends { api: HandlerApi }>(
  options: T,
  required: true,
): Omit<T, 'api'> & { api: RoutedApi };
export function optionsOf<T extends object>(options: T | undefined): Omit<T, 'api'> & { api?: RoutedApi };
export function optionsOf<T extends object>(
  options: T | undefined,
  required = false,
): Omit<T, 'api'> & { api?: RoutedApi } {
  if (options === undefined && !required) return {} as T;
  if (!isObject(options)) throw invalid('options', 'must be an object');
  const {
    onProgress,
    signal,
    api: handler,
    route,
    resume,
  } = options as {
    onProgress?: unknown;
    signal?: Partial<AbortSignal>;
    api?: unknown;
    route?: unknown;
    resume?: { load?: unknown };
  };
  if (onProgress !== undefined && typeof onProgress !== 'function') throw invalid('onProgress', 'must be a function');
  if (resume !== undefined && typeof resume?.load !== 'function')
    throw invalid('resume', 'must be { load, save, remove }');
  if (signal !== undefined && typeof signal?.addEventListener !== 'function')
    throw invalid('signal', 'must be an AbortSignal');
  for (const name in options) {
    const least = OPTIONS[name];
    const n = options[name];
    // A misspelled option is refused, not ignored (the module knows one set of names).
    if (least === undefined) throw invalid('options', `has no option "${name}"`);
    // Number.isInteger is false for anything not a number.
    if (least >= 0 && n !== undefined && !(Number.isInteger(n) && (n as number) >= least))
      throw invalid(name, `must be a whole number, at least ${least}`);
  }
  if (handler === undefined && !required) {
    if (route !== undefined) throw invalid('route', 'goes with api');
    return options;
  }
  return { ...options, api: api(handler as HandlerApi, route) };
}

/**
 * The handler's base URL, or `{ url, headers }`, as `{ url, headers, route }`: the route named in
 * every call goes with the address, so a resumed upload is another route's only there.
 */
function api(value: HandlerApi, route: unknown): RoutedApi {
  const given = typeof value === 'string' ? { url: value } : value;
  if (!given?.url || typeof given.url !== 'string')
    throw invalid('api', 'must be a URL, e.g. "/api/uploads", or { url, headers }');
  headers(given.headers, 'api.headers');
  if (route !== undefined && (typeof route !== 'string' || !route)) throw invalid('route', 'must be a route name');
  return { ...given, route: route as string | undefined };
}

/** Headers to send: strings without CR or LF. */
export function headers(value: unknown, field: string): void {
  if (value === undefined) return;
  if (!isObject(value)) throw invalid(field, 'must be an object of strings');
  for (const name in value) {
    const v = value[name];
    if (typeof v !== 'string' || /[\r\n]/.test(name + v))
      throw invalid(`${field}.${name}`, 'must be a string without CR or LF');
  }
}

/** The file (or any Blob) to upload. */
export function blob(value: unknown): asserts value is Blob {
  const b = value as Partial<Blob> | null;
  if (typeof b?.slice !== 'function' || typeof b.size !== 'number') throw invalid('file', 'must be a File or Blob');
}

/** A URL given as a non-empty string. */
export function url(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value === '') throw invalid(field, 'must be a URL');
}

/** A target object: a presigned POST or PUT from the handler or S3Connection. */
export function target(value: unknown): void {
  if (!isObject(value))
    throw invalid('target', 'must be a presigned POST ({ url, fields }) or PUT ({ url, method: "PUT" })');
  url(value['url'], 'target.url');
  if ('fields' in value) headers(value['fields'], 'target.fields');
  else headers(value['headers'], 'target.headers');
}
