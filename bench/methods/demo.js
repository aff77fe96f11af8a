// Runs the four seed-method modules on the exports of bench/methods/demo.py and writes the tables
// (markdown) and plots (SVG) shown in docs/methods.md.
//
//   python3 bench/methods/demo.py OUT && npm run build && node bench/methods/demo.js OUT docs/img/methods
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// FORGETSCOPE_DIST: another build folder (default: this checkout's dist/).
const dist = process.env.FORGETSCOPE_DIST
  ? `file://${process.env.FORGETSCOPE_DIST}`
  : new URL('../../dist', import.meta.url).href;
const { runCli } = await import(`${dist}/cli/main.js`);
const { renderSvg, layerReport, stringifyResult } = await import(`${dist}/index.js`);
const { readSafetensorsFile } = await import(`${dist}/node.js`);

const [out, imgDir] = process.argv.slice(2);
if (!out || !imgDir) {
  console.error('usage: node bench/methods/demo.js DEMO_OUT IMG_DIR');
  process.exit(2);
}
mkdirSync(imgDir, { recursive: true });
const md = [];

async function cli(args) {
  let text = '';
  let err = '';
  const ctx = {
    out: (t) => (text += t),
    err: (t) => (err += t),
    printJson: (v) => (text += stringifyResult(v) + '\n'),
    progress: () => () => {},
    warn: (m) => (err += `warning: ${m}\n`),
    argv: args,
  };
  const code = await runCli(args, ctx);
  if (code !== 0) throw new Error(`forgetscope ${args.join(' ')} failed (${code}): ${err}`);
  return args.includes('--json') ? JSON.parse(text) : text;
}
const g = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : Number(x).toExponential(3));
const f = (x, d = 4) => (x === null || x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
const mdTable = (head, rows) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );
/** Renders a Vega-Lite chart of `values` (its title, [width, height], mark and encoding) to img/NAME.svg. */
async function svg(name, title, [width, height], values, mark, encoding) {
  const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, width, height };
  writeFileSync(join(imgDir, `${name}.svg`), await renderSvg({ ...spec, data: { values }, mark, encoding }));
}

const runs = JSON.parse(readFileSync(join(out, 'runs.json'), 'utf8'));
const tasks = [...new Set(runs.map((r) => r.task))];
const recipes = ['full', 'attn', 'mlp_up', 'lora'];

// 1. Narrow tuning: recipes table + output-bias shift (digit-token mass), per task.
md.push('### Recipes (seed 000)\n');
md.push(
  mdTable(
    ['task', 'recipe', 'trainable', 'task NLL after', 'mean Z'],
    runs.map((r) => [r.task, r.recipe, String(r.trainable), f(r.taskNll, 3), f(r.meanZ)]),
  ),
);
const rec = await cli(['recipes', join(out, 'recipes.csv'), '--json']);
md.push('\n`forgetscope recipes recipes.csv --json` (all tasks together):\n');
md.push(
  mdTable(
    ['recipe', 'tasks', 'mean Z', 'fraction Z > 0.3'],
    rec.recipes.map((r) => [r.recipe, String(r.tasks), f(r.mean), f(r.fractionForgotten, 3)]),
  ),
);
md.push(
  '\n' +
    mdTable(
      ['a', 'b', 'mean diff', 'Spearman'],
      rec.pairwise.map((p) => [p.a, p.b, f(p.meanDiff), f(p.spearman, 3)]),
    ),
);
const biasRows = [];
for (const task of tasks) {
  const csv = readFileSync(join(out, 'recipes.csv'), 'utf8').split('\n');
  const one = [csv[0], ...csv.filter((l) => l.startsWith(`${task},`))].join('\n');
  writeFileSync(join(out, `recipes_${task}.csv`), one + '\n');
  const b = await cli([
    'recipes',
    join(out, `recipes_${task}.csv`),
    '--tokens-base',
    join(out, 'tokens_base.safetensors'),
    ...recipes.flatMap((r) => ['--tokens', `${r}=${join(out, `tokens_${task}_${r}.safetensors`)}`]),
    '--json',
  ]);
  for (const x of b.bias) biasRows.push({ task, ...x });
  biasRows.push({ task, recipe: '(correlation over recipes)', corr: b.biasCorrelation });
}
md.push(
  '\nOutput-bias shift: mean probability mass of the digit bytes `0`–`9` on the upstream text, teacher-forced, before vs after; and its Pearson correlation (over the four recipes of a task) with the mean forgetting:\n',
);
md.push(
  mdTable(
    ['task', 'recipe', 'digit mass before', 'after', 'shift', 'mean Z', 'r(shift, Z)'],
    biasRows.map((b) => [
      b.task,
      b.recipe,
      f(b.massBefore, 5),
      f(b.massAfter, 5),
      f(b.massShift, 5),
      f(b.heldOutForgetting),
      b.corr !== undefined ? f(b.corr, 3) : '',
    ]),
  ),
);
await svg('recipes', 'Mean forgetting by recipe', [320, 160], runs, 'bar', {
  y: { field: 'recipe', type: 'nominal', sort: recipes },
  x: { field: 'meanZ', type: 'quantitative', title: 'mean Z (nats/byte)' },
  row: { field: 'task', type: 'nominal' },
});

