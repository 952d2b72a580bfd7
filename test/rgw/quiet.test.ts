import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('the library prints nothing: no console output, no process warnings, even on Node 20 and with STS and the default chain', () => {
  const script = fileURLToPath(new URL('./fixtures/every-call-quietly.ts', import.meta.url));
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
    encoding: 'utf8',
    env: process.env,
    timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, '');
  assert.equal(child.stderr, '');
});
