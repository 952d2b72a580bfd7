/**
 * Where the signing credentials come from: given ones, the SDK's default chain, or temporary
 * STS session credentials made from either. Resolved on first use and refreshed before they
 * expire; a presigned URL is never signed with credentials that die before it does.
 */
import { CloudSparkError, invalidInput } from '../../errors.js';
import type { Credentials } from '../../sigv4/index.js';
import { loadCredentialProvider, loadSts } from './load.js';
import { fromSdkError, type ErrorContext } from './errors.js';
import { requestHandlerOptions } from './network.js';
import { sdkLogger, type Logger } from './logger.js';

export interface CredentialSnapshot extends Credentials {
  /** When temporary credentials stop working; absent for long-term keys. */
  expiration?: Date | undefined;
}

/** The `sts` option of `S3Connection`: how the temporary session credentials are made. */
export interface StsOptions {
  /**
   * Lifetime of the session credentials: 900 s to 129600 s (36 h). Default 43200 (12 h, as STS
   * itself), so that the default one-hour presigned URL always fits inside it.
   */
  durationSeconds?: number | undefined;
}

export interface CredentialSourceOptions {
  credentials?: Credentials | undefined;
  /** A named profile of the shared config files, for the default chain (instead of `AWS_PROFILE`). */
  profile?: string | undefined;
  sts?: StsOptions | undefined;
  region: string;
  endpoint?: string | undefined;
  logger?: Logger | undefined;
  /** The connection's store and limits: STS gets the same timeouts. */
  network?: ErrorContext['network'] | undefined;
}

const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const STS_MIN = 900;
const STS_MAX = 129600;

export class CredentialSource {
  readonly #options: CredentialSourceOptions;
  readonly stsDurationSeconds: number | undefined;
  #current: CredentialSnapshot | undefined;
  #pending: Promise<CredentialSnapshot> | undefined;
  #chain: (() => Promise<CredentialSnapshot>) | undefined;

  constructor(options: CredentialSourceOptions) {
    this.#options = options;
    if (options.profile !== undefined) {
      if (typeof options.profile !== 'string' || !/^[^\s[\]]{1,128}$/.test(options.profile)) {
        throw invalidInput('profile', 'must be a profile name of the shared config files, such as "dev"');
      }
      if (options.credentials)
        throw invalidInput('profile', 'give a profile or accessKeyId and secretAccessKey, not both');
    }
    if (options.sts) {
      const given = options.sts.durationSeconds;
      const d = given === undefined ? 43200 : given; // null is refused, not read as the default
      if (!Number.isInteger(d) || d < STS_MIN || d > STS_MAX) {
        throw invalidInput(
          'sts.durationSeconds',
          `must be a whole number of seconds from ${STS_MIN} to ${STS_MAX}, got ${String(d)}`,
        );
      }
      this.stsDurationSeconds = d;
    }
    // Long-term keys given directly need no resolving: presigning stays synchronous-fast.
    if (options.credentials && !options.sts) this.#current = { ...options.credentials };
  }

  /**
   * Credentials valid for at least `validForSeconds` more: for a presigned URL, its lifetime;
   * for an SDK call (0), cached ones are renewed a little before they expire.
   */
  async get(validForSeconds = 0): Promise<CredentialSnapshot> {
    const current = this.#current;
    if (current && this.#fresh(current, validForSeconds)) return current;
    // Fresh session credentials already have a little less than their duration left.
    if (this.stsDurationSeconds !== undefined && validForSeconds >= this.stsDurationSeconds) {
      throw this.#tooShort(validForSeconds);
    }
    this.#pending ??= this.#fetch().finally(() => (this.#pending = undefined));
    const fresh = await this.#pending;
    this.#current = fresh;
    // Whatever the service just gave is the best there is: only refuse what it cannot sign.
    if (!lastsFor(fresh, validForSeconds * 1000)) throw this.#tooShort(validForSeconds, fresh.expiration);
    return fresh;
  }

  /** The current credentials if they last `validForSeconds` more, without waiting; else undefined. */
  peek(validForSeconds: number): CredentialSnapshot | undefined {
    const current = this.#current;
    return current !== undefined && this.#fresh(current, validForSeconds) ? current : undefined;
  }

  /** For SDK clients: they call it before each request and get the same cached credentials. */
  readonly provider = async () => {
    const c = await this.get();
    return {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      sessionToken: c.sessionToken,
      expiration: c.expiration,
    };
  };

  /**
   * Whether cached credentials may still be used. SDK calls (`seconds` 0) renew them a little
   * before expiry, so a request in flight does not die with its credentials; a presigned URL
   * only needs them to outlive it.
   */
  #fresh(c: CredentialSnapshot, seconds: number): boolean {
    return lastsFor(c, seconds === 0 ? REFRESH_MARGIN_MS : seconds * 1000);
  }

