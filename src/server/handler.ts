/**
 * createUploadHandler: the backend half of direct browser uploads. It signs only what its rules
 * allow, and signs the rules into what it hands out, so that S3 itself refuses the rest.
 *
 * Every route takes a JSON object by POST and answers JSON; see the README for the protocol,
 * which the browser module (`cloudspark/browser`) speaks.
 */
import { CloudSparkError, invalidInput } from '../errors.js';
import type { S3Connection } from '../s3/connection.js';
import type { CompletedPart } from '../s3/multipart.js';
import { HandlerError, badInput, errorResponse, json, readJsonObject } from './http.js';
import { defaultKey, isMimeType, resolveRules, typeAllowed, type FileInfo, type ResolvedRules, type UploadRules } from './rules.js';
import { assertKey } from '../validate.js';

export type UploadOperation =
  | 'post'
  | 'multipart.create'
  | 'multipart.signParts'
  | 'multipart.listParts'
  | 'multipart.complete'
  | 'multipart.abort'
  | 'get'
  | 'delete';

/** What a request asks for, as `authorize` sees it. */
export interface UploadAction {
  operation: UploadOperation;
  /** The file being uploaded (post, multipart.create); its key is made after authorize allowed it. */
  file?: FileInfo;
  /** The existing key (every other operation). */
  key?: string;
}

/** `true` allows; `false` refuses with 403; or choose the status (401 asks the client to sign in). */
export type AuthorizeResult = boolean | { status: 401 | 403; message?: string };

export interface UploadHandlerOptions {
  /** A connection bound to the bucket uploads go to. */
  connection: S3Connection;
  rules: UploadRules;
  /**
   * Decides per request. Without it uploads are open to anyone who can reach the handler, and the
   * `get` and `delete` routes are refused: they need an `authorize` that allows them.
   */
  authorize?: (request: Request, action: UploadAction) => AuthorizeResult | Promise<AuthorizeResult>;
  /** Path the routes live under, such as `/api/uploads` (default: none, as when mounted by Express). */
  basePath?: string;
  /** Storage failures (answered as 502 without details) are passed here, for your logs. */
  onError?: (error: unknown) => void;
}

export type UploadHandler = (request: Request) => Promise<Response>;

interface Call {
  request: Request;
  body: Record<string, unknown>;
}

