/**
 * Big files in parts, straight to S3: the upload handler starts the upload and signs each part;
 * parts go up in parallel, each retried on failure; the handler completes it.
 */
import { callHandler, type HandlerApi } from './api.js';
import { UploadError, aborted } from './errors.js';
import { progress, send, type UploadProgress } from './xhr.js';

export interface UploadMultipartOptions {
  /** The upload handler's base URL, e.g. `/api/uploads`. */
  api: HandlerApi;
  /** Bytes per part: at least 5 MiB (S3's minimum). Default 8 MiB; raised when the file needs it. */
  partSize?: number;
  /** Parts in flight at once. Default 4. */
  concurrency?: number;
  /** Attempts per part after the first. Default 3, waiting 0.5 s, 1 s, 2 s. */
  retries?: number;
  onProgress?: (progress: UploadProgress) => void;
  /** Aborting it cancels the upload and aborts it on S3: no parts are left behind. */
  signal?: AbortSignal;
}

export interface MultipartResult {
  key: string;
  etag: string | undefined;
  size: number;
}

const MiB = 1024 * 1024;

interface Session {
  key: string;
  uploadId: string;
  maxParts: number;
  /** Kept for a resume: parts are numbered by it. */
  partSize: number;
  /** ETags of the parts S3 holds, by part number. */
  etags: Map<number, string>;
}

/**
 * Uploads in progress on this page, by file: a second call for the same file picks its upload up
 * again. Only network failures that outlast the retries leave an upload here; cancels and
 * refusals abort it.
 */
const sessions = new Map<string, Session>();

const fileId = (file: Blob) => {
  const f = file as Partial<File>;
  return `${f.name}|${file.size}|${f.lastModified}|${file.type}`;
};

export async function uploadMultipart(file: Blob, options: UploadMultipartOptions): Promise<MultipartResult> {
  const { api, signal, onProgress, concurrency = 4, retries = 3 } = options;
  if (signal?.aborted) throw aborted();
  const id = fileId(file);
  let session = sessions.get(id);
  if (session) {
    try {
      const held = await callHandler<{ parts: Array<{ partNumber: number; etag: string }> }>(api, 'multipart/list-parts', { key: session.key, uploadId: session.uploadId }, signal);
      session.etags = new Map(held.parts.map((p) => [p.partNumber, p.etag]));
    } catch (error) {
      if ((error as UploadError).code !== 'NO_SUCH_UPLOAD') throw error;
      session = undefined;
    }
  }
  if (!session) {
    const created = await callHandler<{ key: string; uploadId: string; maxParts: number }>(api, 'multipart/create', {
      filename: (file as Partial<File>).name ?? 'file',
      contentType: file.type || 'application/octet-stream',
      size: file.size,
    }, signal);
    const partSize = Math.max(options.partSize ?? 8 * MiB, 5 * MiB, Math.ceil(file.size / created.maxParts));
    session = { ...created, partSize, etags: new Map() };
    sessions.set(id, session);
  }
  const { key, uploadId, etags, partSize } = session;
  const count = Math.max(1, Math.ceil(file.size / partSize));
  const sizeOf = (n: number) => Math.min(partSize, file.size - (n - 1) * partSize);
  const sending = new Map<number, number>();
  const report = () => {
    let loaded = 0;
    for (const n of etags.keys()) if (n <= count) loaded += sizeOf(n);
    for (const bytes of sending.values()) loaded += bytes;
    onProgress?.(progress(loaded, file.size));
  };
  report();

  // One controller for the whole upload: the caller's cancel, or any part failing for good,
  // stops every part in flight.
  const stop = new AbortController();
  const cancel = () => stop.abort();
  signal?.addEventListener('abort', cancel);
  const todo: number[] = [];
  for (let n = 1; n <= count; n++) if (!etags.has(n)) todo.push(n);

  const sendPart = async (n: number): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const { urls } = await callHandler<{ urls: Record<string, string> }>(api, 'multipart/sign-parts', { key, uploadId, partNumbers: [n] }, stop.signal);
        const body = file.slice((n - 1) * partSize, (n - 1) * partSize + sizeOf(n));
        const answer = await send('PUT', urls[n]!, body, {}, (loaded) => {
          sending.set(n, loaded);
          report();
        }, stop.signal);
        const etag = answer.header('etag');
        if (!etag) throw new UploadError('ETAG_NOT_EXPOSED', 'The bucket\'s CORS rules must expose the ETag header (ExposeHeaders: ["ETag"]) for multipart uploads.');
        etags.set(n, etag);
        return;
      } catch (error) {
        const code = (error as UploadError).code;
        const transient = code === 'NETWORK' || (error as UploadError).status >= 500;
        if (stop.signal.aborted || !transient || attempt >= retries) throw error;
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      } finally {
        sending.delete(n);
        report();
      }
    }
  };

  try {
    const worker = async () => {
      for (let n = todo.shift(); n !== undefined; n = todo.shift()) await sendPart(n);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, () => worker().catch((error) => {
      stop.abort();
      throw error;
    })));
    const parts = [...etags].filter(([n]) => n <= count).sort((a, b) => a[0] - b[0]).map(([partNumber, etag]) => ({ partNumber, etag }));
    const done = await callHandler<MultipartResult>(api, 'multipart/complete', { key, uploadId, parts }, signal);
    sessions.delete(id);
    return done;
  } catch (error) {
    const code = signal?.aborted ? 'ABORTED' : (error as UploadError).code;
    // Network trouble keeps the upload for a retry to resume; anything else discards it.
    if (code !== 'NETWORK') {
      sessions.delete(id);
      await callHandler(api, 'multipart/abort', { key, uploadId }).catch(() => {});
    }
    throw code === 'ABORTED' ? aborted() : error;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
