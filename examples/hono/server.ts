/**
 * Hono 4 on Node (`@hono/node-server`): the handler is web-standard, so a route hands it Hono's
 * raw `Request` as it is. Hono reads no body by itself, so the handler's 1 MiB limit applies.
 */
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { createUploads } from '../uploads.js';

export function createApp(): Hono {
  const app = new Hono();
  const uploads = createUploads({ basePath: '/api/uploads' });
  app.all('/api/uploads/*', (c) => uploads(c.req.raw));
  // ... the app's other routes
  return app;
}

export async function start({ port = 0, host = '127.0.0.1' } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const app = createApp();
  let server: ReturnType<typeof serve> | undefined;
  const address = await new Promise<AddressInfo>((resolve) => {
    server = serve({ fetch: app.fetch, port, hostname: host }, resolve);
  });
  return {
    url: `http://${host}:${address.port}`,
    close: () => new Promise((resolve, reject) => server!.close((error) => (error ? reject(error) : resolve()))),
  };
}
