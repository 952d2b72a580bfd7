/** bucket create, cors get|set|delete, policy get|set|delete, public-access block|allow|status. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeBucket, uniqueBucket } from '../support/rgw.js';
import { assertExit, cli, json, on } from '../support/cli.js';

const bucket = uniqueBucket('cli-config');
const dir = mkdtempSync(join(tmpdir(), 'cloudspark-cli-'));
before(async () => assertExit(await cli(['bucket', 'create', bucket]), 0));
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await removeBucket(bucket);
});

test('bucket create: created once, then "already yours"; --json gives {bucket, created}', async () => {
  const other = uniqueBucket('cli-create');
  try {
    const first = await cli(['bucket', 'create', other, '--json']);
    assertExit(first, 0);
    assert.deepEqual(json(first), { bucket: other, created: true });
    assert.match(first.stderr, /created bucket/);
    const again = await cli(['bucket', 'create', other]);
    assertExit(again, 0);
    assert.equal(again.stdout, '');
    assert.match(again.stderr, /already exists and is yours/);
  } finally {
    await removeBucket(other);
  }
});

test('a bucket that does not exist: exit 1, NO_SUCH_BUCKET, and the command that creates it', async () => {
  const missing = uniqueBucket('cli-missing');
  const run = await cli(['cors', 'get', ...on(missing), '--json']);
  assertExit(run, 1);
  const { error } = json<{ error: { code: string; hint: string; status: number } }>(run);
  assert.equal(error.code, 'NO_SUCH_BUCKET');
  assert.equal(error.status, 404);
  assert.equal(error.hint, `create it: cloudspark --bucket ${missing} bucket create ${missing}`);
  assert.match(run.stderr, new RegExp(`^cloudspark: .*${missing}.*\n  hint: create it: `));
});

test('cors: none, then --origin, a file as the AWS CLI prints it, stdin, and delete', async () => {
  const none = await cli(['cors', 'get', ...on(bucket)]);
  assertExit(none, 0);
  assert.equal(none.stdout, '[]\n');
  assert.match(none.stderr, /has no CORS rules/);

  const set = await cli([
    'cors',
    'set',
    ...on(bucket),
    '--origin',
    'https://app.example',
    '--origin',
    'http://localhost:3000',
    '--json',
  ]);
  assertExit(set, 0);
  const { rules } = json<{ bucket: string; rules: Array<{ AllowedOrigins: string[]; ExposeHeaders: string[] }> }>(set);
  assert.deepEqual(rules[0]!.AllowedOrigins, ['https://app.example', 'http://localhost:3000']);
  assert.deepEqual(rules[0]!.ExposeHeaders, ['ETag']);
  const got = json<typeof rules>(await cli(['cors', 'get', ...on(bucket), '--json']));
  // Ceph RGW gives origins (like methods) back in its own order.
  assert.deepEqual(new Set(got[0]!.AllowedOrigins), new Set(['https://app.example', 'http://localhost:3000']));

  const file = join(dir, 'rules.json');
  writeFileSync(
    file,
    JSON.stringify({
      CORSRules: [{ AllowedOrigins: ['https://a.example'], AllowedMethods: ['PUT'], MaxAgeSeconds: 60 }],
    }),
  );
  assertExit(await cli(['cors', 'set', ...on(bucket), '--file', file]), 0);
  assert.deepEqual(json(await cli(['cors', 'get', ...on(bucket), '--json'])), [
    { AllowedOrigins: ['https://a.example'], AllowedMethods: ['PUT'], MaxAgeSeconds: 60 },
  ]);

  const stdin = JSON.stringify([{ AllowedOrigins: ['https://b.example'], AllowedMethods: ['GET'] }]);
  assertExit(await cli(['cors', 'set', ...on(bucket), '--file', '-'], { input: stdin }), 0);
  const text = await cli(['cors', 'get', ...on(bucket)]);
  assert.deepEqual(JSON.parse(text.stdout), JSON.parse(stdin));

  const deleted = await cli(['cors', 'delete', ...on(bucket), '--json']);
  assertExit(deleted, 0);
  assert.deepEqual(json(deleted), { bucket, rules: [] });
  assert.equal((await cli(['cors', 'get', ...on(bucket)])).stdout, '[]\n');
});

test('cors set refuses a bad file before sending: bad rules and bad JSON exit 2, a missing file exits 1', async () => {
  const bad = join(dir, 'bad-rules.json');
  writeFileSync(bad, JSON.stringify([{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }]));
  const rules = await cli(['cors', 'set', ...on(bucket), '--file', bad, '--json']);
  assertExit(rules, 2);
  assert.equal(json<{ error: { code: string } }>(rules).error.code, 'INVALID_INPUT');
  assert.match(rules.stderr, /"PATCH" is not one of/);

  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, '{ AllowedOrigins');
  const parse = await cli(['cors', 'set', ...on(bucket), '--file', notJson]);
  assertExit(parse, 2);
  assert.match(parse.stderr, /is not valid JSON/);

  const missing = await cli(['cors', 'set', ...on(bucket), '--file', join(dir, 'nope.json'), '--json']);
  assertExit(missing, 1);
  assert.equal(json<{ error: { code: string } }>(missing).error.code, 'FILE');
  assert.match(missing.stderr, /cannot read ".*nope\.json": no such file or directory/);
});

test('public-access status|block|allow, and a public policy refused under the block (exit 1, with the fix)', async () => {
  const status = await cli(['public-access', 'status', ...on(bucket)]);
  assertExit(status, 0);
  assert.match(status.stdout, /^BlockPublicAcls\s+false$/m);
  assert.equal(status.stdout.trim().split('\n').length, 4);

  const blocked = await cli(['public-access', 'block', ...on(bucket), '--json']);
  assertExit(blocked, 0);
  assert.deepEqual(json(blocked), {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  });

  const refused = await cli(['policy', 'set', ...on(bucket), '--json']);
  assertExit(refused, 1);
  const { error } = json<{ error: { code: string; hint: string } }>(refused);
  assert.equal(error.code, 'POLICY_BLOCKED_BY_PUBLIC_ACCESS');
  assert.equal(error.hint, `allow public policies first: cloudspark --bucket ${bucket} public-access allow`);

  const allowed = await cli(['public-access', 'allow', ...on(bucket), '--json']);
  assertExit(allowed, 0);
  assert.deepEqual(Object.values(json(allowed) as object), [false, false, false, false]);
});

test('policy: none, the default, from a file, and delete', async () => {
  const none = await cli(['policy', 'get', ...on(bucket), '--json']);
  assertExit(none, 0);
  assert.equal(none.stdout, 'null\n');

  const set = await cli(['policy', 'set', ...on(bucket)]);
  assertExit(set, 0);
  assert.match(set.stderr, /default policy, which lets anyone read/);
  const got = await cli(['policy', 'get', ...on(bucket)]);
  assert.deepEqual(JSON.parse(got.stdout).Statement[0].Action, 's3:GetObject');

  const file = join(dir, 'policy.json');
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Logos',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/logos/*`,
      },
    ],
  };
  writeFileSync(file, JSON.stringify(policy));
  const fromFile = await cli(['policy', 'set', ...on(bucket), '--file', file, '--json']);
  assertExit(fromFile, 0);
  assert.deepEqual(json(fromFile), { bucket, policy });
  assert.deepEqual(json(await cli(['policy', 'get', ...on(bucket), '--json'])), policy);

  const other = join(dir, 'other-bucket.json');
  writeFileSync(
    other,
    JSON.stringify({ ...policy, Statement: [{ ...policy.Statement[0], Resource: 'arn:aws:s3:::someone-else/*' }] }),
  );
  const refused = await cli(['policy', 'set', ...on(bucket), '--file', other]);
  assertExit(refused, 2);
  assert.match(refused.stderr, /is not in bucket/);

  const deleted = await cli(['policy', 'delete', ...on(bucket), '--json']);
  assertExit(deleted, 0);
  assert.deepEqual(json(deleted), { bucket, policy: null });
  assert.equal((await cli(['policy', 'get', ...on(bucket)])).stdout, '');
});
