#!/usr/bin/env node
// The package as a user gets it (npm run check:package): `npm pack` ships exactly the files listed
// below, and a project in a temporary folder that installs the tarball typechecks an ESM import
// and a CJS require of every entry point under moduleResolution nodenext, bundler and node10,
// with each resolved to the declarations of its own format, and the options a strict project
// writes under exactOptionalPropertyTypes. Builds first when dist/ is stale.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const ENTRIES = ['index', 'server', 'browser', 'browser-resume', 'react'];
const SHIPPED = [
  'LICENSE',
  'README.md',
  'package.json',
  'dist/esm/cli.js',
  ...['esm', 'cjs'].flatMap((format) => [
    `dist/${format}/package.json`,
    ...ENTRIES.flatMap((e) => [`dist/${format}/${e}.js`, `dist/${format}/${e}.d.ts`]),
  ]),
].sort();

// The user's files. `@ts-expect-error` lines fail the check when the types they test were `any`.
const ESM = `
import { S3Connection, CloudSparkError, S3Presigner, type UploadOptions, type BucketLocation } from 'cloudspark';
import { createUploadHandler, toNodeHandler, type UploadHandler, type NodeRequest } from 'cloudspark/server';
import { upload, deleteFile, UploadError, type UploadProgress, type DeleteFileOptions } from 'cloudspark/browser';
import { localResume } from 'cloudspark/browser/resume';
import { useUpload, useDropzone, type FileUpload } from 'cloudspark/react';
import type { ServerResponse } from 'node:http';

const connection = new S3Connection({ bucket: 'my-bucket', region: 'eu-west-1' });
// The S3Connection of 'cloudspark' is the one 'cloudspark/server' takes.
const handler: UploadHandler = createUploadHandler({ connection, rules: { maxSize: 1e6, allowedTypes: ['image/*'] } });
export const node: (req: NodeRequest, res: ServerResponse) => void = toNodeHandler(handler);
export const options: UploadOptions = { contentType: 'text/plain' };
export const where: BucketLocation = new S3Presigner({ bucket: 'b', region: 'us-east-1' }).location;
export const url: Promise<string> = connection.presignedGetUrl('a.txt');
export const isError: boolean = new Error() instanceof CloudSparkError;
declare const file: File;
export const done = upload(file, { api: '/api/uploads', onProgress: (p: UploadProgress) => void p.percent });
const del: DeleteFileOptions = {};
void deleteFile('https://example.com/x', del);
export const code: string = new UploadError('X', 'y').code;
// @ts-expect-error: rules.maxSize is required
createUploadHandler({ connection, rules: {} });
// cloudspark/react's types are cloudspark/browser's own: its UploadError, its resume store.
const routed = createUploadHandler({ connection, routes: { avatars: { rules: { maxSize: 1e6 } } } });
export function useAvatars(): FileUpload[] {
  const { upload: send, uploads, cancel } = useUpload<typeof routed>({ api: '/api/uploads', route: 'avatars', maxFiles: 2, resume: localResume });
  const { rootProps, inputProps } = useDropzone((files) => void send(files));
  void [rootProps.onDrop, inputProps.ref, cancel];
  const failed: UploadError | undefined = uploads[0]?.error;
  void failed;
  // @ts-expect-error: the handler has no route of that name
  useUpload<typeof routed>({ api: '/api/uploads', route: 'banners' });
  return [...uploads];
}
`;
const CJS = `
import cloudspark = require('cloudspark');
import server = require('cloudspark/server');
import browser = require('cloudspark/browser');
import resume = require('cloudspark/browser/resume');
import react = require('cloudspark/react');

const connection = new cloudspark.S3Connection({ bucket: 'my-bucket' });
const handler: server.UploadHandler = server.createUploadHandler({ connection, rules: { maxSize: 1e6 } });
const node = server.toNodeHandler(handler);
const limits: number = cloudspark.MAX_PART_SIZE + cloudspark.MIN_PART_SIZE;
declare const file: File;
const done: Promise<browser.CompletedUpload> = browser.upload(file, { api: '/api/uploads', resume: resume.localResume });
// @ts-expect-error: rules.maxSize is required
server.createUploadHandler({ connection, rules: {} });
const files = (): readonly react.FileUpload[] => react.useUpload({ api: '/api/uploads', resume: false }).uploads;
`;
// Under exactOptionalPropertyTypes, options filled from the environment (string | undefined)
// are accepted as the README writes them, and getObjects refuses both flags at once.
const EXACT = `
import { S3Connection } from 'cloudspark';
import { createUploadHandler } from 'cloudspark/server';
import { upload } from 'cloudspark/browser';
import { localResume } from 'cloudspark/browser/resume';
import { useUpload } from 'cloudspark/react';

export const s3 = new S3Connection({
  endpoint: process.env['S3_ENDPOINT'],
  accessKeyId: process.env['AWS_ACCESS_KEY_ID'],
  secretAccessKey: process.env['AWS_SECRET_ACCESS_KEY'],
  region: process.env['AWS_REGION'],
  bucket: process.env['S3_BUCKET'],
});
declare const prefix: string | undefined;
declare const signal: AbortSignal | undefined;
declare const file: File;
export const keys: Promise<string[]> = s3.getObjects({ prefix, onlyKeys: true });
export const url: Promise<string> = s3.presignedGetUrl('k', { expiresIn: undefined, responseContentType: undefined });
export const sent = s3.uploadFile('a.txt', 'a.txt', { signal, contentType: undefined });
export const got = s3.downloadObject('a.txt', 'a.txt', { signal });
export const handler = createUploadHandler({ connection: s3, basePath: process.env['UPLOADS_PATH'], rules: { maxSize: 1000, keyPrefix: undefined } });
export const done = upload(file, { api: '/api/uploads', signal, onProgress: undefined, resume: localResume });
declare const maxFiles: number | undefined;
export const useIt = () => useUpload({ api: '/api/uploads', maxFiles, route: undefined, resume: undefined, partSize: undefined });
// @ts-expect-error: onlyKeys and onlyObjects together
void s3.getObjects({ onlyKeys: true, onlyObjects: true });
`;
const SOURCES = {
  'exact.mts': EXACT,
  'esm.mts': ESM,
  'cjs.cts': `${CJS}export = { node, limits, done, files };\n`,
  'node10.ts': `${CJS}export { node, limits, done, files };\n`,
};

