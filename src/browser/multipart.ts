/**
 * Big files in parts, straight to S3: the upload handler starts the upload, plans its parts and
 * signs each one for its exact length, many parts per call; parts go up in parallel, each retried
 * on failure; the handler completes and verifies it. Every call after the first carries the
 * upload's token.
 */
import { callHandler, type HandlerApi, type RoutedApi, type RouteName } from './api.js';
import { UploadError, aborted } from './errors.js';
import { progress, retrying, send, type UploadProgress } from './xhr.js';
import { blob, optionsOf } from './gate.js';
import { md5 } from './md5.js';
import type { ResumeStore } from './persist.js';

/** Options of {@link uploadMultipart}. */
export interface UploadMultipartOptions<H = unknown> {
  /** The upload handler's base URL, e.g. `/api/uploads`. */
  api: HandlerApi;
  /** The handler's route to upload through (a handler given `routes`); `H`: the handler's type. */
  route?: RouteName<H> | undefined;
  /** Bytes per part asked of the handler: at least 5 MiB. Default 8 MiB; the handler raises it when the file needs it. */
  partSize?: number | undefined;
  /** Parts in flight at once. Default 4. */
  concurrency?: number | undefined;
  /**
   * Attempts per part after the first, when it fails on the network, with a 5xx, or as `CORRUPT`
   * (S3 found its body differs from its Content-MD5). Default 3, waiting 0.5 s, 1 s, 2 s.
   */
  retries?: number | undefined;
  /** Never goes back: a retried part's bytes stay counted until the retry passes them. */
  onProgress?: ((progress: UploadProgress) => void) | undefined;
  /** Aborting it cancels the upload and aborts it on S3: no parts are left behind. */
  signal?: AbortSignal | undefined;
  /** Milliseconds without a byte moving after which a part is given up and retried like a network failure. Default 60000. */
  stallTimeout?: number | undefined;
  /**
   * Where the upload is kept while in progress, so that the same file chosen again after a page
   * reload (or in another tab) resumes it: `localResume` (localStorage), or a store of your own.
   * Default none: an upload is resumed only by a call in the same page.
   */
  resume?: ResumeStore | undefined;
}

/** A finished upload, as the handler verified it and answers it (src/protocol.ts: the handler's CompletedUpload, and `result`). */
export interface CompletedUpload {
  /** The stored object's key. */
  key: string;
  /** Bytes stored. */
  size: number;
  /** The stored object's Content-Type, as declared and verified. */
  contentType: string;
  /** The stored object's ETag, as S3 sends it. */
  etag: string | undefined;
  /** The name the file was uploaded under. */
  filename: string;
  /** What the server's `onUploadComplete` returned, if anything. */
  result?: unknown;
}

/**
 * The old name of {@link CompletedUpload}.
 *
 * @deprecated Use {@link CompletedUpload}.
 */
export type MultipartResult = CompletedUpload;

interface Session {
  key: string;
  uploadId: string;
  token: string;
  partSize: number;
  partCount: number;
  /** ETags of the parts S3 holds, by part number. */
  etags: Map<number, string>;
}

/**
 * Uploads in progress on this page, by file: a second call for the same file picks its upload up
 * again. Only network failures that outlast the retries leave an upload here; cancels and
 * refusals abort it.
 */
const sessions = new Map<string, Session>();

/** The file, and who sends it where: another user (headers) or another handler (url) starts afresh. */
const uploadId = (file: Partial<File>, api: RoutedApi) =>
  JSON.stringify([file.name, file.size, file.lastModified, file.type, api]);

/**
 * Uploads `file` in parts through the upload handler at `options.api`: parts go up in parallel,
 * each retried on network failure; resolves once the handler completed the upload and verified
 * what S3 stored. A call for a file whose upload failed on the network resumes it, and with
 * `resume`, so does a call in a page loaded later. A cancel or a refusal aborts the upload on S3.
 */
