/**
 * A fault-injecting HTTP proxy for the fault tier: it sits on 127.0.0.1 between a client and
 * the test RGW and forwards every request untouched (the Host header too, so SigV4 signatures
 * stay valid), except those a test's rules pick out. A rule matches on method, path and query
 * (and headers) and fires a bounded number of times; its action answers 503 SlowDown or 500,
 * cuts the connection after N bytes of the request body or of the answer's body, stalls (reads
 * the request and never answers, or goes silent mid-answer), slows both directions down, or
 * holds the request until the test has done something (then forwards it untouched), flips
 * one bit in the middle of the request's or the answer's body, or replaces answer headers.
 *
 *   const proxy = await startFaultProxy(rgw.endpoint);
 *   const slow = proxy.inject({ method: 'PUT', query: { partNumber: '2' }, times: 2, action: { kind: 'status', status: 503 } });
 *   ... point a client at proxy.endpoint ...
 *   assert.equal(slow.fired, 2); // the fault really happened
 *   await proxy.close();
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

export type FaultAction =
  /** Answers at once, with an S3 XML error body; the request is not forwarded. 400 is AWS's RequestTimeout. */
  | { kind: 'status'; status: 400 | 500 | 503 }
  /** Forwards the request, and closes both connections once `bytes` of its body went through. */
  | { kind: 'cut-request'; bytes: number }
  /** Forwards the answer's head and `bytes` of its body, then closes the client's connection. */
  | { kind: 'cut-response'; bytes: number }
  /** Reads the whole request and never answers, like RGW on a full OSD. */
  | { kind: 'stall' }
  /** Forwards the answer's head and `bytes` of its body, then goes silent, the connection open. */
  | { kind: 'stall-response'; bytes: number }
  /** Forwards both ways at `bytesPerSecond`, in slices of at most 50 ms worth. */
  | { kind: 'slow'; bytesPerSecond: number }
  /** Waits for `until()` (say, the object replaced meanwhile), then forwards the request untouched. */
  | { kind: 'hold'; until: () => Promise<unknown> }
  /**
   * Forwards both ways, flipping one bit of the byte in the middle of the request's body
   * (`'request'`) or of the answer's body (`'response'`): lengths and headers unchanged, as a
   * faulty NIC, cable or middlebox does. A body of unknown length has its first chunk's middle flipped.
   */
  | { kind: 'corrupt'; body: 'request' | 'response' }
  /** Forwards both ways, with these headers of the answer replaced (lower-case names): say, an ETag that is no MD5. */
  | { kind: 'answer-headers'; headers: Record<string, string> };

export interface FaultRule {
  /** `GET`, `PUT`, ...; any method when absent. */
  method?: string;
  /** Tested against the path (`/bucket/key`, still URL-encoded); any path when absent. */
  path?: RegExp;
  /** Query parameters that must be present; `true` matches any value (`{ uploads: true }`). */
  query?: Record<string, string | true>;
  /** Request headers (lower-case names) that must be present and match, e.g. `{ range: /^bytes=0-/ }`. */
  headers?: Record<string, RegExp>;
  /** How many matching requests get the fault: 1 by default, `Infinity` for all of them. */
  times?: number;
  action: FaultAction;
}

/** A rule in force: `fired` counts the requests it caught, so a test can prove it ran. */
export interface Fault {
  readonly rule: FaultRule;
  readonly fired: number;
  /** Stops the rule from catching further requests. */
  remove(): void;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: string;
  /** The `Range` header, when the request had one. */
  range: string | undefined;
  /** The action applied, or `forwarded`. */
  fate: FaultAction['kind'] | 'forwarded';
  /** Requests of the same method in flight when this one arrived, itself included. */
  inFlight: number;
  /** The request's `Content-Length`, when it had one. */
  length: number | undefined;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the client as its S3 endpoint. */
  readonly endpoint: string;
  /** Every request seen, in order of arrival. */
  readonly seen: readonly SeenRequest[];
  inject(rule: FaultRule): Fault;
  /** Removes every rule and forgets the requests seen. */
  reset(): void;
  /** Closes every connection (stalled ones too) and the listening socket. */
  close(): Promise<void>;
}

