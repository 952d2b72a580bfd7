/**
 * The upload handler's protocol, the one contract between cloudspark/server (which answers it)
 * and cloudspark/browser (which speaks it): each route's name, the JSON body it takes and the
 * JSON it answers. Types only: the browser module bundles nothing from here, and the handler's
 * routes and the page's calls are both checked against it at compile time. Every call may also
 * carry `route` (a handler's named route); every refusal is an `ErrorBody` (server/errors.ts).
 */

/** A file as the page declares it, before any byte goes. */
interface DeclaredFile {
  filename: string;
  contentType: string;
  size?: number | undefined;
}

/** What names an upload in progress: its key and the token the handler signed for it. */
interface HeldUpload {
  key: string;
  token: string;
}

/** A multipart upload in progress: its key, its S3 uploadId, and its token. */
interface HeldMultipart extends HeldUpload {
  uploadId: string;
}

/** What the handler verified and S3 stores: what `post/complete` and `multipart/complete` answer. */
export interface CompletedUpload {
  /** The stored object's key. */
  key: string;
  /** Bytes stored. */
  size: number;
  /** The stored object's Content-Type, as declared and verified. */
  contentType: string;
  /** The stored object's ETag, as S3 sends it. */
  etag: string | undefined;
  /** The name the client gave the file. */
  filename: string;
}

/** Each route: the body it takes, and what it answers when it does not refuse. */
export interface UploadProtocol {
  /** A presigned POST for one file, and the token to complete it with. */
  post: {
    request: DeclaredFile;
    response: { key: string; url: string; fields: Record<string, string>; expiresIn: number; token: string };
  };
  /** The stored file checked against the page's MD5 (base64) and the rules. */
  'post/complete': { request: HeldUpload & { md5: string }; response: CompletedUpload & { result?: unknown } };
  /** A multipart upload begun and planned (`partSize` a wish the handler may raise). */
  'multipart/create': {
    request: DeclaredFile & { size: number; partSize?: number | undefined };
    response: { key: string; uploadId: string; partSize: number; partCount: number; expiresIn: number; token: string };
  };
  /** Presigned PUT URLs for up to 1000 parts, by part number. */
  'multipart/sign-parts': {
    request: HeldMultipart & { partNumbers: number[] };
    response: { urls: Record<string, string>; expiresIn: number };
  };
  /** The parts S3 holds. */
  'multipart/list-parts': {
    request: HeldMultipart;
    response: { parts: Array<{ partNumber: number; size: number; etag: string }> };
  };
  /** Completed with the parts S3 holds (the page's list must agree), then verified. */
  'multipart/complete': {
    request: HeldMultipart & { parts: Array<{ partNumber: number; etag: string }> };
    response: CompletedUpload & { result?: unknown };
  };
  /** Aborted on S3: no parts left behind. */
  'multipart/abort': { request: HeldMultipart; response: { aborted: true } };
  /** A presigned GET of a stored object (only with an `authorize` that allows it). */
  get: { request: { key: string }; response: { url: string; expiresIn: number } };
  /** A presigned DELETE of a stored object (only with an `authorize` that allows it). */
  delete: { request: { key: string }; response: { url: string; expiresIn: number } };
}

/** A route's name: the last segment of its path under the handler's base path. */
export type ProtocolRoute = keyof UploadProtocol;
export type ProtocolRequest<R extends ProtocolRoute> = UploadProtocol[R]['request'];
export type ProtocolResponse<R extends ProtocolRoute> = UploadProtocol[R]['response'];
