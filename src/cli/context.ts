/**
 * What every command needs: the global options, one S3Connection made from them (lazily, so
 * `--help` and usage errors never load the SDK), the output conventions, Ctrl-C as an
 * AbortSignal, and advice that names this CLI's own commands.
 */
import type { Command } from 'commander';
import { S3Connection } from '../s3/connection.js';
import { CloudSparkError, maskAccessKey } from '../errors.js';
import type { Logger } from '../s3/sdk/logger.js';
import { seconds } from '../s3/sdk/network.js';
import { UsageError } from './failure.js';
import type { Output } from './output.js';

export interface GlobalOptions {
  endpoint?: string;
  /** aws CLI's name for --endpoint. */
  endpointUrl?: string;
  region?: string;
  profile?: string;
  bucket?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  /** `--timeout`, in milliseconds: the connection's idle limit. */
  timeout?: number;
}

/** Where the endpoint may come from, strongest first; the AWS names are the SDK's own. */
export const ENDPOINT_ENV = ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL', 'S3_ENDPOINT'] as const;

/** `s3://BUCKET/KEY` as its bucket and key (`''` for none); undefined for any other argument. */
export function parseS3Uri(arg: string): { bucket: string; key: string } | undefined {
  const uri = /^s3:\/\/([^/]*)\/?(.*)$/s.exec(arg);
  return uri ? { bucket: uri[1]!, key: uri[2]! } : undefined;
}

/** The global options that choose the store; fix commands repeat them when given as flags. */
const CONNECTION_FLAGS = ['endpoint', 'region', 'profile', 'bucket'] as const;

export class CliContext {
  readonly out: Output;
  readonly options: GlobalOptions;
  readonly signal: AbortSignal;
  /** Connection flags given on the command line, as `--name value` pairs. */
  readonly #flags: Map<string, string>;
  readonly #s3 = new Map<string, S3Connection>();
  /** A write was refused while the bucket's BlockPublicAcls is on (whyWriteRefused). */
  #putBlocked = false;
  /** The bucket an `s3://` argument named. */
  #uriBucket: string | undefined;

