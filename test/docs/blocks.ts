/**
 * The code blocks of the project's Markdown (README.md, CONTRIBUTING.md, docs/*.md), for the docs
 * tier: each one as written, where it is, and what its info string says of it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/fixtures.js';

export interface Block {
  /** The page, relative to the repository. */
  page: string;
  /** Line of the page where the code starts (after the fence). */
  line: number;
  /** The info string's first word: `ts`, `tsx`, `console`, `sh`, ... */
  lang: string;
  /** The info string's other words, e.g. `run`: a block the docs tier runs against RGW. */
  flags: string[];
  code: string;
}

/** The Markdown pages a user reads. */
export function pages(): string[] {
  return ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
}

export function blocksOf(page: string): Block[] {
  const lines = readFileSync(join(repoRoot, page), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S+)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    blocks.push({ page, line: start + 1, lang: open[1]!, flags: open[2]!.trim().split(/\s+/).filter(Boolean), code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

export const allBlocks = (): Block[] => pages().flatMap(blocksOf);