export async function uploadMultipart<H = unknown>(
  file: Blob,
  options: UploadMultipartOptions<H>,
): Promise<CompletedUpload> {
  blob(file);
  const { api, signal, onProgress, concurrency = 4, retries = 3, stallTimeout, resume } = optionsOf(options, true);
  // A signal already aborted needs no check here: the first call to the handler refuses it.
  const id = uploadId(file, api);
  /** The upload is over (completed, aborted, refused): nothing to resume any more, in this page or another. */
  const forget = () => (sessions.delete(id), resume?.remove(file, api));
  // This page's own upload of the file, else one a page before it saved (its parts are listed below).
  let session = sessions.get(id) ?? ((await resume?.load(file, api)) as Session | undefined);
  if (session) {
    try {
      const held = await callHandler(api, 'multipart/list-parts', named(session), signal);
      session.etags = new Map(held.parts.map((p) => [p.partNumber, p.etag]));
    } catch (error) {
      // Refused (4xx): gone, its token expired or no longer honoured (rules or secret changed),
      // or a saved state the handler does not take: start afresh. The network or a 5xx keeps it
      // for a retry.
      if ((((error as UploadError).status / 100) | 0) !== 4) throw error;
      await forget();
      session = undefined;
    }
  }
  if (!session) {
    const created = await callHandler(
      api,
      'multipart/create',
      {
        filename: (file as Partial<File>).name ?? 'file',
        contentType: file.type || 'application/octet-stream',
        size: file.size,
        partSize: options.partSize,
      },
      signal,
    );
    session = { ...created, etags: new Map() };
    await resume?.save(file, api, created);
  }
  sessions.set(id, session);
  const { etags, partSize, partCount } = session;
  const sizeOf = (n: number) => Math.min(partSize, file.size - (n - 1) * partSize);
  // Bytes sent, by part: a part S3 holds counts whole.
  const sent = new Map<number, number>();
  const todo: number[] = [];
  for (let n = 1; n <= partCount; n++) {
    if (etags.has(n)) sent.set(n, sizeOf(n));
    else todo.push(n);
  }
  let reported = -1;
  const report = () => {
    let loaded = 0;
    for (const bytes of sent.values()) loaded += bytes;
    if (loaded > reported) onProgress?.(progress((reported = loaded), file.size));
  };
  report();

  // One controller for the whole upload: the caller's cancel, or any part failing for good,
  // stops every part in flight.
  const stop = new AbortController();
  const cancel = () => stop.abort();
  signal?.addEventListener('abort', cancel);

  // Part URLs are signed in batches: the first call signs every part still to send (up to the
  // 1000 the handler signs at once). A URL is used until 90% of its lifetime has passed, so a
  // slow upload asks again about once per lifetime, for all the parts left; a retried part is
  // always signed again. Calls are made one at a time, so parts waiting together share one.
  const signed = new Map<number, [url: string, until: number]>();
  const fresh = (n: number) => (signed.get(n)?.[1] ?? 0) > Date.now();
  const signing = inTurn();
  const urlFor = (n: number, again: boolean): Promise<string> =>
    signing(async () => {
      if (again || !fresh(n)) {
        const partNumbers = [n];
        for (let m = 1; m <= partCount && partNumbers.length < 1000; m++)
          if (m !== n && !etags.has(m) && !fresh(m)) partNumbers.push(m);
        const { urls, expiresIn } = await callHandler(
          api,
          'multipart/sign-parts',
          { ...named(session!), partNumbers },
          stop.signal,
        );
        // Timed from the answer: the 10% kept back covers the call's own time.
        const until = Date.now() + expiresIn * 900;
        for (const m of partNumbers) signed.set(m, [urls[m]!, until]);
      }
      return signed.get(n)![0];
    });

  // Each part's MD5 goes with it as Content-MD5 (unsigned: S3 checks it all the same), so S3
  // refuses a body changed on the way (BadDigest: CORRUPT, retried). Parts are hashed once, one at
  // a time, in the order they are sent, from the start: the first part leaves after its own
  // hashing, and the others are hashed while it is on its way. Once the upload stops, no more.
  const slice = (n: number) => file.slice((n - 1) * partSize, n * partSize);
  const hashing = inTurn();
  const digests = new Map(
    todo.map((n) => [n, hashing(() => (stop.signal.aborted ? Promise.reject(aborted()) : md5(slice(n))))]),
  );

  // A retried part is signed again: a fresh URL, whatever became of the last one.
  const sendPart = (n: number): Promise<void> =>
    retrying(
      async (attempt) => {
        const [url, md5sum] = await Promise.all([urlFor(n, attempt > 0), digests.get(n)!]);
        const answer = await send(
          'PUT',
          url,
          slice(n),
          { 'content-md5': md5sum },
          (loaded) => {
            // A retry starts again from 0: what an earlier attempt sent stays counted until passed.
            sent.set(n, Math.max(sent.get(n) ?? 0, loaded));
            report();
          },
          stop.signal,
          stallTimeout,
        );
        const etag = answer.getResponseHeader('etag');
        if (!etag)
          throw new UploadError(
            'ETAG_NOT_EXPOSED',
            'The bucket\'s CORS rules must expose ETag (ExposeHeaders: ["ETag"]).',
          );
        etags.set(n, etag);
        sent.set(n, sizeOf(n));
      },
      retries,
      stop.signal,
    );

  try {
    const worker = async () => {
      while (todo.length) await sendPart(todo.shift()!);
    };
    await Promise.all(
      Array.from({ length: Math.min(concurrency, todo.length) }, () =>
        worker().catch((error) => {
          stop.abort();
          throw error;
        }),
      ),
    );
    const parts = Array.from({ length: partCount }, (_, i) => ({ partNumber: i + 1, etag: etags.get(i + 1)! }));
    const done = await callHandler(api, 'multipart/complete', { ...named(session), parts }, signal);
    await forget();
    return done;
  } catch (error) {
    const code = signal?.aborted ? 'ABORTED' : (error as UploadError).code;
    // Network trouble keeps the upload for a retry to resume; anything else discards it.
    if (code !== 'NETWORK') {
      await forget();
      await callHandler(api, 'multipart/abort', named(session)).catch(() => {});
    }
    throw code === 'ABORTED' ? aborted() : error;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}

/** How every call after multipart/create names the upload. */
const named = ({ key, uploadId, token }: Session) => ({ key, uploadId, token });

/** Runs the tasks given to it one at a time, in the order given; a failed one does not stop the next. */
function inTurn() {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const next = last.then(task);
    last = next.catch(() => {});
    return next;
  };
}
