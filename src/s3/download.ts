/**
 * The body of a download as a stream whose failures are CloudSparkErrors. A connection that
 * breaks off or goes silent mid-body makes it fail with NETWORK or TIMEOUT, and a body that
 * ends before its announced length fails too: a download never ends short without an error.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { CloudSparkError } from '../errors.js';
import { fromBodyError, type ErrorContext } from './sdk-errors.js';

export function typedBody(source: Readable, expected: number | undefined, context: ErrorContext): Readable {
  let received = 0;
  const body = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      received += chunk.length;
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      // Node already fails a response cut short of its Content-Length; this keeps that promise
      // whatever the transport.
      if (expected === undefined || received === expected) return done();
      done(new CloudSparkError('NETWORK', `${context.action} failed: the body ended after ${received} of ${expected} bytes`));
    },
  });
  source.on('error', (error) => body.destroy(fromBodyError(error, context, received, expected)));
  // Whoever destroys the body (or reads it to the end) frees the connection under it.
  body.on('close', () => source.destroy());
  source.pipe(body);
  return body;
}
