/**
 * useUpload: `cloudspark/browser`'s `upload` for React, one state entry per file. Progress is
 * kept outside React and handed to it at most every 200 ms (a multipart upload reports many
 * times a second per part: a render each would cost more than the upload), and at once when an
 * upload starts or ends.
 */
import { useRef, useState } from 'react';
import {
  upload as send,
  UploadError,
  type BrowserUploadOptions,
  type CompletedUpload,
  type ResumeStore,
} from '../browser/index.js';
import { localResume } from '../browser/persist.js';

/** Where an upload of `useUpload` is: waiting its turn, on its way, or ended one of three ways. */
export type UploadStatus = 'queued' | 'uploading' | 'done' | 'error' | 'cancelled';

/** One file given to `useUpload`'s `upload`, as the page renders it. A new object whenever it changes. */
export interface FileUpload {
  /** Unique among this hook's uploads: a key for the list. */
  readonly id: string;
  /** The file, as given. */
  readonly file: File;
  /** `queued` until a place is free (`maxFiles`), then `uploading`, then `done`, `error` or `cancelled`. */
  readonly status: UploadStatus;
  /** Bytes sent, never going back within an attempt. A resumed upload starts at the bytes S3 already held. */
  readonly loaded: number;
  /** The file's size. */
  readonly total: number;
  /** 0 to 100, whole numbers; 100 once `done`. */
  readonly percent: number;
  /** Once `done`: the upload as the handler verified it (and `result`, what its `onUploadComplete` returned). */
  readonly result?: CompletedUpload | undefined;
  /** Once `error` (or `cancelled`: code `ABORTED`): why, with the code to branch on (`TOO_LARGE`, `NETWORK`, ...). */
  readonly error?: UploadError | undefined;
}

/** Options of {@link useUpload}: those of `upload` from `cloudspark/browser`, but for the ones the hook owns (`onProgress`, `signal`). `H`: the handler's type, whose routes `route` names. */
export interface UseUploadOptions<H = unknown> extends Omit<
  BrowserUploadOptions<H>,
  'onProgress' | 'signal' | 'resume'
> {
  /** Files uploading at once; the others wait, `queued`, in the order given. Default 3. */
  maxFiles?: number | undefined;
  /**
   * Where multipart uploads in progress are kept, so that the same file chosen again after a page
   * reload (or in another tab) goes on where it stopped. Default `localResume` (localStorage);
   * `false` keeps nothing: an upload then resumes only in the same page (`retry`).
   */
  resume?: ResumeStore | false | undefined;
}

/** What {@link useUpload} returns. Its functions are the same on every render. */
export interface UseUpload {
  /**
   * Adds the files to `uploads` and uploads them, `maxFiles` at a time. Resolves once each has
   * ended, with those that completed, in the order given; never rejects: a failure is the file's
   * `status` and `error`. Nothing is sent for an empty list.
   */
  upload(files: File | readonly File[] | FileList): Promise<CompletedUpload[]>;
  /** Every file given since the last `reset`, in the order given. */
  readonly uploads: readonly FileUpload[];
  /** Cancels the upload `id` (or every one not ended): a queued one is never sent, a multipart one is aborted on S3. */
  cancel(id?: string): void;
  /** Sends an upload that ended in `error` or `cancelled` again; a multipart one goes on with the parts S3 holds. Resolves like `upload`, for that file. */
  retry(id: string): Promise<CompletedUpload[]>;
  /** Cancels every upload not ended, and empties `uploads`. */
  reset(): void;
}

/**
 * Uploads files through the upload handler (`cloudspark/server`) and holds each one's state for
 * the page to render: `const { upload, uploads, cancel } = useUpload({ api: '/api/uploads' })`.
 * Multipart uploads survive a page reload: the same file chosen again goes on where it stopped
 * (see `resume`). Typed from the handler: `useUpload<typeof handler>({ api, route: 'avatars' })`
 * accepts only its route names. Options are read when each file starts, so they may change
 * between renders. Uploads go on when the component unmounts (cancel them first if they must not).
 */
