import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { PutObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { CloudSparkError, type UploadProgress } from '../../src/index.js';
import { sdkClient, withBucket } from '../support/rgw.js';

let ctx: Awaited<ReturnType<typeof withBucket>>;
before(async () => (ctx = await withBucket('objects')));
after(() => ctx.cleanup());

test('uploadObject() takes a Buffer, Uint8Array, string, Blob and Readable; getObject() reads each back', async () => {
  const bodies = {
    'b/buffer.bin': Buffer.from('buffer body'),
    'b/bytes.bin': new TextEncoder().encode('uint8array body'),
    'b/text.txt': 'string body ✓',
    'b/blob.bin': new Blob(['blob body']),
    'b/stream.bin': Readable.from([Buffer.from('stream '), Buffer.from('body')]),
  };
  const expected = ['buffer body', 'uint8array body', 'string body ✓', 'blob body', 'stream body'];
  let i = 0;
  for (const [key, body] of Object.entries(bodies)) {
    const result = await ctx.conn.uploadObject(body, key);
    assert.equal(result.key, key);
    assert.match(result.etag ?? '', /^"[0-9a-f]{32}"$/);
    const object = await ctx.conn.getObject(key);
    assert.equal(await object.text(), expected[i++]);
  }
});

test('the content type is guessed from the extension unless given; metadata is stored', async () => {
  await ctx.conn.uploadObject('<p>hi</p>', 'site/index.html');
  assert.equal((await ctx.conn.headObject('site/index.html')).contentType, 'text/html; charset=utf-8');
  await ctx.conn.uploadObject(Buffer.from([1, 2, 3]), 'site/data', {
    contentType: 'application/x-custom',
    metadata: { origin: 'test' },
  });
  const head = await ctx.conn.headObject('site/data');
  assert.equal(head.contentType, 'application/x-custom');
  assert.equal(head.contentLength, 3);
  assert.deepEqual(head.metadata, { origin: 'test' });
  assert.equal(head.key, 'site/data');
  assert.ok(head.lastModified instanceof Date);
});

test('getObject() gives a stream to read piece by piece, and bytes()', async () => {
  const data = Buffer.alloc(300_000, 7);
  await ctx.conn.uploadObject(data, 'read/stream.bin');
  const streamed = await ctx.conn.getObject('read/stream.bin');
  const chunks: Buffer[] = [];
  for await (const chunk of streamed.body) chunks.push(chunk as Buffer);
  assert.ok(Buffer.concat(chunks).equals(data));
  assert.equal(streamed.contentLength, data.length);
  const whole = await ctx.conn.getObject('read/stream.bin');
  assert.ok(Buffer.from(await whole.bytes()).equals(data));
});

test('a missing key is NO_SUCH_KEY for getObject() and headObject(); deleteObject() of it succeeds', async () => {
  for (const call of [() => ctx.conn.getObject('nope.txt'), () => ctx.conn.headObject('nope.txt')]) {
    await assert.rejects(call(), (e: CloudSparkError) => {
      assert.equal(e.code, 'NO_SUCH_KEY');
      assert.equal(e.status, 404);
      assert.match(e.message, /nope\.txt/);
      return true;
    });
  }
  await ctx.conn.deleteObject('nope.txt');
});

test('deleteObject() removes the object', async () => {
  await ctx.conn.uploadObject('bye', 'del/me.txt');
  await ctx.conn.deleteObject('del/me.txt');
  await assert.rejects(ctx.conn.headObject('del/me.txt'), { code: 'NO_SUCH_KEY' });
});

test('listing returns every one of more than 1000 keys (getObjects and listObjects)', async () => {
  const client = sdkClient();
  const keys = Array.from({ length: 1105 }, (_, i) => `many/${String(i).padStart(5, '0')}.txt`);
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(
      keys.slice(i, i + 50).map((Key) => client.send(new PutObjectCommand({ Bucket: ctx.bucket, Key, Body: 'x' }))),
    );
  }
  client.destroy();
  assert.deepEqual(await ctx.conn.getObjects({ prefix: 'many/', onlyKeys: true }), keys);
  const objects = await ctx.conn.getObjects({ prefix: 'many/', onlyObjects: true });
  assert.equal(objects.length, 1105);
  assert.deepEqual(Object.keys(objects[0]!).sort(), ['etag', 'key', 'lastModified', 'size', 'storageClass']);
  assert.equal(objects[0]!.size, 1);
  const listing = await ctx.conn.getObjects({ prefix: 'many/' });
  assert.equal(listing.bucket, ctx.bucket);
  assert.equal(listing.objects.length, 1105);
  let n = 0;
  for await (const o of ctx.conn.listObjects({ prefix: 'many/', pageSize: 400 })) {
    assert.equal(o.key, keys[n++]);
  }
  assert.equal(n, 1105);
});

