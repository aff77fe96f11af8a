/**
 * Packs the library as `npm pack` would publish it, installs the tarball into a fresh project and uses
 * it there like a user: ESM imports of `forgetscope` and `forgetscope/node`, types under
 * `tsc --noEmit`, and the `forgetscope` CLI through npx. Slow (an npm install), so it is one test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FIXTURE, tempDir } from '../io/helpers.js';

const ROOT = resolve('.');
const { dir, cleanup } = tempDir('forgetscope-pack-');
afterAll(cleanup);

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' },
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${cwd}: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`,
    );
  }
}

test('npm pack → install in a fresh project → import (ESM), type-check, run the CLI', async () => {
  // `npm test` has just built dist/; pack without running `prepare` a second time.
  if (!existsSync(join(ROOT, 'dist', 'cli', 'bin.js'))) run('npm', ['run', 'build'], ROOT);
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const tarball = join(dir, packed[0]!.filename);
  const paths = packed[0]!.files.map((f) => f.path);
  expect(paths).toContain('dist/index.js');
  expect(paths).toContain('dist/index.d.ts');
  expect(paths).toContain('dist/node.js');
  expect(paths).toContain('dist/cli/bin.js');
  expect(paths.some((p) => p.startsWith('src/') || p.startsWith('test/'))).toBe(false);

  const project = join(dir, 'user-project');
  run('mkdir', ['-p', project], dir);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'user-project', version: '1.0.0', private: true, type: 'module' }),
  );
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], project);
  expect(readdirSync(join(project, 'node_modules', 'forgetscope', 'dist')).length).toBeGreaterThan(0);

  writeFileSync(
    join(project, 'use.mjs'),
    `import { ForgettingMatrix, VERSION, readForgettingMatrixFromBytes } from 'forgetscope';
import { readForgettingMatrix } from 'forgetscope/node';
const z = ForgettingMatrix.fromRows([[0.5, -0.25]], { taskIds: ['t'], exampleIds: ['a', 'b'] });
const { matrix, report } = await readForgettingMatrix(process.argv[2]);
const csv = await readForgettingMatrixFromBytes(new TextEncoder().encode('task,example,delta\\nt,a,1.5\\n'));
console.log(JSON.stringify({ version: VERSION, mean: z.summary().mean, shape: matrix.shape, kept: report.kept, csv: csv.matrix.get(0, 0) }));
`,
  );
  const used = JSON.parse(run('node', ['use.mjs', FIXTURE], project)) as Record<string, unknown>;
  expect(used).toMatchObject({ mean: 0.125, shape: [37, 1000], kept: 37000, csv: 1.5 });

  writeFileSync(
    join(project, 'typed.ts'),
    `import { ForgettingMatrix, type ReadReport, type MatrixSummary } from 'forgetscope';
import { readForgettingMatrix, writeTable } from 'forgetscope/node';
const z: ForgettingMatrix = ForgettingMatrix.fromRows([[1, 2]]);
const s: MatrixSummary = z.summary();
export async function load(path: string): Promise<number> {
  const { matrix, report }: { matrix: ForgettingMatrix; report: ReadReport } = await readForgettingMatrix(path, { duplicates: 'mean', dtype: 'float32' });
  await writeTable('out.csv', { columns: { example: [...matrix.exampleIds], n: Float64Array.from([s.mean]) } }, { force: true });
  return report.kept;
}
// @ts-expect-error duplicates only takes 'error' | 'mean' | 'last'
void readForgettingMatrix('x', { duplicates: 'sum' });
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
      },
      files: ['typed.ts'],
    }),
  );
  run('node', [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project);

  const info = JSON.parse(run('npx', ['--no-install', 'forgetscope', 'info', FIXTURE, '--json'], project)) as Record<
    string,
    unknown
  >;
  expect(info).toMatchObject({
    tasks: 37,
    examples: 1000,
    observed: 37000,
    read: { rows: 37000, kept: 37000, dropped: {} },
  });
}, 600_000);
