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

type Pending = Map<number, { resolve: (md5: string) => void; body: Buffer }>;

interface HashWorker {
  post(id: number, body: Buffer): void;
  pending: Pending;
  /** In flight: the worker is ref()ed while > 0, so that a pending hash is never dropped at exit. */
  busy: number;
  ref(): void;
  unref(): void;
}

let worker: Promise<HashWorker | undefined> | undefined;
let nextId = 0;

/** A buffer in shared memory, for a body that md5Of() hashes on the worker. */
export function sharedBuffer(length: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(length));
}

/** The base64 MD5 of `body` (its `Content-MD5`), hashed on the worker thread when that pays. */
export async function md5Of(body: Buffer): Promise<string> {
  if (body.length < WORKER_MIN || !(body.buffer instanceof SharedArrayBuffer)) return md5Base64(body);
  worker ??= startWorker();
  const w = await worker;
  if (!w) return md5Base64(body);
  const id = nextId++;
  return new Promise<string>((resolve) => {
    w.pending.set(id, { resolve, body });
    if (w.busy++ === 0) w.ref();
    w.post(id, body);
  });
}

async function startWorker(): Promise<HashWorker | undefined> {
  try {
    const { Worker } = await import('node:worker_threads');
    // Not the process's flags: `--input-type=module` would make the source a module, without `require`.
    const thread = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    const pending: Pending = new Map();
    const hashWorker: HashWorker = {
      pending,
      busy: 0,
      post: (id, body) => thread.postMessage({ id, buffer: body.buffer, offset: body.byteOffset, length: body.length }),
      ref: () => thread.ref(),
      unref: () => thread.unref(),
    };
    const settle = (id: number, md5: string) => {
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      if (--hashWorker.busy === 0) thread.unref();
      p.resolve(md5);
    };
    thread.on('message', ({ id, md5 }: { id: number; md5: string }) => settle(id, md5));
    // A worker gone: what it held is hashed here, and so is everything after.
    const fallBack = () => {
      worker = Promise.resolve(undefined);
      for (const [id, p] of pending) settle(id, md5Base64(p.body));
    };
    thread.on('error', fallBack);
    thread.on('exit', fallBack);
    thread.unref();
    return hashWorker;
  } catch {
    return undefined;
  }
}
