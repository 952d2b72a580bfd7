/**
 * The browser module's resume store (src/browser/persist.ts), `localResume`, in Node with a
 * localStorage of its own: what it stores (the upload's key, uploadId, token and plan, and nothing
 * of the handler's headers), under which fingerprint (the file's name, size, date, type, first and
 * last MiB, and the handler's URL, headers and route), and what it drops. The upload that uses it
 * is proven in Chromium (test/browser/resume.test.ts).
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { localResume, type ResumeState, type RoutedApi } from '../../../src/browser/persist.js';

const MiB = 1024 * 1024;

/** Storage as a browser has it: items as own properties (what Object.keys lists), methods on the prototype. */
class MemoryStorage {
  getItem(name: string): string | null {
    return Object.hasOwn(this, name) ? (this as unknown as Record<string, string>)[name]! : null;
  }
  setItem(name: string, value: string): void {
    (this as unknown as Record<string, string>)[name] = String(value);
  }
  removeItem(name: string): void {
    delete (this as unknown as Record<string, string>)[name];
  }
}
const storage = () => (globalThis as unknown as { localStorage: MemoryStorage & Record<string, string> }).localStorage;
beforeEach(() => Object.assign(globalThis, { localStorage: new MemoryStorage() }));

const bytes = randomBytes(3 * MiB);
const file = (body: Uint8Array = bytes, name = 'video.mp4', lastModified = 1_700_000_000_000) =>
  new File([new Uint8Array(body)], name, { type: 'video/mp4', lastModified });
const api: RoutedApi = { url: '/api/uploads', headers: { authorization: 'Bearer s3cr3t-bearer' }, route: 'videos' };
const state: ResumeState = {
  key: 'uploads/1/video.mp4',
  uploadId: 'u-1',
  token: 'v1.payload.mac',
  partSize: 8 * MiB,
  partCount: 1,
};

test('a saved upload is found again for the same file and handler, and removed', async () => {
  await localResume.save(file(), api, state);
  const { at, ...loaded } = (await localResume.load(file(), api)) as ResumeState & { at: number };
  assert.deepEqual(loaded, state);
  assert.ok(Math.abs(at - Date.now()) < 5000, 'saved now');
  // Another File object with the same name, size, date and bytes: a file chosen again after a reload.
  assert.equal((await localResume.load(file(Buffer.from(bytes)), api))?.uploadId, 'u-1');
  await localResume.remove(file(), api);
  assert.equal(await localResume.load(file(), api), undefined);
  assert.deepEqual(Object.keys(storage()), []);
});

test("what is stored: the upload's key, id, token and plan, and when; never the handler's headers", async () => {
  await localResume.save(file(), api, { ...state, expiresIn: 900, secret: 'not ours' } as ResumeState);
  const names = Object.keys(storage());
  assert.equal(names.length, 1);
  assert.match(names[0]!, /^cloudspark:[A-Za-z0-9+/]{43}=$/, 'a SHA-256, nothing readable');
  const stored = JSON.parse(storage().getItem(names[0]!)!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(stored).sort(), ['at', 'key', 'partCount', 'partSize', 'token', 'uploadId']);
  assert.doesNotMatch(
    names[0]! + storage().getItem(names[0]!),
    /s3cr3t|Bearer|videos|not ours/,
    'no header, route, or other field of the answer',
  );
});

test('another file, or the same file through another handler, user or route, is another upload', async () => {
  await localResume.save(file(), api, state);
  const changed = (at: number) => {
    const copy = Buffer.from(bytes);
    copy[at] = copy[at]! ^ 1;
    return copy;
  };
  const others: Array<[string, File, RoutedApi]> = [
    ['another name', file(bytes, 'other.mp4'), api],
    ['another date', file(bytes, 'video.mp4', 1_700_000_000_001), api],
    ['another size', file(bytes.subarray(1)), api],
    ['a byte changed in the first MiB', file(changed(10)), api],
    ['a byte changed in the last MiB', file(changed(bytes.length - 10)), api],
    ['another URL', file(), { ...api, url: '/other/uploads' }],
    ['another user (headers)', file(), { ...api, headers: { authorization: 'Bearer someone-else' } }],
    ['another route', file(), { ...api, route: 'avatars' }],
  ];
  for (const [what, f, a] of others) assert.equal(await localResume.load(f, a), undefined, what);
  // A byte in the middle is not read: what the fingerprint is (the size, date and name guard the rest).
  assert.equal(
    (await localResume.load(file(changed(MiB + 100)), api))?.uploadId,
    'u-1',
    'the middle MiB is not hashed',
  );
});

test('a state older than 24 h, or not ours to read, is dropped (and swept when another is saved)', async () => {
  await localResume.save(file(), api, state);
  const [name] = Object.keys(storage());
  const old = { ...JSON.parse(storage().getItem(name!)!), at: Date.now() - 25 * 3600_000 };
  storage().setItem(name!, JSON.stringify(old));
  assert.equal(await localResume.load(file(), api), undefined);
  assert.deepEqual(Object.keys(storage()), [], 'removed when found too old');

  storage().setItem('cloudspark:stale', JSON.stringify(old));
  storage().setItem('cloudspark:garbled', '{not json');
  storage().setItem('someone-else', 'kept');
  await localResume.save(file(), api, state);
  assert.deepEqual(
    Object.keys(storage()).filter(
      (n) => !n.startsWith('cloudspark:') || n === 'cloudspark:stale' || n === 'cloudspark:garbled',
    ),
    ['someone-else'],
    "swept: the stale and garbled, not others' items",
  );
  assert.equal((await localResume.load(file(), api))?.uploadId, 'u-1');
});

test('without localStorage (or when it throws), nothing fails: the upload is only not resumable', async () => {
  Object.assign(globalThis, { localStorage: undefined });
  await localResume.save(file(), api, state);
  assert.equal(await localResume.load(file(), api), undefined);
  await localResume.remove(file(), api);
  const full = new MemoryStorage();
  full.setItem = () => {
    throw new DOMException('quota', 'QuotaExceededError');
  };
  Object.assign(globalThis, { localStorage: full });
  await localResume.save(file(), api, state);
  assert.equal(await localResume.load(file(), api), undefined);
});
