/** The source's layout keeps its layers: no import circles between files of src/ (scripts/check-cycles.mjs). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/fixtures.js';

test('no file of src/ imports, through any chain, a file that imports it (type imports included)', () => {
  const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'check-cycles.mjs'), '--json'], {
    encoding: 'utf8',
  });
  assert.deepEqual(JSON.parse(run.stdout) as string[][], []);
  assert.equal(run.status, 0);
});
