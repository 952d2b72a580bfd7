/**
 * The fault tier's set-up: a fresh bucket on the test RGW, a fault proxy in front of it, one
 * connection through the proxy (the one under test) and one straight to RGW (to check what
 * really got stored, or left behind).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { S3Connection, S3ConnectionOptions } from '../../src/index.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { connection, pendingUploads, rgw, withBucket } from './rgw.js';

export interface FaultSetup {
  proxy: FaultProxy;
  bucket: string;
  /** Through the proxy. */
  faulty: S3Connection;
  /** Straight to RGW. */
  direct: S3Connection;
  close(): Promise<void>;
}

export async function behindProxy(label: string, options: S3ConnectionOptions = {}): Promise<FaultSetup> {
  const proxy = await startFaultProxy(rgw.endpoint);
  const { bucket, conn: direct, cleanup } = await withBucket(label);
  const faulty = connection({ ...options, endpoint: proxy.endpoint, bucket });
  return {
    proxy,
    bucket,
    faulty,
    direct,
    async close() {
      faulty.close();
      await proxy.close();
      await cleanup();
    },
  };
}

/** A fault-tier file's set-up, with a scratch folder of its own. */
export interface FaultSuite extends FaultSetup {
  /** A fresh folder, removed after the file's tests. */
  dir: string;
}

/**
 * What most fault-tier files share: before their tests, `behindProxy(label, options)` and a
 * scratch folder, then `prepare` (files to send, objects to fetch); after them, both removed.
 * The object is filled in by `before`: use it inside tests.
 */
export function faultSuite(
  label: string,
  options: S3ConnectionOptions = {},
  prepare?: (suite: FaultSuite) => unknown,
): FaultSuite {
  const suite = {} as FaultSuite;
  before(async () => {
    Object.assign(suite, await behindProxy(label, options), {
      dir: mkdtempSync(join(tmpdir(), `cloudspark-${label}-`)),
    });
    await prepare?.(suite);
  });
  after(async () => {
    if (suite.dir !== undefined) rmSync(suite.dir, { recursive: true, force: true });
    await suite.close?.();
  });
  return suite;
}

/** Nothing stored under `key` and no multipart upload open in the bucket, as RGW itself says. */
export async function assertNothingLeft(direct: S3Connection, key: string): Promise<void> {
  await assert.rejects(
    direct.headObject(key),
    (e: { code?: string }) => e.code === 'NO_SUCH_KEY',
    `"${key}" was stored`,
  );
  assert.deepEqual(await pendingUploads(direct), [], 'a multipart upload is still open');
}

/** Milliseconds taken by `run`, with what it resolved to or the error it threw. */
export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = Date.now();
  try {
    const value = await run();
    return { ms: Date.now() - started, value };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}
