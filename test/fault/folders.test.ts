/**
 * Folder transfers say what they leave out and why (issue 16): `put -r` of a folder holding a
 * symbolic link, a FIFO, a socket and a file whose name is not UTF-8 uploads the regular files,
 * goes on past the rest and lists each in `skipped` with its reason; `get -r` lists the folder
 * markers it leaves out. Straight to RGW: these are about the folder, not the network.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertExit, cli, json, on } from '../support/cli.js';
import { withBucket } from '../support/rgw.js';
import type { S3Connection } from '../../src/index.js';

let conn: S3Connection;
let bucket: string;
let cleanup: () => Promise<void>;
let dir: string;
let socketServer: Server;
before(async () => {
  ({ conn, bucket, cleanup } = await withBucket('fault-folders'));
  dir = mkdtempSync(join(tmpdir(), 'cloudspark-folders-'));
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'sub'), { recursive: true });
  writeFileSync(join(tree, 'a.txt'), 'a');
  writeFileSync(join(tree, 'sub', 'b.txt'), 'b');
  symlinkSync('/etc/hostname', join(tree, 'link'));
  assert.equal(spawnSync('mkfifo', [join(tree, 'fifo')]).status, 0);
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(join(tree, 'sock'), resolve));
  // "f\xff.txt": not UTF-8.
  writeFileSync(Buffer.concat([Buffer.from(`${tree}/f`), Buffer.from([0xff]), Buffer.from('.txt')]), 'latin');
});
after(async () => {
  socketServer.close();
  rmSync(dir, { recursive: true, force: true });
  await cleanup();
});

test('put -r goes on past a symbolic link, a FIFO, a socket and a non-UTF-8 name, and lists each in skipped with its reason', async () => {
  const run = await cli([...on(bucket), 'put', '-r', 'tree', 'up/', '--json'], { cwd: dir });
  assertExit(run, 0);
  const result = json<{ files: number; skipped: Array<{ name: string; reason: string }> }>(run);
  assert.equal(result.files, 2);
  const reasons = Object.fromEntries(result.skipped.map((e) => [e.name, e.reason]));
  assert.deepEqual(Object.keys(reasons).sort(), ['fifo', 'f\u00ff.txt', 'link', 'sock']);
  assert.match(reasons['link']!, /symbolic link, not followed/);
  assert.match(reasons['fifo']!, /FIFO/);
  assert.match(reasons['sock']!, /socket/);
  assert.match(reasons['f\u00ff.txt']!, /not UTF-8/);
  for (const name of Object.keys(reasons))
    assert.ok(run.stderr.includes(`skipped "${name}"`), `said on stderr: ${name}`);
  assert.deepEqual((await conn.getObjects({ prefix: 'up/', onlyKeys: true })).sort(), ['up/a.txt', 'up/sub/b.txt']);
});

test('get -r lists the folder markers it leaves out, with why', async () => {
  await conn.uploadObject('', 'down/folder/');
  await conn.uploadObject('x', 'down/folder/x.txt');
  const run = await cli([...on(bucket), 'get', '-r', 'down/', 'copy', '--json'], { cwd: dir });
  assertExit(run, 0);
  const result = json<{ files: number; skipped: Array<{ name: string; reason: string }> }>(run);
  assert.equal(result.files, 1);
  assert.deepEqual(
    result.skipped.map((e) => e.name),
    ['down/folder/'],
  );
  assert.match(result.skipped[0]!.reason, /folder marker/);
  assert.deepEqual(readdirSync(join(dir, 'copy'), { recursive: true }).map(String).sort(), ['folder', 'folder/x.txt']);
});
