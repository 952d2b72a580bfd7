/**
 * S3's limits and cloudspark's defaults for moving bytes, in one place: the transfers, the
 * upload handler's part plans and the CLI's help all read them from here. (The browser module
 * keeps its own copies: it imports nothing from outside src/browser.)
 */

export const MiB = 1024 * 1024;

// ------------------------------------------------------------------ S3's limits

/** Parts are numbered 1 to 10000. */
export const MAX_PARTS = 10_000;
/** Every part but the last must be at least 5 MiB. */
export const MIN_PART_SIZE = 5 * MiB;
/** And at most 5 GiB. */
export const MAX_PART_SIZE = 5 * 1024 * MiB;
/** Keys per DeleteObjects request. */
export const DELETE_BATCH = 1000;

// ------------------------------------------------------------------ our defaults

/** Uploads: 8 MiB parts, 8 at once, which keeps `cloudspark put` ahead of aws CLI and s3cmd (docs/performance.md). */
export const DEFAULT_UPLOAD_PART = 8 * MiB;
export const DEFAULT_UPLOAD_CONCURRENCY = 8;
/** Downloads: ranges of 8 MiB, 4 at once; a range may be as small as 1 MiB (S3 has no minimum). */
export const DEFAULT_DOWNLOAD_PART = 8 * MiB;
export const DEFAULT_DOWNLOAD_CONCURRENCY = 4;
export const MIN_DOWNLOAD_PART = MiB;
/** Folders: files at once. */
export const DEFAULT_FOLDER_CONCURRENCY = 16;
/** The upload handler's part size for browsers, before a large file raises it. */
export const DEFAULT_BROWSER_PART = 8 * MiB;
/** Presigned URLs of the byte path live 15 minutes: each request gets a fresh one. */
export const URL_LIFETIME = 900;
