/**
 * Every byte verified, both ways, through a proxy that flips one bit in the middle of a body
 * (lengths and headers unchanged): with the first bodies corrupted, every upload and download
 * ends intact (the store refuses a corrupted upload's Content-MD5 and it is sent again; a
 * download whose bytes do not match the ETag is fetched again); with every body corrupted, each
 * fails CORRUPT and leaves no object, no open upload and no file. What is stored is read back
 * straight from RGW, never through the proxy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertNothingLeft, faultSuite } from '../support/fault.js';
import { pendingUploads, rgw } from '../support/rgw.js';
import { isCloudSparkError } from '../unit/helpers.js';
import type { FaultRule } from '../support/fault-proxy.js';
import type { DownloadOptions } from '../../src/index.js';

const MiB = 1024 * 1024;
const small = randomBytes(300_000);
const big = randomBytes(12 * MiB + 4321);

const s = faultSuite('fault-integrity', {}, async (s) => {
  writeFileSync(join(s.dir, 'small.bin'), small);
  writeFileSync(join(s.dir, 'big.bin'), big);
});

/** The object as RGW holds it, read straight from RGW. */
const stored = async (key: string) => Buffer.from(await (await s.direct.getObject(key)).bytes());
/** Flips a bit in the first `times` request bodies of PUTs (uploads) or answer bodies of GETs (downloads). */
const corrupt = (way: 'up' | 'down', times: number, extra: Partial<FaultRule> = {}) =>
  s.proxy.inject({
    method: way === 'up' ? 'PUT' : 'GET',
    times,
    action: { kind: 'corrupt', body: way === 'up' ? 'request' : 'response' },
    ...extra,
  });
const puts = () => s.proxy.seen.filter((r) => r.method === 'PUT').length;
const gets = () => s.proxy.seen.filter((r) => r.method === 'GET').length;
/** No file and no part file in `folder`, but those named. */
const filesIn = (folder: string) => readdirSync(folder).sort();

// ------------------------------------------------------------------ up

test('uploadFile, one PUT: the first body corrupted is refused by the store (BadDigest) and sent again: the stored bytes are the file', async () => {
  s.proxy.reset();
  const fault = corrupt('up', 1);
  await s.faulty.uploadFile(join(s.dir, 'small.bin'), 'up/one.bin');
  assert.equal(fault.fired, 1);
  assert.equal(puts(), 2, 'the refused PUT was sent once more');
  assert.ok((await stored('up/one.bin')).equals(small));
});

test('uploadFile, multipart: the first two part bodies corrupted are sent again: intact, no upload left open', async () => {
  s.proxy.reset();
  const fault = corrupt('up', 2, { query: { partNumber: true } });
  await s.faulty.uploadFile(join(s.dir, 'big.bin'), 'up/parts.bin', { partSize: 5 * MiB, concurrency: 1 });
  assert.equal(fault.fired, 2);
  assert.equal(puts(), 3 + 2);
  assert.ok((await stored('up/parts.bin')).equals(big));
  assert.deepEqual(await pendingUploads(s.direct), []);
});

test('uploadObject (the SDK path), one PUT and multipart: a corrupted first body is retried by the SDK: intact', async () => {
  s.proxy.reset();
  const one = corrupt('up', 1);
  await s.faulty.uploadObject(small, 'up/sdk-one.bin');
  assert.equal(one.fired, 1);
  assert.ok((await stored('up/sdk-one.bin')).equals(small));
  const parts = corrupt('up', 1, { query: { partNumber: '2' } });
  await s.faulty.uploadObject(big, 'up/sdk-parts.bin');
  assert.equal(parts.fired, 1);
  assert.ok((await stored('up/sdk-parts.bin')).equals(big));
  assert.deepEqual(await pendingUploads(s.direct), []);
});

test('uploadDirectory: corrupted bodies among its files are sent again: every file intact', async () => {
  s.proxy.reset();
  const tree = join(s.dir, 'tree');
  mkdirSync(join(tree, 'sub'), { recursive: true });
  const files = { 'a.bin': randomBytes(70_000), 'sub/b.bin': randomBytes(1), 'sub/c.bin': big };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(tree, name), bytes);
  const fault = corrupt('up', 3);
  const result = await s.faulty.uploadDirectory(tree, 'up/tree', { partSize: 5 * MiB });
  assert.equal(fault.fired, 3);
  assert.equal(result.verified, true);
  for (const [name, bytes] of Object.entries(files)) assert.ok((await stored(`up/tree/${name}`)).equals(bytes), name);
});

