/** The doctor's verdicts, which need no store: CORS matching as S3 does it, public access, clock skew. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corsVerdict, matchingRule } from '../../../src/cli/doctor/cors-rules.js';
import { publicAccessVerdict } from '../../../src/cli/doctor/public-access.js';
import { clockVerdict } from '../../../src/cli/doctor/clock.js';
import { abortRuleVerdict } from '../../../src/cli/doctor/uploads.js';
import { defaultCorsRules, publicReadPolicy, type CorsRule } from '../../../src/index.js';

const O = 'https://app.example';
const FIX = ['cors', 'set', '--origin', O];
const rule = (r: Partial<CorsRule>): CorsRule => ({
  AllowedOrigins: [O],
  AllowedMethods: ['POST', 'PUT'],
  AllowedHeaders: ['*'],
  ExposeHeaders: ['ETag'],
  ...r,
});

test('CORS: the default rule passes for any origin; no rules fail with the fix', () => {
  assert.deepEqual(corsVerdict(defaultCorsRules(), O, FIX), {
    ok: true,
    detail: `rule 0 allows POST and PUT from ${O} and exposes ETag`,
  });
  assert.deepEqual(corsVerdict([], O, FIX), {
    ok: false,
    detail: 'the bucket has no CORS rules: browsers may not upload to it from any origin',
    fixes: [FIX],
  });
});

test('CORS: origins match exactly or through one wildcard', () => {
  assert.equal(matchingRule([rule({ AllowedOrigins: ['https://*.example'] })], O, 'POST'), 0);
  assert.equal(matchingRule([rule({ AllowedOrigins: ['https://app.example.evil'] })], O, 'POST'), -1);
  assert.equal(matchingRule([rule({ AllowedOrigins: ['http://app.example'] })], O, 'POST'), -1);
  assert.equal(
    matchingRule([rule({ AllowedOrigins: ['https://app.examp.e'] })], O, 'POST'),
    -1,
    'a dot is not a wildcard',
  );
});

test('CORS: PUT needs Content-Type and Content-MD5 allowed and ETag exposed, by the first rule that matches, as S3 applies it', () => {
  const noHeaders = corsVerdict([rule({ AllowedHeaders: undefined })], O, FIX);
  assert.equal(noHeaders.ok, false);
  assert.equal(noHeaders.detail, `no rule allows PUT with Content-Type and Content-MD5 headers from ${O}`);
  assert.equal(
    corsVerdict([rule({ AllowedHeaders: ['Content-Type'] })], O, FIX).ok,
    false,
    'multipart parts send Content-MD5',
  );
  assert.equal(
    corsVerdict([rule({ AllowedHeaders: ['Content-Type', 'Content-MD5'] })], O, FIX).ok,
    true,
    'header names are case-insensitive',
  );
  assert.equal(corsVerdict([rule({ AllowedHeaders: ['content-*'] })], O, FIX).ok, true);

  const first = corsVerdict([rule({ AllowedMethods: ['PUT'], ExposeHeaders: [] }), rule({})], O, FIX);
  assert.equal(first.detail, 'rule 0, which applies to PUT, does not expose ETag (multipart uploads read it)');

  const split = corsVerdict(
    [rule({ AllowedMethods: ['POST'] }), rule({ AllowedMethods: ['PUT'], ExposeHeaders: ['etag'] })],
    O,
    FIX,
  );
  assert.deepEqual(split, { ok: true, detail: `rules 0 and 1 allow POST and PUT from ${O} and expose ETag` });
});

const open = {
  BlockPublicAcls: false,
  IgnorePublicAcls: false,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};
const blocked = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

test('public access: private buckets pass, whatever the block', () => {
  assert.equal(publicAccessVerdict(blocked, null).ok, true);
  assert.match(publicAccessVerdict(blocked, null).detail, /^no bucket policy; public access blocked/);
  assert.match(publicAccessVerdict({ ...open, RestrictPublicBuckets: true }, null).detail, /partly blocked/);
  const own = {
    Statement: [
      {
        Effect: 'Allow' as const,
        Principal: { AWS: 'arn:aws:iam::1:root' },
        Action: 's3:*',
        Resource: 'arn:aws:s3:::b/*',
      },
    ],
  };
  assert.match(publicAccessVerdict(open, own).detail, /^the policy grants nothing to everyone/);
});

test('public access: a public grant passes when allowed, fails under the block with both fixes', () => {
  assert.deepEqual(publicAccessVerdict(open, publicReadPolicy('b')), {
    ok: true,
    detail: 'the policy makes objects public (statement "PublicReadGetObject") and public access is allowed',
  });
  const v = publicAccessVerdict({ ...open, RestrictPublicBuckets: true }, publicReadPolicy('b'));
  assert.equal(v.ok, false);
  assert.match(v.detail, /but RestrictPublicBuckets is on/);
  assert.deepEqual(v.fixes, [
    ['public-access', 'allow'],
    ['policy', 'delete'],
  ]);
  const aws = {
    Statement: [
      { Effect: 'Allow' as const, Principal: { AWS: ['*'] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
    ],
  };
  assert.match(
    publicAccessVerdict(blocked, aws).detail,
    /statement 0\) but BlockPublicPolicy and RestrictPublicBuckets are on/,
  );
});

test('public access: anyone may write is a failure, allowed or not', () => {
  const writable = {
    Statement: [
      {
        Sid: 'Open',
        Effect: 'Allow' as const,
        Principal: '*' as const,
        Action: ['s3:Get*', 's3:*'],
        Resource: 'arn:aws:s3:::b/*',
      },
    ],
  };
  for (const settings of [open, blocked]) {
    const v = publicAccessVerdict(settings, writable);
    assert.equal(v.ok, false);
    assert.match(v.detail, /lets anyone write or delete objects \(statement "Open"\)/);
    assert.deepEqual(v.fixes, [
      ['policy', 'set'],
      ['policy', 'delete'],
    ]);
  }
});

test('clock: within 2 s is in step; up to 5 min passes with the amount; beyond fails with a fix', () => {
  assert.deepEqual(clockVerdict(-1500), { ok: true, detail: 'in step with the server (within 2 s)' });
  assert.deepEqual(clockVerdict(42_000), {
    ok: true,
    detail: "this machine's clock is 42 s behind the server's (limit 5 min)",
  });
  const v = clockVerdict(-10 * 60_000);
  assert.equal(v.ok, false);
  assert.equal(v.detail, "this machine's clock is 10.0 min ahead of the server's (limit 5 min)");
  assert.match(String(v.fixes?.[0]), /timedatectl set-ntp true/);
});

test('incomplete uploads: a whole-bucket abort rule passes; a prefix-only rule or none is a warning with the fixes', () => {
  const fix = ['multipart', 'auto-abort', '--after-days', '7'];
  assert.deepEqual(
    abortRuleVerdict(
      [
        { id: 'a', prefix: 'tmp/', afterDays: 1 },
        { id: 'b', prefix: '', afterDays: 7 },
        { id: undefined, prefix: '', afterDays: 2 },
      ],
      fix,
    ),
    {
      ok: true,
      detail: 'lifecycle rule aborts unfinished multipart uploads 2 days after they began',
    },
  );
  const partial = abortRuleVerdict([{ id: 'a', prefix: 'tmp/', afterDays: 1 }], fix);
  assert.deepEqual([partial.ok, partial.warning, partial.fixes], [true, true, [fix]]);
  assert.match(partial.detail, /under "tmp\/" only/);
  const none = abortRuleVerdict([], fix);
  assert.deepEqual([none.ok, none.warning], [true, true]);
  assert.match(none.detail, /^no lifecycle rule aborts unfinished multipart uploads/);
});
