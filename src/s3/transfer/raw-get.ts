/**
 * GETs over plain HTTP read straight from the socket, into one buffer per request that every
 * read reuses. node:http allocates a fresh 64 KiB buffer for every read and streams it through
 * its parser and a Readable: for a 256 MiB download that is about a second of CPU, which on a
 * small machine is taken from the store itself (Ceph RGW beside us). Here the body's bytes go
 * from the socket's buffer to the sink (hash, positional write) and the buffer is read into
 * again: about a third of the CPU, as little as curl.
 *
 * Only what a ranged GET of a presigned URL needs: one request per connection (`Connection:
 * close`), a body of known length or up to the close. An answer it does not read (a chunked
 * body) is refused with `RawUnsupported`, and the caller sends the request through node:http.
 */
import type { Socket } from 'node:net';

/** A body handed to `pipeTo`'s sink, one chunk at a time. Returning `false` stops the reading. */
export type Sink = (chunk: Buffer) => boolean | void;

/** The answer to a raw GET: its head, and its body still on the socket. */
export interface RawAnswer {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /**
   * Reads the body to its end (or until `sink` returns false), each chunk to `sink` as it
   * arrives: the chunk is a view of the socket's buffer, valid only during the call.
   */
  pipeTo(sink: Sink): Promise<void>;
  /** The whole body as text, up to 64 KiB (an error's XML). */
  text(): Promise<string>;
  destroy(error?: Error): void;
}

/** The answer cannot be read here (a chunked body): send the request through node:http. */
export class RawUnsupported extends Error {}

export interface RawRequest {
  hostname: string;
  port: number;
  /** `Host:` as signed: the host name, and the port when it is not 80. */
  host: string;
  /** Path and query, exactly as signed. */
  path: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  connectTimeout: number;
  idleTimeout: number;
  /** Wording of the two timeouts' errors, as the SDK's handler words its own. */
  timeoutError(message: string): Error;
  abortError(): Error;
  /** Every socket opened, for the client's close() to end. */
  sockets: Set<Socket>;
}

/** Bytes each socket read goes into. */
const READ_BUFFER = 256 * 1024;
const HEAD_MAX = 64 * 1024;
const TEXT_MAX = 64 * 1024;

export async function rawGet(request: RawRequest): Promise<RawAnswer> {
  const { connect } = await import('node:net');
  return new Promise<RawAnswer>((resolve, reject) => {
    if (request.signal.aborted) return reject(request.abortError());
    let head: Buffer | undefined = Buffer.alloc(0);
    let answer: (RawAnswer & { feed(chunk: Buffer): boolean; end(error?: Error): void }) | undefined;
    let settled = false;
    const fail = (error: Error) => {
      if (!settled) {
        settled = true;
        reject(error);
      }
      answer?.end(error);
      socket.destroy();
    };
    const socket: Socket = connect({
      host: request.hostname,
      port: request.port,
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER),
        callback: (n: number, buffer: Buffer): boolean => {
          const bytes = buffer.subarray(0, n);
          if (answer) return answer.feed(bytes);
          head = Buffer.concat([head!, bytes]);
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) {
            if (head.length > HEAD_MAX) fail(new Error("the answer's head is longer than 64 KiB"));
            return true;
          }
          const parsed = parseHead(head.subarray(0, end).toString('latin1'));
          if (!parsed) {
            fail(new Error('the answer is not HTTP/1.x'));
            return false;
          }
          if (/\bchunked\b/i.test(parsed.headers['transfer-encoding'] ?? '')) {
            fail(new RawUnsupported('a chunked body'));
            return false;
          }
          const rest = Buffer.from(head.subarray(end + 4)); // a copy: the read buffer is reused
          head = undefined;
          answer = body(socket, parsed.status, parsed.headers, rest);
          settled = true;
          resolve(answer);
          // Nothing more is read until someone asks for the body.
          return false;
        },
      },
    });
    request.sockets.add(socket);
    const onAbort = () => fail(request.abortError());
    request.signal.addEventListener('abort', onAbort, { once: true });
    const connectTimer = setTimeout(
      () =>
        fail(
          request.timeoutError(
            `did not establish a connection within the configured timeout of ${request.connectTimeout} ms`,
          ),
        ),
      request.connectTimeout,
    );
    socket.once('connect', () => {
      clearTimeout(connectTimer);
      const lines = [
        `GET ${request.path} HTTP/1.1`,
        `host: ${request.host}`,
        ...Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`),
        'connection: close',
        '',
        '',
      ];
      socket.write(lines.join('\r\n'));
    });
    // The socket's own idle timer: every byte moving either way restarts it.
    socket.setTimeout(request.idleTimeout, () =>
      fail(request.timeoutError(`socket timed out after ${request.idleTimeout} ms of inactivity`)),
    );
    socket.on('error', fail);
    socket.on('close', () => {
      clearTimeout(connectTimer);
      request.signal.removeEventListener('abort', onAbort);
      request.sockets.delete(socket);
      if (!settled) fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      else answer?.end();
    });
  });
}

function parseHead(text: string): { status: number; headers: Record<string, string> } | undefined {
  const [statusLine, ...lines] = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(m[1]), headers };
}

/** The body of an answer whose head was read: `rest` is what came after the head in the same read. */
function body(socket: Socket, status: number, headers: Record<string, string>, rest: Buffer) {
  const declared = Number(headers['content-length']);
  let left =
    status === 204 || status === 304
      ? 0
      : Number.isSafeInteger(declared) && declared >= 0
        ? declared
        : Number.POSITIVE_INFINITY;
  let sink: Sink | undefined;
  let done: { resolve(): void; reject(error: Error): void } | undefined;
  let finished = false;
  let failure: Error | undefined;
  const finish = (error?: Error) => {
    if (finished) return;
    finished = true;
    failure = error;
    socket.destroy();
    if (error) done?.reject(error);
    else done?.resolve();
  };
  /** Hands bytes to the sink; false pauses the socket (no sink yet, or it is done). */
  const feed = (bytes: Buffer): boolean => {
    if (finished) return false;
    if (!sink) {
      rest = Buffer.concat([rest, bytes]);
      return false;
    }
    const chunk = bytes.length > left ? bytes.subarray(0, left) : bytes;
    left -= chunk.length;
    try {
      if (chunk.length > 0 && sink(chunk) === false) {
        finish();
        return false;
      }
    } catch (error) {
      finish(error as Error);
      return false;
    }
    if (left === 0) finish();
    return !finished;
  };
  return {
    status,
    headers,
    feed,
    end(error?: Error) {
      if (finished) return;
      // The connection closed: a body of known length that is not all there broke off.
      if (error) finish(error);
      else if (left !== Number.POSITIVE_INFINITY && left > 0)
        finish(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      else finish();
    },
    pipeTo(to: Sink): Promise<void> {
      if (sink) return Promise.reject(new Error('the body is read once'));
      return new Promise<void>((resolve, reject) => {
        done = { resolve, reject };
        if (finished) return failure ? reject(failure) : resolve();
        sink = to;
        const first = rest;
        rest = Buffer.alloc(0);
        if (left === 0 || feed(first)) socket.resume();
        if (left === 0) finish();
      });
    },
    async text(): Promise<string> {
      let text = '';
      await this.pipeTo((chunk) => {
        if (text.length < TEXT_MAX) text += chunk.toString('utf8');
      }).catch(() => {});
      return text;
    },
    destroy(error?: Error) {
      finish(error);
    },
  };
}
