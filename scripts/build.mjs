// Builds dist/ from src/, one bundled file per entry point and format:
// - dist/esm/<entry>.js: ES modules;
// - dist/cjs/<entry>.js: the same as CommonJS;
// - dist/{esm,cjs}/<entry>.d.ts: the entry point's declarations in one file (not the bin's), made
//   by tsc (into .tmp/dts) and bundled by API Extractor. The two copies are the same text: the
//   package.json that each folder gets below makes TypeScript read one as ESM, the other as CJS.
// One file per entry because resolving and loading modules is most of the start-up cost that
// `npm run bench` measures. Packages stay external, so the AWS SDK is still loaded on first use.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { API_ENTRIES, BUILT_REPORTS, extract } from './api-extractor.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const tsc = (...args) => {
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), ...args], { stdio: 'inherit' });
  } catch {
    console.error('tsc failed (above): no declarations, no build.');
    process.exit(1);
  }
};

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
  // cloudspark/browser/resume: the store that keeps a multipart upload across reloads, apart, so
  // that the browser module's own weight stays within its 4 KB (a page pays it only by importing it).
  { src: 'src/browser/persist.ts', out: 'browser-resume', platform: 'browser' },
  // React (a peer dependency, left external) and cloudspark/browser, imported from ./browser.js
  // beside it rather than copied in: one UploadError class for `instanceof`, one map of the
  // uploads a page can resume, and no second copy in a page that imports both.
  { src: 'src/react/index.ts', out: 'react', platform: 'browser', plugins: [importBrowserEntry()] },
];

const dts = join(root, '.tmp/dts');
rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const dir of ['.tmp/dts', '.tmp/rollup', '.tmp/api']) rmSync(join(root, dir), { recursive: true, force: true });
for (const format of ['esm', 'cjs']) {
  for (const entry of ENTRIES) {
    if (entry.formats && !entry.formats.includes(format)) continue;
    await build({
      entryPoints: [join(root, entry.src)],
      outfile: join(root, 'dist', format, `${entry.out}.js`),
      bundle: true,
      packages: 'external',
      platform: entry.platform ?? 'node',
      format,
      target: entry.platform === 'browser' ? 'es2020' : 'node20',
      banner: entry.banner ? { js: entry.banner } : undefined,
      define: { CLOUDSPARK_VERSION: JSON.stringify(version) },
      plugins: entry.plugins,
      logLevel: 'warning',
    });
  }
}
// Node decides a .js file's format by the nearest package.json: mark each half explicitly.
for (const [dir, type] of [
  ['esm', 'module'],
  ['cjs', 'commonjs'],
]) {
  mkdirSync(join(root, 'dist', dir), { recursive: true });
  writeFileSync(join(root, 'dist', dir, 'package.json'), JSON.stringify({ type }) + '\n');
}

// Declarations: tsc's, one file per module, then API Extractor's, one file per entry point.
tsc('-p', join(root, 'tsconfig.json'), '--emitDeclarationOnly', '--outDir', dts);
// No package name or `exports` above tsc's files: 'cloudspark' there is the copy made below.
writeFile(join(dts, 'package.json'), JSON.stringify({ type: 'module' }) + '\n');
for (const entry of API_ENTRIES) {
  const core = entry.subpath === '.';
  if (!core)
    importCoreByName(join(dts, dirname(entry.dts)), exportedNames(join(dts, 'node_modules/cloudspark/index.d.ts')));
  if (entry.out === 'react') importBrowserByName(join(dts, dirname(entry.dts)));
  const rollup = join(root, '.tmp/rollup', `${entry.out}.d.ts`);
  if (!extract({ entry: join(dts, entry.dts), rollupTo: rollup, report: entry.report })) {
    console.error(`API Extractor could not bundle the declarations of ${entry.name}.`);
    process.exit(1);
  }
  const text = readFileSync(rollup, 'utf8');
  // API Extractor names the package; say which entry point the report is of.
  const report = join(BUILT_REPORTS, `${entry.report}.api.md`);
  writeFile(
    report,
    readFileSync(report, 'utf8').replace(
      /^## API Report File for "cloudspark"/m,
      `## API Report File for "${entry.name}"`,
    ),
  );
  if (core) {
    // The package as the other entry points' declarations see it (a package in node_modules,
    // which API Extractor leaves out of a bundle): its core, and the browser module for cloudspark/react.
    writeFile(join(dts, 'node_modules/cloudspark/index.d.ts'), text);
    const exports = {
      '.': { types: './index.d.ts' },
      './browser': { types: './browser.d.ts' },
      './browser/resume': { types: './browser-resume.d.ts' },
    };
    writeFile(
      join(dts, 'node_modules/cloudspark/package.json'),
      JSON.stringify({ name: 'cloudspark', type: 'module', types: 'index.d.ts', exports }) + '\n',
    );
  }
  if (entry.out === 'browser') writeFile(join(dts, 'node_modules/cloudspark/browser.d.ts'), text);
  if (entry.out === 'browser-resume') writeFile(join(dts, 'node_modules/cloudspark/browser-resume.d.ts'), text);
  // Shipped, they import from `cloudspark`'s .d.ts beside them (and cloudspark/react from
  // `cloudspark/browser`'s): the ESM one in dist/esm and the CJS one in dist/cjs, the very files a
  // user's own `import`/`require` of 'cloudspark' resolves to.
  const shipped = text.replace(
    /^(import (?:type )?\{[^}]*\} from )'cloudspark(\/browser(\/resume)?)?';$/gm,
    (_, head, browser, resume) => `${head}'./${resume ? 'browser-resume' : browser ? 'browser' : 'index'}.js';`,
  );
  for (const dir of ['esm', 'cjs']) writeFile(join(root, 'dist', dir, `${entry.out}.d.ts`), shipped);
}

