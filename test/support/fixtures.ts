import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', name), 'utf8')) as T;
}

/** The project's shared copy of the AWS vectors, when the checkout sits beside it (as in CI). */
export const sharedVectorsPath = join(repoRoot, '..', 'shared', 'conformance', 'sigv4-s3-vectors.json');
export const sharedVectorsPresent = (): boolean => existsSync(sharedVectorsPath);
