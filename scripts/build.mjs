// Builds dist/ from src/, one bundled file per entry point and format:
// - dist/esm/<entry>.js: ES modules, with tsc's .d.ts files beside them;
// - dist/cjs/<entry>.js: the same as CommonJS, with their own .d.ts files.
// One file per entry because resolving and loading modules is most of the start-up cost that
// `npm run bench` measures. Packages stay external, so the AWS SDK is still loaded on first use.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const tsc = (...args) => execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), ...args], { stdio: 'inherit' });

/**
 * Entry points: source file -> dist/<format>/<out>.js, for Node unless `platform` says otherwise,
 * in both formats unless `formats` says otherwise.
 */
const ENTRIES = [
  // The `cloudspark` bin of package.json.
  { src: 'src/cli/main.ts', out: 'cli', formats: ['esm'], banner: '#!/usr/bin/env node' },
  { src: 'src/index.ts', out: 'index' },
  { src: 'src/server/index.ts', out: 'server' },
  // For bundlers and <script type="module">: no Node built-ins, no dependencies.
  { src: 'src/browser/index.ts', out: 'browser', platform: 'browser' },
];

rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const [config, dir, format] of [['tsconfig.json', 'esm', 'esm'], ['tsconfig.cjs.json', 'cjs', 'cjs']]) {
  tsc('-p', join(root, config), '--emitDeclarationOnly');
  for (const entry of ENTRIES) {
    if (entry.formats && !entry.formats.includes(format)) continue;
    await build({
      entryPoints: [join(root, entry.src)],
      outfile: join(root, 'dist', dir, `${entry.out}.js`),
      bundle: true,
      packages: 'external',
      platform: entry.platform ?? 'node',
      format,
      target: entry.platform === 'browser' ? 'es2020' : 'node20',
      banner: entry.banner ? { js: entry.banner } : undefined,
      define: { CLOUDSPARK_VERSION: JSON.stringify(version) },
      logLevel: 'warning',
    });
  }
}
// Node decides a .js file's format by the nearest package.json: mark each half explicitly.
for (const [dir, type] of [['esm', 'module'], ['cjs', 'commonjs']]) {
  mkdirSync(join(root, 'dist', dir), { recursive: true });
  writeFileSync(join(root, 'dist', dir, 'package.json'), JSON.stringify({ type }) + '\n');
}
