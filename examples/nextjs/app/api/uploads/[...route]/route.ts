/**
 * Next.js App Router: every upload route (`/api/uploads/post`, `/api/uploads/multipart/create`,
 * ...) lands in this catch-all, whose POST hands the web `Request` to the handler as it is.
 */
import type { UploadHandler } from 'cloudspark/server';
import { createUploads } from '../../../../../uploads.js';

// The handler signs with node:crypto.
export const runtime = 'nodejs';

// Made on the first request rather than on import: `next build` imports this module too, where
// the server's environment (S3_BUCKET, the keys) is not set.
let handler: UploadHandler | undefined;

export function POST(request: Request): Promise<Response> {
  handler ??= createUploads({ basePath: '/api/uploads' });
  return handler(request);
}
