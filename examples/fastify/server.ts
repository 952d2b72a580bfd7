/**
 * Fastify 5: the handler inside a plugin of its own that leaves the request body unread.
 *
 * Fastify parses JSON itself, and refuses a body over its `bodyLimit` (1 MiB by default) with a
 * 413 of its own making. Rather than raise the limit or hand the handler a parsed body, this
 * plugin (and only this plugin: Fastify encapsulates it) swaps the parsers for one that reads
 * nothing, and gives the raw request to `toNodeHandler`: the handler reads at most 1 MiB and
 * answers every refusal (413 BODY_TOO_LARGE, 415, ...) in its own JSON. Fastify still routes,
 * and runs the app's hooks (logging, rate limits) before it.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { toNodeHandler } from 'cloudspark/server';
import { createUploads } from '../uploads.js';

export function createApp(): FastifyInstance {
  const app = Fastify();
  void app.register(async (uploads) => {
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser('*', (_request, _body, done) => done(null));
    // The raw request keeps its full URL, so the handler is told where its routes are.
    const handle = toNodeHandler(createUploads({ basePath: '/api/uploads' }));
    uploads.all('/api/uploads/*', (request, reply) => {
      reply.hijack(); // the handler writes the response
      handle(request.raw, reply.raw);
    });
  });
  // ... the app's other routes, with Fastify's own JSON parsing
  return app;
}

export async function start({ port = 0, host = '127.0.0.1' } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const app = createApp();
  const url = await app.listen({ port, host });
  return { url, close: () => app.close() };
}
