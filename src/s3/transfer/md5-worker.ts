/**
 * The part MD5s of a large download, hashed on a worker thread, four parts at a time
 * (md5x4.ts), read back from the file right behind the writes.
 *
 * Why a worker, and why from the file: the main thread drives every socket and writes every
 * byte; handing it the hashing too made it the bottleneck of a `get`. The worker reads what the
 * ranges have written (from the page cache, a copy, no disk) and hashes the parts being written
 * side by side, so that it checks the file as it is on disk, not the bytes as they passed by:
 * a range written at a wrong offset is caught too.
 *
 * How the two threads talk: each job's range positions are in shared memory (the main thread
 * stores a range's next byte after each write); the worker hashes what is there, and when it
 * has nothing left to do it raises an idle flag and waits for a message. The main thread posts
 * one only when that flag is up and a megabyte has been written since (or a range is done, or
 * the download is), so messages stay few. One worker for the process, started on first use and
 * unref()ed while it has no job; if it cannot start or dies, the caller hashes on its own thread.
 */
import { LANE_BYTES, MD5X4_LAYOUT, MD5_INIT, MD5_T, md5x4Module } from '../md5x4.js';
import type { WrittenRange } from '../integrity.js';
import { startEvalWorker, type EvalWorker } from './eval-worker.js';

/** Bytes written since the worker went idle before it is woken. */
const RING_BYTES = 1024 * 1024;

/** What the worker answers about a job. */
interface Reply {
  id: number;
  /** Each part's binary MD5, in order: every byte was there. */
  digests?: Uint8Array[];
  /** The job ended without them: a read failed (message), or it was cancelled. */
  error?: string;
}

interface Running {
  worker: EvalWorker<Reply>;
  /** [0]: 1 while the worker waits for a message. */
  idle: Int32Array;
}

let running: Promise<Running | undefined> | undefined;
let nextId = 0;

/** A download's part MD5s being hashed by the worker. */
export interface LaneJob {
  /** One of the job's ranges (the same object) has been written up to its `pos`. */
  written(range: WrittenRange): void;
  /** Every byte is written: each part's MD5, or undefined when some part's bytes are missing. Throws if the worker failed. */
  finish(): Promise<Buffer[] | undefined>;
  /** Stops the job; resolves once the worker no longer reads the file (it may then be closed). */
  cancel(): Promise<void>;
}

/**
 * Starts hashing the file `fd`, cut into parts of `partSize`, as `ranges` write it (their
 * `pos` as they are now, then as `written()` reports); undefined where the worker is not available.
 */
export async function hashPartsBehind(
  fd: number,
  size: number,
  partSize: number,
  ranges: readonly WrittenRange[],
): Promise<LaneJob | undefined> {
  running ??= start();
  const r = await running;
  if (!r) return undefined;
  const positions = new BigInt64Array(new SharedArrayBuffer(8 * ranges.length));
  ranges.forEach((range, i) => Atomics.store(positions, i, BigInt(range.pos)));
  const reported = ranges.map((range) => range.pos);
  const indexOf = new Map(ranges.map((range, i) => [range, i]));
  const id = nextId++;
  let settled = false;
  const result = r.worker
    .request(id, {
      type: 'job',
      id,
      fd,
      size,
      partSize,
      starts: ranges.map((x) => x.start),
      ends: ranges.map((x) => (x.end === undefined ? size - 1 : x.end)),
      positions,
    })
    .finally(() => (settled = true));
  // A thread that dies before finish() is asked rejects this; finish() then throws it.
  result.catch(() => {});
  let unrung = 0;
  const ring = () => {
    unrung = 0;
    if (Atomics.exchange(r.idle, 0, 0) === 1) r.worker.post({ type: 'ring' });
  };
  return {
    written(range) {
      const index = indexOf.get(range)!;
      unrung += range.pos - reported[index]!;
      reported[index] = range.pos;
      Atomics.store(positions, index, BigInt(range.pos));
      if (unrung >= RING_BYTES || (range.end !== undefined && range.pos > range.end)) ring();
    },
    async finish() {
      if (!settled) r.worker.post({ type: 'finish', id });
      const reply = await result;
      if (reply.error !== undefined) throw new Error(`the hashing thread failed: ${reply.error}`);
      return reply.digests?.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    },
    async cancel() {
      if (!settled) r.worker.post({ type: 'cancel', id });
      await result.catch(() => {});
    },
  };
}