// 2. Subspace: per layer, protected fraction of each recipe's update (energy rule τ = 0.9, and retention rule).
md.push('\n### Subspace audit (seed 001)\n');
const subRows = [];
const plotRows = [];
for (const task of tasks) {
  for (const recipe of ['full', 'attn', 'mlp_up']) {
    // The subspace audit of this recipe's update under a rank rule (`--energy τ` or `--activations DIR`).
    const audit = (...rule) =>
      cli([
        'subspace',
        '--before',
        join(out, 'weights_before.safetensors'),
        '--after',
        join(out, `weights_${task}_${recipe}.safetensors`),
        ...rule,
        '--backend',
        'cpu',
        '--json',
      ]);
    const e = await audit('--energy', '0.9');
    const r = await audit('--activations', join(out, 'acts'));
    e.layers.forEach((l, i) => {
      const rr = r.layers[i];
      if (l.protectedFraction === null) return; // untouched tensor (frozen in this recipe)
      subRows.push([
        task,
        recipe,
        l.name,
        `${l.rows}×${l.cols}`,
        f(l.effectiveRank, 1),
        f(l.stableRank, 2),
        String(l.k),
        f(l.protectedFraction),
        f(l.strictFreeFraction),
        f(l.interference, 5),
        String(rr.k),
        f(rr.protectedFraction),
      ]);
      plotRows.push({
        task,
        recipe,
        layer: l.name.replace(/\.weight$/, ''),
        rule: 'energy τ=0.9',
        protected: l.protectedFraction,
      });
      plotRows.push({
        task,
        recipe,
        layer: l.name.replace(/\.weight$/, ''),
        rule: 'retention',
        protected: rr.protectedFraction,
      });
    });
  }
}
md.push(
  mdTable(
    [
      'task',
      'recipe',
      'tensor',
      'shape',
      'eff. rank',
      'stable rank',
      'k (energy)',
      'protected',
      'strict-free',
      'interference',
      'k (retention)',
      'protected (retention)',
    ],
    subRows.filter((r) => r[0] === tasks[0]),
  ),
);
md.push(`\n(${tasks.slice(1).join(', ')}: see the plot.)\n`);
await svg(
  'protected-fraction',
  'Fraction of ‖ΔW‖² in the protected block Uhᵀ ΔW Vh',
  [260, 180],
  plotRows.filter((r) => r.rule === 'energy τ=0.9'),
  { type: 'point', filled: true },
  {
    x: { field: 'layer', type: 'nominal', title: null },
    y: { field: 'protected', type: 'quantitative' },
    color: { field: 'recipe', type: 'nominal' },
    column: { field: 'task', type: 'nominal' },
  },
);
const before = await readSafetensorsFile(join(out, 'weights_before.safetensors'), { precision: 'float64' });
const spec = await layerReport(
  before.map((t) => ({
    name: t.name,
    W: { rows: t.shape[0], cols: t.shape[1], data: t.data },
    dW: { rows: t.shape[0], cols: t.shape[1], data: new Float64Array(t.data.length) },
    k: 1,
  })),
);
const spectra = spec.flatMap((l) =>
  Array.from(l.sigma, (s, i) => ({ layer: l.name.replace(/\.weight$/, ''), i: i + 1, sigma: s })),
);
await svg('spectra', 'Singular values of the pretrained weights', [360, 220], spectra, 'line', {
  x: { field: 'i', type: 'quantitative', title: 'index' },
  y: { field: 'sigma', type: 'quantitative', scale: { type: 'log' }, title: 'σ' },
  color: { field: 'layer', type: 'nominal' },
});

