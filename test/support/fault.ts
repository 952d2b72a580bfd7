/**
 * The fault tier's set-up: a fresh bucket on the test RGW, a fault proxy in front of it, one
 * connection through the proxy (the one under test) and one straight to RGW (to check what
 * really got stored, or left behind).
 */
import assert from 'node:assert/strict';
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

/** Nothing stored under `key` and no multipart upload open in the bucket, as RGW itself says. */
export async function assertNothingLeft(direct: S3Connection, key: string): Promise<void> {
  await assert.rejects(direct.headObject(key), (e: { code?: string }) => e.code === 'NO_SUCH_KEY', `"${key}" was stored`);
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
