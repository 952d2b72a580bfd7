/**
 * An object into a file, over direct.ts (presigned requests on node:http, no SDK per request;
 * uploads are upload-file.ts's), with ranged GETs in parallel, each written at its offset into a part file beside the target, which is renamed into place only
 * once every byte is there. (The worker pool and cancel wiring are pool.ts's.)
 *
 * - The first GET asks for `bytes=0-(partSize-1)`: a small object comes whole in that one
 *   request (no HEAD first), and for a large one its `Content-Range` tells the size, so the other
 *   ranges start at once, while the first is still arriving.
 * - Every later range is sent with `If-Match` of the first answer's ETag, and every answer's
 *   ETag and size are compared too: an object replaced mid-download fails with
 *   `OBJECT_CHANGED`, never a file stitched from two versions.
 * - A range whose connection breaks off or goes silent is resumed from its last byte written,
 *   up to `retries` times in a row without progress.
 * - Memory stays at about `concurrency` x 256 KiB whatever the size: each chunk is hashed and
 *   written at its offset as it arrives, before the next read (over plain HTTP into one reused
 *   buffer per range, raw-get.ts), so a range's reading waits for its writes.
 * - On any failure (or `signal`) the part file is removed: the target is either the whole object
 *   or what it was before.
 * - Every byte is checked against the object's ETag (integrity.ts): the MD5 of the whole, or of
 *   each part, is computed as the ranges are written. A multipart object's parts are hashed on
 *   the hashing thread, four at a time, read back from the file right behind the writes
 *   (md5-worker.ts): so the file itself is checked, and this thread only moves bytes. Anything
 *   else is hashed here as it arrives. A file whose bytes do not match is fetched
 *   again, with other range boundaries (a corruption that depends on the body moves with them),
 *   up to `retries` times, then fails CORRUPT. Bytes that are the same on two such fetches and
 *   still do not match mean an ETag that is no MD5 of them: the result says `verified: false`.
 */
import { writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { sep } from 'node:path';
import { CloudSparkError } from '../../errors.js';
import { fromBodyError, type ErrorContext } from '../sdk/errors.js';
import { DownloadDigests, etagCheck, fileEtag, partsMd5, type EtagCheck, type WrittenRange } from '../integrity.js';
import { directContext, type TransferContext } from './context.js';
import { DirectClient, pause, type DirectAnswer } from './direct.js';
import { fileFailure, fsp, partFileName } from './files.js';
import { assertDownloadOptions, assertPath, type DownloadOptions, type DownloadResult } from './options.js';
import { cancelLink, eachLimited } from './pool.js';
import { hashPartsBehind, type LaneJob } from './md5-worker.js';

/** One answer to a GET: where its body starts in the object, and what it says of the object. */
interface Answer {
  out: DirectAnswer;
  /** Offset in the object of the body's first byte (0 for a whole-object answer). */
  start: number;
  /** The object's size, when the answer tells it. */
  total: number | undefined;
}

/** A byte range of the object to fetch: see WrittenRange (`pos` is also where a resume starts). */
type Segment = WrittenRange;

/**
 * The ranges of one fetch of the whole object: the first ends at `first` (its end excluded), the
 * others are `partSize` long. Refetches move the first boundary, so that each range's bytes
 * travel in other bodies than before.
 */
function plan(total: number, first: number, partSize: number): Segment[] {
  const segments: Segment[] = [];
  for (let start = 0, end = Math.min(total, first); start < total; start = end, end = Math.min(total, end + partSize)) {
    segments.push({ start, end: end - 1, pos: start });
  }
  return segments;
}

/** Thrown inside the transfer for a local write that failed: never retried. */
class LocalWriteError extends Error {}

/** Bytes written between two progress reports. */
const PROGRESS_BYTES = 512 * 1024;

/** Writes all of `chunk` at `position` of the file `fd`, or throws a LocalWriteError. */
function writeAt(fd: number, chunk: Buffer, position: number): void {
  try {
    for (let done = 0; done < chunk.length;) done += writeSync(fd, chunk, done, chunk.length - done, position + done);
  } catch (error) {
    throw new LocalWriteError('write failed', { cause: error });
  }
}

/** Downloads `key` into the file `path`, complete or not at all. `key` is checked by the caller. */
export async function downloadToFile(
  ctx: TransferContext,
  key: string,
  path: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const direct = new DirectClient(directContext(ctx));
  try {
    return await downloadWith(direct, ctx, key, path, options);
  } finally {
    direct.close();
  }
}

/** downloadToFile on a client of the caller's, whose sockets outlive this one download (folders.ts). */
/**
 * `within`: a folder (its real path) the file must stay in, checked on the open file itself, so
 * that a symbolic link placed on the way during the transfer cannot redirect it (folders.ts).
 */
export async function downloadWith(
  direct: DirectClient,
  ctx: TransferContext,
  key: string,
  path: string,
  options: DownloadOptions,
  within?: string,
): Promise<DownloadResult> {
  const { concurrency, partSize, retries, verify } = assertDownloadOptions(options);
  assertPath(path, 'path');
  const action = `downloadObject("${key}")`;
  const where: ErrorContext = { action, bucket: ctx.bucket, key, network: ctx.session.network };
  const { signal, onProgress } = options;
  if (signal?.aborted) throw cancelled(action, path);
  const { open, rename, stat, unlink } = await fsp();

  const { stop, release } = cancelLink(signal);

  /** Which fetch of the object this is: the first, or a refetch after its bytes did not match the ETag. */
  let round = 1;
  let loaded = 0;
  let total: number | undefined;
  let etag: string | undefined;
  let file: FileHandle | undefined;
  /** What hashes the bytes for the ETag check: this thread as they arrive, or the hashing thread behind the writes. */
  let digests: DownloadDigests | undefined;
  let lanes: LaneJob | undefined;
  let segments: Segment[] = [];
  const part = partFileName(path);
  // Progress counts the first fetch: a refetch rewrites bytes already counted.
  const progress = (n: number) => {
    if (round > 1) return;
    loaded += n;
    onProgress?.({ loaded, total });
  };

  /** One GET of `[start, end]` (`end` undefined: to the end; `start` undefined: no Range at all). */
  const request = async (start: number | undefined, end: number | undefined): Promise<Answer> => {
    const range = start === undefined ? undefined : `bytes=${start}-${end ?? ''}`;
    let out: DirectAnswer;
    try {
      // Every request after the first is a range of a large object (or a resume): raw-get.ts.
      out = await direct.get(key, { range, ifMatch: etag, signal: stop.signal, raw: etag !== undefined }, where);
    } catch (error) {
      if (!stop.signal.aborted && error instanceof CloudSparkError && error.status === 412 && etag !== undefined) {
        throw changed(action, `it no longer has the ETag ${etag} (If-Match refused)`, error);
      }
      throw error;
    }
    const body = out.body;
    const range_ = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(out.contentRange ?? '');
    if (out.contentRange !== undefined && !range_) {
      body.destroy();
      throw new CloudSparkError(
        'SERVICE_ERROR',
        `${action} failed: the store answered a range with Content-Range "${out.contentRange}", which does not tell the object's size`,
      );
    }
    const answer: Answer = range_
      ? { out, start: Number(range_[1]), total: Number(range_[3]) }
      : { out, start: 0, total: out.contentLength };
    if (etag !== undefined && out.etag !== undefined && out.etag !== etag) {
      body.destroy();
      throw changed(action, `its ETag went from ${etag} to ${out.etag}`);
    }
    if (total !== undefined && answer.total !== undefined && answer.total !== total) {
      body.destroy();
      throw changed(action, `its size went from ${total} to ${answer.total} bytes`);
    }
    return answer;
  };

  /** Writes `answer`'s body at its offsets into `segment`, up to the segment's end. */
  const pump = async (answer: Answer, segment: Segment): Promise<void> => {
    const fd = file!.fd;
    let skip = segment.pos - answer.start;
    if (skip < 0) {
      answer.out.body.destroy();
      throw new CloudSparkError(
        'SERVICE_ERROR',
        `${action} failed: asked for bytes from ${segment.pos}, the store answered from ${answer.start}`,
      );
    }
    // Each chunk is hashed and written where it belongs as it arrives, before the next read:
    // the chunk may be a view of a buffer the next read reuses (raw-get.ts). A write into the
    // page cache is a copy; doing it here keeps one buffer per range and no queue.
    let unreported = 0;
    try {
      await answer.out.body.pipeTo((data) => {
        let chunk = data;
        if (skip > 0) {
          if (chunk.length <= skip) {
            skip -= chunk.length;
            return true;
          }
          chunk = chunk.subarray(skip);
          skip = 0;
        }
        const room = segment.end === undefined ? Infinity : segment.end + 1 - segment.pos;
        if (chunk.length > room) chunk = chunk.subarray(0, room);
        digests?.feed(segment.pos, [chunk]);
        writeAt(fd, chunk, segment.pos);
        segment.pos += chunk.length;
        lanes?.written(segment);
        unreported += chunk.length;
        if (unreported >= PROGRESS_BYTES) {
          progress(unreported);
          unreported = 0;
        }
        // The rest belongs to no one: stop reading.
        return segment.end === undefined || segment.pos <= segment.end;
      });
    } finally {
      // What arrived before a break is written: a resume starts after it.
      if (unreported > 0) progress(unreported);
    }
  };

  /** Fetches one segment whole, resuming after a break; `first` is an answer already under way. */
  const fetchSegment = async (segment: Segment, first?: Answer): Promise<void> => {
    let answer = first;
    let failures = 0;
    for (;;) {
      const before = segment.pos;
      // A request that fails is not retried here: the SDK has already retried it.
      answer ??= await request(segment.pos, segment.end);
      let broke: CloudSparkError;
      try {
        await pump(answer, segment);
        if (segment.end === undefined || segment.pos > segment.end) {
          // Bytes after a stretch that came out of order can be hashed now.
          digests?.catchUp(file!, segment, segments);
          return;
        }
        broke = new CloudSparkError(
          'NETWORK',
          `${action} failed: a body ended early, after ${loaded}${total === undefined ? '' : ` of ${total}`} bytes`,
        );
      } catch (error) {
        if (stop.signal.aborted || error instanceof LocalWriteError || error instanceof CloudSparkError) throw error;
        broke = fromBodyError(error, where, loaded, total);
      } finally {
        answer.out.body.destroy();
      }
      answer = undefined;
      // The body broke off or went silent: resume after its last byte written.
      failures = segment.pos > before ? 1 : failures + 1;
      if (failures > retries) throw broke;
      await pause(100 * 2 ** (failures - 1), stop.signal);
    }
  };

  /** Fetches every segment, `concurrency` at a time; `first` is the answer to the first one, under way. */
  const fetchAll = async (first?: Answer): Promise<void> => {
    const failure = await eachLimited(segments, concurrency, stop, (s) =>
      fetchSegment(s, s === segments[0] ? first : undefined),
    );
    if (signal?.aborted) throw cancelled(action, path);
    if (failure) throw failure.error;
  };

  try {
    // The first range tells the size; a store that ignores Range answers the whole object.
    let first: Answer;
    try {
      first = await request(0, partSize - 1);
    } catch (error) {
      // 416: an empty object has no byte 0. Ask for it whole.
      if (!(error instanceof CloudSparkError && error.status === 416)) throw error;
      first = await request(undefined, undefined);
    }
    total = first.total;
    etag = first.out.etag;
    try {
      file = await open(part, 'wx+'); // read too: stretches that come out of order are read back to be hashed
    } catch (error) {
      first.out.body.destroy();
      throw new LocalWriteError('open failed', { cause: error });
    }
    if (within !== undefined) await assertWithin(action, file, part, within);
    onProgress?.({ loaded: 0, total });

    const check: EtagCheck = !verify
      ? { kind: 'none', reason: 'verify is off' }
      : etagCheck(etag, total ?? 0, first.out.metadata, first.out.encrypted);
    // The whole object in one answer (a store that ignores Range, or an empty object), else ranges.
    const whole = first.out.contentRange === undefined || total === undefined;
    segments = whole
      ? [{ start: 0, end: total === undefined ? undefined : total - 1, pos: 0 }]
      : plan(total!, partSize, partSize);
    const partDigests = () => new DownloadDigests(total, check.kind === 'parts' ? check.partSize : undefined);
    /**
     * Hashing of this fetch's ranges: a multipart object fetched in parallel ranges is hashed on
     * the hashing thread, several parts at once (md5-worker.ts); anything else here, as it arrives.
     */
    const startHashing = async () => {
      digests = undefined;
      lanes = undefined;
      if (check.kind === 'none') return;
      if (check.kind === 'parts' && check.count > 1 && !whole && concurrency > 1)
        lanes = await hashPartsBehind(file!.fd, total!, check.partSize, segments);
      digests = lanes ? undefined : partDigests();
    };
    /** Every part's MD5 once every byte is written (undefined: some are missing). */
    const hashed = async (handle: FileHandle): Promise<Buffer[] | undefined> => {
      const job = lanes;
      lanes = undefined;
      if (job) {
        try {
          return await job.finish();
        } catch {
          // The hashing thread failed: every byte is read back and hashed here.
          digests = partDigests();
        }
      }
      return digests!.digests(handle, segments);
    };
    await startHashing();
    await fetchAll(first);
    if (total !== undefined && loaded !== total) {
      throw new CloudSparkError('NETWORK', `${action} failed: ${loaded} of ${total} bytes arrived`);
    }

    let unverifiedReason = check.kind === 'none' ? check.reason : undefined;
    let previous: string | undefined;
    while (check.kind !== 'none') {
      const got = await hashed(file).catch((error: unknown) => {
        throw new LocalWriteError('read-back failed', { cause: error });
      });
      if (got === undefined) throw new CloudSparkError('NETWORK', `${action} failed: not every byte arrived`);
      if ((check.kind === 'whole' ? got[0]!.toString('hex') : partsMd5(got)) === check.md5) break;
      const fingerprint = got.map((d) => d.toString('hex')).join();
      if (fingerprint === previous) {
        // The same bytes on two fetches through other ranges: the ETag does not describe them
        // as this check reads it. Another common part size may; else it cannot be verified.
        const others = check.kind === 'parts' && !check.recorded ? check.others : [];
        let matched = false;
        for (const other of others) if ((matched = (await fileEtag(file, total!, other)) === check.md5)) break;
        if (!matched)
          unverifiedReason = `its bytes, the same on two fetches, do not match its ETag ${etag} as ${check.kind === 'whole' ? 'an MD5' : `${check.count} parts of ${check.partSize} bytes`}`;
        break;
      }
      if (round > retries || whole) throw corrupt(action, etag, round);
      previous = fingerprint;
      round++;
      // Other boundaries each time: a fault that strikes a body at the same place moves.
      segments = plan(total!, Math.max(1, Math.floor(Math.min(partSize, total!) / 2 ** (round - 1))), partSize);
      await startHashing();
      await fetchAll();
    }

    const handle = file;
    file = undefined;
    // A file replaced keeps its mode (a 0600 file stays 0600), as an in-place write would.
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isFile()) await handle.chmod(existing.mode & 0o7777).catch(() => {});
    await handle.close().catch((error: unknown) => {
      throw new LocalWriteError('close failed', { cause: error });
    });
    await rename(part, path).catch((error: unknown) => {
      throw new LocalWriteError('rename failed', { cause: error });
    });
    const out = first.out;
    return {
      key,
      path,
      size: loaded,
      etag,
      contentType: out.contentType,
      lastModified: out.lastModified,
      versionId: out.versionId,
      metadata: out.metadata,
      ...(unverifiedReason === undefined ? { verified: true } : { verified: false, unverifiedReason }),
    };
  } catch (error) {
    stop.abort();
    // The hashing thread reads the file: it stops before the file is closed.
    await lanes?.cancel();
    if (file !== undefined) await file.close().catch(() => {});
    await unlink(part).catch(() => {});
    if (signal?.aborted) throw cancelled(action, path, error);
    if (error instanceof LocalWriteError) throw fileFailure(action, path, error.cause);
    throw error;
  } finally {
    release();
  }
}

