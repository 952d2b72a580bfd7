/** Ctrl-C during a multipart upload: exit 130, nothing stored, and no parts left behind. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connection, pendingUploads, removeBucket, uniqueBucket } from '../support/rgw.js';
import { assertExit, cli, finished, on, spawnCli } from '../support/cli.js';

const bucket = uniqueBucket('cli-cancel');
const s3 = connection({ bucket });
before(async () => assertExit(await cli(['bucket', 'create', bucket]), 0));
after(async () => {
  s3.close();
  await removeBucket(bucket);
});

const pending = async () => (await pendingUploads(s3)).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('Ctrl-C while stdin is still coming: exit 130, no object, the multipart upload aborted', async () => {
  const child = spawnCli(['put', '-', 'big/cancelled.bin', ...on(bucket)], { openStdin: true });
  const done = finished(child);
  // The bin may be interrupted while this write is still going through the pipe: the EPIPE
  // that follows is expected, and without a listener it would be an uncaught exception.
  const stdinErrors: NodeJS.ErrnoException[] = [];
  child.stdin!.on('error', (error) => stdinErrors.push(error));
  // Two parts' worth, and the stream stays open: the upload is multipart and not finished.
  child.stdin!.write(Buffer.alloc(12 * 1024 * 1024, 3));
  // However long the bin takes to start on a busy machine: the event is the upload begun, not a time.
  for (const end = Date.now() + 60_000; Date.now() < end && (await pending()) === 0;) await sleep(25);
  assert.equal(await pending(), 1, 'the multipart upload started');
  child.kill('SIGINT');
  const run = await done;
  assertExit(run, 130);
  assert.deepEqual(
    stdinErrors.map((e) => e.code).filter((code) => code !== 'EPIPE'),
    [],
  );
  assert.match(run.stderr, /uploadObject\("big\/cancelled\.bin"\) was cancelled; nothing was stored/);
  assertExit(await cli(['head', 'big/cancelled.bin', ...on(bucket)]), 1);
  // The abort is sent as the upload stops; give RGW a moment to list it as gone.
  let left = 1;
  for (let i = 0; i < 40 && left > 0; i++) {
    left = await pending();
    if (left) await sleep(100);
  }
  assert.equal(left, 0);
});
