/**
 * The AWS SDK is loaded on first use only, so that code which merely presigns never pays
 * its start-up cost (tens of milliseconds and megabytes of modules).
 */
import type * as S3Module from '@aws-sdk/client-s3';
import type * as IamModule from '@aws-sdk/client-iam';
import type * as StsModule from '@aws-sdk/client-sts';
import type * as StorageModule from '@aws-sdk/lib-storage';
import type * as ProviderModule from '@aws-sdk/credential-provider-node';

let s3: Promise<typeof S3Module> | undefined;
let iam: Promise<typeof IamModule> | undefined;
let sts: Promise<typeof StsModule> | undefined;
let storage: Promise<typeof StorageModule> | undefined;
let provider: Promise<typeof ProviderModule> | undefined;
let nodeNoticeTaken = false;
/** Set when the SDK's notice was held back, until a logger takes it. */
let pendingNotice = false;
const SDK_CORE_CLIENT: string = '@aws-sdk/core/client';

export const loadS3 = () => (s3 ??= quietly(() => import('@aws-sdk/client-s3')));
export const loadIam = () => (iam ??= quietly(() => import('@aws-sdk/client-iam')));
export const loadSts = () => (sts ??= quietly(() => import('@aws-sdk/client-sts')));
export const loadStorage = () => (storage ??= import('@aws-sdk/lib-storage'));
export const loadCredentialProvider = () => (provider ??= import('@aws-sdk/credential-provider-node'));

/**
 * On Node < 22 the SDK announces, through `process.emitWarning`, that its future versions will
 * need Node 22. A library must not print; the notice is handed to the caller's logger instead
 * (see {@link takeNodeVersionNotice}).
 */
async function quietly<T>(load: () => Promise<T>): Promise<T> {
  if (!nodeNoticeTaken) {
    nodeNoticeTaken = true;
    try {
      // A computed specifier: the CommonJS build's type resolution cannot see package subpaths.
      const core = (await import(SDK_CORE_CLIENT)) as { state?: { warningEmitted: boolean } };
      if (core.state && !core.state.warningEmitted) {
        core.state.warningEmitted = true;
        pendingNotice = Number(process.versions.node.split('.')[0]) < 22;
      }
    } catch {
      // A future SDK without this switch just prints its own notice.
    }
  }
  return load();
}

/** The SDK's Node-version notice, once per process, for the first logger that asks. */
export function takeNodeVersionNotice(): string | undefined {
  if (!pendingNotice) return undefined;
  pendingNotice = false;
  return `AWS SDK notice: its versions published after the first week of January 2027 require Node.js >= 22 (this is ${process.version}).`;
}
