#!/usr/bin/env node
// The browser module's weight as a page pays it: bundled, minified and gzipped. Fails over the
// budget, or when the bundle pulls in anything from outside src/browser (it has no dependencies).
// `--json` prints the measurement for tests.
import { gzipSync } from 'node:zlib';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const LIMIT = 4096;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = await build({
  entryPoints: [join(root, 'src/browser/index.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  write: false,
  metafile: true,
  logLevel: 'warning',
});
const code = out.outputFiles[0].contents;
const gzip = gzipSync(code, { level: 9 }).length;
const inputs = Object.keys(out.metafile.inputs).map((p) => relative(root, join(root, p)));
const outside = inputs.filter((p) => !p.startsWith('src/browser/'));
const result = { minified: code.length, gzip, limit: LIMIT, inputs, ok: gzip <= LIMIT && outside.length === 0 };
if (process.argv.includes('--json')) console.log(JSON.stringify(result));
else {
  console.log(`cloudspark/browser: ${code.length} bytes minified, ${gzip} bytes min+gzip (limit ${LIMIT}), ${inputs.length} source files`);
  if (outside.length) console.error(`pulls in code from outside src/browser: ${outside.join(', ')}`);
  if (gzip > LIMIT) console.error(`over the ${LIMIT}-byte budget by ${gzip - LIMIT} bytes`);
}
process.exit(result.ok ? 0 : 1);
