/**
 * Compile-time checks, run by `npm run typecheck` (not a test file: nothing here runs).
 * cloudspark/browser's upload types have names of their own, distinct from cloudspark's, and
 * the names they had before stay exported as aliases of them.
 */
import type * as browser from '../../src/browser/index.js';
import type * as node from '../../src/index.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;

export type Checks = [
  Expect<Same<browser.UploadOptions, browser.BrowserUploadOptions>>,
  Expect<Same<browser.UploadProgress, browser.BrowserUploadProgress>>,
  // The reason for the new names: the same words meant other things in the two entry points.
  Expect<Same<Same<browser.BrowserUploadProgress, node.UploadProgress>, false>>,
  Expect<Same<Same<browser.BrowserUploadOptions, node.UploadOptions>, false>>,
];
