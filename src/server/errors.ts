/** The handler's refusals: the JSON it answers on failure, and the error that carries one through the handler. */
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
