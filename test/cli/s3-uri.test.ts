/**
 * `s3://BUCKET/KEY` wherever a key or prefix is named, as aws CLI, s3cmd and mc users type it,
 * with no --bucket and no CLOUDSPARK_BUCKET; `ls` with no bucket lists the buckets.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connection, removeBucket, uniqueBucket } from '../support/rgw.js';
import { assertExit, cli, json } from '../support/cli.js';

const bucket = uniqueBucket('cli-uri');
const other = uniqueBucket('cli-uri-other');
const dir = mkdtempSync(join(tmpdir(), 'cloudspark-cli-uri-'));
const small = join(dir, 'small.txt');
before(async () => {
  writeFileSync(small, 'named by s3://\n');
  for (const b of [bucket, other]) assertExit(await cli(['bucket', 'create', b]), 0);
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const b of [bucket, other]) await removeBucket(b);
});

const s3 = (key = '') => `s3://${bucket}/${key}`;
const keys = async () => (await connection({ bucket }).getObjects({ onlyKeys: true })).sort();

test("put, ls, head, get and rm with s3:// paths: the bucket comes from the path, and a key ending in / takes the file's name", async () => {
  assertExit(await cli(['put', small, s3('x.txt')]), 0);
  assertExit(await cli(['put', small, s3('docs/')]), 0);
  assert.deepEqual(await keys(), ['docs/small.txt', 'x.txt'], 'not "s3://..." literal keys');

  const ls = await cli(['ls', s3('docs/'), '--json']);
  assertExit(ls, 0);
  assert.deepEqual(
    ls.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { key: string }).key),
    ['docs/small.txt'],
  );

  // One level by default, as aws s3 ls: the folder as a PRE line; -r: every object under it.
  const top = await cli(['ls', s3()]);
  assertExit(top, 0);
  assert.match(top.stdout, /^ +PRE  docs\/$/m);
  assert.match(top.stdout, /^\S+ +\d+  x\.txt$/m);
  assert.doesNotMatch(top.stdout, /docs\/small\.txt/);
  const lines = (await cli(['ls', s3(), '--json'])).stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { prefix?: string; key?: string });
  assert.deepEqual(
    lines.map((l) => l.prefix ?? l.key),
    ['docs/', 'x.txt'],
  );
  const all = await cli(['ls', '-r', s3(), '--json']);
  assert.deepEqual(
    all.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { key: string }).key),
    ['docs/small.txt', 'x.txt'],
  );

  const head = await cli(['head', s3('x.txt'), '--json']);
  assertExit(head, 0);
  assert.equal(json<{ key: string }>(head).key, 'x.txt');

  const out = join(dir, 'back.txt');
  assertExit(await cli(['get', s3('docs/small.txt'), out]), 0);
  assert.equal(readFileSync(out, 'utf8'), 'named by s3://\n');

  const rm = await cli(['rm', s3('x.txt'), s3('docs/small.txt'), '--json']);
  assertExit(rm, 0);
  assert.deepEqual(json<{ bucket: string; deleted: string[] }>(rm), { bucket, deleted: ['x.txt', 'docs/small.txt'] });
  assert.deepEqual(await keys(), []);
});

test('an s3:// path wins over CLOUDSPARK_BUCKET; a --bucket that says otherwise, or two buckets in one command, is a usage error (exit 2), and nothing is sent', async () => {
  assertExit(await cli(['put', small, s3('env.txt')], { env: { CLOUDSPARK_BUCKET: other } }), 0);
  assert.deepEqual(await keys(), ['env.txt']);

  const conflict = await cli(['put', small, s3('y.txt'), '--bucket', other]);
  assertExit(conflict, 2);
  assert.match(conflict.stderr, new RegExp(`is in bucket ${bucket}, but --bucket says ${other}`));
  const two = await cli(['rm', s3('env.txt'), `s3://${other}/z`]);
  assertExit(two, 2);
  assert.match(two.stderr, /one bucket per command/);
  const none = await cli(['head', 's3:///k']);
  assertExit(none, 2);
  assert.match(none.stderr, /names no bucket/);
  assert.deepEqual(await keys(), ['env.txt'], 'nothing stored, nothing deleted');
});

test('ls with no bucket at all lists the buckets (as aws s3 ls does), text and --json', async () => {
  const text = await cli(['ls']);
  assertExit(text, 0);
  assert.match(text.stdout, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:]{8}Z  ${bucket}$`, 'm'));
  const listed = await cli(['ls', '--json']);
  assertExit(listed, 0);
  const names = listed.stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { name: string }).name);
  assert.ok(names.includes(bucket) && names.includes(other), names.join(', '));
  assert.deepEqual(names, [...names].sort(), 'by name');
});

test("a missing bucket is named as a missing bucket, by head (whose 404 has no body: the bucket is asked about), get, put and rm, with the CLI's own advice", async () => {
  const missing = `s3://${uniqueBucket('cli-uri-gone')}/k.txt`;
  for (const args of [
    ['head', missing],
    ['get', missing, join(dir, 'k.txt')],
    ['put', small, missing],
    ['rm', missing],
  ]) {
    const run = await cli([...args, '--json']);
    assertExit(run, 1);
    const { error } = json<{ error: { code: string; message: string; hint?: string } }>(run);
    assert.equal(error.code, 'NO_SUCH_BUCKET', `${args[0]}: ${error.message}`);
    assert.match(error.message, /bucket "cs-cli-uri-gone-[^"]+" does not exist/, args[0]);
    assert.doesNotMatch(error.message, /key "|createBucket\(\)/, `${args[0]}: not a key, and not the library's method`);
    assert.match(error.hint ?? '', /cloudspark .*bucket create/);
  }
  // A missing key in a bucket that exists is still a missing key.
  const head = await cli(['head', s3('not-there.txt'), '--json']);
  assertExit(head, 1);
  assert.equal(json<{ error: { code: string } }>(head).error.code, 'NO_SUCH_KEY');
});

test('--endpoint-url, as aws CLI spells it, is --endpoint; the two naming different endpoints is a usage error', async () => {
  const endpoint = process.env['S3_ENDPOINT']!;
  // The environment's endpoint leads nowhere: only the flag can make this work.
  const env = { S3_ENDPOINT: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: undefined, AWS_ENDPOINT_URL_S3: undefined };
  assertExit(await cli(['put', small, s3('via-url.txt'), '--endpoint-url', endpoint], { env }), 0);
  assert.ok((await keys()).includes('via-url.txt'));
  const both = await cli(['ls', s3(), '--endpoint-url', endpoint, '--endpoint', 'http://127.0.0.1:2'], { env });
  assertExit(both, 2);
  assert.match(both.stderr, /--endpoint and --endpoint-url name two endpoints/);
});

test('put refused while the bucket\'s BlockPublicAcls is on: the hint says why (Ceph RGW refuses every PUT then) and how out, not "check the credentials"', async () => {
  assertExit(await cli(['public-access', 'block', '--bucket', bucket]), 0);
  try {
    const run = await cli(['put', small, s3('blocked.txt'), '--json']);
    assertExit(run, 1);
    const { error } = json<{ error: { code: string; hint?: string } }>(run);
    assert.equal(error.code, 'ACCESS_DENIED');
    assert.match(
      error.hint ?? '',
      new RegExp(
        `BlockPublicAcls is on, and Ceph RGW refuses every PUT while it is .*cloudspark --bucket ${bucket} public-access allow`,
      ),
    );
  } finally {
    assertExit(await cli(['public-access', 'allow', '--bucket', bucket]), 0);
  }
  // Allowed again, the same put goes through.
  assertExit(await cli(['put', small, s3('blocked.txt')]), 0);
});