test('every upload body corrupted: uploadFile (one PUT and multipart), uploadObject and uploadDirectory fail CORRUPT and leave nothing', async () => {
  s.proxy.reset();
  const fault = corrupt('up', Infinity);
  await assert.rejects(s.faulty.uploadFile(join(s.dir, 'small.bin'), 'bad/one.bin'), isCloudSparkError('CORRUPT'));
  await assertNothingLeft(s.direct, 'bad/one.bin');
  await assert.rejects(
    s.faulty.uploadFile(join(s.dir, 'big.bin'), 'bad/parts.bin', { partSize: 5 * MiB }),
    isCloudSparkError('CORRUPT'),
  );
  await assertNothingLeft(s.direct, 'bad/parts.bin');
  await assert.rejects(s.faulty.uploadObject(big, 'bad/sdk.bin'), isCloudSparkError('CORRUPT'));
  await assertNothingLeft(s.direct, 'bad/sdk.bin');
  const tree = join(s.dir, 'bad-tree');
  mkdirSync(tree);
  writeFileSync(join(tree, 'x.bin'), small);
  await assert.rejects(
    s.faulty.uploadDirectory(tree, 'bad/tree'),
    (e: Error & { code?: string; cause?: { code?: string } }) => {
      return e.code === 'CORRUPT' && /on every attempt/.test(e.message);
    },
  );
  await assertNothingLeft(s.direct, 'bad/tree/x.bin');
  assert.ok(fault.fired >= 3 * 4, `every attempt was corrupted (${fault.fired})`);
});

// ------------------------------------------------------------------ down

/** Downloads `key` through the proxy to a fresh path; the file must equal `expected`. */
async function download(key: string, expected: Buffer, options: DownloadOptions = {}) {
  const path = join(s.dir, `dl-${key.replace(/\W/g, '_')}`);
  rmSync(path, { force: true });
  const result = await s.faulty.downloadObject(key, path, options);
  assert.ok(readFileSync(path).equals(expected), `the file written for ${key} is the object`);
  rmSync(path);
  return result;
}

test('downloadObject, one part: a corrupted body is fetched again; verified: true and the same bytes', async () => {
  await s.direct.uploadObject(small, 'down/one.bin');
  s.proxy.reset();
  const fault = corrupt('down', 1);
  const result = await download('down/one.bin', small);
  assert.equal(fault.fired, 1);
  assert.equal(result.verified, true);
  assert.equal(result.unverifiedReason, undefined);
  assert.equal(gets(), 1 + 2, 'one GET, then the object again in two ranges with other boundaries');
});

test('downloadObject, multipart uploaded by cloudspark (part size recorded), ranges not aligned to its parts: a corrupted range is fetched again', async () => {
  await s.direct.uploadFile(join(s.dir, 'big.bin'), 'down/cs.bin', { partSize: 5 * MiB });
  assert.equal((await s.direct.headObject('down/cs.bin')).metadata['cloudspark-part-size'], String(5 * MiB));
  s.proxy.reset();
  const fault = corrupt('down', 1, { headers: { range: /^bytes=4194304-/ } });
  const result = await download('down/cs.bin', big, { partSize: 4 * MiB, concurrency: 3 });
  assert.equal(fault.fired, 1);
  assert.equal(result.verified, true);
});

