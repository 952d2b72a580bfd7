/**
 * Compile-time checks, run by `npm run typecheck` (not a test file: nothing here runs).
 * cloudspark/browser restates the server's CompletedUpload (the browser module imports nothing
 * from the server) and adds `result`, what `onUploadComplete` answered: the two must not drift.
 */
import type * as browser from '../../src/browser/index.js';
import type * as server from '../../src/server/index.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;

export type Checks = [Expect<Same<browser.CompletedUpload, server.CompletedUpload & { result?: unknown }>>];
