/**
 * MD5s of upload bodies, hashed on a worker thread so that hashing overlaps the transfer
 * instead of holding the main thread (which drives every socket): on two cores, `put` of a
 * large file hashes its parts beside the parts in flight, and costs no more than one without
 * Content-MD5 (docs/performance.md).
 *
 * The bodies are read into `SharedArrayBuffer`s (sharedBuffer()), so the worker reads the same
 * memory the request then sends: nothing is copied, nothing is transferred away. One worker,
 * started on first use and unref()ed (it never keeps a process alive); a small body, or one
 * not in shared memory, is hashed at once on the calling thread, which is cheaper than a
 * message. If the worker cannot start or dies, every hash falls back to the calling thread.
 */
import { md5Base64 } from '../integrity.js';
import { startEvalWorker, type EvalWorker } from './eval-worker.js';

/** Below this, a message to the worker costs more than the hash. */
const WORKER_MIN = 256 * 1024;

/** The worker: answers `{ id, buffer, offset, length }` with `{ id, md5 }` (base64). */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, buffer, offset, length }) => {
  parentPort.postMessage({ id, md5: createHash('md5').update(new Uint8Array(buffer, offset, length)).digest('base64') });
});
`;

let worker: Promise<EvalWorker<{ id: number; md5: string }> | undefined> | undefined;
let nextId = 0;

/** A buffer in shared memory, for a body that md5Of() hashes on the worker. */
export function sharedBuffer(length: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(length));
}

/** The base64 MD5 of `body` (its `Content-MD5`), hashed on the worker thread when that pays. */
export async function md5Of(body: Buffer): Promise<string> {
  if (body.length < WORKER_MIN || !(body.buffer instanceof SharedArrayBuffer)) return md5Base64(body);
  worker ??= startEvalWorker(WORKER_SOURCE, () => undefined);
  const w = await worker;
  if (!w) return md5Base64(body);
  const id = nextId++;
  try {
    return (await w.request(id, { id, buffer: body.buffer, offset: body.byteOffset, length: body.length })).md5;
  } catch {
    // The worker is gone: hashed here, and so is everything after.
    return md5Base64(body);
  }
}
