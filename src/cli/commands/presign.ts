/** `cloudspark presign post|get|put|delete <key>`: presigned POST forms and URLs. */
import { Option, type Command } from 'commander';
import type { PostCondition } from '../../sigv4/index.js';
import { action, examples, type App } from '../action.js';
import type { CliContext } from '../context.js';
import { byteSize, keyValue, wholeNumber } from '../parse.js';

const expiresOption = () =>
  new Option('--expires <seconds>', 'how long it stays valid: 1 to 604800 seconds')
    .default(3600)
    .argParser(wholeNumber);

interface PostOptions {
  maxSize?: number;
  contentType?: string;
  meta?: Record<string, string>;
  expires: number;
}

export function registerPresign(program: Command, app: App): void {
  const presign = program
    .command('presign')
    .description('presigned POST forms and URLs, for browsers and other tools (signed locally, no request made)');

  examples(
    presign
      .command('post')
      .description(
        'a presigned POST, as JSON {url, fields}: a page sends the fields, then the file, as multipart/form-data',
      )
      .argument('<key>', 'the object key the upload will have')
      .option('--max-size <bytes>', 'refuse larger uploads (S3 enforces it): 1048576, 10MB, 5MiB ...', byteSize)
      .option('--content-type <type>', 'the Content-Type the upload must declare, such as image/png')
      .option('--meta <name=value>', 'store as object metadata x-amz-meta-<name> (repeat for more)', keyValue)
      .addOption(expiresOption()),
    'cloudspark presign post avatars/42.png --max-size 5MiB --content-type image/png --meta user=42 --expires 300',
  ).action(
    action(app, async (ctx, key: string, options: PostOptions) => {
      const conditions: PostCondition[] =
        options.maxSize === undefined ? [] : [['content-length-range', 0, options.maxSize]];
      const post = await ctx.connection().presignedCreateUrl(key, {
        fields: options.contentType === undefined ? undefined : { 'Content-Type': options.contentType },
        conditions,
        params: options.meta,
        expiresIn: options.expires,
      });
      ctx.out.result(post, () => JSON.stringify(post, null, 2));
    }),
  );

  for (const [name, method, what] of [
    ['get', 'GET', 'download'],
    ['put', 'PUT', 'upload (a plain HTTP PUT of the body)'],
    ['delete', 'DELETE', 'delete'],
  ] as const) {
    examples(
      presign
        .command(name)
        .description(`a presigned URL to ${what} <key>`)
        .argument('<key>', 'the object key')
        .addOption(expiresOption()),
      `cloudspark presign ${name} reports/q3.pdf --expires 900`,
    ).action(
      action(app, async (ctx, key: string, options: { expires: number }) => {
        const url = await presignedUrl(ctx, method, key, options.expires);
        const expiresAt = new Date(Date.now() + options.expires * 1000);
        ctx.out.result({ method, key, url, expiresAt }, () => url);
      }),
    );
  }
}

function presignedUrl(
  ctx: CliContext,
  method: 'GET' | 'PUT' | 'DELETE',
  key: string,
  expiresIn: number,
): Promise<string> {
  const s3 = ctx.connection();
  const options = { expiresIn };
  if (method === 'GET') return s3.presignedGetUrl(key, options);
  if (method === 'PUT') return s3.presignedPutUrl(key, options);
  return s3.presignedDeleteUrl(key, options);
}
