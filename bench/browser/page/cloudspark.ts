/**
 * The benchmark page's cloudspark half, bundled on its own so that its size is what a page pays:
 * `uploadMultipart` from `cloudspark/browser`, against the upload handler (`createUploadHandler`).
 */
import { uploadMultipart } from '../../../src/browser/index.js';

/** Uploads `file`; resolves with its key once the handler has completed and verified it. */
async function benchCloudspark(file: File, partSize: number, concurrency: number): Promise<string> {
  const { key } = await uploadMultipart(file, { api: '/api/uploads', partSize, concurrency });
  return key;
}

Object.assign(window, { benchCloudspark });
