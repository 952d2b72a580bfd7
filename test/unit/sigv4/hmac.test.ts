import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { KeyedHmac } from '../../../src/sigv4/hmac.js';

test('KeyedHmac equals createHmac on the fast path and on the fallback', () => {
  for (const keyLength of [1, 32, 64]) {
    const key = randomBytes(keyLength);
    const hmac = new KeyedHmac(key);
    // Short ASCII (a string to sign), unicode, exactly at and beyond the fast path's limit.
    for (const message of [
      '',
      'AWS4-HMAC-SHA256\n20261129T043000Z\nscope\nabc',
      'ünïcødé ✓ 日本',
      'a'.repeat(2048),
      'é'.repeat(2048),
      'b'.repeat(2049),
      'x'.repeat(10_000),
    ]) {
      assert.equal(
        hmac.hex(message),
        createHmac('sha256', key).update(message).digest('hex'),
        `${keyLength}-byte key, ${message.length} chars`,
      );
    }
    // Reusing the buffers must not leak one message into the next.
    assert.equal(hmac.hex('short'), createHmac('sha256', key).update('short').digest('hex'));
  }
});

test('KeyedHmac refuses keys longer than one block', () => {
  assert.throws(() => new KeyedHmac(randomBytes(65)), RangeError);
});

test('KeyedHmac.hexOf(head, tail) equals the HMAC of head + tail as heads and tails change', () => {
  const key = randomBytes(32);
  const hmac = new KeyedHmac(key);
  const expected = (m: string) => createHmac('sha256', key).update(m).digest('hex');
  const heads = [
    'AWS4-HMAC-SHA256\n20261129T043000Z\n20261129/us-east-1/s3/aws4_request\n',
    'AWS4-HMAC-SHA256\n20261129T043001Z\n20261129/us-east-1/s3/aws4_request\n',
    '',
    'ü',
  ];
  for (const head of [...heads, ...heads.reverse()]) {
    for (const tail of ['a'.repeat(64), 'b'.repeat(64), 'short', '', 'c'.repeat(3000)]) {
      assert.equal(
        hmac.hexOf(head, tail),
        expected(head + tail),
        `${JSON.stringify(head.slice(0, 30))} + ${tail.length} chars`,
      );
    }
  }
});
