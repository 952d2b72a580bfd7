/**
 * What a browser on `origin` would do, done with fetch and its headers: CORS preflights, then
 * a real upload through a presigned POST and its removal through a presigned DELETE.
 */
import { createHash } from 'node:crypto';
import type { S3Connection } from '../../s3/connection.js';
import { fail, pass, type Fix, type Verdict } from './check.js';

/** Whether an answer lets a page on `origin` read it. */
function allowsOrigin(res: Response, origin: string): boolean {
  const allowed = res.headers.get('access-control-allow-origin');
  return allowed === '*' || allowed === origin;
}

/**
 * Asks, as a browser would before sending `method` (with `headers`) to `url`, and says what is
 * wrong with the answer, or nothing.
 */
async function preflightProblem(
  url: string,
  origin: string,
  method: string,
  headers?: string,
): Promise<string | undefined> {
  const res = await fetch(url, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      ...(headers && { 'Access-Control-Request-Headers': headers }),
    },
  });
  if (res.status !== 200 && res.status !== 204) return `the ${method} preflight was refused (HTTP ${res.status})`;
  if (!allowsOrigin(res, origin)) return `the ${method} preflight answer does not allow origin ${origin}`;
  const methods = (res.headers.get('access-control-allow-methods') ?? '').toUpperCase().split(/\s*,\s*/);
  if (!methods.includes(method))
    return `the ${method} preflight answer allows only ${methods.join(', ') || 'no method'}`;
  return undefined;
}

/** Preflights for a POST form upload to the bucket and a PUT (with Content-Type and Content-MD5, as a page sends) of an object. */
export async function preflightVerdict(
  urls: { bucket: string; object: string },
  origin: string,
  fix: Fix,
): Promise<Verdict> {
  const problems = (
    await Promise.all([
      preflightProblem(urls.bucket, origin, 'POST'),
      preflightProblem(urls.object, origin, 'PUT', 'content-type,content-md5'),
    ])
  ).filter((p): p is string => p !== undefined);
  return problems.length
    ? fail(problems.join('; '), fix)
    : pass(`OPTIONS for POST and PUT from ${origin} answered with the CORS headers a browser needs`);
}

/** The `<Code>` and `<Message>` of an S3 XML error body, for a refused request. */
async function s3Error(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
  const code = field('Code');
  const message = field('Message');
  return `HTTP ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
}

/**
 * Uploads a small object through a presigned POST sent with the page's Origin, replaces it
 * through a presigned PUT with a Content-MD5 (reading its ETag, as a multipart upload must), then removes it
 * through a presigned DELETE. Whatever happens, the object is gone afterwards.
 */
export async function roundTripVerdict(
  s3: S3Connection,
  key: string,
  origin: string,
  fixes: RoundTripFixes,
): Promise<Verdict> {
  const body = `cloudspark doctor, ${new Date().toISOString()}\n`;
  const post = await s3.presignedCreateUrl(key, {
    fields: { 'Content-Type': 'text/plain' },
    conditions: [['content-length-range', 1, 1024]],
    expiresIn: 300,
  });
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
  form.append('file', new Blob([body], { type: 'text/plain' }), 'doctor.txt');
  const posted = await fetch(post.url, { method: 'POST', body: form, headers: { Origin: origin } });
  if (!posted.ok)
    return fail(
      `the presigned POST was refused: ${await s3Error(posted)}`,
      ...(posted.status === 403 ? [fixes.access] : []),
    );
  let removed = false;
  try {
    await s3.headObject(key); // stored, not merely answered
    // With the Content-MD5 a page's multipart parts carry, which the store checks.
    const headers = {
      Origin: origin,
      'Content-Type': 'text/plain',
      'Content-MD5': createHash('md5').update(body).digest('base64'),
    };
    const put = await fetch(await s3.presignedPutUrl(key, { expiresIn: 300 }), { method: 'PUT', body, headers });
    if (!put.ok)
      return fail(
        `the presigned POST worked, the presigned PUT was refused: ${await s3Error(put)}`,
        ...(put.status === 403 ? [await fixes.putRefused()] : []),
      );
    const deleted = await fetch(await s3.presignedDeleteUrl(key, { expiresIn: 300 }), {
      method: 'DELETE',
      headers: { Origin: origin },
    });
    if (!deleted.ok) return fail(`the presigned DELETE was refused: ${await s3Error(deleted)}`, fixes.access);
    removed = await s3.headObject(key).then(
      () => false,
      (e: { code?: string }) => (e.code === 'NO_SUCH_KEY' ? true : Promise.reject(e)),
    );
    if (!removed) return fail('the presigned DELETE answered but the object is still there');
    const unreadable = [posted, put]
      .filter((res) => !allowsOrigin(res, origin))
      .map((res) => (res === posted ? 'POST' : 'PUT'));
    if (unreadable.length) {
      const answers = unreadable.length > 1 ? 'answers carry' : 'answer carries';
      return fail(
        `the uploads worked, but the ${unreadable.join(' and ')} ${answers} no Access-Control-Allow-Origin for ${origin}: a browser reports them as failed`,
        fixes.cors,
      );
    }
    if (!exposes(put, 'etag'))
      return fail('the PUT answer does not expose ETag to the page, which multipart uploads need', fixes.cors);
    return pass(
      `from ${origin}, a presigned POST stored ${key} (HTTP ${posted.status}), a presigned PUT replaced it (HTTP ${put.status}, ETag readable), a presigned DELETE removed it (HTTP ${deleted.status})`,
    );
  } finally {
    if (!removed) await s3.deleteObject(key).catch(() => {});
  }
}

export interface RoundTripFixes {
  cors: Fix;
  /** When the credentials were refused. */
  access: Fix;
  /** When only the PUT was refused: the fix depends on the bucket's settings. */
  putRefused: () => Promise<Fix>;
}

/** Whether a page may read response header `name` (lower case) of a CORS answer. */
function exposes(res: Response, name: string): boolean {
  return (res.headers.get('access-control-expose-headers') ?? '')
    .toLowerCase()
    .split(/\s*,\s*/)
    .includes(name);
}
