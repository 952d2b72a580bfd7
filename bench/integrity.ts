/**
 * Integrity at the terminal: what `cloudspark`, Debian's aws CLI and s3cmd do when the bytes
 * are damaged on the way. Each tool talks to a throw-away Ceph RGW through the project's fault
 * proxy (test/support/fault-proxy.ts), which flips one bit in the middle of a body, lengths and
 * headers unchanged, as a faulty NIC, cable or middlebox does: of the request's body for
 * uploads, of the answer's body for downloads. Uploads (`put`) and downloads (`get`), of a file
 * that goes in one request and of one large enough for every tool's multipart / ranged path
 * (aws CLI: 8 MiB threshold and parts; s3cmd: 15 MiB chunks for uploads, one stream for
 * downloads; cloudspark: 8 MiB parts and ranges). Two variants: the first body only
 * (`times: 1`: a tool that retries or re-checks can still finish right) and every body.
 *
 * Each cell is one of:
 *   intact     the command succeeded and the bytes are right (stored object, or written file);
 *   refused    the command failed (non-zero exit) and nothing wrong was stored or written;
 *   corrupted  wrong bytes were stored or written (exit 0, or a failure that left them there);
 *   no fault   the proxy never fired for it: no verdict;
 *   lost       exit 0 but nothing stored or written; timed out: killed after BENCH_TIMEOUT_S.
 * A failed upload that leaves an unfinished multipart upload (parts kept, no object) is still
 * `refused`; the details say so. "warned": exit 0 with a message on stderr.
 * What was stored is read straight from RGW (not through the proxy), the written file is
 * compared with the original. Each cell also records the exit code and whether the tool
 * retried (the same request, or the same part or range, sent again through the proxy). A first
 * pass with no fault checks that every tool moves the bytes intact through the proxy at all.
 *
 *   npm run bench:integrity
 *   BENCH_SMALL_KIB=1024 BENCH_MULTI_MIB=40 BENCH_TIMEOUT_S=300 npm run bench:integrity
 *   BENCH_CHART=0 ...        # no docs/integrity.svg
 *
 * Prints a markdown table (and the details of each cell) and draws docs/integrity.svg. Exits 0
 * whatever the verdicts, 1 when the set-up or the no-fault pass failed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Connection } from '../src/index.js';
import { startFaultProxy, type FaultProxy, type SeenRequest } from '../test/support/fault-proxy.js';
import { gridChart, type GridCell, type Tone } from './chart.js';
import {
  CLI,
  buildIfStale,
  configureTools,
  ensureTools,
  execute,
  randomFile,
  root,
  sha256,
  startRgw,
  stopRgw,
  timed,
  toolVersions,
  type Exit,
  type ToolSet,
} from './tools.js';

const SMALL_KIB = Number(process.env['BENCH_SMALL_KIB'] ?? 1024);
const MULTI_MIB = Number(process.env['BENCH_MULTI_MIB'] ?? 40);
const TIMEOUT_S = Number(process.env['BENCH_TIMEOUT_S'] ?? 300);
const CHART = process.env['BENCH_CHART'] !== '0';
const BUCKET = 'bench-integrity';

type ToolName = 'cloudspark' | 'aws' | 's3cmd';
type Op = 'put' | 'get';
type Verdict = 'intact' | 'refused' | 'corrupted' | 'no fault' | 'lost' | 'timed out';

interface Size {
  id: 'one' | 'multi';
  label: string;
  bytes: number;
  file: string;
  hash: string;
}

interface Variant {
  id: 'clean' | 'once' | 'every';
  title: string;
  /** Bodies to corrupt: 0 for the no-fault pass. */
  times: number;
}

interface Cell {
  variant: Variant;
  tool: ToolName;
  op: Op;
  size: Size;
  verdict: Verdict;
  exit: Exit;
  /** Requests the fault rule caught. */
  fired: number;
  /** Body requests (PUTs of the key for put, GETs for get) that went through the proxy. */
  requests: number;
  /** Of those, how many repeated an earlier one (same key, part number and range). */
  repeats: number;
  /** What was found: the stored object or written file, against the original. */
  found: string;
  /** Exit 0 with something said on stderr (s3cmd's "MD5 signatures do not match" warning, say). */
  warned: boolean;
}

// ------------------------------------------------------------------ checks

const hashStream = (stream: AsyncIterable<Uint8Array>) =>
  (async () => {
    const h = createHash('sha256');
    let bytes = 0;
    for await (const chunk of stream) {
      h.update(chunk);
      bytes += chunk.length;
    }
    return { hash: h.digest('hex'), bytes };
  })();