// 3. Fisher: overlap heat map between the upstream Fisher and each task's, EWC of the full updates.
md.push('\n### Fisher overlap (seed 002)\n');
const names = ['upstream', ...tasks];
const heat = [];
for (const a of names)
  for (const b of names) {
    const r = await cli([
      'fisher',
      join(out, `fisher_${a}.safetensors`),
      join(out, `fisher_${b}.safetensors`),
      '--top',
      '0.01',
      '--json',
    ]);
    heat.push({ a, b, jaccard: r.overall.jaccard, cosine: r.overall.cosine });
  }
md.push(
  mdTable(
    ['A \\ B', ...names],
    names.map((a) => [a, ...names.map((b) => f(heat.find((h) => h.a === a && h.b === b).jaccard, 3))]),
  ),
);
md.push('\n(top-1 % Jaccard of the diagonal Fisher, all block tensors together; cosines:)\n');
md.push(
  mdTable(
    ['A \\ B', ...names],
    names.map((a) => [a, ...names.map((b) => f(heat.find((h) => h.a === a && h.b === b).cosine, 3))]),
  ),
);
const ewc = [];
for (const t of tasks) {
  const r = await cli([
    'fisher',
    join(out, 'fisher_upstream.safetensors'),
    join(out, `fisher_${t}.safetensors`),
    '--update',
    join(out, `delta_${t}_full.safetensors`),
    '--tensors',
    '(attn|mlp)\\.\\w+\\.weight$',
    '--json',
  ]);
  ewc.push([t, g(r.overall.ewc), f(runs.find((x) => x.task === t && x.recipe === 'full').meanZ)]);
}
md.push(
  '\nEWC penalty ½ΣF_upstream·ΔW² of each full fine-tuning update over the attention and MLP weight matrices (λ = 1), next to the measured mean forgetting:\n',
);
md.push(mdTable(['task', 'EWC penalty', 'mean Z (full)'], ewc));
await svg('fisher-overlap', 'Top-1% Fisher overlap (Jaccard)', [200, 200], heat, 'rect', {
  x: { field: 'b', type: 'nominal', sort: names, title: null },
  y: { field: 'a', type: 'nominal', sort: names, title: null },
  color: { field: 'jaccard', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] } },
});

// 4. Interpolated LoRA: barrier along the arith → roman adapter path, EMA merge error.
md.push('\n### Interpolated LoRA (seed 004)\n');
const bar = await cli(['lora', 'barrier', join(out, 'path.csv'), '--json']);
const barOld = await cli(['lora', 'barrier', join(out, 'path_old.csv'), '--json']);
md.push(
  `Path from the arith adapter (α = 0) to the adapter after continuing on roman (α = 1), factors interpolated. Mean of old- and new-task loss: barrier ${f(bar.barrier)} at α = ${bar.argAlpha}, mean excess ${f(bar.meanExcess)}; best trade-off (w = 0.5) at α = ${bar.best.alpha} (score ${f(bar.best.score)}). Old-task loss alone: barrier ${f(barOld.barrier)} at α = ${barOld.argAlpha}.\n`,
);
const merge = await cli([
  'lora',
  'merge',
  '--slow',
  join(out, 'lora_slow.safetensors'),
  '--fast',
  join(out, 'lora_fast.safetensors'),
  '--lambda',
  '0.5',
  '--out',
  join(out, 'lora_merged.safetensors'),
  '--force',
  '--lora-alpha',
  '8',
  '--json',
]);
md.push(
  mdTable(
    ['layer', 'rank', '‖ΔW(EMA of A, B) − EMA of ΔW‖', '‖EMA of ΔW‖'],
    merge.layers.map((l) => [l.layer, String(l.rank), f(l.factorMergeError, 5), f(l.deltaNorm, 5)]),
  ),
);
const path = readFileSync(join(out, 'path.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',').map(Number));
const pathLosses = path.flatMap(([a, , o, n, u]) => [
  { alpha: a, task: 'old (arith)', loss: o },
  { alpha: a, task: 'new (roman)', loss: n },
  { alpha: a, task: 'upstream', loss: u },
]);
await svg(
  'barrier',
  'Loss along the adapter path',
  [320, 200],
  pathLosses,
  { type: 'line', point: true },
  {
    x: { field: 'alpha', type: 'quantitative', title: 'α' },
    y: { field: 'loss', type: 'quantitative', title: 'NLL (nats/byte)' },
    color: { field: 'task', type: 'nominal' },
  },
);

writeFileSync(join(out, 'report.md'), md.join('\n') + '\n');
console.log(md.join('\n'));
