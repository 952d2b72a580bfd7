/**
 * doctor: fails on a bucket without CORS (exit 1, naming the fix), passes once that fix is
 * applied, names the public-access trap, and leaves no test object behind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { removeBucket, uniqueBucket } from '../support/rgw.js';
import { assertExit, cli, json, on } from '../support/cli.js';

const bucket = uniqueBucket('cli-doctor');
const ORIGIN = 'https://app.example';
before(async () => assertExit(await cli(['bucket', 'create', bucket]), 0));
after(() => removeBucket(bucket));

interface Check {
  check: string;
  ok: boolean;
  warning?: true;
  detail: string;
  fix?: string;
}
const byName = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.check, c]));
const doctor = (...extra: string[]) => cli(['doctor', ...on(bucket), '--origin', ORIGIN, ...extra]);

test('without CORS: exit 1, one line per check, and the fix is the cors set command', async () => {
  const run = await doctor();
  assertExit(run, 1);
  const lines = run.stdout.split('\n').filter((l) => /^[✔✘] /.test(l));
  assert.deepEqual(
    lines.map((l) => l.replace(/:.*/, '')),
    ['✘ cors rules', '✘ preflight', '✔ public access', '✘ round trip', '✔ clock'],
  );
  assert.match(
    run.stdout,
    /^✘ cors rules: the bucket has no CORS rules.*\n {4}fix: cloudspark --bucket \S+ cors set --origin https:\/\/app\.example$/m,
  );
  assert.match(
    run.stdout,
    /^✘ round trip: the uploads worked, but the POST and PUT answers carry no Access-Control-Allow-Origin/m,
  );
  assert.match(
    run.stdout,
    /^! incomplete uploads: no lifecycle rule aborts unfinished multipart uploads.*\n {4}fix: cloudspark --bucket \S+ multipart auto-abort --after-days 7 {3}or {3}cloudspark --bucket \S+ multipart abort --older-than 7d$/m,
  );
  assert.match(run.stderr, /3 of 6 checks failed \(1 warning\)/);
});

test('after cors set --origin: exit 0, every check passes (--json: an array of checks)', async () => {
  assertExit(await cli(['cors', 'set', ...on(bucket), '--origin', ORIGIN]), 0);
  const run = await doctor('--json');
  assertExit(run, 0);
  const checks = json<Check[]>(run);
  assert.deepEqual(
    checks.map((c) => [c.check, c.ok, c.warning]),
    [
      ['cors rules', true, undefined],
      ['preflight', true, undefined],
      ['public access', true, undefined],
      ['round trip', true, undefined],
      ['clock', true, undefined],
      ['incomplete uploads', true, true],
    ],
  );
  assert.ok(checks.every((c) => (c.fix === undefined) === !c.warning && c.detail.length > 0));
  assert.match(
    byName(checks)['round trip']!.detail,
    /presigned POST stored .* presigned PUT replaced it .* presigned DELETE removed it/,
  );

  const text = await doctor();
  assertExit(text, 0);
  assert.match(text.stderr, /is ready for uploads from https:\/\/app\.example \(1 warning\)/);
});

/** The CORS rule for ORIGIN, set by the test that needs it (tests do not lean on each other's state). */
const withCors = async () => assertExit(await cli(['cors', 'set', ...on(bucket), '--origin', ORIGIN]), 0);

test('the incomplete-uploads warning goes once multipart auto-abort has set its lifecycle rule', async () => {
  await withCors();
  assertExit(await cli(['multipart', 'auto-abort', ...on(bucket), '--after-days', '3']), 0);
  const run = await doctor('--json');
  const check = byName(json<Check[]>(run))['incomplete uploads']!;
  assert.deepEqual(check, {
    check: 'incomplete uploads',
    ok: true,
    detail:
      'lifecycle rule "cloudspark-abort-incomplete-uploads" aborts unfinished multipart uploads 3 days after they began',
  });
});

test('another origin is refused by the same rules', async () => {
  await withCors();
  const run = await cli(['doctor', ...on(bucket), '--origin', 'https://evil.example', '--json']);
  assertExit(run, 1);
  const checks = byName(json<Check[]>(run));
  assert.equal(
    checks['cors rules']!.detail,
    'no rule allows POST from https://evil.example; no rule allows PUT with Content-Type and Content-MD5 headers from https://evil.example',
  );
  assert.match(checks['preflight']!.detail, /refused \(HTTP 403\)/);
});

test('a public policy under a public-access block fails, with both ways out', async () => {
  await withCors();
  assertExit(await cli(['policy', 'set', ...on(bucket)]), 0);
  assertExit(await cli(['public-access', 'block', ...on(bucket)]), 0);
  try {
    const run = await doctor('--json');
    assertExit(run, 1);
    const checks = byName(json<Check[]>(run));
    assert.equal(checks['public access']!.ok, false);
    assert.match(
      checks['public access']!.detail,
      /the policy makes objects public \(statement "PublicReadGetObject"\)/,
    );
    assert.equal(
      checks['public access']!.fix,
      `cloudspark --bucket ${bucket} public-access allow   or   cloudspark --bucket ${bucket} policy delete`,
    );
    // Ceph RGW refuses every PUT while BlockPublicAcls is on: the round trip finds it.
    assert.equal(checks['round trip']!.ok, false);
    assert.match(checks['round trip']!.fix ?? '', /Ceph RGW refuses every PUT while BlockPublicAcls is on/);
  } finally {
    assertExit(await cli(['public-access', 'allow', ...on(bucket)]), 0);
    assertExit(await cli(['policy', 'delete', ...on(bucket)]), 0);
  }
});

test('doctor leaves no test object behind; a missing bucket fails every check but the clock (and the lifecycle warning), with the create command', async () => {
  const ls = await cli(['ls', ...on(bucket), '--json']);
  assertExit(ls, 0);
  assert.equal(ls.stdout, '');
  const missing = uniqueBucket('cli-nobucket');
  const run = await cli(['doctor', ...on(missing), '--origin', ORIGIN, '--json']);
  assertExit(run, 1);
  const checks = json<Check[]>(run);
  // The clock is read from the store's Date header, which it sends for a missing bucket too.
  // Unreadable lifecycle rules are only a warning: a store without them still takes uploads.
  assert.deepEqual(
    checks.map((c) => [c.check, c.ok]),
    [
      ['cors rules', false],
      ['preflight', false],
      ['public access', false],
      ['round trip', false],
      ['clock', true],
      ['incomplete uploads', true],
    ],
  );
  assert.equal(byName(checks)['incomplete uploads']!.warning, true);
  const create = `create it: cloudspark --bucket ${missing} bucket create ${missing}`;
  assert.equal(byName(checks)['cors rules']!.fix, create);
  assert.equal(byName(checks)['public access']!.fix, create);
});
