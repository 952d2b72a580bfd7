/**
 * Compile-time check, run by `npm run typecheck`: the README's React example ("In React"), as
 * written there but for the handler's import, compiles against cloudspark/react.
 */
import type { S3Connection } from '../../src/index.js';
import type { createUploadHandler } from '../../src/server/index.js';
import { useUpload, useDropzone } from '../../src/react/index.js';

declare const connection: S3Connection;
declare const make: typeof createUploadHandler;
const handler = make({ connection, routes: { avatars: { rules: { maxSize: 5_000_000, allowedTypes: ['image/*'] } } } });

export function Avatars() {
  const { upload, uploads, cancel, retry } = useUpload<typeof handler>({ api: '/api/uploads', route: 'avatars', maxFiles: 2 });
  const { rootProps, inputProps, dragging } = useDropzone(upload, { accept: 'image/*' });
  return (
    <div {...rootProps} className={dragging ? 'drop over' : 'drop'}>
      <input {...inputProps} /> Drop images here, or click
      <ul>{uploads.map((u) => (
        <li key={u.id}>
          {u.file.name}: {u.status} {u.percent}% {u.result?.key} {u.error?.code}
          {(u.status === 'queued' || u.status === 'uploading') && <button onClick={() => cancel(u.id)}>Cancel</button>}
          {u.error?.code === 'NETWORK' && <button onClick={() => retry(u.id)}>Retry</button>}
        </li>
      ))}</ul>
    </div>
  );
}
