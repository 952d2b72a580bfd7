/**
 * Transfers at the terminal, side by side: `cloudspark put` / `get` of one large file and
 * `put -r` / `get -r` of a folder of many small ones, against Debian's aws CLI (`/usr/bin/aws`)
 * and s3cmd (`/usr/bin/s3cmd`), all on one throw-away Ceph RGW that this script starts (and
 * stops). Each tool gets the RGW's endpoint and keys through its own configuration in a
 * temporary HOME: nothing of the user's ~/.aws or ~/.s3cfg is read or written (bench/tools.ts).
 * For the large file, `curl` moving the same bytes over one connection (a GET of a presigned
 * URL to a file, `curl -T` to a presigned PUT URL, both made by cloudspark's own presigner) is
 * the single-stream floor: a reference, not a competitor in the ratio.
 *
 *   npm run bench:transfer
 *   BENCH_ROUNDS=5 BENCH_BIG_MIB=256 BENCH_FILES=2000 BENCH_FILE_KIB=64 npm run bench:transfer
 *   BENCH_CHART=0 ...        # no docs/transfer.svg
 *   BENCH_CASES=sync ...     # only the cases whose names start so (comma-separated)
 *
 * Every run is the whole command, start-up included, timed from spawn to exit. Rounds
 * alternate the tools' order; each tool's best time and its median over the rounds are
 * reported. The ratio is the fastest other tool's time (aws CLI or s3cmd) over cloudspark's
 * (above 1: cloudspark is faster); cloudspark against curl is given beside it the same way.
 * Installs Debian's `awscli`, `s3cmd` and `curl` first when they are missing and this runs as
 * root. Prints to stdout and exits 0 (a missed target is reported, not an error), 1 when a tool
 * failed or gave wrong bytes.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Connection } from '../src/index.js';
import { barChart, type Bar } from './chart.js';
import {
  CLI,
  CURL,
  buildIfStale,
  configureTools,
  ensureTools,
  fmtS,
  median,
  randomFile,
  root,
  sha256,
  startRgw,
  stopRgw,
  textTable,
  timed,
  toolVersions,
} from './tools.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const BIG_MIB = Number(process.env['BENCH_BIG_MIB'] ?? 256);
const FILES = Number(process.env['BENCH_FILES'] ?? 2000);
const FILE_KIB = Number(process.env['BENCH_FILE_KIB'] ?? 64);
const CHART = process.env['BENCH_CHART'] !== '0';
const ONLY = process.env['BENCH_CASES']?.split(',').filter(Boolean);
const BUCKET = 'bench-transfer';

// ------------------------------------------------------------------ data

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

// ------------------------------------------------------------------ runs

interface Run {
  /** The command; a function when it must be made just before each run (a fresh presigned URL). */
  argv: string[] | (() => Promise<string[]>);
  /** Before the timed run: remove what the last run left. */
  prepare?: () => void;
  /** After it, in the first round: throws when the result is wrong. */
  verify?: () => void;
}

type ToolName = 'cloudspark' | 'aws' | 's3cmd' | 'curl';

interface Tool {
  name: ToolName;
  /** Shown as a column and bar heading. */
  label: string;
  ours: boolean;
  /** A reference (curl): never the "fastest other" of the ratio. */
  floor: boolean;
}

