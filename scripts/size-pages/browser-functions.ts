/**
 * For `npm run size`: the browser module's upload functions, without the resume store (the module
 * as it was before cloudspark/react): what the hook's weight is measured against.
 */
export { upload, uploadFile, uploadMultipart, deleteFile, UploadError } from '../../src/browser/index.js';
