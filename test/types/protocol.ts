/**
 * Compile-time checks, run by `npm run typecheck` (not a test file: nothing here runs).
 * The handler's protocol (src/protocol.ts) is one contract for both sides: the page's calls are
 * typed by it (a body missing a field, or a route that does not exist, fails to compile), and the
 * handler answers every route of it with what it says (checked in src/server/handler.ts, where
 * a route missing from the handler, or answering another shape, fails to compile).
 */
import type { callHandler } from '../../src/browser/api.js';
import type { ProtocolResponse } from '../../src/protocol.js';
import type * as browser from '../../src/browser/index.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;

declare const call: typeof callHandler;
const api = { url: '/api/uploads' };

export async function calls(): Promise<void> {
  const { urls } = await call(api, 'multipart/sign-parts', {
    key: 'k',
    uploadId: 'u',
    token: 't',
    partNumbers: [1, 2],
  });
  void urls['1'];
  // @ts-expect-error: sign-parts needs the part numbers
  await call(api, 'multipart/sign-parts', { key: 'k', uploadId: 'u', token: 't' });
  // @ts-expect-error: post/complete needs the file's MD5
  await call(api, 'post/complete', { key: 'k', token: 't' });
  // @ts-expect-error: no such route
  await call(api, 'multipart/finish', { key: 'k' });
}

export type Checks = [
  // What the browser functions resolve to is what the completing routes answer.
  Expect<Same<browser.CompletedUpload, ProtocolResponse<'multipart/complete'>>>,
  Expect<Same<browser.CompletedUpload, ProtocolResponse<'post/complete'>>>,
];