export function useUpload<H = unknown>(options: UseUploadOptions<H>): UseUpload {
  const latest = useRef(options);
  latest.current = options;
  const [uploads, publish] = useState<readonly FileUpload[]>([]);
  const [control] = useState(() => controller(() => latest.current, publish));
  return { ...control, uploads };
}

/** The hook's state outside React: the list as it is now, and the queue. */
function controller(
  options: () => UseUploadOptions,
  publish: (uploads: readonly FileUpload[]) => void,
): Omit<UseUpload, 'uploads'> {
  let list: readonly FileUpload[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = 0;
  let count = 0;
  /** Starts of uploads waiting for a place, in order. */
  const waiting: Array<() => void> = [];
  const stops = new Map<string, AbortController>();

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    publish(list);
  };
  /** Changes one entry: rendered at once when `now` (a status), else with the next flush. */
  const patch = (id: string, change: Partial<FileUpload>, now?: boolean) => {
    list = list.map((u) => (u.id === id ? { ...u, ...change } : u));
    if (now) flush();
    else timer ??= setTimeout(flush, 200);
  };
  const next = () => {
    const { maxFiles = 3 } = options();
    // An invalid maxFiles lets one through, which the module refuses (INVALID_INPUT), rather than none.
    while (waiting.length && running < (maxFiles >= 1 ? maxFiles : 1)) waiting.shift()!();
  };

  /** Queues the upload of entry `id`; resolves with its result, or undefined if it did not complete. */
  const run = ({ id, file }: FileUpload) =>
    new Promise<CompletedUpload | undefined>((resolve) => {
      const stop = new AbortController();
      stops.set(id, stop);
      let started = false;
      // Cancelled while queued: ended now, and its turn, when it comes, is skipped.
      stop.signal.onabort = () =>
        started ||
        (patch(id, { status: 'cancelled', error: new UploadError('ABORTED', 'The upload was cancelled.') }, true),
        resolve(undefined));
      waiting.push(async () => {
        if (stop.signal.aborted) return;
        started = true;
        running++;
        patch(id, { status: 'uploading', error: undefined }, true);
        const { resume = localResume, ...rest } = options();
        try {
          // maxFiles goes along for the module to check it: its gate knows the name.
          const result = await send(file, {
            ...rest,
            resume: resume || undefined,
            signal: stop.signal,
            onProgress: (p) => patch(id, p),
          });
          patch(id, { status: 'done', result, loaded: file.size, percent: 100 }, true);
          resolve(result);
        } catch (error) {
          patch(id, { status: stop.signal.aborted ? 'cancelled' : 'error', error: error as UploadError }, true);
          resolve(undefined);
        }
        running--;
        next();
      });
      next();
    });
  const settle = async (entries: readonly FileUpload[]) =>
    (await Promise.all(entries.map(run))).filter((r): r is CompletedUpload => !!r);
  const cancel = (id?: string) => {
    for (const u of list) if (id === undefined || u.id === id) stops.get(u.id)?.abort();
  };

  return {
    upload(files) {
      const added = (files instanceof Blob ? [files] : Array.from(files)).map((file): FileUpload => ({
        id: String(++count),
        file,
        status: 'queued',
        loaded: 0,
        total: file.size,
        percent: 0,
      }));
      list = [...list, ...added];
      flush();
      return settle(added);
    },
    cancel,
    retry(id) {
      const entry = list.find((u) => u.id === id && (u.status === 'error' || u.status === 'cancelled'));
      if (!entry) return Promise.resolve([]);
      // Counted again from what this attempt sends (a multipart one starts at the parts S3 holds).
      patch(id, { status: 'queued', loaded: 0, percent: 0 }, true);
      return settle([entry]);
    },
    reset() {
      cancel();
      list = [];
      flush();
    },
  };
}
