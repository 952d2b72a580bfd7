/**
 * The body of a download as a stream whose failures are CloudSparkErrors. A connection that
 * breaks off or goes silent mid-body makes it fail with NETWORK or TIMEOUT, and a body that
 * ends before its announced length fails too: a download never ends short without an error.
 * A whole object's body is checked against its ETag where that is an MD5 of its bytes (stored
 * in one piece, or in parts whose size cloudspark recorded): other bytes fail CORRUPT at the end
 * instead of ending.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { CloudSparkError } from '../../errors.js';
import { fromBodyError, type ErrorContext } from '../sdk/errors.js';
import { DownloadDigests, partsMd5, type EtagCheck } from '../integrity.js';

export function typedBody(
  source: Readable,
  expected: number | undefined,
  context: ErrorContext,
  check?: EtagCheck,
): Readable {
  let received = 0;
  // Only a check that needs no second fetch: a layout inferred, not recorded, may be wrong.
  const usable = check?.kind === 'whole' || (check?.kind === 'parts' && check.recorded) ? check : undefined;
  const digests = usable && new DownloadDigests(expected, usable.kind === 'parts' ? usable.partSize : undefined);
  const body = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      digests?.feed(received, [chunk]);
      received += chunk.length;
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      // Node already fails a response cut short of its Content-Length; this keeps that promise
      // whatever the transport.
      if (expected !== undefined && received !== expected) {
        return done(
          new CloudSparkError(
            'NETWORK',
            `${context.action} failed: the body ended after ${received} of ${expected} bytes`,
          ),
        );
      }
      const got = digests?.inOrder();
      if (usable && got && (usable.kind === 'whole' ? got[0]!.toString('hex') : partsMd5(got)) !== usable.md5) {
        return done(
          new CloudSparkError(
            'CORRUPT',
            `${context.action} failed: the body's bytes do not match the object's ETag; something between here and the store corrupts data: read it again`,
          ),
        );
      }
      done();
    },
  });
  source.on('error', (error) => body.destroy(fromBodyError(error, context, received, expected)));
  // Whoever destroys the body (or reads it to the end) frees the connection under it.
  body.on('close', () => source.destroy());
  source.pipe(body);
  return body;
}
