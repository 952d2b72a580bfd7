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

export const loadS3 = () =>
  (s3 ??= import('@aws-sdk/client-s3').then((m) => ({ ...m, S3Client: quietClient(m.S3Client) })));
export const loadIam = () =>
  (iam ??= import('@aws-sdk/client-iam').then((m) => ({ ...m, IAMClient: quietClient(m.IAMClient) })));
export const loadSts = () =>
  (sts ??= import('@aws-sdk/client-sts').then((m) => ({ ...m, STSClient: quietClient(m.STSClient) })));
export const loadStorage = () => (storage ??= import('@aws-sdk/lib-storage'));
export const loadCredentialProvider = () => (provider ??= import('@aws-sdk/credential-provider-node'));

/**
 * The SDK's notice that its future versions need a newer Node.js ("NodeVersionSupportWarning:
 * The AWS SDK for JavaScript (v3) versions published after ..."), which it sends through
 * `process.emitWarning` when the first client of the process is constructed.
 */
const NODE_VERSION_NOTICE = /^Node\w*Warning: The AWS SDK for JavaScript/;

interface SdkLogger {
  warn?(...content: unknown[]): void;
}

/**
 * `Client`, whose constructor hands the SDK's Node-version notice to the client's own logger
 * (ours, from sdkLogger) instead of printing it. A library must not print, and the host
 * application's own clients must keep their notice: so nothing of the SDK is touched, and only
 * the construction of our clients is watched (see docs/connection.md, "The SDK's Node-version notice").
 */
function quietClient<C extends new (...args: any[]) => object>(Client: C): C {
  return new Proxy(Client, {
    construct: (target, args, newTarget) =>
      noticeTo(
        (args[0] as { logger?: SdkLogger } | undefined)?.logger,
        () => Reflect.construct(target, args, newTarget) as object,
      ),
  });
}

/**
 * Runs `construct` with that notice going to `logger.warn` (or nowhere), and every other warning
 * through. A client's constructor is synchronous: no code of the host's runs while
 * `process.emitWarning` is wrapped, and the host's own function is back before anything else.
 */
function noticeTo<T>(logger: SdkLogger | undefined, construct: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (typeof warning === 'string' && NODE_VERSION_NOTICE.test(warning)) logger?.warn?.(warning.replace(/\s+/g, ' '));
    else (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return construct();
  } finally {
    process.emitWarning = emitWarning;
  }
}
