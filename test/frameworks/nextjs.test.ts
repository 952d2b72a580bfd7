/**
 * The upload handler in a Next.js App Router route (examples/nextjs), built with `next build`
 * and served by `next start`: Next's own production server, in its own process.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, start } from '../../examples/nextjs/server.js';
import { frameworkContract } from '../support/framework-contract.js';
import { repoRoot } from '../support/fixtures.js';

// `next build` writes tsconfig.json, next-env.d.ts and .next/ into the app's folder, so it builds
// a copy, laid out as in examples/ (the route imports ../uploads.ts). The copy sits inside the
// repository, so that next, react and cloudspark itself resolve from its node_modules. Built here
// rather than in a hook, so that its time is not reported as the first test's.
mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
const copy = mkdtempSync(join(repoRoot, '.tmp', 'nextjs-'));
process.once('exit', () => rmSync(copy, { recursive: true, force: true }));
cpSync(join(repoRoot, 'examples/uploads.ts'), join(copy, 'uploads.ts'));
cpSync(join(repoRoot, 'examples/nextjs'), join(copy, 'nextjs'), { recursive: true });
await build(join(copy, 'nextjs'));

frameworkContract('nextjs', () => start({ dir: join(copy, 'nextjs') }));
