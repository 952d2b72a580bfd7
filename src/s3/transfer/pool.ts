/**
 * The worker pool every transfer runs on (ranges of a download, parts of an upload, files of a
 * folder, the CLI's cp and sync), and the cancel wiring between a caller's signal and the
 * requests in flight.
 */
import { setMaxListeners } from 'node:events';

/**
 * The signal a transfer's requests listen to: it fires at the transfer's first failure, or when
 * the caller's `signal` does. `release()` unhooks it from the caller's signal, once done.
 */
export function cancelLink(signal: AbortSignal | undefined): { stop: AbortController; release: () => void } {
  const stop = new AbortController();
  // One listener per request in flight (and per file of a folder): often more than the 10 past which Node warns.
  setMaxListeners(Infinity, stop.signal);
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return { stop, release: () => signal?.removeEventListener('abort', onAbort) };
}

/**
 * Runs `work` on every item in order, `concurrency` at a time. The first failure aborts `stop`,
 * and no item starts once `stop` has fired. Resolves to that failure, for the caller to weigh
 * against a cancel of its own.
 */
export async function eachLimited<T>(
  items: Iterable<T> | AsyncIterable<T>,
  concurrency: number,
  stop: AbortController,
  work: (item: T) => Promise<void>,
): Promise<{ error: unknown } | undefined> {
  // One iterator shared by the workers: a listing is read only as fast as its items are taken.
  const it: Iterator<T> | AsyncIterator<T> =
    Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    stop.abort();
  };
  const worker = async () => {
    while (failure === undefined && !stop.signal.aborted) {
      let next: IteratorResult<T>;
      try {
        next = await it.next();
      } catch (error) {
        return fail(error);
      }
      if (next.done) return;
      try {
        await work(next.value);
      } catch (error) {
        fail(error);
      }
    }
  };
  const workers = Array.isArray(items) ? Math.min(concurrency, items.length) : concurrency;
  await Promise.all(Array.from({ length: workers }, worker));
  return failure;
}