buildIfStale('for check:package');
const work = mkdtempSync(join(tmpdir(), 'cloudspark-package-'));
let failed = false;
const fail = (message) => {
  console.error(`check:package: ${message}`);
  failed = true;
};

try {
  // 1. What npm would publish.
  const [packed] = JSON.parse(
    execFileSync(npm, ['pack', '--json', '--pack-destination', work], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const files = packed.files.map((f) => f.path).sort();
  const extra = files.filter((f) => !SHIPPED.includes(f));
  const missing = SHIPPED.filter((f) => !files.includes(f));
  if (extra.length || missing.length)
    fail(
      `npm pack ships ${extra.length ? `also ${extra.join(', ')}` : ''}${extra.length && missing.length ? '; ' : ''}${missing.length ? `not ${missing.join(', ')}` : ''}`,
    );
  else console.log(`npm pack: the ${files.length} intended files (${packed.filename}, ${packed.size} bytes)`);

  // 2. A user's project: the tarball and @types/node installed, TypeScript from this repository.
  const app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const { devDependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // @types/react: cloudspark/react's declarations import React's (react itself is an optional peer).
  execFileSync(
    npm,
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      join(work, packed.filename),
      `@types/node@${devDependencies['@types/node']}`,
      `@types/react@${devDependencies['@types/react']}`,
    ],
    { cwd: app, stdio: 'inherit' },
  );
  for (const [name, text] of Object.entries(SOURCES)) writeFileSync(join(app, 'src', name), text);
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  for (const [resolution, module, sources, exact = false] of [
    ['nodenext', 'nodenext', ['esm.mts', 'cjs.cts']],
    ['bundler', 'preserve', ['esm.mts', 'cjs.cts']],
    ['node10', 'commonjs', ['node10.ts']],
    ['nodenext', 'nodenext', ['exact.mts'], true],
  ]) {
    const config = `tsconfig.${resolution}${exact ? '.exact' : ''}.json`;
    writeFileSync(
      join(app, config),
      JSON.stringify({
        compilerOptions: {
          module,
          moduleResolution: resolution,
          target: 'es2022',
          lib: ['es2022', 'dom'],
          types: ['node'],
          strict: true,
          exactOptionalPropertyTypes: exact,
          noEmit: true,
          skipLibCheck: false,
          esModuleInterop: true,
        },
        files: sources.map((s) => `src/${s}`),
      }),
    );
    const run = spawnSync(process.execPath, [tsc, '-p', config, '--explainFiles'], { cwd: app, encoding: 'utf8' });
    const errors = run.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    if (run.status !== 0) {
      fail(
        `moduleResolution ${resolution}${exact ? ' (exactOptionalPropertyTypes)' : ''}: the consumer does not typecheck:\n${errors.join('\n') || run.stdout + run.stderr}`,
      );
      continue;
    }
    // ESM sources must see dist/esm, CJS ones dist/cjs: each entry's .d.ts, and no other file of ours.
    const ours = [
      ...new Set(run.stdout.split('\n').filter((line) => line.startsWith('node_modules/cloudspark/'))),
    ].sort();
    const formats = resolution === 'node10' ? ['cjs'] : exact ? ['esm'] : ['esm', 'cjs'];
    const expected = formats.flatMap((f) => ENTRIES.map((e) => `node_modules/cloudspark/dist/${f}/${e}.d.ts`)).sort();
    if (JSON.stringify(ours) !== JSON.stringify(expected))
      fail(`moduleResolution ${resolution}: read ${ours.join(', ')}; expected ${expected.join(', ')}`);
    else
      console.log(
        `moduleResolution ${resolution}${exact ? ' with exactOptionalPropertyTypes' : ''}: ${sources.join(' and ')} typecheck against ${formats.map((f) => `dist/${f}`).join(' and ')}`,
      );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failed) process.exit(1);
