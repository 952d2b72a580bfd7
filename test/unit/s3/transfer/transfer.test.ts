/**
 * Transfers refuse bad input before any network call (the endpoint here has nothing listening),
 * and the rule that keeps downloadPrefix's files inside their folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { S3Connection } from '../../../../src/index.js';
import { unsafeReason } from '../../../../src/s3/transfer/folders.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE, invalid, isCloudSparkError } from '../../helpers.js';

const connect = () =>
  new S3Connection({
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    endpoint: UNREACHABLE,
    region: 'us-east-1',
    bucket: 'my-bucket',
  });

test('control: a valid download reaches the network and fails with NETWORK, leaving no file', async () => {
  const c = connect();
  const path = '/tmp/cloudspark-unit-never-written.txt';
  rmSync(path, { force: true });
  await assert.rejects(c.downloadObject('a.txt', path), isCloudSparkError('NETWORK'));
  assert.ok(!existsSync(path), 'no file written');
  assert.deepEqual(
    readdirSync('/tmp').filter((f) => f.startsWith('.cloudspark-unit-never-written.txt.cloudspark-')),
    [],
    'no part file',
  );
  c.close();
});

test('downloadObject refuses a bad key, path or option before any network call', async () => {
  const c = connect();
  await assert.rejects(c.downloadObject('', 'x'), invalid('key'));
  await assert.rejects(c.downloadObject('a', ''), invalid('path'));
  for (const [options, field] of [
    [{ concurrency: 0 }, 'concurrency'],
    [{ concurrency: 65 }, 'concurrency'],
    [{ partSize: 1000 }, 'partSize'],
    [{ partSize: 6 * 1024 ** 3 }, 'partSize'],
    [{ retries: -1 }, 'retries'],
    [{ onProgress: 'no' }, 'onProgress'],
    [{ signal: {} }, 'signal'],
  ] as const) {
    await assert.rejects(c.downloadObject('a', 'x', options as never), invalid(field));
  }
  c.close();
});

test('uploadDirectory and downloadPrefix refuse bad arguments before any network call', async () => {
  const c = connect();
  await assert.rejects(c.uploadDirectory('', 'p/'), invalid('dir'));
  await assert.rejects(c.uploadDirectory('.', 42 as never), invalid('prefix'));
  await assert.rejects(c.uploadDirectory('.', 'p/', { partSize: 1024 * 1024 }), invalid('partSize'));
  await assert.rejects(c.downloadPrefix('p/', ''), invalid('dir'));
  await assert.rejects(c.downloadPrefix('p/', 'out', { concurrency: 100 }), invalid('concurrency'));
  // A folder that does not exist is a local failure, found before any request.
  await assert.rejects(c.uploadDirectory('/no/such/folder/here', 'p/'), isCloudSparkError('FILE'));
  c.close();
});

test('a key\'s path after the prefix must be plain names: no "..", ".", empty segment, or leading "/"', () => {
  for (const ok of ['a.txt', 'a/b/c.txt', 'été/çà là.png', '..a/b..', '.hidden', 'a/.b/c'])
    assert.equal(unsafeReason(ok), undefined, ok);
  for (const [bad, why] of [
    ['../x', /"\.\." segment/],
    ['a/../../x', /"\.\." segment/],
    ['a/..', /"\.\." segment/],
    ['./x', /"\." segment/],
    ['a//b', /empty segment/],
    ['/etc/passwd', /absolute/],
    ['a/b\0c', /NUL/],
  ] as const) {
    assert.match(unsafeReason(bad) ?? 'accepted', why, bad);
  }
});
