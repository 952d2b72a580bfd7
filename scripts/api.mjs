#!/usr/bin/env node
// The public API's reports (api/<entry>.api.md, made by API Extractor in `npm run build`):
//   node scripts/api.mjs check   (npm run api:check)   fails when the built API differs from api/
//   node scripts/api.mjs update  (npm run api:update)  copies the built reports to api/
//   node scripts/api.mjs lint                          lists exported members without a TSDoc
//                                                      comment, and object types written inline
//                                                      in public signatures (does not fail)
// Each builds first when dist/ is older than the sources.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { API_ENTRIES, BUILT_REPORTS, CHECKED_IN_REPORTS } from './api-extractor.mjs';
import { buildIfStale } from './build-if-stale.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const command = process.argv[2];
if (!['check', 'update', 'lint'].includes(command)) {
  console.error('usage: node scripts/api.mjs check|update|lint');
  process.exit(2);
}
buildIfStale(`for api:${command}`);

const read = (file) => (existsSync(file) ? readFileSync(file, 'utf8').replace(/\r\n/g, '\n') : undefined);
const short = (file) => relative(root, file);

if (command === 'update') {
  mkdirSync(CHECKED_IN_REPORTS, { recursive: true });
  for (const { report } of API_ENTRIES) {
    const built = join(BUILT_REPORTS, `${report}.api.md`);
    const checkedIn = join(CHECKED_IN_REPORTS, `${report}.api.md`);
    const changed = read(built) !== read(checkedIn);
    if (changed) copyFileSync(built, checkedIn);
    console.log(`${short(checkedIn)}: ${changed ? 'updated' : 'unchanged'}`);
  }
} else if (command === 'check') {
  let same = true;
  for (const { name, report } of API_ENTRIES) {
    const built = join(BUILT_REPORTS, `${report}.api.md`);
    const checkedIn = join(CHECKED_IN_REPORTS, `${report}.api.md`);
    if (read(built) === read(checkedIn)) {
      console.log(`${name}: the public API matches ${short(checkedIn)}`);
      continue;
    }
    same = false;
    console.log(
      `${name}: the public API differs from ${short(checkedIn)}${existsSync(checkedIn) ? '' : ' (missing)'}:`,
    );
    const diff = spawnSync(
      'diff',
      ['-u', '--label', short(checkedIn), '--label', 'built', existsSync(checkedIn) ? checkedIn : '/dev/null', built],
      { encoding: 'utf8' },
    );
    process.stdout.write(diff.stdout || `(no diff tool: compare ${short(built)} with ${short(checkedIn)})\n`);
  }
  if (!same) {
    console.error(
      '\napi:check: the public API changed. If that is intended, run `npm run api:update` and commit api/ with the change.',
    );
    process.exit(1);
  }
} else {
  lint();
}

/** Prints, per entry point, what its report marks `(undocumented)` and the inline object types of its .d.ts. */
function lint() {
  for (const { name, report, out } of API_ENTRIES) {
    const undocumented = undocumentedIn(read(join(BUILT_REPORTS, `${report}.api.md`)));
    const inline = inlineTypesIn(join(root, 'dist/esm', `${out}.d.ts`));
    console.log(`\n# ${name}: ${undocumented.length} undocumented, ${inline.length} inline object types`);
    for (const member of undocumented) console.log(`undocumented: ${member}`);
    for (const where of inline) console.log(`inline type:  ${where}`);
  }
}

/** `Owner.member` (or `name`) for each declaration an API Extractor report marks `(undocumented)`. */
function undocumentedIn(text) {
  const found = [];
  const lines = text.split('\n');
  const owners = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const depth = line.length - line.trimStart().length;
    while (owners.length && owners.at(-1).depth >= depth && line.trim()) owners.pop();
    const declared =
      /^\s*(?:export )?(?:declare )?(?:abstract )?(?:class|interface|type|function|const|enum|namespace) (\w+)/.exec(
        line,
      );
    if (declared && /[{]\s*$/.test(line)) owners.push({ name: declared[1], depth });
    if (!/\(undocumented\)/.test(line)) continue;
    // The marked declaration is the next line that is not a comment.
    let j = i + 1;
    while (j < lines.length && /^\s*\/\//.test(lines[j])) j++;
    const target = lines[j] ?? '';
    const top =
      /^(?:export )?(?:declare )?(?:abstract )?(?:class|interface|type|function|const|enum|namespace) (\w+)/.exec(
        target,
      );
    if (top) found.push(top[1]);
    else {
      const member = /^\s*(?:static |readonly |get |set |protected )*(\w+|constructor)/.exec(target);
      const owner = owners.at(-1)?.name;
      found.push(`${owner ? `${owner}.` : ''}${member?.[1] ?? target.trim()}`);
    }
  }
  return found;
}

/** `Owner.member(param)` / `Owner.member(): return` for each object type literal in a parameter or return type. */
function inlineTypesIn(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found = [];
  const hasLiteral = (node) => {
    if (!node) return false;
    if (ts.isTypeLiteralNode(node) || ts.isMappedTypeNode(node)) return true;
    // A function type's own parameters and return are signatures of their own (checked below).
    if (ts.isFunctionTypeNode(node)) return false;
    return ts.forEachChild(node, (child) => (hasLiteral(child) ? true : undefined)) ?? false;
  };
  const signature = (owner, node) => {
    const name = node.name ? node.name.getText(source) : ts.isConstructorDeclaration(node) ? 'constructor' : '(call)';
    const where = `${owner ? `${owner}.` : ''}${name}`;
    for (const p of node.parameters ?? []) if (hasLiteral(p.type)) found.push(`${where}(${p.name.getText(source)})`);
    if (hasLiteral(node.type)) found.push(`${where}(): return`);
    // Callbacks in options: `onProgress?: (progress: { ... }) => void`.
    const visitFunctionTypes = (type, label) => {
      if (!type) return;
      if (ts.isFunctionTypeNode(type)) {
        for (const p of type.parameters)
          if (hasLiteral(p.type)) found.push(`${label} callback (${p.name.getText(source)})`);
        if (hasLiteral(type.type)) found.push(`${label} callback: return`);
      }
      ts.forEachChild(type, (child) => visitFunctionTypes(child, label));
    };
    for (const p of node.parameters ?? []) visitFunctionTypes(p.type, `${where}(${p.name.getText(source)})`);
    visitFunctionTypes(node.type, `${where}(): return`);
  };
  const visit = (node, owner) => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isMethodSignature(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isCallSignatureDeclaration(node)
    ) {
      signature(owner, node);
      return;
    }
    if (ts.isPropertySignature(node) || ts.isPropertyDeclaration(node)) {
      // A callback option is a signature too.
      if (node.type && ts.isFunctionTypeNode(node.type))
        signature(owner, { ...node, name: node.name, parameters: node.type.parameters, type: node.type.type });
      return;
    }
    if (ts.isTypeAliasDeclaration(node) && ts.isFunctionTypeNode(node.type)) {
      signature(undefined, { name: node.name, parameters: node.type.parameters, type: node.type.type });
      return;
    }
    const name = ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node) ? node.name?.text : owner;
    ts.forEachChild(node, (child) => visit(child, name));
  };
  visit(source, undefined);
  return found;
}
