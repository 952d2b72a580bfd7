/**
 * Who an upload in progress belongs to (#17, item 4): the page keeps a multipart upload that
 * failed on the network, to resume it on the next call for the same file. That call resumes it
 * only for the same handler and the same headers (the same user): the same file sent with
 * another user's headers starts an upload of its own, rather than sending the first one's token.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { pendingUploads } from '../support/rgw.js';
import { demoBehindProxy, randomFile, stageFiles, uploadInPage, type DemoBehindProxy } from '../support/demo-page.js';

const MiB = 1024 * 1024;
let s: DemoBehindProxy;
let page: Page;
before(async () => {
  s = await demoBehindProxy('fault-resume', { rules: { maxSize: 64 * MiB } });
  page = await s.openPage();
});
after(() => s?.close());

const creates = () => s.proxy.seen.filter((r) => r.method === 'POST' && /(^|&)uploads(=|&|$)/.test(r.query)).length;
const lists = () => s.proxy.seen.filter((r) => r.method === 'GET' && /(^|&)uploadId=/.test(r.query)).length;

test("a failed upload is resumed for the same headers, and not for another user's: that one starts its own", async () => {
  s.proxy.reset();
  const file = randomFile('resume-who.bin', 6 * MiB);
  await stageFiles(page, [file]);
  const alice = { url: '/api/uploads', headers: { 'x-user': 'alice' } };
  const bob = { url: '/api/uploads', headers: { 'x-user': 'bob' } };
  // Every part cut: the upload fails on the network and is kept for a resume.
  const cut = s.proxy.inject({
    method: 'PUT',
    query: { partNumber: true },
    times: Infinity,
    action: { kind: 'cut-request', bytes: 0 },
  });
  const [failed] = await uploadInPage(page, 'uploadMultipart', [file.name], { api: alice, retries: 0 });
  assert.equal(failed!.code, 'NETWORK');
  assert.ok(cut.fired > 0);
  cut.remove();
  assert.equal(creates(), 1);
  const left = await pendingUploads(s.direct);
  assert.equal(left.length, 1, 'kept open for a resume');

  // Bob, same file: an upload of his own (a second create), not Alice's resumed.
  const [bobs] = await uploadInPage(page, 'uploadMultipart', [file.name], { api: bob });
  assert.ok(bobs!.ok, JSON.stringify(bobs));
  assert.equal(creates(), 2, 'bob started his own upload');

  // Alice again: hers is resumed (its parts listed, no third create).
  const listedBefore = lists();
  const [hers] = await uploadInPage(page, 'uploadMultipart', [file.name], { api: alice });
  assert.ok(hers!.ok, JSON.stringify(hers));
  assert.equal(creates(), 2, 'alice resumed hers');
  assert.ok(lists() > listedBefore);
  assert.deepEqual(await pendingUploads(s.direct), []);
});
