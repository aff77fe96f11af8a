import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';

// The one-way layer order of docs/architecture.md: a module may import its own folder or a folder
// to its left, never one to its right; analysis and completion are siblings and import neither.
const ORDER = ['util', 'matrix', 'io', 'linalg', 'analysis|completion', 'replay', 'methods', 'viz', 'report', 'cli'];
const SRC = resolve('src');

function rankOf(folder: string): number {
  return ORDER.findIndex((layer) => layer.split('|').includes(folder));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The imports of `files` (below `root`) that break the order, as `file imports spec`. */
function upwardImports(root: string, files: string[]): string[] {
  const bad: string[] = [];
  for (const file of files) {
    const from = relative(root, file).split(sep)[0] ?? '';
    if (rankOf(from) < 0) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(/from\s+'(\.[^']+)'/g)) {
      const target = relative(root, resolve(dirname(file), match[1] ?? '')).split(sep)[0] ?? '';
      const rank = rankOf(target);
      if (rank < 0) continue;
      if (rank > rankOf(from) || (rank === rankOf(from) && target !== from))
        bad.push(`${relative(root, file)} imports ${match[1]}`);
    }
  }
  return bad;
}

describe('layers', () => {
  test('no module imports a higher or sibling layer', () => {
    expect(upwardImports(SRC, sourceFiles(SRC))).toEqual([]);
  });

  test('the check reports sibling and upward imports, and only those', () => {
    const root = mkdtempSync(join(tmpdir(), 'layers-'));
    try {
      const files: Record<string, string> = {
        'completion/a.ts': "import { x } from '../analysis/x.js';\n", // sibling: reported
        'linalg/b.ts': "import { y } from '../replay/y.js';\n", // upward: reported
        'replay/c.ts': "import { z } from '../linalg/z.js';\nimport { w } from './w.js';\n", // fine
      };
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(join(root, dirname(name)), { recursive: true });
        writeFileSync(join(root, name), text);
      }
      expect(upwardImports(root, sourceFiles(root)).sort()).toEqual([
        `completion${sep}a.ts imports ../analysis/x.js`,
        `linalg${sep}b.ts imports ../replay/y.js`,
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
