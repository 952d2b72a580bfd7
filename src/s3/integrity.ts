/**
 * Every byte verified, both ways.
 *
 * Up: every PUT and UploadPart carries `Content-MD5`, so the store refuses a body that is not
 * what was read (`400 BadDigest`, on AWS and Ceph RGW alike); that answer is retried like a 5xx,
 * and one that outlasts every attempt fails `CORRUPT`. Over plain HTTP the SDK also signs the
 * payload's SHA-256, which the store checks too (`XAmzContentSHA256Mismatch`).
 *
 * Down: a download is checked against the object's ETag, which is the MD5 of its bytes for an
 * object stored in one piece, and the MD5 of its parts' MD5s followed by `-N` for a multipart
 * one. The latter needs the part layout, which S3 does not tell (Ceph RGW ignores `partNumber`
 * on GET and HEAD): cloudspark records its part size in `x-amz-meta-cloudspark-part-size`, and
 * for other objects it is inferred from N and the size among the part sizes common tools use.
 * Where no check is possible (an ETag that is no MD5: SSE-KMS, SSE-C; or a layout that is
 * neither recorded nor inferred), the download says so: `verified: false`.
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';

const MiB = 1024 * 1024;

/** The base64 MD5 of `body`, as `Content-MD5` carries it. */
export function md5Base64(body: Uint8Array | string): string {
  return createHash('md5').update(body).digest('base64');
}

/** S3 codes that mean "the bytes the store received are not the bytes sent": retried, then CORRUPT. */
export const CORRUPT_CODES: ReadonlySet<string> = new Set(['BadDigest', 'XAmzContentSHA256Mismatch']);

/** The user-metadata name under which cloudspark records a multipart object's part size. */
export const PART_SIZE_META = 'cloudspark-part-size';

/**
 * Part sizes other tools upload with, most common first: aws CLI (8 MiB), lib-storage and
 * boto3's minimum (5 MiB), s3cmd (15 MiB), rclone and mc (16 MiB, 64 MiB, ...).
 */
export const COMMON_PART_SIZES: readonly number[] = [8, 5, 15, 16, 64, 10, 32, 50, 100, 128, 256, 512].map(
  (n) => n * MiB,
);

/** How a download can be checked against its object's ETag. */
export type EtagCheck =
  /** Stored in one piece: the body's MD5 (hex) is the ETag. */
  | { kind: 'whole'; md5: string }
  /**
   * Stored in `count` parts of `partSize` bytes (the last one shorter): the MD5 of the parts'
   * MD5s is `md5`. `others` are further part sizes that give `count` parts of this size, tried
   * when the first does not match and the bytes are the same on a second fetch.
   */
  | { kind: 'parts'; md5: string; count: number; partSize: number; recorded: boolean; others: number[] }
  /** No check is possible: why, in words. */
  | { kind: 'none'; reason: string };

/**
 * What the object's answer allows to check. `encrypted`: the answer named SSE-KMS or SSE-C,
 * whose ETags are not MD5s of the bytes.
 */
export function etagCheck(
  etag: string | undefined,
  size: number,
  metadata: Readonly<Record<string, string>>,
  encrypted: boolean,
): EtagCheck {
  const m = /^"?([0-9a-f]{32})(?:-(\d+))?"?$/.exec(etag ?? '');
  if (!m) return { kind: 'none', reason: etag ? `its ETag ${etag} is not an MD5` : 'the store sent no ETag' };
  if (encrypted) return { kind: 'none', reason: 'it is encrypted with SSE-KMS or SSE-C, whose ETags are not MD5s' };
  const md5 = m[1]!;
  if (m[2] === undefined) return { kind: 'whole', md5 };
  const count = Number(m[2]);
  if (!(count >= 1 && count <= 10_000)) return { kind: 'none', reason: `its ETag names ${m[2]} parts` };
  const fits = (p: number) =>
    Number.isSafeInteger(p) && p > 0 && Math.ceil(size / p) === count && (count > 1 || p >= size);
  const recorded = Number(metadata[PART_SIZE_META]);
  if (fits(recorded)) return { kind: 'parts', md5, count, partSize: recorded, recorded: true, others: [] };
  // One part: its size is the object's, whatever the tool's part size was.
  if (count === 1) return { kind: 'parts', md5, count, partSize: Math.max(size, 1), recorded: false, others: [] };
  const candidates = COMMON_PART_SIZES.filter(fits);
  if (candidates.length === 0)
    return {
      kind: 'none',
      reason: `its ${count} parts are of a size that was neither recorded nor one that common tools use`,
    };
  return { kind: 'parts', md5, count, partSize: candidates[0]!, recorded: false, others: candidates.slice(1) };
}

