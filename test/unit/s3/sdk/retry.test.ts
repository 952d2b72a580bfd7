/**
 * The one retry policy (src/s3/sdk/retry.ts): where the number of attempts comes from, in the SDK's
 * order, and the shared config file read as the SDK reads it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_ATTEMPTS, backoff, iniValue, resolveMaxAttempts } from '../../../../src/s3/sdk/retry.js';
import { S3Connection } from '../../../../src/index.js';
import { invalid } from '../../helpers.js';

const CONFIG = `# a comment
[default]
region = eu-west-1
max_attempts = 4

[profile ci]
max_attempts=7 ; trailing comment
[profile other]
max_attempts = 99
`;

test("iniValue reads a profile's setting as the SDK does: [default], [profile NAME], comments and spaces", () => {
  assert.equal(iniValue(CONFIG, 'default', 'max_attempts'), '4');
  assert.equal(iniValue(CONFIG, 'ci', 'max_attempts'), '7');
  assert.equal(iniValue(CONFIG, 'ci', 'region'), undefined, 'not inherited from another section');
  assert.equal(iniValue(CONFIG, 'missing', 'max_attempts'), undefined);
});

test('resolveMaxAttempts: the option, else AWS_MAX_ATTEMPTS, else the profile in AWS_CONFIG_FILE, else 3', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudspark-retry-'));
  const saved = { ...process.env };
  t.after(() => {
    for (const k of ['AWS_MAX_ATTEMPTS', 'AWS_CONFIG_FILE', 'AWS_PROFILE']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'config');
  writeFileSync(file, CONFIG);
  process.env['AWS_CONFIG_FILE'] = file;
  delete process.env['AWS_PROFILE'];
  process.env['AWS_MAX_ATTEMPTS'] = '6';
  assert.equal(await resolveMaxAttempts(2, undefined), 2, 'the option first');
  assert.equal(await resolveMaxAttempts(undefined, undefined), 6, 'then the environment');
  delete process.env['AWS_MAX_ATTEMPTS'];
  assert.equal(await resolveMaxAttempts(undefined, undefined), 4, 'then [default] of the config file');
  assert.equal(await resolveMaxAttempts(undefined, 'ci'), 7, 'of the profile named');
  process.env['AWS_PROFILE'] = 'ci';
  assert.equal(await resolveMaxAttempts(undefined, undefined), 7, 'of AWS_PROFILE');
  assert.equal(await resolveMaxAttempts(undefined, 'other'), DEFAULT_MAX_ATTEMPTS, 'a value out of 1..10 is ignored');
  process.env['AWS_CONFIG_FILE'] = join(dir, 'none');
  assert.equal(await resolveMaxAttempts(undefined, undefined), 3, 'no file: 3');
});

test('maxAttempts is checked by the constructor: 1 to 10', () => {
  for (const bad of [0, 11, 2.5, '3', null]) {
    assert.throws(() => new S3Connection({ maxAttempts: bad as never }), invalid('maxAttempts'), String(bad));
  }
  new S3Connection({ maxAttempts: 1 }).close();
});

test("backoff is the SDK's full jitter: from 0 up to 100 ms x 2^attempt, at most 20 s", () => {
  for (let attempt = 1; attempt < 12; attempt++) {
    for (let i = 0; i < 50; i++) {
      const ms = backoff(attempt);
      assert.ok(ms >= 0 && ms <= Math.min(20_000, 100 * 2 ** attempt), `${attempt}: ${ms}`);
    }
  }
});
