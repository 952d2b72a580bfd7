/** JSON in and out for the upload handler, with web-standard Request and Response. */

/** What the handler answers on failure: `{ "error": { "code", "message", "field"? } }`. */
export interface ErrorBody {
  /** The refusal: its code, a message for the developer, and the request field it is about, if one. */
  error: { code: HandlerErrorCode; message: string; field?: string };
}

/** The `error.code` of the handler's JSON answers on failure (see {@link ErrorBody}). */
export type HandlerErrorCode =
  /** 400: the body is not valid JSON, or not a JSON object. */
  | 'BAD_JSON'
  /** 400: a field is missing or wrong; `field` names it. */
  | 'INVALID_INPUT'
  /** 400: the rules do not accept the file's content type. */
  | 'TYPE_NOT_ALLOWED'
  /** 400: the file is over the rules' `maxSize` (when completed: the stored file was deleted). */
  | 'TOO_LARGE'
  /** 400: the stored file is not what was declared (size, type or content); it was deleted. */
  | 'CONTENT_MISMATCH'
  /**
   * 400: the bytes a presigned POST stored are not the file's (their MD5 differs from the one the
   * client sent to `post/complete`): they changed on the way. They were deleted; sending the
   * form again can work.
   */
  | 'CORRUPT'
  /** 401: `authorize` asked the client to sign in. */
  | 'UNAUTHORIZED'
  /**
   * 403: refused by `authorize` (or, without one, any `get` or `delete`); a key outside the rules'
   * `keyPrefix`; or an upload token missing, invalid, expired or for another upload.
   */
  | 'FORBIDDEN'
  /** 404: no route at this path. */
  | 'NOT_FOUND'
  /** 404: no object has this key. */
  | 'NO_SUCH_KEY'
  /** 404: the multipart upload does not exist (any more). */
  | 'NO_SUCH_UPLOAD'
  /** 405: routes take POST only. */
  | 'METHOD_NOT_ALLOWED'
  /** 415: the body is not sent as `application/json`. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** 413: the body is over {@link MAX_BODY_BYTES}. */
  | 'BODY_TOO_LARGE'
  /** 502: the storage service failed; the details went to `onError`. */
  | 'STORAGE_ERROR'
  /** 500: the handler failed; the details went to `onError`. */
  | 'INTERNAL';

/** A refusal with its HTTP status; thrown inside the handler, answered as JSON. */
export class HandlerError extends Error {
  /** Always `'HandlerError'`. */
  override readonly name = 'HandlerError';
  /**
   * @param status - The HTTP status answered.
   * @param code - The `error.code` answered.
   * @param message - The `error.message` answered: for the developer, never with secrets.
   * @param field - The request field the refusal is about, if one.
   */
  constructor(
    /** The HTTP status answered. */
    readonly status: number,
    /** The `error.code` answered. */
    readonly code: HandlerErrorCode,
    message: string,
    /** The request field the refusal is about, if one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export const badInput = (field: string, message: string) => new HandlerError(400, 'INVALID_INPUT', message, field);

const NO_STORE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** Presigned answers are credentials of a kind: never cached. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...NO_STORE, ...headers } });
}

export function errorResponse(error: HandlerError): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.field !== undefined && { field: error.field }) } };
  return json(body, error.status, error.status === 405 ? { allow: 'POST' } : {});
}

/** Largest request body read: a CompleteMultipartUpload of 10000 parts fits. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The request's JSON object. Only `application/json` is read: a cross-site form cannot send it
 * without a CORS preflight, so a page elsewhere cannot make a visitor's browser call us.
 */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HandlerError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the request body as JSON with "Content-Type: application/json"');
  }
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooBig();
  const text = await readText(request);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HandlerError(400, 'BAD_JSON', 'the request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HandlerError(400, 'BAD_JSON', 'the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

const tooBig = () => new HandlerError(413, 'BODY_TOO_LARGE', `the request body is over ${MAX_BODY_BYTES} bytes`);

/** Reads the body as text, stopping at MAX_BODY_BYTES whatever Content-Length said. */
async function readText(request: Request): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooBig();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