/** The hex MD5 of the parts' binary MD5s, as S3 makes a multipart ETag (without its `-N`). */
export function partsMd5(partDigests: readonly Buffer[]): string {
  const hash = createHash('md5');
  for (const d of partDigests) hash.update(d);
  return hash.digest('hex');
}

/** The request's parts the middleware below reads and writes (the SDK's HttpRequest). */
interface RequestShape {
  headers: Record<string, string>;
  body?: unknown;
}

const UPLOAD_COMMANDS = new Set(['PutObjectCommand', 'UploadPartCommand']);

/**
 * Makes the SDK client's uploads verified like the direct path's: a PUT or UploadPart whose body
 * is in memory (as lib-storage's parts are) gets `Content-MD5`, and a store's refusal of a
 * corrupted body is retried by the SDK's own retry strategy (its `$retryable` trait) before it
 * surfaces as CORRUPT (sdk/errors.ts).
 */
export function verifyUploads(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as RequestShape | undefined;
      if (UPLOAD_COMMANDS.has(context.commandName ?? '') && request?.headers) {
        const { body } = request;
        const named = Object.keys(request.headers).some(
          (h) => h.toLowerCase() === 'content-md5' || h.toLowerCase().startsWith('x-amz-checksum-'),
        );
        if (!named && (typeof body === 'string' || body instanceof Uint8Array))
          request.headers['content-md5'] = md5Base64(body);
      }
      return next(args);
    },
    { step: 'build', name: 'cloudsparkContentMd5', override: true },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const e = error as { name?: string; Code?: string; $retryable?: object };
        if (CORRUPT_CODES.has(e?.Code ?? e?.name ?? '')) e.$retryable = {};
        throw error;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'cloudsparkRetryCorrupt', override: true },
  );
}

/** Where a download has written: each range's first byte, last byte, and the next byte to write. */
export interface WrittenRange {
  /** First byte of the range in the object. */
  start: number;
  /** Last byte, included (undefined: to the end, size unknown). */
  end: number | undefined;
  /** The next byte to write: [start, pos) is in the file. */
  pos: number;
}

/** One stretch the ETag check hashes on its own: the whole object, or one part. */
interface Unit {
  start: number;
  /** Exclusive. */
  end: number;
  /** Bytes [start, pos) are hashed. */
  pos: number;
  hash: import('node:crypto').Hash;
  /** Being read back from the file: bytes arriving meanwhile are left to the read-back. */
  busy: boolean;
}

/** Bytes read back from the file at once. */
const READ_BACK = 1024 * 1024;

/**
 * The MD5s an ETag check needs (the whole object's, or each part's), computed while the ranges
 * arrive: bytes that come in order are hashed as they are written, and a stretch that arrived
 * out of order (a later range finishing first) is read back from the file once the bytes before
 * it are there. So hashing never holds a range back, and its cost overlaps the transfer.
 */
export class DownloadDigests {
  readonly #units: Unit[];
  readonly #unitSize: number;
  #chain: Promise<void> = Promise.resolve();
  /** The first read-back that failed: digests() throws it. */
  #error: unknown;

  /** `size`: the object's, when known; `partSize`: the stretch of each digest (the whole object when undefined). */
  constructor(size: number | undefined, partSize: number | undefined) {
    const whole = size ?? Number.POSITIVE_INFINITY;
    this.#unitSize = partSize ?? Math.max(whole, 1);
    const count = partSize === undefined || size === undefined ? 1 : Math.max(1, Math.ceil(size / partSize));
    this.#units = Array.from({ length: count }, (_, i) => {
      const start = i * this.#unitSize;
      return { start, end: Math.min(whole, start + this.#unitSize), pos: start, hash: createHash('md5'), busy: false };
    });
  }