  constructor(command: Command, out: Output, signal: AbortSignal) {
    this.options = command.optsWithGlobals<GlobalOptions>();
    this.out = out;
    this.signal = signal;
    this.#flags = new Map();
    const root = rootOf(command);
    for (const name of CONNECTION_FLAGS) {
      const value = this.options[name];
      if (value !== undefined && root.getOptionValueSource(name) === 'cli') this.#flags.set(name, value);
    }
    if (this.options.endpointUrl !== undefined && !this.#flags.has('endpoint'))
      this.#flags.set('endpoint', this.options.endpointUrl);
  }

  get endpoint(): string | undefined {
    const { endpoint, endpointUrl } = this.options;
    if (endpoint !== undefined && endpointUrl !== undefined && endpoint !== endpointUrl)
      throw new UsageError('--endpoint and --endpoint-url name two endpoints: give one');
    return endpoint ?? endpointUrl ?? ENDPOINT_ENV.map((name) => process.env[name]).find((v) => v);
  }

  /**
   * An argument that names an object or a prefix: a bare key, in the bucket of `--bucket` (or
   * `CLOUDSPARK_BUCKET`), or `s3://BUCKET/KEY`, which names the bucket too (over
   * `CLOUDSPARK_BUCKET`; a `--bucket` that says otherwise, or two buckets in one command, is a
   * usage error). Returns the key, `''` for `s3://BUCKET` alone.
   */
  keyOf(arg: string): string {
    const uri = parseS3Uri(arg);
    if (!uri) return arg;
    const { bucket, key } = uri;
    if (bucket === '') throw new UsageError(`"${arg}" names no bucket: write s3://BUCKET/KEY`);
    if (this.#uriBucket !== undefined && this.#uriBucket !== bucket)
      throw new UsageError(
        `"${arg}" is in bucket ${bucket}, and another argument in ${this.#uriBucket}: one bucket per command`,
      );
    if (this.#uriBucket === undefined && this.#flags.has('bucket') && this.options.bucket !== bucket)
      throw new UsageError(
        `"${arg}" is in bucket ${bucket}, but --bucket says ${this.options.bucket}: give one of them`,
      );
    this.#uriBucket = bucket;
    this.options.bucket = bucket;
    // Fix commands (hints) name it, as if given with --bucket.
    this.#flags.set('bucket', bucket);
    return key;
  }

  /** The argument of a command whose argument is a bucket (mb, rb): NAME, or s3://NAME as action() read it. */
  bucketArg(arg: string): string {
    if (this.#uriBucket === undefined) return arg;
    if (arg !== '') throw new UsageError(`name a bucket, not an object: s3://${this.#uriBucket}`);
    return this.#uriBucket;
  }

  /**
   * A write refused with ACCESS_DENIED may not be the credentials' fault: Ceph RGW refuses every
   * PUT while the bucket's BlockPublicAcls is on (doctor checks the same). When that is so, the
   * hint says it; `error` is returned either way.
   */
  async whyWriteRefused(error: unknown): Promise<unknown> {
    if (error instanceof CloudSparkError && error.code === 'ACCESS_DENIED' && this.options.bucket) {
      const settings = await this.connection()
        .getPublicAccess()
        .catch(() => undefined);
      if (settings?.BlockPublicAcls) this.#putBlocked = true;
    }
    return error;
  }

  /** Every key under `prefix` in `bucket`, all pages (rm -r, rb --force, cp -r, mv). */
  async keysUnder(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const o of this.connection(bucket).listObjects({ prefix })) keys.push(o.key);
    return keys;
  }

  /** The bucket of `--bucket` or `CLOUDSPARK_BUCKET`; a usage error when neither is set. */
  get bucket(): string {
    const bucket = this.options.bucket;
    if (!bucket)
      throw new UsageError('no bucket given: pass --bucket NAME, set CLOUDSPARK_BUCKET, or name it: s3://BUCKET/KEY');
    return bucket;
  }

  /**
   * The connection, bound to the bucket unless `bucket` is false (IAM, or `bucket create`): one
   * per bucket a command works on (cp between two buckets lists one and writes the other).
   */
  connection(bucket: string | false = this.bucket): S3Connection {
    const name = bucket === false ? '' : bucket;
    let made = this.#s3.get(name);
    if (made === undefined) {
      made = new S3Connection({
        ...envKeys(this.options.profile),
        endpoint: this.endpoint,
        region: this.options.region,
        profile: this.options.profile,
        bucket: bucket === false ? undefined : bucket,
        logger: this.options.verbose ? stderrLogger(this.out) : undefined,
        timeouts: this.options.timeout === undefined ? undefined : { idle: this.options.timeout },
      });
      this.#s3.set(name, made);
    }
    return made;
  }

  close(): void {
    for (const s3 of this.#s3.values()) s3.close();
  }

  /** A command line that repeats this one's connection flags, for "fix:" advice. */
  command(...args: string[]): string {
    const flags = [...this.#flags].flatMap(([name, value]) => [`--${name}`, value]);
    return ['cloudspark', ...flags, ...args].map(shellQuote).join(' ');
  }

  /** Which credentials sign, in the default chain's order, with the access key masked. */
  describeCredentials(): string {
    const { profile } = this.options;
    if (profile) return `profile "${profile}" (--profile)`;
    if (process.env['AWS_PROFILE']) return `profile "${process.env['AWS_PROFILE']}" (AWS_PROFILE)`;
    const key = process.env['AWS_ACCESS_KEY_ID'];
    if (key) return `access key ${maskAccessKey(key)} (AWS_ACCESS_KEY_ID)`;
    return "the AWS SDK's default chain (no AWS_ACCESS_KEY_ID, AWS_PROFILE or --profile is set)";
  }

  /** Advice for a library error, in this CLI's terms (the library's own speaks of its API). */
  hint(error: CloudSparkError): string | undefined {
    switch (error.code) {
      case 'INVALID_INPUT': {
        // The library does not echo an endpoint (one may carry credentials); one without them is shown.
        const given = this.endpoint;
        return error.field === 'endpoint' && given !== undefined && !given.includes('@')
          ? `the endpoint given: "${given}" (--endpoint, else ${ENDPOINT_ENV.join(', ')})`
          : undefined;
      }
      case 'NO_SUCH_BUCKET':
        return this.options.bucket ? `create it: ${this.command('bucket', 'create', this.options.bucket)}` : undefined;
      case 'ACCESS_DENIED':
        return this.#putBlocked
          ? `the bucket's BlockPublicAcls is on, and Ceph RGW refuses every PUT while it is (POST still works): ${this.command('public-access', 'allow')}; on other stores, check what ${this.describeCredentials()} may do`
          : `signed with ${this.describeCredentials()}: check these credentials and what they may do`;
      case 'CREDENTIALS':
        return `the keys were to come from ${this.describeCredentials()}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile NAME`;
      case 'POLICY_BLOCKED_BY_PUBLIC_ACCESS':
        return `allow public policies first: ${this.command('public-access', 'allow')}`;
      case 'NETWORK':
        return `the endpoint is ${this.endpoint ?? 'Amazon S3'} (set by --endpoint, else ${ENDPOINT_ENV.join(', ')})`;
      case 'TIMEOUT': {
        const [made] = this.#s3.values();
        return error.field === 'timeouts.idle'
          ? `if the store is only slow, wait longer: --timeout SECONDS${made ? ` (now ${seconds(made.timeouts.idle)})` : ''}`
          : `check the endpoint (--endpoint, else ${ENDPOINT_ENV.join(', ')}) and the network`;
      }
      default:
        return undefined;
    }
  }
}

/**
 * The keys of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) when the
 * default chain would pick them first anyway (no profile asked for): given directly, they spare
 * loading the SDK's credential chain, which `get` and presigning otherwise need for nothing else.
 */
function envKeys(profile: string | undefined): {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
} {
  const env = process.env;
  const [accessKeyId, secretAccessKey] = [env['AWS_ACCESS_KEY_ID'], env['AWS_SECRET_ACCESS_KEY']];
  if (profile || env['AWS_PROFILE'] || !accessKeyId || !secretAccessKey) return {};
  return {
    accessKeyId,
    secretAccessKey,
    ...(env['AWS_SESSION_TOKEN'] ? { sessionToken: env['AWS_SESSION_TOKEN'] } : {}),
  };
}

function rootOf(command: Command): Command {
  let c = command;
  while (c.parent) c = c.parent;
  return c;
}

function stderrLogger(out: Output): Logger {
  const write = (level: string) => (message: string) => out.info(`[${level}] ${message}`);
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** Quotes for a POSIX shell only where needed, so that a fix can be pasted as it is. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
