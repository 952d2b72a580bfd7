/** One request with XMLHttpRequest: the only browser API that reports upload progress. */
import { UploadError, aborted, fromS3Response } from './errors.js';

/** What `onProgress` receives while a file goes up. */
export interface UploadProgress {
  /** Bytes sent so far. */
  loaded: number;
  /** The file's size in bytes. */
  total: number;
  /** 0 to 100, whole numbers. */
  percent: number;
}

export interface XhrResult {
  status: number;
  body: string;
  header(name: string): string | null;
}

export const progress = (loaded: number, total: number): UploadProgress => ({
  loaded,
  total,
  percent: total > 0 ? Math.floor((loaded / total) * 100) : 100,
});

/** Sends `body`; resolves on 2xx, rejects with an UploadError otherwise. */
export function send(
  method: string,
  url: string,
  body: XMLHttpRequestBodyInit | null,
  headers: Record<string, string>,
  onUpload: (loaded: number) => void,
  signal?: AbortSignal,
): Promise<XhrResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const xhr = new XMLHttpRequest();
    const stop = () => xhr.abort();
    signal?.addEventListener('abort', stop);
    const done = (error?: UploadError) => {
      signal?.removeEventListener('abort', stop);
      if (error) return reject(error);
      const result = { status: xhr.status, body: xhr.responseText, header: (n: string) => xhr.getResponseHeader(n) };
      if (xhr.status >= 200 && xhr.status < 300) resolve(result);
      else reject(fromS3Response(xhr.status, result.body));
    };
    xhr.open(method, url);
    for (const name in headers) xhr.setRequestHeader(name, headers[name]!);
    xhr.upload.onprogress = (e) => onUpload(e.loaded);
    xhr.onload = () => done();
    xhr.onerror = () => done(fromS3Response(0, ''));
    xhr.onabort = () => done(aborted());
    xhr.send(body);
  });
}
