/**
 * `get -r` / `downloadPrefix` while the bucket and the folder change under it (issue 16, items
 * 11 and 13): a key deleted after it was listed is reported and the others are written (the
 * CLI exits 1 at the end); a folder on the way swapped for a symbolic link during the run does
 * not redirect a write out of the target; files are written while the listing goes on. The
 * proxy holds a GET while the test changes the store or the folder for real.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { assertExit, cli, on } from '../support/cli.js';
import { faultSuite } from '../support/fault.js';

const s = faultSuite('fault-get-r');

test('downloadPrefix: a key deleted after it was listed is reported in failed (NO_SUCH_KEY); the keys around it are written', async () => {
  for (const k of ['a', 'b', 'c']) await s.direct.uploadObject(`body of ${k}`, `gone/${k}.txt`);
  const held = s.proxy.inject({
    method: 'GET',
    path: /\/gone\/a\.txt$/,
    action: { kind: 'hold', until: () => s.direct.deleteObject('gone/b.txt') },
  });
  const target = join(s.dir, 'gone');
  const result = await s.faulty.downloadPrefix('gone/', target, { concurrency: 1 });
  assert.equal(held.fired, 1);
  assert.deepEqual(
    result.files.map((f) => f.key),
    ['gone/a.txt', 'gone/c.txt'],
  );
  assert.deepEqual(result.failed, [
    { key: 'gone/b.txt', code: 'NO_SUCH_KEY', reason: 'it was deleted after it was listed' },
  ]);
  assert.deepEqual(readdirSync(target).sort(), ['a.txt', 'c.txt'], 'no part file either');
});

test('get -r: a key deleted after it was listed is named, the others are written, exit 1 at the end', async () => {
  for (const k of ['a', 'b', 'c']) await s.direct.uploadObject(`body of ${k}`, `gone2/${k}.txt`);
  const held = s.proxy.inject({
    method: 'GET',
    path: /\/gone2\/a\.txt$/,
    action: { kind: 'hold', until: () => s.direct.deleteObject('gone2/b.txt') },
  });
  const run = await cli(
    ['--endpoint', s.proxy.endpoint, ...on(s.bucket), 'get', '-r', 'gone2/', 'gone2', '--concurrency', '1'],
    { cwd: s.dir },
  );
  assert.equal(held.fired, 1);
  assertExit(run, 1);
  assert.match(run.stderr, /^downloaded 2 files/m);
  assert.match(run.stderr, /^not written "gone2\/b\.txt": it was deleted after it was listed \(NO_SUCH_KEY\)$/m);
  assert.equal(readFileSync(join(s.dir, 'gone2', 'c.txt'), 'utf8'), 'body of c');
});

/**
 * Objects `<name>/sub/a.txt` and `<name>/sub/b.txt`, to be downloaded into the folder `<name>`:
 * once a.txt is written (sub/ made and checked), b.txt's GET waits while sub/ is renamed to
 * sub-was/ and replaced by a symbolic link to the folder `outside`.
 */
async function swapForLink(name: string) {
  await s.direct.uploadObject('first', `${name}/sub/a.txt`);
  await s.direct.uploadObject('secret', `${name}/sub/b.txt`);
  const target = join(s.dir, name);
  const outside = join(s.dir, `${name}-outside`);
  mkdirSync(outside);
  const held = s.proxy.inject({
    method: 'GET',
    path: new RegExp(`/${name}/sub/b\\.txt$`),
    action: {
      kind: 'hold',
      until: async () => {
        renameSync(join(target, 'sub'), join(target, 'sub-was'));
        symlinkSync(outside, join(target, 'sub'));
      },
    },
  });
  return { target, outside, held };
}

test('downloadPrefix: a folder on the way swapped for a symbolic link during the run does not redirect the write out of the target', async () => {
  const { target, outside, held } = await swapForLink('race');
  const result = await s.faulty.downloadPrefix('race/', target, { concurrency: 1 });
  assert.equal(held.fired, 1);
  assert.deepEqual(readdirSync(outside), [], 'nothing written through the link, not even a part file');
  assert.deepEqual(
    result.files.map((f) => f.key),
    ['race/sub/a.txt'],
  );
  assert.deepEqual(
    result.failed.map((f) => [f.key, f.code]),
    [['race/sub/b.txt', 'UNSAFE_KEY']],
  );
  assert.match(result.failed[0]!.reason, /leads outside .*symbolic link/);
  assert.equal(readFileSync(join(target, 'sub-was', 'a.txt'), 'utf8'), 'first');
  assert.ok(!existsSync(join(target, 'sub-was', 'b.txt')));
});

test('get -r: a folder swapped for a symbolic link during the run: nothing written through it, that key named, exit 1', async () => {
  const { outside, held, target } = await swapForLink('race2');
  const run = await cli(
    ['--endpoint', s.proxy.endpoint, ...on(s.bucket), 'get', '-r', 'race2/', 'race2', '--concurrency', '1'],
    { cwd: s.dir },
  );
  assert.equal(held.fired, 1, run.stderr);
  assertExit(run, 1);
  assert.deepEqual(readdirSync(outside), [], 'nothing written through the link, not even a part file');
  assert.match(run.stderr, /^not written "race2\/sub\/b\.txt": .*leads outside .*symbolic link.* \(UNSAFE_KEY\)$/m);
  assert.equal(readFileSync(join(target, 'sub-was', 'a.txt'), 'utf8'), 'first');
});

test('get -r writes files while it lists: files are on disk before the second page of the listing is asked for', async () => {
  const keys = Array.from({ length: 1005 }, (_, i) => `many/k${String(i).padStart(4, '0')}`);
  for (let i = 0; i < keys.length; i += 50)
    await Promise.all(keys.slice(i, i + 50).map((k) => s.direct.uploadObject('x', k)));
  const target = join(s.dir, 'many');
  let onDisk: string[] = [];
  // The second page's request waits until the test has seen files in the folder (or 5 s).
  const held = s.proxy.inject({
    method: 'GET',
    query: { 'continuation-token': true },
    action: {
      kind: 'hold',
      until: async () => {
        for (let i = 0; i < 100 && onDisk.length === 0; i++) {
          onDisk = existsSync(target) ? readdirSync(target).filter((f) => !f.endsWith('.part')) : [];
          if (onDisk.length === 0) await new Promise((r) => setTimeout(r, 50));
        }
      },
    },
  });
  const run = await cli(['--endpoint', s.proxy.endpoint, ...on(s.bucket), 'get', '-r', 'many/', 'many'], {
    cwd: s.dir,
  });
  assertExit(run, 0);
  assert.equal(held.fired, 1);
  assert.ok(onDisk.length > 0, 'files were written before the second page was asked for');
  assert.equal(readdirSync(target).length, keys.length);
});
