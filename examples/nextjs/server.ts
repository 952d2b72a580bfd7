/**
 * `next build` and `next start` for this app, as functions the tests can call. An app of your
 * own needs none of this file: copy `app/api/uploads/[...route]/route.ts`, then `next build &&
 * next start` as usual.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
const here = dirname(fileURLToPath(import.meta.url));
// The environment as it is when called (the server reads S3_BUCKET and the rest); Next.js
// reports usage to its makers unless told not to.
const env = () => ({ ...process.env, NEXT_TELEMETRY_DISABLED: '1' });

/** Builds the app in `dir` (default: this folder); rejects with Next's output if it fails. */
export async function build(dir = here): Promise<void> {
  const child = spawn(process.execPath, [nextBin, 'build', dir], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`next build failed (${code}):\n${output}`);
}

/** `next start` on the app built in `dir`; resolves once it is ready. Port 0 picks a free one. */
export async function start({ dir = here, port = 0, host = '127.0.0.1' } = {}): Promise<{
  url: string;
  close(): Promise<void>;
}> {
  const child = spawn(process.execPath, [nextBin, 'start', dir, '--port', String(port), '--hostname', host], {
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let local: string | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      // "- Local: http://127.0.0.1:43385" names the port it chose, then "✓ Ready in ...".
      local ??= /- Local:\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (local && /Ready in/.test(output)) resolve(local);
    });
    child.on('exit', (code) => reject(new Error(`next start exited (${code}):\n${output}`)));
  });
  return {
    url,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
