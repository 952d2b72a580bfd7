/**
 * GETs of object bytes, and PUTs of small files, straight over node:http(s), each signed by the
 * SigV4 core as a presigned URL: no AWS SDK is loaded and no middleware runs per request.
 * Downloads and folder uploads use it (download-file.ts, folders.ts): the SDK costs about 0.7 ms of
 * CPU per request and a few hundred milliseconds to load, which for 2000 small files, or a
 * command-line `get`, is most of the work.
 *
 * It keeps the SDK's promises for these requests: the connection's `timeouts` (connect, idle),
 * the SDK's attempts and back-off (../sdk/retry.ts: one policy for both paths) for 5xx, throttling, a
 * body the store refused as corrupted (its Content-MD5 did not match) or waited too long for,
 * and connections that fail before an answer, the
 * same typed errors (through fromSdkError), and the store's clock: a refusal for a skewed
 * signature is retried once, signed with the clock of the answer's `Date` header.
 */
import type { Agent, IncomingMessage, ClientRequest } from 'node:http';
import { CloudSparkError } from '../../errors.js';
import { fromSdkError, type ErrorContext } from '../sdk/errors.js';
import { CORRUPT_CODES } from '../integrity.js';
import { md5Of } from './hash-worker.js';
import { RETRY_NETWORK_CODES, RETRY_S3_CODES, RETRY_STATUS, backoff } from '../sdk/retry.js';
import { RawUnsupported, rawGet, type Sink } from './raw-get.js';
import type { Socket } from 'node:net';
import type { ResolvedTimeouts } from '../sdk/network.js';

export interface DirectContext {
  /** A presigned GET URL of `key`, signed at `signingDate` (default: now, on the connection's clock). */
  presign(key: string, signingDate?: Date): Promise<string>;
  network: { endpoint: string; timeouts: ResolvedTimeouts };
  /** Attempts per request, from the same place as the SDK's (../sdk/retry.ts). */
  maxAttempts(): Promise<number>;
}

/** Signs the URL of one request, at `signingDate` when given (the store's clock, after a skew refusal). */
export type Signer = (signingDate: Date | undefined) => Promise<string>;

export interface DirectRequest {
  /** `bytes=0-1023`; none for the whole object. */
  range?: string | undefined;
  ifMatch?: string | undefined;
  signal: AbortSignal;
  /**
   * Over plain HTTP, read the body straight from the socket (raw-get.ts), on a connection of its
   * own: for the large ranges of a large object, where it saves most of the CPU. A small file's
   * one GET stays on node:http's kept-alive sockets, where a new connection per file would cost more.
   */
  raw?: boolean | undefined;
}

/** An answer's body, still to be read: the same whichever way it came (raw-get.ts or node:http). */
export interface AnswerBody {
  /** The answer's headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** Reads it to its end (or until `sink` returns false), each chunk to `sink`, valid during the call only. */
  pipeTo(sink: Sink): Promise<void>;
  /** All of it as text, up to 64 KiB (an error's XML). */
  text(): Promise<string>;
  /** Stops reading it and frees the connection. */
  destroy(error?: Error): void;
}

/** An answer whose body is still to be read: the object's headers, and the body as it comes. */
export interface DirectAnswer {
  status: number;
  body: AnswerBody;
  contentType: string | undefined;
  contentLength: number | undefined;
  contentRange: string | undefined;
  etag: string | undefined;
  lastModified: Date | undefined;
  versionId: string | undefined;
  metadata: Record<string, string>;
  /** Stored with SSE-KMS or SSE-C: its ETag is not the MD5 of its bytes. */
  encrypted: boolean;
}

interface Transport {
  agent: Agent;
  request: typeof import('node:http').request;
}

/**
 * node:http and node:https are loaded on the first request, not on import: `import 'cloudspark'`
 * stays as cheap as presigning needs (docs/performance.md: start-up).
 */
