#!/usr/bin/env node
// Tests at mirrored paths: every module under src/ with logic (a function, method or class body;
// barrels and type-only modules have none) has test/<same path>.test.ts, or an entry in ALLOWED
// below saying which tests check it instead. Fails (exit 1) on a module with neither, on an entry
// whose module now has a mirrored test or no longer exists, and on an entry naming a test file that
// does not exist. `--list` prints every module with its status.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Modules checked by tests elsewhere, each with the tests that do: where a mirrored test makes no sense
 * (the executable entry, the binding to the process, a GPU kernel tested through its runner). A module
 * that gets a mirrored test loses its entry.
 */
const ALLOWED = new Map([
  [
    'src/cli/bin.ts',
    'the executable entry (argv → runCli → exit code), run as a process by test/cli/outputs.test.ts and test/package/pack.test.ts',
  ],
  [
    'src/cli/context.ts',
    'binds the CLI to the process (stdout, stderr, the progress bar); tests use test/helpers/cli.ts in its place',
  ],
  [
    'src/linalg/webgpu/ntProduct.ts',
    'a WebGPU kernel, checked against the float64 reference by test/linalg/webgpu/backend.test.ts',
  ],
]);

const FUNCTION_KINDS = new Set([
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
]);

/** True when the module defines code that runs: a function, method, accessor or constructor. */
export function hasLogic(path, text) {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  let found = false;
  const visit = (node) => {
    if (found) return;
    if (FUNCTION_KINDS.has(node.kind)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The test path that mirrors a source path: src/a/b.ts → test/a/b.test.ts. */
export function mirrorOf(srcPath) {
  return srcPath.replace(/^src\//, 'test/').replace(/\.ts$/, '.test.ts');
}

function walk(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`],
  );
}

function main() {
  const modules = walk('src')
    .filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))
    .sort()
    .filter((p) => hasLogic(p, readFileSync(join(root, p), 'utf8')));
  const problems = [];
  const rows = [];
  let mirrored = 0;
  for (const p of modules) {
    const has = existsSync(join(root, mirrorOf(p)));
    const reason = ALLOWED.get(p);
    if (has) mirrored++;
    if (has && reason !== undefined) problems.push(`${p}: has ${mirrorOf(p)} now; remove its ALLOWED entry`);
    if (!has && reason === undefined) problems.push(`${p}: no ${mirrorOf(p)} and no ALLOWED entry`);
    rows.push(
      `${has ? 'mirrored ' : reason !== undefined ? 'allowed  ' : 'MISSING  '} ${p}${reason ? ` (${reason})` : ''}`,
    );
  }
  const withLogic = new Set(modules);
  for (const [p, reason] of ALLOWED) {
    if (!withLogic.has(p)) problems.push(`${p}: in ALLOWED but not a module with logic (moved or deleted?)`);
    for (const t of reason.match(/test\/[\w./-]+\.test\.ts/g) ?? []) {
      if (!existsSync(join(root, t))) problems.push(`${p}: ALLOWED names ${t}, which does not exist`);
    }
  }
  if (process.argv.includes('--list')) console.log(rows.join('\n'));
  for (const m of problems) console.error(m);
  console.error(
    `test mirror: ${modules.length} modules with logic, ${mirrored} with a mirrored test, ${ALLOWED.size} allowed, ${problems.length} problems`,
  );
  return problems.length > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();
