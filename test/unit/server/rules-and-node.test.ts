/** Pure rule decisions, and the Node adapter on a real `http` server (presigning needs no storage). */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Connection } from '../../../src/index.js';
import { cleanFilename, createUploadHandler, toNodeHandler, typeAllowed } from '../../../src/server/index.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE } from '../helpers.js';
import { stalledBody } from '../../support/handler.js';
import { LINGER_MS } from '../../../src/server/node.js';

describe('cleanFilename keeps a readable base name and nothing that could steer the key', () => {
  const cases: Array<[string, string]> = [
    ['photo.jpg', 'photo.jpg'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\ada\\report final.pdf', 'report-final.pdf'],
    ['..', 'file'],
    ['.hidden', 'hidden'],
    ['résumé ✓.pdf', 'résumé.pdf'],
    ['notes -.txt', 'notes.txt'],
    ['a\u0000b\nc.txt', 'a-b-c.txt'],
    ['', 'file'],
    [`${'x'.repeat(300)}.jpeg`, `${'x'.repeat(95)}.jpeg`],
  ];
  for (const [input, expected] of cases)
    test(JSON.stringify(input).slice(0, 40), () => assert.equal(cleanFilename(input), expected));
});

describe('typeAllowed', () => {
  const patterns = ['image/*', 'application/pdf'];
  test('a family pattern matches its members only', () => {
    assert.ok(typeAllowed('image/png', patterns));
    assert.ok(typeAllowed('IMAGE/GIF', patterns));
    assert.ok(!typeAllowed('imagex/png', patterns));
    assert.ok(!typeAllowed('text/plain', patterns));
  });
  test('parameters are ignored, */* and no list allow anything', () => {
    assert.ok(typeAllowed('application/pdf; charset=binary', patterns));
    assert.ok(typeAllowed('text/plain', ['*/*']));
    assert.ok(typeAllowed('text/plain', undefined));
  });
});

describe('toNodeHandler', () => {
  const connection = new S3Connection({
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    endpoint: UNREACHABLE,
    bucket: 'uploads-bucket',
  });
  const node = toNodeHandler(createUploadHandler({ connection, rules: { maxSize: 100 } }));

  async function serve(
    listener: (req: IncomingMessage, res: ServerResponse) => void,
    run: (base: string) => Promise<void>,
  ) {
    const server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      server.close();
    }
  }
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('streams the body in and the JSON answer out', async () => {
    await serve(node, async (base) => {
      const ok = await post(`${base}/post`, { filename: 'a.txt', contentType: 'text/plain', size: 5 });
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { fields: Record<string, string> }).fields['Content-Type'], 'text/plain');
      const refused = await post(`${base}/post`, { filename: 'a.txt', size: 500 });
      assert.equal(refused.status, 400);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'TOO_LARGE');
    });
  });

  test('a 413 leaves the connection usable, whether the body was refused by its length or cut off after 1 MiB', async () => {
    // One keep-alive connection for every request: a body left half-read would stall the next.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // Every socket a request went over: a closed one is never seen again, a reused one is.
    const sockets = new Set<unknown>();
    const send = (url: string, body: string, headers: Record<string, string | number>) =>
      new Promise<{ status: number; code: string }>((resolve, reject) => {
        const req = request(
          url,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers }, timeout: 5000 },
          (res) => {
            let text = '';
            res
              .setEncoding('utf8')
              .on('data', (c: string) => (text += c))
              .on('end', () =>
                resolve({
                  status: res.statusCode!,
                  code: (JSON.parse(text) as { error: { code: string } }).error.code,
                }),
              );
          },
        );
        req.on('socket', (socket) => sockets.add(socket));
        req.on('timeout', () => req.destroy(new Error('no answer: the connection stalled'))).on('error', reject);
        req.end(body);
      });
    const oversize = JSON.stringify({ filename: 'x'.repeat(1024 * 1024) });
    try {
      await serve(node, async (base) => {
        assert.deepEqual(await send(`${base}/post`, oversize, { 'content-length': Buffer.byteLength(oversize) }), {
          status: 413,
          code: 'BODY_TOO_LARGE',
        });
        assert.deepEqual(await send(`${base}/post`, oversize, { 'transfer-encoding': 'chunked' }), {
          status: 413,
          code: 'BODY_TOO_LARGE',
        });
        assert.deepEqual(await send(`${base}/post`, '{}', {}), { status: 400, code: 'INVALID_INPUT' });
        assert.equal(sockets.size, 1, 'all three went over one connection');
      });
    } finally {
      agent.destroy();
    }
  });

  test('a body declared over 1 MiB and never sent: the 413 arrives at once, and the connection is closed after the linger, so the server can close', async () => {
    const server = createServer(node);
    // As Fastify's (72 s): Node's own 5 s would close an idle connection before this test can tell.
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const answer = await stalledBody(`http://127.0.0.1:${port}`, '/post', 3 * LINGER_MS);
      assert.deepEqual([answer.status, answer.code], [413, 'BODY_TOO_LARGE']);
      assert.ok(answer.closedAfterMs !== undefined, 'the server closed the connection');
      assert.ok(
        answer.closedAfterMs >= LINGER_MS - 100,
        `not before the answer had time to arrive (${answer.closedAfterMs} ms)`,
      );
      // Nothing left open: close() ends.
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('takes a body that a parser such as express.json() already read', async () => {
    const parsed = (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => {
      let text = '';
      req
        .setEncoding('utf8')
        .on('data', (c: string) => (text += c))
        .on('end', () => {
          req.body = JSON.parse(text);
          node(req, res);
        });
    };
    await serve(parsed, async (base) => {
      const ok = await post(`${base}/post`, { filename: 'b.txt', contentType: 'text/plain' });
      assert.equal(ok.status, 200, await ok.clone().text());
    });
  });
});
