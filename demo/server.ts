/**
 * The demo app's server: one page on its own port (so the browser really crosses origins to
 * reach S3), the upload handler under /api/uploads, and a listing with presigned download
 * links. The page's script, a React app, is bundled from demo/page/app.tsx at start-up, React
 * included: nothing from a CDN.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { S3Connection, type S3ConnectionOptions, type CorsRule } from '../src/index.js';
import {
  attachmentDisposition,
  createUploadHandler,
  toNodeHandler,
  type UploadRoute,
  type UploadRules,
} from '../src/server/index.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface DemoOptions {
  /** Where S3 is: endpoint and credentials (as for S3Connection). */
  s3: S3ConnectionOptions;
  bucket: string;
  /** 0 picks a free port. Default 0. */
  port?: number;
  rules?: Partial<UploadRules>;
  /**
   * Named routes for the handler instead of the demo's one set of rules: for code run in the
   * page (`window.cloudspark`) that names them; the page's own form names none.
   */
  routes?: Record<string, UploadRoute>;
  /** Files from this size on go multipart. Default 16 MiB. */
  multipartFrom?: number;
  /** The page's part size and parts at once for multipart uploads. Default: the browser module's (8 MiB, 4). */
  partSize?: number;
  concurrency?: number;
  /** Another page script to serve as /app.js instead of the demo's (a test's page, rendered into #root). */
  page?: string;
}

export interface Demo {
  url: string;
  connection: S3Connection;
  close(): Promise<void>;
}

export const DEMO_RULES: UploadRules = {
  maxSize: 200_000_000,
  allowedTypes: [
    'image/*',
    'video/*',
    'audio/*',
    'text/*',
    'application/pdf',
    'application/zip',
    'application/json',
    'application/octet-stream',
  ],
  keyPrefix: 'uploads/',
  expiresIn: 900,
};

/** CORS for exactly the demo's origin, exposing the ETag that multipart uploads read. */
export const demoCors = (origin: string): CorsRule[] => [
  {
    AllowedOrigins: [origin],
    AllowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
    AllowedHeaders: ['*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 600,
  },
];

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const rules: UploadRules = { ...DEMO_RULES, ...options.rules };
  const multipartFrom = options.multipartFrom ?? 16 * 1024 * 1024;
  const connection = new S3Connection({ ...options.s3, bucket: options.bucket });
  const handler = toNodeHandler(
    createUploadHandler({
      connection,
      ...(options.routes ? { routes: options.routes } : { rules }),
      basePath: '/api/uploads',
      // The demo has no accounts: everyone may do everything. A real app checks its user here.
      authorize: () => true,
      onError: (error) => console.error('upload handler:', error),
    }),
  );
  const page = await pageAssets(options.page ?? join(here, 'page/app.tsx'));

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      console.error('demo:', error);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL', message: 'the demo server failed' } });
    });
  });
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: a page on another site whose name now points at 127.0.0.1 would reach us
    // with its own name as Host. Only our own address is served.
    const { port } = server.address() as AddressInfo;
    if (req.headers.host !== `127.0.0.1:${port}` && req.headers.host !== `localhost:${port}`) {
      return sendJson(res, 421, {
        error: { code: 'MISDIRECTED', message: 'this demo answers only to its own address' },
      });
    }
    const path = new URL(req.url ?? '/', 'http://demo').pathname;
    if (path.startsWith('/api/uploads/')) return handler(req, res);
    if (path === '/api/config') {
      const { partSize, concurrency } = options;
      return sendJson(res, 200, {
        bucket: options.bucket,
        endpoint: connection.endpoint ?? 'Amazon S3',
        maxSize: rules.maxSize,
        allowedTypes: rules.allowedTypes,
        multipartFrom,
        partSize,
        concurrency,
      });
    }
    if (path === '/api/objects')
      return sendJson(res, 200, { objects: await listWithLinks(connection, rules.keyPrefix ?? '') });
    const asset = page[path === '/' ? '/index.html' : path];
    if (!asset) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `nothing at ${path}` } });
    res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' }).end(asset.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await connection.createBucket(options.bucket);
  await connection.setBucketCors(demoCors(url));
  return {
    url,
    connection,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        connection.close();
      }),
  };
}

/** Every upload with a presigned download link, newest first. */
async function listWithLinks(connection: S3Connection, prefix: string) {
  const objects = [];
  for await (const o of connection.listObjects({ prefix })) {
    // Links download the file rather than show it: the demo does not know each object's type.
    const url = await connection.presignedGetUrl(o.key, {
      expiresIn: 900,
      responseContentDisposition: attachmentDisposition(o.key),
    });
    objects.push({ key: o.key, size: o.size, lastModified: o.lastModified, url });
  }
  return objects.sort((a, b) => (b.lastModified?.getTime() ?? 0) - (a.lastModified?.getTime() ?? 0));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

async function pageAssets(entry: string): Promise<Record<string, { type: string; body: string | Uint8Array }>> {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    // React's production build (its development one checks more, and says so on the console);
    // tsconfig.json's `jsx: react-jsx` makes esbuild compile JSX for React's automatic runtime.
    define: { 'process.env.NODE_ENV': '"production"' },
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  return {
    '/index.html': { type: 'text/html; charset=utf-8', body: readFileSync(join(here, 'page/index.html')) },
    '/styles.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(here, 'page/styles.css')) },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: bundle.outputFiles[0]!.contents },
  };
}
