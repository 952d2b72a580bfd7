// API Extractor (@microsoft/api-extractor), run by scripts/build.mjs on tsc's declarations of each
// entry point. It writes two files per entry point:
// - the bundled declarations, all of the entry point's types in one .d.ts (dist/{esm,cjs});
// - the API report (.tmp/api/<report>.api.md), which scripts/api.mjs compares with the one
//   checked in under api/ (`npm run api:check`) or copies there (`npm run api:update`).
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import apiExtractor from '@microsoft/api-extractor';

const { Extractor, ExtractorConfig, ExtractorLogLevel } = apiExtractor;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The package's entry points: name, `exports` subpath, tsc's declaration file for it (below the
 * declaration folder), the bundled file's name in dist/esm and dist/cjs (`<out>.d.ts`, beside
 * `<out>.js`) and the API report's (api/<report>.api.md). `cloudspark` comes first: the others
 * import its types (see scripts/build.mjs); cloudspark/react comes after cloudspark/browser, whose
 * types it imports.
 */
export const API_ENTRIES = [
  { name: 'cloudspark', subpath: '.', dts: 'index.d.ts', out: 'index', report: 'cloudspark' },
  {
    name: 'cloudspark/server',
    subpath: './server',
    dts: 'server/index.d.ts',
    out: 'server',
    report: 'cloudspark-server',
  },
  {
    name: 'cloudspark/browser',
    subpath: './browser',
    dts: 'browser/index.d.ts',
    out: 'browser',
    report: 'cloudspark-browser',
  },
  {
    name: 'cloudspark/browser/resume',
    subpath: './browser/resume',
    dts: 'browser/persist.d.ts',
    out: 'browser-resume',
    report: 'cloudspark-browser-resume',
  },
  { name: 'cloudspark/react', subpath: './react', dts: 'react/index.d.ts', out: 'react', report: 'cloudspark-react' },
];

/** The reports the last build made; api/ holds the reviewed ones. */
export const BUILT_REPORTS = join(root, '.tmp/api');
export const CHECKED_IN_REPORTS = join(root, 'api');

// The compiler options of tsconfig.json that matter for reading declarations.
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
const { target, module, moduleResolution, lib, strict, esModuleInterop, types } = compilerOptions;

/**
 * Runs API Extractor on `entry` (a .d.ts file): the bundled declarations go to `rollupTo`, the API
 * report to BUILT_REPORTS/<report>.api.md. Prints errors only (what the public surface lacks shows
 * in the report) and returns false when there was one.
 */
export function extract({ entry, rollupTo, report }) {
  mkdirSync(BUILT_REPORTS, { recursive: true });
  const config = ExtractorConfig.prepare({
    configObjectFullPath: undefined,
    packageJsonFullPath: join(root, 'package.json'),
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: entry,
      newlineKind: 'lf',
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target,
            module,
            moduleResolution,
            lib,
            strict,
            esModuleInterop,
            types,
            skipLibCheck: true,
          },
          files: [entry],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: `${report}.api.md`,
        // A "local build" that copies its report to BUILT_REPORTS: api/ is never written here.
        reportFolder: BUILT_REPORTS,
        reportTempFolder: join(root, '.tmp/api-extractor'),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: true, untrimmedFilePath: rollupTo },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'error' } },
        extractorMessageReporting: {
          default: { logLevel: 'warning', addToApiReportFile: true },
          // No @public/@beta/@alpha tags here: everything exported is public.
          'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
          // The report marks each member without a TSDoc comment `(undocumented)` anyway; this
          // message would add a list with line numbers, which change with every unrelated edit.
          'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
        },
        tsdocMessageReporting: { default: { logLevel: 'warning', addToApiReportFile: true } },
      },
    },
  });
  const result = Extractor.invoke(config, {
    localBuild: true,
    messageCallback(message) {
      if (message.logLevel !== ExtractorLogLevel.Error) message.logLevel = ExtractorLogLevel.None;
    },
  });
  return result.succeeded;
}
