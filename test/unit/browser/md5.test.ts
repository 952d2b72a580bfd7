/**
 * The browser module's MD5 (src/browser/md5.ts), which a page uses for each part's Content-MD5
 * and for post/complete's check, against node:crypto: at every length where the padding changes
 * shape (55/56 bytes, block edges), over several MiB, random lengths and bytes, and streams cut
 * into chunks of every awkward size (a browser's Blob stream chooses its own).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { md5 } from '../../../src/browser/md5.js';

const MiB = 1024 * 1024;
const reference = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');
const hashed = (bytes: Uint8Array<ArrayBuffer>) => md5(new Blob([bytes]));

test("RFC 1321's own examples", async () => {
  const examples: Array<[string, string]> = [
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    [
      '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
      '57edf4a22be3c955ac49da2e2107b67a',
    ],
  ];
  for (const [text, hex] of examples)
    assert.equal(await md5(new Blob([text])), Buffer.from(hex, 'hex').toString('base64'), JSON.stringify(text));
});

test('every length from 0 to 300 bytes: the padding in one block or two (55, 56, 63, 64, 65, ...)', async () => {
  const bytes = randomBytes(300);
  for (let n = 0; n <= 300; n++)
    assert.equal(await hashed(bytes.subarray(0, n)), reference(bytes.subarray(0, n)), `${n} bytes`);
});

test('around 1 MiB, and over several MiB', async () => {
  const bytes = randomBytes(5 * MiB + 3);
  for (const n of [MiB - 1, MiB, MiB + 1, MiB + 55, MiB + 56, 2 * MiB + 64, 5 * MiB + 3]) {
    assert.equal(await hashed(bytes.subarray(0, n)), reference(bytes.subarray(0, n)), `${n} bytes`);
  }
});

test('random lengths and bytes, and bytes with every bit set', async () => {
  for (let i = 0; i < 40; i++) {
    const bytes = randomBytes(randomInt(0, i < 30 ? 5000 : 3 * MiB));
    assert.equal(await hashed(bytes), reference(bytes), `${bytes.length} random bytes`);
  }
  const ones = new Uint8Array(MiB + 100).fill(255);
  assert.equal(await hashed(ones), reference(ones));
});

test("a Blob made of parts, and a slice of one, as a page hashes a file's part", async () => {
  const bytes = randomBytes(3 * MiB);
  const blob = new Blob([bytes.subarray(0, 1000), bytes.subarray(1000, 2 * MiB), bytes.subarray(2 * MiB)]);
  assert.equal(await md5(blob), reference(bytes));
  assert.equal(await md5(blob.slice(MiB - 7, 2 * MiB + 9)), reference(bytes.subarray(MiB - 7, 2 * MiB + 9)));
});

test('a stream in chunks of any size, block edges or not: the bytes short of a block wait for the next chunk', async () => {
  const bytes = randomBytes(300_000);
  /** A Blob whose stream hands out `bytes` in chunks of these sizes, in turn. */
  const chunked = (sizes: number[]) => {
    let at = 0;
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        const n = sizes[i++ % sizes.length]!;
        controller.enqueue(bytes.subarray(at, (at += n)));
      },
    });
    return { size: bytes.length, stream: () => stream } as unknown as Blob;
  };
  for (const sizes of [
    [1],
    [63],
    [64],
    [65],
    [1, 127, 64, 1000],
    [65536 + 7],
    [randomInt(1, 5000), randomInt(1, 5000), randomInt(1, 5000)],
  ]) {
    assert.equal(await md5(chunked(sizes)), reference(bytes), `chunks of ${sizes.join(', ')}`);
  }
});

test("its constants, computed from sin as RFC 1321 defines them, are far from rounding: any engine's sin gives the same", () => {
  // A sin wrong by many ulps would still give the same floor(|sin(i)| * 2^32).
  for (let i = 1; i <= 64; i++) {
    const x = Math.abs(Math.sin(i)) * 2 ** 32;
    const fraction = x - Math.floor(x);
    assert.ok(fraction > 0.01 && fraction < 0.99, `constant ${i}: ${x}`);
  }
});

test("speed: 64 MiB, as the largest part a page hashes (reported, not asserted: the machine is shared; Node's Blob stream included)", async (t) => {
  const bytes = randomBytes(64 * MiB);
  const blob = new Blob([bytes]);
  const mbps = async (hash: () => unknown) => {
    const started = performance.now();
    await hash();
    return (bytes.length / 1e3 / (performance.now() - started)).toFixed(0);
  };
  t.diagnostic(
    `64 MiB: ${await mbps(() => md5(blob))} MB/s; node:crypto (native) ${await mbps(() => reference(bytes))} MB/s`,
  );
});