  #tooShort(seconds: number, expiration?: Date): CloudSparkError {
    const limit = expiration
      ? `the credentials expire at ${expiration.toISOString()}`
      : `sts.durationSeconds is ${this.stsDurationSeconds}`;
    return new CloudSparkError(
      'EXPIRES_AFTER_CREDENTIALS',
      `A presigned URL valid for ${seconds} s would outlive the temporary credentials that sign it (${limit}); use a shorter expiresIn or a longer sts.durationSeconds.`,
      { field: 'expiresIn' },
    );
  }

  async #fetch(): Promise<CredentialSnapshot> {
    const base = await this.#base();
    if (this.stsDurationSeconds === undefined) return base;
    const { STSClient, GetSessionTokenCommand } = await loadSts();
    const client = new STSClient({
      region: this.#options.region,
      endpoint: this.#options.endpoint,
      credentials: base,
      logger: sdkLogger(this.#options.logger),
      ...(this.#options.network && { requestHandler: requestHandlerOptions(this.#options.network.timeouts) }),
    });
    try {
      const out = await client.send(new GetSessionTokenCommand({ DurationSeconds: this.stsDurationSeconds }));
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
        throw new CloudSparkError('CREDENTIALS', 'STS GetSessionToken answered without credentials');
      }
      this.#options.logger?.debug?.(`STS session credentials obtained, valid until ${c.Expiration?.toISOString()}`);
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
    } catch (error) {
      const e = fromSdkError(error, { action: 'STS GetSessionToken', network: this.#options.network });
      throw e.code === 'CREDENTIALS' || e.code === 'NETWORK' || e.code === 'TIMEOUT'
        ? e
        : new CloudSparkError('CREDENTIALS', e.message, { status: e.status, s3Code: e.s3Code, cause: error });
    } finally {
      client.destroy();
    }
  }

  async #base(): Promise<CredentialSnapshot> {
    if (this.#options.credentials) return this.#options.credentials;
    if (!this.#chain) {
      const { defaultProvider } = await loadCredentialProvider();
      // With a logger the chain's own warnings (such as AWS_PROFILE next to AWS_ACCESS_KEY_ID)
      // reach the caller's logger instead of console.warn.
      const provider = defaultProvider({ profile: this.#options.profile, logger: sdkLogger(this.#options.logger) });
      this.#chain = async () => {
        try {
          return await provider();
        } catch (error) {
          const failure = fromSdkError(error, { action: 'Resolving AWS credentials' });
          // The SDK says only that no provider gave credentials: a profile that is not there at
          // all is the likelier reason, and worth naming.
          const profile = this.#options.profile;
          if (failure.code === 'CREDENTIALS' && profile !== undefined && !(await profileExists(profile))) {
            throw new CloudSparkError(
              'CREDENTIALS',
              `Resolving AWS credentials failed: profile "${profile}" was not found in the shared config files (${sharedFiles().join(', ')})`,
              { cause: error },
            );
          }
          throw failure;
        }
      };
    }
    return this.#chain();
  }
}

/** The shared credentials and config files, where the SDK reads them. */
function sharedFiles(): string[] {
  const home = process.env['HOME'] ?? process.env['USERPROFILE'] ?? '~';
  return [
    process.env['AWS_SHARED_CREDENTIALS_FILE'] ?? `${home}/.aws/credentials`,
    process.env['AWS_CONFIG_FILE'] ?? `${home}/.aws/config`,
  ];
}

/** Whether `[profile]` (credentials file) or `[profile name]` (config file) is in either shared file. */
async function profileExists(profile: string): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  const escaped = profile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const section = new RegExp(`^\\s*\\[\\s*(?:profile\\s+)?${escaped}\\s*\\]`, 'm');
  for (const file of sharedFiles()) if (section.test(await readFile(file, 'utf8').catch(() => ''))) return true;
  return false;
}

function lastsFor(c: CredentialSnapshot, ms: number): boolean {
  return c.expiration === undefined || c.expiration.getTime() - Date.now() >= ms;
}
