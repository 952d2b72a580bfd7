/**
 * raw-get.ts, the plain-HTTP GET that reads bodies straight from the socket, against a local
 * HTTP server that answers as some stores do: a body of known length in pieces, a body that
 * runs to the close, a chunked body (refused, for node:http to read), a cut one, and a reader
 * that stops early. This is HTTP framing, not S3 behaviour: the RGW and fault tiers send every
 * download through it against the real store.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RawUnsupported, rawGet } from '../../../../src/s3/transfer/raw-get.js';

const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
const answers: Record<string, (res: ServerResponse) => void> = {
  '/length': (res) => {
    res.writeHead(206, { 'content-length': body.length, etag: '"x"', 'x-amz-meta-a': '1' });
    // In pieces, with pauses: the reader must stitch reads together.
    res.write(body.subarray(0, 1000));
    setTimeout(() => res.end(body.subarray(1000)), 20);
  },
  '/to-close': (res) => {
    res.useChunkedEncodingByDefault = false;
    res.shouldKeepAlive = false;
    res.writeHead(200, { connection: 'close' });
    res.end(body);
  },
  '/chunked': (res) => {
    res.writeHead(200, { 'transfer-encoding': 'chunked' });
    res.end(body);
  },
  '/cut': (res) => {
    res.writeHead(200, { 'content-length': body.length });
    res.write(body.subarray(0, 5000), () => res.socket?.destroy());
  },
  '/error': (res) => {
    res.writeHead(503, { 'content-type': 'application/xml', 'content-length': 40 });
    res.end('<Error><Code>SlowDown</Code></Error>    ');
  },
};
const seen: Array<{ url: string; host: string | undefined; range: string | undefined }> = [];
const server = createServer((req, res) => {
  seen.push({ url: req.url ?? '', host: req.headers.host, range: req.headers.range });
  answers[`/${(req.url ?? '').split(/[/?]/)[1]}`]!(res);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const sockets = new Set<Socket>();
const get = (path: string, headers: Record<string, string> = {}) =>
  rawGet({
    hostname: '127.0.0.1',
    port,
    host: `127.0.0.1:${port}`,
    path,
    headers,
    signal: new AbortController().signal,
    connectTimeout: 2000,
    idleTimeout: 2000,
    timeoutError: (m) => Object.assign(new Error(m), { name: 'TimeoutError' }),
    abortError: () => Object.assign(new Error('aborted'), { name: 'AbortError' }),
    sockets,
  });
const collect = async (answer: Awaited<ReturnType<typeof get>>) => {
  const parts: Buffer[] = [];
  await answer.pipeTo((chunk) => void parts.push(Buffer.from(chunk)));
  return Buffer.concat(parts);
};

test('a body of known length, arriving in pieces: the head parsed, every byte delivered, the path and headers sent as given', async () => {
  const answer = await get('/length/a/../b?x=1', { range: 'bytes=0-9' });
  assert.equal(answer.status, 206);
  assert.deepEqual([answer.headers['etag'], answer.headers['x-amz-meta-a']], ['"x"', '1']);
  assert.ok((await collect(answer)).equals(body));
  assert.deepEqual(seen.at(-1), { url: '/length/a/../b?x=1', host: `127.0.0.1:${port}`, range: 'bytes=0-9' });
});

test('a body that runs to the close is read to the close; an error answer is read as text', async () => {
  assert.ok((await collect(await get('/to-close'))).equals(body));
  const error = await get('/error');
  assert.equal(error.status, 503);
  assert.match(await error.text(), /<Code>SlowDown<\/Code>/);
});

test('a chunked body is refused with RawUnsupported (node:http reads it instead)', async () => {
  await assert.rejects(get('/chunked'), RawUnsupported);
});

test('a body cut short of its length fails like a reset connection; a reader that stops early frees the socket', async () => {
  await assert.rejects(collect(await get('/cut')), (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET');
  const answer = await get('/length');
  let got = 0;
  await answer.pipeTo((chunk) => {
    got += chunk.length;
    return false;
  });
  assert.ok(got > 0 && got < body.length);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(sockets.size, 0, 'every socket closed');
});

test('DirectClient: a chunked answer is read through node:http instead, the same bytes', async () => {
  const { DirectClient } = await import('../../../../src/s3/transfer/direct.js');
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DirectClient({
    presign: async () => `${endpoint}/chunked/k`,
    network: { endpoint, timeouts: { connect: 2000, idle: 2000 } },
    maxAttempts: async () => 1,
  });
  try {
    const before = seen.length;
    const answer = await client.get('k', { signal: new AbortController().signal, raw: true }, { action: 'get' });
    const parts: Buffer[] = [];
    await answer.body.pipeTo((chunk) => void parts.push(Buffer.from(chunk)));
    assert.ok(Buffer.concat(parts).equals(body));
    assert.equal(seen.length - before, 2, 'asked raw first, then through node:http');
  } finally {
    client.close();
  }
});
