/**
 * A download that breaks off, or that Ctrl-C stops, leaves no file behind: neither the target
 * nor its `.part` file. A small local stand-in for S3 answers GET with a body that is cut short
 * (the connection closes) or that stalls until the test presses Ctrl-C.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertExit, cli, finished, json, spawnCli } from '../support/cli.js';

const ANNOUNCED = 1_000_000;
let server: http.Server;
let endpoint = '';
const dir = mkdtempSync(join(tmpdir(), 'cloudspark-cli-'));

before(async () => {
  server = http.createServer((req, res) => {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(ANNOUNCED),
      etag: '"0123"',
    });
    res.write(Buffer.alloc(100_000, 1));
    // /cut/...: the connection drops after a tenth of the body; /stall/...: the rest never comes.
    if (req.url?.startsWith('/b-b/cut')) setTimeout(() => res.socket?.destroy(), 50);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** The stand-in checks no signature: these keys only have to be there. */
const FAKE_KEY = 'AKIAIOSFODNN7EXAMPLE';
const FAKE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const env = () => ({ S3_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: FAKE_KEY, AWS_SECRET_ACCESS_KEY: FAKE_SECRET });

/** A failed download's messages never show the secret, nor the whole access key. */
function assertNoLeak(run: { stdout: string; stderr: string }): void {
  for (const out of [run.stdout, run.stderr]) {
    assert.ok(!out.includes(FAKE_SECRET), 'the secret key was printed');
    assert.ok(!out.includes(FAKE_KEY), 'the whole access key was printed');
  }
}

test('a body cut short: exit 1 (NETWORK), and no file at all, partial or whole', async () => {
  const folder = mkdtempSync(join(dir, 'cut-'));
  const run = await cli(['get', 'cut/big.bin', join(folder, 'big.bin'), '--bucket', 'b-b', '--json'], { env: env() });
  assertNoLeak(run);
  assertExit(run, 1);
  assert.equal(json<{ error: { code: string } }>(run).error.code, 'NETWORK');
  assert.match(
    run.stderr,
    /download of key "cut\/big\.bin" in bucket "b-b" broke off after 98 KiB of 977 KiB \(the connection closed early\); ".*big\.bin" was not written/,
  );
  assert.deepEqual(readdirSync(folder), []);
});

test('a failed download leaves a file that was already there as it was', async () => {
  const folder = mkdtempSync(join(dir, 'keep-'));
  writeFileSync(join(folder, 'big.bin'), 'the old content', { mode: 0o600 });
  const before = statSync(join(folder, 'big.bin'));
  const run = await cli(['get', 'cut/big.bin', join(folder, 'big.bin'), '--bucket', 'b-b'], { env: env() });
  assertNoLeak(run);
  assertExit(run, 1);
  assert.deepEqual(readdirSync(folder), ['big.bin']);
  assert.equal(readFileSync(join(folder, 'big.bin'), 'utf8'), 'the old content');
  const after = statSync(join(folder, 'big.bin'));
  assert.deepEqual(
    [after.ino, after.mode, after.mtimeMs],
    [before.ino, before.mode, before.mtimeMs],
    'the same file, untouched',
  );
});

test('Ctrl-C during a download: exit 130, and the part file is removed', async () => {
  const folder = mkdtempSync(join(dir, 'sigint-'));
  const child = spawnCli(['get', 'stall/big.bin', join(folder, 'big.bin'), '--bucket', 'b-b'], { env: env() });
  const done = finished(child);
  // Wait until the part file exists, i.e. the download is under way.
  // However long the bin takes to start on a busy machine: the event is the part file, not a time.
  for (const end = Date.now() + 60_000; Date.now() < end && !readdirSync(folder).some((f) => f.endsWith('.part'));)
    await new Promise((r) => setTimeout(r, 25));
  assert.match(readdirSync(folder).join(), /^\.big\.bin\.cloudspark-[0-9a-f]{8}\.part$/);
  child.kill('SIGINT');
  const run = await done;
  assertNoLeak(run);
  assertExit(run, 130);
  assert.match(run.stderr, /download of "stall\/big\.bin" cancelled; ".*big\.bin" was not written/);
  assert.deepEqual(readdirSync(folder), []);
});
