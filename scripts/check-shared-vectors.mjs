// CI only: when the workplace's shared folder sits beside this checkout, the committed copy of
// AWS's SigV4 vectors must equal it (a change upstream then shows in this repository's history).
// A clone with nothing beside it has nothing to compare, and the tests never read ../shared.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shared = join(root, '..', 'shared', 'conformance', 'sigv4-s3-vectors.json');
const committed = join(root, 'test', 'fixtures', 'aws-sigv4-s3-vectors.json');

if (!existsSync(shared)) {
  console.log(`no shared vectors at ${shared}: nothing to compare (the tests use the committed copy)`);
} else if (isDeepStrictEqual(JSON.parse(readFileSync(committed, 'utf8')), JSON.parse(readFileSync(shared, 'utf8')))) {
  console.log('test/fixtures/aws-sigv4-s3-vectors.json equals the shared vectors');
} else {
  console.error(
    `test/fixtures/aws-sigv4-s3-vectors.json differs from ${shared}: copy the shared file over it and re-run the unit tier`,
  );
  process.exit(1);
}
