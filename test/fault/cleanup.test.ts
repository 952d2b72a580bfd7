/**
 * Uploads that clean up after a cancel or a fault, and say so when they cannot (issue 16):
 * the signal reaches CreateMultipartUpload; an answer to it that is lost leaves no orphan upload
 * after the SDK's retry; and an abort that fails is named, with the upload id and the command
 * that removes it, never hidden behind "nothing was stored".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertExit, finished, json, on, spawnCli, cli } from '../support/cli.js';
import { pendingUploads } from '../support/rgw.js';
import { faultSuite, timed } from '../support/fault.js';
import { isCloudSparkError } from '../unit/helpers.js';

const MiB = 1024 * 1024;
const big = randomBytes(12 * MiB);
const s = faultSuite('fault-cleanup', { timeouts: { idle: 15_000 } }, async (s) => {
  writeFileSync(join(s.dir, 'big.bin'), big);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a cancel while CreateMultipartUpload has no answer: ABORTED at once (the signal reaches it), not after the attempts', async () => {
  s.proxy.reset();
  const stall = s.proxy.inject({
    method: 'POST',
    query: { uploads: true },
    times: Infinity,
    action: { kind: 'stall' },
  });
  const controller = new AbortController();
  const upload = timed(() =>
    s.faulty.uploadFile(join(s.dir, 'big.bin'), 'c/stalled.bin', { partSize: 5 * MiB, signal: controller.signal }),
  );
  while (stall.fired < 1) await sleep(10);
  controller.abort();
  const { ms, error } = await upload;
  assert.ok(isCloudSparkError('ABORTED')(error), String(error));
  assert.ok(ms < 3000, `${ms} ms (the idle limit is 15 s)`);
  assert.equal(stall.fired, 1, 'no second attempt');
});

test("the answer to CreateMultipartUpload lost (the store began the upload): after the SDK's retry, no orphan upload is left", async () => {
  s.proxy.reset();
  const lost = s.proxy.inject({ method: 'POST', query: { uploads: true }, action: { kind: 'cut-response', bytes: 0 } });
  await s.faulty.uploadFile(join(s.dir, 'big.bin'), 'c/lost.bin', { partSize: 5 * MiB });
  assert.equal(lost.fired, 1);
  assert.equal(
    s.proxy.seen.filter((r) => r.method === 'POST' && /(^|&)uploads(=|&|$)/.test(r.query)).length,
    2,
    'the create was sent twice',
  );
  assert.deepEqual(await pendingUploads(s.direct), [], 'the upload begun by the first attempt was aborted');
  assert.ok(Buffer.from(await (await s.direct.getObject('c/lost.bin')).bytes()).equals(big));
});

test('Ctrl-C during put while the store refuses the abort (503): exit 130, and the message names the upload left open and the command that removes it', async () => {
  s.proxy.reset();
  // Parts go slowly, so that the interrupt lands mid-upload; every DELETE (abort) is refused.
  s.proxy.inject({
    method: 'PUT',
    query: { partNumber: true },
    times: Infinity,
    action: { kind: 'slow', bytesPerSecond: 2 * MiB },
  });
  const refused = s.proxy.inject({ method: 'DELETE', times: Infinity, action: { kind: 'status', status: 503 } });
  const child = spawnCli(
    ['--endpoint', s.proxy.endpoint, ...on(s.bucket), 'put', 'big.bin', 'c/left.bin', '--part-size', '5MiB', '--json'],
    { cwd: s.dir },
  );
  const done = finished(child);
  while (!s.proxy.seen.some((r) => r.method === 'PUT')) await sleep(10);
  await sleep(200);
  child.kill('SIGINT');
  const run = await done;
  assertExit(run, 130);
  assert.ok(refused.fired >= 1, 'the abort was tried');
  const [open] = await pendingUploads(s.direct);
  assert.ok(open, 'the upload is still open on the store');
  const { error } = json<{ error: { message: string } }>(run);
  assert.doesNotMatch(error.message, /nothing was stored/);
  assert.match(error.message, /could not be aborted .*stays open/);
  assert.ok(error.message.includes(open.uploadId), 'names the upload id');
  const command = /cloudspark (multipart abort --key '[^']+' --upload-id '[^']+')/.exec(error.message);
  assert.ok(command, error.message);
  // The command it names removes it.
  const args = command[1]!.match(/'[^']+'|\S+/g)!.map((a) => a.replace(/^'|'$/g, ''));
  assertExit(await cli([...on(s.bucket), ...args]), 0);
  assert.deepEqual(await pendingUploads(s.direct), []);
});

test('put of a file rewritten in place while it is read (same size): exit 1 naming the change, nothing stored, no upload open', async () => {
  s.proxy.reset();
  const path = join(s.dir, 'rewritten.bin');
  writeFileSync(path, big);
  s.proxy.inject({
    method: 'PUT',
    query: { partNumber: true },
    times: Infinity,
    action: { kind: 'slow', bytesPerSecond: 4 * MiB },
  });
  const child = spawnCli(
    [
      '--endpoint',
      s.proxy.endpoint,
      ...on(s.bucket),
      'put',
      'rewritten.bin',
      'c/torn.bin',
      '--part-size',
      '5MiB',
      '--concurrency',
      '1',
      '--json',
    ],
    { cwd: s.dir },
  );
  const done = finished(child);
  while (!s.proxy.seen.some((r) => r.method === 'PUT')) await sleep(10);
  // Another program rewrites the file in place: same size, other bytes.
  const { openSync, writeSync, closeSync } = await import('node:fs');
  const fd = openSync(path, 'r+');
  writeSync(fd, randomBytes(big.length), 0, big.length, 0);
  closeSync(fd);
  const run = await done;
  assertExit(run, 1);
  const { error } = json<{ error: { code: string; message: string } }>(run);
  assert.equal(error.code, 'FILE');
  assert.match(error.message, /changed while it was read/);
  await assert.rejects(s.direct.headObject('c/torn.bin'), isCloudSparkError('NO_SUCH_KEY'));
  assert.deepEqual(await pendingUploads(s.direct), []);
});
