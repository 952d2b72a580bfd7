/** The upload handler under Fastify 5 (examples/fastify), through its real HTTP server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from '../../examples/fastify/server.js';
import { frameworkContract } from '../support/framework-contract.js';
import { stalledBody } from '../support/handler.js';

frameworkContract('fastify', () => start());

test('fastify: a client that declares a body over 1 MiB and never sends it gets the 413, and the app still closes (its keep-alive is 72 s)', async () => {
  const app = await start();
  let closing: Promise<void> | undefined;
  try {
    const answer = await stalledBody(app.url, '/api/uploads/post', 8000);
    assert.deepEqual([answer.status, answer.code], [413, 'BODY_TOO_LARGE']);
    assert.ok(answer.closedAfterMs !== undefined, 'the connection was closed, not kept for a body that never comes');
    const began = Date.now();
    closing = app.close();
    await closing;
    assert.ok(Date.now() - began < 5000, 'close() did not wait for the stalled client');
  } finally {
    if (!closing) await app.close();
  }
});
