/**
 * The four-lane MD5 module (src/s3/md5x4.ts) against node:crypto: every length around the
 * block and padding boundaries, four different streams at once (a lane that read another's
 * word, or a transpose off by one, gives a wrong digest in that lane), and a state carried
 * across calls as the hashing thread carries it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { LANE_BYTES, MD5X4_LAYOUT, MD5_INIT, MD5_T, md5x4Module } from '../../../src/s3/md5x4.js';

const { memory, blocks } = new WebAssembly.Instance(new WebAssembly.Module(md5x4Module())).exports as {
  memory: WebAssembly.Memory;
  blocks(n: number): void;
};
const words = new Uint32Array(memory.buffer);
const bytes = new Uint8Array(memory.buffer);
MD5_T.forEach((t, i) => words.fill(t, MD5X4_LAYOUT.constants / 4 + 4 * i, MD5X4_LAYOUT.constants / 4 + 4 * i + 4));

/** MD5 (RFC 1321, 3.1-3.2): the message padded with 0x80, zeros and its length in bits. */
function padded(message: Buffer): Buffer {
  const length = Math.ceil((message.length + 9) / 64) * 64;
  const out = Buffer.alloc(length);
  message.copy(out);
  out[message.length] = 0x80;
  out.writeUInt32LE((message.length % 0x20000000) * 8, length - 8);
  out.writeUInt32LE(Math.floor(message.length / 0x20000000), length - 4);
  return out;
}

/** The four streams' MD5s through the module, `perCall` bytes of each lane per call. */
function md5x4(streams: Buffer[], perCall = LANE_BYTES): string[] {
  const inputs = streams.map(padded);
  const length = inputs[0]!.length;
  assert.ok(
    inputs.every((b) => b.length === length),
    'the test feeds lanes of one padded length',
  );
  for (let k = 0; k < 4; k++) words.fill(MD5_INIT[k]!, 4 * k, 4 * k + 4);
  for (let at = 0; at < length; at += perCall) {
    const n = Math.min(perCall, length - at);
    inputs.forEach((b, j) => bytes.set(b.subarray(at, at + n), MD5X4_LAYOUT.data + j * LANE_BYTES));
    blocks(n / 64);
  }
  return inputs.map((_, j) => {
    const digest = Buffer.alloc(16);
    for (let k = 0; k < 4; k++) digest.writeUInt32LE(words[4 * k + j]!, 4 * k);
    return digest.toString('hex');
  });
}
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

test('the round constants are RFC 1321 table T', () => {
  assert.equal(MD5_T[0], 0xd76aa478);
  assert.equal(MD5_T[31], 0x8d2a4c8a);
  assert.equal(MD5_T[63], 0xeb86d391);
});

test('four different streams give node:crypto MD5 in each lane, at every length around 64-byte blocks', () => {
  for (const length of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 65_537]) {
    const streams = [0, 1, 2, 3].map(() => randomBytes(length));
    assert.deepEqual(md5x4(streams), streams.map(md5), `length ${length}`);
  }
});

test('the state carries across calls: one block per call gives what one call gives', () => {
  const streams = [0, 1, 2, 3].map(() => randomBytes(5000));
  assert.deepEqual(md5x4(streams, 64), streams.map(md5));
  assert.deepEqual(md5x4(streams, 640), streams.map(md5));
});

test('a full lane per call, several calls (what a large part takes)', () => {
  const streams = [0, 1, 2, 3].map(() => randomBytes(3 * LANE_BYTES + 100));
  assert.deepEqual(md5x4(streams), streams.map(md5));
});

test('known answers (RFC 1321, A.5)', () => {
  const suite = ['', 'a', 'abc', 'message digest'].map((s) => Buffer.from(s));
  assert.deepEqual(md5x4(suite), [
    'd41d8cd98f00b204e9800998ecf8427e',
    '0cc175b9c0f1b6a831c399e269772661',
    '900150983cd24fb0d6963f7d28e17f72',
    'f96b697d7cb7938d525a2f31aaf161d0',
  ]);
});
