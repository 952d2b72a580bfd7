/**
 * `npm run size:compare`: what a React page pays for its upload hook, cloudspark/react against
 * the libraries web teams compare it with, each at a pinned version installed from the npm
 * registry into a temporary folder (none of them is a dependency of this project). Each page
 * exports the hook as an app would import it, and is bundled as `npm run size` bundles
 * (scripts/browser-bundle.ts: esbuild, minified, ES2020, gzip level 9, `process.env.NODE_ENV`
 * "production"), with React left out: the page has it anyway. Prints a Markdown table. Measures bytes only: no timing, nothing runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage } from './browser-bundle.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = {
  uploadthing: '7.7.4',
  '@uploadthing/react': '7.3.3',
  '@better-upload/client': '3.0.19',
  pushduck: '0.2.1',
  '@uppy/core': '6.3.1',
  '@uppy/aws-s3': '6.3.1',
  '@uppy/golden-retriever': '6.0.0',
  '@uppy/react': '6.1.1',
  react: '19.3.1',
  'react-dom': '19.3.1',
};
const REACT = ['react', 'react-dom', 'react/jsx-runtime'];

/** Each page: what it is, and its source (in the temporary folder, so that packages resolve there). */
const PAGES: Array<[label: string, source: string]> = [
  [
    'cloudspark/react `useUpload` (resume store included)',
    `export { useUpload } from ${JSON.stringify(join(root, 'src/react/index.ts'))};`,
  ],
  [
    'cloudspark/react `useUpload` + `useDropzone`',
    `export { useUpload, useDropzone } from ${JSON.stringify(join(root, 'src/react/index.ts'))};`,
  ],
  [
    'UploadThing `useUploadThing` (@uploadthing/react 7.3.3)',
    `import { generateReactHelpers } from '@uploadthing/react';\nexport const { useUploadThing } = generateReactHelpers({ url: '/api/uploadthing' });`,
  ],
  [
    'UploadThing `useUploadThing` + `useDropzone`',
    `import { generateReactHelpers, useDropzone } from '@uploadthing/react';\nexport const { useUploadThing } = generateReactHelpers({ url: '/api/uploadthing' });\nexport { useDropzone };`,
  ],
  [
    'better-upload `useUploadFiles` (@better-upload/client 3.0.19)',
    `export { useUploadFiles } from '@better-upload/client';`,
  ],
  ['pushduck `useUploadRoute` (pushduck 0.2.1)', `export { useUploadRoute } from 'pushduck/client';`],
  [
    'Uppy 6.3 core + aws-s3 (multipart) + `useUppyState`',
    `import Uppy from '@uppy/core';\nimport AwsS3 from '@uppy/aws-s3';\nexport { useUppyState } from '@uppy/react';\nexport const make = () => new Uppy().use(AwsS3, { endpoint: '/companion', shouldUseMultipart: true });`,
  ],
  [
    'Uppy 6.3 core + aws-s3 + Golden Retriever (resume) + `useUppyState`',
    `import Uppy from '@uppy/core';\nimport AwsS3 from '@uppy/aws-s3';\nimport GoldenRetriever from '@uppy/golden-retriever';\nexport { useUppyState } from '@uppy/react';\nexport const make = () => new Uppy().use(AwsS3, { endpoint: '/companion', shouldUseMultipart: true }).use(GoldenRetriever);`,
  ],
];

const work = mkdtempSync(join(tmpdir(), 'cloudspark-compare-'));
try {
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'compare', private: true, type: 'module' }));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(
    npm,
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
      ...Object.entries(PACKAGES).map(([name, version]) => `${name}@${version}`),
    ],
    { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  console.log('| page (React left out) | min | min+gzip |\n|---|---:|---:|');
  for (const [i, [label, source]] of PAGES.entries()) {
    const entry = join(work, `page-${i}.mjs`);
    writeFileSync(entry, `${source}\n`);
    // A production build, as an app ships it: code for development only is dropped.
    const { minified, gzip } = await bundlePage(entry, REACT, { 'process.env.NODE_ENV': '"production"' });
    console.log(`| ${label} | ${minified} | ${gzip} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
