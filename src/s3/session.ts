/**
 * The state an S3Connection works with, and the one way its operations reach the store: the
 * resolved options, the bound bucket, the SDK clients (made on first use), `send()`, which maps
 * every failure through one function, and `paginate()`. The operation modules (ops/:
 * buckets, objects, multipart, presign, iam, keys) are functions of a Session, and so is the byte
 * path (transfer/); S3Connection is a
 * thin facade over them. A new concern is a new module of such functions plus one method each.
 */
import type * as S3Module from '@aws-sdk/client-s3';
import type * as IamModule from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { IAMClient } from '@aws-sdk/client-iam';
import { CloudSparkError, invalidInput, maskAccessKey } from '../errors.js';
import { assertBucketName, assertFlag, knownOptionsOf } from '../validate.js';
import { S3Presigner, parseEndpoint } from '../sigv4/index.js';
import { CredentialSource } from './sdk/credentials.js';
import { loadIam, loadS3 } from './sdk/load.js';
import { verifyUploads } from './integrity.js';
import { assertMaxAttempts, resolveMaxAttempts } from './sdk/retry.js';
import { fromSdkError, type ErrorContext } from './sdk/errors.js';
import { endpointLabel, requestHandlerOptions, resolveTimeouts, type ResolvedTimeouts } from './sdk/network.js';
import { assertLogger, sdkLogger, type Logger } from './sdk/logger.js';
import type { S3ConnectionOptions } from './types.js';

/** One call, as its failures are told: what it was, and what some answers mean for it. */
export interface Operation extends Omit<ErrorContext, 'network' | 'bucket'> {
  /** The bucket it is about; default: the bound one. */
  bucket?: string | undefined;
  /** IAM rather than S3. */
  service?: 'iam';
  /** S3 codes or codes that mean "not there" for this call: it then resolves to `undefined`. */
  absent?: readonly string[];
  /** A second look at a failure that needs one (another call), before it is thrown. */
  explain?: (error: CloudSparkError) => Promise<CloudSparkError>;
  /** Cancels the call, its retries and back-offs included. */
  signal?: AbortSignal | undefined;
}

type Commands<M> = { [K in keyof M as K extends `${string}Command` ? K : never]: M[K] };
type S3Commands = Commands<typeof S3Module>;
type IamCommands = Commands<typeof IamModule>;
type Ctor = abstract new (...args: never[]) => unknown;
/** The input a command class takes. */
export type InputOf<C> = C extends Ctor ? NonNullable<ConstructorParameters<C>[0]> : never;
/** The output a command class resolves to (its middleware handler's `output`). */
export type OutputOf<C> = C extends abstract new (...args: never[]) => {
  resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer O }>;
}
  ? O
  : never;
/** What `send` resolves to: the output, or also `undefined` when the operation names answers meaning "not there". */
type Result<Op, O> = Op extends { absent: readonly string[] } ? O | undefined : O;
/** One page's items, and the input changes that ask for the next page (`undefined`: no more). */
export interface Page<I, T> {
  items: readonly T[] | undefined;
  next: Partial<I> | undefined;
}

export class Session {
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  readonly timeouts: ResolvedTimeouts;
  readonly credentials: CredentialSource;
  readonly logger: Logger | undefined;
  readonly network: NonNullable<ErrorContext['network']>;
  readonly #correctClockSkew: boolean;
  readonly #maxAttemptsGiven: number | undefined;
  readonly #profile: string | undefined;
  #maxAttempts: Promise<number> | undefined;
  /** The last offset learned, kept when the client is closed and handed to the next one. */
  #clockOffset = 0;
  #bucket: string | undefined;
  #presigner: S3Presigner | undefined;
  #client: S3Client | undefined;
  #s3: Promise<S3Client> | undefined;
  #iam: Promise<IAMClient> | undefined;

