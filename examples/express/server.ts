/**
 * Express 5: the upload handler under /api/uploads, through `toNodeHandler`.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { toNodeHandler } from 'cloudspark/server';
import { createUploads } from '../uploads.js';

export function createApp(): express.Express {
  const app = express();
  // Mounted before express.json(), so the handler reads the body itself: up to 1 MiB (a
  // multipart/complete of 10 000 parts), where express.json() stops at 100 kB with an HTML 413.
  // Express strips the mount path, so the handler needs no basePath.
  app.use('/api/uploads', toNodeHandler(createUploads()));
  app.use(express.json());
  // ... the app's other routes
  return app;
}

export async function start({ port = 0, host = '127.0.0.1' } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const server = createApp().listen(port, host);
  await once(server, 'listening');
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
