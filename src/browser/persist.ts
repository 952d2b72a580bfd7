/**
 * cloudspark/browser/resume: multipart uploads that survive a page reload. `localResume` keeps
 * what `uploadMultipart` needs to go on with an upload (its key, uploadId, token and part plan;
 * never a credential) in localStorage, under a fingerprint of the file and of the handler it goes
 * through. An entry point of its own, passed as the `resume` option: a page that does not use it
 * does not pay for it, and the browser module stays within its 4 KB.
 *
 * ```ts
 * import { uploadMultipart } from 'cloudspark/browser';
 * import { localResume } from 'cloudspark/browser/resume';
 * await uploadMultipart(file, { api: '/api/uploads', resume: localResume });
 * ```
 *
 * @packageDocumentation
 */
import type { RoutedApi } from './api.js';

export type { RoutedApi } from './api.js';

/** What a multipart upload needs to go on in another page: never a credential (the token names one upload, for its lifetime). */
export interface ResumeState {
  /** The object's key, as `multipart/create` made it. */
  key: string;
  /** The multipart upload's id on S3. */
  uploadId: string;
  /** The upload's token from the handler: every later call about the upload sends it. */
  token: string;
  /** Bytes per part, as the handler planned them. */
  partSize: number;
  /** Parts in the plan. */
  partCount: number;
}

/**
 * Where `uploadMultipart` keeps its uploads in progress across page loads: `load` before it
 * starts one (a state found is checked with the handler, `multipart/list-parts`, and only the
 * parts S3 lacks are sent), `save` once the handler created it, `remove` once it is completed,
 * aborted, or refused. Each is given the file and the handler it goes through (its URL, headers
 * and route): the same file sent through another handler, by another user or on another route
 * is another upload. A store should not throw: what it throws fails the upload.
 */
export interface ResumeStore {
  /** The state saved for this file and handler, if any. */
  load(file: Blob, api: RoutedApi): ResumeState | undefined | Promise<ResumeState | undefined>;
  /** Keeps `state` for this file and handler. */
  save(file: Blob, api: RoutedApi, state: ResumeState): void | Promise<void>;
  /** Forgets the state of this file and handler. */
  remove(file: Blob, api: RoutedApi): void | Promise<void>;
}

/** The upload handler's token lives 24 h by default (`tokenExpiresIn`): older states are dropped unasked. */
const MAX_AGE = 864e5;
const PREFIX = 'cloudspark:';
const MiB = 1048576;

/**
 * The storage key of `file` sent through `api`: the SHA-256 of its name, size, last change and
 * type, its first and last MiB (so an edited file of the same name and size is another file),
 * and the handler's URL, headers and route. The headers (an Authorization among them) go into
 * the hash only: nothing of them is stored.
 */
async function slot(file: Blob, api: RoutedApi): Promise<string> {
  const { name, lastModified } = file as Partial<File>;
  const bytes = await new Blob([
    JSON.stringify([name, file.size, lastModified, file.type, api]),
    file.slice(0, MiB),
    file.slice(Math.max(MiB, file.size - MiB)),
  ]).arrayBuffer();
  return PREFIX + btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))));
}

/** The state stored under `name` if it is young enough to resume; anything else stored there is removed. */
function read(name: string): ResumeState | undefined {
  let state: { at?: number } | null | undefined;
  try {
    state = JSON.parse(localStorage.getItem(name)!) as typeof state;
  } catch {
    // Not JSON: not ours to keep either.
  }
  if (Date.now() - state?.at! < MAX_AGE) return state as ResumeState;
  localStorage.removeItem(name);
  return undefined;
}

/**
 * A {@link ResumeStore} in `localStorage`: pass it as `resume` to `upload` or `uploadMultipart`
 * (`useUpload` of `cloudspark/react` does by default). A page reloaded, or another tab of the
 * same origin, given the same file again, resumes its upload. States older than 24 h (the
 * handler's default token lifetime) are dropped; a state the handler refuses (an expired token,
 * an upload gone) is dropped and the upload starts afresh. Best effort: without localStorage
 * or WebCrypto (a page not served over HTTPS or from localhost), uploads are not resumed, and
 * nothing fails.
 */
export const localResume: ResumeStore = {
  async load(file, api) {
    try {
      return read(await slot(file, api));
    } catch {
      return undefined;
    }
  },
  async save(file, api, { key, uploadId, token, partSize, partCount }) {
    try {
      // States of uploads never taken up again go once they are too old to resume.
      for (const name of Object.keys(localStorage)) if (name.startsWith(PREFIX)) read(name);
      // Field by field: whatever else the handler answered is not stored.
      localStorage.setItem(
        await slot(file, api),
        JSON.stringify({ key, uploadId, token, partSize, partCount, at: Date.now() }),
      );
    } catch {
      // Full, or forbidden: the upload goes on, only not resumable after a reload.
    }
  },
  async remove(file, api) {
    try {
      localStorage.removeItem(await slot(file, api));
    } catch {
      // Nothing stored, then.
    }
  },
};
