/**
 * Compile-time checks, run by `npm run typecheck` (not a test file: nothing here runs).
 * `getObjects` resolves to what its options can make it return: a flag known only at run time
 * (a `boolean`) gives the union, never one of its members.
 */
import type { GetObjectsOptions, GetObjectsResult, ObjectInfo, ObjectListing, S3Connection } from '../../src/index.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;

declare const s3: S3Connection;
declare const flag: boolean;
declare const options: GetObjectsOptions;
const keys = s3.getObjects({ onlyKeys: true });
const objects = s3.getObjects({ onlyObjects: true, prefix: 'a/' });
const listing = s3.getObjects();
const withPrefix = s3.getObjects({ prefix: 'a/', pageSize: 10 });
const off = s3.getObjects({ onlyKeys: false, onlyObjects: false });
const keysMaybe = s3.getObjects({ onlyKeys: flag });
const objectsMaybe = s3.getObjects({ onlyObjects: flag });
const anyOptions = s3.getObjects(options);

export type Checks = [
  Expect<Same<Awaited<typeof keys>, string[]>>,
  Expect<Same<Awaited<typeof objects>, ObjectInfo[]>>,
  Expect<Same<Awaited<typeof listing>, ObjectListing>>,
  Expect<Same<Awaited<typeof withPrefix>, ObjectListing>>,
  Expect<Same<Awaited<typeof off>, ObjectListing>>,
  // The unsound case of old: `{ onlyKeys: flag }` was typed ObjectListing, and is string[] when flag is true.
  Expect<Same<Awaited<typeof keysMaybe>, GetObjectsResult>>,
  Expect<Same<Awaited<typeof objectsMaybe>, GetObjectsResult>>,
  Expect<Same<Awaited<typeof anyOptions>, GetObjectsResult>>,
  Expect<Same<GetObjectsResult, string[] | ObjectInfo[] | ObjectListing>>,
];

// Both flags, as written: no overload takes it (it is INVALID_INPUT at run time).
// @ts-expect-error: onlyKeys and onlyObjects together
void s3.getObjects({ onlyKeys: true, onlyObjects: true });
// Two flags known only at run time may be both true: that is the caller's to rule out, as before.
void s3.getObjects({ onlyKeys: flag, onlyObjects: flag });
