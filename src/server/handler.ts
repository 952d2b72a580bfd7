/**
 * createUploadHandler: the backend half of direct browser uploads. It signs only what its rules
 * allow, and signs the rules into what it hands out, so that S3 itself refuses the rest; what S3
 * cannot check (a multipart upload's total, a file's real type) it checks when the upload
 * completes. Each upload in progress is named by a token only its starter holds.
 *
 * Every route takes a JSON object by POST and answers JSON; see docs/browser-uploads.md for the protocol,
 * which the browser module (`cloudspark/browser`) speaks.
 */
import { CloudSparkError } from '../errors.js';
import type { S3Connection } from '../s3/connection.js';
import { assertPartSize } from '../s3/ops/multipart.js';
import { HandlerError, badInput } from './errors.js';
import { errorResponse, json, readJsonObject } from './http.js';
import { checkFileAgainstRules, describedFile, type FileInfo } from './rules.js';
import { handlerOptions, type RouteSetup } from './options.js';
import type {
  AuthorizeResult,
  UploadAction,
  UploadHandler,
  UploadHandlerOptions,
  UploadOperation,
  UploadRoutesOptions,
} from './types.js';
import type { UploadRules } from './rules.js';
import { attachmentDisposition, dispositionFor, servedInline, typeAllowed } from './content-types.js';
import {
  assertMadeKey,
  cleanFilename,
  defaultKey,
  hasFilenameVariable,
  keyMatchesTemplate,
  keyShapeProblem,
  underPrefix,
} from './keys.js';
import { partCount, partLength, planParts } from './parts.js';
import { signToken, verifyToken, type UploadGrant } from './token.js';
import { verifyStoredUpload } from './verify.js';
import type { CompletedUpload, ProtocolResponse, ProtocolRoute } from '../protocol.js';

interface Call {
  request: Request;
  body: Record<string, unknown>;
}

/** The key as the client sent it, for `authorize`, which runs before the key is checked. */
const namedKey = (body: Record<string, unknown>): string | undefined =>
  typeof body['key'] === 'string' ? body['key'] : undefined;

const refusedToken = () =>
  new HandlerError(403, 'FORBIDDEN', 'the upload token is missing, invalid, expired, or for another upload', 'token');

/**
 * Makes the backend half of direct browser uploads: routes that hand out presigned POSTs and
 * multipart part URLs under `options.rules`, with the rules signed in so that S3 itself enforces
 * them, and that verify what S3 stored when an upload completes. Throws `INVALID_INPUT` at once
 * when an option is wrong.
 */