async function start(): Promise<Running | undefined> {
  const idle = new Int32Array(new SharedArrayBuffer(4));
  const worker = await startEvalWorker<Reply>(LANE_WORKER, () => ({
    module: new WebAssembly.Module(md5x4Module()),
    idle,
    constants: { init: MD5_INIT, t: MD5_T, laneBytes: LANE_BYTES, layout: MD5X4_LAYOUT },
  }));
  return worker && { worker, idle };
}

// ------------------------------------------------------------------ the worker's side

/**
 * The hashing thread's code, as source text: text is what a worker runs, and no bundler or
 * loader can rewrite it (a function's own text carries whatever helpers they inject). What it
 * needs comes in `workerData`: the compiled module, the idle flag and the constants.
 *
 * A job: one download. Its parts are hashed from `pos` up to what its ranges have written
 * (`positions`), four parts at a time; a part whose last bytes (fewer than a block) are
 * written is sealed with MD5's padding. A job asked to finish answers its digests once every
 * part is sealed, or nothing when some part's bytes were never written.
 */
const LANE_WORKER = String.raw`
const { parentPort: port, workerData, receiveMessageOnPort } = require('node:worker_threads');
const { readSync } = require('node:fs');
const { module, idle, constants } = workerData;
const { init, t, laneBytes, layout } = constants;
const md5 = new WebAssembly.Instance(module, {}).exports;
const words = new Uint32Array(md5.memory.buffer);
const bytes = new Uint8Array(md5.memory.buffer);
const view = new DataView(md5.memory.buffer);
t.forEach((value, i) => words.fill(value, layout.constants / 4 + 4 * i, layout.constants / 4 + 4 * i + 4));
const jobs = new Map();

// The range holding byte pos (the ranges are in order, end to end), or -1.
function rangeAt(job, pos) {
  let lo = 0;
  let hi = job.starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pos < job.starts[mid]) hi = mid - 1;
    else if (pos > job.ends[mid]) lo = mid + 1;
    else return mid;
  }
  return -1;
}
const writtenUpTo = (job, i) => Number(Atomics.load(job.positions, i));
// The end (exclusive) of the bytes written contiguously from pos: integrity.ts's writtenFrom.
function writtenFrom(job, pos) {
  for (let i = rangeAt(job, pos); i >= 0 && i < job.starts.length; i++) {
    const written = writtenUpTo(job, i);
    if (written <= pos) return pos;
    if (written <= job.ends[i]) return written;
    pos = job.ends[i] + 1;
  }
  return pos;
}
const ready = (p) => Math.min(p.end, writtenFrom(p.job, p.pos)) - p.pos;

// Reads length bytes at position of the part's file into lane's data.
function readInto(p, lane, position, length) {
  const at = layout.data + lane * laneBytes;
  for (let done = 0; done < length; ) {
    const n = readSync(p.job.fd, bytes, at + done, length - done, position + done);
    if (n === 0) throw new Error('the file ends at ' + (position + done) + ', before bytes written there');
    done += n;
  }
}
// Runs the first n blocks of each lane's data on the lanes' parts.
function compress(lanes, n) {
  lanes.forEach((p, j) => p.state.forEach((w, k) => (words[layout.state / 4 + 4 * k + j] = w)));
  md5.blocks(n);
  lanes.forEach((p, j) => p.state.forEach((_, k) => (p.state[k] = words[layout.state / 4 + 4 * k + j])));
}
// A part's last bytes (fewer than a block), the padding and the length in bits: its digest.
function seal(p) {
  const rest = p.end - p.pos;
  readInto(p, 0, p.pos, rest);
  const length = p.end - p.start;
  const n = rest < 56 ? 1 : 2;
  const at = layout.data;
  bytes.fill(0, at + rest, at + 64 * n);
  bytes[at + rest] = 0x80;
  view.setUint32(at + 64 * n - 8, (length % 0x20000000) * 8, true);
  view.setUint32(at + 64 * n - 4, Math.floor(length / 0x20000000), true);
  compress([p], n);
  p.pos = p.end;
  p.digest = new Uint8Array(16);
  const out = new DataView(p.digest.buffer);
  p.state.forEach((w, k) => out.setUint32(4 * k, w, true));
}
// Up to "most" parts, not yet sealed, with written bytes to hash from where their hashing
// stands: found from the ranges rather than by looking at every part (an object can have
// 10,000), from the first range whose parts are not all sealed. Ranges start in order and at
// most 64 are in flight (concurrency's bound), so past 64 untouched ones in a row none has
// started: the look stops there.
function hashable(job, most) {
  const found = new Set();
  const partOf = (pos) => job.parts[Math.floor(pos / job.partSize)];
  for (let i = job.firstRange; i < job.starts.length; i++, job.firstRange = i) {
    if (writtenUpTo(job, i) <= job.ends[i]) break;
    let sealed = true;
    for (let p = partOf(job.starts[i]); p && p.start <= job.ends[i]; p = job.parts[p.index + 1]) sealed &&= !!p.digest;
    if (!sealed) break;
  }
  let untouched = 0;
  for (let i = job.firstRange; i < job.starts.length && untouched <= 64 && found.size < most; i++) {
    const upTo = Math.min(writtenUpTo(job, i), job.ends[i] + 1);
    if (upTo <= job.starts[i]) {
      untouched++;
      continue;
    }
    untouched = 0;
    for (let p = partOf(job.starts[i]); p && p.start < upTo && found.size < most; p = job.parts[p.index + 1])
      if (!p.digest && (p.pos === p.end || ready(p) > 0)) found.add(p);
  }
  return found;
}
function end(job, reply) {
  jobs.delete(job.id);
  port.postMessage(reply);
}

// One round: seals what can be, answers finished jobs, hashes up to four parts side by side.
// False: nothing to do until more is written.
function step() {
  let worked = false;
  const available = [];
  let left = 0;
  for (const job of jobs.values()) {
    try {
      let moved = false;
      for (const p of hashable(job, 8)) {
        const r = ready(p);
        if (r < 64 && p.pos + r === p.end) {
          seal(p);
          job.sealed++;
          moved = true;
        } else if (r >= 64) {
          available.push({ p, r });
          moved = true;
        }
      }
      worked ||= moved;
      if (job.finishing && job.sealed === job.parts.length) {
        end(job, { id: job.id, digests: job.parts.map((p) => p.digest) });
        worked = true;
      } else if (job.finishing && !moved) {
        end(job, { id: job.id }); // every byte is written, and some never were
        worked = true;
      } else left += job.parts.length - job.sealed;
    } catch (error) {
      end(job, { id: job.id, error: String(error) });
      worked = true;
    }
  }
  const live = available.filter((x) => jobs.has(x.p.job.id));
  // The lanes wait for four parts with a lane's worth of bytes each, unless fewer parts are
  // left, a job is finishing, or bytes pile up.
  const backlog = live.reduce((sum, x) => sum + x.r, 0);
  const urgent = backlog >= 32 * laneBytes || live.some((x) => x.p.job.finishing);
  const candidates = urgent ? live : live.filter((x) => x.r >= laneBytes || x.p.pos + x.r === x.p.end);
  const pick = candidates.sort((x, y) => y.r - x.r).slice(0, 4);
  if (pick.length === 0 || (!urgent && pick.length < Math.min(4, left))) return worked;
  const n = Math.floor(Math.min(laneBytes, ...pick.map((x) => x.r)) / 64);
  const lanes = pick.map((x) => x.p);
  try {
    lanes.forEach((p, j) => readInto(p, j, p.pos, n * 64));
  } catch (error) {
    for (const job of new Set(lanes.map((p) => p.job))) end(job, { id: job.id, error: String(error) });
    return true;
  }
  compress(lanes, n);
  for (const p of lanes) p.pos += n * 64;
  return true;
}

function handle(m) {
  const job = jobs.get(m.id);
  if (m.type === 'job') {
    const created = { ...m, parts: [], sealed: 0, firstRange: 0, finishing: false };
    for (let start = 0; start < m.size || created.parts.length === 0; start += m.partSize) {
      const partEnd = Math.min(m.size, start + m.partSize);
      const index = created.parts.length;
      created.parts.push({ job: created, index, start, end: partEnd, pos: start, state: [...init], digest: undefined });
    }
    jobs.set(m.id, created);
  } else if (m.type === 'finish' && job) job.finishing = true;
  else if (m.type === 'cancel' && job) end(job, { id: m.id, error: 'cancelled' });
}
function drain() {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) handle(m.message);
}
// The idle flag goes up only after a last look: a write before it rose is seen then, a write
// after it finds it up and posts a message (an extra one is harmless).
function work() {
  for (;;) {
    drain();
    if (step()) continue;
    Atomics.store(idle, 0, 1);
    drain();
    if (!step()) return;
    Atomics.store(idle, 0, 0);
  }
}
port.on('message', (m) => {
  Atomics.store(idle, 0, 0);
  handle(m);
  work();
});
`;
