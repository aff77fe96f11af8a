/**
 * Runs every code example of the docs that is marked `runnable` (see docs/CONTRIBUTING.md, "Code
 * examples in the docs"): TypeScript/JavaScript blocks with Node against the built package
 * (`import … from 'forgetscope'` resolves to dist/), shell blocks with bash (`forgetscope` on PATH is
 * the built CLI, `fixtures/` is the repository's), Python blocks with python3 (the harness in python/
 * importable, its CLI calls going to the built CLI). The blocks of one Markdown file run in order in
 * one fresh folder, so a later block can use a file an earlier one wrote. In the guides and the
 * results page every code block must be marked `runnable` or `norun`.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { transformSync } from '@swc/core';
import { CODE_LANGS, codeBlocks, type CodeBlock } from './markdown.js';

const root = resolve('.');
/** Per block: generous, because CI machines and shared 2-core boxes are slow to import torch. */
const BLOCK_TIMEOUT_MS = 300_000;
const inCi = process.env['CI'] === 'true';

function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (p !== join(root, 'docs', 'api')) out.push(...markdownFiles(p));
    } else if (e.name.endsWith('.md')) out.push(p);
  }
  return out.sort();
}

const docs = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))].filter((p) => existsSync(p));
/** Pages whose every code block must be marked (the rest run what they mark). */
const strict = (p: string): boolean =>
  p.startsWith(join(root, 'docs', 'guides')) || p === join(root, 'docs', 'results.md');

const pythonOk = spawnSync('python3', ['-c', 'import torch, numpy, pyarrow'], { encoding: 'utf8' }).status === 0;

function sandbox(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'forgetscope-docs-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'forgetscope'), 'dir');
  symlinkSync(join(root, 'fixtures'), join(dir, 'fixtures'), 'dir');
  mkdirSync(join(dir, 'bin'));
  const shim = join(dir, 'bin', 'forgetscope');
  writeFileSync(shim, `#!/bin/sh\nexec node ${JSON.stringify(join(root, 'dist', 'cli', 'bin.js'))} "$@"\n`);
  chmodSync(shim, 0o755);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}`,
    PYTHONPATH: [join(root, 'python'), process.env['PYTHONPATH']].filter(Boolean).join(':'),
    FORGETSCOPE_CLI: `node ${join(root, 'dist', 'cli', 'bin.js')}`,
  };
  return { dir, env };
}

function runBlock(
  block: CodeBlock,
  index: number,
  dir: string,
  env: NodeJS.ProcessEnv,
): { status: number | null; output: string } {
  let cmd: string;
  let args: string[];
  if (['ts', 'typescript', 'js', 'javascript'].includes(block.lang)) {
    const js = block.lang.startsWith('t')
      ? transformSync(block.code, {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'es6' },
          isModule: true,
        }).code
      : block.code;
    const file = join(dir, `example-${index}.mjs`);
    writeFileSync(file, js);
    [cmd, args] = ['node', [file]];
  } else if (['sh', 'bash', 'shell'].includes(block.lang)) {
    const file = join(dir, `example-${index}.sh`);
    writeFileSync(file, block.code);
    [cmd, args] = ['bash', ['-euo', 'pipefail', file]];
  } else {
    const file = join(dir, `example-${index}.py`);
    writeFileSync(file, block.code);
    [cmd, args] = ['python3', [file]];
  }
  const r = spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8', timeout: BLOCK_TIMEOUT_MS - 5_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

describe('code examples in the docs', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'cli', 'bin.js')))
      throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  });

  it('every code block of the guides and the results page is marked runnable or norun', () => {
    const unmarked: string[] = [];
    for (const file of docs.filter(strict)) {
      for (const b of codeBlocks(readFileSync(file, 'utf8'))) {
        if (CODE_LANGS.has(b.lang) && !b.flags.includes('runnable') && !b.flags.includes('norun'))
          unmarked.push(`${relative(root, file)}:${b.line}`);
      }
    }
    expect(unmarked).toEqual([]);
  });

  for (const file of docs) {
    const blocks = codeBlocks(readFileSync(file, 'utf8')).filter(
      (b) => CODE_LANGS.has(b.lang) && b.flags.includes('runnable'),
    );
    if (blocks.length === 0) continue;
    describe(relative(root, file), () => {
      let box: { dir: string; env: NodeJS.ProcessEnv };
      beforeAll(() => {
        box = sandbox();
      });
      afterAll(() => rmSync(box.dir, { recursive: true, force: true }));
      blocks.forEach((block, k) => {
        const isPython = block.lang === 'python' || block.lang === 'py';
        const name = `${block.lang} block at line ${block.line} runs`;
        if (isPython && !pythonOk) {
          if (inCi) {
            it(name, () => {
              throw new Error('python3 with torch, numpy and pyarrow is required in CI for the Python examples');
            });
          } else {
            it.skip(`${name} (python3 with torch, numpy, pyarrow not available)`, () => {});
          }
          return;
        }
        it(
          name,
          () => {
            const r = runBlock(block, k, box.dir, box.env);
            if (r.status !== 0)
              throw new Error(`${relative(root, file)}:${block.line} exited with ${r.status}:\n${r.output}`);
          },
          BLOCK_TIMEOUT_MS,
        );
      });
    });
  }
});
