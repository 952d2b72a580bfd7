/**
 * The upload handler that every example here mounts: the README's recipe, configured from the
 * environment. Only the mounting differs from one framework to the next (each folder's server
 * file, or the Next.js route).
 *
 *   S3_BUCKET                                 the bucket uploads go to (required)
 *   S3_ENDPOINT                               an S3-compatible store; unset for Amazon S3
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY  unset: the SDK's default chain
 *   AWS_REGION                                default us-east-1
 *   SESSION_SECRET                            signs the stand-in sessions below (required)
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { S3Connection } from 'cloudspark';
import { cleanFilename, createUploadHandler, type FileInfo } from 'cloudspark/server';

/**
 * Two routes, each with its own rules: `avatars` (images up to 5 MB) and `documents` (PDF and
 * text up to 50 MB). A page names the route in every call, and a token one route issued is
 * refused by the other. `basePath`: where the routes are, unless the framework strips it
 * (Express's `app.use`).
 */
export function createUploads(options: { basePath?: string } = {}) {
  const connection = new S3Connection({
    endpoint: process.env['S3_ENDPOINT'] || undefined,
    accessKeyId: process.env['AWS_ACCESS_KEY_ID'],
    secretAccessKey: process.env['AWS_SECRET_ACCESS_KEY'],
    bucket: required('S3_BUCKET'),
  });
  // Each user's files live under their own folder, so ownership can be read off a key.
  // (makeKey runs after authorize, which refused any request without a session.)
  const inFolder = (kind: string) => (request: Request, file: FileInfo) =>
    `${folderOf(sessionUser(request)!)}${kind}/${randomUUID()}/${cleanFilename(file.filename)}`;
  return createUploadHandler({
    connection,
    basePath: options.basePath,
    routes: {
      avatars: { rules: { maxSize: 5_000_000, allowedTypes: ['image/*'], makeKey: inFolder('avatars') } },
      documents: {
        rules: { maxSize: 50_000_000, allowedTypes: ['application/pdf', 'text/plain'], makeKey: inFolder('documents') },
      },
    },
    // Runs first on every request, for every route: who is it, and may they touch the key they name?
    authorize: (request, action) => {
      const user = sessionUser(request);
      if (user === undefined) return { status: 401, message: 'sign in to upload' };
      if (action.key !== undefined && !action.key.startsWith(folderOf(user))) return false;
      // Binds the upload's token to this user: nobody else can go on with it.
      return { identity: user };
    },
    // Storage failures and bugs: the client only sees a 502 or 500 without details.
    onError: (error) => console.error('uploads:', error),
  });
}

/** What the page imports with `import type`, so that its route names are checked: `upload<Uploads>(file, { api, route })`. */
export type Uploads = ReturnType<typeof createUploads>;

const folderOf = (user: string) => `uploads/${user}/`;

/**
 * A stand-in for your session lookup (cookie, JWT, ...): `Authorization: Bearer <user>.<mac>`,
 * the mac an HMAC of the user id under SESSION_SECRET. Resolves to the user id, if valid.
 */
export function sessionUser(request: Request): string | undefined {
  const match = /^Bearer ([a-z0-9-]{1,64})\.([\w-]{43})$/i.exec(request.headers.get('authorization') ?? '');
  if (!match) return undefined;
  const [, user, mac] = match as unknown as [string, string, string];
  return timingSafeEqual(Buffer.from(mac), Buffer.from(sign(user))) ? user : undefined;
}

/** What your login would hand out: the bearer token `sessionUser` accepts for `user`. */
export const sessionToken = (user: string): string => `${user}.${sign(user)}`;

const sign = (user: string) => createHmac('sha256', required('SESSION_SECRET')).update(user).digest('base64url');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (see examples/uploads.ts)`);
  return value;
}
