/**
 * The demo page, a React app: choose or drop files, watch each upload, cancel or retry it, then
 * download or delete what is in the bucket. Uploads go through `useUpload` and `useDropzone` of
 * `cloudspark/react`; a big file's upload survives a reload: choose it again and it goes on from
 * the parts already stored. Every step is announced as a `cloudspark:*` event on document (the
 * browser tests listen to them).
 */
import { StrictMode, useCallback, useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { upload, uploadFile, uploadMultipart, deleteFile, UploadError } from '../../src/browser/index.js';
import { localResume } from '../../src/browser/persist.js';
import { callHandler } from '../../src/browser/api.js';
import { useDropzone, useUpload, type FileUpload } from '../../src/react/index.js';

// The browser module, to try from the developer console.
Object.assign(window, { cloudspark: { upload, uploadFile, uploadMultipart, deleteFile, localResume, UploadError } });

interface Config {
  bucket: string;
  endpoint: string;
  maxSize: number;
  allowedTypes?: string[];
  multipartFrom: number;
  partSize?: number;
  concurrency?: number;
}
interface Listed {
  key: string;
  size: number;
  lastModified?: string;
  url: string;
}

const API = '/api/uploads';
const emit = (name: string, detail: unknown) =>
  document.dispatchEvent(new CustomEvent(`cloudspark:${name}`, { detail }));

const units = ['B', 'KB', 'MB', 'GB', 'TB'];
function bytes(n: number): string {
  let i = 0;
  while (n >= 1000 && i < units.length - 1) ((n /= 1000), i++);
  return `${i ? n.toFixed(n < 10 ? 1 : 0) : n} ${units[i]}`;
}

/** Words for the page, from the error's code. */
function explain(error: unknown): string {
  if (!(error instanceof UploadError)) return String(error);
  switch (error.code) {
    case 'TOO_LARGE':
    case 'EntityTooLarge':
      return `Too large: ${error.code === 'EntityTooLarge' ? 'the storage refused a file bigger than it was told' : error.message}.`;
    case 'TYPE_NOT_ALLOWED':
      return `Not accepted: ${error.message.replace(/^files of type (\S+) are not accepted/, 'this page takes no $1 files')}.`;
    case 'ABORTED':
      return 'Cancelled.';
    case 'NETWORK':
      return 'Network problem: the upload stopped. Retry resumes where it stopped.';
    case 'CORRUPT':
      return "Damaged on the way: the bytes that reached the storage were not the file's, on every try. Nothing was kept.";
    default:
      return error.message;
  }
}

/**
 * The page's events for the tests, from the hook's state: progress when an upload's bytes
 * moved, `uploaded` or `failed` when it ended (a cancel is `failed` with code ABORTED).
 */
function useAnnounced(uploads: readonly FileUpload[]): void {
  const seen = useRef(new Map<string, FileUpload>());
  useEffect(() => {
    for (const u of uploads) {
      const before = seen.current.get(u.id);
      if (before === u) continue;
      seen.current.set(u.id, u);
      const name = u.file.name;
      const moving = u.status === 'uploading' || u.status === 'done';
      if (moving && (before?.loaded !== u.loaded || before.status !== u.status))
        emit('progress', { name, loaded: u.loaded, total: u.total, percent: u.percent });
      if (u.status === before?.status) continue;
      if (u.status === 'done') emit('uploaded', { name, ...u.result });
      if (u.status === 'error' || u.status === 'cancelled')
        emit('failed', { name, code: u.error?.code ?? 'ERROR', message: explain(u.error) });
    }
  }, [uploads]);
}

function UploadRow({
  entry,
  multipartFrom,
  onCancel,
  onRetry,
}: {
  entry: FileUpload;
  multipartFrom: number;
  onCancel(): void;
  onRetry(): void;
}) {
  const { file, status, loaded, total, percent, error } = entry;
  const running = status === 'queued' || status === 'uploading';
  const label = {
    queued: 'Waiting…',
    uploading: file.size >= multipartFrom ? 'Uploading in parts…' : 'Uploading…',
    done: 'Uploaded',
    error: 'Failed',
    cancelled: 'Cancelled',
  }[status];
  const css = {
    queued: 'is-running',
    uploading: 'is-running',
    done: 'is-done',
    error: 'is-error',
    cancelled: 'is-cancelled',
  }[status];
  const detail = error
    ? explain(error)
    : status === 'uploading' || status === 'done'
      ? `${bytes(loaded)} of ${bytes(total)}`
      : '';
  return (
    <li className={`upload ${css}`} data-name={file.name} data-key={entry.result?.key}>
      <div className="row-top">
        <span className="name">{file.name}</span>
        <span className="size muted">{bytes(file.size)}</span>
        <span className="status">{label}</span>
        <button type="button" className="cancel ghost" hidden={!running} onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="retry ghost" hidden={error?.code !== 'NETWORK'} onClick={onRetry}>
          Retry
        </button>
      </div>
      <div className="track">
        <div className="fill" style={{ width: `${percent}%` }} />
      </div>
      <div className="row-bottom">
        <span className="percent">{percent}%</span> <span className="detail muted">{detail}</span>
      </div>
    </li>
  );
}

function Objects({ objects, onDelete }: { objects: Listed[] | undefined; onDelete(key: string): Promise<void> }) {
  const [deleting, setDeleting] = useState<string>();
  return (
    <table className="objects">
      <thead>
        <tr>
          <th>Name</th>
          <th className="num">Size</th>
          <th>Uploaded</th>
          <th></th>
        </tr>
      </thead>
      <tbody id="objects">
        {!objects?.length && (
          <tr className="empty">
            <td colSpan={4}>Nothing yet.</td>
          </tr>
        )}
        {objects?.map((o) => {
          const name = o.key.slice(o.key.lastIndexOf('/') + 1);
          return (
            <tr key={o.key} data-key={o.key} style={deleting === o.key ? { opacity: 0.5 } : undefined}>
              <td>
                <span className="file">{name}</span>
                <span className="key">{o.key}</span>
              </td>
              <td className="num">{bytes(o.size)}</td>
              <td>{o.lastModified ? new Date(o.lastModified).toLocaleString() : ''}</td>
              <td className="actions">
                <a className="download" href={o.url} download={name}>
                  Download
                </a>
                <button
                  type="button"
                  className="delete ghost danger"
                  onClick={() => (setDeleting(o.key), void onDelete(o.key).finally(() => setDeleting(undefined)))}
                >
                  Delete
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function App() {
  const [config, setConfig] = useState<Config>();
  const [objects, setObjects] = useState<Listed[]>();
  const multipartFrom = config?.multipartFrom ?? 16 * 1024 * 1024;
  // Options are read as each file starts: the config, fetched below, arrives before any file can.
  const {
    upload: send,
    uploads,
    cancel,
    retry,
  } = useUpload({ api: API, multipartFrom, partSize: config?.partSize, concurrency: config?.concurrency });
  const { rootProps, inputProps, dragging } = useDropzone((files) => void send(files));
  useAnnounced(uploads);

  const refresh = useCallback(async () => {
    const listed = ((await (await fetch('/api/objects')).json()) as { objects: Listed[] }).objects;
    setObjects(listed);
    emit('listed', { keys: listed.map((o) => o.key) });
  }, []);
  const remove = async (key: string) => {
    try {
      const { url } = await callHandler({ url: API }, 'delete', { key });
      await deleteFile(url);
      emit('deleted', { key });
    } catch (error) {
      alert(`Could not delete: ${explain(error)}`);
    }
    await refresh();
  };

  useEffect(() => {
    void (async () => {
      setConfig((await (await fetch('/api/config')).json()) as Config);
      await refresh();
      document.body.dataset['ready'] = 'true';
    })();
  }, [refresh]);
  // The listing follows the uploads that complete.
  const done = uploads.filter((u) => u.status === 'done').length;
  useEffect(() => void (done && refresh()), [done, refresh]);

  return (
    <>
      <header className="bar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ⚡
          </span>{' '}
          cloudspark <span className="muted">direct uploads</span>
        </div>
        <div className="where" id="where">
          {config ? `bucket ${config.bucket} · ${config.endpoint}` : 'connecting…'}
        </div>
      </header>
      <main>
        <section className="card">
          <h1>Upload files</h1>
          <p className="muted">
            Files go from this page straight to the bucket with presigned requests; this server never sees their bytes.
            Big files are sent in parts, several at a time: reload the page in the middle of one, choose the same file
            again, and it goes on from the parts already stored.{' '}
            <span id="limits">
              {config &&
                `Up to ${bytes(config.maxSize)} per file${config.allowedTypes ? `; ${config.allowedTypes.join(', ')}` : ''}.`}
            </span>
          </p>
          <div className={`drop${dragging ? ' over' : ''}`} id="drop" {...rootProps}>
            <input id="file-input" {...inputProps} />
            <strong>Choose files</strong> or drop them here
          </div>
          <ul className="uploads" id="uploads" aria-live="polite">
            {[...uploads].reverse().map((u) => (
              <UploadRow
                key={u.id}
                entry={u}
                multipartFrom={multipartFrom}
                onCancel={() => cancel(u.id)}
                onRetry={() => void retry(u.id)}
              />
            ))}
          </ul>
        </section>
        <section className="card">
          <div className="card-head">
            <h2>In the bucket</h2>
            <button type="button" className="ghost" id="refresh" onClick={() => void refresh()}>
              Refresh
            </button>
          </div>
          <Objects objects={objects} onDelete={remove} />
        </section>
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