test('listFolder: one level, its folders (common prefixes) and its objects in one key order, across pages', async () => {
  for (const key of ['tree/a.txt', 'tree/b/1.txt', 'tree/b/2.txt', 'tree/c.txt', 'tree/d/e/3.txt', 'tree/z.txt'])
    await ctx.conn.uploadObject('x', key);
  const entries = [];
  for await (const e of ctx.conn.listFolder({ prefix: 'tree/', pageSize: 2 }))
    entries.push(e.kind === 'folder' ? `folder ${e.prefix}` : `object ${e.key} ${e.size}`);
  assert.deepEqual(entries, [
    'object tree/a.txt 1',
    'folder tree/b/',
    'object tree/c.txt 1',
    'folder tree/d/',
    'object tree/z.txt 1',
  ]);
  const deeper = [];
  for await (const e of ctx.conn.listFolder({ prefix: 'tree/d/' })) deeper.push(e.kind === 'folder' ? e.prefix : e.key);
  assert.deepEqual(deeper, ['tree/d/e/']);
  // A prefix that is no folder's: the folders that start with it.
  const partial = [];
  for await (const e of ctx.conn.listFolder({ prefix: 'tree/b' })) partial.push(e.kind === 'folder' ? e.prefix : e.key);
  assert.deepEqual(partial, ['tree/b/']);
});

/**
 * Deterministic bytes, produced 1 MiB at a time with no known length. `produced` counts what
 * the uploader has pulled so far.
 */
function bigStream(size: number, hash: ReturnType<typeof createHash>) {
  let sent = 0;
  const stream = new Readable({
    read() {
      if (sent >= size) return this.push(null);
      const chunk = Buffer.alloc(Math.min(1 << 20, size - sent), (sent >> 20) & 0xff);
      chunk.writeUInt32BE(sent >>> 0, 0);
      hash.update(chunk);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  return Object.assign(stream, { produced: () => sent });
}

test('a 64 MiB stream of unknown length uploads multipart, with progress and bounded memory', async () => {
  const size = 64 * 1024 * 1024;
  const sent = createHash('sha256');
  const progress: UploadProgress[] = [];
  const source = bigStream(size, sent);
  let maxAhead = 0;
  const result = await ctx.conn.uploadObject(source, 'big/64mib.bin', {
    partSize: 8 * 1024 * 1024,
    queueSize: 2,
    onProgress: (p) => {
      progress.push(p);
      maxAhead = Math.max(maxAhead, source.produced() - p.loaded);
    },
  });
  // A multipart ETag is "<md5 of part md5s>-<part count>": 64 MiB / 8 MiB = 8 parts.
  assert.match(result.etag ?? '', /^"[0-9a-f]{32}-8"$/);
  assert.ok(progress.length >= 8);
  assert.equal(progress.at(-1)!.loaded, size);
  // Memory is bounded by partSize x queueSize, not by the body's 64 MiB: the source is never
  // read more than the parts in flight (2), the one being filled and a chunk ahead of what
  // was uploaded. (Counted in bytes pulled rather than RSS, which the GC makes noisy.)
  assert.ok(
    maxAhead <= 3 * 8 * 1024 * 1024 + (1 << 20),
    `read ${(maxAhead / 2 ** 20).toFixed(1)} MiB ahead of the upload`,
  );
  const head = await ctx.conn.headObject('big/64mib.bin');
  assert.equal(head.contentLength, size);
  const received = createHash('sha256');
  for await (const chunk of (await ctx.conn.getObject('big/64mib.bin')).body) received.update(chunk as Buffer);
  assert.equal(received.digest('hex'), sent.digest('hex'));
});

test('a cancelled multipart upload stores nothing and leaves no parts behind', async () => {
  const controller = new AbortController();
  const upload = ctx.conn.uploadObject(bigStream(48 * 1024 * 1024, createHash('sha256')), 'big/cancelled.bin', {
    signal: controller.signal,
    onProgress: (p) => p.loaded > 6 * 1024 * 1024 && controller.abort(),
  });
  await assert.rejects(upload, (e: CloudSparkError) => e.code === 'ABORTED');
  await assert.rejects(ctx.conn.headObject('big/cancelled.bin'), { code: 'NO_SUCH_KEY' });
  const client = sdkClient();
  // The abort is sent when the upload stops; give RGW a moment to list it as gone.
  let uploads = 1;
  for (let i = 0; i < 20 && uploads > 0; i++) {
    uploads = (await client.send(new ListMultipartUploadsCommand({ Bucket: ctx.bucket }))).Uploads?.length ?? 0;
    if (uploads) await new Promise((r) => setTimeout(r, 250));
  }
  client.destroy();
  assert.equal(uploads, 0);
});