export function createUploadHandler<const R extends string>(options: UploadRoutesOptions<R>): UploadHandler<R>;
export function createUploadHandler(options: UploadHandlerOptions): UploadHandler<never>;
export function createUploadHandler(options: UploadHandlerOptions | UploadRoutesOptions): UploadHandler;
export function createUploadHandler(options: UploadHandlerOptions | UploadRoutesOptions): UploadHandler {
  const { connection, onError, routes: setups, basePath, tokenKey, verifyKeys } = handlerOptions(options);
  const operations = new Map([...setups].map(([name, setup]) => [name, routeOperations(setup)]));
  const names = [...setups.keys()].filter((name): name is string => name !== undefined);

  /** The operations of the route a call names: the one set of a handler given `rules`, else the named route's. */
  const routeOf = (body: Record<string, unknown>) => {
    const named = body['route'];
    if (names.length === 0) {
      if (named !== undefined)
        throw new HandlerError(404, 'NOT_FOUND', 'this handler has no named routes: send no "route"', 'route');
      return operations.get(undefined)!;
    }
    if (named === undefined) throw badInput('route', `name the route: ${names.join(', ')}`);
    const ops = typeof named === 'string' ? operations.get(named) : undefined;
    if (ops === undefined)
      throw new HandlerError(404, 'NOT_FOUND', `no upload route by that name (routes: ${names.join(', ')})`, 'route');
    return ops;
  };

  const handler = async (request: Request): Promise<Response> => {
    try {
      const path = new URL(request.url).pathname;
      const name = path.slice(basePath.length + 1);
      if (!path.startsWith(basePath + '/') || !OPERATIONS.has(name))
        throw new HandlerError(404, 'NOT_FOUND', `no upload route at ${path}`);
      if (request.method !== 'POST')
        throw new HandlerError(405, 'METHOD_NOT_ALLOWED', 'upload routes take POST with a JSON body');
      const body = await readJsonObject(request);
      return json(await routeOf(body)[name as ProtocolRoute]({ request, body }));
    } catch (error) {
      return errorResponse(asHandlerError(error, onError));
    }
  };
  return Object.assign(handler, { routes: Object.freeze(names) });

  /** The operations of one rule set, `setup.name`'s. */
  function routeOperations(setup: RouteSetup): Routes {
    const { rules, fingerprint, authorize, onUploadComplete, name: route } = setup;

    /** Runs authorize; resolves to the caller's identity, if it gave one. */
    const allow = async (request: Request, given: UploadAction, needsConsent: boolean): Promise<string | undefined> => {
      const action: UploadAction = route === undefined ? given : { ...given, route };
      if (authorize === undefined) {
        if (needsConsent)
          throw new HandlerError(
            403,
            'FORBIDDEN',
            `"${action.operation}" is enabled only by an authorize() that allows it`,
          );
        return undefined;
      }
      const verdict = await authorize(request, action);
      if (verdict === true) return undefined;
      if (typeof verdict === 'object' && verdict !== null) {
        if ('identity' in verdict) {
          if (typeof verdict.identity === 'string') return verdict.identity;
          // A bug of the app's, not a refusal: said loudly (500, and why to onError).
          throw new TypeError(
            `authorize() allowed with an identity that is not a string (${typeof verdict.identity}): return { identity: String(id) }`,
          );
        }
        if ('status' in verdict && verdict.status === 401)
          throw new HandlerError(401, 'UNAUTHORIZED', verdict.message ?? 'sign in first');
        if ('message' in verdict && verdict.message) throw new HandlerError(403, 'FORBIDDEN', verdict.message);
      }
      throw new HandlerError(403, 'FORBIDDEN', 'not allowed');
    };

    /** A key the client names: one this handler could have made, under its prefix. */
    const clientKey = (body: Record<string, unknown>): string => {
      const key = body['key'];
      if (typeof key !== 'string' || key === '' || key.length > 1024) throw badInput('key', 'give the object key');
      const problem = keyShapeProblem(key);
      if (problem) throw badInput('key', `the key ${problem}`);
      if (!underPrefix(key, rules.keyPrefix))
        throw new HandlerError(403, 'FORBIDDEN', "the key is outside this handler's keyPrefix", 'key');
      return key;
    };

    /**
     * The exact key of an upload. A `${filename}` that makeKey left is filled in here, with the
     * declared name cleaned: were S3 to fill it in (a POST policy's `starts-with`), the client
     * would choose the rest of the key, `../` and folders included, and one token would complete
     * any key of that folder: another user's too.
     */
    const uploadKey = async (request: Request, file: FileInfo): Promise<string> => {
      if (rules.makeKey === undefined) return defaultKey(rules.keyPrefix, file.filename);
      const key = await rules.makeKey(request, file);
      assertMadeKey(key, rules.keyPrefix, rules.allowFilenameVariable);
      return hasFilenameVariable(key) ? key.replace('${filename}', cleanFilename(file.filename)) : key;
    };

    const grant = async (fields: Omit<UploadGrant, 'expires' | 'rules'>): Promise<string> =>
      signToken(await tokenKey(), {
        ...fields,
        rules: fingerprint,
        expires: Math.floor(Date.now() / 1000) + rules.tokenExpiresIn,
      });

    /** Authorize, then the token: the upload in progress this call names, and its key. */
    const upload = async (
      call: Call,
      operation: UploadOperation,
      kind: UploadGrant['kind'],
    ): Promise<{ grant: UploadGrant; key: string }> => {
      const { request, body } = call;
      const identity = await allow(request, { operation, key: namedKey(body) }, false);
      const key = clientKey(body);
      let held: UploadGrant | undefined;
      for (const k of await verifyKeys()) if ((held = verifyToken(k, body['token'])) !== undefined) break;
      if (held === undefined || held.kind !== kind || !keyMatchesTemplate(key, held.key) || held.identity !== identity)
        throw refusedToken();
      if (kind === 'multipart' && body['uploadId'] !== held.uploadId) throw refusedToken();
      // Issued under other rules (another handler sharing the secret, or before a rules change).
      if (held.rules !== fingerprint) throw refusedToken();
      // And every rule again, not only the size checked at completion: a token outlives a request.
      if (!typeAllowed(held.contentType, rules.allowedTypes) || (held.size !== undefined && held.size > rules.maxSize))
        throw refusedToken();
      return { grant: held, key };
    };

    /** The verified upload, told to the app; its answer goes back under `result`. */
    const finish = async (request: Request, stored: CompletedUpload) => {
      const result: unknown = onUploadComplete === undefined ? undefined : await onUploadComplete(request, stored);
      return result === undefined ? stored : { ...stored, result };
    };

    return {
      async post({ request, body }) {
        const file = describedFile(body, false);
        const identity = await allow(request, { operation: 'post', file }, false);
        checkFileAgainstRules(file, rules);
        const key = await uploadKey(request, file);
        const [min, max] = file.size === undefined ? [0, rules.maxSize] : [file.size, file.size];
        const disposition = dispositionFor(file.contentType, file.filename);
        const post = await connection.presignedCreateUrl(key, {
          expiresIn: rules.expiresIn,
          // success_action_status 201 makes S3 answer with XML naming the ETag.
          fields: {
            'Content-Type': file.contentType,
            success_action_status: '201',
            ...(disposition && { 'Content-Disposition': disposition }),
          },
          conditions: [['content-length-range', min, max]],
        });
        const token = await grant({
          kind: 'post',
          key,
          size: file.size,
          contentType: file.contentType,
          filename: file.filename,
          identity,
        });
        return { key, url: post.url, fields: post.fields, expiresIn: rules.expiresIn, token };
      },

      async 'post/complete'(call) {
        const { grant: held, key } = await upload(call, 'post.complete', 'post');
        // S3 does not check a POST's Content-MD5: the handler compares the client's MD5 with the
        // stored bytes instead. Required: without it a body changed on the way would pass.
        const md5 = call.body['md5'];
        if (typeof md5 !== 'string' || !MD5_BASE64.test(md5))
          throw badInput(
            'md5',
            "give the file's MD5 in base64, as a Content-MD5 header carries it (cloudspark/browser sends it)",
          );
        const stored = await verifyStoredUpload(
          connection,
          held,
          key,
          rules.maxSize,
          Buffer.from(md5, 'base64').toString('hex'),
          dispositionFor(held.contentType, held.filename),
        );
        return finish(call.request, stored);
      },

      async 'multipart/create'({ request, body }) {
        const file = describedFile(body, true);
        const requested = body['partSize'];
        if (requested !== undefined) assertPartSize(requested);
        const identity = await allow(request, { operation: 'multipart.create', file }, false);
        checkFileAgainstRules(file, rules);
        const size = file.size as number;
        if (size === 0) throw badInput('size', 'an empty file goes in one request: use the "post" route');
        const key = await uploadKey(request, file);
        const { partSize, partCount } = planParts(size, requested);
        const { uploadId } = await connection.createMultipartUpload(key, {
          contentType: file.contentType,
          contentDisposition: dispositionFor(file.contentType, file.filename),
        });
        const token = await grant({
          kind: 'multipart',
          key,
          uploadId,
          size,
          contentType: file.contentType,
          filename: file.filename,
          partSize,
          identity,
        });
        return { key, uploadId, partSize, partCount, expiresIn: rules.expiresIn, token };
      },

      async 'multipart/sign-parts'(call) {
        const { grant: held, key } = await upload(call, 'multipart.signParts', 'multipart');
        const { size, partSize, uploadId } = held as Required<UploadGrant>;
        const count = partCount(size, partSize);
        const numbers = call.body['partNumbers'];
        if (!Array.isArray(numbers) || numbers.length === 0 || numbers.length > 1000)
          throw badInput('partNumbers', 'give 1 to 1000 part numbers');
        for (const n of numbers)
          if (!Number.isInteger(n) || n < 1 || n > count)
            throw badInput('partNumbers', `this upload has parts 1 to ${count}`);
        // A finished upload (completed or aborted) gets 404 NO_SUCH_UPLOAD, not URLs that cannot
        // work. Only that answer counts: a store that cannot be reached now fails the parts' own
        // PUTs (NETWORK, which the page retries and can resume), not this call, which needs no store.
        await connection.listParts(key, uploadId).catch((error: unknown) => {
          if (error instanceof CloudSparkError && error.code === 'NO_SUCH_UPLOAD') throw error;
        });
        const urls: Record<string, string> = {};
        for (const n of numbers as number[]) {
          // The signed length makes S3 refuse a part of any other size, and an UploadPartCopy.
          urls[n] = await connection.presignedUploadPartUrl(key, uploadId, n, {
            expiresIn: rules.expiresIn,
            contentLength: partLength(size, partSize, n),
          });
        }
        return { urls, expiresIn: rules.expiresIn };
      },

      async 'multipart/list-parts'(call) {
        const { grant: held, key } = await upload(call, 'multipart.listParts', 'multipart');
        return { parts: await connection.listParts(key, held.uploadId!) };
      },

      async 'multipart/complete'(call) {
        const { grant: held, key } = await upload(call, 'multipart.complete', 'multipart');
        const { size, partSize, uploadId } = held as Required<UploadGrant>;
        const count = partCount(size, partSize);
        const listed = call.body['parts'];
        if (!Array.isArray(listed)) throw badInput('parts', 'give the uploaded parts as [{ partNumber, etag }]');
        // Completed with what S3 holds, checked against the plan, not with what the client says.
        const stored = await connection.listParts(key, uploadId);
        const byNumber = new Map(stored.map((p) => [p.partNumber, p]));
        for (let n = 1; n <= count; n++) {
          const part = byNumber.get(n);
          if (part === undefined) throw badInput('parts', `part ${n} of ${count} was not uploaded`);
          if (part.size !== partLength(size, partSize, n))
            throw badInput('parts', `part ${n} has ${part.size} bytes, not ${partLength(size, partSize, n)}`);
        }
        const agrees =
          listed.length === count &&
          listed.every(
            (p: { partNumber?: unknown; etag?: unknown } | null, i) =>
              p?.partNumber === i + 1 &&
              typeof p.etag === 'string' &&
              bareEtag(p.etag) === bareEtag(byNumber.get(i + 1)!.etag),
          );
        if (!agrees)
          throw badInput(
            'parts',
            'the parts listed are not the parts the storage holds: list them again (multipart/list-parts)',
          );
        const parts = Array.from({ length: count }, (_, i) => ({ partNumber: i + 1, etag: byNumber.get(i + 1)!.etag }));
        await connection.completeMultipartUpload(key, uploadId, parts);
        return finish(call.request, await verifyStoredUpload(connection, held, key, rules.maxSize));
      },

      async 'multipart/abort'(call) {
        const { grant: held, key } = await upload(call, 'multipart.abort', 'multipart');
        // An upload already gone (completed: its object stays) is not "aborted": the page must learn it.
        if (!(await connection.abortMultipartUpload(key, held.uploadId!)))
          throw new HandlerError(
            404,
            'NO_SUCH_UPLOAD',
            'this multipart upload does not exist (any more): it was completed or aborted',
          );
        return { aborted: true };
      },

      async get({ request, body }) {
        await allow(request, { operation: 'get', key: namedKey(body) }, true);
        const key = clientKey(body);
        const { contentType } = await connection.headObject(key);
        // Anything not safe to show inline is downloaded, whatever it was stored with.
        const responseContentDisposition = servedInline(contentType ?? '') ? undefined : attachmentDisposition(key);
        return {
          url: await connection.presignedGetUrl(key, { expiresIn: rules.expiresIn, responseContentDisposition }),
          expiresIn: rules.expiresIn,
        };
      },

      async delete({ request, body }) {
        await allow(request, { operation: 'delete', key: namedKey(body) }, true);
        const key = clientKey(body);
        await connection.headObject(key);
        return {
          url: await connection.presignedDeleteUrl(key, { expiresIn: rules.expiresIn }),
          expiresIn: rules.expiresIn,
        };
      },
    };
  }
}