const SLICE_MAX_MS = 50;

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`the fault proxy only forwards to a loopback http endpoint, not ${upstream}`);
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const rules: Array<{ rule: FaultRule; left: number; fired: number }> = [];
  const seen: SeenRequest[] = [];
  const active = new Map<string, number>();
  /** Each answer's announced body length and the bytes written of it (see inFlight). */
  const answers = new WeakMap<ServerResponse, { expected: number | undefined; written: number }>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const entry = rules.find((r) => r.left > 0 && matches(r.rule, req.method ?? '', url, req.headers));
    const action = entry?.rule.action;
    if (entry) {
      entry.left--;
      entry.fired++;
    }
    // In flight until the answer is sent or the connection dropped.
    const method = req.method ?? '';
    const inFlight = (active.get(method) ?? 0) + 1;
    active.set(method, inFlight);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      active.set(method, active.get(method)! - 1);
    };
    // Counted out as the answer's last byte is handed over, before the client can have seen it
    // (and started its next request): 'finish', or even end() after a throttled body, would come
    // after that next request.
    const tally = { expected: undefined as number | undefined, written: 0 };
    answers.set(res, tally);
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      tally.written += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).length;
      if (tally.expected !== undefined && tally.written >= tally.expected) end();
      return write(chunk, ...rest);
    }) as typeof res.write;
    const endAnswer = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      end();
      return endAnswer(...args);
    }) as typeof res.end;
    res.on('close', end);
    const length = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    seen.push({
      method,
      path: url.pathname,
      query: url.search.slice(1),
      range: req.headers.range,
      fate: action?.kind ?? 'forwarded',
      inFlight,
      length,
    });
    switch (action?.kind) {
      case 'status':
        return answerError(req, res, action.status);
      case 'stall':
        req.resume(); // take the whole body, as a stuck server does, then say nothing
        return;
      case 'hold':
        req.pause();
        void action.until().then(
          () => forward(req, res, undefined),
          () => req.socket.destroy(),
        );
        return;
      default:
        return forward(req, res, action);
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client that drops a connection mid-request is what these tests provoke: not an error here.
  server.on('clientError', (_error, socket) => socket.destroy());

  function forward(req: IncomingMessage, res: ServerResponse, action: FaultAction | undefined): void {
    const up = httpRequest({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent,
    });
    // Set when the upstream side is dropped on purpose while the client's connection stays open.
    let silenced = false;
    const cut = () => {
      up.destroy();
      req.socket.destroy();
    };
    const upstreamFailed = () => {
      if (!silenced) req.socket.destroy();
    };
    up.on('error', upstreamFailed);
    req.on('error', () => up.destroy());
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    up.on('response', (answer) => {
      answer.on('error', upstreamFailed);
      const tally = answers.get(res);
      if (tally && answer.headers['content-length'] !== undefined)
        tally.expected = Number(answer.headers['content-length']);
      if (action?.kind === 'answer-headers') {
        const headers = { ...answer.headers, ...action.headers };
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      } else {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
      }
      if (action?.kind === 'cut-response' || action?.kind === 'stall-response') {
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent >= action.bytes) return;
          const part = chunk.subarray(0, action.bytes - sent);
          sent += part.length;
          if (sent < action.bytes) res.write(part);
          // The last bytes reach the client before the connection goes (or goes silent).
          else
            res.write(part, () => {
              if (action.kind === 'cut-response') return cut();
              silenced = true;
              answer.destroy();
            });
        });
        answer.on('end', () => res.end()); // shorter than the cut: delivered whole
      } else if (action?.kind === 'slow') {
        answer.pipe(throttle(action.bytesPerSecond, timers)).pipe(res);
      } else if (action?.kind === 'corrupt' && action.body === 'response') {
        answer.pipe(flipMiddleBit(answer.headers['content-length'])).pipe(res);
      } else {
        answer.pipe(res);
      }
    });
    if (action?.kind === 'cut-request') {
      let sent = 0;
      if (action.bytes === 0) return cut();
      req.on('data', (chunk: Buffer) => {
        if (sent >= action.bytes) return;
        const part = chunk.subarray(0, action.bytes - sent);
        sent += part.length;
        up.write(part);
        if (sent >= action.bytes) cut();
      });
      req.on('end', () => up.end());
    } else if (action?.kind === 'slow') {
      req.pipe(throttle(action.bytesPerSecond, timers)).pipe(up);
    } else if (action?.kind === 'corrupt' && action.body === 'request') {
      req.pipe(flipMiddleBit(req.headers['content-length'])).pipe(up);
    } else {
      req.pipe(up);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    inject(rule) {
      const entry = { rule, left: rule.times ?? 1, fired: 0 };
      rules.push(entry);
      return {
        rule,
        get fired() {
          return entry.fired;
        },
        remove() {
          entry.left = 0;
        },
      };
    },
    reset() {
      rules.length = 0;
      seen.length = 0;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function matches(rule: FaultRule, method: string, url: URL, headers: IncomingMessage['headers']): boolean {
  if (rule.method !== undefined && rule.method !== method) return false;
  for (const [name, pattern] of Object.entries(rule.headers ?? {})) {
    const value = headers[name];
    if (typeof value !== 'string' || !pattern.test(value)) return false;
  }
  if (rule.path !== undefined && !rule.path.test(url.pathname)) return false;
  for (const [name, value] of Object.entries(rule.query ?? {})) {
    if (!url.searchParams.has(name)) return false;
    if (value !== true && url.searchParams.get(name) !== value) return false;
  }
  return true;
}

const S3_ERRORS = {
  400: {
    code: 'RequestTimeout',
    message: 'Your socket connection to the server was not read from or written to within the timeout period.',
  },
  500: { code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
  503: { code: 'SlowDown', message: 'Please reduce your request rate.' },
} as const;

/**
 * An answer as S3 gives it: status, XML error body, Date header; sent once the body is read. A
 * page's request (one with an Origin) gets the CORS header S3 adds for an allowed origin, so the
 * page can read the error's code, as it can for a failed POST to RGW.
 */
function answerError(req: IncomingMessage, res: ServerResponse, status: 400 | 500 | 503): void {
  const { code, message } = S3_ERRORS[status];
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
  const origin = req.headers.origin;
  req.resume();
  req.on('end', () => {
    res.writeHead(status, {
      'Content-Type': 'application/xml',
      'Content-Length': Buffer.byteLength(body),
      ...(origin && { 'Access-Control-Allow-Origin': origin }),
    });
    res.end(body);
  });
}

/** Passes bytes on at `bytesPerSecond`: each slice is followed by the pause its size takes at that rate. */
function throttle(bytesPerSecond: number, timers: Set<NodeJS.Timeout>): Transform {
  const slice = Math.max(1, Math.floor((bytesPerSecond * SLICE_MAX_MS) / 1000));
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      let offset = 0;
      const next = () => {
        const part = chunk.subarray(offset, offset + slice);
        this.push(part);
        offset += part.length;
        const timer = setTimeout(
          () => {
            timers.delete(timer);
            if (offset >= chunk.length) done();
            else next();
          },
          (part.length * 1000) / bytesPerSecond,
        );
        timers.add(timer);
      };
      next();
    },
  });
}

/** Passes bytes on unchanged but for one bit of the byte at the middle of `length` (else of the first chunk). */
export function flipMiddleBit(length: string | undefined): Transform {
  const total = Number(length);
  let at = Number.isSafeInteger(total) && total > 0 ? Math.floor(total / 2) : -1;
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      if (at < 0 && chunk.length > 0) at = offset + Math.floor(chunk.length / 2);
      if (at >= offset && at < offset + chunk.length) {
        chunk = Buffer.from(chunk); // never write into a buffer someone else still holds
        chunk[at - offset] = chunk[at - offset]! ^ 0x10;
      }
      offset += chunk.length;
      done(null, chunk);
    },
  });
}
