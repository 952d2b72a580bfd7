/** One request with XMLHttpRequest: the only browser API that reports upload progress. */
import { UploadError, aborted, fromS3Response } from './errors.js';

/** How far an upload from the page is: what `onProgress` receives. */
export interface BrowserUploadProgress {
  /** Bytes sent so far. */
  loaded: number;
  /** The file's size in bytes. */
  total: number;
  /** 0 to 100, whole numbers. */
  percent: number;
}

/**
 * The old name of {@link BrowserUploadProgress}.
 *
 * @deprecated Use {@link BrowserUploadProgress}: `cloudspark` has an `UploadProgress` of its own, without `percent`.
 */
export type UploadProgress = BrowserUploadProgress;

export const progress = (loaded: number, total: number): BrowserUploadProgress => ({
  loaded,
  total,
  percent: total > 0 ? Math.floor((loaded / total) * 100) : 100,
});

/**
 * Runs `attempt` (with its number, 0 the first), and again after 0.5 s, 1 s, 2 s, ... (at most
 * `retries` more times) while it fails on the network (a cut, a stall, no CORS headers), with a
 * 5xx, or as CORRUPT (bytes changed on the way, and not kept): the failures a second try can get
 * through. Other refusals (4xx) and cancels are thrown at once.
 */
export async function retrying<T>(
  attempt: (n: number) => Promise<T>,
  retries: number,
  signal?: AbortSignal,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const { code, status } = error as UploadError;
      if (signal?.aborted || !(code === 'NETWORK' || code === 'CORRUPT' || status >= 500) || n >= retries) throw error;
      await new Promise((r) => setTimeout(r, 500 * 2 ** n));
    }
  }
}

/**
 * Sends `body`; resolves on 2xx with the finished request, rejects with an UploadError otherwise. A request that moves no
 * byte, up or down, for `stallMs` is aborted as a NETWORK failure: a stalled gateway or a dead
 * connection would otherwise keep it open forever.
 */
export function send(
  method: string,
  url: string,
  body: XMLHttpRequestBodyInit | null,
  headers: Record<string, string>,
  onUpload: (loaded: number) => void,
  signal?: AbortSignal,
  /** Default `stallTimeout`. */
  stallMs = 60_000,
): Promise<XMLHttpRequest> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const xhr = new XMLHttpRequest();
    const stop = () => xhr.abort();
    let stalled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const moved = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        xhr.abort();
      }, stallMs);
    };
    signal?.addEventListener('abort', stop);
    const done = (error?: UploadError) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      if (error) return reject(error);
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr);
      else reject(fromS3Response(xhr.status, xhr.responseText));
    };
    xhr.open(method, url);
    for (const name in headers) xhr.setRequestHeader(name, headers[name]!);
    xhr.upload.onprogress = (e) => {
      moved();
      onUpload(e.loaded);
    };
    xhr.onprogress = moved;
    xhr.onload = () => done();
    xhr.onerror = () => done(fromS3Response(0, ''));
    xhr.onabort = () =>
      done(
        stalled ? new UploadError('NETWORK', `Stalled: no byte moved for ${stallMs} ms (stallTimeout).`) : aborted(),
      );
    xhr.send(body);
    moved();
  });
}
