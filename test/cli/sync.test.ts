/** sync, both ways: only what differs goes, a second run with nothing changed sends nothing; --delete, --dryrun, --exclude/--include. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connection, removeBucket, uniqueBucket } from '../support/rgw.js';
import { assertExit, cli, json } from '../support/cli.js';

const bucket = uniqueBucket('cli-sync');
const dir = mkdtempSync(join(tmpdir(), 'cloudspark-cli-sync-'));
const site = join(dir, 'site');
before(async () => {
  assertExit(await cli(['mb', bucket]), 0);
  mkdirSync(join(site, 'css'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<h1>hi</h1>');
  writeFileSync(join(site, 'css', 'a.css'), 'body{}');
  writeFileSync(join(site, 'debug.log'), 'noise');
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await removeBucket(bucket);
});

type Synced = { uploaded?: string[]; downloaded?: string[]; deleted: string[] };
async function sync(...args: string[]): Promise<Synced> {
  const run = await cli(['sync', ...args, '--json']);
  assertExit(run, 0);
  return json<Synced>(run);
}
const keys = async () => (await connection({ bucket }).getObjects({ onlyKeys: true })).sort();

test('up: the first run sends every file, a second run nothing, and after one file changes only that one', async () => {
  assert.deepEqual((await sync(site, `s3://${bucket}/www/`)).uploaded!.sort(), [
    'css/a.css',
    'debug.log',
    'index.html',
  ]);
  assert.deepEqual(await keys(), ['www/css/a.css', 'www/debug.log', 'www/index.html']);
  assert.deepEqual((await sync(site, `s3://${bucket}/www/`)).uploaded, [], 'nothing changed, nothing sent');
  writeFileSync(join(site, 'index.html'), '<h1>hello again</h1>');
  assert.deepEqual((await sync(site, `s3://${bucket}/www/`)).uploaded, ['index.html']);
  assert.equal(await (await connection({ bucket }).getObject('www/index.html')).text(), '<h1>hello again</h1>');
});

test("up: a file that is newer but holds the same bytes (a touch) is not sent again: its MD5 is the object's ETag", async () => {
  const inAnHour = new Date(Date.now() + 3600_000);
  utimesSync(join(site, 'index.html'), inAnHour, inAnHour);
  assert.deepEqual((await sync(site, `s3://${bucket}/www/`)).uploaded, [], 'same bytes, nothing sent');
  writeFileSync(join(site, 'index.html'), '<h1>HELLO again</h1>'); // same size, other bytes
  utimesSync(join(site, 'index.html'), inAnHour, inAnHour);
  assert.deepEqual((await sync(site, `s3://${bucket}/www/`)).uploaded, ['index.html'], 'same size, other bytes: sent');
  // Back to the old bytes: same size again, so it must be newer than the object to go.
  writeFileSync(join(site, 'index.html'), '<h1>hello again</h1>');
  utimesSync(join(site, 'index.html'), new Date(Date.now() + 7200_000), new Date(Date.now() + 7200_000));
  assert.deepEqual((await sync(site, `s3://${bucket}/www/`)).uploaded, ['index.html']);
});

test('up with --delete: --dryrun names the key and deletes nothing, then it goes; --exclude keeps a key out of the comparison', async () => {
  unlinkSync(join(site, 'css', 'a.css'));
  const dry = await sync(site, `s3://${bucket}/www/`, '--delete', '--dryrun');
  assert.deepEqual(dry.deleted, ['css/a.css']);
  assert.ok((await keys()).includes('www/css/a.css'), 'a dry run deletes nothing');
  unlinkSync(join(site, 'debug.log'));
  const real = await sync(site, `s3://${bucket}/www/`, '--delete', '--exclude', '*.log');
  assert.deepEqual(real.deleted, ['css/a.css'], 'debug.log is excluded: neither sent nor deleted');
  assert.deepEqual(await keys(), ['www/debug.log', 'www/index.html']);
});

test("down: every object into a new folder, a second run fetches nothing (the files carry the objects' times); --include re-admits an excluded path", async () => {
  const copy = join(dir, 'copy');
  const first = await sync(`s3://${bucket}/www/`, copy, '--exclude', '*', '--include', '*.html');
  assert.deepEqual(first.downloaded, ['index.html']);
  assert.ok(!existsSync(join(copy, 'debug.log')));
  assert.deepEqual((await sync(`s3://${bucket}/www/`, copy)).downloaded, ['debug.log']);
  assert.equal(readFileSync(join(copy, 'index.html'), 'utf8'), '<h1>hello again</h1>');
  assert.deepEqual((await sync(`s3://${bucket}/www/`, copy)).downloaded, [], 'nothing changed, nothing fetched');
  // An older file with the object's bytes is not fetched again: it takes the object's time.
  const objectTime = statSync(join(copy, 'index.html')).mtimeMs;
  utimesSync(join(copy, 'index.html'), new Date('2020-01-01'), new Date('2020-01-01'));
  assert.deepEqual((await sync(`s3://${bucket}/www/`, copy)).downloaded, [], 'same bytes, nothing fetched');
  assert.equal(statSync(join(copy, 'index.html')).mtimeMs, objectTime);
  writeFileSync(join(copy, 'stray.txt'), 'not in the bucket');
  assert.deepEqual((await sync(`s3://${bucket}/www/`, copy, '--delete')).deleted, ['stray.txt']);
  assert.ok(!existsSync(join(copy, 'stray.txt')));
});

test('two folders or two buckets: a usage error', async () => {
  for (const args of [
    [site, join(dir, 'x')],
    [`s3://${bucket}/a/`, `s3://${bucket}/b/`],
  ]) {
    const run = await cli(['sync', ...args]);
    assertExit(run, 2);
  }
});
