/**
 * The docs' CLI session (docs/cli.md) runs as written: every `$ ` line of its console block, in
 * one shell (so that its `export` holds for the commands after it), in an empty folder with the
 * file it uploads, against the tier's RGW. Each command's output must be the page's, once what
 * differs from run to run (times, ETags, request IDs, the doctor's object name, the presigned URL)
 * is masked on both sides. The bucket is renamed to one of the test's own.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeBucket, uniqueBucket } from '../support/rgw.js';
import { CLI, assertNoSecrets, cliEnv } from '../support/cli.js';
import { blocksOf } from './blocks.js';

const PAGE_BUCKET = 'uploads';
const bucket = uniqueBucket('docs-cli');
const dir = mkdtempSync(join(tmpdir(), 'cloudspark-docs-cli-'));
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await removeBucket(bucket);
});

interface Step {
  command: string;
  expected: string[];
}

/** The console block of docs/cli.md that starts with `$ cloudspark bucket create`, as commands and their output. */
function session(): Step[] {
  const block = blocksOf('docs/cli.md').find((b) => b.lang === 'console' && b.code.startsWith('$ cloudspark bucket create'))?.code;
  if (block === undefined) throw new Error('docs/cli.md has no console block starting with `$ cloudspark bucket create`');
  const steps: Step[] = [];
  for (const line of block.trimEnd().split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), expected: [] });
    else steps.at(-1)!.expected.push(line);
  }
  return steps;
}

/** The page's bucket as the test's, where it names the bucket (not the word "uploads" in prose). */
function renamed(text: string): string {
  return text
    .replace(/s3:\/\/uploads\//g, `s3://${bucket}/`)
    .replace(/\\?"uploads\\?"/g, (m) => m.replace(PAGE_BUCKET, bucket))
    .replace(/(bucket create |CLOUDSPARK_BUCKET=|--bucket )uploads\b/g, `$1${bucket}`);
}

/** What differs between two correct runs, masked. */
function masked(line: string): string {
  return line
    .replace(/^http:\/\/\S+$/, '<presigned url>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/[0-9a-f]{32}(-\d+)?/g, '<etag>')
    .replace(/"requestId":"[^"]*"/g, '"requestId":"<id>"')
    .replace(/within \d+ s/g, 'within <n> s')
    .trimEnd();
}

test("docs/cli.md's session runs as written, each command printing what the page shows", () => {
  const steps = session();
  assert.ok(steps.length >= 10, `${steps.length} commands in the session`);
  // `cloudspark` as an installed bin would be, and the file the session uploads.
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'cloudspark'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, 'cloudspark'), 0o755);
  const work = join(dir, 'work');
  mkdirSync(work);
  writeFileSync(join(work, 'backup.tar'), Buffer.alloc(30_000_000, 7));

  // Each line as typed, its stdout and stderr together as a terminal shows them.
  const script = steps.map((s, i) => `printf '\\n@@step ${i}\\n'\n{ ${renamed(s.command)}\n} 2>&1`).join('\n');
  const run = spawnSync('bash', ['-c', script], { cwd: work, env: cliEnv({ PATH: `${bin}:${process.env['PATH']}`, COLUMNS: '200' }), encoding: 'utf8', timeout: 120_000 });
  assertNoSecrets({ stdout: run.stdout, stderr: run.stderr });
  assert.equal(run.status, 0, `the session's last command failed: ${run.stderr}`);
  const outputs = run.stdout.split(/\n@@step \d+\n/).slice(1);
  assert.equal(outputs.length, steps.length);

  steps.forEach((step, i) => {
    const got = outputs[i]!.replace(/\n$/, '').split('\n').filter((l, k, all) => !(l === '' && all.length === 1));
    if (step.expected.some((l) => l.startsWith('http://'))) {
      assert.match(got[0] ?? '', /^http:\/\/\S+\/backups\/2026-11-29\.tar\?X-Amz-Algorithm=AWS4-HMAC-SHA256&\S*X-Amz-Expires=600&/, step.command);
    }
    assert.deepEqual(got.map(masked), step.expected.map((l) => masked(renamed(l))), `$ ${step.command}`);
  });
});
