import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeBlas } from '../../src/linalg/cpu/nodeBlas.js';
import type { BackendDescription } from '../../src/linalg/types.js';
import { readForgettingMatrix } from '../../src/io/node/readForgettingMatrix.js';
import { writeSafetensorsFile } from '../../src/io/node/safetensors.js';
import { runCaptured, argv } from '../helpers/cli.js';

// Every command that multiplies matrices prints what ran: `backendDescription` beside its other keys,
// read after the work, so its product counts are the kernels that really ran for this input.
const FIXTURE = join('fixtures', 'real-dev-v1');
const blas = loadNodeBlas();

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'forgetscope-backend-json-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function json(args: string[]): Promise<{ out: Record<string, any>; err: string }> {
  const r = await runCaptured([...args, '--json']);
  expect(r.code).toBe(0);
  return { out: JSON.parse(r.out) as Record<string, any>, err: r.err };
}

/** The checks every description must pass: cpu on this fixture, and only kernels it routes to ran. */
function checkDescription(d: BackendDescription, requested: string): void {
  expect(d.name).toBe('cpu');
  expect(d.requested).toBe(requested);
  expect(d.kernel).toBe(blas ? 'blas' : d.routes![0]!.kernel);
  const routed = new Set([...d.routes!.map((r) => r.kernel), 'wasm-simd', 'js']);
  const ran = Object.entries(d.products).filter(([, n]) => n! > 0);
  expect(ran.length).toBeGreaterThan(0);
  for (const [k] of ran) expect(routed.has(k as never)).toBe(true);
}

test('analyze --json: backend stays the name, backendDescription says how auto chose and what ran', async () => {
  const { out } = await json(['analyze', FIXTURE, '--ranks', '3']);
  expect(out.backend).toBe('cpu');
  checkDescription(out.backendDescription, 'auto');
  // 37 × 1,000: 37²·1,000 = 1,369,000 multiply–adds, below the crossover
  expect(out.backendDescription.reason).toBe('auto: 1.37e+6 multiply–adds, below the WebGPU crossover of 2e+9');
  const pinned = await json(['analyze', FIXTURE, '--ranks', '3', '--backend', 'cpu']);
  expect(pinned.out.backendDescription.reason).toBe('cpu was asked for');
}, 120_000);

test('predict --json on auto passes the problem size: cpu chosen by size, nothing printed on stderr', async () => {
  const { matrix } = await readForgettingMatrix(FIXTURE);
  const observed = join(tmp, 'observed.csv');
  writeFileSync(
    observed,
    ['example,value', ...[0, 5, 9, 40, 77].map((c) => `${matrix.exampleIds[c]},${matrix.get(3, c)}`)].join('\n') + '\n',
  );
  const { out, err } = await json(
    argv`predict ${FIXTURE} --train-rows 0-2,4-36 --observed ${observed} --method lowrank --out ${join(tmp, 'p.csv')}`,
  );
  expect(err).toBe('');
  checkDescription(out.backendDescription, 'auto');
  // 36 train rows × 1,000 examples
  expect(out.backendDescription.reason).toBe('auto: 1.30e+6 multiply–adds, below the WebGPU crossover of 2e+9');
}, 120_000);

test('replay --json carries backendDescription, auto sized by the train rows', async () => {
  const observed = join(tmp, 'observed-replay.csv');
  writeFileSync(observed, 'example,value\n1000,0.5\n1001,0.2\n1002,0.1\n');
  const { out } = await json(
    argv`replay ${FIXTURE} --train-rows 0-2,4-36 --observed ${observed} --n 1000 --out ${join(tmp, 'plan.csv')}`,
  );
  checkDescription(out.backendDescription, 'auto');
  expect(out.backendDescription.reason).toBe('auto: 1.30e+6 multiply–adds, below the WebGPU crossover of 2e+9');
}, 120_000);

test('report --json carries backendDescription and the HTML names the kernels', async () => {
  const html = join(tmp, 'r.html');
  const { out } = await json(['report', FIXTURE, '--out', html, '--backend', 'cpu', '--ranks', '3']);
  checkDescription(out.backendDescription, 'cpu');
  const page = readFileSync(html, 'utf8');
  expect(page).toMatch(/<dt>kernels<\/dt><dd>cpu \(\d+ threads?\): [^<]*js; chosen: cpu was asked for<\/dd>/);
}, 120_000);

