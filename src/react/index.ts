/**
 * cloudspark/react: `cloudspark/browser` as React hooks. `useUpload` holds each file's upload
 * state for the page to render, and resumes multipart uploads after a page reload;
 * `useDropzone` is a drop target and file picker without styles. React 18 or later.
 *
 * @packageDocumentation
 */
export { useUpload } from './use-upload.js';
export type { FileUpload, UploadStatus, UseUpload, UseUploadOptions } from './use-upload.js';
export { useDropzone } from './dropzone.js';
export type { Dropzone, DropzoneInputProps, DropzoneOptions } from './dropzone.js';