export function createUploadHandler(options: UploadHandlerOptions): UploadHandler {
  const { connection, authorize, onError } = options;
  if (typeof connection?.presignedCreateUrl !== 'function') throw invalidInput('connection', 'must be an S3Connection');
  if (connection.bucket === undefined) throw invalidInput('connection', 'must be bound to a bucket: new S3Connection({ bucket, ... })');
  if (authorize !== undefined && typeof authorize !== 'function') throw invalidInput('authorize', 'must be a function (request, action) => boolean');
  const rules = resolveRules(options.rules);
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');

  const allow = async (request: Request, action: UploadAction, needsConsent: boolean): Promise<void> => {
    if (authorize === undefined) {
      if (needsConsent) throw new HandlerError(403, 'FORBIDDEN', `"${action.operation}" is enabled only by an authorize() that allows it`);
      return;
    }
    const verdict = await authorize(request, action);
    if (verdict === true) return;
    if (typeof verdict === 'object' && verdict !== null && verdict.status === 401) {
      throw new HandlerError(401, 'UNAUTHORIZED', verdict.message ?? 'sign in first');
    }
    throw new HandlerError(403, 'FORBIDDEN', (typeof verdict === 'object' && verdict?.message) || 'not allowed');
  };

  /** A key the client names must be one this handler could have made. */
  const existingKey = (body: Record<string, unknown>): string => {
    const key = body['key'];
    if (typeof key !== 'string' || key === '') throw badInput('key', 'give the object key');
    if (rules.makeKey === undefined && !key.startsWith(rules.keyPrefix)) throw new HandlerError(403, 'FORBIDDEN', 'the key is outside this handler\'s keyPrefix', 'key');
    return key;
  };

  const uploadKey = async (request: Request, file: FileInfo): Promise<string> => {
    if (rules.makeKey === undefined) return defaultKey(rules.keyPrefix, file.filename);
    const key = await rules.makeKey(request, file);
    try {
      assertKey(key);
    } catch (error) {
      throw new Error(`rules.makeKey returned a bad key: ${(error as Error).message}`, { cause: error });
    }
    return key;
  };

  const routes: Record<string, (call: Call) => Promise<unknown>> = {
    async post({ request, body }) {
      const file = fileInfo(body, rules, false);
      await allow(request, { operation: 'post', file }, false);
      const key = await uploadKey(request, file);
      const [min, max] = file.size === undefined ? [0, rules.maxSize] : [file.size, file.size];
      const post = await connection.presignedCreateUrl(key, {
        expiresIn: rules.expiresIn,
        // success_action_status 201 makes S3 answer with XML naming the ETag.
        fields: { 'Content-Type': file.contentType, success_action_status: '201' },
        conditions: [['content-length-range', min, max]],
      });
      return { key, url: post.url, fields: post.fields, expiresIn: rules.expiresIn };
    },

    async 'multipart/create'({ request, body }) {
      const file = fileInfo(body, rules, true);
      await allow(request, { operation: 'multipart.create', file }, false);
      const key = await uploadKey(request, file);
      const { uploadId } = await connection.createMultipartUpload(key, { contentType: file.contentType });
      return { key, uploadId, maxParts: rules.maxParts, expiresIn: rules.expiresIn };
    },

    async 'multipart/sign-parts'({ request, body }) {
      const key = existingKey(body);
      const uploadId = uploadIdOf(body);
      const numbers = body['partNumbers'];
      if (!Array.isArray(numbers) || numbers.length === 0 || numbers.length > 1000) throw badInput('partNumbers', 'give 1 to 1000 part numbers');
      for (const n of numbers) {
        if (!Number.isInteger(n) || n < 1 || n > rules.maxParts) throw badInput('partNumbers', `part numbers go from 1 to ${rules.maxParts} under maxSize ${rules.maxSize}`);
      }
      await allow(request, { operation: 'multipart.signParts', key }, false);
      const urls: Record<string, string> = {};
      for (const n of numbers as number[]) urls[n] = await connection.presignedUploadPartUrl(key, uploadId, n, { expiresIn: rules.expiresIn });
      return { urls, expiresIn: rules.expiresIn };
    },

    async 'multipart/list-parts'({ request, body }) {
      const key = existingKey(body);
      const uploadId = uploadIdOf(body);
      await allow(request, { operation: 'multipart.listParts', key }, false);
      return { parts: await connection.listParts(key, uploadId) };
    },

    async 'multipart/complete'({ request, body }) {
      const key = existingKey(body);
      const uploadId = uploadIdOf(body);
      const parts = body['parts'];
      if (!Array.isArray(parts) || parts.length === 0) throw badInput('parts', 'give the uploaded parts as [{ partNumber, etag }]');
      await allow(request, { operation: 'multipart.complete', key }, false);
      // The size rule, which S3 cannot enforce for multipart uploads, is checked on what S3 holds.
      const held = new Map((await connection.listParts(key, uploadId)).map((p) => [p.partNumber, p.size]));
      let size = 0;
      for (const part of parts as CompletedPart[]) {
        const partSize = held.get(part?.partNumber);
        if (partSize === undefined) throw badInput('parts', `part ${String(part?.partNumber)} was not uploaded`);
        size += partSize;
      }
      if (size > rules.maxSize) {
        await connection.abortMultipartUpload(key, uploadId);
        throw new HandlerError(400, 'TOO_LARGE', `the file is ${size} bytes, over the limit of ${rules.maxSize}; the upload was aborted`, 'size');
      }
      const done = await connection.completeMultipartUpload(key, uploadId, parts as CompletedPart[]);
      return { key, etag: done.etag, size };
    },

    async 'multipart/abort'({ request, body }) {
      const key = existingKey(body);
      const uploadId = uploadIdOf(body);
      await allow(request, { operation: 'multipart.abort', key }, false);
      await connection.abortMultipartUpload(key, uploadId);
      return { aborted: true };
    },

    async get({ request, body }) {
      const key = existingKey(body);
      await allow(request, { operation: 'get', key }, true);
      await connection.headObject(key);
      return { url: await connection.presignedGetUrl(key, { expiresIn: rules.expiresIn }), expiresIn: rules.expiresIn };
    },

    async delete({ request, body }) {
      const key = existingKey(body);
      await allow(request, { operation: 'delete', key }, true);
      await connection.headObject(key);
      return { url: await connection.presignedDeleteUrl(key, { expiresIn: rules.expiresIn }), expiresIn: rules.expiresIn };
    },
  };

  return async (request) => {
    try {
      const path = new URL(request.url).pathname;
      const name = path.slice(basePath.length + 1);
      const route = path.startsWith(basePath + '/') && Object.hasOwn(routes, name) ? routes[name] : undefined;
      if (route === undefined) throw new HandlerError(404, 'NOT_FOUND', `no upload route at ${path}`);
      if (request.method !== 'POST') throw new HandlerError(405, 'METHOD_NOT_ALLOWED', 'upload routes take POST with a JSON body');
      return json(await route({ request, body: await readJsonObject(request) }));
    } catch (error) {
      return errorResponse(asHandlerError(error, onError));
    }
  };
}

