/**
 * Verified completion: what S3 holds after an upload must be what the token declared, or it is
 * deleted. S3 enforces the signed size range and Content-Type of a POST, and the signed length of
 * each part, but not that a file declared `image/png` is a PNG, nor, for a POST, that the bytes
 * stored are the ones the page sent (it checks a part's Content-MD5, not a POST's).
 */
import { createHash } from 'node:crypto';
import type { S3Connection } from '../s3/connection.js';
import { CloudSparkError } from '../errors.js';
import { HandlerError } from './errors.js';
import { baseType } from './content-types.js';
import { SNIFFABLE_TYPES, SNIFF_BYTES, matchesContentType } from './sniff.js';
import type { UploadGrant } from './token.js';

/** What a completed upload is, as the handler verified it and answers it (src/protocol.ts). */
export type { CompletedUpload } from '../protocol.js';
import type { CompletedUpload } from '../protocol.js';

/**
 * Checks the stored object against the grant and the rules, and against `md5` (hex) when given:
 * the MD5 the client computed of its file. Deletes the object and throws a HandlerError (400
 * `TOO_LARGE`, `CONTENT_MISMATCH` or `CORRUPT`) when it differs.
 */
export async function verifyStoredUpload(
  connection: S3Connection,
  grant: UploadGrant,
  key: string,
  maxSize: number,
  md5?: string,
  disposition?: string,
): Promise<CompletedUpload> {
  const head = await connection.headObject(key);
  const size = head.contentLength ?? 0;
  const refuse = async (code: 'CONTENT_MISMATCH' | 'TOO_LARGE' | 'CORRUPT', message: string): Promise<never> => {
    await connection.deleteObject(key);
    throw new HandlerError(400, code, `${message}; the file was deleted`);
  };
  if (size > maxSize) return refuse('TOO_LARGE', `the file is ${size} bytes, over the limit of ${maxSize}`);
  if (grant.size !== undefined && size !== grant.size)
    return refuse('CONTENT_MISMATCH', `the file is ${size} bytes, not the ${grant.size} declared`);
  // Before the checks of type and content: bytes changed on the way make those meaningless, and
  // CORRUPT tells the client that sending the file again can work.
  if (md5 !== undefined && !(await storedBytesHaveMd5(connection, key, head.etag, md5))) {
    return refuse(
      'CORRUPT',
      "the bytes stored are not the file's (their MD5 is not the one the client computed): they changed on the way",
    );
  }
  if (baseType(head.contentType ?? '') !== baseType(grant.contentType)) {
    return refuse(
      'CONTENT_MISMATCH',
      `the file was stored as ${String(head.contentType)}, not the ${grant.contentType} declared`,
    );
  }
  if (SNIFFABLE_TYPES.includes(baseType(grant.contentType))) {
    const first =
      size === 0
        ? new Uint8Array(0)
        : await (
            await connection.getObject(key, { range: { start: 0, end: Math.min(size, SNIFF_BYTES) - 1 } })
          ).bytes();
    if (matchesContentType(grant.contentType, first) !== true)
      return refuse('CONTENT_MISMATCH', `the file's content is not ${grant.contentType}`);
  }
  // A store that ignored the POST form's Content-Disposition (Ceph RGW) would serve active
  // content inline: the verified version is given it in place, before anyone is told.
  if (disposition !== undefined && head.contentDisposition !== disposition) {
    try {
      await connection.setObjectHeaders(key, { contentDisposition: disposition, ifMatch: head.etag });
    } catch (error) {
      if (error instanceof CloudSparkError && error.code === 'OBJECT_CHANGED')
        return refuse('CONTENT_MISMATCH', 'the file was replaced while it was checked');
      throw error;
    }
  }
  return { key, size, contentType: grant.contentType, etag: head.etag, filename: grant.filename };
}

/**
 * Whether the object's bytes have this MD5 (hex). An object stored by one request has the hex MD5
 * of its bytes as its ETag, on Ceph RGW as on AWS, except under SSE-KMS or SSE-C encryption: so
 * the ETag decides when it agrees, and otherwise the bytes themselves are read and hashed. An
 * ETag that is not an MD5 then costs a read, and never condemns a good file.
 */
async function storedBytesHaveMd5(
  connection: S3Connection,
  key: string,
  etag: string | undefined,
  md5: string,
): Promise<boolean> {
  if (etag?.replace(/"/g, '') === md5) return true;
  const hash = createHash('md5');
  for await (const chunk of (await connection.getObject(key)).body) hash.update(chunk as Buffer);
  return hash.digest('hex') === md5;
}
