/** Calls to the upload handler (`cloudspark/server`): JSON in, JSON out, typed errors. */
import { UploadError, aborted } from './errors.js';

/** The handler's base URL (`/api/uploads`), or that with headers to send (such as Authorization). */
export type HandlerApi = string | { url: string; headers?: Record<string, string> };

export async function callHandler<T>(api: HandlerApi, route: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const { url, headers } = typeof api === 'string' ? { url: api } : api;
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/+$/, '')}/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    throw signal?.aborted ? aborted() : new UploadError('NETWORK', `The upload service could not be reached (${error}).`);
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const { code = 'HTTP_ERROR', message = `The upload service answered HTTP ${response.status}.` } = answer.error ?? {};
    throw new UploadError(code, message, response.status);
  }
  return answer as T;
}