  /** Checks every option (the constructor's input gate) before anything else happens. */
  constructor(given: S3ConnectionOptions | undefined) {
    const options = knownOptionsOf(given, [
      'accessKeyId',
      'secretAccessKey',
      'sessionToken',
      'profile',
      'region',
      'endpoint',
      'forcePathStyle',
      'bucket',
      'sts',
      'logger',
      'timeouts',
      'maxAttempts',
      'correctClockSkew',
    ]);
    const { accessKeyId, secretAccessKey, sessionToken, region, endpoint, forcePathStyle, sts } = options;
    this.timeouts = resolveTimeouts(options.timeouts);
    assertMaxAttempts(options.maxAttempts);
    this.#maxAttemptsGiven = options.maxAttempts;
    this.#profile = options.profile;
    assertFlag(options.correctClockSkew, 'correctClockSkew');
    assertFlag(forcePathStyle, 'forcePathStyle');
    assertLogger(options.logger);
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
      throw invalidInput(
        'credentials',
        'give both accessKeyId and secretAccessKey, or neither (to use the default chain)',
      );
    }
    if (
      accessKeyId !== undefined &&
      (typeof accessKeyId !== 'string' ||
        accessKeyId === '' ||
        typeof secretAccessKey !== 'string' ||
        secretAccessKey === '')
    ) {
      throw invalidInput('credentials', 'accessKeyId and secretAccessKey must be non-empty strings');
    }
    if (sessionToken !== undefined && accessKeyId === undefined)
      throw invalidInput('sessionToken', 'goes with accessKeyId and secretAccessKey');
    if (sessionToken !== undefined && (typeof sessionToken !== 'string' || !/^[\x21-\x7e]+$/.test(sessionToken))) {
      throw invalidInput('sessionToken', 'must be the session token of the temporary credentials (printable ASCII)');
    }
    if (sts !== undefined) knownOptionsOf(sts, ['durationSeconds'], 'sts');
    // Only a region left out falls back: null is refused like any other non-region.
    this.region =
      region !== undefined ? region : (process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1');
    if (typeof this.region !== 'string' || !/^[a-z0-9-]+$/.test(this.region)) {
      throw invalidInput('region', `"${String(this.region)}" is not a region name like "eu-west-1"`);
    }
    if (endpoint !== undefined && typeof endpoint !== 'string')
      throw invalidInput('endpoint', 'must be a URL such as http://127.0.0.1:7480');
    if (endpoint !== undefined) parseEndpoint(endpoint);
    this.endpoint = endpoint;
    this.forcePathStyle = forcePathStyle ?? endpoint !== undefined;
    this.#correctClockSkew = options.correctClockSkew ?? true;
    this.network = { endpoint: endpointLabel(endpoint, this.region), timeouts: this.timeouts };
    this.logger = options.logger;
    this.credentials = new CredentialSource({
      credentials:
        accessKeyId !== undefined ? { accessKeyId, secretAccessKey: secretAccessKey!, sessionToken } : undefined,
      profile: options.profile,
      sts,
      region: this.region,
      endpoint,
      logger: this.logger,
      network: this.network,
    });
    if (options.bucket !== undefined) this.bind(options.bucket);
    if (accessKeyId !== undefined) this.logger?.debug?.(`cloudspark: using access key ${maskAccessKey(accessKeyId)}`);
  }

  /** The bound bucket, if any. */
  get bucket(): string | undefined {
    return this.#bucket;
  }

  /** Binds `bucket`, checked first: a refused name leaves the binding as it was. */
  bind(bucket: string): void {
    assertBucketName(bucket);
    if (bucket !== this.#bucket) {
      this.#bucket = bucket;
      this.#presigner = undefined;
    }
  }

  /** The bound bucket; `NOT_CONNECTED` when there is none. */
  requireBucket(): string {
    if (this.#bucket === undefined) {
      throw new CloudSparkError(
        'NOT_CONNECTED',
        'No bucket bound: pass `bucket` to new S3Connection(), or call connect(bucket) or createBucket(name) first.',
      );
    }
    return this.#bucket;
  }