/**
 * An esbuild plugin for the cloudspark/react bundle: its imports of the browser module
 * (`../browser/index.js`) stay imports, of `./browser.js`, the browser entry point beside it in
 * dist/esm and dist/cjs. It may import nothing else of src/browser: that would be bundled, a copy.
 */
function importBrowserEntry() {
  return {
    name: 'import-browser-entry',
    setup(build) {
      build.onResolve({ filter: /\/browser\// }, ({ path, importer }) => {
        const target = resolve(dirname(importer), path);
        if (target === join(root, 'src/browser/persist.js')) return { path: './browser-resume.js', external: true };
        if (target !== join(root, 'src/browser/index.js')) {
          throw new Error(
            `${relative(root, importer)} imports ${path}: cloudspark/react may import only ../browser/index.js and ../browser/persist.js (the cloudspark/browser and cloudspark/browser/resume entry points)`,
          );
        }
        return { path: './browser.js', external: true };
      });
    },
  };
}

/**
 * In tsc's declarations below `dir` (cloudspark/react's folder), imports of the browser module
 * become imports of 'cloudspark/browser' (a package to API Extractor, so left an import), which
 * the shipped file then imports as ./browser.js: its types are cloudspark/browser's own, not copies.
 */
function importBrowserByName(dir) {
  for (const name of readdirSync(dir, { recursive: true })) {
    if (!name.endsWith('.d.ts')) continue;
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    const rewritten = text
      .replace(/^(import (?:type )?\{[^}]*\} from )'(?:\.\.\/)+browser\/index\.js';$/gm, "$1'cloudspark/browser';")
      .replace(
        /^(import (?:type )?\{[^}]*\} from )'(?:\.\.\/)+browser\/persist\.js';$/gm,
        "$1'cloudspark/browser/resume';",
      );
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}

/** Writes `text` to `file`, making its folder. */
function writeFile(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** The names a bundled .d.ts exports. */
function exportedNames(file) {
  const text = readFileSync(file, 'utf8');
  const names = new Set();
  for (const m of text.matchAll(
    /^export declare (?:abstract )?(?:class|function|const|let|interface|type|enum|namespace) (\w+)/gm,
  ))
    names.add(m[1]);
  for (const m of text.matchAll(/^export (?:type )?\{([^}]*)\}/gm)) {
    for (const part of m[1].split(',')) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop();
      if (name) names.add(name);
    }
  }
  return names;
}

/**
 * In tsc's declarations below `dir` (a subpath entry point's folder), an import from a module
 * outside it, all of whose names `cloudspark` exports, becomes an import from 'cloudspark'.
 * Bundled as it was, `cloudspark/server`'s .d.ts would hold its own copy of `S3Connection`, a
 * class with private members, so TypeScript would refuse the `S3Connection` a user made from
 * `cloudspark` as the handler's `connection`. Names `cloudspark` does not export are still copied
 * in (and the API report flags them: ae-forgotten-export).
 */
function importCoreByName(dir, coreNames) {
  for (const name of readdirSync(dir, { recursive: true })) {
    if (!name.endsWith('.d.ts')) continue;
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    const rewritten = text.replace(
      /^(import (?:type )?\{([^}]*)\} from )'(\.{1,2}\/[^']+)';$/gm,
      (line, head, list, specifier) => {
        const outside = relative(dir, resolve(dirname(file), specifier)).startsWith('..');
        const names = list
          .split(',')
          .map(
            (part) =>
              part
                .trim()
                .replace(/^type\s+/, '')
                .split(/\s+as\s+/)[0],
          )
          .filter(Boolean);
        return outside && names.every((n) => coreNames.has(n)) ? `${head}'cloudspark';` : line;
      },
    );
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}
