/**
 * Transfers at the terminal, side by side: `cloudspark put` / `get` of one large file and
 * `put -r` / `get -r` of a folder of many small ones, against Debian's aws CLI (`/usr/bin/aws`)
 * and s3cmd (`/usr/bin/s3cmd`), all on one throw-away Ceph RGW that this script starts (and
 * stops). Each tool gets the RGW's endpoint and keys through its own configuration in a
 * temporary HOME: nothing of the user's ~/.aws or ~/.s3cfg is read or written.
 *
 *   npm run bench:transfer
 *   BENCH_ROUNDS=5 BENCH_BIG_MIB=256 BENCH_FILES=2000 BENCH_FILE_KIB=64 npm run bench:transfer
 *   BENCH_CHART=0 ...        # no docs/transfer.svg
 *
 * Every run is the whole command, start-up included, timed from spawn to exit. Rounds
 * alternate the tools' order; the best time of each tool is kept, and the ratio is the fastest
 * other tool's time over cloudspark's (above 1: cloudspark is faster). Installs Debian's
 * `awscli` and `s3cmd` first when they are missing and this runs as root. Prints to stdout and
 * exits 0 (a missed target is reported, not an error), 1 when a tool failed or gave wrong bytes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { barChart } from './chart.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const BIG_MIB = Number(process.env['BENCH_BIG_MIB'] ?? 256);
const FILES = Number(process.env['BENCH_FILES'] ?? 2000);
const FILE_KIB = Number(process.env['BENCH_FILE_KIB'] ?? 64);
const CHART = process.env['BENCH_CHART'] !== '0';
const AWS = '/usr/bin/aws';
const S3CMD = '/usr/bin/s3cmd';
const BUCKET = 'bench-transfer';

type RgwModule = {
  startRgw(): { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; dir: string; seconds: number };
  stopRgw(dir: string | undefined): void;
};
const { startRgw, stopRgw } = (await import('../scripts/rgw/rgw.mjs' as string)) as RgwModule;
const { buildIfStale } = (await import('../scripts/build-if-stale.mjs' as string)) as { buildIfStale(why: string): void };

// ------------------------------------------------------------------ tools

function ensureTools(): void {
  if (existsSync(AWS) && existsSync(S3CMD)) return;
  if (process.getuid?.() !== 0) {
    console.log(`Debian's aws CLI or s3cmd is missing: sudo apt-get install awscli s3cmd`);
    process.exit(1);
  }
  console.log('# installing Debian packages awscli and s3cmd');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'awscli', 's3cmd'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (r.status !== 0 || !existsSync(AWS) || !existsSync(S3CMD)) {
    console.log('could not install awscli and s3cmd');
    process.exit(1);
  }
}

const versionOf = (argv: string[]): string => {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '?';
};

// ------------------------------------------------------------------ data

function randomFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(Math.min(bytes, 4 * 1024 * 1024));
  for (let left = bytes; left > 0; left -= chunk.length) {
    randomFillSync(chunk);
    writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  }
  closeSync(fd);
}

/** FILES files of FILE_KIB in 20 folders, two levels deep: `d07/e1/f00042.bin`. */
function makeTree(dir: string): void {
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, `d${String(i % 20).padStart(2, '0')}`, `e${i % 3}`);
    mkdirSync(sub, { recursive: true });
    randomFile(join(sub, `f${String(i).padStart(5, '0')}.bin`), FILE_KIB * 1024);
  }
}

function countFiles(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  if (!existsSync(dir)) return { files, bytes };
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const c = countFiles(p);
      files += c.files;
      bytes += c.bytes;
    } else if (e.isFile() && !e.name.endsWith('.part')) {
      files++;
      bytes += statSync(p).size;
    }
  }
  return { files, bytes };
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

// ------------------------------------------------------------------ runs

interface Run {
  argv: string[];
  /** Before the timed run: remove what the last run left. */
  prepare?: () => void;
  /** After it, in the first round: throws when the result is wrong. */
  verify?: () => void;
}

interface Tool {
  name: string;
  ours: boolean;
}

interface Case {
  name: string;
  title: string;
  runs: Record<string, Run>;
  times: Record<string, number[]>;
}

