/**
 * A named profile for the default chain (`profile` option, the CLI's `--profile`): its keys are
 * read from the shared files, ahead of the environment's, and the chain's warning about both
 * being set reaches the logger rather than the console.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialSource } from '../../../../src/s3/sdk/credentials.js';
import { S3Connection } from '../../../../src/index.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE, invalid, isCloudSparkError } from '../../helpers.js';

const saved = { ...process.env };
let dir = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudspark-profile-'));
  writeFileSync(
    join(dir, 'credentials'),
    '[ops]\naws_access_key_id = AKIAPROFILEKEY000001\naws_secret_access_key = profileSecret/0001\n',
  );
  writeFileSync(join(dir, 'config'), '');
  Object.assign(process.env, {
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    // The chain ends at the EC2 metadata service: never ask it from a test.
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env['AWS_PROFILE'];
});
after(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

test("the profile's keys are used, ahead of AWS_ACCESS_KEY_ID, and the SDK's warning goes to the logger", async () => {
  const warnings: string[] = [];
  const source = new CredentialSource({
    profile: 'ops',
    region: 'us-east-1',
    endpoint: UNREACHABLE,
    logger: { warn: (m) => warnings.push(m) },
  });
  const c = await source.get();
  assert.equal(c.accessKeyId, 'AKIAPROFILEKEY000001');
  assert.equal(c.secretAccessKey, 'profileSecret/0001');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /Multiple credential sources/);
});

test("without a profile the chain takes the environment's keys", async () => {
  const c = await new CredentialSource({ region: 'us-east-1', endpoint: UNREACHABLE }).get();
  assert.equal(c.accessKeyId, ACCESS_KEY_ID);
});

test("through S3Connection: presigned URLs are signed with the profile's key", async () => {
  const url = await new S3Connection({
    profile: 'ops',
    endpoint: UNREACHABLE,
    region: 'us-east-1',
    bucket: 'b-b',
  }).presignedGetUrl('k');
  assert.match(new URL(url).searchParams.get('X-Amz-Credential')!, /^AKIAPROFILEKEY000001\//);
});

test('a profile that is not in the files is a CREDENTIALS error', async () => {
  await assert.rejects(
    new CredentialSource({ profile: 'missing', region: 'us-east-1', endpoint: UNREACHABLE }).get(),
    isCloudSparkError('CREDENTIALS'),
  );
});

test('a profile with keys, or a malformed name, is refused at construction', () => {
  assert.throws(
    () => new S3Connection({ profile: 'ops', accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY }),
    invalid('profile'),
  );
  for (const name of ['', 'two words', '[ops]']) {
    assert.throws(() => new S3Connection({ profile: name }), invalid('profile'), JSON.stringify(name));
  }
});
