/**
 * Where the CLI finds its store and keys: --endpoint and the endpoint variables, --profile,
 * IAM on the same endpoint; refused keys are named masked, and never a secret, not even with
 * --verbose.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskAccessKey } from '../../src/errors.js';
import { removeBucket, rgw, uniqueBucket } from '../support/rgw.js';
import { assertExit, cli, json, on } from '../support/cli.js';

const bucket = uniqueBucket('cli-creds');
const dir = mkdtempSync(join(tmpdir(), 'cloudspark-cli-'));
before(async () => {
  assertExit(await cli(['bucket', 'create', bucket]), 0);
  assertExit(await cli(['put', '-', 'k.txt', ...on(bucket), '-q'], { input: 'k' }), 0);
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await removeBucket(bucket);
});

const keys = (run: { stdout: string }) =>
  run.stdout
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { key: string }).key);

test('the endpoint from --endpoint, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, as well as S3_ENDPOINT', async () => {
  const flag = await cli(['--endpoint', rgw.endpoint, 'ls', ...on(bucket), '--json'], {
    env: { S3_ENDPOINT: undefined },
  });
  assertExit(flag, 0);
  assert.deepEqual(keys(flag), ['k.txt']);
  for (const name of ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL']) {
    const run = await cli(['ls', ...on(bucket), '--json'], {
      env: { S3_ENDPOINT: 'http://127.0.0.1:1', [name]: rgw.endpoint },
    });
    assertExit(run, 0);
    assert.deepEqual(keys(run), ['k.txt'], name);
  }
  // CLOUDSPARK_BUCKET stands in for --bucket.
  const env = await cli(['ls', '--json'], { env: { CLOUDSPARK_BUCKET: bucket } });
  assert.deepEqual(keys(env), ['k.txt']);
});

test('an unreachable endpoint: exit 1, NETWORK, and the hint names the endpoint', async () => {
  const run = await cli(['ls', ...on(bucket), '--endpoint', 'http://127.0.0.1:1', '--json']);
  assertExit(run, 1);
  assert.equal(json<{ error: { code: string } }>(run).error.code, 'NETWORK');
  assert.match(run.stderr, /hint: the endpoint is http:\/\/127\.0\.0\.1:1 \(set by --endpoint/);
});

test('--profile takes its keys from the shared files, ahead of the environment', async () => {
  const credentials = join(dir, 'credentials');
  writeFileSync(
    credentials,
    `[rgw]\naws_access_key_id = ${rgw.accessKeyId}\naws_secret_access_key = ${rgw.secretAccessKey}\n`,
  );
  const env = {
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_CONFIG_FILE: join(dir, 'none'),
    AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG1',
    AWS_SECRET_ACCESS_KEY: 'wrong-secret-wrong-secret',
  };
  const run = await cli(['--profile', 'rgw', 'ls', ...on(bucket), '--json'], { env });
  assertExit(run, 0);
  assert.deepEqual(keys(run), ['k.txt']);
  // The SDK's own warning about two sources of keys goes nowhere without --verbose.
  assert.equal(run.stderr, '1 object, 1 B\n');

  const unknown = await cli(['--profile', 'nope', 'ls', ...on(bucket), '--json'], {
    env: { ...env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
  });
  assertExit(unknown, 1);
  assert.equal(json<{ error: { code: string } }>(unknown).error.code, 'CREDENTIALS');
  assert.match(
    unknown.stderr,
    /profile "nope" was not found in the shared config files \(.*credentials, .*none\)/,
    'the profile is named as missing',
  );
  assert.match(unknown.stderr, /hint: the keys were to come from profile "nope" \(--profile\)/);
  // A profile that is there but holds no keys is not "not found".
  writeFileSync(credentials, '[empty]\nregion = us-east-1\n');
  const empty = await cli(['--profile', 'empty', 'ls', ...on(bucket)], {
    env: { ...env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
  });
  assertExit(empty, 1);
  assert.doesNotMatch(empty.stderr, /was not found/);
});

test('refused keys: ACCESS_DENIED naming the access key masked; --verbose prints no secret either', async () => {
  const wrong = { AWS_SECRET_ACCESS_KEY: `${rgw.secretAccessKey.slice(0, -4)}XXXX` };
  const run = await cli(['ls', ...on(bucket), '--verbose'], { env: wrong });
  assertExit(run, 1);
  assert.match(
    run.stderr,
    new RegExp(
      `hint: signed with access key ${maskAccessKey(rgw.accessKeyId).replace(/\*/g, '\\*')} \\(AWS_ACCESS_KEY_ID\\)`,
    ),
  );
  assert.ok(!run.stderr.includes(wrong.AWS_SECRET_ACCESS_KEY));
});

test('iam list-user-policies: names one per line, or a JSON array; an unknown user exits 1', async () => {
  const text = await cli(['iam', 'list-user-policies', rgw.userName]);
  assertExit(text, 0);
  assert.ok(text.stdout.split('\n').includes('cloudspark-sts'), text.stdout);
  const names = json<string[]>(await cli(['iam', 'list-user-policies', rgw.userName, '--json']));
  assert.ok(Array.isArray(names) && names.includes('cloudspark-sts'));
  const unknown = await cli(['iam', 'list-user-policies', 'no-such-user-here', '--json']);
  assertExit(unknown, 1);
  assert.equal(json<{ error: { status: number } }>(unknown).error.status, 404);
});