async function transport(https: boolean): Promise<Transport> {
  const options = { keepAlive: true, maxSockets: 64, scheduling: 'lifo' as const };
  if (https) {
    const m = await import('node:https');
    return { agent: new m.Agent(options), request: m.request };
  }
  const m = await import('node:http');
  return { agent: new m.Agent(options), request: m.request };
}

/** One per transfer: its sockets are kept alive between requests, and closed by `close()`. */
export class DirectClient {
  readonly #ctx: DirectContext;
  readonly #https: boolean;
  #transport: Promise<Transport> | undefined;
  /** The raw GETs' sockets in use (raw-get.ts), each for one request. */
  readonly #sockets = new Set<Socket>();
  #closed = false;
  /** The store's clock minus ours, once a refusal for skew has told it. */
  #skew: number | undefined;

  constructor(ctx: DirectContext) {
    this.#ctx = ctx;
    this.#https = ctx.network.endpoint.startsWith('https:');
  }

  close(): void {
    this.#closed = true;
    for (const socket of this.#sockets) socket.destroy();
    void this.#transport?.then((t) => t.agent.destroy());
  }

  /** GETs `key`, retried as the SDK would; a 2xx answer, else the error typed. */
  get(key: string, request: DirectRequest, where: ErrorContext): Promise<DirectAnswer> {
    const headers: Record<string, string> = {};
    if (request.range) headers['range'] = request.range;
    if (request.ifMatch) headers['if-match'] = request.ifMatch;
    return this.#send(
      (date) => this.#ctx.presign(key, date),
      'GET',
      headers,
      undefined,
      request.signal,
      where,
      request.raw === true,
    );
  }

  /**
   * PUTs `body` (an object, or a part) to the URL `sign` makes, retried as the SDK would;
   * resolves to the ETag. It carries `Content-MD5`: a store that receives other bytes refuses
   * them (BadDigest), which is retried, and fails CORRUPT when every attempt was refused.
   */
  async put(
    sign: Signer,
    body: Buffer,
    headers: Record<string, string>,
    signal: AbortSignal,
    where: ErrorContext,
  ): Promise<string | undefined> {
    const sent = { ...headers, 'content-length': String(body.length), 'content-md5': await md5Of(body) };
    const answer = await this.#send(sign, 'PUT', sent, body, signal, where);
    answer.body.destroy();
    return answer.etag;
  }

