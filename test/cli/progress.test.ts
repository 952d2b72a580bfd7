/**
 * Progress bars are drawn on a terminal only. `script` (util-linux, in every Debian) runs the
 * bin on a pseudo-terminal, as a person's shell would.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellQuote } from '../../src/cli/context.js';
import { removeBucket, uniqueBucket } from '../support/rgw.js';
import { CLI, assertExit, assertNoSecrets, cli, cliEnv, on } from '../support/cli.js';

const bucket = uniqueBucket('cli-progress');
const dir = mkdtempSync(join(tmpdir(), 'cloudspark-cli-'));
const file = join(dir, 'eight.bin');
const mkdirp = (path: string) => (mkdirSync(path, { recursive: true }), path);
before(async () => {
  writeFileSync(file, randomBytes(8 * 1024 * 1024));
  assertExit(await cli(['bucket', 'create', bucket]), 0);
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await removeBucket(bucket);
});

/** The terminal's output of the bin run on a pseudo-terminal (stdout and stderr together). */
function onTerminal(args: string[]): string {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
  const screen = execFileSync('script', ['-qec', command, '/dev/null'], {
    env: cliEnv({ COLUMNS: '120' }),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assertNoSecrets({ stdout: screen, stderr: '' });
  return screen;
}

test('on a terminal, put and get draw a bar that reaches 100%', () => {
  const put = onTerminal(['put', file, 'p/eight.bin', ...on(bucket)]);
  assert.match(put, /put p\/eight\.bin .*\u2588{30} 100% \| 8\.0 MiB of 8\.0 MiB/);
  assert.match(put, /uploaded ".*eight\.bin" to s3:\/\//);
  const get = onTerminal(['get', 'p/eight.bin', join(dir, 'back.bin'), ...on(bucket)]);
  assert.match(get, /get p\/eight\.bin .*\u2588{30} 100% \| 8\.0 MiB of 8\.0 MiB/);
});

test('on a terminal, sync draws one bar for all its files, not a line per file', () => {
  const tree = join(dir, 'tree');
  for (const name of ['a', 'b', 'c']) writeFileSync(join(mkdirp(tree), `${name}.bin`), randomBytes(1024 * 1024));
  const up = onTerminal(['sync', tree, `s3://${bucket}/tree/`]);
  assert.match(up, /sync .*tree .*\u2588{30} 100% \| 3\.0 MiB of 3\.0 MiB/);
  assert.doesNotMatch(up, /upload: /);
  assert.match(up, /3 files uploaded/);
});

test('on a terminal, --quiet and --json draw no bar', () => {
  for (const flag of ['--quiet', '--json']) {
    const screen = onTerminal(['put', file, 'p/quiet.bin', ...on(bucket), flag]);
    assert.doesNotMatch(screen, /\u2588|\u2591|%/, flag);
  }
});
