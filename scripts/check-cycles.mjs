/**
 * The source has no import circles: every `import`/`export ... from` between files of src/, type
 * imports included (a type that must come from the module that imports you is a layering error
 * too), and lazy `import()`s. Prints each circle found and exits 1; `--json` prints them for tests.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The src files `file` imports, by their paths. */
function imports(file) {
  const text = readFileSync(file, 'utf8');
  const found = new Set();
  for (const m of text.matchAll(
    /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  )) {
    const spec = m[1] ?? m[2] ?? m[3];
    found.add(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return [...found];
}

const graph = new Map(files(src).map((f) => [f, imports(f).filter((t) => t.startsWith(src))]));
const circles = [];
const state = new Map(); // 1: on the path, 2: done
const path = [];
function visit(node) {
  state.set(node, 1);
  path.push(node);
  for (const next of graph.get(node) ?? []) {
    if (state.get(next) === 1) circles.push([...path.slice(path.indexOf(next)), next].map((f) => relative(root, f)));
    else if (!state.has(next)) visit(next);
  }
  path.pop();
  state.set(node, 2);
}
for (const node of graph.keys()) if (!state.has(node)) visit(node);

if (process.argv.includes('--json')) console.log(JSON.stringify(circles));
else if (circles.length === 0) console.log(`no import circles in ${graph.size} files of src/`);
else for (const c of circles) console.error(`import circle: ${c.join(' -> ')}`);
process.exit(circles.length === 0 ? 0 : 1);
