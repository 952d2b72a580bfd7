/**
 * Driving an upload handler as a framework and a browser would: web Requests to its routes,
 * and the uploads themselves sent straight to the storage with fetch.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

/** An upload handler, or anything answering Requests as one (an app over HTTP). */
export type Handles = (request: Request) => Promise<Response>;
export interface PostTarget {
  key: string;
  url: string;
  fields: Record<string, string>;
  token: string;
}
export interface MultipartTarget {
  key: string;
  uploadId: string;
  partSize: number;
  partCount: number;
  token: string;
}
export interface Refusal {
  error: { code: string; message: string; field?: string };
}

/** Calls `route` with a JSON body; asserts the status; resolves to the JSON answer. */
export async function callRoute<T = Record<string, unknown>>(
  handler: Handles,
  route: string,
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await handler(
    new Request(`http://app.test/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    }),
  );
  const answer = (await response.json()) as T;
  assert.equal(response.status, status, `${route}: ${JSON.stringify(answer)}`);
  return answer;
}

/** The MD5 of `body` in base64, as a page sends it to `post/complete` (and in a Content-MD5 header). */
export const md5Of = (body: Uint8Array | string): string => createHash('md5').update(body).digest('base64');

/** Sends a presigned POST as a browser form would: the fields, then the file. */
export async function sendForm(
  post: { url: string; fields: Record<string, string> },
  body: Uint8Array<ArrayBuffer> | string,
  fields: Record<string, string> = post.fields,
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([body]));
  return fetch(post.url, { method: 'POST', body: form });
}

/** Uploads `data` through the handler's multipart routes, part by part; resolves to the parts' ETags. */
export async function sendParts(
  handler: Handles,
  upload: MultipartTarget,
  data: Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): Promise<Array<{ partNumber: number; etag: string }>> {
  const { key, uploadId, token, partSize, partCount } = upload;
  const partNumbers = Array.from({ length: partCount }, (_, i) => i + 1);
  const { urls } = await callRoute<{ urls: Record<string, string> }>(
    handler,
    'multipart/sign-parts',
    { ...extra, key, uploadId, token, partNumbers },
    200,
    headers,
  );
  const parts = [];
  for (const n of partNumbers) {
    const res = await fetch(urls[n]!, { method: 'PUT', body: data.subarray((n - 1) * partSize, n * partSize) });
    assert.equal(res.status, 200, await res.text());
    parts.push({ partNumber: n, etag: res.headers.get('etag')! });
  }
  return parts;
}

/**
 * A client that declares a body of 2 MiB, sends 1 KiB of it and then nothing: what the server
 * answered (from the raw bytes), and whether and when it closed the connection (within `waitMs`).
 */
export async function stalledBody(
  base: string,
  path: string,
  waitMs = 10_000,
): Promise<{ status: number; code: string | undefined; closedAfterMs: number | undefined }> {
  const { connect } = await import('node:net');
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let text = '';
    let answeredAt: number | undefined;
    const settle = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const code = /"code":"(\w+)"/.exec(text)?.[1];
      resolve({
        status,
        code,
        closedAfterMs: closed && answeredAt !== undefined ? Date.now() - answeredAt : undefined,
      });
    };
    const timer = setTimeout(() => settle(false), waitMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      answeredAt ??= Date.now();
    });
    socket.on('close', () => settle(true));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? settle(true) : reject(error)));
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{"filename":"${'x'.repeat(1024)}`,
    );
  });
}
