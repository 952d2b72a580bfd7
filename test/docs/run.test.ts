/**
 * The docs' blocks marked `ts run` run, as written, against the tier's Ceph RGW: each as a module
 * of its own, importing the built package by its name (`cloudspark`, resolved through the
 * package's own `exports`), with the RGW's endpoint and keys in the environment
 * (`S3_ENDPOINT`, `AWS_ACCESS_KEY_ID`, ...), as a user's shell would hold them.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/fixtures.js';
import { connection, removeBucket } from '../support/rgw.js';
import { allBlocks } from './blocks.js';

const dir = join(repoRoot, '.tmp', 'docs-run');
/** The buckets the runnable blocks make, by name as they write them. */
const MADE = ['my-uploads'];
after(async () => {
  for (const bucket of MADE) await removeBucket(bucket);
});

test('every block marked `ts run` runs to its end against RGW, and does there what it says', async () => {
  const runnable = allBlocks().filter((b) => b.lang === 'ts' && b.flags.includes('run'));
  assert.ok(runnable.length >= 2, 'the README\'s first example and the connection page\'s bucket recipe are runnable');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [i, block] of runnable.entries()) {
    const file = join(dir, `block-${i}.mts`);
    writeFileSync(file, `${block.code}\nexport {};\n`);
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } });
    assert.equal(run.status, 0, `${block.page}:${block.line}: exit ${run.status}\n${run.stderr}`);
  }
  // What the bucket recipe did, as the store tells it.
  const made = connection({ bucket: 'my-uploads' });
  const [rule] = await made.getBucketCors();
  assert.deepEqual(rule?.AllowedOrigins, ['https://app.example']);
  assert.deepEqual(rule?.ExposeHeaders, ['ETag']);
});
