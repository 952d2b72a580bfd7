/**
 * Every TypeScript block of the docs compiles under `--strict` against the BUILT package (dist/,
 * as a user's project sees it, through `cloudspark`, `cloudspark/server`, ...), each as a module
 * of its own: what a block uses and does not make, it declares (`declare const file: File;`),
 * in the block, where the reader sees it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../support/fixtures.js';
import { allBlocks, type Block } from './blocks.js';

const dir = join(repoRoot, '.tmp', 'docs-blocks');

test('every ts and tsx block of README.md and docs/ type-checks under --strict against the built package', () => {
  assert.ok(existsSync(join(repoRoot, 'dist', 'esm', 'index.d.ts')), 'dist/ is built (the docs tier builds it)');
  const blocks = allBlocks().filter((b) => b.lang === 'ts' || b.lang === 'tsx');
  assert.ok(blocks.length >= 20, `${blocks.length} blocks`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The server module page examples import their handler's type from, where `../server/uploads` leads.
  mkdirSync(join(dir, '..', 'server'), { recursive: true });
  copyFileSync(join(repoRoot, 'test', 'docs', 'scaffold', 'server', 'uploads.ts'), join(dir, '..', 'server', 'uploads.ts'));
  const files = new Map<string, Block>();
  blocks.forEach((b, i) => {
    const name = `${b.page.replace(/[/.]/g, '_')}_${String(i).padStart(3, '0')}.${b.lang}`;
    // Each block is a module of its own (its names do not meet another block's), top-level await allowed.
    writeFileSync(join(dir, name), `${b.code}\nexport {};\n`);
    files.set(name, b);
  });
  const dist = (name: string) => [relative(dir, join(repoRoot, 'dist', 'esm', `${name}.d.ts`))];
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        jsx: 'react-jsx',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        types: ['node'],
        skipLibCheck: true,
        esModuleInterop: true,
        baseUrl: '.',
        paths: {
          cloudspark: dist('index'),
          'cloudspark/server': dist('server'),
          'cloudspark/browser': dist('browser'),
          'cloudspark/browser/resume': dist('browser-resume'),
          'cloudspark/react': dist('react'),
        },
      },
      include: ['*.ts', '*.tsx'],
    }),
  );
  let output = '';
  try {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', cwd: dir });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  // Each error at its place in the docs: page:line, not the scratch file's.
  const errors = output
    .split('\n')
    .filter((l) => /error TS\d+/.test(l))
    .map((l) => {
      const m = /^(\S+?)\((\d+),(\d+)\): (.*)$/.exec(l);
      const block = m ? files.get(m[1]!) : undefined;
      return block ? `${block.page}:${block.line + Number(m![2]) - 1}: ${m![4]}` : l;
    });
  assert.deepEqual(errors, []);
});
