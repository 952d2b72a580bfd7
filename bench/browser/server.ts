/**
 * The app server of the browser benchmark, on 127.0.0.1: one page that loads both tools' bundles,
 * cloudspark's upload handler under /api/uploads, and the routes Uppy's callbacks call under
 * /uppy, each a plain S3Connection call. It counts the requests each tool makes to it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage, type PageBundle } from '../../scripts/browser-bundle.js';
import type { S3Connection } from '../../src/index.js';
import { createUploadHandler, toNodeHandler } from '../../src/server/index.js';
import { demoCors } from '../../demo/server.js';

const here = dirname(fileURLToPath(import.meta.url));

export type Tool = 'cloudspark' | 'uppy';
export const TOOLS: Tool[] = ['cloudspark', 'uppy'];

export interface BenchServer {
  url: string;
  /** Each tool's half of the page (page/<tool>.ts), as served and weighed. */
  bundles: Record<Tool, PageBundle>;
  /** The requests `tool` made to this server since the last call for it. */
  takeRequests(tool: Tool): number;
  close(): Promise<void>;
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>cloudspark vs Uppy</title>
<script type="module" src="/cloudspark.js"></script>
<script type="module" src="/uppy.js"></script>
<p>Browser upload benchmark: driven by bench/browser/run.ts.</p>
`;

export async function startBenchServer(
  connection: S3Connection,
  options: { maxSize: number; expiresIn: number },
): Promise<BenchServer> {
  const { maxSize, expiresIn } = options;
  const bundle = (tool: Tool) => bundlePage(join(here, 'page', `${tool}.ts`));
  const bundles = { cloudspark: await bundle('cloudspark'), uppy: await bundle('uppy') };
  const handler = toNodeHandler(
    createUploadHandler({
      connection,
      rules: { maxSize, allowedTypes: ['application/octet-stream'], keyPrefix: 'bench/cloudspark/', expiresIn },
      basePath: '/api/uploads',
      authorize: () => true,
      onError: (error) => console.error('upload handler:', error),
    }),
  );

  // What Uppy's callbacks ask for. No upload token, no checks: the least work a server can do.
  const uppyRoutes: Record<string, (body: Record<string, any>) => Promise<unknown>> = {
    async create({ filename, contentType }) {
      const key = `bench/uppy/${randomUUID()}/${String(filename)}`;
      return connection.createMultipartUpload(key, { contentType });
    },
    async 'sign-part'({ key, uploadId, partNumber, size }) {
      return {
        url: await connection.presignedUploadPartUrl(key, uploadId, partNumber, { expiresIn, contentLength: size }),
      };
    },
    async 'list-parts'({ key, uploadId }) {
      return (await connection.listParts(key, uploadId)).map((p) => ({
        PartNumber: p.partNumber,
        Size: p.size,
        ETag: p.etag,
      }));
    },
    async complete({ key, uploadId, parts }) {
      await connection.completeMultipartUpload(
        key,
        uploadId,
        (parts as Array<{ PartNumber: number; ETag: string }>).map((p) => ({ partNumber: p.PartNumber, etag: p.ETag })),
      );
      return { location: `${connection.endpoint}/${connection.bucket}/${key}`, key };
    },
    async abort({ key, uploadId }) {
      await connection.abortMultipartUpload(key, uploadId);
      return {};
    },
  };

  const requests: Record<Tool, number> = { cloudspark: 0, uppy: 0 };
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      console.error('bench server:', error);
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: String(error) }));
    });
  });
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://bench').pathname;
    if (path.startsWith('/api/uploads/')) {
      requests.cloudspark++;
      return handler(req, res);
    }
    if (path.startsWith('/uppy/')) {
      requests.uppy++;
      const run = uppyRoutes[path.slice('/uppy/'.length)];
      if (!run || req.method !== 'POST') return send(res, 404, 'application/json', '{}');
      return send(res, 200, 'application/json', JSON.stringify(await run(await readJson(req))));
    }
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', PAGE);
    const tool = TOOLS.find((t) => path === `/${t}.js`);
    if (tool) return send(res, 200, 'text/javascript; charset=utf-8', bundles[tool].code);
    send(res, 404, 'text/plain', 'not found');
  }

  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await connection.createBucket(connection.bucket!);
  await connection.setBucketCors(demoCors(url));
  return {
    url,
    bundles,
    takeRequests(tool) {
      const n = requests[tool];
      requests[tool] = 0;
      return n;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, any>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>;
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}
