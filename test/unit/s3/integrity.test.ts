/**
 * The pure parts of the byte checks (src/s3/integrity.ts): which ETag allows which check, the
 * multipart ETag's arithmetic, and the digests computed while ranges arrive in any order, which
 * must equal node:crypto's MD5 of the same bytes however the ranges were cut and ordered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DownloadDigests,
  PART_SIZE_META,
  etagCheck,
  fileEtag,
  partsMd5,
  type WrittenRange,
} from '../../../src/s3/integrity.js';

const MiB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest();
/** The ETag S3 gives `body` uploaded in parts of `partSize`. */
function multipartEtag(body: Buffer, partSize: number): string {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += partSize) parts.push(md5(body.subarray(i, i + partSize)));
  return `"${partsMd5(parts)}-${parts.length}"`;
}

test('etagCheck: a plain MD5 ETag checks the whole body; encrypted or non-MD5 ETags check nothing, saying why', () => {
  const hex = 'd41d8cd98f00b204e9800998ecf8427e';
  assert.deepEqual(etagCheck(`"${hex}"`, 0, {}, false), { kind: 'whole', md5: hex });
  assert.deepEqual(etagCheck(hex, 0, {}, false), { kind: 'whole', md5: hex }, 'quotes are optional');
  assert.match((etagCheck(`"${hex}"`, 5, {}, true) as { reason: string }).reason, /SSE-KMS or SSE-C/);
  for (const bad of ['"abc"', '"D41D8CD98F00B204E9800998ECF8427E"', undefined, '"xyz-3"']) {
    assert.equal(etagCheck(bad, 5, {}, false).kind, 'none', String(bad));
  }
});

test('etagCheck: a multipart ETag uses the recorded part size when it fits, else the first common size that gives N parts', () => {
  const hex = '0123456789abcdef0123456789abcdef';
  const recorded = etagCheck(`"${hex}-3"`, 12 * MiB, { [PART_SIZE_META]: String(5 * MiB) }, false);
  assert.deepEqual(recorded, { kind: 'parts', md5: hex, count: 3, partSize: 5 * MiB, recorded: true, others: [] });
  // A recorded size that does not give N parts is not believed.
  const wrong = etagCheck(`"${hex}-2"`, 12 * MiB, { [PART_SIZE_META]: String(5 * MiB) }, false);
  assert.equal(wrong.kind === 'parts' && wrong.partSize, 8 * MiB);
  // 20 MiB in 3 parts: aws CLI's 8 MiB; in 4 parts: lib-storage's 5 MiB (8 would make 3).
  assert.equal((etagCheck(`"${hex}-3"`, 20 * MiB, {}, false) as { partSize: number }).partSize, 8 * MiB);
  assert.equal((etagCheck(`"${hex}-4"`, 20 * MiB, {}, false) as { partSize: number }).partSize, 5 * MiB);
  // 9 MiB in 2 parts fits 8 MiB and 5 MiB: both are kept, the first tried first.
  const both = etagCheck(`"${hex}-2"`, 9 * MiB, {}, false);
  assert.deepEqual(both.kind === 'parts' && [both.partSize, ...both.others], [8 * MiB, 5 * MiB]);
  // One part: the part is the object, whatever the tool's part size.
  assert.equal((etagCheck(`"${hex}-1"`, 123, {}, false) as { partSize: number }).partSize, 123);
  // 100 MiB in 9 parts: no common size gives 9 (11.2 MiB parts).
  assert.match((etagCheck(`"${hex}-9"`, 100 * MiB, {}, false) as { reason: string }).reason, /neither recorded nor/);
});

test("partsMd5 is the multipart ETag of S3: the MD5 of the parts' binary MD5s", () => {
  // Two parts "a" and "b": MD5(MD5("a") || MD5("b")).
  const expected = createHash('md5')
    .update(Buffer.concat([md5(Buffer.from('a')), md5(Buffer.from('b'))]))
    .digest('hex');
  assert.equal(partsMd5([md5(Buffer.from('a')), md5(Buffer.from('b'))]), expected);
});

test('DownloadDigests: ranges written in any order, cut anywhere, give the MD5s of the whole and of each part', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudspark-digests-'));
  try {
    const body = randomBytes(3 * MiB + 12345);
    for (const [partSize, rangeSize, order] of [
      [undefined, MiB, 'forward'],
      [undefined, 700_000, 'backward'],
      [MiB, 1_300_000, 'shuffled'],
      [MiB, MiB, 'backward'],
      [5 * MiB, 256 * 1024, 'shuffled'],
    ] as const) {
      const file = await open(join(dir, 'part'), 'w+');
      const digests = new DownloadDigests(body.length, partSize);
      const ranges: WrittenRange[] = [];
      for (let start = 0; start < body.length; start += rangeSize)
        ranges.push({ start, end: Math.min(body.length, start + rangeSize) - 1, pos: start });
      const sequence =
        order === 'forward'
          ? ranges
          : order === 'backward'
            ? [...ranges].reverse()
            : [...ranges].sort(() => Math.random() - 0.5);
      for (const r of sequence) {
        // Each range in chunks of odd sizes, fed then written, as the download does.
        while (r.pos <= r.end!) {
          const chunk = body.subarray(r.pos, Math.min(r.end! + 1, r.pos + 70_001));
          digests.feed(r.pos, [chunk]);
          await file.write(chunk, 0, chunk.length, r.pos);
          r.pos += chunk.length;
        }
        digests.catchUp(file, r, ranges);
      }
      const got = (await digests.digests(file, ranges))!;
      const label = `${partSize ?? 'whole'} / ${rangeSize} / ${order}`;
      if (partSize === undefined) assert.deepEqual(got, [md5(body)], label);
      else assert.equal(`"${partsMd5(got)}-${got.length}"`, multipartEtag(body, partSize), label);
      await file.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('DownloadDigests: bytes fed in order hash without any read-back (a stream); a gap leaves them unfinished', () => {
  const body = randomBytes(2 * MiB + 5);
  const inOrder = new DownloadDigests(body.length, MiB);
  for (let i = 0; i < body.length; i += 99_999) inOrder.feed(i, [body.subarray(i, i + 99_999)]);
  assert.equal(`"${partsMd5(inOrder.inOrder()!)}-3"`, multipartEtag(body, MiB));
  const gap = new DownloadDigests(body.length, undefined);
  gap.feed(0, [body.subarray(0, 10)]);
  gap.feed(20, [body.subarray(20)]);
  assert.equal(gap.inOrder(), undefined);
});

test("fileEtag: a file cut into parts of another size gives that layout's ETag", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudspark-fileetag-'));
  try {
    const body = randomBytes(9 * MiB + 1);
    const file = await open(join(dir, 'f'), 'w+');
    await file.write(body, 0, body.length, 0);
    assert.equal(`"${await fileEtag(file, body.length, 5 * MiB)}-2"`, multipartEtag(body, 5 * MiB));
    await file.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