interface Case {
  name: string;
  title: string;
  /** The tools that take part in this case (curl only for the large file). */
  runs: Partial<Record<ToolName, Run>>;
  /** Seconds per round, in round order; NaN for a round in which the tool failed. */
  times: Partial<Record<ToolName, number[]>>;
}

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

  const { env, cs, aws, s3cmd, s3 } = configureTools(join(work, 'home'), rgw, rgw.endpoint, BUCKET);
  // curl's URLs, signed by the project's own presigner (no request made), fresh for each run.
  const presigner = new S3Connection({
    endpoint: rgw.endpoint,
    region: rgw.region,
    accessKeyId: rgw.accessKeyId,
    secretAccessKey: rgw.secretAccessKey,
    bucket: BUCKET,
  });
  const curl = (...args: string[]) => [CURL, '--silent', '--show-error', '--fail', ...args];

  const tools: Tool[] = [
    { name: 'cloudspark', label: 'cloudspark', ours: true, floor: false },
    { name: 'aws', label: 'aws CLI', ours: false, floor: false },
    { name: 's3cmd', label: 's3cmd', ours: false, floor: false },
    { name: 'curl', label: 'curl (floor)', ours: false, floor: true },
  ];
  const versions = toolVersions();
  console.log(`# ${Object.values(versions).join(', ')}`);

  // Seed what the downloads read, with cloudspark (not timed).
  const seed = async (argv: string[]) => void (await timed(argv, env, work));
  await seed(cs('bucket', 'create', BUCKET));
  await seed(cs('put', big, 'seed/big.bin'));
  await seed(cs('put', '-r', tree, 'seed/tree/'));

  const out = join(work, 'out');
  const fresh = (path: string) => () => rmSync(path, { recursive: true, force: true });
  const sameBytes = (path: string) => () => {
    if (statSync(path).size !== BIG_MIB * 1024 * 1024 || sha256(path) !== bigHash)
      throw new Error(`${path}: not the bytes uploaded`);
  };
  const allFiles = (dir: string) => () => {
    const c = countFiles(dir);
    if (c.files !== FILES || c.bytes !== FILES * FILE_KIB * 1024)
      throw new Error(`${dir}: ${c.files} files, ${c.bytes} bytes`);
  };
  const stored = (prefix: string, files: number) => () => {
    const r = spawnSync(process.execPath, [CLI, 'ls', '-r', prefix, '--json'], { env, encoding: 'utf8' });
    const n = r.stdout.trim().split('\n').filter(Boolean).length;
    if (n !== files) throw new Error(`${prefix}: ${n} objects stored, ${files} expected`);
  };
  mkdirSync(out, { recursive: true });

  const bigLabel = `${BIG_MIB} MiB`;
  const treeLabel = `${FILES} x ${FILE_KIB} KiB`;
  /** Before a first sync: the tool's prefix emptied (not timed). */
  const emptied = (prefix: string) => () => {
    const r = spawnSync(process.execPath, [CLI, 'rm', '-r', '-q', prefix], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`rm -r ${prefix}: ${r.stderr}`);
  };
  const syncRuns = (first: boolean): Case['runs'] => ({
    cloudspark: {
      argv: cs('sync', tree, s3('sync/cs/')),
      prepare: first ? emptied(s3('sync/cs/')) : undefined,
      verify: stored('sync/cs/', FILES),
    },
    aws: {
      argv: aws('s3', 'sync', tree, s3('sync/aws/')),
      prepare: first ? emptied(s3('sync/aws/')) : undefined,
      verify: stored('sync/aws/', FILES),
    },
    s3cmd: {
      argv: s3cmd('sync', `${tree}/`, s3('sync/s3cmd/')),
      prepare: first ? emptied(s3('sync/s3cmd/')) : undefined,
      verify: stored('sync/s3cmd/', FILES),
    },
  });
  const allCases: Case[] = [
    {
      name: `put ${bigLabel}`,
      title: `put: one ${bigLabel} file`,
      runs: {
        cloudspark: { argv: cs('put', big, 'up/cs.bin'), verify: stored('up/cs.bin', 1) },
        aws: { argv: aws('s3', 'cp', big, s3('up/aws.bin')), verify: stored('up/aws.bin', 1) },
        s3cmd: { argv: s3cmd('put', big, s3('up/s3cmd.bin')), verify: stored('up/s3cmd.bin', 1) },
        // `Expect:` off: no wait for a 100 Continue, the least a PUT can do.
        curl: {
          argv: async () =>
            curl(
              '-H',
              'Expect:',
              '-T',
              big,
              '-o',
              '/dev/null',
              await presigner.presignedPutUrl('up/curl.bin', { expiresIn: 3600, contentLength: BIG_MIB * 1024 * 1024 }),
            ),
          verify: stored('up/curl.bin', 1),
        },
      },
      times: {},
    },
    {
      name: `get ${bigLabel}`,
      title: `get: one ${bigLabel} file`,
      runs: {
        cloudspark: {
          argv: cs('get', 'seed/big.bin', join(out, 'cs.bin')),
          prepare: fresh(join(out, 'cs.bin')),
          verify: sameBytes(join(out, 'cs.bin')),
        },
        aws: {
          argv: aws('s3', 'cp', s3('seed/big.bin'), join(out, 'aws.bin')),
          prepare: fresh(join(out, 'aws.bin')),
          verify: sameBytes(join(out, 'aws.bin')),
        },
        s3cmd: {
          argv: s3cmd('get', '--force', s3('seed/big.bin'), join(out, 's3cmd.bin')),
          prepare: fresh(join(out, 's3cmd.bin')),
          verify: sameBytes(join(out, 's3cmd.bin')),
        },
        curl: {
          argv: async () =>
            curl('-o', join(out, 'curl.bin'), await presigner.presignedGetUrl('seed/big.bin', { expiresIn: 3600 })),
          prepare: fresh(join(out, 'curl.bin')),
          verify: sameBytes(join(out, 'curl.bin')),
        },
      },
      times: {},
    },
    {
      name: `put -r ${treeLabel}`,
      title: `put -r: ${treeLabel} files`,
      runs: {
        cloudspark: { argv: cs('put', '-r', tree, 'up/tree-cs/'), verify: stored('up/tree-cs/', FILES) },
        aws: { argv: aws('s3', 'cp', '--recursive', tree, s3('up/tree-aws/')), verify: stored('up/tree-aws/', FILES) },
        s3cmd: {
          argv: s3cmd('put', '--recursive', `${tree}/`, s3('up/tree-s3cmd/')),
          verify: stored('up/tree-s3cmd/', FILES),
        },
      },
      times: {},
    },
    {
      name: `get -r ${treeLabel}`,
      title: `get -r: ${treeLabel} files`,
      runs: {
        cloudspark: {
          argv: cs('get', '-r', 'seed/tree/', join(out, 'tree-cs')),
          prepare: fresh(join(out, 'tree-cs')),
          verify: allFiles(join(out, 'tree-cs')),
        },
        aws: {
          argv: aws('s3', 'cp', '--recursive', s3('seed/tree/'), join(out, 'tree-aws')),
          prepare: fresh(join(out, 'tree-aws')),
          verify: allFiles(join(out, 'tree-aws')),
        },
        s3cmd: {
          argv: s3cmd('get', '--recursive', s3('seed/tree/'), `${join(out, 'tree-s3cmd')}/`),
          prepare: () => (fresh(join(out, 'tree-s3cmd'))(), mkdirSync(join(out, 'tree-s3cmd'))),
          verify: allFiles(join(out, 'tree-s3cmd')),
        },
      },
      times: {},
    },
    // A folder to a prefix where it is not yet, then again with nothing changed: the second run
    // is a listing, a walk and a comparison (s3cmd also hashes every file: its default --check-md5).
    {
      name: `sync ${treeLabel}`,
      title: `sync: ${treeLabel} files to an empty prefix`,
      runs: syncRuns(true),
      times: {},
    },
    { name: `sync, no change`, title: `sync again, nothing changed (${treeLabel})`, runs: syncRuns(false), times: {} },
  ];
  const cases = ONLY ? allCases.filter((c) => ONLY.some((o) => c.name.startsWith(o))) : allCases;
  if (cases.length === 0)
    throw new Error(
      `BENCH_CASES=${ONLY!.join(',')}: no case's name starts so (${allCases.map((c) => c.name).join('; ')})`,
    );

  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      // Rotate, and reverse every other round: no tool always runs first, or after the same one.
      const present = tools.filter((t) => c.runs[t.name]);
      const order = present.map((_, k) => present[(k + round) % present.length]!);
      if (round % 2 === 1) order.reverse();
      for (const tool of order) {
        const run = c.runs[tool.name]!;
        const times = (c.times[tool.name] ??= []);
        run.prepare?.();
        try {
          const argv = typeof run.argv === 'function' ? await run.argv() : run.argv;
          times.push(await timed(argv, env, work));
          if (round === 0) run.verify?.();
        } catch (error) {
          failed = true;
          if (times.length === round) times.push(NaN);
          console.log(`FAILED: ${c.name}, ${tool.name}: ${(error as Error).message}`);
        }
      }
    }
    const last = (c: Case, t: Tool) => c.times[t.name]?.[round];
    console.log(
      `# round ${round + 1} of ${ROUNDS}: ${cases
        .map(
          (c) =>
            `${c.name}: ${tools
              .filter((t) => c.runs[t.name])
              .map((t) => `${t.name} ${last(c, t)?.toFixed(2) ?? '-'}`)
              .join(' / ')}`,
        )
        .join('; ')}`,
    );
  }

  // ---------------------------------------------------------------- report
  const ok = (xs: number[] | undefined) => (xs ?? []).filter((x) => Number.isFinite(x));
  const best = (c: Case, tool: ToolName) => Math.min(Infinity, ...ok(c.times[tool]));
  const med = (c: Case, tool: ToolName) => (ok(c.times[tool]).length ? median(ok(c.times[tool])) : Infinity);
  /** `best / median`, or `-` for a tool that is not in this case. */
  const cell = (c: Case, tool: ToolName) => (c.runs[tool] ? `${fmtS(best(c, tool))} / ${fmtS(med(c, tool))}` : '-');
  const fmtX = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : '-');
  const date = new Date().toISOString().slice(0, 10);
  const results = cases.map((c) => {
    const ours = best(c, 'cloudspark');
    const others = tools.filter((t) => !t.ours && !t.floor).map((t) => ({ tool: t.name, s: best(c, t.name) }));
    const fastest = others.reduce((a, b) => (b.s < a.s ? b : a));
    const ratio = fastest.s / ours;
    const oursTimes = c.times['cloudspark'] ?? [];
    // Per round: cloudspark against the fastest other of that same round (neighbours in time).
    const perRound = oursTimes
      .map((s, k) => Math.min(...others.map((o) => c.times[o.tool]?.[k] ?? Infinity)) / s)
      .filter(Number.isFinite);
    // curl's time over cloudspark's: above 1, cloudspark is faster than the single-stream floor.
    const curl = c.runs.curl
      ? {
          ratio: best(c, 'curl') / ours,
          perRound: oursTimes.map((s, k) => (c.times.curl?.[k] ?? NaN) / s).filter(Number.isFinite),
        }
      : undefined;
    return { c, ours, fastest, ratio, perRound, curl };
  });

  console.log('');
  console.log(
    `transfer benchmark, ${date}: best / median of ${ROUNDS} rounds (alternating order), whole command timed, one Ceph RGW on 127.0.0.1`,
  );
  console.log(`tools: ${Object.values(versions).join('; ')}`);
  console.log('');
  const rows: string[][] = [
    [
      'best / median',
      ...tools.map((t) => t.label),
      'fastest other / cloudspark',
      'per-round median',
      'curl / cloudspark (best, per-round median)',
      'target',
    ],
  ];
  for (const r of results) {
    rows.push([
      r.c.name,
      ...tools.map((t) => cell(r.c, t.name)),
      `${fmtX(r.ratio)} (vs ${r.fastest.tool})`,
      r.perRound.length ? fmtX(median(r.perRound)) : '-',
      r.curl ? `${fmtX(r.curl.ratio)}, ${r.curl.perRound.length ? fmtX(median(r.curl.perRound)) : '-'}` : '-',
      r.ratio >= 1 ? 'MET' : 'NOT MET',
    ]);
  }
  console.log(textTable(rows));
  console.log('');
  console.log('as a README table (each cell: best / median of the rounds):');
  console.log('');
  console.log(
    `| ${date}, ${ROUNDS} rounds | cloudspark | ${versions.aws} | ${versions.s3cmd} | ${versions.curl} (floor) | fastest other / cloudspark | per round (median) | curl / cloudspark (best, per round) |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const x = (v: number) => fmtX(v).replace('x', '×');
    console.log(
      `| ${r.c.name} | ${tools.map((t) => cell(r.c, t.name)).join(' | ')} | ${x(r.ratio)} | ${r.perRound.length ? x(median(r.perRound)) : '-'} | ${r.curl ? `${x(r.curl.ratio)}, ${r.curl.perRound.length ? x(median(r.curl.perRound)) : '-'}` : '-'} |`,
    );
  }
  console.log('');
  console.log(
    `reproduce: npm run bench:transfer   (BENCH_ROUNDS=${ROUNDS} BENCH_BIG_MIB=${BIG_MIB} BENCH_FILES=${FILES} BENCH_FILE_KIB=${FILE_KIB})`,
  );

  if (CHART) {
    const barLabel = (t: Tool) =>
      t.name === 'aws'
        ? versions.aws.split(' ')[0]!
        : t.name === 's3cmd'
          ? versions.s3cmd.replace(' version', '')
          : t.name === 'curl'
            ? `${versions.curl} (1 stream, floor)`
            : 'cloudspark';
    const svg = barChart({
      title: 'cloudspark, aws CLI and s3cmd on one Ceph RGW: seconds, lower is faster',
      subtitle: `${date}, best of ${ROUNDS} rounds (median in brackets); ${versions.aws}, ${versions.s3cmd.replace(' version', '')}, node ${process.version}; 2-core machine`,
      groups: results.map((r) => ({
        title: `${r.c.title}: cloudspark at ${fmtX(r.ratio)} the speed of the fastest other${r.curl ? `, ${fmtX(r.curl.ratio)} curl's` : ''}`,
        bars: tools
          .filter((t) => r.c.runs[t.name])
          .map((t): Bar => ({
            label: barLabel(t),
            value: best(r.c, t.name),
            text: `${fmtS(best(r.c, t.name))} (${fmtS(med(r.c, t.name))})`,
            ours: t.ours,
            floor: t.floor,
          })),
      })),
      note: 'npm run bench:transfer: whole commands timed, start to exit, tools in alternating order; curl: one presigned request',
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
