#!/usr/bin/env node
// The whole test suite, tier by tier: `node scripts/test.mjs [unit] [rgw] [cli] [browser] [fault] [frameworks] [docs]`
// (default: all).
// Starts (and always stops) a throw-away Ceph RGW for the tiers that need one, and fails when
// a tier ran no test: a tier never skips itself silently.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { buildIfStale } from './build-if-stale.mjs';
import { startRgw, stopRgw } from './rgw/rgw.mjs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TIERS = {
  unit: { dir: 'test/unit', needsRgw: false },
  rgw: { dir: 'test/rgw', needsRgw: true },
  // Spawns the built bin, so the build is brought up to date first.
  cli: { dir: 'test/cli', needsRgw: true, needsBuild: true },
  // Debian's Chromium (scripts/browser/ensure-chromium.sh installs it) against the demo and RGW.
  browser: { dir: 'test/browser', needsRgw: true },
  // Library and bin through a fault-injecting proxy in front of RGW (test/support/fault-proxy.ts).
  // No test there may run over a minute: a fault that makes something hang fails, never waits.
  fault: { dir: 'test/fault', needsRgw: true, needsBuild: true, testTimeout: 60_000 },
  // examples/ under Express, Fastify, Hono and Next.js, through their real servers. The examples
  // import `cloudspark` as an app does, which here is the package itself: the built dist/.
  frameworks: { dir: 'test/frameworks', needsRgw: true, needsBuild: true },
  // The docs as a user reads them (README.md, CONTRIBUTING.md, docs/): every TypeScript block
  // type-checked against the built package, the `ts run` ones run against RGW, the CLI session
  // run as written, every link followed.
  docs: { dir: 'test/docs', needsRgw: true, needsBuild: true },
};
const asked = process.argv.slice(2);
const tiers = asked.length ? asked : Object.keys(TIERS);
for (const t of tiers) if (!TIERS[t]) usage(`unknown tier "${t}"`);

function usage(message) {
  console.error(`${message}\nusage: node scripts/test.mjs [${Object.keys(TIERS).join('|')}]...`);
  process.exit(2);
}

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

let rgwDir;
function startRgwOrExit() {
  try {
    const rgw = startRgw();
    rgwDir = rgw.dir;
    console.log(`# Ceph RGW up at ${rgw.endpoint} in ${rgw.seconds.toFixed(1)} s`);
    return rgw.env;
  } catch (error) {
    console.error(`${error.message} The integration tests need it.`);
    process.exit(1);
  }
}

function stopRgwOnce() {
  stopRgw(rgwDir);
  rgwDir = undefined;
}
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    stopRgwOnce();
    process.exit(130);
  });

function runTier(name, env) {
  const files = testFiles(TIERS[name].dir);
  const tapDir = mkdtempSync(join(tmpdir(), 'cloudspark-tap-'));
  const tap = join(tapDir, `${name}.tap`);
  console.log(`\n# tier ${name}: ${files.length} files`);
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        ...(TIERS[name].testTimeout ? [`--test-timeout=${TIERS[name].testTimeout}`] : []),
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${tap}`,
        ...files,
      ],
      { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } },
    );
    child.on('exit', (code) => {
      let text = '';
      try {
        text = readFileSync(tap, 'utf8');
      } catch {
        /* no report: counted as not run */
      }
      rmSync(tapDir, { recursive: true, force: true });
      const count = (label) => Number((text.match(new RegExp(`^# ${label} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
      resolve({ name, code, pass: count('pass'), fail: count('fail'), skipped: count('skipped') + count('todo') });
    });
  });
}

const results = [];
try {
  let rgwEnv;
  for (const name of tiers) {
    if (TIERS[name].needsBuild) buildIfStale(`for the ${name} tier`);
    if (TIERS[name].needsRgw && !rgwEnv) rgwEnv = startRgwOrExit();
    results.push(await runTier(name, TIERS[name].needsRgw ? rgwEnv : {}));
  }
} finally {
  stopRgwOnce();
}

console.log('\n# summary');
let ok = true;
for (const r of results) {
  const ran = r.pass + r.fail > 0;
  const good = ran && r.fail === 0 && r.code === 0 && r.skipped === 0;
  ok &&= good;
  console.log(
    `# tier ${r.name}: ${r.pass} passed, ${r.fail} failed${r.skipped ? `, ${r.skipped} skipped` : ''}${ran ? '' : ' (NO TEST RAN)'}${good ? '' : ' <- FAILED'}`,
  );
}
const pass = results.reduce((n, r) => n + r.pass, 0);
const fail = results.reduce((n, r) => n + r.fail, 0);
console.log(`${pass} passed, ${fail} failed`);
process.exit(ok ? 0 : 1);
