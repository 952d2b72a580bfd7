/**
 * What the CLI says when the store cannot be reached, in one wording across commands (issue 16,
 * item 14): a refused connection is "could not be reached (ECONNREFUSED)" for ls, head, put, get
 * and get -r alike (never "broke off after 0 B"); an https:// endpoint on RGW's plain HTTP port
 * says so and how to fix it; a path too long for a key in put -r is named and left out, and the
 * rest of the folder goes up; a get -r of a prefix that matches nothing says so.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertExit, cli, json, on } from '../support/cli.js';
import { rgw, withBucket } from '../support/rgw.js';
import type { S3Connection } from '../../src/index.js';

let conn: S3Connection;
let bucket: string;
let cleanup: () => Promise<void>;
let dir: string;
/** A port nothing listens on: taken, then let go. */
let closedPort: number;
before(async () => {
  ({ conn, bucket, cleanup } = await withBucket('fault-messages'));
  dir = mkdtempSync(join(tmpdir(), 'cloudspark-messages-'));
  writeFileSync(join(dir, 'up.txt'), 'up');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await cleanup();
});

test('a refused connection reads "could not be reached (ECONNREFUSED)" for ls, head, put, get and get -r, exit 1', async () => {
  const endpoint = `http://127.0.0.1:${closedPort}`;
  for (const args of [
    ['ls'],
    ['head', 'k'],
    ['put', 'up.txt', 'k'],
    ['get', 'k', 'k.out'],
    ['get', '-r', 'p/', 'out'],
  ]) {
    const run = await cli(['--endpoint', endpoint, ...on(bucket), ...args], { cwd: dir });
    assertExit(run, 1);
    assert.match(
      run.stderr,
      /^cloudspark: \S+ failed: the endpoint could not be reached \(ECONNREFUSED\); check endpoint and network$/m,
      args.join(' '),
    );
    assert.doesNotMatch(run.stderr, /broke off/, args.join(' '));
  }
});

test('https:// against a plain HTTP port: says it answers in plain HTTP and to use http://, for the SDK path and the direct path', async () => {
  await conn.uploadObject('x', 'tls.txt');
  const endpoint = rgw.endpoint.replace(/^http:/, 'https:');
  for (const args of [['ls'], ['get', 'tls.txt', 'tls.out']]) {
    const run = await cli(['--endpoint', endpoint, ...on(bucket), ...args, '--json'], { cwd: dir });
    assertExit(run, 1);
    const { error } = json<{ error: { code: string; message: string } }>(run);
    assert.equal(error.code, 'NETWORK', args.join(' '));
    assert.match(
      error.message,
      /could not be reached over TLS \(EPROTO: it answers in plain HTTP, not TLS\); use an http:\/\/ endpoint for this port$/,
      args.join(' '),
    );
    assert.doesNotMatch(run.stderr, /ssl3_get_record|openssl/i);
  }
});

test('put -r: a path too long for a key is named and left out, the rest of the folder goes up, exit 0', async () => {
  const tree = join(dir, 'long');
  const deep = join(tree, ...Array.from({ length: 5 }, (_, i) => `${i}`.repeat(250)));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'f.txt'), 'too deep');
  writeFileSync(join(tree, 'ok.txt'), 'fine');
  const run = await cli([...on(bucket), 'put', '-r', 'long', 'long/', '--json'], { cwd: dir });
  assertExit(run, 0);
  const result = json<{ files: number; skipped: Array<{ name: string; reason: string }> }>(run);
  assert.equal(result.files, 1);
  assert.equal(result.skipped.length, 1);
  assert.ok(result.skipped[0]!.name.endsWith('/f.txt'));
  assert.match(
    result.skipped[0]!.reason,
    /its key cannot be stored: an object key is at most 1024 bytes of UTF-8, this one is \d+/,
  );
  assert.match(run.stderr, /skipped ".*\/f\.txt": its key cannot be stored/);
  assert.deepEqual(await conn.getObjects({ prefix: 'long/', onlyKeys: true }), ['long/ok.txt']);
});

test('get -r of a prefix that matches nothing (a typo): a notice naming it, exit 0 as aws CLI exits', async () => {
  const get = await cli([...on(bucket), 'get', '-r', 'no-such-prefix-typo/', 'empty-copy'], { cwd: dir });
  assertExit(get, 0);
  assert.match(
    get.stderr,
    /notice: no object under s3:\/\/.*\/no-such-prefix-typo\/: check the prefix \(cloudspark ls 'no-such-prefix-typo'\)/,
  );
  const asJson = await cli([...on(bucket), 'get', '-r', 'no-such-prefix-typo/', 'empty-copy', '--json'], { cwd: dir });
  assertExit(asJson, 0);
  assert.deepEqual(json<{ files: number; failed: unknown[] }>(asJson).files, 0);
});
