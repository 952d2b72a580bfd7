/**
 * A worker thread run from source text, answering requests by id: what hash-worker.ts
 * (Content-MD5 of upload bodies) and md5-worker.ts (a download's part MD5s) each start once.
 *
 * - Source text, not a file: it runs the same from src/ (tsx), dist/esm and dist/cjs, and no
 *   bundler or loader can rewrite it.
 * - Not the process's flags (`execArgv: []`): `--input-type=module` would make the source a
 *   module, without `require`.
 * - unref()ed while nothing is pending, ref()ed while a request is: an idle thread never keeps
 *   the process alive, and a pending answer is never dropped at exit.
 * - A thread that cannot start gives undefined; one that dies rejects every pending request
 *   and refuses later ones, and its callers do the work on their own thread.
 */
import type { Worker } from 'node:worker_threads';

/** What the thread answers: `id` is the request's. */
export interface Answer {
  id: number;
}

export interface EvalWorker<A extends Answer> {
  /** Posts `message` (which carries `id`) and resolves with the thread's answer of that id. */
  request(id: number, message: object): Promise<A>;
  /** Posts a message that gets no answer of its own. */
  post(message: object): void;
}

/** Starts the thread; undefined when it cannot (no worker_threads, or `prepare` throws). */
export async function startEvalWorker<A extends Answer>(
  source: string,
  prepare: () => unknown,
): Promise<EvalWorker<A> | undefined> {
  try {
    const { Worker } = await import('node:worker_threads');
    const thread: Worker = new Worker(source, { eval: true, execArgv: [], workerData: prepare() });
    const pending = new Map<number, { resolve(answer: A): void; reject(error: Error): void }>();
    let gone: Error | undefined;
    thread.on('message', (answer: A) => {
      const p = pending.get(answer.id);
      if (!p) return;
      pending.delete(answer.id);
      if (pending.size === 0) thread.unref();
      p.resolve(answer);
    });
    const fail = (why: string) => {
      gone ??= new Error(`the worker thread ${why}`);
      for (const p of pending.values()) p.reject(gone);
      pending.clear();
    };
    thread.on('error', (error) => fail(`failed: ${String(error)}`));
    thread.on('exit', (code) => fail(`exited (${code})`));
    thread.unref();
    return {
      request(id, message) {
        if (gone) return Promise.reject(gone);
        return new Promise<A>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          if (pending.size === 1) thread.ref();
          thread.postMessage(message);
        });
      },
      post(message) {
        if (!gone) thread.postMessage(message);
      },
    };
  } catch {
    return undefined;
  }
}