  async #send(
    sign: Signer,
    method: 'GET' | 'PUT',
    headers: Record<string, string>,
    body: Buffer | undefined,
    signal: AbortSignal,
    where: ErrorContext,
    raw = false,
  ): Promise<DirectAnswer> {
    const request = { method, headers, body, signal, raw };
    let skewRetried = false;
    for (let attempt = 1; ; attempt++) {
      // A cancel during the back-off: no further request (its listener would never fire).
      if (request.signal.aborted) throw abortError();
      let answer: DirectAnswer | undefined;
      let failure: unknown;
      try {
        const signingDate = this.#skew === undefined ? undefined : new Date(Date.now() + this.#skew);
        this.#transport ??= transport(this.#https);
        const t = await this.#transport;
        if (this.#closed) throw abortError();
        answer = await this.#once(t, await sign(signingDate), request);
      } catch (error) {
        failure = error;
      }
      if (request.signal.aborted) {
        answer?.body.destroy();
        throw abortError();
      }
      if (answer && answer.status < 300) return answer;
      let error: unknown = failure;
      let retry = false;
      if (answer) {
        const { shape, date } = await errorShape(answer, attempt);
        error = shape;
        retry =
          RETRY_STATUS.has(answer.status) ||
          RETRY_S3_CODES.has(shape.Code ?? '') ||
          CORRUPT_CODES.has(shape.Code ?? '');
        // A signature the store finds too old or too new: sign again on its clock, once.
        const skew = date === undefined ? 0 : date - Date.now();
        if (answer.status === 403 && !skewRetried && Math.abs(skew) > 60_000) {
          this.#skew = skew;
          skewRetried = true;
          attempt--;
          continue;
        }
      } else {
        const e = failure as NodeJS.ErrnoException & { $metadata?: object };
        retry = (e?.code !== undefined && RETRY_NETWORK_CODES.has(e.code)) || e?.name === 'TimeoutError';
        if (e && typeof e === 'object') e.$metadata = { attempts: attempt };
      }
      if (!retry || attempt >= (await this.#ctx.maxAttempts()))
        throw error instanceof CloudSparkError ? error : fromSdkError(error, { ...where, network: this.#ctx.network });
      await pause(backoff(attempt), request.signal);
    }
  }

  /**
   * One request: resolves with the answer's head, or rejects with what went wrong on the way.
   * A GET over plain HTTP reads its body straight from the socket (raw-get.ts).
   */
  async #once(
    t: Transport,
    url: string,
    request: {
      method: string;
      headers: Record<string, string>;
      body: Buffer | undefined;
      signal: AbortSignal;
      raw: boolean;
    },
  ): Promise<DirectAnswer> {
    if (request.raw && request.method === 'GET' && !this.#https) {
      const { timeouts } = this.#ctx.network;
      const target = byteExact(url);
      try {
        const raw = await rawGet({
          hostname: target.hostname,
          port: Number(target.port || 80),
          host: target.authority,
          path: target.path,
          headers: request.headers,
          signal: request.signal,
          connectTimeout: timeouts.connect,
          idleTimeout: timeouts.idle,
          timeoutError,
          abortError,
          sockets: this.#sockets,
        });
        return answerOf(raw.status, raw.headers, raw);
      } catch (error) {
        if (!(error instanceof RawUnsupported)) throw error;
      }
    }
    return this.#http(t, url, request);
  }

  /** One request through node:http. */
  #http(
    t: Transport,
    url: string,
    request: { method: string; headers: Record<string, string>; body: Buffer | undefined; signal: AbortSignal },
  ): Promise<DirectAnswer> {
    const { timeouts } = this.#ctx.network;
    return new Promise((resolve, reject) => {
      if (request.signal.aborted) return reject(abortError());
      const { authority: _, ...target } = byteExact(url);
      const req: ClientRequest = t.request({
        ...target,
        method: request.method,
        headers: request.headers,
        agent: t.agent,
      });
      let response: IncomingMessage | undefined;
      let connectTimer: NodeJS.Timeout | undefined;
      const fail = (error: Error) => {
        clearTimeout(connectTimer);
        if (response) response.destroy(error);
        else req.destroy(error);
      };
      const onAbort = () => fail(abortError());
      request.signal.addEventListener('abort', onAbort, { once: true });
      req.on('socket', (socket) => {
        if (socket.connecting) {
          connectTimer = setTimeout(
            () =>
              fail(
                timeoutError(`did not establish a connection within the configured timeout of ${timeouts.connect} ms`),
              ),
            timeouts.connect,
          );
          socket.once('connect', () => clearTimeout(connectTimer));
        }
      });
      // The socket's own idle timer: every byte moving either way restarts it.
      req.setTimeout(timeouts.idle, () =>
        fail(timeoutError(`socket timed out after ${timeouts.idle} ms of inactivity`)),
      );
      req.on('error', (error) => {
        clearTimeout(connectTimer);
        request.signal.removeEventListener('abort', onAbort);
        if (!response) reject(error);
      });
      req.on('response', (res) => {
        response = res;
        clearTimeout(connectTimer);
        res.on('close', () => request.signal.removeEventListener('abort', onAbort));
        resolve(answerOf(res.statusCode ?? 0, res.headers, messageBody(res)));
      });
      req.end(request.body);
    });
  }
}

/** An answer as the transfers read it: the object's headers, and its body. */
function answerOf(status: number, h: Record<string, string | string[] | undefined>, body: AnswerBody): DirectAnswer {
  const one = (name: string) => (typeof h[name] === 'string' ? (h[name] as string) : undefined);
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(h)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice(11)] = value;
  }
  const length = one('content-length') === undefined ? undefined : Number(one('content-length'));
  const modified = one('last-modified') === undefined ? undefined : new Date(one('last-modified')!);
  return {
    status,
    body,
    contentType: one('content-type'),
    contentLength: Number.isSafeInteger(length) ? length : undefined,
    contentRange: one('content-range'),
    etag: one('etag'),
    lastModified: modified && !Number.isNaN(modified.getTime()) ? modified : undefined,
    versionId: one('x-amz-version-id'),
    metadata,
    encrypted:
      (one('x-amz-server-side-encryption') ?? '').startsWith('aws:kms') ||
      one('x-amz-server-side-encryption-customer-algorithm') !== undefined,
  };
}