  /** The presigner of the bound bucket, made once per bucket. */
  presigner(): S3Presigner {
    const bucket = this.requireBucket();
    this.#presigner ??= new S3Presigner({
      bucket,
      region: this.region,
      endpoint: this.endpoint,
      forcePathStyle: this.forcePathStyle,
    });
    return this.#presigner;
  }

  /** What presigning adds to now: the learned offset, or nothing when not correcting. */
  presignClockOffset(): number {
    return this.#correctClockSkew ? this.clockOffset() : 0;
  }

  /** The store's clock minus ours, in milliseconds, as the SDK's signer learned it; 0 before any answer. */
  clockOffset(): number {
    return this.#client?.config.systemClockOffset ?? this.#clockOffset;
  }

  /** The SDK's S3 client, made on first use. */
  client(): Promise<S3Client> {
    this.#s3 ??= Promise.all([loadS3(), this.maxAttempts()]).then(([{ S3Client }, maxAttempts]) => {
      this.#client = new S3Client({ ...this.#clientConfig(), maxAttempts });
      verifyUploads(this.#client);
      return this.#client;
    });
    return this.#s3;
  }

  /**
   * How many attempts a request gets, on the SDK's calls and the direct path alike (sdk/retry.ts):
   * the option, `AWS_MAX_ATTEMPTS`, the profile's `max_attempts`, else 3. Resolved once.
   */
  maxAttempts(): Promise<number> {
    this.#maxAttempts ??= resolveMaxAttempts(this.#maxAttemptsGiven, this.#profile);
    return this.#maxAttempts;
  }

  /** The S3 client if it was made already. */
  get instance(): S3Client | undefined {
    return this.#client;
  }

  /** Releases the clients' sockets; the learned clock offset is kept for the next client. */
  close(): void {
    this.#clockOffset = this.clockOffset();
    this.#client?.destroy();
    void this.#iam?.then((iam) => iam.destroy());
    this.#client = undefined;
    this.#s3 = undefined;
    this.#iam = undefined;
  }

  /** Runs one SDK command; every failure goes through {@link Session.failure}. */
  send<K extends keyof S3Commands, Op extends Operation>(
    op: Op,
    command: K,
    input: InputOf<S3Commands[K]>,
  ): Promise<Result<Op, OutputOf<S3Commands[K]>>>;
  send<K extends keyof IamCommands, Op extends Operation & { service: 'iam' }>(
    op: Op,
    command: K,
    input: InputOf<IamCommands[K]>,
  ): Promise<Result<Op, OutputOf<IamCommands[K]>>>;
  async send(op: Operation, command: string, input: object): Promise<unknown> {
    const [client, module] =
      op.service === 'iam' ? [await this.#iamClient(), await loadIam()] : [await this.client(), await loadS3()];
    const Command = (module as unknown as Record<string, new (input: object) => never>)[command]!;
    try {
      return await (client as { send(command: unknown, options?: object): Promise<unknown> }).send(
        new Command(input),
        op.signal && { abortSignal: op.signal },
      );
    } catch (error) {
      const failure = await this.failure(error, op);
      if (failure !== undefined) throw failure;
      return undefined;
    }
  }

  /** Every item of every page: `page` picks a page's items and what asks for the next one. */
  paginate<K extends keyof S3Commands, T>(
    op: Operation,
    command: K,
    input: InputOf<S3Commands[K]>,
    page: (out: OutputOf<S3Commands[K]>) => Page<InputOf<S3Commands[K]>, T>,
  ): AsyncGenerator<T, void, undefined>;
  paginate<K extends keyof IamCommands, T>(
    op: Operation & { service: 'iam' },
    command: K,
    input: InputOf<IamCommands[K]>,
    page: (out: OutputOf<IamCommands[K]>) => Page<InputOf<IamCommands[K]>, T>,
  ): AsyncGenerator<T, void, undefined>;
  async *paginate(
    op: Operation,
    command: string,
    input: object,
    page: (out: never) => Page<object, unknown>,
  ): AsyncGenerator<unknown, void, undefined> {
    const send = this.send as (op: Operation, command: string, input: object) => Promise<never>;
    for (let request = input; ;) {
      const { items, next } = page(await send.call(this, op, command, request));
      yield* items ?? [];
      if (next === undefined) return;
      request = { ...input, ...next };
    }
  }

  /**
   * The one mapping of a failed call: the CloudSparkError to throw (see fromSdkError), or
   * `undefined` when the answer means "not there" for this operation (`op.absent`).
   */
  async failure(error: unknown, op: Operation): Promise<CloudSparkError | undefined> {
    const e = fromSdkError(error, { ...op, bucket: op.bucket ?? this.#bucket, network: this.network });
    if (op.absent?.some((what) => what === e.code || what === e.s3Code)) return undefined;
    return op.explain ? op.explain(e) : e;
  }

  #iamClient(): Promise<IAMClient> {
    this.#iam ??= Promise.all([loadIam(), this.maxAttempts()]).then(
      ([{ IAMClient }, maxAttempts]) => new IAMClient({ ...this.#clientConfig(), maxAttempts }),
    );
    return this.#iam;
  }

  #clientConfig() {
    return {
      region: this.region,
      endpoint: this.endpoint,
      forcePathStyle: this.forcePathStyle,
      credentials: this.credentials.provider,
      logger: sdkLogger(this.logger),
      // S3-compatible stores do not all speak the SDK's newer checksum headers and trailers.
      ...(this.endpoint !== undefined && {
        requestChecksumCalculation: 'WHEN_REQUIRED' as const,
        responseChecksumValidation: 'WHEN_REQUIRED' as const,
      }),
      requestHandler: requestHandlerOptions(this.timeouts),
      // A client made after close() starts from what the previous one learned.
      systemClockOffset: this.#clockOffset,
    };
  }
}
