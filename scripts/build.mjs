// Builds dist/ from src/:
// - dist/esm: one bundled ES module, with the .d.ts files beside it;
// - dist/cjs: the same as one CommonJS file, with its own .d.ts files.
// One file each because resolving and loading modules is most of the start-up cost that
// `npm run bench` measures.
// Packages stay external, so the AWS SDK is still loaded on first use only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = (...args) => execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), ...args], { stdio: 'inherit' });

rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const [config, dir, format] of [['tsconfig.json', 'esm', 'esm'], ['tsconfig.cjs.json', 'cjs', 'cjs']]) {
  tsc('-p', join(root, config), '--emitDeclarationOnly');
  await build({
    entryPoints: [join(root, 'src/index.ts')],
    outfile: join(root, 'dist', dir, 'index.js'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format,
    target: 'node20',
    logLevel: 'warning',
  });
}
// Node decides a .js file's format by the nearest package.json: mark each half explicitly.
for (const [dir, type] of [['esm', 'module'], ['cjs', 'commonjs']]) {
  mkdirSync(join(root, 'dist', dir), { recursive: true });
  writeFileSync(join(root, 'dist', dir, 'package.json'), JSON.stringify({ type }) + '\n');
}