/** A node:http answer's body as an AnswerBody. */
function messageBody(res: IncomingMessage): AnswerBody {
  return {
    headers: res.headers,
    async pipeTo(sink) {
      const length = Number(res.headers['content-length']);
      let read = 0;
      for await (const chunk of res) {
        read += (chunk as Buffer).length;
        // A sink that wants no more stops the reading, which closes the connection, unless the
        // body is all there: then the loop ends by itself and the socket goes back to the pool.
        if (sink(chunk as Buffer) === false && read !== length) break;
      }
    },
    async text() {
      let text = '';
      try {
        for await (const chunk of res) if (text.length < 64 * 1024) text += String(chunk);
      } catch {
        // the body of an error is only a detail
      }
      return text;
    },
    destroy: (error) => res.destroy(error),
  };
}

interface ErrorShape {
  name: string;
  Code: string | undefined;
  message: string;
  $metadata: { httpStatusCode: number; requestId: string | undefined; attempts: number };
}

/** An error answer as the SDK would have thrown it (read from its XML body), and its `Date`. */
async function errorShape(
  answer: DirectAnswer,
  attempt: number,
): Promise<{ shape: ErrorShape; date: number | undefined }> {
  const text = await answer.body.text();
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
  const code =
    tag('Code') ??
    (answer.status === 404
      ? 'NotFound'
      : answer.status === 412
        ? 'PreconditionFailed'
        : answer.status === 416
          ? 'InvalidRange'
          : undefined);
  const h = answer.body.headers;
  const date = typeof h['date'] === 'string' ? Date.parse(h['date']) : undefined;
  return {
    shape: {
      name: code ?? 'Unknown',
      Code: code,
      message: unescapeXml(tag('Message') ?? ''),
      $metadata: {
        httpStatusCode: answer.status,
        requestId: (h['x-amz-request-id'] as string | undefined) ?? tag('RequestId'),
        attempts: attempt,
      },
    },
    date: Number.isNaN(date) ? undefined : date,
  };
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * The request options of a presigned URL, its path exactly as signed: a URL string given to
 * node:http goes through the WHATWG parser, which collapses `.` and `..` segments, so the key
 * `a/../b` would be sent as `b` (and its signature would not match).
 */
export function byteExact(url: string): {
  protocol: string;
  hostname: string;
  port: string;
  path: string;
  authority: string;
} {
  const at = url.indexOf('/', url.indexOf('//') + 2);
  const origin = new URL(at < 0 ? url : url.slice(0, at));
  // `authority` is the Host header as signed: the host name, and the port when it is not the default.
  return {
    protocol: origin.protocol,
    hostname: origin.hostname.replace(/^\[|\]$/g, ''),
    port: origin.port,
    path: at < 0 ? '/' : url.slice(at),
    authority: origin.host,
  };
}

/** Named and worded as the SDK's HTTP handler words its own timers (see ../sdk/network.ts, timeoutKind). */
function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError' });
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
}

/** Waits `ms`, or less when `signal` fires. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
