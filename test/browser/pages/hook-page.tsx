/**
 * A page built with cloudspark/react for test/browser/hook.test.ts: one `useUpload` per route of
 * a handler with two named routes (typed from the handler's type, as an app writes it), each with
 * a `useDropzone` input, its files listed with their status, progress and result. Every render of
 * a row is logged on `window.__renders` (time, status, percent), for the test to see what the
 * user saw and how often it was redrawn.
 */
import { useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import type { UploadHandler } from '../../../src/server/index.js';
import { useDropzone, useUpload, type FileUpload } from '../../../src/react/index.js';

/** The handler's type, as `typeof handler` gives it on the server: its route names, nothing else. */
type Uploads = UploadHandler<'avatars' | 'documents'>;

export interface Render {
  t: number;
  route: string;
  name: string;
  status: string;
  percent: number;
}
const renders: Render[] = ((window as unknown as { __renders: Render[] }).__renders = []);

function Row({ route, entry, cancel }: { route: string; entry: FileUpload; cancel(): void }) {
  const { file, status, percent, result, error } = entry;
  useEffect(
    () => void renders.push({ t: performance.now(), route, name: file.name, status, percent }),
    [route, file.name, status, percent],
  );
  return (
    <li data-name={file.name} data-status={status}>
      <span className="name">{file.name}</span> <span className="status">{status}</span>{' '}
      <span className="percent">{percent}%</span> {result && <span className="key">{result.key}</span>}
      {error && <span className="code">{error.code}</span>}
      <button type="button" className="cancel" onClick={cancel}>
        Cancel
      </button>
    </li>
  );
}

function Route({ route }: { route: 'avatars' | 'documents' }) {
  // 5 MiB parts, 2 at a time: a 24 MiB document is multipart, and slow enough to cancel.
  // `?maxFiles=N` in the page's URL: files uploading at once.
  const maxFiles = Number(new URLSearchParams(location.search).get('maxFiles')) || undefined;
  const { upload, uploads, cancel } = useUpload<Uploads>({
    api: '/api/uploads',
    route,
    partSize: 5 * 1024 * 1024,
    concurrency: 2,
    maxFiles,
  });
  const { rootProps, inputProps } = useDropzone((files) => void upload(files));
  return (
    <section id={route}>
      <div className="drop" {...rootProps}>
        <input id={`${route}-input`} {...inputProps} />
        Drop {route} here
      </div>
      <ul>
        {uploads.map((u) => (
          <Row key={u.id} route={route} entry={u} cancel={() => cancel(u.id)} />
        ))}
      </ul>
    </section>
  );
}

createRoot(document.getElementById('root')!).render(
  <>
    <Route route="avatars" />
    <Route route="documents" />
  </>,
);
document.body.dataset['ready'] = 'true';
