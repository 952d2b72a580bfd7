/**
 * What the bin's downloads do to the local folder: a legal long file name gets a legal part file
 * (its temporary name is cut, never the target's), and a file replaced keeps its mode. Straight
 * to RGW (these are about the disk, not the network), in the fault tier with the other
 * transfer-path tests of issue 16.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertExit, cli, on } from '../support/cli.js';
import { withBucket } from '../support/rgw.js';
import type { S3Connection } from '../../src/index.js';

let conn: S3Connection;
let bucket: string;
let cleanup: () => Promise<void>;
let dir: string;
before(async () => {
  ({ conn, bucket, cleanup } = await withBucket('fault-cli-files'));
  dir = mkdtempSync(join(tmpdir(), 'cloudspark-cli-files-'));
  await conn.uploadObject('the object', 'obj.txt');
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await cleanup();
});

const run = (...args: string[]) => cli([...on(bucket), ...args], { cwd: dir });

test('get to a file whose name is 230 to 255 bytes long (legal): written, no part file left', async () => {
  for (const name of ['a'.repeat(230), 'b'.repeat(255), `${'é'.repeat(126)}.t`]) {
    assert.ok(Buffer.byteLength(name) <= 255);
    assertExit(await run('get', 'obj.txt', name), 0);
    assert.equal(readFileSync(join(dir, name), 'utf8'), 'the object');
    assert.deepEqual(readdirSync(dir), [name], 'only the file');
    rmSync(join(dir, name));
  }
});

test('get over an existing file keeps its mode: a 0600 file stays 0600', async () => {
  const path = join(dir, 'secret.txt');
  writeFileSync(path, 'before', { mode: 0o600 });
  assertExit(await run('get', 'obj.txt', 'secret.txt'), 0);
  assert.equal(readFileSync(path, 'utf8'), 'the object');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  rmSync(path);
});
