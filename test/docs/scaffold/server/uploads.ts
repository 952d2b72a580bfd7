/**
 * The server module the docs' page examples import types from (`import type { uploads } from
 * '../server/uploads'`): a handler with the named routes of docs/browser-uploads.md. The docs
 * tier puts it where that path leads from the blocks it type-checks.
 */
import { S3Connection } from 'cloudspark';
import { createUploadHandler } from 'cloudspark/server';

export const uploads = createUploadHandler({
  connection: new S3Connection({ bucket: 'my-uploads' }),
  routes: {
    avatars: { rules: { maxSize: 5_000_000, allowedTypes: ['image/*'], keyPrefix: 'avatars/' } },
    documents: { rules: { maxSize: 50_000_000, allowedTypes: ['application/pdf'], keyPrefix: 'documents/' } },
  },
});
