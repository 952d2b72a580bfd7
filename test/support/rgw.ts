/**
 * The RGW tier's environment: the throw-away Ceph RGW that `scripts/test.mjs` starts. Run
 * outside it, these tests fail loudly instead of skipping.
 */
import { randomBytes } from 'node:crypto';
import {
  S3Client,
  ListObjectsV2Command,
  DeleteObjectsCommand,
  DeleteBucketCommand,
  ListMultipartUploadsCommand,
  AbortMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { state as sdkState } from '@aws-sdk/core/client';
import { S3Connection, type PendingUpload, type S3ConnectionOptions } from '../../src/index.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run the RGW tier through \`npm test\` (or \`node scripts/test.mjs rgw\`), which starts Ceph RGW.`,
    );
  }
  return value;
}

export const rgw = {
  endpoint: required('S3_ENDPOINT'),
  region: process.env['AWS_REGION'] ?? 'us-east-1',
  accessKeyId: required('AWS_ACCESS_KEY_ID'),
  secretAccessKey: required('AWS_SECRET_ACCESS_KEY'),
  otherAccessKeyId: required('RGW_OTHER_ACCESS_KEY_ID'),
  otherSecretAccessKey: required('RGW_OTHER_SECRET_ACCESS_KEY'),
  userName: required('RGW_USER_NAME'),
};

export function uniqueBucket(label: string): string {
  return `cs-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`.slice(0, 63);
}

export function connection(options: S3ConnectionOptions = {}): S3Connection {
  return new S3Connection({
    accessKeyId: rgw.accessKeyId,
    secretAccessKey: rgw.secretAccessKey,
    region: rgw.region,
    endpoint: rgw.endpoint,
    ...options,
  });
}

/**
 * Call before making an SDK client of a test's own: as quiet as the library's clients, with no
 * Node-version notice in the output. Not done on import, so that quiet.test.ts still sees
 * whether the library keeps the SDK quiet by itself.
 */
export function quietSdk(): void {
  sdkState.warningEmitted = true;
}

/** A plain SDK client, to check what the library did from the outside. */
export function sdkClient(as: 'main' | 'other' = 'main'): S3Client {
  quietSdk();
  return new S3Client({
    region: rgw.region,
    endpoint: rgw.endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials:
      as === 'main'
        ? { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey }
        : { accessKeyId: rgw.otherAccessKeyId, secretAccessKey: rgw.otherSecretAccessKey },
  });
}

/** A fresh bucket, bound to a fresh connection; removed with everything in it by `cleanup()`. */
export async function withBucket(label: string, options: S3ConnectionOptions = {}) {
  const bucket = uniqueBucket(label);
  const conn = connection(options);
  await conn.createBucket(bucket);
  return { bucket, conn, cleanup: () => removeBucket(bucket).finally(() => conn.close()) };
}

export async function removeBucket(bucket: string, as: 'main' | 'other' = 'main'): Promise<void> {
  const client = sdkClient(as);
  try {
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    for (const u of uploads.Uploads ?? []) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
    }
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
      if (keys.length) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'NoSuchBucket') throw error;
  } finally {
    client.destroy();
  }
}

/** The URL of an object as an anonymous visitor would fetch it (path style). */
export const objectUrl = (bucket: string, key: string) =>
  `${rgw.endpoint}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

/** The multipart uploads begun and not finished in the connection's bucket (under `prefix`). */
export async function pendingUploads(conn: S3Connection, prefix?: string): Promise<PendingUpload[]> {
  const out: PendingUpload[] = [];
  for await (const u of conn.listMultipartUploads({ prefix })) out.push(u);
  return out;
}