/** Each route of the protocol (src/protocol.ts), answering what the protocol says it answers. */
type Routes = { [R in ProtocolRoute]: (call: Call) => Promise<ProtocolResponse<R>> };

/** The paths under basePath: every route of the protocol, each once (a missing or unknown one fails to compile). */
const ROUTE_NAMES: Record<ProtocolRoute, true> = {
  post: true,
  'post/complete': true,
  'multipart/create': true,
  'multipart/sign-parts': true,
  'multipart/list-parts': true,
  'multipart/complete': true,
  'multipart/abort': true,
  get: true,
  delete: true,
};
const OPERATIONS: ReadonlySet<string> = new Set(Object.keys(ROUTE_NAMES));

/** 16 bytes in base64. */
const MD5_BASE64 = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/** S3 quotes ETags; Ceph RGW sometimes does not. */
const bareEtag = (etag: string): string => etag.replace(/"/g, '');

/** What the client is told: its own mistakes in full, other failures without their details. */
function asHandlerError(error: unknown, onError: ((error: unknown) => void) | undefined): HandlerError {
  if (error instanceof HandlerError) return error;
  if (error instanceof CloudSparkError) {
    if (error.code === 'INVALID_INPUT') return new HandlerError(400, 'INVALID_INPUT', error.message, error.field);
    if (error.code === 'NO_SUCH_KEY') return new HandlerError(404, 'NO_SUCH_KEY', 'no object has this key');
    if (error.code === 'NO_SUCH_UPLOAD')
      return new HandlerError(404, 'NO_SUCH_UPLOAD', 'this multipart upload does not exist (any more)');
    if (error.status === 400 && error.s3Code)
      return new HandlerError(400, 'INVALID_INPUT', `the storage service refused the request (${error.s3Code})`);
    // The server's own set-up (no credentials, or temporary ones without a `secret`): not the store's failure.
    if (error.code === 'CREDENTIALS') {
      onError?.(error);
      return new HandlerError(500, 'INTERNAL', "the upload handler failed; the details are in the server's logs");
    }
    onError?.(error);
    return new HandlerError(502, 'STORAGE_ERROR', "the storage service failed; the details are in the server's logs");
  }
  onError?.(error);
  return new HandlerError(500, 'INTERNAL', "the upload handler failed; the details are in the server's logs");
}
