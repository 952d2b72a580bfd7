/**
 * The reliability options without a store: timeouts, clock correction and orphan cleanup are
 * refused with INVALID_INPUT before any network call (the connection points where nothing
 * listens, so a call that went out would fail with NETWORK instead), the presigning core adds
 * the clock offset, and the lifecycle rule is merged as documented. Their effect on a real
 * store is proven in test/rgw/clock-skew.test.ts, test/rgw/lifecycle.test.ts and test/fault.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Connection, S3Presigner } from '../../src/index.js';
import { ABORT_RULE_ID, abortRulesOf, withAbortRule } from '../../src/s3/rules/lifecycle.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE, invalid, isCloudSparkError } from './helpers.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const connect = (extra: Record<string, unknown> = {}) =>
  new S3Connection({ ...credentials, endpoint: UNREACHABLE, region: 'us-east-1', bucket: 'my-bucket', ...extra });

test('timeouts: defaults 10 s and 60 s; each given value is a whole number of milliseconds, checked in the constructor', () => {
  assert.deepEqual(connect().timeouts, { connect: 10_000, idle: 60_000 });
  assert.deepEqual(connect({ timeouts: { idle: 1500 } }).timeouts, { connect: 10_000, idle: 1500 });
  for (const [timeouts, field] of [
    [null, 'timeouts'],
    [5000, 'timeouts'],
    [{ idle: 0 }, 'timeouts.idle'],
    [{ idle: 1.5 }, 'timeouts.idle'],
    [{ idle: '60000' }, 'timeouts.idle'],
    [{ connect: -1 }, 'timeouts.connect'],
    [{ connect: 2 ** 31 }, 'timeouts.connect'],
    [{ request: 1000 }, 'timeouts.request'],
  ] as const) {
    assert.throws(() => connect({ timeouts }), invalid(field), JSON.stringify(timeouts));
  }
});

test('correctClockSkew must be a boolean; getClockOffset() is 0 before any answer', () => {
  assert.throws(() => connect({ correctClockSkew: 'yes' }), invalid('correctClockSkew'));
  assert.equal(connect().getClockOffset(), 0);
});

test('the presigning core adds clockOffset to now, and refuses one that is not a finite number', () => {
  const presigner = new S3Presigner({ bucket: 'my-bucket', region: 'us-east-1' });
  const offset = 86_400_000 + 3_600_000; // a day and an hour ahead
  const url = presigner.presignUrl(credentials, { method: 'GET', key: 'a.txt', expiresIn: 60, clockOffset: offset });
  const signed = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(new URL(url).searchParams.get('X-Amz-Date')!)!;
  const at = Date.UTC(+signed[1]!, +signed[2]! - 1, +signed[3]!, +signed[4]!, +signed[5]!, +signed[6]!);
  assert.ok(Math.abs(at - (Date.now() + offset)) < 2000, `signed at ${new Date(at).toISOString()}`);
  const post = presigner.presignPost(credentials, { key: 'a.txt', expiresIn: 60, clockOffset: -offset });
  assert.ok(
    Math.abs(
      Date.parse(JSON.parse(Buffer.from(post.fields['policy']!, 'base64').toString()).expiration) -
        (Date.now() - offset + 60_000),
    ) < 2000,
  );
  assert.throws(
    () => presigner.presignUrl(credentials, { method: 'GET', key: 'a.txt', expiresIn: 60, clockOffset: Number.NaN }),
    invalid('clockOffset'),
  );
});

test('orphan cleanup: bad afterDays, olderThan, prefix and dryRun are refused before any network call', async () => {
  const c = connect();
  try {
    await assert.rejects(
      c.headObject('control.txt'),
      isCloudSparkError('NETWORK'),
      'control: a valid call does reach the network',
    );
    for (const afterDays of [0, 1.5, -3, '7', 36_501, undefined]) {
      await assert.rejects(
        c.abortIncompleteUploads({ afterDays } as { afterDays: number }),
        invalid('afterDays'),
        String(afterDays),
      );
    }
    await assert.rejects(c.abortIncompleteUploads(undefined as unknown as { afterDays: number }), invalid('options'));
    for (const olderThan of [-1, 1.5, '2d', undefined, Number.MAX_VALUE]) {
      await assert.rejects(
        c.abortStaleUploads({ olderThan } as { olderThan: number }),
        invalid('olderThan'),
        String(olderThan),
      );
    }
    await assert.rejects(c.abortStaleUploads({ olderThan: 0, dryRun: 'yes' as unknown as boolean }), invalid('dryRun'));
    await assert.rejects(c.abortStaleUploads({ olderThan: 0, prefix: 42 as unknown as string }), invalid('prefix'));
    await assert.rejects(c.listMultipartUploads({ olderThan: -5 }).next(), invalid('olderThan'));
  } finally {
    c.close();
  }
});

test("the abort rule replaces cloudspark's own rule, keeps every other rule, and is found in AWS's and RGW's shapes", () => {
  const expire = { ID: 'expire-tmp', Status: 'Enabled' as const, Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 } };
  const once = withAbortRule([expire], 7);
  const twice = withAbortRule(once, 3);
  assert.deepEqual(twice, [
    expire,
    {
      ID: ABORT_RULE_ID,
      Status: 'Enabled',
      Filter: { Prefix: '' },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
    },
  ]);
  assert.deepEqual(abortRulesOf(twice), [{ id: ABORT_RULE_ID, prefix: '', afterDays: 3 }]);
  // Ceph RGW answers a rule set with an empty Filter with the older top-level Prefix; a disabled rule aborts nothing.
  const rgw = [
    { ID: 'x', Status: 'Enabled' as const, Prefix: 'up/', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
  ];
  assert.deepEqual(abortRulesOf([...rgw, { ...rgw[0]!, ID: 'off', Status: 'Disabled' as const }]), [
    { id: 'x', prefix: 'up/', afterDays: 2 },
  ]);
});
