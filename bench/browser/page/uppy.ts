/**
 * The benchmark page's Uppy half, bundled on its own so that its size is what a page pays:
 * `@uppy/core` with `@uppy/aws-s3` in multipart mode, its five callbacks calling the bench
 * server's `/uppy/*` routes (plain S3Connection calls, one request per callback).
 */
import Uppy from '@uppy/core';
import AwsS3 from '@uppy/aws-s3';

async function call<T>(route: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(`/uppy/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw new Error(`/uppy/${route} answered HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Uploads `file`; resolves with its key once S3 has completed the upload. */
async function benchUppy(file: File, partSize: number, concurrency: number): Promise<string> {
  // The body Uppy reports for a finished upload is what completeMultipartUpload resolved with.
  const uppy = new Uppy<Record<string, unknown>, { location: string; key: string }>().use(AwsS3, {
    shouldUseMultipart: true,
    limit: concurrency,
    getChunkSize: () => partSize,
    createMultipartUpload: (f) => call('create', { filename: f.name, contentType: f.type }),
    // Each part's URL signs its length, as the handler's do.
    signPart: (_f, { key, uploadId, partNumber, body, signal }) =>
      call('sign-part', { key, uploadId, partNumber, size: body.size }, signal),
    listParts: (_f, { key, uploadId, signal }) => call('list-parts', { key, uploadId }, signal),
    completeMultipartUpload: (_f, { key, uploadId, parts, signal }) =>
      call('complete', { key, uploadId, parts }, signal),
    abortMultipartUpload: (_f, { key, uploadId, signal }) => call('abort', { key, uploadId }, signal),
  });
  try {
    uppy.addFile({ name: file.name, type: file.type, data: file });
    const result = await uppy.upload();
    const done = result?.successful?.[0];
    if (!done) throw new Error(`Uppy's upload failed: ${String(result?.failed?.[0]?.error ?? 'no result')}`);
    return done.response!.body!.key;
  } finally {
    uppy.destroy();
  }
}

Object.assign(window, { benchUppy });
