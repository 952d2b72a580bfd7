/**
 * How a page pays for a browser script: bundled by esbuild, minified, for ES2020 browsers, and
 * gzipped at level 9. One build for the size budgets (`npm run size`) and the browser benchmark's
 * pages, so that both weigh the same thing.
 */
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export interface PageBundle {
  /** The minified bundle, as served. */
  code: Uint8Array;
  /** Its bytes, minified. */
  minified: number;
  /** Its bytes, minified and gzipped (level 9). */
  gzip: number;
  /** The files bundled, besides the entry, as esbuild names them (relative to the working directory). */
  inputs: string[];
}

/**
 * Bundles `entry` as a page would, but for the packages named in `external` (a page's own: React),
 * which are left imports; `define` replaces globals, as an app's bundler does for
 * `process.env.NODE_ENV` (cloudspark's code has none).
 */
export async function bundlePage(
  entry: string,
  external: string[] = [],
  define: Record<string, string> = {},
): Promise<PageBundle> {
  const out = await build({
    external,
    define,
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  const code = out.outputFiles[0]!.contents;
  const inputs = Object.keys(out.metafile.inputs).filter((p) => resolve(p) !== resolve(entry));
  return { code, minified: code.length, gzip: gzipSync(code, { level: 9 }).length, inputs };
}
