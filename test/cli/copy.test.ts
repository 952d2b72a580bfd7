/** cp and mv, as aws s3 users type them: to S3, from S3, and inside the store between two buckets, one object or a prefix. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connection, removeBucket, uniqueBucket } from '../support/rgw.js';
import { assertExit, cli, json } from '../support/cli.js';

const a = uniqueBucket('cli-cp-a');
const b = uniqueBucket('cli-cp-b');
const dir = mkdtempSync(join(tmpdir(), 'cloudspark-cli-cp-'));
before(async () => {
  for (const name of [a, b]) assertExit(await cli(['mb', name]), 0);
  writeFileSync(join(dir, 'report.txt'), 'the report\n');
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const name of [a, b]) await removeBucket(name);
});
const keys = async (bucket: string) => (await connection({ bucket }).getObjects({ onlyKeys: true })).sort();

test("cp to S3 (a key ending in / takes the file's name), from S3 to a file, and nothing at all without an s3:// side", async () => {
  assertExit(await cli(['cp', join(dir, 'report.txt'), `s3://${a}/docs/`]), 0);
  assert.deepEqual(await keys(a), ['docs/report.txt']);
  const back = join(dir, 'back.txt');
  assertExit(await cli(['cp', `s3://${a}/docs/report.txt`, back]), 0);
  assert.equal(readFileSync(back, 'utf8'), 'the report\n');
  const local = await cli(['cp', join(dir, 'report.txt'), join(dir, 'copy.txt')]);
  assertExit(local, 2);
  assert.match(local.stderr, /write one side as s3:\/\/BUCKET\/KEY/);
});

test('cp s3://a/k s3://b/k: a copy inside the store between two buckets, headers kept; cp -r of a prefix; mv deletes the source only after the copy', async () => {
  const s3a = connection({ bucket: a });
  await s3a.uploadObject('{"n":1}', 'tree/one.json', { contentType: 'application/json', metadata: { owner: 'ada' } });
  await s3a.uploadObject('two', 'tree/sub/two.txt');
  const one = await cli(['cp', `s3://${a}/tree/one.json`, `s3://${b}/copied/one.json`, '--json']);
  assertExit(one, 0);
  const copied = await connection({ bucket: b }).headObject('copied/one.json');
  assert.deepEqual([copied.contentType, copied.metadata], ['application/json', { owner: 'ada' }]);

  const tree = await cli(['cp', '-r', `s3://${a}/tree/`, `s3://${b}/all/`, '--json']);
  assertExit(tree, 0);
  assert.deepEqual(
    json<{ copied: Array<{ key: string; to: string }> }>(tree)
      .copied.map((c) => c.to)
      .sort(),
    ['all/one.json', 'all/sub/two.txt'],
  );
  assert.equal(await (await connection({ bucket: b }).getObject('all/sub/two.txt')).text(), 'two');

  const moved = await cli(['mv', '-r', `s3://${a}/tree/`, `s3://${b}/moved/`]);
  assertExit(moved, 0);
  assert.ok(!(await keys(a)).some((k) => k.startsWith('tree/')), 'the sources are gone');
  assert.ok((await keys(b)).includes('moved/sub/two.txt'));

  // A source that does not exist: exit 1, nothing copied, and mv deletes nothing.
  const missing = await cli(['mv', `s3://${a}/docs/nope.txt`, `s3://${b}/x.txt`, '--json']);
  assertExit(missing, 1);
  assert.equal(json<{ error: { code: string } }>(missing).error.code, 'NO_SUCH_KEY');
  assert.deepEqual(await keys(a), ['docs/report.txt']);
});

test('mv of a file to S3 removes the file once stored', async () => {
  const file = join(dir, 'to-move.txt');
  writeFileSync(file, 'moving');
  assertExit(await cli(['mv', file, `s3://${a}/moved.txt`]), 0);
  assert.ok(!existsSync(file));
  assert.equal(await (await connection({ bucket: a }).getObject('moved.txt')).text(), 'moving');
});
