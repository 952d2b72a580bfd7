/**
 * The checks made before any network call: bucket names, object keys, lifetimes, dates.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertBucketName,
  assertDate,
  assertExpiresIn,
  assertKey,
  isPlainObject,
  MAX_EXPIRES_IN,
  MAX_KEY_BYTES,
} from '../../src/validate.js';
import * as lib from '../../src/index.js';
import { invalid } from './helpers.js';

describe('bucket names', () => {
  const valid = [
    'my-bucket',
    'a.b.c',
    'abc',
    '123',
    'a'.repeat(63),
    'my.bucket-name.2024',
    'xn-single-hyphen', // only "xn--" is reserved
    'sthree', // only "sthree-" is reserved
    'bucket-s3aliasx', // "-s3alias" only as a suffix
    '1.2.3.4.5', // five groups: not an IPv4 address
  ];
  for (const name of valid) {
    test(`accepts ${JSON.stringify(name)}`, () => {
      assert.doesNotThrow(() => assertBucketName(name));
    });
  }

  const refused: Array<[string, unknown, RegExp]> = [
    ['too short (2)', 'ab', /3 to 63/],
    ['too long (64)', 'a'.repeat(64), /3 to 63/],
    ['uppercase', 'My-Bucket', /lowercase/],
    ['underscore', 'my_bucket', /lowercase/],
    ['space', 'my bucket', /lowercase/],
    ['two adjacent dots', 'a..b', /adjacent dots/],
    ['dot then hyphen', 'a.-b', /dot next to a hyphen/],
    ['hyphen then dot', 'a-.b', /dot next to a hyphen/],
    ['IP-like', '192.168.1.1', /IP address/],
    ['IP-like, short groups', '1.2.3.4', /IP address/],
    ['prefix xn--', 'xn--bucket', /reserved prefix "xn--"/],
    ['prefix sthree-', 'sthree-bucket', /reserved prefix "sthree-"/],
    ['prefix amzn-s3-demo-', 'amzn-s3-demo-bucket', /reserved prefix/],
    ['suffix -s3alias', 'bucket-s3alias', /reserved suffix "-s3alias"/],
    ['suffix --ol-s3', 'bucket--ol-s3', /reserved suffix/],
    ['suffix .mrap', 'bucket.mrap', /reserved suffix/],
    ['suffix --x-s3', 'bucket--x-s3', /reserved suffix/],
    ['leading hyphen', '-bucket', /begin and end/],
    ['trailing hyphen', 'bucket-', /begin and end/],
    ['leading dot', '.bucket', /begin and end/],
    ['trailing dot', 'bucket.', /begin and end/],
    ['empty', '', /required/],
    ['not a string', 42, /required/],
    ['undefined', undefined, /required/],
  ];
  for (const [what, name, message] of refused) {
    test(`refuses ${what}: ${JSON.stringify(name)}`, () => {
      assert.throws(() => assertBucketName(name), invalid('bucket name'));
      assert.throws(() => assertBucketName(name), message);
    });
  }

  test('the message quotes the refused name, and a custom field is reported', () => {
    assert.throws(() => assertBucketName('Bad_Name'), /"Bad_Name"/);
    assert.throws(() => assertBucketName('Bad_Name', 'bucket'), invalid('bucket'));
  });
});

describe('object keys', () => {
  test('1024 bytes of ASCII is accepted, 1025 refused', () => {
    assert.equal(MAX_KEY_BYTES, 1024);
    assert.doesNotThrow(() => assertKey('k'.repeat(1024)));
    assert.throws(() => assertKey('k'.repeat(1025)), invalid('key'));
    assert.throws(() => assertKey('k'.repeat(1025)), /1025/);
  });

  test('the limit counts UTF-8 bytes, not UTF-16 code units', () => {
    // 2-byte characters: 512 of them are 1024 bytes; one ASCII more is 1025 bytes in 513 chars.
    assert.doesNotThrow(() => assertKey('é'.repeat(512)));
    assert.throws(() => assertKey('é'.repeat(512) + 'a'), invalid('key'));
    // 3-byte characters: 341 are 1023 bytes (+1 ASCII = 1024 ok); 342 are 1026 bytes.
    assert.doesNotThrow(() => assertKey('€'.repeat(341) + 'a'));
    assert.throws(() => assertKey('€'.repeat(342)), invalid('key'));
    assert.throws(() => assertKey('€'.repeat(341) + 'ab'), invalid('key'));
    // 4-byte characters (surrogate pairs): 256 are 1024 bytes, 257 are 1028.
    assert.doesNotThrow(() => assertKey('😀'.repeat(256)));
    assert.throws(() => assertKey('😀'.repeat(257)), invalid('key'));
  });

  test('an empty or non-string key is refused', () => {
    for (const key of ['', undefined, null, 42, ['a'], { key: 'a' }]) {
      assert.throws(() => assertKey(key), invalid('key'), JSON.stringify(key));
    }
  });

  test('a lone UTF-16 surrogate is refused; a proper pair is accepted', () => {
    for (const key of ['\uD800', 'a\uD83Db', 'a\uDE00b', 'end\uD83D', '\uDE00\uD83D']) {
      assert.throws(() => assertKey(key), invalid('key'), JSON.stringify(key));
      assert.throws(() => assertKey(key), /surrogate/);
    }
    assert.doesNotThrow(() => assertKey('a\uD83D\uDE00b'));
  });

  test('keys with spaces, slashes, unicode and odd characters are accepted', () => {
    for (const key of ['a', '/leading', 'dir//double', 'with space.txt', "!'()*+=?#%~", 'résumé.pdf', '../x']) {
      assert.doesNotThrow(() => assertKey(key), key);
    }
  });

  test('a custom field name is reported', () => {
    assert.throws(() => assertKey('', 'objectKey'), invalid('objectKey'));
  });
});

describe('expiresIn', () => {
  test('1 s and 7 days are the accepted bounds', () => {
    assert.equal(MAX_EXPIRES_IN, 604800);
    assert.doesNotThrow(() => assertExpiresIn(1));
    assert.doesNotThrow(() => assertExpiresIn(604800));
    assert.doesNotThrow(() => assertExpiresIn(3600));
  });

  // Named as written in source: JSON.stringify would call NaN and both infinities "null".
  const shown = (v: unknown) =>
    typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : String(v);
  for (const value of [0, -1, 1.5, 604801, Number.NaN, Infinity, -Infinity, '60', null, undefined, 60n]) {
    test(`refuses ${shown(value)} (${typeof value})`, () => {
      assert.throws(() => assertExpiresIn(value), invalid('expiresIn'));
      assert.throws(() => assertExpiresIn(value), /1 to 604800/);
    });
  }
});

describe('signingDate', () => {
  test('a valid Date is accepted; an invalid one, a string or a number is refused', () => {
    assert.doesNotThrow(() => assertDate(new Date('2026-11-29T04:30:00Z')));
    for (const value of [new Date('not a date'), '2026-11-29T04:30:00Z', 1_700_000_000_000, undefined]) {
      assert.throws(() => assertDate(value), invalid('signingDate'), String(value));
    }
  });
});

test('isPlainObject: only object literals and null-prototype objects', () => {
  assert.equal(isPlainObject({}), true);
  assert.equal(isPlainObject(Object.create(null)), true);
  for (const v of [null, [], 'x', 1, new Map(), new Date(), new (class X {})()]) {
    assert.equal(isPlainObject(v), false, String(v));
  }
});

test('the limits are exported from the package entry point', () => {
  assert.equal(lib.MAX_EXPIRES_IN, 7 * 24 * 3600);
  assert.equal(lib.MAX_KEY_BYTES, 1024);
});