  /** Bytes about to be written at `offset`: hashed now where they continue a unit's hashed bytes. */
  feed(offset: number, chunks: readonly Buffer[]): void {
    for (const chunk of chunks) {
      const last = offset + chunk.length;
      for (let i = Math.floor(offset / this.#unitSize); i < this.#units.length && this.#units[i]!.start < last; i++) {
        const u = this.#units[i]!;
        if (u.busy || u.pos < offset || u.pos >= last || u.pos >= u.end) continue;
        const upto = Math.min(last, u.end);
        u.hash.update(chunk.subarray(u.pos - offset, upto - offset));
        u.pos = upto;
      }
      offset = last;
    }
  }

  /**
   * Once bytes of `range` are in the file: reads back what the units overlapping it can now
   * hash (bytes written out of order), one read-back at a time, in the background (a failure
   * is thrown by digests()). `ranges` tell what is written.
   */
  catchUp(file: import('node:fs/promises').FileHandle, range: WrittenRange, ranges: readonly WrittenRange[]): void {
    this.#chain = this.#chain
      .then(() => this.#readBack(file, range, ranges))
      .catch((error: unknown) => {
        this.#error ??= error;
      });
  }

  async #readBack(
    file: import('node:fs/promises').FileHandle,
    range: WrittenRange,
    ranges: readonly WrittenRange[],
  ): Promise<void> {
    const last = range.end === undefined ? Number.POSITIVE_INFINITY : range.end + 1;
    let buffer: Buffer | undefined; // only when there is something to read back
    for (let i = 0; i < this.#units.length; i++) {
      const u = this.#units[i]!;
      if (u.end <= range.start || u.start >= last || u.pos >= u.end) continue;
      u.busy = true;
      try {
        for (;;) {
          const upto = Math.min(u.end, writtenFrom(u.pos, ranges));
          if (upto <= u.pos) break;
          const length = Math.min(READ_BACK, upto - u.pos);
          buffer ??= Buffer.allocUnsafe(READ_BACK);
          const { bytesRead } = await file.read(buffer, 0, length, u.pos);
          if (bytesRead === 0) break;
          u.hash.update(buffer.subarray(0, bytesRead));
          u.pos += bytesRead;
        }
      } finally {
        u.busy = false;
      }
    }
  }

  /** Every unit's binary MD5 when the bytes all came in order (a stream): undefined while one is not hashed to its end. */
  inOrder(): Buffer[] | undefined {
    if (this.#units.some((u) => u.pos < u.end && u.end !== Number.POSITIVE_INFINITY)) return undefined;
    return this.#units.map((u) => u.hash.digest());
  }

  /** Every unit's binary MD5, once all are hashed to their end; undefined while one is not. */
  async digests(
    file: import('node:fs/promises').FileHandle,
    ranges: readonly WrittenRange[],
  ): Promise<Buffer[] | undefined> {
    await this.#chain;
    for (const r of ranges) this.catchUp(file, r, ranges);
    await this.#chain;
    if (this.#error !== undefined) throw this.#error;
    return this.inOrder();
  }
}

/** The end (exclusive) of the bytes written contiguously from `pos`, across ranges. */
function writtenFrom(pos: number, ranges: readonly WrittenRange[]): number {
  for (;;) {
    const r = ranges.find((x) => x.start <= pos && (x.end === undefined || pos <= x.end));
    if (!r || r.pos <= pos) return pos;
    if (r.end !== undefined && r.pos > r.end) pos = r.end + 1;
    else return r.pos;
  }
}

/** The binary MD5s of the bytes [0, size) of `file`, one per `partSize` (one in all when undefined). */
async function fileDigests(file: import('node:fs/promises').FileHandle, size: number, partSize: number | undefined) {
  const all: WrittenRange = { start: 0, end: size - 1, pos: size };
  return (await new DownloadDigests(size, partSize).digests(file, [all])) ?? [];
}

/** The MD5 of the bytes [0, size) of `file` cut into parts of `partSize`: the multipart ETag's hex (no `-N`). */
export async function fileEtag(
  file: import('node:fs/promises').FileHandle,
  size: number,
  partSize: number,
): Promise<string> {
  return partsMd5(await fileDigests(file, size, partSize));
}

/** The hex MD5 of the bytes [0, size) of `file`: a single-part object's ETag, when they are its bytes. */
export async function fileMd5(file: import('node:fs/promises').FileHandle, size: number): Promise<string> {
  const [digest] = await fileDigests(file, size, undefined);
  return digest!.toString('hex');
}
