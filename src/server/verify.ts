/**
 * Verified completion: what S3 holds after an upload must be what the token declared, or it is
 * deleted. S3 enforces the signed size range and Content-Type of a POST, and the signed length of
 * each part, but not that a file declared `image/png` is a PNG.
 */
import type { S3Connection } from '../s3/connection.js';
import { HandlerError } from './http.js';
import { baseType } from './content-types.js';
import { SNIFFABLE_TYPES, SNIFF_BYTES, matchesContentType } from './sniff.js';
import type { UploadGrant } from './token.js';

/** What `onUploadComplete` learns of a verified upload. */
export interface CompletedUpload {
  /** The stored object's key. */
  key: string;
  /** Bytes stored. */
  size: number;
  /** The stored object's Content-Type, as declared and verified. */
  contentType: string;
  /** The stored object's ETag, as S3 sends it. */
  etag: string | undefined;
  /** The name the client gave the file. */
  filename: string;
}

export async function verifyStoredUpload(connection: S3Connection, grant: UploadGrant, key: string, maxSize: number): Promise<CompletedUpload> {
  const head = await connection.headObject(key);
  const size = head.contentLength ?? 0;
  const refuse = async (code: 'CONTENT_MISMATCH' | 'TOO_LARGE', message: string): Promise<never> => {
    await connection.deleteObject(key);
    throw new HandlerError(400, code, `${message}; the file was deleted`);
  };
  if (size > maxSize) return refuse('TOO_LARGE', `the file is ${size} bytes, over the limit of ${maxSize}`);
  if (grant.size !== undefined && size !== grant.size) return refuse('CONTENT_MISMATCH', `the file is ${size} bytes, not the ${grant.size} declared`);
  if (baseType(head.contentType ?? '') !== baseType(grant.contentType)) {
    return refuse('CONTENT_MISMATCH', `the file was stored as ${String(head.contentType)}, not the ${grant.contentType} declared`);
  }
  if (SNIFFABLE_TYPES.includes(baseType(grant.contentType))) {
    const first = size === 0 ? new Uint8Array(0) : await (await connection.getObject(key, { range: { start: 0, end: Math.min(size, SNIFF_BYTES) - 1 } })).bytes();
    if (matchesContentType(grant.contentType, first) !== true) return refuse('CONTENT_MISMATCH', `the file's content is not ${grant.contentType}`);
  }
  return { key, size, contentType: grant.contentType, etag: head.etag, filename: grant.filename };
}