function timed(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms / 1000);
      else reject(new Error(`${argv.join(' ')} exited ${code}\n${stderr}`));
    });
  });
}

const fmtS = (s: number): string => `${s.toFixed(2)} s`;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ------------------------------------------------------------------ main

ensureTools();
buildIfStale('for the transfer benchmark');
process.env['RGW_MEMSTORE_BYTES'] ??= String(8 * 1024 ** 3);
const work = mkdtempSync(join(tmpdir(), 'cloudspark-bench-transfer-'));
let rgwDir: string | undefined;
const cleanUp = () => {
  stopRgw(rgwDir);
  rgwDir = undefined;
  rmSync(work, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (cleanUp(), process.exit(130)));

let failed = false;
try {
  console.log(`# test data in ${work}: one ${BIG_MIB} MiB file, ${FILES} files of ${FILE_KIB} KiB`);
  const big = join(work, 'big.bin');
  const tree = join(work, 'tree');
  randomFile(big, BIG_MIB * 1024 * 1024);
  makeTree(tree);
  const bigHash = sha256(big);

  const rgw = startRgw();
  rgwDir = rgw.dir;
  console.log(`# Ceph RGW up at ${rgw.endpoint} in ${rgw.seconds.toFixed(1)} s`);

  // A HOME of its own: each tool reads only the configuration written here.
  const home = join(work, 'home');
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(join(home, '.aws', 'config'), `[default]\nregion = ${rgw.region}\n`);
  writeFileSync(join(home, '.aws', 'credentials'), `[default]\naws_access_key_id = ${rgw.accessKeyId}\naws_secret_access_key = ${rgw.secretAccessKey}\n`);
  const host = new URL(rgw.endpoint).host;
  const s3cfg = join(home, '.s3cfg');
  writeFileSync(
    s3cfg,
    `[default]\naccess_key = ${rgw.accessKeyId}\nsecret_key = ${rgw.secretAccessKey}\nhost_base = ${host}\nhost_bucket = ${host}\nbucket_location = ${rgw.region}\nuse_https = False\nsignature_v2 = False\n`,
  );
  const env = {
    PATH: process.env['PATH'],
    HOME: home,
    LANG: 'C.UTF-8',
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    // cloudspark reads the endpoint and keys from the environment.
    S3_ENDPOINT: rgw.endpoint,
    AWS_REGION: rgw.region,
    AWS_ACCESS_KEY_ID: rgw.accessKeyId,
    AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    CLOUDSPARK_BUCKET: BUCKET,
  } as Record<string, string | undefined> as NodeJS.ProcessEnv;

  const cs = (...args: string[]) => [process.execPath, join(root, 'dist', 'esm', 'cli.js'), '-q', ...args];
  const aws = (...args: string[]) => [AWS, '--endpoint-url', rgw.endpoint, ...args, '--only-show-errors'];
  const s3cmd = (...args: string[]) => [S3CMD, '-c', s3cfg, '--no-progress', '-q', ...args];
  const s3 = (key: string) => `s3://${BUCKET}/${key}`;

  const tools: Tool[] = [
    { name: 'cloudspark', ours: true },
    { name: 'aws', ours: false },
    { name: 's3cmd', ours: false },
  ];
  const versions: Record<string, string> = {
    cloudspark: `cloudspark ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version} (node ${process.version})`,
    aws: versionOf([AWS, '--version']).replace(/ Python.*/, ''),
    s3cmd: versionOf([S3CMD, '--version']),
  };
  console.log(`# ${Object.values(versions).join(', ')}`);

  // Seed what the downloads read, with cloudspark (not timed).
  const seed = async (argv: string[]) => void (await timed(argv, env, work));
  await seed(cs('bucket', 'create', BUCKET));
  await seed(cs('put', big, 'seed/big.bin'));
  await seed(cs('put', '-r', tree, 'seed/tree/'));

  const out = join(work, 'out');
  const fresh = (path: string) => () => rmSync(path, { recursive: true, force: true });
  const sameBytes = (path: string) => () => {
    if (statSync(path).size !== BIG_MIB * 1024 * 1024 || sha256(path) !== bigHash) throw new Error(`${path}: not the bytes uploaded`);
  };
  const allFiles = (dir: string) => () => {
    const c = countFiles(dir);
    if (c.files !== FILES || c.bytes !== FILES * FILE_KIB * 1024) throw new Error(`${dir}: ${c.files} files, ${c.bytes} bytes`);
  };
  const stored = (prefix: string, files: number) => () => {
    const r = spawnSync(process.execPath, [join(root, 'dist', 'esm', 'cli.js'), 'ls', prefix, '--json'], { env, encoding: 'utf8' });
    const n = r.stdout.trim().split('\n').filter(Boolean).length;
    if (n !== files) throw new Error(`${prefix}: ${n} objects stored, ${files} expected`);
  };
  mkdirSync(out, { recursive: true });

  const bigLabel = `${BIG_MIB} MiB`;
  const treeLabel = `${FILES} x ${FILE_KIB} KiB`;
  const cases: Case[] = [
    {
      name: `put ${bigLabel}`,
      title: `put: one ${bigLabel} file`,
      runs: {
        cloudspark: { argv: cs('put', big, 'up/cs.bin'), verify: stored('up/cs.bin', 1) },
        aws: { argv: aws('s3', 'cp', big, s3('up/aws.bin')), verify: stored('up/aws.bin', 1) },
        s3cmd: { argv: s3cmd('put', big, s3('up/s3cmd.bin')), verify: stored('up/s3cmd.bin', 1) },
      },
      times: {},
    },
    {
      name: `get ${bigLabel}`,
      title: `get: one ${bigLabel} file`,
      runs: {
        cloudspark: { argv: cs('get', 'seed/big.bin', join(out, 'cs.bin')), prepare: fresh(join(out, 'cs.bin')), verify: sameBytes(join(out, 'cs.bin')) },
        aws: { argv: aws('s3', 'cp', s3('seed/big.bin'), join(out, 'aws.bin')), prepare: fresh(join(out, 'aws.bin')), verify: sameBytes(join(out, 'aws.bin')) },
        s3cmd: { argv: s3cmd('get', '--force', s3('seed/big.bin'), join(out, 's3cmd.bin')), prepare: fresh(join(out, 's3cmd.bin')), verify: sameBytes(join(out, 's3cmd.bin')) },
      },
      times: {},
    },
    {
      name: `put -r ${treeLabel}`,
      title: `put -r: ${treeLabel} files`,
      runs: {
        cloudspark: { argv: cs('put', '-r', tree, 'up/tree-cs/'), verify: stored('up/tree-cs/', FILES) },
        aws: { argv: aws('s3', 'cp', '--recursive', tree, s3('up/tree-aws/')), verify: stored('up/tree-aws/', FILES) },
        s3cmd: { argv: s3cmd('put', '--recursive', `${tree}/`, s3('up/tree-s3cmd/')), verify: stored('up/tree-s3cmd/', FILES) },
      },
      times: {},
    },
    {
      name: `get -r ${treeLabel}`,
      title: `get -r: ${treeLabel} files`,
      runs: {
        cloudspark: { argv: cs('get', '-r', 'seed/tree/', join(out, 'tree-cs')), prepare: fresh(join(out, 'tree-cs')), verify: allFiles(join(out, 'tree-cs')) },
        aws: { argv: aws('s3', 'cp', '--recursive', s3('seed/tree/'), join(out, 'tree-aws')), prepare: fresh(join(out, 'tree-aws')), verify: allFiles(join(out, 'tree-aws')) },
        s3cmd: {
          argv: s3cmd('get', '--recursive', s3('seed/tree/'), `${join(out, 'tree-s3cmd')}/`),
          prepare: () => (fresh(join(out, 'tree-s3cmd'))(), mkdirSync(join(out, 'tree-s3cmd'))),
          verify: allFiles(join(out, 'tree-s3cmd')),
        },
      },
      times: {},
    },
  ];

  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      // Rotate, and reverse every other round: no tool always runs first, or after the same one.
      const order = tools.map((_, k) => tools[(k + round) % tools.length]!);
      if (round % 2 === 1) order.reverse();
      for (const tool of order) {
        const run = c.runs[tool.name]!;
        run.prepare?.();
        try {
          const s = await timed(run.argv, env, work);
          (c.times[tool.name] ??= []).push(s);
          if (round === 0) run.verify?.();
        } catch (error) {
          failed = true;
          console.log(`FAILED: ${c.name}, ${tool.name}: ${(error as Error).message}`);
        }
      }
    }
    console.log(`# round ${round + 1} of ${ROUNDS}: ${cases.map((c) => `${c.name}: ${tools.map((t) => `${t.name} ${c.times[t.name]?.at(-1)?.toFixed(2) ?? '-'}`).join(' / ')}`).join('; ')}`);
  }

  // ---------------------------------------------------------------- report
  const best = (c: Case, tool: string) => Math.min(...(c.times[tool] ?? [Infinity]));
  const date = new Date().toISOString().slice(0, 10);
  console.log('');
  console.log(`transfer benchmark, ${date}: best of ${ROUNDS} rounds (alternating order), whole command timed, one Ceph RGW on 127.0.0.1`);
  console.log(`tools: ${Object.values(versions).join('; ')}`);
  console.log('');
  const rows: string[][] = [['', 'cloudspark', 'aws CLI', 's3cmd', 'fastest other / cloudspark', 'per-round median', 'target']];
  const results = cases.map((c) => {
    const ours = best(c, 'cloudspark');
    const others = tools.filter((t) => !t.ours).map((t) => ({ tool: t.name, s: best(c, t.name) }));
    const fastest = others.reduce((a, b) => (b.s < a.s ? b : a));
    const ratio = fastest.s / ours;
    // Per round: cloudspark against the fastest other of that same round (neighbours in time).
    const perRound = (c.times['cloudspark'] ?? []).map((s, k) => Math.min(...others.map((o) => c.times[o.tool]?.[k] ?? Infinity)) / s);
    return { c, ours, others, fastest, ratio, perRound };
  });
  for (const r of results) {
    rows.push([
      r.c.name,
      fmtS(r.ours),
      fmtS(best(r.c, 'aws')),
      fmtS(best(r.c, 's3cmd')),
      `${r.ratio.toFixed(2)}x (vs ${r.fastest.tool})`,
      `${median(r.perRound).toFixed(2)}x`,
      r.ratio >= 1 ? 'MET' : 'NOT MET',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   '));
  console.log('');
  console.log('as a README table:');
  console.log('');
  console.log(`| ${date}, best of ${ROUNDS} | cloudspark | ${versions['aws']} | ${versions['s3cmd']} | fastest other / cloudspark |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.c.name} | ${fmtS(r.ours)} | ${fmtS(best(r.c, 'aws'))} | ${fmtS(best(r.c, 's3cmd'))} | ${r.ratio.toFixed(2)}× |`);
  }
  console.log('');
  console.log(`reproduce: npm run bench:transfer   (BENCH_ROUNDS=${ROUNDS} BENCH_BIG_MIB=${BIG_MIB} BENCH_FILES=${FILES} BENCH_FILE_KIB=${FILE_KIB})`);

  if (CHART) {
    const svg = barChart({
      title: 'cloudspark, aws CLI and s3cmd on one Ceph RGW: seconds, lower is faster',
      subtitle: `${date}, best of ${ROUNDS} rounds; ${versions['aws']}, ${versions['s3cmd']}, node ${process.version}; 2-core shared machine`,
      groups: results.map((r) => ({
        title: `${r.c.title}: cloudspark at ${r.ratio.toFixed(2)}x the speed of the fastest other`,
        bars: tools.map((t) => ({
          label: t.name === 'aws' ? versions['aws']!.split(' ')[0]! : t.name === 's3cmd' ? versions['s3cmd']!.replace(' version', '') : 'cloudspark',
          value: best(r.c, t.name),
          text: fmtS(best(r.c, t.name)),
          ours: t.ours,
        })),
      })),
      note: 'npm run bench:transfer: each whole command timed from start to exit, tools in alternating order',
    });
    const path = join(root, 'docs', 'transfer.svg');
    writeFileSync(path, svg);
    console.log(`chart: ${path}`);
  }
} catch (error) {
  failed = true;
  console.log(`FAILED: ${(error as Error).message}`);
} finally {
  cleanUp();
}
process.exit(failed ? 1 : 0);