/**
 * The open file is in the folder `within`: where its descriptor really leads (Linux's
 * /proc/self/fd), else where its path leads now. The part file is created with O_EXCL, so a
 * link at its own name is refused by open(); this catches a folder on the way swapped for a
 * link between the folder's check and the open. Nothing has been written yet.
 */
async function assertWithin(action: string, file: FileHandle, part: string, within: string): Promise<void> {
  const { realpath } = await fsp();
  const real = await realpath(`/proc/self/fd/${file.fd}`).catch(() => realpath(part));
  if (!real.startsWith(within + sep)) {
    throw new CloudSparkError(
      'UNSAFE_KEY',
      `${action} refused to write "${part}": it leads outside "${within}" (a symbolic link placed during the transfer); nothing was written there`,
    );
  }
}

function cancelled(action: string, path: string, cause?: unknown): CloudSparkError {
  return new CloudSparkError('ABORTED', `${action} was cancelled; "${path}" was not written`, { cause });
}

function corrupt(action: string, etag: string | undefined, fetches: number): CloudSparkError {
  return new CloudSparkError(
    'CORRUPT',
    `${action} failed: its bytes did not match its ETag ${etag} on ${fetches} fetch${fetches === 1 ? '' : 'es'}, so nothing was written; something between here and the store corrupts data`,
  );
}

function changed(action: string, what: string, cause?: unknown): CloudSparkError {
  return new CloudSparkError(
    'OBJECT_CHANGED',
    `${action} failed: the object changed during the download (${what}); nothing was written, download it again`,
    { status: 412, cause },
  );
}
