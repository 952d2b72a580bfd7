/**
 * One handler with two named routes, used from the page as an app would: `upload` and
 * `uploadMultipart` name the route, and each route's rules decide. (The route API's types are
 * checked at compile time in test/types/routes.ts.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoInBrowser, type DemoInBrowser } from '../support/demo-page.js';

const MiB = 1024 * 1024;
let ctx: DemoInBrowser;
before(
  async () =>
    (ctx = await demoInBrowser('routes', {
      routes: {
        avatars: { rules: { maxSize: 1 * MiB, allowedTypes: ['image/png'], keyPrefix: 'avatars/' } },
        documents: { rules: { maxSize: 32 * MiB, allowedTypes: ['application/pdf'], keyPrefix: 'documents/' } },
      },
    })),
);
after(() => ctx?.close());

interface Outcome {
  ok: boolean;
  key?: string;
  code?: string;
  status?: number;
  field?: string;
}

/** Uploads a file of `size` bytes of `type` in the page through `route` with `how`. */
function uploadThrough(
  page: import('playwright-core').Page,
  how: 'upload' | 'uploadMultipart',
  route: string | undefined,
  type: string,
  size: number,
): Promise<Outcome> {
  return page.evaluate(
    async ({ how, route, type, size }) => {
      // Each type's first bytes, for the handler's check of the stored file against its type.
      const head =
        type === 'image/png'
          ? [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]
          : [...new TextEncoder().encode('%PDF-1.7\n')];
      const bytes = new Uint8Array(size);
      bytes.set(head);
      const lib = (
        window as unknown as { cloudspark: Record<string, (f: File, o: unknown) => Promise<{ key: string }>> }
      ).cloudspark;
      try {
        const { key } = await lib[how]!(new File([bytes], type === 'image/png' ? 'me.png' : 'cv.pdf', { type }), {
          api: '/api/uploads',
          route,
          partSize: 5 * 1024 * 1024,
        });
        return { ok: true, key };
      } catch (e) {
        const error = e as { code: string; status: number };
        return { ok: false, code: error.code, status: error.status };
      }
    },
    { how, route, type, size },
  );
}

test('a PNG is refused by the documents route and stored by the avatars route; a 12 MiB PDF, multipart, the other way round', async () => {
  const page = await ctx.openPage();
  assert.deepEqual(await uploadThrough(page, 'upload', 'documents', 'image/png', 2000), {
    ok: false,
    code: 'TYPE_NOT_ALLOWED',
    status: 400,
  });
  const avatar = await uploadThrough(page, 'upload', 'avatars', 'image/png', 2000);
  assert.ok(avatar.ok, JSON.stringify(avatar));
  assert.match(avatar.key!, /^avatars\/[0-9a-f-]{36}\/me\.png$/);
  assert.equal((await ctx.demo.connection.headObject(avatar.key!)).contentType, 'image/png');

  assert.deepEqual(await uploadThrough(page, 'uploadMultipart', 'avatars', 'application/pdf', 12 * MiB), {
    ok: false,
    code: 'TYPE_NOT_ALLOWED',
    status: 400,
  });
  const doc = await uploadThrough(page, 'uploadMultipart', 'documents', 'application/pdf', 12 * MiB);
  assert.ok(doc.ok, JSON.stringify(doc));
  assert.match(doc.key!, /^documents\//);
  assert.equal((await ctx.demo.connection.headObject(doc.key!)).contentLength, 12 * MiB);
  await page.context().close();
});

test('no route, or one the handler does not have: refused before anything is signed', async () => {
  const page = await ctx.openPage();
  assert.deepEqual(await uploadThrough(page, 'upload', undefined, 'image/png', 100), {
    ok: false,
    code: 'INVALID_INPUT',
    status: 400,
  });
  assert.deepEqual(await uploadThrough(page, 'upload', 'banners', 'image/png', 100), {
    ok: false,
    code: 'NOT_FOUND',
    status: 404,
  });
  assert.deepEqual(
    await uploadThrough(page, 'upload', '', 'image/png', 100),
    { ok: false, code: 'INVALID_INPUT', status: 0 },
    'an empty name is refused in the page',
  );
  await page.context().close();
});
