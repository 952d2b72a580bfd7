/**
 * cloudspark/server: hand out presigned uploads under rules S3 itself enforces.
 *
 * ```ts
 * const handler = createUploadHandler({ connection, rules: { maxSize: 50e6, allowedTypes: ['image/*'] } });
 * // or named routes, each with its rules: the page names one, upload<typeof handler>(file, { api, route: 'avatars' })
 * const routed = createUploadHandler({ connection, routes: { avatars: { rules: { maxSize: 5e6, allowedTypes: ['image/*'] } } } });
 * app.use('/api/uploads', toNodeHandler(handler));               // Express / node:http
 * app.all('/api/uploads/*', (c) => handler(c.req.raw));           // Hono, with basePath '/api/uploads'
 * ```
 *
 * @packageDocumentation
 */
export { createUploadHandler } from './handler.js';
export type {
  UploadHandler,
  UploadHandlerOptions,
  UploadHandlerCommonOptions,
  UploadRoutesOptions,
  UploadRoute,
  UploadAction,
  UploadOperation,
  AuthorizeResult,
} from './types.js';
export type { UploadRules, FileInfo } from './rules.js';
export type { CompletedUpload } from './verify.js';
export { cleanFilename } from './keys.js';
export { typeAllowed, servedInline, attachmentDisposition } from './content-types.js';
export { matchesContentType, SNIFFABLE_TYPES } from './sniff.js';
export { toNodeHandler } from './node.js';
export type { NodeRequest } from './node.js';
export { HandlerError } from './errors.js';
export { MAX_BODY_BYTES } from './http.js';
export type { ErrorBody, HandlerErrorCode } from './errors.js';
