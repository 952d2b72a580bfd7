/**
 * What the terminal benchmarks (transfer.ts, integrity.ts) share: Debian's aws CLI and s3cmd
 * (installed when missing), curl, the built `cloudspark` bin, a throw-away Ceph RGW, random test
 * data, and each tool pointed at one endpoint through its own configuration files in a temporary
 * HOME, so that nothing of the user's ~/.aws or ~/.s3cfg is read or written.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const AWS = '/usr/bin/aws';
export const S3CMD = '/usr/bin/s3cmd';
export const CURL = '/usr/bin/curl';
/** The `cloudspark` bin as `npm run build` makes it. */
export const CLI = join(root, 'dist', 'esm', 'cli.js');

export interface Rgw {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  dir: string;
  seconds: number;
}

type RgwModule = { startRgw(): Rgw; stopRgw(dir: string | undefined): void };
export const { startRgw, stopRgw } = (await import('../scripts/rgw/rgw.mjs' as string)) as RgwModule;
export const { buildIfStale } = (await import('../scripts/build-if-stale.mjs' as string)) as {
  buildIfStale(why: string): void;
};

// ------------------------------------------------------------------ tools

/** Installs Debian's awscli, s3cmd and curl when one is missing (as root), else exits 1 saying how. */
export function ensureTools(): void {
  if (existsSync(AWS) && existsSync(S3CMD) && existsSync(CURL)) return;
  if (process.getuid?.() !== 0) {
    console.log(`Debian's aws CLI, s3cmd or curl is missing: sudo apt-get install awscli s3cmd curl`);
    process.exit(1);
  }
  console.log('# installing Debian packages awscli, s3cmd and curl');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'awscli', 's3cmd', 'curl'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  if (r.status !== 0 || !existsSync(AWS) || !existsSync(S3CMD) || !existsSync(CURL)) {
    console.log('could not install awscli, s3cmd and curl');
    process.exit(1);
  }
}

export const versionOf = (argv: string[]): string => {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '?';
};

/** One line per tool: `cloudspark 0.1.0 (node v20...)`, `aws-cli/2.9.19`, `s3cmd version 2.3.0`, `curl 7.88.1`. */
export function toolVersions(): Record<'cloudspark' | 'aws' | 's3cmd' | 'curl', string> {
  return {
    cloudspark: `cloudspark ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version} (node ${process.version})`,
    aws: versionOf([AWS, '--version']).replace(/ Python.*/, ''),
    s3cmd: versionOf([S3CMD, '--version']),
    curl: versionOf([CURL, '--version']).replace(/ \(.*/, ''),
  };
}

/** Each tool's argv for one endpoint, and the environment to run them in. */
export interface ToolSet {
  endpoint: string;
  env: NodeJS.ProcessEnv;
  /** `node dist/esm/cli.js -q ...` */
  cs(...args: string[]): string[];
  /** `aws --endpoint-url ... <args> --only-show-errors` */
  aws(...args: string[]): string[];
  /** `s3cmd -c <its config> --no-progress -q ...` */
  s3cmd(...args: string[]): string[];
  /** `s3://<bucket>/<key>` */
  s3(key: string): string;
}

/**
 * Writes a HOME at `home` in which aws CLI and s3cmd read only the configuration written here,
 * for `endpoint` (RGW itself, or a proxy in front of it) with `rgw`'s keys; cloudspark gets the
 * same through its environment variables, with `bucket` as its bucket.
 */
export function configureTools(home: string, rgw: Rgw, endpoint: string, bucket: string): ToolSet {
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(join(home, '.aws', 'config'), `[default]\nregion = ${rgw.region}\n`);
  writeFileSync(
    join(home, '.aws', 'credentials'),
    `[default]\naws_access_key_id = ${rgw.accessKeyId}\naws_secret_access_key = ${rgw.secretAccessKey}\n`,
  );
  const host = new URL(endpoint).host;
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
    S3_ENDPOINT: endpoint,
    AWS_REGION: rgw.region,
    AWS_ACCESS_KEY_ID: rgw.accessKeyId,
    AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    CLOUDSPARK_BUCKET: bucket,
  } as Record<string, string | undefined> as NodeJS.ProcessEnv;
  return {
    endpoint,
    env,
    cs: (...args) => [process.execPath, CLI, '-q', ...args],
    aws: (...args) => [AWS, '--endpoint-url', endpoint, ...args, '--only-show-errors'],
    s3cmd: (...args) => [S3CMD, '-c', s3cfg, '--no-progress', '-q', ...args],
    s3: (key) => `s3://${bucket}/${key}`,
  };
}

// ------------------------------------------------------------------ data

/** A file of `bytes` random bytes. */
export function randomFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(Math.min(bytes, 4 * 1024 * 1024));
  for (let left = bytes; left > 0; left -= chunk.length) {
    randomFillSync(chunk);
    writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  }
  closeSync(fd);
}

export const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

// ------------------------------------------------------------------ runs

/** How a command ended. */
export interface Exit {
  /** The exit status; null when a signal ended it (a timeout's included). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From spawn to exit. */
  seconds: number;
  stderr: string;
  /** True when it ran past its time limit and was killed. */
  timedOut: boolean;
}

/** Runs `argv` to its end (stdout ignored, stderr kept), killing it after `timeoutMs`. Never rejects for a failure of the command's own. */
export function execute(argv: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 30 * 60_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, seconds: (performance.now() - started) / 1000, stderr, timedOut });
    });
  });
}

/** Seconds `argv` took, from spawn to exit; rejects, with its stderr, when it exits non-zero. */
export async function timed(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const exit = await execute(argv, env, cwd);
  if (exit.code === 0) return exit.seconds;
  throw new Error(
    `${argv.join(' ')} exited ${exit.code ?? exit.signal}${exit.timedOut ? ' (timed out)' : ''}\n${exit.stderr}`,
  );
}

export const fmtS = (s: number): string => `${s.toFixed(2)} s`;

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** A fixed-width text table: first column left-aligned, the others right-aligned. */
export function textTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   '))
    .join('\n');
}
