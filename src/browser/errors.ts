/** The one error the browser module throws, with a code a page can branch on. */

/**
 * Its `name` is always `'UploadError'`. `code` is S3's own error code when S3 refused
 * (`EntityTooLarge`, `AccessDenied`, ...), the upload handler's code when it refused
 * (`TOO_LARGE`, `TYPE_NOT_ALLOWED`, ...), or one of: `ABORTED` (cancelled through the signal),
 * `NETWORK` (no answer could be read: offline, or refused by CORS), `CORRUPT` (on every attempt,
 * the bytes that reached storage were not the file's: S3 refused a part as `BadDigest`, or the
 * handler found a POST's stored bytes differ and deleted them), `ETAG_NOT_EXPOSED` (the
 * bucket's CORS rules hide the ETag header), `HTTP_ERROR` (an answer without a code),
 * `INVALID_INPUT` (an argument refused before any request: the message starts
 * `Invalid <field>:`), `INVALID_TARGET` (a target that is neither a presigned POST nor a PUT).
 */
export class UploadError extends Error {
  // Fields are assigned, not declared with initialisers: a bundler lowering class fields for
  // older browsers would otherwise add a defineProperty helper to every page.
  /** What went wrong: S3's code, the upload handler's, or one of this module's (see above). */
  declare readonly code: string;
  /** HTTP status of the refusal; 0 when there was no readable answer. */
  declare readonly status: number;
  /**
   * @param code - What went wrong (see above).
   * @param message - What happened, for the developer.
   * @param status - HTTP status of the refusal; 0 when there was no readable answer.
   */
  constructor(code: string, message: string, status = 0) {
    super(message);
    Object.assign(this, { name: 'UploadError', code, status });
  }
}

export const aborted = () => new UploadError('ABORTED', 'The upload was cancelled.');

/** The error S3 answered with, read from its XML body. */
export function fromS3Response(status: number, body: string): UploadError {
  if (status === 0) {
    return new UploadError(
      'NETWORK',
      'Storage could not be reached, or refused without CORS headers (offline, CORS rules, expired link).',
    );
  }
  const code = xmlTag(body, 'Code') ?? 'HTTP_ERROR';
  const detail = xmlTag(body, 'Message');
  const expired = /expired/i.test(detail ?? '') ? ' The link expired: ask for a new one.' : '';
  // BadDigest: the body did not match its Content-MD5. One code for bytes changed on the way,
  // whether S3 or the handler found it.
  const corrupt = code === 'BadDigest';
  return new UploadError(
    corrupt ? 'CORRUPT' : code,
    `Storage refused the upload (${code}${detail ? `: ${detail}` : ''}, HTTP ${status}).${expired}${corrupt ? ' Its bytes changed on the way.' : ''}`,
    status,
  );
}

/** The text of the first `<tag>` in one of S3's small XML answers (errors, the 201 answer to a POST), up to the next tag. */
export const xmlTag = (xml: string, tag: string): string | undefined => xml.split(`<${tag}>`)[1]?.split('<')[0];
