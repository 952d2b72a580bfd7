/** Calls to the upload handler (`cloudspark/server`): JSON in, JSON out, typed errors. */
import { UploadError, aborted } from './errors.js';
import type { ProtocolRequest, ProtocolResponse, ProtocolRoute } from '../protocol.js';

/** The handler's base URL (`/api/uploads`), or that with headers to send (such as Authorization). */
export type HandlerApi = string | { url: string; headers?: Record<string, string> };

/**
 * The handler an upload goes through, as the functions call it (and a `ResumeStore` is
 * given it): its address, the headers sent with every call, and the named route every call goes
 * to (the functions' `route` option).
 */
export interface RoutedApi {
  /** The handler's base URL, e.g. `/api/uploads`. */
  url: string;
  /** Headers sent with every call, such as Authorization. */
  headers?: Record<string, string> | undefined;
  /** The handler's route (`route` option), if one was named. */
  route?: string | undefined;
}

/**
 * The route names of an upload handler's type (`typeof handler` from cloudspark/server, imported
 * with `import type`: nothing of the server reaches the page): any string when not given.
 */
export type RouteName<H> = H extends { readonly routes: readonly (infer R)[] } ? R : string;

/** One call of the handler's protocol (src/protocol.ts): its body and its answer typed by the route. */
export async function callHandler<R extends ProtocolRoute>(
  api: RoutedApi,
  operation: R,
  body: ProtocolRequest<R>,
  signal?: AbortSignal,
): Promise<ProtocolResponse<R>> {
  const { url, headers, route } = api;
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/+$/, '')}/${operation}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ ...body, route }),
      signal,
    });
  } catch (error) {
    throw signal?.aborted
      ? aborted()
      : new UploadError('NETWORK', `The upload service could not be reached (${error}).`);
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const { code = 'HTTP_ERROR', message = `The upload service answered HTTP ${response.status}.` } =
      answer.error ?? {};
    throw new UploadError(code, message, response.status);
  }
  return answer as ProtocolResponse<R>;
}