/** The file a client wants to upload, checked against the rules. */
function fileInfo(body: Record<string, unknown>, rules: ResolvedRules, sizeRequired: boolean): FileInfo {
  const { filename, contentType = 'application/octet-stream', size } = body;
  if (typeof filename !== 'string' || filename.trim() === '') throw badInput('filename', 'give the file\'s name as "filename"');
  if (filename.length > 1024) throw badInput('filename', 'is over 1024 characters');
  if (typeof contentType !== 'string' || !isMimeType(contentType)) throw badInput('contentType', 'must be a MIME type such as "image/png"');
  if (size === undefined) {
    if (sizeRequired) throw badInput('size', 'give the file\'s size in bytes as "size"');
  } else if (!Number.isSafeInteger(size) || (size as number) < 0) {
    throw badInput('size', 'must be a whole number of bytes');
  }
  if (!typeAllowed(contentType, rules.allowedTypes)) {
    throw new HandlerError(400, 'TYPE_NOT_ALLOWED', `files of type ${contentType} are not accepted (allowed: ${rules.allowedTypes!.join(', ')})`, 'contentType');
  }
  if (typeof size === 'number' && size > rules.maxSize) {
    throw new HandlerError(400, 'TOO_LARGE', `the file is ${size} bytes, over the limit of ${rules.maxSize}`, 'size');
  }
  return { filename, contentType, size: size as number | undefined };
}

function uploadIdOf(body: Record<string, unknown>): string {
  const uploadId = body['uploadId'];
  if (typeof uploadId !== 'string' || uploadId === '') throw badInput('uploadId', 'give the uploadId that multipart/create returned');
  return uploadId;
}

/** What the client is told: its own mistakes in full, other failures without their details. */
function asHandlerError(error: unknown, onError: ((error: unknown) => void) | undefined): HandlerError {
  if (error instanceof HandlerError) return error;
  if (error instanceof CloudSparkError) {
    if (error.code === 'INVALID_INPUT') return new HandlerError(400, 'INVALID_INPUT', error.message, error.field);
    if (error.code === 'NO_SUCH_KEY') return new HandlerError(404, 'NO_SUCH_KEY', 'no object has this key');
    if (error.code === 'NO_SUCH_UPLOAD') return new HandlerError(404, 'NO_SUCH_UPLOAD', 'this multipart upload does not exist (any more)');
    if (error.status === 400 && error.s3Code) return new HandlerError(400, 'INVALID_INPUT', `the storage service refused the request (${error.s3Code})`);
    onError?.(error);
    return new HandlerError(502, 'STORAGE_ERROR', 'the storage service failed; the details are in the server\'s logs');
  }
  onError?.(error);
  return new HandlerError(500, 'INTERNAL', 'the upload handler failed; the details are in the server\'s logs');
}
