/**
 * The upload handler on Node's `http` server, Express, Connect or Fastify's raw request:
 * turns `IncomingMessage` into a web `Request` and the `Response` back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UploadHandler } from './types.js';
import { invalidInput } from '../errors.js';

/** A request that may have been through a body parser (`express.json()`) already. */
export type NodeRequest = IncomingMessage & { body?: unknown; originalUrl?: string };

/**
 * `(req, res) => void` for `http.createServer` or `app.use('/api/uploads', ...)`. Under Express
 * the routes are matched on the path below the mount point, so leave `basePath` unset there.
 */
export function toNodeHandler(
  handler: UploadHandler,
): (req: NodeRequest, res: ServerResponse, next?: (error?: unknown) => void) => void {
  if (typeof handler !== 'function')
    throw invalidInput('handler', 'must be the upload handler that createUploadHandler() made');
  return (req, res, next) => {
    respond(handler, req, res).catch((error: unknown) => {
      if (next) next(error);
      else if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };
}

/**
 * How long the rest of a body the handler did not read is still taken in (and dropped) after the
 * answer went out, before the connection is closed.
 */
export const LINGER_MS = 2000;

async function respond(handler: UploadHandler, req: NodeRequest, res: ServerResponse): Promise<void> {
  const response = await handler(toRequest(req));
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
  // An early answer (a 413 from Content-Length, a 415): Node drops the rest of the body as it
  // comes and keeps the connection for the next request. A client that never sends the rest
  // would hold the connection, and the server's close(), forever: once the answer has had time
  // to arrive, the connection is closed. Not at once: closing with bytes still coming resets
  // the connection, and the client may lose the answer it had not read yet.
  if (!req.complete) {
    res.once('finish', () => {
      const linger = setTimeout(() => req.socket?.destroy(), LINGER_MS);
      linger.unref();
      req.once('end', () => clearTimeout(linger));
      req.socket?.once('close', () => clearTimeout(linger));
    });
  }
}

function toRequest(req: NodeRequest): Request {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  // A body parser got there first: hand its result on as the JSON it was.
  if (req.body !== undefined && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) {
    headers.delete('content-length');
    return new Request(url, { method, headers, body: JSON.stringify(req.body) });
  }
  const body = Buffer.isBuffer(req.body) || typeof req.body === 'string' ? req.body : bodyStream(req);
  return new Request(url, { method, headers, body, duplex: 'half' } as RequestInit);
}

/**
 * The request body as a web stream that reads `req` only when the handler reads it. The handler
 * often answers without reading it all (a 413 from Content-Length, a 415, or a 413 after 1 MiB
 * sent chunked), while the client is still sending. A body never read is left to Node, which
 * discards it after the answer; one the handler stops reading is discarded here. Either way the
 * client can finish sending and read the answer on a connection that stays usable, where
 * `Readable.toWeb` would hold the rest unread: the client's next request on that connection
 * then waits forever, or the connection is reset under the answer.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let chunks: AsyncIterator<Buffer> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        chunks ??= req.iterator({ destroyOnReturn: false });
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
      async cancel() {
        await chunks?.return?.();
        req.resume();
      },
    },
    // Nothing is read before the handler asks (the default high-water mark of 1 would pull once).
    { highWaterMark: 0 },
  );
}