test("downloadObject, multipart uploaded by the SDK's lib-storage with 8 MiB parts (nothing recorded: the layout is inferred): intact", async () => {
  const body = randomBytes(20 * MiB + 99);
  const client = new S3Client({
    endpoint: rgw.endpoint,
    region: rgw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await new Upload({ client, params: { Bucket: s.bucket, Key: 'down/sdk.bin', Body: body }, partSize: 8 * MiB }).done();
  client.destroy();
  const head = await s.direct.headObject('down/sdk.bin');
  assert.match(head.etag ?? '', /-3"$/);
  assert.equal(head.metadata['cloudspark-part-size'], undefined);
  s.proxy.reset();
  const fault = corrupt('down', 2);
  const result = await download('down/sdk.bin', body);
  assert.equal(fault.fired, 2);
  assert.equal(result.verified, true);
});

test('downloadObject with every body corrupted: CORRUPT after the retries, no file and no part file', async () => {
  await s.direct.uploadFile(join(s.dir, 'big.bin'), 'down/all.bin', { partSize: 5 * MiB });
  const folder = join(s.dir, 'all');
  mkdirSync(folder);
  for (const [key, options] of [
    ['down/one.bin', {}],
    ['down/all.bin', { partSize: 4 * MiB }],
  ] as const) {
    s.proxy.reset();
    corrupt('down', Infinity);
    await assert.rejects(s.faulty.downloadObject(key, join(folder, 'x.bin'), options), isCloudSparkError('CORRUPT'));
    assert.deepEqual(filesIn(folder), [], key);
  }
});

test('downloadPrefix: corrupted bodies among its files are fetched again: every file intact and verified', async () => {
  const files = { 'p/a.bin': randomBytes(1000), 'p/b/c.bin': small };
  for (const [key, bytes] of Object.entries(files)) await s.direct.uploadObject(bytes, key);
  s.proxy.reset();
  // Object bodies only: a listing's XML has no checksum to check (a flipped bit there is an XML error).
  const objects = { path: /\/p\// };
  const fault = corrupt('down', 2, objects);
  const target = join(s.dir, 'prefix');
  const result = await s.faulty.downloadPrefix('p/', target);
  assert.equal(fault.fired, 2);
  assert.equal(result.verified, true);
  assert.deepEqual(
    result.files.map((f) => f.verified),
    [true, true],
  );
  assert.ok(readFileSync(join(target, 'a.bin')).equals(files['p/a.bin']));
  assert.ok(readFileSync(join(target, 'b', 'c.bin')).equals(files['p/b/c.bin']));
  s.proxy.reset();
  corrupt('down', Infinity, objects);
  const bad = join(s.dir, 'prefix-bad');
  await assert.rejects(s.faulty.downloadPrefix('p/', bad), isCloudSparkError('CORRUPT'));
  assert.deepEqual(
    readdirSync(bad, { recursive: true }).filter((f) => !['b'].includes(String(f))),
    [],
    'no file and no part file',
  );
});

test('verified: false, with the reason, for an ETag that is no MD5 and for an SSE-KMS object (faked by the proxy); the bytes are still written', async () => {
  s.proxy.reset();
  const fake = s.proxy.inject({
    method: 'GET',
    times: 1,
    action: { kind: 'answer-headers', headers: { etag: '"f00d"' } },
  });
  const result = await download('down/one.bin', small);
  assert.equal(fake.fired, 1);
  assert.equal(result.verified, false);
  assert.match(result.unverifiedReason ?? '', /ETag "f00d" is not an MD5/);
  s.proxy.reset();
  s.proxy.inject({
    method: 'GET',
    times: 1,
    action: { kind: 'answer-headers', headers: { 'x-amz-server-side-encryption': 'aws:kms' } },
  });
  const kms = await download('down/one.bin', small);
  assert.equal(kms.verified, false);
  assert.match(kms.unverifiedReason ?? '', /SSE-KMS/);
});

test('verify: false skips the check: the corrupted bytes are written (this is what the check prevents), verified: false', async () => {
  s.proxy.reset();
  const fault = corrupt('down', 1);
  const path = join(s.dir, 'unchecked.bin');
  const result = await s.faulty.downloadObject('down/one.bin', path, { verify: false });
  assert.equal(fault.fired, 1);
  assert.equal(result.verified, false);
  assert.equal(result.unverifiedReason, 'verify is off');
  assert.ok(!readFileSync(path).equals(small), 'the proxy really corrupts what it forwards');
  rmSync(path);
});

test('getObject: a whole body that does not match its ETag fails CORRUPT instead of ending; an intact one ends', async () => {
  s.proxy.reset();
  const fault = corrupt('down', 1);
  await assert.rejects((await s.faulty.getObject('down/one.bin')).bytes(), isCloudSparkError('CORRUPT'));
  assert.equal(fault.fired, 1);
  assert.ok(Buffer.from(await (await s.faulty.getObject('down/one.bin')).bytes()).equals(small));
  corrupt('down', 1);
  await assert.rejects(
    (await s.faulty.getObject('down/cs.bin')).text(),
    isCloudSparkError('CORRUPT'),
    'a multipart object with its part size recorded',
  );
});