/** The object `key` as RGW itself has it (a presigned GET straight to RGW): undefined when there is none. */
async function storedObject(
  direct: S3Connection,
  key: string,
): Promise<{ hash: string; bytes: number; etag: string | null } | undefined> {
  const answer = await fetch(await direct.presignedGetUrl(key, { expiresIn: 600 }));
  if (answer.status === 404) {
    await answer.body?.cancel();
    return undefined;
  }
  if (!answer.ok || !answer.body) throw new Error(`GET ${key} straight from RGW answered ${answer.status}`);
  return {
    ...(await hashStream(answer.body as unknown as AsyncIterable<Uint8Array>)),
    etag: answer.headers.get('etag'),
  };
}

async function fileHash(path: string): Promise<{ hash: string; bytes: number } | undefined> {
  return existsSync(path) ? hashStream(createReadStream(path)) : undefined;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Body requests sent again: the same method, key, part number and range as an earlier one. */
function repeatsOf(requests: readonly SeenRequest[]): number {
  const signatures = requests.map(
    (r) => `${r.method} ${r.path} ${new URLSearchParams(r.query).get('partNumber') ?? ''} ${r.range ?? ''}`,
  );
  return signatures.length - new Set(signatures).size;
}

// ------------------------------------------------------------------ main

ensureTools();
buildIfStale('for the integrity benchmark');
const work = mkdtempSync(join(tmpdir(), 'cloudspark-bench-integrity-'));
let rgwDir: string | undefined;
let proxy: FaultProxy | undefined;
const cleanUp = async () => {
  await proxy?.close();
  proxy = undefined;
  stopRgw(rgwDir);
  rgwDir = undefined;
  rmSync(work, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void cleanUp().finally(() => process.exit(130)));

let failed = false;
try {
  const sizes: Size[] = [
    {
      id: 'one',
      label: `one part (${SMALL_KIB >= 1024 ? `${SMALL_KIB / 1024} MiB` : `${SMALL_KIB} KiB`})`,
      bytes: SMALL_KIB * 1024,
      file: join(work, 'one.bin'),
      hash: '',
    },
    {
      id: 'multi',
      label: `multipart (${MULTI_MIB} MiB)`,
      bytes: MULTI_MIB * 1024 * 1024,
      file: join(work, 'multi.bin'),
      hash: '',
    },
  ];
  for (const size of sizes) {
    randomFile(size.file, size.bytes);
    size.hash = sha256(size.file);
  }
  console.log(`# test data in ${work}: ${sizes.map((s) => `${s.id}.bin ${s.bytes} bytes`).join(', ')}`);

  const rgw = startRgw();
  rgwDir = rgw.dir;
  console.log(`# Ceph RGW up at ${rgw.endpoint} in ${rgw.seconds.toFixed(1)} s`);
  proxy = await startFaultProxy(rgw.endpoint);
  console.log(`# fault proxy at ${proxy.endpoint}`);

  // The tools under test talk to the proxy; seeding and checking go straight to RGW.
  const straight = configureTools(join(work, 'home-rgw'), rgw, rgw.endpoint, BUCKET);
  const faulty: ToolSet = configureTools(join(work, 'home-proxy'), rgw, proxy.endpoint, BUCKET);
  const direct = new S3Connection({
    endpoint: rgw.endpoint,
    region: rgw.region,
    accessKeyId: rgw.accessKeyId,
    secretAccessKey: rgw.secretAccessKey,
    bucket: BUCKET,
  });
  const versions = toolVersions();
  console.log(`# ${versions.cloudspark}, ${versions.aws}, ${versions.s3cmd}`);

  // What the downloads read: stored by cloudspark straight to RGW (the large one in 8 MiB parts), checked from RGW.
  const seedKey = (size: Size) => `seed/${size.id}.bin`;
  await timed(straight.cs('bucket', 'create', BUCKET), straight.env, work);
  for (const size of sizes) {
    await timed(straight.cs('put', size.file, seedKey(size)), straight.env, work);
    const got = await storedObject(direct, seedKey(size));
    if (got?.hash !== size.hash) throw new Error(`the seed ${seedKey(size)} was not stored intact`);
    console.log(`# seeded ${seedKey(size)}: ETag ${got.etag}`);
  }

  const tools: ToolName[] = ['cloudspark', 'aws', 's3cmd'];
  const toolLabel: Record<ToolName, string> = {
    cloudspark: versions.cloudspark.replace(/ \(.*/, ''),
    aws: versions.aws,
    s3cmd: versions.s3cmd.replace(' version', ''),
  };
  const ops: Op[] = ['put', 'get'];
  const variants: Variant[] = [
    { id: 'clean', title: 'no fault (through the proxy, nothing changed)', times: 0 },
    { id: 'once', title: 'one bit flipped in the first body', times: 1 },
    { id: 'every', title: 'one bit flipped in every body', times: Infinity },
  ];

  const argvOf = (tool: ToolName, op: Op, file: string, key: string): string[] => {
    const { cs, aws, s3cmd, s3 } = faulty;
    if (op === 'put')
      return tool === 'cloudspark'
        ? cs('put', file, key)
        : tool === 'aws'
          ? aws('s3', 'cp', file, s3(key))
          : s3cmd('put', file, s3(key));
    return tool === 'cloudspark'
      ? cs('get', key, file)
      : tool === 'aws'
        ? aws('s3', 'cp', s3(key), file)
        : s3cmd('get', '--force', s3(key), file);
  };

  const runCell = async (variant: Variant, tool: ToolName, op: Op, size: Size): Promise<Cell> => {
    const key = op === 'put' ? `up/${variant.id}/${tool}/${size.id}.bin` : seedKey(size);
    const outDir = join(work, 'out', variant.id, `${tool}-${op}-${size.id}`);
    const target = join(outDir, `${size.id}.bin`);
    mkdirSync(outDir, { recursive: true });
    const path = new RegExp(`^/${escapeRegExp(BUCKET)}/${escapeRegExp(key)}$`);
    const method = op === 'put' ? 'PUT' : 'GET';
    proxy!.reset();
    const fault =
      variant.times > 0
        ? proxy!.inject({
            method,
            path,
            times: variant.times,
            action: { kind: 'corrupt', body: op === 'put' ? 'request' : 'response' },
          })
        : undefined;
    const exit = await execute(
      argvOf(tool, op, op === 'put' ? size.file : target, key),
      faulty.env,
      work,
      TIMEOUT_S * 1000,
    );
    fault?.remove();
    const requests = proxy!.seen.filter((r) => r.method === method && path.test(r.path));

    let verdict: Verdict;
    let found: string;
    const got = op === 'put' ? await storedObject(direct, key) : await fileHash(target);
    const right = got !== undefined && got.hash === size.hash && got.bytes === size.bytes;
    const what = op === 'put' ? 'stored object' : 'written file';
    found = got === undefined ? `no ${what}` : right ? `${what} intact` : `${what} differs (${got.bytes} bytes)`;
    if (op === 'put') {
      // Parts of an upload begun and never finished are not an object, but they are kept (and paid for).
      const open = spawnSync(process.execPath, [CLI, 'multipart', 'ls', '--prefix', key, '--json'], {
        env: straight.env,
        encoding: 'utf8',
      });
      const count = open.stdout.trim().split('\n').filter(Boolean).length;
      if (count) found += `; ${count} unfinished multipart upload${count > 1 ? 's' : ''} left`;
    } else {
      const stray = readdirSync(outDir).filter((name) => name !== `${size.id}.bin`);
      if (stray.length) found += `; also left: ${stray.join(', ')}`;
    }
    if (exit.timedOut) verdict = 'timed out';
    else if (exit.code === 0) verdict = right ? 'intact' : got === undefined ? 'lost' : 'corrupted';
    else verdict = got === undefined || right ? 'refused' : 'corrupted';
    // A verdict under a fault that never happened would claim what was not tested.
    if (fault && fault.fired < 1) verdict = 'no fault';
    return {
      variant,
      tool,
      op,
      size,
      verdict,
      exit,
      fired: fault?.fired ?? 0,
      requests: requests.length,
      repeats: repeatsOf(requests),
      found,
      warned: exit.code === 0 && exit.stderr.trim() !== '',
    };
  };

  const cells: Cell[] = [];
  for (const variant of variants) {
    for (const tool of tools) {
      for (const op of ops) {
        for (const size of sizes) {
          const cell = await runCell(variant, tool, op, size);
          cells.push(cell);
          console.log(
            `# ${variant.id}: ${tool} ${op} ${size.id}: ${cell.verdict} (exit ${cell.exit.code ?? cell.exit.signal}, ${cell.exit.seconds.toFixed(1)} s, fired ${cell.fired}, ${cell.requests} requests, ${cell.repeats} repeated; ${cell.found})`,
          );
        }
      }
    }
  }

  // ---------------------------------------------------------------- report
  const columns = ops.flatMap((op) => sizes.map((size) => ({ op, size, title: `${op}, ${size.label}` })));
  const cellOf = (variant: Variant, tool: ToolName, op: Op, size: Size) =>
    cells.find((c) => c.variant === variant && c.tool === tool && c.op === op && c.size === size)!;
  const retried = (c: Cell) => (c.repeats > 0 ? `retried (${c.repeats} repeated)` : 'no retry');
  const exitText = (c: Cell) =>
    c.exit.timedOut ? `killed after ${TIMEOUT_S} s` : `exit ${c.exit.code ?? c.exit.signal}`;
  const date = new Date().toISOString().slice(0, 10);

  const clean = variants[0]!;
  const cleanFailures = cells.filter((c) => c.variant === clean && c.verdict !== 'intact');
  if (cleanFailures.length) {
    failed = true;
    for (const c of cleanFailures)
      console.log(
        `FAILED with no fault: ${c.tool} ${c.op} ${c.size.id}: ${c.verdict}, ${exitText(c)}, ${c.found}\n${c.exit.stderr.trim()}`,
      );
  }

  console.log('');
  console.log(
    `integrity benchmark, ${date}: one bit flipped in the middle of a body between each tool and one Ceph RGW (test/support/fault-proxy.ts)`,
  );
  console.log(`tools: ${Object.values(versions).slice(0, 3).join('; ')}`);
  console.log(
    `through the proxy with no fault: ${cleanFailures.length ? `${cleanFailures.length} of ${tools.length * columns.length} runs NOT intact` : `all ${tools.length * columns.length} runs intact`}`,
  );
  console.log('');
  console.log(`| ${date} | ${columns.map((c) => c.title).join(' | ')} |`);
  console.log(`|---|${columns.map(() => '---').join('|')}|`);
  for (const variant of variants.slice(1)) {
    console.log(`| **${variant.title}** |${columns.map(() => ' ').join('|')}|`);
    for (const tool of tools) {
      const row = columns.map(({ op, size }) => {
        const c = cellOf(variant, tool, op, size);
        const verdict = c.verdict === 'corrupted' ? '**corrupted**' : c.verdict;
        return `${verdict}, ${exitText(c)}${c.warned ? ' (warned)' : ''}, ${retried(c)}`;
      });
      console.log(`| ${toolLabel[tool]} | ${row.join(' | ')} |`);
    }
  }
  console.log('');
  console.log(
    "details (variant, tool, transfer: verdict; exit; proxy: fault fired, body requests, repeated; what was found; the tool's last words):",
  );
  for (const c of cells.filter((c) => c.variant !== clean)) {
    const words = c.exit.stderr.trim().split('\n').filter(Boolean).slice(-2).join(' / ').slice(0, 300);
    console.log(
      `- ${c.variant.id}, ${c.tool} ${c.op} ${c.size.id}: ${c.verdict}; ${exitText(c)} after ${c.exit.seconds.toFixed(1)} s; fired ${c.fired}, ${c.requests} requests, ${c.repeats} repeated; ${c.found}${words ? `; "${words}"` : ''}`,
    );
  }
  console.log('');
  console.log(
    `reproduce: npm run bench:integrity   (BENCH_SMALL_KIB=${SMALL_KIB} BENCH_MULTI_MIB=${MULTI_MIB} BENCH_TIMEOUT_S=${TIMEOUT_S})`,
  );

  if (CHART) {
    const tone: Record<Verdict, Tone> = {
      intact: 'good',
      refused: 'safe',
      corrupted: 'bad',
      lost: 'bad',
      'no fault': 'none',
      'timed out': 'none',
    };
    const svg = gridChart({
      title: 'A bit flipped on the wire: what cloudspark, aws CLI and s3cmd do about it',
      subtitle: `${date}; ${versions.aws}, ${versions.s3cmd}, node ${process.version}; one Ceph RGW behind the project's fault proxy`,
      columns: columns.map((c) => `${c.op}\n${c.size.label}`),
      sections: variants.slice(1).map((variant) => ({
        title: variant.title,
        rows: tools.map((tool) => ({
          label: toolLabel[tool],
          cells: columns.map(({ op, size }): GridCell => {
            const c = cellOf(variant, tool, op, size);
            return {
              text: c.verdict,
              sub: `${exitText(c)}${c.warned ? ', warned' : ''}${c.repeats > 0 ? ', retried' : ''}`,
              tone: tone[c.verdict],
            };
          }),
        })),
      })),
      legend: {
        good: 'intact: right bytes, exit 0',
        safe: 'refused: failed, nothing wrong kept',
        bad: 'corrupted: wrong bytes stored or written',
        none: 'no fault fired / timed out',
      },
      note: 'npm run bench:integrity: uploads checked straight from RGW, downloads against the original file',
    });
    const path = join(root, 'docs', 'integrity.svg');
    writeFileSync(path, svg);
    console.log(`chart: ${path}`);
  }
} catch (error) {
  failed = true;
  console.log(`FAILED: ${(error as Error).stack ?? (error as Error).message}`);
} finally {
  await cleanUp();
}
process.exit(failed ? 1 : 0);
