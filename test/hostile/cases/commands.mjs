// Hostile command lines: every command and flag against bad values, outputs in the way, missing
// folders, bad tensors and hostile ids. Each case runs the built CLI in a fresh folder ('{dir}').
// Shape of a case: see test/hostile/runner.mjs. `setup(dir)` (optional) prepares what plain files
// cannot express (symbolic links).
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { completes, refused, refusedRows } from '../build.mjs';

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
/** A file of the two tensors of the fisher cases (a Fisher diagonal or an update): `w` (2×3) and `b` (2). */
const wbFile = (w, b) => safetensors({ w: [[2, 3], w], b: [[2], b] });
const FISHER_A = wbFile([0.5, 0.1, 0.2, 0.9, 0.05, 0.3], [0.4, 0.7]);
const FISHER_B = wbFile([0.4, 0.2, 0.1, 0.8, 0.1, 0.2], [0.5, 0.6]);
/** A LoRA adapter file of one layer `l`: A (2×3) and B (4×2). */
const adapterFile = (a, b) => safetensors({ 'l.lora_A.weight': [[2, 3], a], 'l.lora_B.weight': [[4, 2], b] });
const SLOW = adapterFile([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0.1, 0, 0, 0.1, 0.2, 0.1, 0.3, 0]);
const FAST = adapterFile([0.2, 0.1, 0.3, 0.5, 0.4, 0.6], [0.2, 0, 0.1, 0.1, 0.1, 0.1, 0.3, 0.1]);

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
const REPLAY_OUT = [...REPLAY, '--out', '{dir}/w.csv'];
const MERGE = ['lora', 'merge', '--slow', '{dir}/slow.safetensors', '--fast', '{dir}/fast.safetensors'];
const ADAPTERS = { 'slow.safetensors': SLOW, 'fast.safetensors': FAST };
const CAPS = ['replay', '{dir}/ds', '--observed', '{dir}/obs.csv', '--n', '100', '--caps'];
const DS_OBS = { ...DS, 'obs.csv': OBS };
/** Cases where `predict` must refuse a bad observed file: each row is `[name, obs.csv content, stderr, ...flags]`. */
const observedRefuses = (rows) =>
  rows.map(([name, obs, stderr, ...flags]) =>
    refused(name, { ...BASE, 'obs.csv': obs }, [...PREDICT, ...flags, '--out', '{dir}/p.csv'], stderr),
  );
/**
 * Cases of one command (`args`) against what stands at its output: each row is `[name, files over BASE,
 * more args, exit status, stderr pattern (optional), setup (optional)]`.
 */
const atOutput = (args, rows) =>
  rows.map(([name, files, more, exit, stderr, setup]) => ({
    name,
    files: { ...BASE, ...files },
    args: [...args, ...more],
    exit,
    ...(stderr !== undefined && { stderr }),
    ...(setup !== undefined && { setup }),
  }));
const dangling = (name) => (dir) => symlinkSync(join(dir, 'nowhere', 'target'), join(dir, name));
const deadPid = 4194302; // just below the largest pid Linux allows: no live process holds it in practice

