/**
 * Compile-time checks, run by `npm run typecheck` (not a test file: nothing here runs; a hook is
 * only declared, never called outside a component). `useUpload`, given the handler's type
 * (`import type`: nothing of the server in the page), accepts only its route names, as the
 * browser functions do; its entries' errors are cloudspark/browser's UploadError.
 */
import type { S3Connection } from '../../src/index.js';
import type { createUploadHandler } from '../../src/server/index.js';
import type { CompletedUpload, RouteName, UploadError } from '../../src/browser/index.js';
import type { FileUpload, UploadStatus, UseUpload, useUpload, useDropzone } from '../../src/react/index.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;

declare const connection: S3Connection;
declare const make: typeof createUploadHandler;
declare const hook: typeof useUpload;
declare const dropzone: typeof useDropzone;

const uploads = make({
  connection,
  routes: {
    avatars: { rules: { maxSize: 5_000_000, allowedTypes: ['image/*'] } },
    documents: { rules: { maxSize: 50_000_000, allowedTypes: ['application/pdf'] } },
  },
});
const single = make({ connection, rules: { maxSize: 1000 } });

export type Checks = [
  Expect<Same<UploadStatus, 'queued' | 'uploading' | 'done' | 'error' | 'cancelled'>>,
  Expect<Same<FileUpload['error'], UploadError | undefined>>,
  Expect<Same<FileUpload['result'], CompletedUpload | undefined>>,
  Expect<Same<Awaited<ReturnType<UseUpload['upload']>>, CompletedUpload[]>>,
  Expect<Same<RouteName<typeof uploads>, 'avatars' | 'documents'>>,
];

export function Page(files: FileList, file: File): void {
  const avatars: UseUpload = hook<typeof uploads>({
    api: '/api/uploads',
    route: 'avatars',
    maxFiles: 2,
    partSize: 8 * 1024 * 1024,
  });
  void avatars.upload(files);
  void avatars.upload(file);
  void avatars.upload([file]);
  hook<typeof uploads>({
    api: { url: '/api/uploads', headers: { authorization: 'Bearer t' } },
    route: 'documents',
    resume: false,
  });
  // @ts-expect-error: the handler has no route of that name
  hook<typeof uploads>({ api: '/api/uploads', route: 'banners' });
  // @ts-expect-error: a handler given `rules` has no named routes
  hook<typeof single>({ api: '/api/uploads', route: 'avatars' });
  // @ts-expect-error: the hook owns onProgress (the entries carry progress)
  hook({ api: '/api/uploads', onProgress: () => {} });
  // @ts-expect-error: api is required
  hook({ route: 'avatars' });
  // @ts-expect-error: upload takes files, not a name
  void avatars.upload('photo.png');
  const { rootProps, inputProps } = dropzone((chosen: File[]) => void avatars.upload(chosen), { accept: 'image/*' });
  void [rootProps, inputProps.ref.current];
}
