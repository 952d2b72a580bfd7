/** Presigned POST and URLs, checked by what only a real server shows: it accepts or refuses them. */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { PresignedPost } from '../../src/index.js';
import { withBucket } from '../support/rgw.js';

let ctx: Awaited<ReturnType<typeof withBucket>>;
before(async () => (ctx = await withBucket('presign')));
after(() => ctx.cleanup());

function postForm(
  post: PresignedPost,
  file: Uint8Array<ArrayBuffer> | string,
  overrides: Record<string, string> = {},
  type = 'text/plain',
) {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...post.fields, ...overrides })) form.append(name, value);
  form.append('file', new Blob([file], { type }), 'upload.txt');
  return fetch(post.url, { method: 'POST', body: form });
}

const s3Code = async (res: Response) => /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1];
const longAgo = () => new Date(Date.now() - 2 * 3600 * 1000);

describe('presigned POST (presignedCreateUrl)', () => {
  test('a browser-style form upload answers 204 and stores the file with its metadata', async () => {
    const post = await ctx.conn.presignedCreateUrl('forms/report.txt', {
      params: { owner: 'ada', purpose: 'test' },
      fields: { 'Content-Type': 'text/plain' },
      conditions: [['content-length-range', 1, 1024]],
    });
    assert.equal(post.fields['x-amz-meta-owner'], 'ada');
    const policy = JSON.parse(ctx.conn.policyDecode(post.fields['policy']!)) as { conditions: unknown[] };
    assert.deepEqual(policy.conditions.slice(0, 4), [
      ['content-length-range', 1, 1024],
      { 'x-amz-meta-owner': 'ada' },
      { 'x-amz-meta-purpose': 'test' },
      { 'Content-Type': 'text/plain' },
    ]);
    const res = await postForm(post, 'hello from a form');
    assert.equal(res.status, 204, await res.clone().text());
    const head = await ctx.conn.headObject('forms/report.txt');
    assert.deepEqual(head.metadata, { owner: 'ada', purpose: 'test' });
    assert.equal(head.contentType, 'text/plain');
    assert.equal(await (await ctx.conn.getObject('forms/report.txt')).text(), 'hello from a form');
  });

  test('content-length-range refuses a file that is too large (400 EntityTooLarge), and nothing is stored', async () => {
    const post = await ctx.conn.presignedCreateUrl('forms/big.bin', {
      conditions: [['content-length-range', 1, 1000]],
    });
    const res = await postForm(post, new Uint8Array(5000));
    assert.equal(res.status, 400);
    assert.equal(await s3Code(res), 'EntityTooLarge');
    await assert.rejects(ctx.conn.headObject('forms/big.bin'), { code: 'NO_SUCH_KEY' });
  });

  test('a tampered field is refused (403)', async () => {
    const post = await ctx.conn.presignedCreateUrl('forms/meta.txt', { params: { owner: 'ada' } });
    const res = await postForm(post, 'x', { 'x-amz-meta-owner': 'mallory' });
    assert.equal(res.status, 403);
    const key = await postForm(post, 'x', { key: 'forms/elsewhere.txt' });
    assert.equal(key.status, 403);
    await assert.rejects(ctx.conn.headObject('forms/elsewhere.txt'), { code: 'NO_SUCH_KEY' });
  });

  test('a field the policy does not name is refused (403)', async () => {
    const post = await ctx.conn.presignedCreateUrl('forms/extra.txt');
    assert.equal((await postForm(post, 'x', { 'x-amz-meta-sneaky': '1' })).status, 403);
  });

  test('an expired policy is refused (403)', async () => {
    const post = await ctx.conn.presignedCreateUrl('forms/late.txt', { expiresIn: 60, signingDate: longAgo() });
    const res = await postForm(post, 'x');
    assert.equal(res.status, 403);
    assert.equal(await s3Code(res), 'AccessDenied');
  });

  test('a bad signature is refused (403)', async () => {
    const post = await ctx.conn.presignedCreateUrl('forms/forged.txt');
    const sig = post.fields['x-amz-signature']!;
    const forged = (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1);
    assert.equal((await postForm(post, 'x', { 'x-amz-signature': forged })).status, 403);
  });
});

describe('presigned GET, PUT and DELETE', () => {
  test('PUT uploads, GET downloads, DELETE removes', async () => {
    const key = 'urls/ünïcode name (1).txt';
    const put = await fetch(await ctx.conn.presignedPutUrl(key), { method: 'PUT', body: 'via presigned PUT' });
    assert.equal(put.status, 200);
    assert.ok(put.headers.get('etag'));
    const get = await fetch(await ctx.conn.presignedGetUrl(key));
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'via presigned PUT');
    const del = await fetch(await ctx.conn.presignedDeleteUrl(key), { method: 'DELETE' });
    assert.equal(del.status, 204);
    await assert.rejects(ctx.conn.headObject(key), { code: 'NO_SUCH_KEY' });
  });

  test('keys with every awkward character round-trip through presigned URLs', async () => {
    for (const key of [
      "sym+=?#%~!'()*.txt",
      'a/b//c/d.txt',
      'with space.txt',
      '日本語/ファイル ✓.png',
      'x'.repeat(1000) + '/' + 'y'.repeat(23),
    ]) {
      assert.equal((await fetch(await ctx.conn.presignedPutUrl(key), { method: 'PUT', body: key })).status, 200, key);
      assert.equal(await (await fetch(await ctx.conn.presignedGetUrl(key))).text(), key);
      assert.equal((await ctx.conn.headObject(key)).key, key);
    }
  });

  test('a tampered URL is refused (403)', async () => {
    await ctx.conn.uploadObject('secret', 'urls/a.txt');
    await ctx.conn.uploadObject('other', 'urls/b.txt');
    const url = await ctx.conn.presignedGetUrl('urls/a.txt');
    assert.equal((await fetch(url.replace('urls/a.txt', 'urls/b.txt'))).status, 403, 'another key');
    assert.equal(
      (await fetch(url.replace('X-Amz-Expires=3600', 'X-Amz-Expires=7200'))).status,
      403,
      'a longer lifetime',
    );
    const sig = new URL(url).searchParams.get('X-Amz-Signature')!;
    assert.equal(
      (
        await fetch(
          url.replace(
            sig,
            sig.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')),
          ),
        )
      ).status,
      403,
      'the signature',
    );
    assert.equal((await fetch(url, { method: 'PUT', body: 'x' })).status, 403, 'another method');
    assert.equal((await fetch(url)).status, 200, 'the untouched URL still works');
  });

  test('an expired URL is refused (403)', async () => {
    await ctx.conn.uploadObject('x', 'urls/old.txt');
    const get = await fetch(await ctx.conn.presignedGetUrl('urls/old.txt', { expiresIn: 1, signingDate: longAgo() }));
    assert.equal(get.status, 403);
    const put = await fetch(await ctx.conn.presignedPutUrl('urls/old.txt', { expiresIn: 60, signingDate: longAgo() }), {
      method: 'PUT',
      body: 'y',
    });
    assert.equal(put.status, 403);
    const del = await fetch(
      await ctx.conn.presignedDeleteUrl('urls/old.txt', { expiresIn: 60, signingDate: longAgo() }),
      { method: 'DELETE' },
    );
    assert.equal(del.status, 403);
    assert.equal(await (await ctx.conn.getObject('urls/old.txt')).text(), 'x', 'the object is untouched');
  });
});
