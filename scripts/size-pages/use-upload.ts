/**
 * For `npm run size`: a React page's cloudspark half when it uses `useUpload`, with what it pulls
 * in: the browser module's functions and the resume store (its default). React is left out.
 */
export { useUpload } from '../../src/react/index.js';
