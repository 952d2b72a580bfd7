/**
 * The input gate of createUploadHandler: every option checked at once, when the handler is made,
 * so that a wrong one throws `INVALID_INPUT` there and never surfaces as a failed request.
 */
import { invalidInput } from '../errors.js';
import { assertCallback, isPlainObject, knownOptionsOf } from '../validate.js';
import type { S3Connection } from '../s3/connection.js';
import { resolveRules, type ResolvedRules } from './rules.js';
import { rulesFingerprint } from './token.js';
import type { UploadHandlerOptions, UploadRoutesOptions } from './types.js';

const MIN_SECRET_BYTES = 32;

/** A route's name: what a page sends as `route`. */
const ROUTE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** One rule set, with who decides for it: a named route's, or the handler's own. */
export interface RouteSetup {
  /** The route's name; undefined for a handler given `rules` (one route, unnamed). */
  name: string | undefined;
  rules: ResolvedRules;
  /** What the tokens of this route carry: they are refused elsewhere. */
  fingerprint: string;
  authorize: UploadHandlerOptions['authorize'];
  onUploadComplete: UploadHandlerOptions['onUploadComplete'];
}

/** The handler's options, checked, with the rules resolved and the token key's source made. */
export interface HandlerSetup {
  connection: S3Connection;
  onError: UploadHandlerOptions['onError'];
  /** By name; the one unnamed route under `undefined` for a handler given `rules`. */
  routes: Map<string | undefined, RouteSetup>;
  /** The path prefix without a trailing slash; `''` for none. */
  basePath: string;
  /** The key upload tokens are signed with (derived on first use when no secret was given). */
  tokenKey: () => Promise<Uint8Array>;
  /** The keys a token may be signed with: the signing key first, then older secrets still honoured. */
  verifyKeys: () => Promise<Uint8Array[]>;
}

export function handlerOptions(given: UploadHandlerOptions | UploadRoutesOptions): HandlerSetup {
  const options = knownOptionsOf(given as (UploadHandlerOptions & { routes?: unknown }) | undefined, [
    'connection',
    'rules',
    'routes',
    'authorize',
    'secret',
    'onUploadComplete',
    'basePath',
    'onError',
  ]);
  const { connection, authorize, onError, onUploadComplete } = options;
  if (typeof connection?.presignedCreateUrl !== 'function') throw invalidInput('connection', 'must be an S3Connection');
  if (connection.bucket === undefined)
    throw invalidInput('connection', 'must be bound to a bucket: new S3Connection({ bucket, ... })');
  assertCallback(authorize, 'authorize');
  assertCallback(onUploadComplete, 'onUploadComplete');
  assertCallback(onError, 'onError');
  const basePath = options.basePath === undefined ? '' : options.basePath;
  if (typeof basePath !== 'string' || (basePath !== '' && !/^\/[\x21-\x7e]*$/.test(basePath))) {
    throw invalidInput('basePath', 'must be a path such as "/api/uploads" (printable ASCII, starting with "/")');
  }
  const base = basePath.replace(/\/+$/, '');
  const routes = new Map<string | undefined, RouteSetup>();
  const named = options.routes;
  if ((named === undefined) === (options.rules === undefined)) {
    throw invalidInput(
      named === undefined ? 'rules' : 'routes',
      'give either `rules` (one set) or `routes` (named sets, each with its rules), not both',
    );
  }
  if (named === undefined) {
    const rules = resolveRules(options.rules);
    routes.set(undefined, {
      name: undefined,
      rules,
      fingerprint: rulesFingerprint(rules, base),
      authorize,
      onUploadComplete,
    });
  } else {
    if (!isPlainObject(named) || Object.keys(named).length === 0)
      throw invalidInput(
        'routes',
        'must be an object of named routes, such as { avatars: { rules: { maxSize: 5_000_000 } } }',
      );
    for (const [name, route] of Object.entries(named)) {
      const field = `routes.${name}`;
      if (!ROUTE_NAME.test(name))
        throw invalidInput(
          field,
          'a route\'s name is 1 to 64 letters, digits, "-" or "_", starting with a letter or digit',
        );
      const given = knownOptionsOf(
        route as Partial<UploadHandlerOptions> | undefined,
        ['rules', 'authorize', 'onUploadComplete'],
        field,
      );
      assertCallback(given.authorize, `${field}.authorize`);
      assertCallback(given.onUploadComplete, `${field}.onUploadComplete`);
      const rules = resolveRules(given.rules, `${field}.rules`);
      routes.set(name, {
        name,
        rules,
        fingerprint: rulesFingerprint(rules, base, name),
        authorize: given.authorize ?? authorize,
        onUploadComplete: given.onUploadComplete ?? onUploadComplete,
      });
    }
  }
  const secret = options.secret;
  if (Array.isArray(secret) && secret.length === 0)
    throw invalidInput('secret', 'a list of secrets needs at least one: the first signs, every one verifies');
  const secrets = Array.isArray(secret) ? secret.map((one, i) => secretBytes(one, `secret[${i}]`)) : undefined;
  const tokenKey = tokenKeySource(
    connection,
    secrets?.[0] ?? (secret === undefined ? undefined : secretBytes(secret, 'secret')),
  );
  const verifyKeys = secrets ? () => Promise.resolve(secrets) : async () => [await tokenKey()];
  return { connection, onError, routes, basePath: base, tokenKey, verifyKeys };
}

/** A secret as bytes, checked: a string (UTF-8) or bytes, at least 32 of them. */
function secretBytes(secret: unknown, field: string): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < MIN_SECRET_BYTES) {
    throw invalidInput(
      field,
      `must be a string or Uint8Array of at least ${MIN_SECRET_BYTES} bytes (e.g. from crypto.randomBytes(32))`,
    );
  }
  return bytes;
}

/** The token key: the given secret, or one derived from the connection's on first use (retried after a failure). */
function tokenKeySource(connection: S3Connection, secret: Uint8Array | undefined): () => Promise<Uint8Array> {
  if (secret !== undefined) return () => Promise.resolve(secret);
  let derived: Promise<Uint8Array> | undefined;
  return () => {
    derived ??= connection.deriveKey(`upload tokens for bucket ${connection.bucket}`).catch((error: unknown) => {
      derived = undefined;
      throw error;
    });
    return derived;
  };
}
