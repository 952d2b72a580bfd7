/** Reading a folder back in tests of folder transfers. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Every file under `root`, as `relative/path` (with `/`) -> bytes; empty when `root` does not exist. */
export function tree(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else out.set(relative(root, p).split(sep).join('/'), readFileSync(p));
    }
  };
  if (existsSync(root)) visit(root);
  return out;
}
