/**
 * Compile-time checks, run by `npm run typecheck` (not a test file: nothing here runs).
 * A handler's route names come from its `routes`, and the browser functions, given the
 * handler's type (`import type`: zero bytes in the page), accept only those names.
 */
import type { S3Connection } from '../../src/index.js';
import type { createUploadHandler, UploadHandler } from '../../src/server/index.js';
import type { upload, uploadMultipart, uploadFile, RouteName } from '../../src/browser/index.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;

declare const connection: S3Connection;
declare const make: typeof createUploadHandler;
declare const send: typeof upload;
declare const sendParts: typeof uploadMultipart;
declare const sendFile: typeof uploadFile;
declare const file: File;

const uploads = make({
  connection,
  routes: {
    avatars: { rules: { maxSize: 5_000_000, allowedTypes: ['image/*'] } },
    documents: { rules: { maxSize: 50_000_000, allowedTypes: ['application/pdf'] } },
  },
});
const single = make({ connection, rules: { maxSize: 1000 } });

export type Checks = [
  Expect<Same<typeof uploads, UploadHandler<'avatars' | 'documents'>>>,
  Expect<Same<RouteName<typeof uploads>, 'avatars' | 'documents'>>,
  Expect<Same<RouteName<typeof single>, never>>,
  // Without the handler's type, any name (the handler answers 404 to a wrong one).
  Expect<Same<RouteName<unknown>, string>>,
];

export async function pages(): Promise<void> {
  await send<typeof uploads>(file, { api: '/api/uploads', route: 'avatars' });
  await sendParts<typeof uploads>(file, { api: '/api/uploads', route: 'documents' });
  await sendFile<typeof uploads>({ url: 'https://s3.example/b', fields: {}, key: 'k', token: 't' }, file, {
    api: '/api/uploads',
    route: 'avatars',
  });
  // @ts-expect-error: the handler has no route of that name
  await send<typeof uploads>(file, { api: '/api/uploads', route: 'banners' });
  // @ts-expect-error: nor does multipart take one
  await sendParts<typeof uploads>(file, { api: '/api/uploads', route: 'avatar' });
  // @ts-expect-error: a handler given `rules` has no named routes
  await send<typeof single>(file, { api: '/api/uploads', route: 'avatars' });
  // @ts-expect-error: both `rules` and `routes`
  make({ connection, rules: { maxSize: 1 }, routes: { a: { rules: { maxSize: 1 } } } });
}