export const cases = [
  // ---------------------------------------------------------------- outputs: exclusive, forced, located
  ...atOutput(PREDICT, [
    [
      'predict --out exists without --force',
      { 'p.csv': 'old\n' },
      ['--out', '{dir}/p.csv'],
      2,
      'p\\.csv: .*already exists; pass --force',
    ],
    ['predict --out exists with --force', { 'p.csv': 'old\n' }, ['--out', '{dir}/p.csv', '--force'], 0, 'predict: '],
    [
      'predict --out in a missing folder fails before any work',
      {},
      ['--out', '{dir}/no/such/p.csv'],
      2,
      'p\\.csv: the folder .*no/such does not exist',
    ],
    ['predict --out is a folder', { 'p.csv/x': 'x' }, ['--out', '{dir}/p.csv', '--force'], 2, 'p\\.csv: .*is a folder'],
    [
      'predict --out is a dangling symlink',
      {},
      ['--out', '{dir}/p.csv'],
      2,
      'p\\.csv: .*already exists',
      dangling('p.csv'),
    ],
    [
      'predict --out with an unknown extension',
      {},
      ['--out', '{dir}/p.xlsx'],
      2,
      'p\\.xlsx: --out: cannot tell the format',
    ],
    [
      'predict --out with a stale temporary of a dead run',
      { [`.p.csv.tmp-${deadPid}-abcdefgh`]: 'partial' },
      ['--out', '{dir}/p.csv'],
      0,
      `removed \\.p\\.csv\\.tmp-${deadPid}-abcdefgh`,
    ],
  ]),
  refused(
    'replay --out exists without --force',
    { ...BASE, 'w.csv': 'old\n' },
    REPLAY_OUT,
    'w\\.csv: .*already exists; pass --force',
  ),
  ...atOutput(REPLAY, [
    [
      'replay --out in a missing folder',
      {},
      ['--out', '{dir}/missing/w.parquet'],
      2,
      'w\\.parquet: the folder .* does not exist',
    ],
    ['replay --out with an unknown extension', {}, ['--out', '{dir}/w.txt'], 2, 'cannot tell the format of .*w\\.txt'],
  ]),
  ...atOutput(REPLAY_OUT, [
    ['replay --out is a dangling symlink', {}, [], 2, 'w\\.csv: .*already exists', dangling('w.csv')],
    ['replay --out is a dangling symlink, --force replaces the link', {}, ['--force'], 0, undefined, dangling('w.csv')],
  ]),
  refused(
    'report --out exists without --force',
    { ...BASE, 'r.html': 'old' },
    REPORT,
    'r\\.html: .*already exists; pass --force',
  ),
  refused(
    'report --out in a missing folder',
    BASE,
    ['report', '{dir}/z.csv', '--out', '{dir}/nope/r.html'],
    'r\\.html: the folder .*nope does not exist',
  ),
  refused('report --out is a folder', { ...BASE, 'r.html/x': 'x' }, [...REPORT, '--force'], 'r\\.html: .*is a folder'),
  ...atOutput(ANALYZE, [
    [
      'analyze --out: a folder of other files',
      { 'out/notes.txt': 'mine' },
      ['--out', '{dir}/out'],
      2,
      'out: .*already exists; pass --force',
    ],
    [
      'analyze --out --force never replaces a folder of other files',
      { 'out/notes.txt': 'mine' },
      ['--out', '{dir}/out', '--force'],
      2,
      'out: .*holds files this command does not write \\(notes\\.txt\\)',
    ],
    [
      'analyze --out is a file',
      { out: 'x' },
      ['--out', '{dir}/out', '--force'],
      2,
      '--out must be a folder, but .*out is a file',
    ],
    ['analyze --out under a missing folder', {}, ['--out', '{dir}/a/b'], 2, 'b: the folder .*a does not exist'],
    ['analyze --out into an empty folder', { 'out/.keep': null }, ['--out', '{dir}/out'], 0],
    [
      'analyze --out --force replaces an earlier output',
      { 'out/summary.json': '{}', 'out/tasks.csv': 'x\n' },
      ['--out', '{dir}/out', '--force'],
      0,
    ],
    [
      'analyze --out cleans a stale temporary folder of a dead run',
      { [`.out.tmp-${deadPid}-abcdefgh/tasks.csv`]: 'partial' },
      ['--out', '{dir}/out'],
      0,
      `removed \\.out\\.tmp-${deadPid}-abcdefgh`,
    ],
    [
      'analyze --out restores a folder an interrupted --force left aside',
      { [`.out.old-${deadPid}-abcdefgh/summary.json`]: '{}' },
      ['--out', '{dir}/out'],
      2,
      `restored .*out from \\.out\\.old-${deadPid}-abcdefgh[\\s\\S]*already exists`,
    ],
    [
      'analyze --out is a dangling symlink',
      {},
      ['--out', '{dir}/out'],
      2,
      '--out must be a folder, but .*out is a symbolic link',
      dangling('out'),
    ],
  ]),
  ...atOutput(EVALUATE, [
    [
      'evaluate --dump-known exists',
      { 'k.json': '{}' },
      ['--known', '3', '--dump-known', '{dir}/k.json'],
      2,
      'k\\.json: .*already exists',
    ],
    [
      'evaluate --dump-known in a missing folder',
      {},
      ['--known', '3', '--dump-known', '{dir}/x/k.json'],
      2,
      'k\\.json: the folder .* does not exist',
    ],
  ]),
  refused(
    'lora merge --out exists',
    { 'slow.safetensors': SLOW, 'fast.safetensors': FAST, 'm.safetensors': 'x' },
    [...MERGE, '--lambda', '0.5', '--out', '{dir}/m.safetensors'],
    'm\\.safetensors: .*already exists',
  ),
  refused(
    'lora merge --out in a missing folder',
    ADAPTERS,
    [...MERGE, '--lambda', '0.5', '--out', '{dir}/q/m.safetensors'],
    'm\\.safetensors: the folder .* does not exist',
  ),
  refused(
    'demo --out holding a report, without --force',
    { 'demo-output/report.html': 'old' },
    ['demo', '--out', '{dir}/demo-output'],
    'report\\.html: .*already exists',
  ),
  refused(
    'demo --input that does not exist',
    {},
    ['demo', '--input', '{dir}/nothing', '--out', '{dir}/o'],
    'nothing does not exist',
  ),

  // ---------------------------------------------------------------- evaluate: counts against the data
  ...refusedRows(BASE, EVALUATE, [
    [
      'evaluate --known one billion on 10 examples',
      ['--known', '1000000000'],
      '--known must be in 1\\.\\.10 \\(the examples of the matrix\\), got 1000000000',
    ],
    ['evaluate --known 11 on 10 examples', ['--known', '11'], '--known must be in 1\\.\\.10'],
    ['evaluate --known 0', ['--known', '0'], '--known must be a positive integer, got "0"'],
    ['evaluate --known negative', ['--known=-3'], '--known must be a non-negative integer, got "-3"'],
    ['evaluate --known not a number', ['--known', 'ten'], '--known must be a non-negative integer, got "ten"'],
    ['evaluate --known 2.5', ['--known', '2.5'], '--known must be a non-negative integer'],
    ['evaluate --seeds reversed range', ['--known', '3', '--seeds', '5-1'], '--seeds: empty range 5-1'],
    [
      'evaluate --seeds too long a range',
      ['--known', '3', '--seeds', '0-1000000000'],
      '--seeds: range 0-1000000000 is too long',
    ],
  ]),
  ...refusedRows(
    BASE,
    ['evaluate', '{dir}/z.csv', '--train-rows'],
    [
      [
        'evaluate --train-rows outside the matrix',
        ['0-99', '--test-rows', '5', '--known', '3'],
        '--train-rows: range 0-99 is outside 0-5',
      ],
      [
        'evaluate --test-rows index outside the matrix',
        ['0-3', '--test-rows', '6', '--known', '3'],
        '--test-rows: row 6 is outside 0-5',
      ],
      [
        'evaluate --train-rows names no task',
        ['nosuch', '--test-rows', '5', '--known', '3'],
        '--train-rows: "nosuch" is neither a row index',
      ],
      ['evaluate without --test-rows', ['0-3'], 'evaluate needs --test-rows'],
    ],
  ),
  ...refusedRows(
    BASE,
    [...EVALUATE, '--known', '3'],
    [
      ['evaluate --methods unknown', ['--methods', 'magic'], '--methods: unknown method "magic"'],
      ['evaluate --select unknown', ['--select', 'psychic'], '--select must be paper or active, got "psychic"'],
      ['evaluate --backend unknown', ['--backend', 'quantum'], '--backend must be auto, cpu or webgpu, got "quantum"'],
    ],
  ),
  completes('evaluate on a small matrix works', BASE, [...EVALUATE, '--known', '3', '--json']),

  // ---------------------------------------------------------------- analyze
  ...refusedRows(BASE, ANALYZE, [
    ['analyze --ranks 0', ['--ranks', '0'], '--ranks must be a positive integer, got "0"'],
    [
      'analyze --ranks above min(tasks, examples)',
      ['--ranks', '1000'],
      '--ranks 1000 exceeds min\\(tasks, examples\\) = 6',
    ],
    ['analyze --top 0', ['--top', '0'], '--top must be a positive integer'],
  ]),
  refused(
    'analyze --backend unknown',
    BASE,
    ['analyze', '{dir}/z.csv', '--backend', 'abacus'],
    '--backend must be auto, cpu or webgpu',
  ),
  refused('analyze a missing input', {}, ['analyze', '{dir}/none.csv'], 'none\\.csv'),

  // ---------------------------------------------------------------- replay: ratios, budgets, caps, probes
  ...refusedRows(BASE, REPLAY_OUT, [
    ['replay --ratio 0', ['--ratio', '0'], '--ratio must be in \\(0, 1\\], got "0"'],
    ['replay --ratio above 1', ['--ratio', '1.5'], '--ratio must be in \\(0, 1\\]'],
    ['replay --ratio negative', ['--ratio=-0.5'], '--ratio must be in \\(0, 1\\]'],
    ['replay --ratio NaN', ['--ratio', 'NaN'], '--ratio must be a number, got "NaN"'],
  ]),
  refused(
    'replay --n 0',
    BASE,
    ['replay', '{dir}/z.csv', '--observed', '{dir}/obs.csv', '--n', '0', '--out', '{dir}/w.csv'],
    '--n must be a positive integer',
  ),
  refused(
    'replay budget larger than the examples',
    BASE,
    ['replay', '{dir}/z.csv', '--observed', '{dir}/obs.csv', '--n', '1000000', '--out', '{dir}/w.csv'],
    'asks for 31251 replayed examples .* but the matrix has 10 examples',
  ),
  refused(
    'replay --n and --n-fine-tune disagree',
    BASE,
    [...REPLAY, '--n-fine-tune', '50', '--out', '{dir}/w.csv'],
    '--n-fine-tune and its alias --n disagree',
  ),
  ...refusedRows(BASE, REPLAY_OUT, [
    ['replay --temperature 0', ['--temperature', '0'], '--temperature must be a positive number, got "0"'],
    ['replay --temperature negative', ['--temperature=-1'], '--temperature must be a positive number'],
    ['replay --temperature Infinity', ['--temperature', 'Infinity'], '--temperature must be a positive number'],
    ['replay --auto-support 0', ['--auto-support', '0'], '--auto-support must be a positive number'],
    [
      'replay --temperature with a policy that takes none',
      ['--temperature', '0.1', '--policy', 'uniform'],
      '--temperature 0\\.1 applies to the softmax and oracle policies',
    ],
    ['replay --policy unknown', ['--policy', 'chaos'], 'chaos'],
    ['replay --factor-rank 0', ['--factor-rank', '0'], '--factor-rank must be a positive integer'],
    ['replay --seed not a number', ['--seed', 'x'], '--seed must be an integer, got "x"'],
    ['replay --replay-method unknown', ['--replay-method', 'oracle9'], '--replay-method: unknown method "oracle9"'],
  ]),
  refused(
    'replay without --observed',
    BASE,
    ['replay', '{dir}/z.csv', '--n', '100', '--out', '{dir}/w.csv'],
    'replay needs --observed',
  ),
  refused(
    'replay without --n',
    BASE,
    ['replay', '{dir}/z.csv', '--observed', '{dir}/obs.csv', '--out', '{dir}/w.csv'],
    'replay needs --n-fine-tune',
  ),
  refused('replay without --out', BASE, REPLAY, 'replay needs --out'),
  ...refusedRows(DS_OBS, CAPS, [
    [
      'replay --caps names a source no example has',
      ['nosuchsource=3', '--out', '{dir}/w.csv'],
      '--caps: no example has source "nosuchsource"; the sources are man, python',
    ],
    ['replay --caps names a source twice', ['man=1,man=2', '--out', '{dir}/w.csv'], '--caps names source "man" twice'],
    ['replay --caps with a bad count', ['man=lots', '--out', '{dir}/w.csv'], '--caps: "man=lots" is not SOURCE=COUNT'],
  ]),
  refused(
    'replay --caps on examples without sources',
    BASE,
    [...REPLAY, '--caps', 'man=1', '--out', '{dir}/w.csv'],
    '--caps needs a source for every example; example "e0" has none',
  ),
  completes('replay --caps that fit', DS_OBS, [...CAPS, 'man=2,python=2', '--out', '{dir}/w.csv']),
  ...refusedRows(
    BASE,
    ['replay', '{dir}/z.csv'],
    [
      ['replay --online-steps 0', ['--online-steps', '0'], '--online-steps must be a positive integer, got "0"'],
      [
        'replay --online-steps negative',
        ['--online-steps=-5'],
        '--online-steps must be a non-negative integer, got "-5"',
      ],
      ['replay --probes 0', ['--online-steps', '10', '--probes', '0'], '--probes must be a positive integer, got "0"'],
      [
        'replay --probes above the examples',
        ['--online-steps', '10', '--probes', '11'],
        '--probes must be in 1\\.\\.10 \\(the examples of the matrix\\), got 11',
      ],
      [
        'replay --probes one billion',
        ['--online-steps', '10', '--probes', '1000000000'],
        '--probes must be in 1\\.\\.10',
      ],
    ],
  ),
  completes('replay online plan works', BASE, [
    'replay',
    '{dir}/z.csv',
    '--online-steps',
    '10',
    '--probes',
    '3',
    '--json',
  ]),
  refused(
    'replay --exclude names an unknown example',
    { ...BASE, 'ex.txt': 'e1\nzzz\n' },
    [...REPLAY, '--exclude', '{dir}/ex.txt', '--out', '{dir}/w.csv'],
    'ex\\.txt:2:1: example "zzz" is not an example of the matrix',
  ),
  refused(
    'replay --exclude is not JSON',
    { ...BASE, 'ex.json': '[1, 2' },
    [...REPLAY, '--exclude', '{dir}/ex.json', '--out', '{dir}/w.csv'],
    'ex\\.json:1:1: not valid JSON',
  ),
  completes('replay writes a plan', BASE, [...REPLAY, '--out', '{dir}/w.parquet'], {
    stderr: '^(?![\\s\\S]*maxDynamic)',
  }),
  completes(
    'replay CSV with formula-like ids warns and keeps them',
    {
      'z.csv': longCsv({ exampleId: (j) => ['=1+1', '+cmd', '-x', '@y'][j] ?? `e${j}` }),
      'obs.csv': 'example,value\ne4,0.5\n"=1+1",0.1\n',
    },
    REPLAY_OUT,
    { stderr: 'w\\.csv: 4 ids \\(e\\.g\\. "=1\\+1"\\) start with =, \\+, -, @' },
  ),

  // ---------------------------------------------------------------- predict: measured entries
  completes(
    'predict --observed with a blank value (not measured, with a warning)',
    { ...BASE, 'obs.csv': 'example,value\ne0,\ne3,0.1\n' },
    [...PREDICT, '--out', '{dir}/p.csv'],
    {
      stderr:
        'warning: .*obs\\.csv:2:4: 1 measured entry has no finite value \\(1 empty value\\); counted as not measured',
    },
  ),
  completes(
    'predict --observed with a blank value on a later line (warning)',
    { ...BASE, 'obs.csv': 'example,value\ne0,0.3\ne3,\n' },
    [...PREDICT, '--out', '{dir}/p.csv'],
    { stderr: 'warning: .*obs\\.csv:3:4: 1 measured entry has no finite value' },
  ),
  completes(
    'predict --observed TSV with a blank value (warning)',
    { ...BASE, 'obs.tsv': 'value\texample\n0.3\te1\n\te2\n' },
    [...PREDICT, '--observed', '{dir}/obs.tsv', '--out', '{dir}/p.csv'],
    { stderr: 'warning: .*obs\\.tsv:3:1: 1 measured entry has no finite value' },
  ),
  completes(
    'predict --observed JSON Lines with a null value (warning)',
    { ...BASE, 'obs.jsonl': '{"example":"e1","value":0.2}\n{"example":"e2","value":null}\n' },
    [...PREDICT, '--observed', '{dir}/obs.jsonl', '--out', '{dir}/p.csv'],
    { stderr: 'warning: .*obs\\.jsonl: 1 measured entry has no finite value \\(1 null value\\)' },
  ),
  ...observedRefuses([
    [
      'predict --observed with NaN, even with --nan-as-missing',
      'example,value\ne0,NaN\n',
      'obs\\.csv:2:4: column "value": NaN is not a finite number; a measured entry needs a finite value',
      '--nan-as-missing',
    ],
    ['predict --observed with no finite value at all', 'example,value\ne0,\ne3,\n', 'obs\\.csv: no observed value'],
    [
      'predict --observed with a word for a value',
      'example,value\ne0,abc\n',
      'obs\\.csv:2:\\d+: .*"abc" is not a number',
    ],
    [
      'predict --observed with an unknown example',
      'example,value\ne0,0.1\nghost,0.2\n',
      'obs\\.csv:3:1: example "ghost" is not an example of the matrix',
    ],
    ['predict --observed with only a header', 'example,value\n', 'obs\\.csv'],
    ['predict --observed repeats an example', 'example,value\ne0,0.1\ne0,0.2\n', 'obs\\.csv:3'],
  ]),
  refused('predict --observed missing', { 'z.csv': Z }, [...PREDICT, '--out', '{dir}/p.csv'], 'obs\\.csv'),
  refused(
    'predict --observed is a folder',
    { 'z.csv': Z, 'obs.csv/x': 'x' },
    [...PREDICT, '--out', '{dir}/p.csv'],
    'obs\\.csv',
  ),
  ...refusedRows(BASE, PREDICT, [
    ['predict --method unknown', ['--method', 'crystal-ball', '--out', '{dir}/p.csv'], 'crystal-ball'],
    ['predict --seed negative', ['--seed=-1', '--out', '{dir}/p.csv'], '--seed must be a non-negative integer'],
    ['predict --side-row without --side', ['--side-row', '5', '--out', '{dir}/p.csv'], '--side-row needs --side'],
  ]),
  refused(
    'predict --train-rows outside',
    BASE,
    ['predict', '{dir}/z.csv', '--train-rows', '3-9', '--observed', '{dir}/obs.csv', '--out', '{dir}/p.csv'],
    '--train-rows: range 3-9 is outside 0-5',
  ),
  refused(
    'predict without --observed',
    BASE,
    ['predict', '{dir}/z.csv', '--out', '{dir}/p.csv'],
    'predict needs --observed',
  ),
  completes('predict never starts WebGPU for small work', BASE, [...PREDICT, '--out', '{dir}/p.parquet'], {
    stderr: '^(?![\\s\\S]*(maxDynamic|Warning:))[\\s\\S]*predict: lowrank on 5 train rows',
  }),

  // ---------------------------------------------------------------- report: counts and hostile ids
  ...refusedRows(BASE, REPORT, [
    ['report --known 0', ['--known', '0'], '--known must be a positive integer'],
    ['report --known above the examples', [...SPLIT, '--known', '50'], '--known must be in 1\\.\\.10'],
    [
      'report --curve with a k above the examples',
      [...SPLIT, '--curve', '2,1000'],
      '--curve must be in 1\\.\\.10 \\(the examples of the matrix\\), got 1000',
    ],
    ['report --curve 0', [...SPLIT, '--curve', '0,5'], '--curve must be a positive integer'],
    ['report --train-rows without --test-rows', ['--train-rows', '0-3'], '--train-rows and --test-rows go together'],
    ['report --train-rows and --test-rows overlap', ['--train-rows', '0-4', '--test-rows', '4-5'], 'share row 4'],
    ['report replay budget above the examples', [...SPLIT, '--n', '10000'], 'asks for 313 replayed examples'],
    ['report --ratio 0', ['--ratio', '0'], '--ratio must be in \\(0, 1\\]'],
    ['report --replay-task outside', ['--replay-task', '40'], '--replay-task: row 40 is outside 0-5'],
  ]),
  completes(
    'report with a task id holding U+2028, quotes and a backslash',
    { 'z.csv': longCsv({ taskId: (i) => ['t\u2028a', 't"b', "t'c", 't\\d', 't\u2029e', 't</script>'][i] }) },
    REPORT,
    { maxSeconds: 8 },
  ),
  completes(
    'report with hostile ids, a split and a replay plan',
    {
      'z.csv': longCsv({
        taskId: (i) => ['t\u2028a', 't"b', "t'c", 't\\d', 't\u2029e', 't</script>'][i],
        exampleId: (j) => (j === 0 ? 'e\u2028"0' : `e${j}`),
      }),
    },
    [...REPORT, ...SPLIT],
    { maxSeconds: 10 },
  ),
  completes(
    'report with hostile source names',
    dataset('ds', { source: (j) => ['a\u2028b', 'c"d', "e'f", 'g\\h'][j % 4] }),
    ['report', '{dir}/ds', '--out', '{dir}/r.html', '--json', ...SPLIT],
    { maxSeconds: 10 },
  ),

  // ---------------------------------------------------------------- subspace: weights and rules
  refused(
    'subspace with a NaN weight before',
    {
      'before.safetensors': safetensors({ w: [[3, 4], W0.map((v, k) => (k === 1 ? NaN : v))] }),
      'after.safetensors': AFTER,
    },
    SUBSPACE,
    'before\\.safetensors: tensor "w" \\(weights\\) entry \\[0, 1\\] is NaN; expected finite values',
  ),
  refused(
    'subspace with an infinite weight after',
    {
      'before.safetensors': BEFORE,
      'after.safetensors': safetensors({ w: [[3, 4], W1.map((v, k) => (k === 6 ? Infinity : v))] }),
    },
    SUBSPACE,
    'after\\.safetensors: tensor "w" \\(weights\\) entry \\[1, 2\\] is Infinity',
  ),
  ...refusedRows(TENSORS, SUBSPACE, [
    ['subspace --mrr 2', ['--mrr', '2'], '--mrr must be in \\[0, 1\\], got "2"'],
    ['subspace --trr -1', ['--mrr', '2', '--trr=-1'], '--mrr must be in \\[0, 1\\]'],
    ['subspace --trr negative', ['--trr=-1'], '--trr must be in \\(0, 1\\], got "-1"'],
    ['subspace --mrr above --trr', ['--mrr', '0.9', '--trr', '0.5'], '--mrr 0\\.9 must not exceed --trr 0\\.5'],
    ['subspace --k above the layer', ['--k', '100'], 'exceeds the 3 singular vectors'],
    ['subspace --k negative', ['--k=-1'], '--k must be a non-negative integer'],
    ['subspace --energy 0', ['--energy', '0'], '--energy must be in \\(0, 1\\]'],
    [
      'subspace --energy with --activations',
      ['--energy', '0.5', '--activations', '{dir}'],
      '--energy and --activations choose different rank rules',
    ],
    [
      'subspace --activations without the layer file',
      ['--activations', '{dir}/acts'],
      'w\\.safetensors: no captured inputs for layer "w"',
    ],
  ]),
  refused(
    'subspace --before is a folder',
    { ...TENSORS, 'dir/x': 'x' },
    ['subspace', '--before', '{dir}/dir', '--after', '{dir}/after.safetensors'],
    '/dir: cannot open: is a folder, not a file',
  ),
  refused(
    'subspace --before missing',
    { 'after.safetensors': AFTER },
    SUBSPACE,
    'before\\.safetensors: cannot open: no such file',
  ),
  refused(
    'subspace --before truncated',
    { 'before.safetensors': BEFORE.slice(0, BEFORE.length - 5), 'after.safetensors': AFTER },
    SUBSPACE,
    'before\\.safetensors',
  ),
  refused(
    'subspace --before is not safetensors',
    { 'before.safetensors': 'hello, world', 'after.safetensors': AFTER },
    SUBSPACE,
    'before\\.safetensors',
  ),
  refused(
    'subspace tensor missing after',
    { 'before.safetensors': BEFORE, 'after.safetensors': safetensors({ v: [[3, 4], W1] }) },
    SUBSPACE,
    'after\\.safetensors: tensor "w" is in the before file but not in the after file',
  ),
  refused(
    'subspace shapes differ',
    { 'before.safetensors': BEFORE, 'after.safetensors': safetensors({ w: [[4, 3], W1] }) },
    SUBSPACE,
    'tensor "w": shape \\[3,4\\] before but \\[4,3\\] after',
  ),
  refused(
    'subspace --tensors is not a regular expression',
    TENSORS,
    [...SUBSPACE, '--tensors', '('],
    'not a valid regular expression',
  ),
  refused('subspace --tensors matches nothing', TENSORS, [...SUBSPACE, '--tensors', '^zzz$'], 'no 2-D tensor matching'),
  completes('subspace works', TENSORS, [...SUBSPACE, '--json']),

  // ---------------------------------------------------------------- fisher
  refused(
    'fisher with a NaN value',
    {
      'a.safetensors': safetensors({
        w: [
          [2, 3],
          [0.5, NaN, 0.2, 0.9, 0.05, 0.3],
        ],
      }),
    },
    ['fisher', '{dir}/a.safetensors'],
    'a\\.safetensors: tensor "w" \\(Fisher diagonal\\) entry \\[0, 1\\] is NaN; expected finite values ≥ 0',
  ),
  refused(
    'fisher with a negative value',
    { 'a.safetensors': safetensors({ b: [[2], [0.4, -0.7]] }) },
    ['fisher', '{dir}/a.safetensors'],
    'a\\.safetensors: tensor "b" \\(Fisher diagonal\\) entry \\[1\\] is -0\\.7',
  ),
  refused(
    'fisher second file with an infinite value',
    {
      'a.safetensors': FISHER_A,
      'b.safetensors': wbFile([0.4, 0.2, Infinity, 0.8, 0.1, 0.2], [0.5, 0.6]),
    },
    ['fisher', '{dir}/a.safetensors', '{dir}/b.safetensors'],
    'b\\.safetensors: tensor "w" \\(Fisher diagonal\\) entry \\[0, 2\\] is Infinity',
  ),
  refused('fisher given a folder', { 'a/x': 'x' }, ['fisher', '{dir}/a'], '/a: cannot open: is a folder, not a file'),
  refused('fisher given a missing file', {}, ['fisher', '{dir}/a.safetensors'], 'a\\.safetensors'),
  ...refusedRows(
    { 'a.safetensors': FISHER_A },
    ['fisher', '{dir}/a.safetensors'],
    [
      ['fisher --top-fraction 0', ['--top-fraction', '0'], '--top-fraction must be in \\(0, 1\\]'],
      ['fisher --top 1.5', ['--top', '1.5'], '--top must be in \\(0, 1\\]'],
      ['fisher --lambda negative', ['--lambda=-1'], '--lambda must be a number ≥ 0, got "-1"'],
      ['fisher --eta 0', ['--eta', '0'], '--eta must be a positive number'],
      ['fisher --variant c', ['--variant', 'c'], '--variant must be a or b, got "c"'],
    ],
  ),
  refused(
    'fisher --update with a NaN',
    {
      'a.safetensors': FISHER_A,
      'u.safetensors': wbFile([0, 0, 0, NaN, 0, 0], [0, 0]),
    },
    ['fisher', '{dir}/a.safetensors', '--update', '{dir}/u.safetensors'],
    'u\\.safetensors: tensor "w" \\(update\\) entry \\[1, 0\\] is NaN',
  ),
  refused(
    'fisher --grads with a NaN gradient',
    {
      'a.safetensors': FISHER_A,
      'g.safetensors': safetensors({ G: [[2, 8], range(16, (k) => (k === 9 ? NaN : 0.1 * k))] }),
    },
    ['fisher', '{dir}/a.safetensors', '--grads', '{dir}/g.safetensors'],
    'g\\.safetensors: tensor "G" \\(gradients\\) entry \\[1, 1\\] is NaN',
  ),
  refused(
    'fisher --grads without G',
    { 'a.safetensors': FISHER_A, 'g.safetensors': safetensors({ H: [[2, 8], range(16, (k) => k)] }) },
    ['fisher', '{dir}/a.safetensors', '--grads', '{dir}/g.safetensors'],
    'g\\.safetensors: expected a 2-D tensor "G"',
  ),
  refused(
    'fisher --grads of the wrong width',
    { 'a.safetensors': FISHER_A, 'g.safetensors': safetensors({ G: [[2, 5], range(10, (k) => k)] }) },
    ['fisher', '{dir}/a.safetensors', '--grads', '{dir}/g.safetensors'],
    'g\\.safetensors: gradients have P = 5 entries but the Fisher has 8',
  ),
  refused(
    'fisher variant b without gL',
    { 'a.safetensors': FISHER_A, 'g.safetensors': safetensors({ G: [[2, 8], range(16, (k) => 0.1 * k)] }) },
    ['fisher', '{dir}/a.safetensors', '--grads', '{dir}/g.safetensors', '--variant', 'b'],
    'variant b needs a tensor "gL"',
  ),
  refused(
    'fisher files with different tensors',
    { 'a.safetensors': FISHER_A, 'b.safetensors': safetensors({ q: [[2], [1, 2]] }) },
    ['fisher', '{dir}/a.safetensors', '{dir}/b.safetensors'],
    'tensor "q" is in the second Fisher file but not in the first',
  ),
  completes('fisher compares two tasks', { 'a.safetensors': FISHER_A, 'b.safetensors': FISHER_B }, [
    'fisher',
    '{dir}/a.safetensors',
    '{dir}/b.safetensors',
    '--top',
    '0.5',
    '--json',
  ]),

  // ---------------------------------------------------------------- lora
  refused(
    'lora barrier without the loss column',
    { 'l.csv': 'alpha,x\n0,1\n1,2\n' },
    ['lora', 'barrier', '{dir}/l.csv'],
    'l\\.csv:1:1: expected columns "alpha" and "loss"',
  ),
  refused(
    'lora barrier with a word for a loss',
    { 'l.csv': 'alpha,loss\n0,1\n0.5,high\n1,2\n' },
    ['lora', 'barrier', '{dir}/l.csv'],
    'l\\.csv:3',
  ),
  refused(
    'lora barrier --weight 2',
    { 'l.csv': 'alpha,loss\n0,1\n1,2\n' },
    ['lora', 'barrier', '{dir}/l.csv', '--weight', '2'],
    '--weight must be in \\[0, 1\\], got "2"',
  ),
  completes('lora barrier works', { 'l.csv': 'alpha,loss\n0,1\n0.5,1.8\n1,2\n' }, [
    'lora',
    'barrier',
    '{dir}/l.csv',
    '--json',
  ]),
  ...refusedRows(
    ADAPTERS,
    [...MERGE, '--lambda'],
    [
      [
        'lora merge --lambda 1.5',
        ['1.5', '--out', '{dir}/m.safetensors'],
        '--lambda must be in \\[0, 1\\], got "1\\.5"',
      ],
      ['lora merge --lambda NaN', ['NaN', '--out', '{dir}/m.safetensors'], '--lambda must be a number'],
      [
        'lora merge --lora-alpha 0',
        ['0.5', '--lora-alpha', '0', '--out', '{dir}/m.safetensors'],
        '--lora-alpha must be a positive number',
      ],
    ],
  ),
  refused(
    'lora merge with a NaN in the slow adapter',
    {
      'slow.safetensors': adapterFile([0.1, 0.2, NaN, 0.4, 0.5, 0.6], [0, 0, 0, 0, 0, 0, 0, 0]),
      'fast.safetensors': FAST,
    },
    [...MERGE, '--lambda', '0.5', '--out', '{dir}/m.safetensors'],
    'slow\\.safetensors: tensor "l\\.lora_A\\.weight" \\(adapter\\) entry \\[0, 2\\] is NaN',
  ),
  completes('lora merge works', ADAPTERS, [...MERGE, '--lambda', '0.5', '--out', '{dir}/m.safetensors', '--json']),

  // ---------------------------------------------------------------- recipes, info, the program
  refused(
    'recipes --tau not a number',
    { 'r.csv': 'task,recipe,example,delta\nt1,full,e1,0.1\n' },
    ['recipes', '{dir}/r.csv', '--tau', 'abc'],
    '--tau must be a number, got "abc"',
  ),
  refused('recipes missing input', {}, ['recipes', '{dir}/r.csv'], 'r\\.csv: no such file'),
  refused(
    'recipes --tokens without --tokens-base',
    { 'r.csv': 'task,recipe,example,delta\nt1,full,e1,0.1\nt1,lora,e1,0.2\n' },
    ['recipes', '{dir}/r.csv', '--tokens', 'full=x.safetensors'],
    '--tokens needs --tokens-base',
  ),
  refused(
    'recipes with a bad value',
    { 'r.csv': 'task,recipe,example,delta\nt1,full,e1,zz\n' },
    ['recipes', '{dir}/r.csv'],
    'r\\.csv:2',
  ),
  completes(
    'recipes compares two recipes',
    { 'r.csv': 'task,recipe,example,delta\nt1,full,e1,0.1\nt1,full,e2,0.3\nt1,lora,e1,0.2\nt1,lora,e2,0.1\n' },
    ['recipes', '{dir}/r.csv', '--json'],
  ),
  refused('info on a folder without a dataset', { 'empty/readme.txt': 'x' }, ['info', '{dir}/empty'], 'empty'),
  refused(
    'info --duplicates unknown',
    BASE,
    ['info', '{dir}/z.csv', '--duplicates', 'both'],
    '--duplicates must be error, mean or last, got "both"',
  ),
  refused(
    'info --dtype unknown',
    BASE,
    ['info', '{dir}/z.csv', '--dtype', 'float16'],
    '--dtype must be float64 or float32',
  ),
  refused('an unknown command', {}, ['frobnicate'], "unknown command 'frobnicate'"),
  refused('an unknown option', BASE, ['info', '{dir}/z.csv', '--frob'], "unknown option '--frob'"),
];
