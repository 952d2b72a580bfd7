// Runs `npm run build`'s script when dist/ (or the API reports made beside it) is missing or
// older than any source or build input. Used by the cli tier and by `npm run api:check`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const INPUTS = ['src', 'scripts/build.mjs', 'scripts/api-extractor.mjs', 'package.json', 'tsconfig.json'];
const OUTPUTS = ['dist/esm/cli.js', '.tmp/api/cloudspark.api.md'];

/** The newest modification time of the files below `path` (or of the file itself). */
function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds unless every output is newer than every input; `why` says what needs the build. Exits 1 when the build fails. */
export function buildIfStale(why) {
  const inputs = Math.max(...INPUTS.map((p) => newest(join(root, p))));
  const fresh = OUTPUTS.every((p) => existsSync(join(root, p)) && statSync(join(root, p)).mtimeMs > inputs);
  if (fresh) return;
  console.log(`\n# building dist/ ${why}`);
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`The build failed: ${why.replace(/^for /, '')} needs it.`);
    process.exit(1);
  }
}
