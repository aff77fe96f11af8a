// Hostile command lines: every command and flag against bad values, outputs in the way, missing
// folders, bad tensors and hostile ids. Each case runs the built CLI in a fresh folder ('{dir}').
// Shape of a case: see test/hostile/runner.mjs. `setup(dir)` (optional) prepares what plain files
// cannot express (symbolic links).
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';

const enc = new TextEncoder();

/** A long table `task,example,delta` of `tasks` × `examples` cells (rank-1 plus a small pattern). */
function longCsv({ tasks = 6, examples = 10, taskId = (i) => `t${i}`, exampleId = (j) => `e${j}` } = {}) {
  const quote = (s) => (/[",\n\r\u2028]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = ['task,example,delta'];
  for (let i = 0; i < tasks; i++) {
    for (let j = 0; j < examples; j++) lines.push(`${quote(taskId(i))},${quote(exampleId(j))},${value(i, j)}`);
  }
  return lines.join('\n') + '\n';
}

function value(i, j) {
  return Number(((0.2 + 0.1 * i) * (0.5 + 0.05 * j) + 0.01 * (((i * 7 + j * 3) % 5) - 2)).toFixed(6));
}

/** A little-endian float64 .npy of the given shape. */
function npy(shape, values) {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = enc.encode(header);
  const out = new Uint8Array(10 + head.length + values.length * 8);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  new Float64Array(out.buffer, 10 + head.length, values.length).set(values);
  return out;
}

/** A dataset folder (`Z.npy`, `tasks.json`, `examples.jsonl`) under `name/`, examples with sources. */
function dataset(
  name,
  { tasks = 6, examples = 10, taskId = (i) => `t${i}`, source = (j) => (j % 2 ? 'man' : 'python') } = {},
) {
  const z = new Float64Array(tasks * examples);
  for (let i = 0; i < tasks; i++) for (let j = 0; j < examples; j++) z[i * examples + j] = value(i, j);
  return {
    [`${name}/Z.npy`]: npy([tasks, examples], z),
    [`${name}/tasks.json`]: JSON.stringify(Array.from({ length: tasks }, (_, i) => ({ id: taskId(i) }))),
    [`${name}/examples.jsonl`]:
      Array.from({ length: examples }, (_, j) =>
        JSON.stringify({ id: `e${j}`, source: source(j), text: `text ${j}` }),
      ).join('\n') + '\n',
  };
}

/** A safetensors file of float64 tensors: `{ name: [shape, values] }`. */
function safetensors(tensors) {
  const header = {};
  let offset = 0;
  for (const [name, [shape, values]] of Object.entries(tensors)) {
    header[name] = { dtype: 'F64', shape, data_offsets: [offset, offset + values.length * 8] };
    offset += values.length * 8;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = enc.encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const [, [, values]] of Object.entries(tensors)) {
    const bytes = new Uint8Array(Float64Array.from(values).buffer);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

const range = (n, f) => Array.from({ length: n }, (_, k) => f(k));
const W0 = range(12, (k) => Math.sin(k + 1));
const W1 = range(12, (k) => Math.sin(k + 1) + 0.01 * Math.cos(3 * k));
const BEFORE = safetensors({ w: [[3, 4], W0], 'b.bias': [[4], [0, 1, 2, 3]] });
const AFTER = safetensors({ w: [[3, 4], W1], 'b.bias': [[4], [0, 1, 2, 3]] });
const FISHER_A = safetensors({
  w: [
    [2, 3],
    [0.5, 0.1, 0.2, 0.9, 0.05, 0.3],
  ],
  b: [[2], [0.4, 0.7]],
});
const FISHER_B = safetensors({
  w: [
    [2, 3],
    [0.4, 0.2, 0.1, 0.8, 0.1, 0.2],
  ],
  b: [[2], [0.5, 0.6]],
});
const SLOW = safetensors({
  'l.lora_A.weight': [
    [2, 3],
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
  ],
  'l.lora_B.weight': [
    [4, 2],
    [0.1, 0, 0, 0.1, 0.2, 0.1, 0.3, 0],
  ],
});
const FAST = safetensors({
  'l.lora_A.weight': [
    [2, 3],
    [0.2, 0.1, 0.3, 0.5, 0.4, 0.6],
  ],
  'l.lora_B.weight': [
    [4, 2],
    [0.2, 0, 0.1, 0.1, 0.1, 0.1, 0.3, 0.1],
  ],
});

const Z = longCsv();
const OBS = 'example,value\ne0,0.5\ne3,0.1\ne7,0.2\n';
const BASE = { 'z.csv': Z, 'obs.csv': OBS };
const DS = dataset('ds');
const REPLAY = ['replay', '{dir}/z.csv', '--train-rows', '0-4', '--observed', '{dir}/obs.csv', '--n', '100'];
const PREDICT = ['predict', '{dir}/z.csv', '--train-rows', '0-4', '--observed', '{dir}/obs.csv'];
const EVALUATE = [
  'evaluate',
  '{dir}/z.csv',
  '--train-rows',
  '0-3',
  '--test-rows',
  '4-5',
  '--methods',
  'additive-ls',
  '--seeds',
  '0',
];
const REPORT = ['report', '{dir}/z.csv', '--out', '{dir}/r.html', '--json'];
const SPLIT = [
  '--train-rows',
  '0-3',
  '--test-rows',
  '4-5',
  '--known',
  '3',
  '--seeds',
  '0',
  '--n',
  '100',
  '--methods',
  'additive-ls',
];
const SUBSPACE = [
  'subspace',
  '--before',
  '{dir}/before.safetensors',
  '--after',
  '{dir}/after.safetensors',
  '--backend',
  'cpu',
];
const TENSORS = { 'before.safetensors': BEFORE, 'after.safetensors': AFTER };
const ANALYZE = ['analyze', '{dir}/z.csv', '--backend', 'cpu', '--json'];
const dangling = (name) => (dir) => symlinkSync(join(dir, 'nowhere', 'target'), join(dir, name));
const deadPid = 4194302; // just below the largest pid Linux allows: no live process holds it in practice

export const cases = [
  // ---------------------------------------------------------------- outputs: exclusive, forced, located
  {
    name: 'predict --out exists without --force',
    files: { ...BASE, 'p.csv': 'old\n' },
    args: [...PREDICT, '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: 'p\\.csv: .*already exists; pass --force',
  },
  {
    name: 'predict --out exists with --force',
    files: { ...BASE, 'p.csv': 'old\n' },
    args: [...PREDICT, '--out', '{dir}/p.csv', '--force'],
    exit: 0,
    stderr: 'predict: ',
  },
  {
    name: 'predict --out in a missing folder fails before any work',
    files: BASE,
    args: [...PREDICT, '--out', '{dir}/no/such/p.csv'],
    exit: 2,
    stderr: 'p\\.csv: the folder .*no/such does not exist',
  },
  {
    name: 'predict --out is a folder',
    files: { ...BASE, 'p.csv/x': 'x' },
    args: [...PREDICT, '--out', '{dir}/p.csv', '--force'],
    exit: 2,
    stderr: 'p\\.csv: .*is a folder',
  },
  {
    name: 'predict --out is a dangling symlink',
    files: BASE,
    setup: dangling('p.csv'),
    args: [...PREDICT, '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: 'p\\.csv: .*already exists',
  },
  {
    name: 'predict --out with an unknown extension',
    files: BASE,
    args: [...PREDICT, '--out', '{dir}/p.xlsx'],
    exit: 2,
    stderr: 'p\\.xlsx: --out: cannot tell the format',
  },
  {
    name: 'predict --out with a stale temporary of a dead run',
    files: { ...BASE, [`.p.csv.tmp-${deadPid}-abcdefgh`]: 'partial' },
    args: [...PREDICT, '--out', '{dir}/p.csv'],
    exit: 0,
    stderr: `removed \\.p\\.csv\\.tmp-${deadPid}-abcdefgh`,
  },
  {
    name: 'replay --out exists without --force',
    files: { ...BASE, 'w.csv': 'old\n' },
    args: [...REPLAY, '--out', '{dir}/w.csv'],
    exit: 2,
    stderr: 'w\\.csv: .*already exists; pass --force',
  },
  {
    name: 'replay --out in a missing folder',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/missing/w.parquet'],
    exit: 2,
    stderr: 'w\\.parquet: the folder .* does not exist',
  },
  {
    name: 'replay --out with an unknown extension',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.txt'],
    exit: 2,
    stderr: 'cannot tell the format of .*w\\.txt',
  },
  {
    name: 'replay --out is a dangling symlink',
    files: BASE,
    setup: dangling('w.csv'),
    args: [...REPLAY, '--out', '{dir}/w.csv'],
    exit: 2,
    stderr: 'w\\.csv: .*already exists',
  },
  {
    name: 'replay --out is a dangling symlink, --force replaces the link',
    files: BASE,
    setup: dangling('w.csv'),
    args: [...REPLAY, '--out', '{dir}/w.csv', '--force'],
    exit: 0,
  },
  {
    name: 'report --out exists without --force',
    files: { ...BASE, 'r.html': 'old' },
    args: REPORT,
    exit: 2,
    stderr: 'r\\.html: .*already exists; pass --force',
  },
  {
    name: 'report --out in a missing folder',
    files: BASE,
    args: ['report', '{dir}/z.csv', '--out', '{dir}/nope/r.html'],
    exit: 2,
    stderr: 'r\\.html: the folder .*nope does not exist',
  },
  {
    name: 'report --out is a folder',
    files: { ...BASE, 'r.html/x': 'x' },
    args: [...REPORT, '--force'],
    exit: 2,
    stderr: 'r\\.html: .*is a folder',
  },
  {
    name: 'analyze --out: a folder of other files',
    files: { ...BASE, 'out/notes.txt': 'mine' },
    args: [...ANALYZE, '--out', '{dir}/out'],
    exit: 2,
    stderr: 'out: .*already exists; pass --force',
  },
  {
    name: 'analyze --out --force never replaces a folder of other files',
    files: { ...BASE, 'out/notes.txt': 'mine' },
    args: [...ANALYZE, '--out', '{dir}/out', '--force'],
    exit: 2,
    stderr: 'out: .*holds files this command does not write \\(notes\\.txt\\)',
  },
  {
    name: 'analyze --out is a file',
    files: { ...BASE, out: 'x' },
    args: [...ANALYZE, '--out', '{dir}/out', '--force'],
    exit: 2,
    stderr: '--out must be a folder, but .*out is a file',
  },
  {
    name: 'analyze --out under a missing folder',
    files: BASE,
    args: [...ANALYZE, '--out', '{dir}/a/b'],
    exit: 2,
    stderr: 'b: the folder .*a does not exist',
  },
  {
    name: 'analyze --out into an empty folder',
    files: { ...BASE, 'out/.keep': null },
    args: [...ANALYZE, '--out', '{dir}/out'],
    exit: 0,
  },
  {
    name: 'analyze --out --force replaces an earlier output',
    files: { ...BASE, 'out/summary.json': '{}', 'out/tasks.csv': 'x\n' },
    args: [...ANALYZE, '--out', '{dir}/out', '--force'],
    exit: 0,
  },
  {
    name: 'analyze --out cleans a stale temporary folder of a dead run',
    files: { ...BASE, [`.out.tmp-${deadPid}-abcdefgh/tasks.csv`]: 'partial' },
    args: [...ANALYZE, '--out', '{dir}/out'],
    exit: 0,
    stderr: `removed \\.out\\.tmp-${deadPid}-abcdefgh`,
  },
  {
    name: 'analyze --out restores a folder an interrupted --force left aside',
    files: { ...BASE, [`.out.old-${deadPid}-abcdefgh/summary.json`]: '{}' },
    args: [...ANALYZE, '--out', '{dir}/out'],
    exit: 2,
    stderr: `restored .*out from \\.out\\.old-${deadPid}-abcdefgh[\\s\\S]*already exists`,
  },
  {
    name: 'analyze --out is a dangling symlink',
    files: BASE,
    setup: dangling('out'),
    args: [...ANALYZE, '--out', '{dir}/out'],
    exit: 2,
    stderr: '--out must be a folder, but .*out is a symbolic link',
  },
  {
    name: 'evaluate --dump-known exists',
    files: { ...BASE, 'k.json': '{}' },
    args: [...EVALUATE, '--known', '3', '--dump-known', '{dir}/k.json'],
    exit: 2,
    stderr: 'k\\.json: .*already exists',
  },
  {
    name: 'evaluate --dump-known in a missing folder',
    files: BASE,
    args: [...EVALUATE, '--known', '3', '--dump-known', '{dir}/x/k.json'],
    exit: 2,
    stderr: 'k\\.json: the folder .* does not exist',
  },
  {
    name: 'lora merge --out exists',
    files: { 'slow.safetensors': SLOW, 'fast.safetensors': FAST, 'm.safetensors': 'x' },
    args: [
      'lora',
      'merge',
      '--slow',
      '{dir}/slow.safetensors',
      '--fast',
      '{dir}/fast.safetensors',
      '--lambda',
      '0.5',
      '--out',
      '{dir}/m.safetensors',
    ],
    exit: 2,
    stderr: 'm\\.safetensors: .*already exists',
  },
  {
    name: 'lora merge --out in a missing folder',
    files: { 'slow.safetensors': SLOW, 'fast.safetensors': FAST },
    args: [
      'lora',
      'merge',
      '--slow',
      '{dir}/slow.safetensors',
      '--fast',
      '{dir}/fast.safetensors',
      '--lambda',
      '0.5',
      '--out',
      '{dir}/q/m.safetensors',
    ],
    exit: 2,
    stderr: 'm\\.safetensors: the folder .* does not exist',
  },
  {
    name: 'demo --out holding a report, without --force',
    files: { 'demo-output/report.html': 'old' },
    args: ['demo', '--out', '{dir}/demo-output'],
    exit: 2,
    stderr: 'report\\.html: .*already exists',
  },
  {
    name: 'demo --input that does not exist',
    files: {},
    args: ['demo', '--input', '{dir}/nothing', '--out', '{dir}/o'],
    exit: 2,
    stderr: 'nothing does not exist',
  },

  // ---------------------------------------------------------------- evaluate: counts against the data
  {
    name: 'evaluate --known one billion on 10 examples',
    files: BASE,
    args: [...EVALUATE, '--known', '1000000000'],
    exit: 2,
    stderr: '--known must be in 1\\.\\.10 \\(the examples of the matrix\\), got 1000000000',
  },
  {
    name: 'evaluate --known 11 on 10 examples',
    files: BASE,
    args: [...EVALUATE, '--known', '11'],
    exit: 2,
    stderr: '--known must be in 1\\.\\.10',
  },
  {
    name: 'evaluate --known 0',
    files: BASE,
    args: [...EVALUATE, '--known', '0'],
    exit: 2,
    stderr: '--known must be a positive integer, got "0"',
  },
  {
    name: 'evaluate --known negative',
    files: BASE,
    args: [...EVALUATE, '--known=-3'],
    exit: 2,
    stderr: '--known must be a non-negative integer, got "-3"',
  },
  {
    name: 'evaluate --known not a number',
    files: BASE,
    args: [...EVALUATE, '--known', 'ten'],
    exit: 2,
    stderr: '--known must be a non-negative integer, got "ten"',
  },
  {
    name: 'evaluate --known 2.5',
    files: BASE,
    args: [...EVALUATE, '--known', '2.5'],
    exit: 2,
    stderr: '--known must be a non-negative integer',
  },
  {
    name: 'evaluate --seeds reversed range',
    files: BASE,
    args: [...EVALUATE, '--known', '3', '--seeds', '5-1'],
    exit: 2,
    stderr: '--seeds: empty range 5-1',
  },
  {
    name: 'evaluate --seeds too long a range',
    files: BASE,
    args: [...EVALUATE, '--known', '3', '--seeds', '0-1000000000'],
    exit: 2,
    stderr: '--seeds: range 0-1000000000 is too long',
  },
  {
    name: 'evaluate --train-rows outside the matrix',
    files: BASE,
    args: ['evaluate', '{dir}/z.csv', '--train-rows', '0-99', '--test-rows', '5', '--known', '3'],
    exit: 2,
    stderr: '--train-rows: range 0-99 is outside 0-5',
  },
  {
    name: 'evaluate --test-rows index outside the matrix',
    files: BASE,
    args: ['evaluate', '{dir}/z.csv', '--train-rows', '0-3', '--test-rows', '6', '--known', '3'],
    exit: 2,
    stderr: '--test-rows: row 6 is outside 0-5',
  },
  {
    name: 'evaluate --train-rows names no task',
    files: BASE,
    args: ['evaluate', '{dir}/z.csv', '--train-rows', 'nosuch', '--test-rows', '5', '--known', '3'],
    exit: 2,
    stderr: '--train-rows: "nosuch" is neither a row index',
  },
  {
    name: 'evaluate without --test-rows',
    files: BASE,
    args: ['evaluate', '{dir}/z.csv', '--train-rows', '0-3'],
    exit: 2,
    stderr: 'evaluate needs --test-rows',
  },
  {
    name: 'evaluate --methods unknown',
    files: BASE,
    args: [...EVALUATE, '--known', '3', '--methods', 'magic'],
    exit: 2,
    stderr: '--methods: unknown method "magic"',
  },
  {
    name: 'evaluate --select unknown',
    files: BASE,
    args: [...EVALUATE, '--known', '3', '--select', 'psychic'],
    exit: 2,
    stderr: '--select must be paper or active, got "psychic"',
  },
  {
    name: 'evaluate --backend unknown',
    files: BASE,
    args: [...EVALUATE, '--known', '3', '--backend', 'quantum'],
    exit: 2,
    stderr: '--backend must be auto, cpu or webgpu, got "quantum"',
  },
  { name: 'evaluate on a small matrix works', files: BASE, args: [...EVALUATE, '--known', '3', '--json'], exit: 0 },

  // ---------------------------------------------------------------- analyze
  {
    name: 'analyze --ranks 0',
    files: BASE,
    args: [...ANALYZE, '--ranks', '0'],
    exit: 2,
    stderr: '--ranks must be a positive integer, got "0"',
  },
  {
    name: 'analyze --ranks above min(tasks, examples)',
    files: BASE,
    args: [...ANALYZE, '--ranks', '1000'],
    exit: 2,
    stderr: '--ranks 1000 exceeds min\\(tasks, examples\\) = 6',
  },
  {
    name: 'analyze --top 0',
    files: BASE,
    args: [...ANALYZE, '--top', '0'],
    exit: 2,
    stderr: '--top must be a positive integer',
  },
  {
    name: 'analyze --backend unknown',
    files: BASE,
    args: ['analyze', '{dir}/z.csv', '--backend', 'abacus'],
    exit: 2,
    stderr: '--backend must be auto, cpu or webgpu',
  },
  { name: 'analyze a missing input', files: {}, args: ['analyze', '{dir}/none.csv'], exit: 2, stderr: 'none\\.csv' },

  // ---------------------------------------------------------------- replay: ratios, budgets, caps, probes
  {
    name: 'replay --ratio 0',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--ratio', '0'],
    exit: 2,
    stderr: '--ratio must be in \\(0, 1\\], got "0"',
  },
  {
    name: 'replay --ratio above 1',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--ratio', '1.5'],
    exit: 2,
    stderr: '--ratio must be in \\(0, 1\\]',
  },
  {
    name: 'replay --ratio negative',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--ratio=-0.5'],
    exit: 2,
    stderr: '--ratio must be in \\(0, 1\\]',
  },
  {
    name: 'replay --ratio NaN',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--ratio', 'NaN'],
    exit: 2,
    stderr: '--ratio must be a number, got "NaN"',
  },
  {
    name: 'replay --n 0',
    files: BASE,
    args: ['replay', '{dir}/z.csv', '--observed', '{dir}/obs.csv', '--n', '0', '--out', '{dir}/w.csv'],
    exit: 2,
    stderr: '--n must be a positive integer',
  },
  {
    name: 'replay budget larger than the examples',
    files: BASE,
    args: ['replay', '{dir}/z.csv', '--observed', '{dir}/obs.csv', '--n', '1000000', '--out', '{dir}/w.csv'],
    exit: 2,
    stderr: 'asks for 31251 replayed examples .* but the matrix has 10 examples',
  },
  {
    name: 'replay --n and --n-fine-tune disagree',
    files: BASE,
    args: [...REPLAY, '--n-fine-tune', '50', '--out', '{dir}/w.csv'],
    exit: 2,
    stderr: '--n-fine-tune and its alias --n disagree',
  },
  {
    name: 'replay --temperature 0',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--temperature', '0'],
    exit: 2,
    stderr: '--temperature must be a positive number, got "0"',
  },
  {
    name: 'replay --temperature negative',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--temperature=-1'],
    exit: 2,
    stderr: '--temperature must be a positive number',
  },
  {
    name: 'replay --temperature Infinity',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--temperature', 'Infinity'],
    exit: 2,
    stderr: '--temperature must be a positive number',
  },
  {
    name: 'replay --auto-support 0',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--auto-support', '0'],
    exit: 2,
    stderr: '--auto-support must be a positive number',
  },
  {
    name: 'replay --temperature with a policy that takes none',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--temperature', '0.1', '--policy', 'uniform'],
    exit: 2,
    stderr: '--temperature 0\\.1 applies to the softmax and oracle policies',
  },
  {
    name: 'replay --policy unknown',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--policy', 'chaos'],
    exit: 2,
    stderr: 'chaos',
  },
  {
    name: 'replay --factor-rank 0',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--factor-rank', '0'],
    exit: 2,
    stderr: '--factor-rank must be a positive integer',
  },
  {
    name: 'replay --seed not a number',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--seed', 'x'],
    exit: 2,
    stderr: '--seed must be an integer, got "x"',
  },
  {
    name: 'replay --replay-method unknown',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.csv', '--replay-method', 'oracle9'],
    exit: 2,
    stderr: '--replay-method: unknown method "oracle9"',
  },
  {
    name: 'replay without --observed',
    files: BASE,
    args: ['replay', '{dir}/z.csv', '--n', '100', '--out', '{dir}/w.csv'],
    exit: 2,
    stderr: 'replay needs --observed',
  },
  {
    name: 'replay without --n',
    files: BASE,
    args: ['replay', '{dir}/z.csv', '--observed', '{dir}/obs.csv', '--out', '{dir}/w.csv'],
    exit: 2,
    stderr: 'replay needs --n-fine-tune',
  },
  { name: 'replay without --out', files: BASE, args: REPLAY, exit: 2, stderr: 'replay needs --out' },
  {
    name: 'replay --caps names a source no example has',
    files: { ...DS, 'obs.csv': OBS },
    args: [
      'replay',
      '{dir}/ds',
      '--observed',
      '{dir}/obs.csv',
      '--n',
      '100',
      '--caps',
      'nosuchsource=3',
      '--out',
      '{dir}/w.csv',
    ],
    exit: 2,
    stderr: '--caps: no example has source "nosuchsource"; the sources are man, python',
  },
  {
    name: 'replay --caps names a source twice',
    files: { ...DS, 'obs.csv': OBS },
    args: [
      'replay',
      '{dir}/ds',
      '--observed',
      '{dir}/obs.csv',
      '--n',
      '100',
      '--caps',
      'man=1,man=2',
      '--out',
      '{dir}/w.csv',
    ],
    exit: 2,
    stderr: '--caps names source "man" twice',
  },
  {
    name: 'replay --caps with a bad count',
    files: { ...DS, 'obs.csv': OBS },
    args: [
      'replay',
      '{dir}/ds',
      '--observed',
      '{dir}/obs.csv',
      '--n',
      '100',
      '--caps',
      'man=lots',
      '--out',
      '{dir}/w.csv',
    ],
    exit: 2,
    stderr: '--caps: "man=lots" is not SOURCE=COUNT',
  },
  {
    name: 'replay --caps on examples without sources',
    files: BASE,
    args: [...REPLAY, '--caps', 'man=1', '--out', '{dir}/w.csv'],
    exit: 2,
    stderr: '--caps needs a source for every example; example "e0" has none',
  },
  {
    name: 'replay --caps that fit',
    files: { ...DS, 'obs.csv': OBS },
    args: [
      'replay',
      '{dir}/ds',
      '--observed',
      '{dir}/obs.csv',
      '--n',
      '100',
      '--caps',
      'man=2,python=2',
      '--out',
      '{dir}/w.csv',
    ],
    exit: 0,
  },
  {
    name: 'replay --online-steps 0',
    files: BASE,
    args: ['replay', '{dir}/z.csv', '--online-steps', '0'],
    exit: 2,
    stderr: '--online-steps must be a positive integer, got "0"',
  },
  {
    name: 'replay --online-steps negative',
    files: BASE,
    args: ['replay', '{dir}/z.csv', '--online-steps=-5'],
    exit: 2,
    stderr: '--online-steps must be a non-negative integer, got "-5"',
  },
  {
    name: 'replay --probes 0',
    files: BASE,
    args: ['replay', '{dir}/z.csv', '--online-steps', '10', '--probes', '0'],
    exit: 2,
    stderr: '--probes must be a positive integer, got "0"',
  },
  {
    name: 'replay --probes above the examples',
    files: BASE,
    args: ['replay', '{dir}/z.csv', '--online-steps', '10', '--probes', '11'],
    exit: 2,
    stderr: '--probes must be in 1\\.\\.10 \\(the examples of the matrix\\), got 11',
  },
  {
    name: 'replay --probes one billion',
    files: BASE,
    args: ['replay', '{dir}/z.csv', '--online-steps', '10', '--probes', '1000000000'],
    exit: 2,
    stderr: '--probes must be in 1\\.\\.10',
  },
  {
    name: 'replay online plan works',
    files: BASE,
    args: ['replay', '{dir}/z.csv', '--online-steps', '10', '--probes', '3', '--json'],
    exit: 0,
  },
  {
    name: 'replay --exclude names an unknown example',
    files: { ...BASE, 'ex.txt': 'e1\nzzz\n' },
    args: [...REPLAY, '--exclude', '{dir}/ex.txt', '--out', '{dir}/w.csv'],
    exit: 2,
    stderr: 'ex\\.txt:2:1: example "zzz" is not an example of the matrix',
  },
  {
    name: 'replay --exclude is not JSON',
    files: { ...BASE, 'ex.json': '[1, 2' },
    args: [...REPLAY, '--exclude', '{dir}/ex.json', '--out', '{dir}/w.csv'],
    exit: 2,
    stderr: 'ex\\.json:1:1: not valid JSON',
  },
  {
    name: 'replay writes a plan',
    files: BASE,
    args: [...REPLAY, '--out', '{dir}/w.parquet'],
    exit: 0,
    stderr: '^(?![\\s\\S]*maxDynamic)',
  },
  {
    name: 'replay CSV with formula-like ids warns and keeps them',
    files: {
      'z.csv': longCsv({ exampleId: (j) => ['=1+1', '+cmd', '-x', '@y'][j] ?? `e${j}` }),
      'obs.csv': 'example,value\ne4,0.5\n"=1+1",0.1\n',
    },
    args: [...REPLAY, '--out', '{dir}/w.csv'],
    exit: 0,
    stderr: 'w\\.csv: 4 ids \\(e\\.g\\. "=1\\+1"\\) start with =, \\+, -, @',
  },

  // ---------------------------------------------------------------- predict: measured entries
  {
    name: 'predict --observed with a blank value (not measured, with a warning)',
    files: { ...BASE, 'obs.csv': 'example,value\ne0,\ne3,0.1\n' },
    args: [...PREDICT, '--out', '{dir}/p.csv'],
    exit: 0,
    stderr:
      'warning: .*obs\\.csv:2:4: 1 measured entry has no finite value \\(1 empty value\\); counted as not measured',
  },
  {
    name: 'predict --observed with a blank value on a later line (warning)',
    files: { ...BASE, 'obs.csv': 'example,value\ne0,0.3\ne3,\n' },
    args: [...PREDICT, '--out', '{dir}/p.csv'],
    exit: 0,
    stderr: 'warning: .*obs\\.csv:3:4: 1 measured entry has no finite value',
  },
  {
    name: 'predict --observed TSV with a blank value (warning)',
    files: { ...BASE, 'obs.tsv': 'value\texample\n0.3\te1\n\te2\n' },
    args: [...PREDICT, '--observed', '{dir}/obs.tsv', '--out', '{dir}/p.csv'],
    exit: 0,
    stderr: 'warning: .*obs\\.tsv:3:1: 1 measured entry has no finite value',
  },
  {
    name: 'predict --observed JSON Lines with a null value (warning)',
    files: { ...BASE, 'obs.jsonl': '{"example":"e1","value":0.2}\n{"example":"e2","value":null}\n' },
    args: [...PREDICT, '--observed', '{dir}/obs.jsonl', '--out', '{dir}/p.csv'],
    exit: 0,
    stderr: 'warning: .*obs\\.jsonl: 1 measured entry has no finite value \\(1 null value\\)',
  },
  {
    name: 'predict --observed with NaN, even with --nan-as-missing',
    files: { ...BASE, 'obs.csv': 'example,value\ne0,NaN\n' },
    args: [...PREDICT, '--nan-as-missing', '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: 'obs\\.csv:2:4: column "value": NaN is not a finite number; a measured entry needs a finite value',
  },
  {
    name: 'predict --observed with no finite value at all',
    files: { ...BASE, 'obs.csv': 'example,value\ne0,\ne3,\n' },
    args: [...PREDICT, '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: 'obs\\.csv: no observed value',
  },
  {
    name: 'predict --observed with a word for a value',
    files: { ...BASE, 'obs.csv': 'example,value\ne0,abc\n' },
    args: [...PREDICT, '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: 'obs\\.csv:2:\\d+: .*"abc" is not a number',
  },
  {
    name: 'predict --observed with an unknown example',
    files: { ...BASE, 'obs.csv': 'example,value\ne0,0.1\nghost,0.2\n' },
    args: [...PREDICT, '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: 'obs\\.csv:3:1: example "ghost" is not an example of the matrix',
  },
  {
    name: 'predict --observed with only a header',
    files: { ...BASE, 'obs.csv': 'example,value\n' },
    args: [...PREDICT, '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: 'obs\\.csv',
  },
  {
    name: 'predict --observed missing',
    files: { 'z.csv': Z },
    args: [...PREDICT, '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: 'obs\\.csv',
  },
  {
    name: 'predict --observed is a folder',
    files: { 'z.csv': Z, 'obs.csv/x': 'x' },
    args: [...PREDICT, '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: 'obs\\.csv',
  },
  {
    name: 'predict --observed repeats an example',
    files: { ...BASE, 'obs.csv': 'example,value\ne0,0.1\ne0,0.2\n' },
    args: [...PREDICT, '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: 'obs\\.csv:3',
  },
  {
    name: 'predict --method unknown',
    files: BASE,
    args: [...PREDICT, '--method', 'crystal-ball', '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: 'crystal-ball',
  },
  {
    name: 'predict --seed negative',
    files: BASE,
    args: [...PREDICT, '--seed=-1', '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: '--seed must be a non-negative integer',
  },
  {
    name: 'predict --side-row without --side',
    files: BASE,
    args: [...PREDICT, '--side-row', '5', '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: '--side-row needs --side',
  },
  {
    name: 'predict --train-rows outside',
    files: BASE,
    args: ['predict', '{dir}/z.csv', '--train-rows', '3-9', '--observed', '{dir}/obs.csv', '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: '--train-rows: range 3-9 is outside 0-5',
  },
  {
    name: 'predict without --observed',
    files: BASE,
    args: ['predict', '{dir}/z.csv', '--out', '{dir}/p.csv'],
    exit: 2,
    stderr: 'predict needs --observed',
  },
  {
    name: 'predict never starts WebGPU for small work',
    files: BASE,
    args: [...PREDICT, '--out', '{dir}/p.parquet'],
    exit: 0,
    stderr: '^(?![\\s\\S]*(maxDynamic|Warning:))[\\s\\S]*predict: lowrank on 5 train rows',
  },

  // ---------------------------------------------------------------- report: counts and hostile ids
  {
    name: 'report --known 0',
    files: BASE,
    args: [...REPORT, '--known', '0'],
    exit: 2,
    stderr: '--known must be a positive integer',
  },
  {
    name: 'report --known above the examples',
    files: BASE,
    args: [...REPORT, ...SPLIT, '--known', '50'],
    exit: 2,
    stderr: '--known must be in 1\\.\\.10',
  },
  {
    name: 'report --curve with a k above the examples',
    files: BASE,
    args: [...REPORT, ...SPLIT, '--curve', '2,1000'],
    exit: 2,
    stderr: '--curve must be in 1\\.\\.10 \\(the examples of the matrix\\), got 1000',
  },
  {
    name: 'report --curve 0',
    files: BASE,
    args: [...REPORT, ...SPLIT, '--curve', '0,5'],
    exit: 2,
    stderr: '--curve must be a positive integer',
  },
  {
    name: 'report --train-rows without --test-rows',
    files: BASE,
    args: [...REPORT, '--train-rows', '0-3'],
    exit: 2,
    stderr: '--train-rows and --test-rows go together',
  },
  {
    name: 'report --train-rows and --test-rows overlap',
    files: BASE,
    args: [...REPORT, '--train-rows', '0-4', '--test-rows', '4-5'],
    exit: 2,
    stderr: 'share row 4',
  },
  {
    name: 'report replay budget above the examples',
    files: BASE,
    args: [...REPORT, ...SPLIT, '--n', '10000'],
    exit: 2,
    stderr: 'asks for 313 replayed examples',
  },
  {
    name: 'report --ratio 0',
    files: BASE,
    args: [...REPORT, '--ratio', '0'],
    exit: 2,
    stderr: '--ratio must be in \\(0, 1\\]',
  },
  {
    name: 'report --replay-task outside',
    files: BASE,
    args: [...REPORT, '--replay-task', '40'],
    exit: 2,
    stderr: '--replay-task: row 40 is outside 0-5',
  },
  {
    name: 'report with a task id holding U+2028, quotes and a backslash',
    files: { 'z.csv': longCsv({ taskId: (i) => ['t\u2028a', 't"b', "t'c", 't\\d', 't\u2029e', 't</script>'][i] }) },
    args: REPORT,
    exit: 0,
    maxSeconds: 8,
  },
  {
    name: 'report with hostile ids, a split and a replay plan',
    files: {
      'z.csv': longCsv({
        taskId: (i) => ['t\u2028a', 't"b', "t'c", 't\\d', 't\u2029e', 't</script>'][i],
        exampleId: (j) => (j === 0 ? 'e\u2028"0' : `e${j}`),
      }),
    },
    args: [...REPORT, ...SPLIT],
    exit: 0,
    maxSeconds: 10,
  },
  {
    name: 'report with hostile source names',
    files: dataset('ds', { source: (j) => ['a\u2028b', 'c"d', "e'f", 'g\\h'][j % 4] }),
    args: ['report', '{dir}/ds', '--out', '{dir}/r.html', '--json', ...SPLIT],
    exit: 0,
    maxSeconds: 10,
  },

  // ---------------------------------------------------------------- subspace: weights and rules
  {
    name: 'subspace with a NaN weight before',
    files: {
      'before.safetensors': safetensors({ w: [[3, 4], W0.map((v, k) => (k === 1 ? NaN : v))] }),
      'after.safetensors': AFTER,
    },
    args: SUBSPACE,
    exit: 2,
    stderr: 'before\\.safetensors: tensor "w" \\(weights\\) entry \\[0, 1\\] is NaN; expected finite values',
  },
  {
    name: 'subspace with an infinite weight after',
    files: {
      'before.safetensors': BEFORE,
      'after.safetensors': safetensors({ w: [[3, 4], W1.map((v, k) => (k === 6 ? Infinity : v))] }),
    },
    args: SUBSPACE,
    exit: 2,
    stderr: 'after\\.safetensors: tensor "w" \\(weights\\) entry \\[1, 2\\] is Infinity',
  },
  {
    name: 'subspace --mrr 2',
    files: TENSORS,
    args: [...SUBSPACE, '--mrr', '2'],
    exit: 2,
    stderr: '--mrr must be in \\[0, 1\\], got "2"',
  },
  {
    name: 'subspace --trr -1',
    files: TENSORS,
    args: [...SUBSPACE, '--mrr', '2', '--trr=-1'],
    exit: 2,
    stderr: '--mrr must be in \\[0, 1\\]',
  },
  {
    name: 'subspace --trr negative',
    files: TENSORS,
    args: [...SUBSPACE, '--trr=-1'],
    exit: 2,
    stderr: '--trr must be in \\(0, 1\\], got "-1"',
  },
  {
    name: 'subspace --mrr above --trr',
    files: TENSORS,
    args: [...SUBSPACE, '--mrr', '0.9', '--trr', '0.5'],
    exit: 2,
    stderr: '--mrr 0\\.9 must not exceed --trr 0\\.5',
  },
  {
    name: 'subspace --k above the layer',
    files: TENSORS,
    args: [...SUBSPACE, '--k', '100'],
    exit: 2,
    stderr: 'exceeds the 3 singular vectors',
  },
  {
    name: 'subspace --k negative',
    files: TENSORS,
    args: [...SUBSPACE, '--k=-1'],
    exit: 2,
    stderr: '--k must be a non-negative integer',
  },
  {
    name: 'subspace --energy 0',
    files: TENSORS,
    args: [...SUBSPACE, '--energy', '0'],
    exit: 2,
    stderr: '--energy must be in \\(0, 1\\]',
  },
  {
    name: 'subspace --energy with --activations',
    files: TENSORS,
    args: [...SUBSPACE, '--energy', '0.5', '--activations', '{dir}'],
    exit: 2,
    stderr: '--energy and --activations choose different rank rules',
  },
  {
    name: 'subspace --activations without the layer file',
    files: TENSORS,
    args: [...SUBSPACE, '--activations', '{dir}/acts'],
    exit: 2,
    stderr: 'w\\.safetensors: no captured inputs for layer "w"',
  },
  {
    name: 'subspace --before is a folder',
    files: { ...TENSORS, 'dir/x': 'x' },
    args: ['subspace', '--before', '{dir}/dir', '--after', '{dir}/after.safetensors'],
    exit: 2,
    stderr: '/dir: cannot open: is a folder, not a file',
  },
  {
    name: 'subspace --before missing',
    files: { 'after.safetensors': AFTER },
    args: SUBSPACE,
    exit: 2,
    stderr: 'before\\.safetensors: cannot open: no such file',
  },
  {
    name: 'subspace --before truncated',
    files: { 'before.safetensors': BEFORE.slice(0, BEFORE.length - 5), 'after.safetensors': AFTER },
    args: SUBSPACE,
    exit: 2,
    stderr: 'before\\.safetensors',
  },
  {
    name: 'subspace --before is not safetensors',
    files: { 'before.safetensors': 'hello, world', 'after.safetensors': AFTER },
    args: SUBSPACE,
    exit: 2,
    stderr: 'before\\.safetensors',
  },
  {
    name: 'subspace tensor missing after',
    files: { 'before.safetensors': BEFORE, 'after.safetensors': safetensors({ v: [[3, 4], W1] }) },
    args: SUBSPACE,
    exit: 2,
    stderr: 'after\\.safetensors: tensor "w" is in the before file but not in the after file',
  },
  {
    name: 'subspace shapes differ',
    files: { 'before.safetensors': BEFORE, 'after.safetensors': safetensors({ w: [[4, 3], W1] }) },
    args: SUBSPACE,
    exit: 2,
    stderr: 'tensor "w": shape \\[3,4\\] before but \\[4,3\\] after',
  },
  {
    name: 'subspace --tensors is not a regular expression',
    files: TENSORS,
    args: [...SUBSPACE, '--tensors', '('],
    exit: 2,
    stderr: 'not a valid regular expression',
  },
  {
    name: 'subspace --tensors matches nothing',
    files: TENSORS,
    args: [...SUBSPACE, '--tensors', '^zzz$'],
    exit: 2,
    stderr: 'no 2-D tensor matching',
  },
  { name: 'subspace works', files: TENSORS, args: [...SUBSPACE, '--json'], exit: 0 },

  // ---------------------------------------------------------------- fisher
  {
    name: 'fisher with a NaN value',
    files: {
      'a.safetensors': safetensors({
        w: [
          [2, 3],
          [0.5, NaN, 0.2, 0.9, 0.05, 0.3],
        ],
      }),
    },
    args: ['fisher', '{dir}/a.safetensors'],
    exit: 2,
    stderr: 'a\\.safetensors: tensor "w" \\(Fisher diagonal\\) entry \\[0, 1\\] is NaN; expected finite values ≥ 0',
  },
  {
    name: 'fisher with a negative value',
    files: { 'a.safetensors': safetensors({ b: [[2], [0.4, -0.7]] }) },
    args: ['fisher', '{dir}/a.safetensors'],
    exit: 2,
    stderr: 'a\\.safetensors: tensor "b" \\(Fisher diagonal\\) entry \\[1\\] is -0\\.7',
  },
  {
    name: 'fisher second file with an infinite value',
    files: {
      'a.safetensors': FISHER_A,
      'b.safetensors': safetensors({
        w: [
          [2, 3],
          [0.4, 0.2, Infinity, 0.8, 0.1, 0.2],
        ],
        b: [[2], [0.5, 0.6]],
      }),
    },
    args: ['fisher', '{dir}/a.safetensors', '{dir}/b.safetensors'],
    exit: 2,
    stderr: 'b\\.safetensors: tensor "w" \\(Fisher diagonal\\) entry \\[0, 2\\] is Infinity',
  },
  {
    name: 'fisher given a folder',
    files: { 'a/x': 'x' },
    args: ['fisher', '{dir}/a'],
    exit: 2,
    stderr: '/a: cannot open: is a folder, not a file',
  },
  {
    name: 'fisher given a missing file',
    files: {},
    args: ['fisher', '{dir}/a.safetensors'],
    exit: 2,
    stderr: 'a\\.safetensors',
  },
  {
    name: 'fisher --top-fraction 0',
    files: { 'a.safetensors': FISHER_A },
    args: ['fisher', '{dir}/a.safetensors', '--top-fraction', '0'],
    exit: 2,
    stderr: '--top-fraction must be in \\(0, 1\\]',
  },
  {
    name: 'fisher --top 1.5',
    files: { 'a.safetensors': FISHER_A },
    args: ['fisher', '{dir}/a.safetensors', '--top', '1.5'],
    exit: 2,
    stderr: '--top must be in \\(0, 1\\]',
  },
  {
    name: 'fisher --lambda negative',
    files: { 'a.safetensors': FISHER_A },
    args: ['fisher', '{dir}/a.safetensors', '--lambda=-1'],
    exit: 2,
    stderr: '--lambda must be a number ≥ 0, got "-1"',
  },
  {
    name: 'fisher --eta 0',
    files: { 'a.safetensors': FISHER_A },
    args: ['fisher', '{dir}/a.safetensors', '--eta', '0'],
    exit: 2,
    stderr: '--eta must be a positive number',
  },
  {
    name: 'fisher --variant c',
    files: { 'a.safetensors': FISHER_A },
    args: ['fisher', '{dir}/a.safetensors', '--variant', 'c'],
    exit: 2,
    stderr: '--variant must be a or b, got "c"',
  },
  {
    name: 'fisher --update with a NaN',
    files: {
      'a.safetensors': FISHER_A,
      'u.safetensors': safetensors({
        w: [
          [2, 3],
          [0, 0, 0, NaN, 0, 0],
        ],
        b: [[2], [0, 0]],
      }),
    },
    args: ['fisher', '{dir}/a.safetensors', '--update', '{dir}/u.safetensors'],
    exit: 2,
    stderr: 'u\\.safetensors: tensor "w" \\(update\\) entry \\[1, 0\\] is NaN',
  },
  {
    name: 'fisher --grads with a NaN gradient',
    files: {
      'a.safetensors': FISHER_A,
      'g.safetensors': safetensors({ G: [[2, 8], range(16, (k) => (k === 9 ? NaN : 0.1 * k))] }),
    },
    args: ['fisher', '{dir}/a.safetensors', '--grads', '{dir}/g.safetensors'],
    exit: 2,
    stderr: 'g\\.safetensors: tensor "G" \\(gradients\\) entry \\[1, 1\\] is NaN',
  },
  {
    name: 'fisher --grads without G',
    files: { 'a.safetensors': FISHER_A, 'g.safetensors': safetensors({ H: [[2, 8], range(16, (k) => k)] }) },
    args: ['fisher', '{dir}/a.safetensors', '--grads', '{dir}/g.safetensors'],
    exit: 2,
    stderr: 'g\\.safetensors: expected a 2-D tensor "G"',
  },
  {
    name: 'fisher --grads of the wrong width',
    files: { 'a.safetensors': FISHER_A, 'g.safetensors': safetensors({ G: [[2, 5], range(10, (k) => k)] }) },
    args: ['fisher', '{dir}/a.safetensors', '--grads', '{dir}/g.safetensors'],
    exit: 2,
    stderr: 'g\\.safetensors: gradients have P = 5 entries but the Fisher has 8',
  },
  {
    name: 'fisher variant b without gL',
    files: { 'a.safetensors': FISHER_A, 'g.safetensors': safetensors({ G: [[2, 8], range(16, (k) => 0.1 * k)] }) },
    args: ['fisher', '{dir}/a.safetensors', '--grads', '{dir}/g.safetensors', '--variant', 'b'],
    exit: 2,
    stderr: 'variant b needs a tensor "gL"',
  },
  {
    name: 'fisher files with different tensors',
    files: { 'a.safetensors': FISHER_A, 'b.safetensors': safetensors({ q: [[2], [1, 2]] }) },
    args: ['fisher', '{dir}/a.safetensors', '{dir}/b.safetensors'],
    exit: 2,
    stderr: 'tensor "q" is in the second Fisher file but not in the first',
  },
  {
    name: 'fisher compares two tasks',
    files: { 'a.safetensors': FISHER_A, 'b.safetensors': FISHER_B },
    args: ['fisher', '{dir}/a.safetensors', '{dir}/b.safetensors', '--top', '0.5', '--json'],
    exit: 0,
  },

  // ---------------------------------------------------------------- lora
  {
    name: 'lora barrier without the loss column',
    files: { 'l.csv': 'alpha,x\n0,1\n1,2\n' },
    args: ['lora', 'barrier', '{dir}/l.csv'],
    exit: 2,
    stderr: 'l\\.csv:1:1: expected columns "alpha" and "loss"',
  },
  {
    name: 'lora barrier with a word for a loss',
    files: { 'l.csv': 'alpha,loss\n0,1\n0.5,high\n1,2\n' },
    args: ['lora', 'barrier', '{dir}/l.csv'],
    exit: 2,
    stderr: 'l\\.csv:3',
  },
  {
    name: 'lora barrier --weight 2',
    files: { 'l.csv': 'alpha,loss\n0,1\n1,2\n' },
    args: ['lora', 'barrier', '{dir}/l.csv', '--weight', '2'],
    exit: 2,
    stderr: '--weight must be in \\[0, 1\\], got "2"',
  },
  {
    name: 'lora barrier works',
    files: { 'l.csv': 'alpha,loss\n0,1\n0.5,1.8\n1,2\n' },
    args: ['lora', 'barrier', '{dir}/l.csv', '--json'],
    exit: 0,
  },
  {
    name: 'lora merge --lambda 1.5',
    files: { 'slow.safetensors': SLOW, 'fast.safetensors': FAST },
    args: [
      'lora',
      'merge',
      '--slow',
      '{dir}/slow.safetensors',
      '--fast',
      '{dir}/fast.safetensors',
      '--lambda',
      '1.5',
      '--out',
      '{dir}/m.safetensors',
    ],
    exit: 2,
    stderr: '--lambda must be in \\[0, 1\\], got "1\\.5"',
  },
  {
    name: 'lora merge --lambda NaN',
    files: { 'slow.safetensors': SLOW, 'fast.safetensors': FAST },
    args: [
      'lora',
      'merge',
      '--slow',
      '{dir}/slow.safetensors',
      '--fast',
      '{dir}/fast.safetensors',
      '--lambda',
      'NaN',
      '--out',
      '{dir}/m.safetensors',
    ],
    exit: 2,
    stderr: '--lambda must be a number',
  },
  {
    name: 'lora merge --lora-alpha 0',
    files: { 'slow.safetensors': SLOW, 'fast.safetensors': FAST },
    args: [
      'lora',
      'merge',
      '--slow',
      '{dir}/slow.safetensors',
      '--fast',
      '{dir}/fast.safetensors',
      '--lambda',
      '0.5',
      '--lora-alpha',
      '0',
      '--out',
      '{dir}/m.safetensors',
    ],
    exit: 2,
    stderr: '--lora-alpha must be a positive number',
  },
  {
    name: 'lora merge with a NaN in the slow adapter',
    files: {
      'slow.safetensors': safetensors({
        'l.lora_A.weight': [
          [2, 3],
          [0.1, 0.2, NaN, 0.4, 0.5, 0.6],
        ],
        'l.lora_B.weight': [
          [4, 2],
          [0, 0, 0, 0, 0, 0, 0, 0],
        ],
      }),
      'fast.safetensors': FAST,
    },
    args: [
      'lora',
      'merge',
      '--slow',
      '{dir}/slow.safetensors',
      '--fast',
      '{dir}/fast.safetensors',
      '--lambda',
      '0.5',
      '--out',
      '{dir}/m.safetensors',
    ],
    exit: 2,
    stderr: 'slow\\.safetensors: tensor "l\\.lora_A\\.weight" \\(adapter\\) entry \\[0, 2\\] is NaN',
  },
  {
    name: 'lora merge works',
    files: { 'slow.safetensors': SLOW, 'fast.safetensors': FAST },
    args: [
      'lora',
      'merge',
      '--slow',
      '{dir}/slow.safetensors',
      '--fast',
      '{dir}/fast.safetensors',
      '--lambda',
      '0.5',
      '--out',
      '{dir}/m.safetensors',
      '--json',
    ],
    exit: 0,
  },

  // ---------------------------------------------------------------- recipes, info, the program
  {
    name: 'recipes --tau not a number',
    files: { 'r.csv': 'task,recipe,example,delta\nt1,full,e1,0.1\n' },
    args: ['recipes', '{dir}/r.csv', '--tau', 'abc'],
    exit: 2,
    stderr: '--tau must be a number, got "abc"',
  },
  {
    name: 'recipes missing input',
    files: {},
    args: ['recipes', '{dir}/r.csv'],
    exit: 2,
    stderr: 'r\\.csv: no such file',
  },
  {
    name: 'recipes --tokens without --tokens-base',
    files: { 'r.csv': 'task,recipe,example,delta\nt1,full,e1,0.1\nt1,lora,e1,0.2\n' },
    args: ['recipes', '{dir}/r.csv', '--tokens', 'full=x.safetensors'],
    exit: 2,
    stderr: '--tokens needs --tokens-base',
  },
  {
    name: 'recipes with a bad value',
    files: { 'r.csv': 'task,recipe,example,delta\nt1,full,e1,zz\n' },
    args: ['recipes', '{dir}/r.csv'],
    exit: 2,
    stderr: 'r\\.csv:2',
  },
  {
    name: 'recipes compares two recipes',
    files: { 'r.csv': 'task,recipe,example,delta\nt1,full,e1,0.1\nt1,full,e2,0.3\nt1,lora,e1,0.2\nt1,lora,e2,0.1\n' },
    args: ['recipes', '{dir}/r.csv', '--json'],
    exit: 0,
  },
  {
    name: 'info on a folder without a dataset',
    files: { 'empty/readme.txt': 'x' },
    args: ['info', '{dir}/empty'],
    exit: 2,
    stderr: 'empty',
  },
  {
    name: 'info --duplicates unknown',
    files: BASE,
    args: ['info', '{dir}/z.csv', '--duplicates', 'both'],
    exit: 2,
    stderr: '--duplicates must be error, mean or last, got "both"',
  },
  {
    name: 'info --dtype unknown',
    files: BASE,
    args: ['info', '{dir}/z.csv', '--dtype', 'float16'],
    exit: 2,
    stderr: '--dtype must be float64 or float32',
  },
  { name: 'an unknown command', files: {}, args: ['frobnicate'], exit: 2, stderr: "unknown command 'frobnicate'" },
  {
    name: 'an unknown option',
    files: BASE,
    args: ['info', '{dir}/z.csv', '--frob'],
    exit: 2,
    stderr: "unknown option '--frob'",
  },
];
