/** The upload handler's public types: its options, its routes, what `authorize` is asked and answers. */
import type { S3Connection } from '../s3/connection.js';
import type { UploadRules, FileInfo } from './rules.js';
import type { CompletedUpload } from './verify.js';

/**
 * The handler's routes, as `authorize` sees them: `post` (a presigned POST) and `post.complete`;
 * `multipart.create`, `.signParts`, `.listParts`, `.complete` and `.abort`; `get` and `delete`
 * (a presigned GET or DELETE URL for a stored object, only with an `authorize` that allows them).
 */
export type UploadOperation =
  | 'post'
  | 'post.complete'
  | 'multipart.create'
  | 'multipart.signParts'
  | 'multipart.listParts'
  | 'multipart.complete'
  | 'multipart.abort'
  | 'get'
  | 'delete';

/** What a request asks for, as `authorize` sees it, before any rule is checked. */
export interface UploadAction {
  /** The route called. */
  operation: UploadOperation;
  /** The named route the page asked for (a handler given `routes`); undefined for a handler given `rules`. */
  route?: string;
  /** The file to upload (post, multipart.create), as the client describes it; its key is made after authorize allowed it. */
  file?: FileInfo;
  /** The key the client names (every other operation), not yet checked: check that the caller owns it. */
  key?: string;
}

/**
 * `true` allows; `false` refuses with 403; or choose the status (401 asks the client to sign
 * in); or allow with `{ identity }`, which the upload's token then binds: only a caller with the
 * same identity may go on with the upload.
 */
export type AuthorizeResult = boolean | { status: 401 | 403; message?: string } | { identity: string };

/** What every handler is given, whether it has one set of rules or named routes. */
export interface UploadHandlerCommonOptions {
  /** A connection bound to the bucket uploads go to. */
  connection: S3Connection;
  /**
   * Runs first on every request, before any rule is checked or revealed. Without it uploads are
   * open to anyone who can reach the handler, and the `get` and `delete` routes are refused.
   * A named route's own `authorize` replaces it for that route.
   */
  authorize?: ((request: Request, action: UploadAction) => AuthorizeResult | Promise<AuthorizeResult>) | undefined;
  /**
   * Signs upload tokens: at least 32 bytes, the same on every server behind a load balancer.
   * Default: derived from the connection's secret access key (HKDF), which those servers share;
   * rotating that access key then ends the uploads in progress. A list rotates secrets without
   * that: the first signs new tokens, every one verifies (keep an old one until its tokens'
   * `tokenExpiresIn` has passed).
   */
  secret?: string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined;
  /**
   * Called once per upload, after it completed and was verified: record it in your database
   * here. What it returns is answered under `result`. Tokens are stateless, so a client may
   * complete twice: make it idempotent (by key). A named route's own one replaces it for that route.
   */
  onUploadComplete?: ((request: Request, upload: CompletedUpload) => unknown) | undefined;
  /** Path the routes live under, such as `/api/uploads` (default: none, as when mounted by Express). */
  basePath?: string | undefined;
  /** Failures the client is not told about (storage errors, bugs, a bad makeKey) are passed here, for your logs. */
  onError?: ((error: unknown) => void) | undefined;
}

/** Options of `createUploadHandler` with one set of rules. */
export interface UploadHandlerOptions extends UploadHandlerCommonOptions {
  /** What uploads are allowed: size, types, keys, lifetimes. */
  rules: UploadRules;
  /** Not with `rules`: see {@link UploadRoutesOptions}. */
  routes?: undefined;
}

/** One named route of a handler: its rules, and who decides for it. */
export interface UploadRoute {
  /** What this route's uploads may be: size, types, keys (`makeKey`), lifetimes. */
  rules: UploadRules;
  /** Replaces the handler's `authorize` for this route. */
  authorize?: UploadHandlerCommonOptions['authorize'] | undefined;
  /** Replaces the handler's `onUploadComplete` for this route. */
  onUploadComplete?: UploadHandlerCommonOptions['onUploadComplete'] | undefined;
}

/**
 * Options of `createUploadHandler` with named routes, each with its own rules (avatars:
 * images up to 5 MB; documents: PDFs up to 50 MB). A page names the route in every call; a
 * token of one route is refused by every other.
 */
export interface UploadRoutesOptions<R extends string = string> extends UploadHandlerCommonOptions {
  /** The routes by name: 1 to 64 letters, digits, `-` or `_`. */
  routes: { readonly [name in R]: UploadRoute };
  /** Not with `routes`: each route has its own. */
  rules?: undefined;
}

/**
 * The upload handler: a web-standard `(Request) => Promise<Response>` for Hono, Next.js route
 * handlers, Bun, Deno or workers; {@link toNodeHandler} adapts it to Node's `http` and Express.
 * `routes` names its routes (none for a handler given `rules`: `UploadHandler<never>`); the
 * browser functions read them from its type: `upload<typeof handler>(file, { api, route: 'avatars' })`.
 * `UploadHandler` alone is any handler.
 */
export type UploadHandler<R extends string = string> = ((request: Request) => Promise<Response>) & {
  readonly routes: readonly R[];
};
