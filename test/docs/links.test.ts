/** Every link between the docs leads somewhere: a file of the repository, and a heading of it when it names one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { repoRoot } from '../support/fixtures.js';
import { pages } from './blocks.js';

/** GitHub's anchor of a heading. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

/** The page's lines outside code blocks. */
function prose(page: string): Array<{ line: number; text: string }> {
  let code = false;
  return readFileSync(join(repoRoot, page), 'utf8')
    .split('\n')
    .map((text, i) => ({ line: i + 1, text }))
    .filter(({ text }) => {
      if (text.startsWith('```')) code = !code;
      return !code && !text.startsWith('```');
    });
}

const anchorsOf = (page: string) => new Set(prose(page).flatMap(({ text }) => (/^#{1,6} (.*)$/.exec(text) ? [slug(/^#{1,6} (.*)$/.exec(text)![1]!)] : [])));

test('every relative link of README.md, CONTRIBUTING.md, CHANGELOG.md and docs/ leads to a file, and to a heading of it', () => {
  const broken: string[] = [];
  for (const page of [...pages(), 'CHANGELOG.md']) {
    for (const { line, text } of prose(page)) {
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file, anchor] = target!.split('#') as [string, string | undefined];
        const path = file ? normalize(join(dirname(page), file)) : page;
        if (!existsSync(join(repoRoot, path))) broken.push(`${page}:${line}: ${target} (no such file)`);
        else if (anchor && path.endsWith('.md') && !anchorsOf(path).has(anchor)) broken.push(`${page}:${line}: ${target} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test('the README is a landing page: at most 300 lines, the two commands, and a link to every page of docs/', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  assert.ok(readme.split('\n').length <= 300, `${readme.split('\n').length} lines`);
  assert.match(readme, /npm install && npm start/);
  assert.match(readme, /npm install && npm test/);
  for (const page of pages().filter((p) => p.startsWith('docs/'))) assert.ok(readme.includes(`](${page})`), `README links ${page}`);
});
