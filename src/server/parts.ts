/**
 * The part plan of a multipart upload, decided by the server when the upload starts and bound
 * into its token: every part's exact length is known, and each part URL signs it, so S3 refuses
 * a part of any other length (and the UploadPartCopy trick, which sends none).
 */
import { DEFAULT_BROWSER_PART, MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE } from '../s3/limits.js';

export interface PartPlan {
  /** Bytes of every part but the last. */
  partSize: number;
  partCount: number;
}

/**
 * Parts of `requested` bytes (default 8 MiB), raised to S3's 5 MiB minimum and to what keeps the
 * count within 10000, lowered to its 5 GiB maximum. `size` is at least 1.
 */
export function planParts(size: number, requested = DEFAULT_BROWSER_PART): PartPlan {
  const partSize = Math.min(MAX_PART_SIZE, Math.max(requested, MIN_PART_SIZE, Math.ceil(size / MAX_PARTS)));
  return { partSize, partCount: partCount(size, partSize) };
}

/** How many parts of `partSize` bytes a `size`-byte file makes, the last one possibly shorter. */
export const partCount = (size: number, partSize: number): number => Math.ceil(size / partSize);

/** The exact length of part `n` (1-based) of a `size`-byte file. */
export const partLength = (size: number, partSize: number, n: number): number =>
  Math.min(partSize, size - (n - 1) * partSize);
