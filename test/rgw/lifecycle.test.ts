/**
 * Orphaned multipart uploads against RGW: the abort rule is stored beside the bucket's other
 * lifecycle rules and replaced, never duplicated; stale uploads are aborted by age and prefix.
 * The test RGW runs with `rgw enable lc threads = false`, so rules are stored but never run:
 * what is proven is the rule as stored, not the store's expiry.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetBucketLifecycleConfigurationCommand, PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { ABORT_RULE_ID } from '../../src/index.js';
import { pendingUploads, sdkClient, withBucket } from '../support/rgw.js';

let ctx: Awaited<ReturnType<typeof withBucket>>;
before(async () => (ctx = await withBucket('lifecycle')));
after(() => ctx.cleanup());

const expireTmp = { ID: 'expire-tmp', Status: 'Enabled' as const, Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 } };

test('abortIncompleteUploads keeps the other rules and replaces its own, by its fixed ID', async () => {
  assert.deepEqual(await ctx.conn.getAbortIncompleteUploads(), [], 'no lifecycle configuration at all reads as none');
  const client = sdkClient();
  try {
    await client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: ctx.bucket,
        LifecycleConfiguration: { Rules: [expireTmp] },
      }),
    );
    assert.deepEqual(await ctx.conn.abortIncompleteUploads({ afterDays: 7 }), {
      id: ABORT_RULE_ID,
      prefix: '',
      afterDays: 7,
    });
    await ctx.conn.abortIncompleteUploads({ afterDays: 2 });
    const stored = (await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: ctx.bucket }))).Rules ?? [];
    assert.deepEqual(stored.map((r) => r.ID).sort(), ['cloudspark-abort-incomplete-uploads', 'expire-tmp']);
    const ours = stored.find((r) => r.ID === ABORT_RULE_ID)!;
    assert.deepEqual([ours.Status, ours.AbortIncompleteMultipartUpload], ['Enabled', { DaysAfterInitiation: 2 }]);
    const theirs = stored.find((r) => r.ID === 'expire-tmp')!;
    assert.deepEqual([theirs.Filter, theirs.Expiration?.Days], [{ Prefix: 'tmp/' }, 1]);
    assert.deepEqual(await ctx.conn.getAbortIncompleteUploads(), [{ id: ABORT_RULE_ID, prefix: '', afterDays: 2 }]);
  } finally {
    client.destroy();
  }
});

test("abortStaleUploads aborts by age (the store's clock) and prefix, lists first with dryRun, and says what it aborted", async () => {
  const old = [await ctx.conn.createMultipartUpload('old/a.bin'), await ctx.conn.createMultipartUpload('other/b.bin')];
  // Ages are measured against the store's Date header (whole seconds): wait until the store
  // itself finds both older than the limit, however busy the machine, rather than a fixed time.
  for (const end = Date.now() + 30_000; Date.now() < end; await sleep(250)) {
    if ((await ctx.conn.abortStaleUploads({ olderThan: 1000, dryRun: true })).length === 2) break;
  }
  const fresh = await ctx.conn.createMultipartUpload('old/fresh.bin');
  const keys = (list: Array<{ key: string }>) => list.map((u) => u.key).sort();

  assert.deepEqual(await ctx.conn.abortStaleUploads({ olderThan: 3_600_000 }), [], 'nothing is an hour old');
  const dry = await ctx.conn.abortStaleUploads({ olderThan: 1000, dryRun: true });
  assert.deepEqual(keys(dry), ['old/a.bin', 'other/b.bin']);
  assert.equal((await pendingUploads(ctx.conn)).length, 3, 'a dry run aborts nothing');

  const aborted = await ctx.conn.abortStaleUploads({ olderThan: 1000, prefix: 'old/' });
  assert.deepEqual(
    aborted.map((u) => u.uploadId),
    [old[0]!.uploadId],
  );
  assert.ok(aborted[0]!.initiated instanceof Date);
  assert.deepEqual(keys(await pendingUploads(ctx.conn)), ['old/fresh.bin', 'other/b.bin']);

  assert.deepEqual(keys(await ctx.conn.abortStaleUploads({ olderThan: 0 })), ['old/fresh.bin', 'other/b.bin']);
  assert.deepEqual(await pendingUploads(ctx.conn), []);
  assert.ok(fresh.uploadId);
});
