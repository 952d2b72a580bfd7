/**
 * The demo page: choose or drop files, watch each upload, cancel or retry it, then download or
 * delete what is in the bucket. Uploads go through `cloudspark/browser`; every step is announced
 * as a `cloudspark:*` event on document (the browser tests listen to them).
 */
import { upload, uploadFile, uploadMultipart, deleteFile, UploadError, type BrowserUploadProgress } from '../../src/browser/index.js';
import { callHandler } from '../../src/browser/api.js';

// The browser module, to try from the developer console.
Object.assign(window, { cloudspark: { upload, uploadFile, uploadMultipart, deleteFile, UploadError } });

interface Config { bucket: string; endpoint: string; maxSize: number; allowedTypes?: string[]; multipartFrom: number }
interface Listed { key: string; size: number; lastModified?: string; url: string }

const API = '/api/uploads';
const $ = <T extends Element>(selector: string, root: ParentNode = document) => root.querySelector(selector) as T;
const emit = (name: string, detail: unknown) => document.dispatchEvent(new CustomEvent(`cloudspark:${name}`, { detail }));

const units = ['B', 'KB', 'MB', 'GB', 'TB'];
function bytes(n: number): string {
  let i = 0;
  while (n >= 1000 && i < units.length - 1) (n /= 1000), i++;
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
      return 'Damaged on the way: the bytes that reached the storage were not the file\'s, on every try. Nothing was kept.';
    default:
      return error.message;
  }
}

let config: Config;

function addUpload(file: File): void {
  const row = ($<HTMLTemplateElement>('#upload-row').content.firstElementChild!.cloneNode(true)) as HTMLLIElement;
  row.dataset['name'] = file.name;
  $('.name', row).textContent = file.name;
  $('.size', row).textContent = bytes(file.size);
  $('#uploads').prepend(row);
  const status = $('.status', row);
  const cancel = $<HTMLButtonElement>('.cancel', row);
  const retry = $<HTMLButtonElement>('.retry', row);

  const run = async () => {
    const controller = new AbortController();
    cancel.onclick = () => controller.abort();
    cancel.hidden = false;
    retry.hidden = true;
    row.className = 'upload is-running';
    status.textContent = file.size >= config.multipartFrom ? 'Uploading in parts…' : 'Uploading…';
    $('.detail', row).textContent = '';
    const show = (p: BrowserUploadProgress) => {
      $<HTMLElement>('.fill', row).style.width = `${p.percent}%`;
      $('.percent', row).textContent = `${p.percent}%`;
      $('.detail', row).textContent = `${bytes(p.loaded)} of ${bytes(p.total)}`;
      emit('progress', { name: file.name, ...p });
    };
    try {
      const done = await upload(file, { api: API, multipartFrom: config.multipartFrom, signal: controller.signal, onProgress: show });
      row.className = 'upload is-done';
      status.textContent = 'Uploaded';
      row.dataset['key'] = done.key;
      emit('uploaded', { name: file.name, ...done });
      void refresh();
    } catch (error) {
      const code = error instanceof UploadError ? error.code : 'ERROR';
      row.className = `upload ${code === 'ABORTED' ? 'is-cancelled' : 'is-error'}`;
      status.textContent = code === 'ABORTED' ? 'Cancelled' : 'Failed';
      $('.detail', row).textContent = explain(error);
      retry.hidden = code !== 'NETWORK';
      emit('failed', { name: file.name, code, message: explain(error) });
    } finally {
      cancel.hidden = true;
    }
  };
  retry.onclick = () => void run();
  void run();
}

async function refresh(): Promise<void> {
  const { objects } = (await (await fetch('/api/objects')).json()) as { objects: Listed[] };
  const body = $('#objects');
  body.replaceChildren();
  if (objects.length === 0) body.innerHTML = '<tr class="empty"><td colspan="4">Nothing yet.</td></tr>';
  for (const o of objects) {
    const tr = document.createElement('tr');
    tr.dataset['key'] = o.key;
    const name = o.key.slice(o.key.lastIndexOf('/') + 1);
    tr.innerHTML = `<td><span class="file"></span><span class="key"></span></td><td class="num"></td><td></td>
      <td class="actions"><a class="download">Download</a><button type="button" class="delete ghost danger">Delete</button></td>`;
    $('.file', tr).textContent = name;
    $('.key', tr).textContent = o.key;
    tr.children[1]!.textContent = bytes(o.size);
    tr.children[2]!.textContent = o.lastModified ? new Date(o.lastModified).toLocaleString() : '';
    const link = $<HTMLAnchorElement>('.download', tr);
    link.href = o.url;
    link.download = name;
    $<HTMLButtonElement>('.delete', tr).onclick = () => void remove(o.key, tr);
    body.append(tr);
  }
  emit('listed', { keys: objects.map((o) => o.key) });
}

async function remove(key: string, tr: HTMLElement): Promise<void> {
  tr.style.opacity = '0.5';
  try {
    const { url } = await callHandler<{ url: string }>({ url: API }, 'delete', { key });
    await deleteFile(url);
    emit('deleted', { key });
  } catch (error) {
    tr.style.opacity = '';
    alert(`Could not delete: ${explain(error)}`);
  }
  await refresh();
}

async function main(): Promise<void> {
  config = (await (await fetch('/api/config')).json()) as Config;
  $('#where').textContent = `bucket ${config.bucket} · ${config.endpoint}`;
  $('#limits').textContent = `Up to ${bytes(config.maxSize)} per file${config.allowedTypes ? `; ${config.allowedTypes.join(', ')}` : ''}.`;
  const input = $<HTMLInputElement>('#file-input');
  input.onchange = () => {
    for (const file of input.files ?? []) addUpload(file);
    input.value = '';
  };
  const drop = $<HTMLElement>('#drop');
  drop.ondragover = (e) => (e.preventDefault(), drop.classList.add('over'));
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    for (const file of e.dataTransfer?.files ?? []) addUpload(file);
  };
  $<HTMLButtonElement>('#refresh').onclick = () => void refresh();
  await refresh();
  document.body.dataset['ready'] = 'true';
}

void main();
