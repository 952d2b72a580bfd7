/**
 * What a transfer runs on: the connection's Session (presigning and the multipart calls are its
 * functions in ops/, as for every other operation), never the public S3Connection above it.
 */
import { URL_LIFETIME } from '../limits.js';
import { presignedGetUrl } from '../ops/presign.js';
import type { Session } from '../session.js';
import type { DirectContext } from './direct.js';

/** A transfer's Session, and the bucket it is bound to (checked once, at the start). */
export interface TransferContext {
  session: Session;
  bucket: string;
}

/** The context of a transfer on `session`; `BUCKET_REQUIRED` when it has no bucket. */
export function transferContext(session: Session): TransferContext {
  return { session, bucket: session.requireBucket() };
}

/** The direct client's view: the store, the attempts per request, and a presigned GET per key. */
export function directContext({ session }: TransferContext): DirectContext {
  return {
    network: session.network,
    maxAttempts: () => session.maxAttempts(),
    presign: (key, signingDate) => presignedGetUrl(session, key, { expiresIn: URL_LIFETIME, signingDate }),
  };
}
