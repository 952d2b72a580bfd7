import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { KeyedHmac } from '../../src/sigv4/hmac.js';

test('KeyedHmac equals createHmac on the fast path and on the fallback', () => {
  for (const keyLength of [1, 32, 64]) {
    const key = randomBytes(keyLength);
    const hmac = new KeyedHmac(key);
    // Short ASCII (a string to sign), unicode, exactly at and beyond the fast path's limit.
    for (const message of ['', 'AWS4-HMAC-SHA256\n20261129T043000Z\nscope\nabc', 'ünïcødé ✓ 日本', 'a'.repeat(2048), 'é'.repeat(2048), 'b'.repeat(2049), 'x'.repeat(10_000)]) {
      assert.equal(hmac.hex(message), createHmac('sha256', key).update(message).digest('hex'), `${keyLength}-byte key, ${message.length} chars`);
    }
    // Reusing the buffers must not leak one message into the next.
    assert.equal(hmac.hex('short'), createHmac('sha256', key).update('short').digest('hex'));
  }
});

test('KeyedHmac refuses keys longer than one block', () => {
  assert.throws(() => new KeyedHmac(randomBytes(65)), RangeError);
});
