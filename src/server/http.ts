/** JSON in and out for the upload handler, with web-standard Request and Response. */
import { HandlerError, type ErrorBody } from './errors.js';

const NO_STORE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** Presigned answers are credentials of a kind: never cached. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...NO_STORE, ...headers } });
}

export function errorResponse(error: HandlerError): Response {
  const body: ErrorBody = {
    error: { code: error.code, message: error.message, ...(error.field !== undefined && { field: error.field }) },
  };
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
    throw new HandlerError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'send the request body as JSON with "Content-Type: application/json"',
    );
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
