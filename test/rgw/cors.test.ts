import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCorsRules, type CorsRule } from '../../src/index.js';
import { rgw, withBucket } from '../support/rgw.js';

let ctx: Awaited<ReturnType<typeof withBucket>>;
before(async () => (ctx = await withBucket('cors')));
after(() => ctx.cleanup());

/** A real CORS preflight, as a browser on `origin` would send before a POST upload. */
async function preflight(origin: string, method = 'POST') {
  return fetch(`${rgw.endpoint}/${ctx.bucket}/upload.bin`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': 'content-type',
    },
  });
}

test('getBucketCors() is [] when the bucket has no CORS rules', async () => {
  assert.deepEqual(await ctx.conn.getBucketCors(), []);
});

test('setBucketCors() with no rules sets the default, and a real preflight is answered', async () => {
  await ctx.conn.setBucketCors();
  const rules = await ctx.conn.getBucketCors();
  assert.equal(rules.length, 1);
  assert.deepEqual(new Set(rules[0]!.AllowedMethods), new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD']));
  assert.deepEqual(rules[0]!.AllowedOrigins, ['*']);
  assert.deepEqual(rules[0]!.ExposeHeaders, ['ETag']);
  assert.equal(rules[0]!.MaxAgeSeconds, 3000);
  // RGW stores the methods in its own order (GET PUT DELETE HEAD POST), hence the set above.
  assert.deepEqual({ ...rules[0], AllowedMethods: [] }, { ...defaultCorsRules()[0], AllowedMethods: [] });

  const res = await preflight('http://app.example');
  assert.equal(res.status, 200);
  assert.ok(['*', 'http://app.example'].includes(res.headers.get('access-control-allow-origin') ?? ''));
  assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
  assert.match(res.headers.get('access-control-expose-headers') ?? '', /ETag/i);
});

test('custom rules are stored as given and enforced per origin', async () => {
  const rules: CorsRule[] = [
    {
      ID: 'app',
      AllowedOrigins: ['https://app.example'],
      AllowedMethods: ['PUT', 'POST'],
      AllowedHeaders: ['*'],
      ExposeHeaders: ['ETag'],
      MaxAgeSeconds: 600,
    },
  ];
  await ctx.conn.setBucketCors(rules);
  assert.deepEqual(await ctx.conn.getBucketCors(), rules);
  assert.equal((await preflight('https://app.example', 'PUT')).status, 200);
  assert.equal((await preflight('https://evil.example', 'PUT')).status, 403);
});

test('deleteBucketCors() removes the rules: the preflight is refused', async () => {
  await ctx.conn.setBucketCors();
  assert.equal((await preflight('http://app.example')).status, 200);
  await ctx.conn.deleteBucketCors();
  assert.deepEqual(await ctx.conn.getBucketCors(), []);
  assert.equal((await preflight('http://app.example')).status, 403);
});