test('evaluate --json sizes auto by the train rows and keeps the backend name', async () => {
  const { out } = await json(
    argv`evaluate ${FIXTURE} --train-rows 0-29 --test-rows 30-32 --methods lowrank --seeds 0 --known 20`,
  );
  expect(out.backend).toBe('cpu');
  checkDescription(out.backendDescription, 'auto');
  // 30 train rows × 1,000 examples: 9e5 multiply–adds
  expect(out.backendDescription.reason).toBe('auto: 9.00e+5 multiply–adds, below the WebGPU crossover of 2e+9');
}, 120_000);

test('subspace --json carries backendDescription beside backend', async () => {
  const w = [3, 1, 0, 1, 2, 0, 0, 0, 1, 1, 0, 1];
  await writeSafetensorsFile(join(tmp, 'w0.safetensors'), [{ name: 'layer.w', shape: [4, 3], data: w }]);
  await writeSafetensorsFile(join(tmp, 'w1.safetensors'), [
    { name: 'layer.w', shape: [4, 3], data: w.map((x, i) => x + (i % 4 === 0 ? 1 : 0)) },
  ]);
  const { out } = await json(
    argv`subspace --before ${join(tmp, 'w0.safetensors')} --after ${join(tmp, 'w1.safetensors')} --k 1`,
  );
  expect(out.backend).toBe('cpu');
  checkDescription(out.backendDescription, 'auto');
  // one 4×3 layer: 4·3·min(4, 3) = 36 multiply–adds
  expect(out.backendDescription.reason).toBe('auto: 3.60e+1 multiply–adds, below the WebGPU crossover of 2e+9');
}, 120_000);

test('lora merge resolves --backend for its factor products and reports it', async () => {
  await writeSafetensorsFile(join(tmp, 'slow.safetensors'), [
    { name: 'm.q.lora_A.weight', shape: [1, 3], data: [1, 0, 1] },
    { name: 'm.q.lora_B.weight', shape: [2, 1], data: [1, 0] },
  ]);
  await writeSafetensorsFile(join(tmp, 'fast.safetensors'), [
    { name: 'm.q.lora_A.weight', shape: [1, 3], data: [0, 2, 1] },
    { name: 'm.q.lora_B.weight', shape: [2, 1], data: [0, 1] },
  ]);
  const { out } = await json(
    argv`lora merge --slow ${join(tmp, 'slow.safetensors')} --fast ${join(tmp, 'fast.safetensors')} --lambda 0.5 --out
      ${join(tmp, 'm.safetensors')}`,
  );
  checkDescription(out.backendDescription, 'auto');
  // one pair, B 2×1 · A 1×3, three times: 18 multiply–adds
  expect(out.backendDescription.reason).toBe('auto: 1.80e+1 multiply–adds, below the WebGPU crossover of 2e+9');
  // by hand: EMA of BA = [.5 0 .5; 0 1 .5], B̄Ā = [.5; .5]·[.5 1 1] = [.25 .5 .5; .25 .5 .5]; ‖difference‖² = 0.625
  expect(out.layers[0].factorMergeError).toBeCloseTo(Math.sqrt(0.625), 12);
  const bad = await runCaptured(
    argv`lora merge --slow ${join(tmp, 'slow.safetensors')} --fast ${join(tmp, 'fast.safetensors')} --lambda 0.5 --out
      ${join(tmp, 'm2.safetensors')} --backend tpu`,
  );
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('--backend must be auto, cpu or webgpu, got "tpu"');
}, 60_000);

// A separate process, because Dawn's adapter messages come from native code straight to fd 2: the built
// CLI (`npm test` builds first) on a small problem with `auto` must leave stderr empty.
const BIN = join('dist', 'cli', 'bin.js');
(existsSync(BIN) || process.env.CI === 'true' ? test : test.skip)(
  'the built CLI: predict --backend auto on the fixture prints nothing on stderr (Dawn never starts)',
  async () => {
    const observed = join(tmp, 'observed-bin.csv');
    writeFileSync(observed, 'example,value\n1000,0.5\n1001,0.2\n1002,0.1\n');
    const r = spawnSync(
      process.execPath,
      [BIN, 'predict', FIXTURE, '--observed', observed, '--out', join(tmp, 'bin.csv'), '--json'],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).backendDescription.reason).toMatch(/below the WebGPU crossover/);
  },
  120_000,
);
