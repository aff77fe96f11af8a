import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand } from '../flags.js';
import type { Backend, Dense } from '../../linalg/types.js';
import type { ProgressSink } from '../../util/progress.js';
import type { CliContext } from '../context.js';
import { ForgetscopeError } from '../../util/errors.js';
import { openSafetensorsFile, type SafetensorsFile } from '../../io/node/safetensors.js';
import { tensorNameFilter } from '../../io/safetensors/safetensors.js';
import { layerReport, type LayerRow } from '../../methods/subspace/layerReport.js';
import { layerImportance, retentionRanks } from '../../methods/subspace/retention.js';
import { addBackendOption, backendFromFlag, backendJson, parseNonNegativeInt, parseNumberIn } from '../flags.js';
import { checkTensorValues } from '../../methods/shared/checkValues.js';
import { checkInputFile } from '../readText.js';
import { columnTable } from '../../util/textTable.js';
import { itemAt } from '../../util/checked.js';
import { shape2D } from '../inputs.js';

interface SubspaceFlags {
  before: string;
  after: string;
  tensors?: string;
  mrr: string;
  trr: string;
  energy?: string;
  k?: string;
  activations?: string;
  svd?: string;
  backend?: string;
  json?: boolean;
}

async function matrix(f: SafetensorsFile, name: string): Promise<Dense> {
  const t = await f.read(name, 'float64');
  const shape = shape2D(t.shape);
  if (!shape) throw new ForgetscopeError('shape', `tensor "${name}" is not 2-D`, { file: f.path });
  checkTensorValues([{ name, data: t.data, shape: t.shape }], 'weights', { where: { file: f.path } });
  return { rows: shape[0], cols: shape[1], data: t.data };
}

/** Captured inputs X [N × dI] of a layer from `DIR/<name>.safetensors` (tensor "X"). */
async function activations(dir: string, name: string): Promise<Dense> {
  const path = join(dir, `${name}.safetensors`);
  if (!existsSync(path))
    throw new ForgetscopeError(
      'usage',
      `no captured inputs for layer "${name}" (expected ${name}.safetensors with tensor "X")`,
      { file: path },
    );
  const f = await openSafetensorsFile(path);
  try {
    return await matrix(f, 'X');
  } finally {
    await f.close();
  }
}

/** Precomputed SVD factors of a layer from `DIR/<name>.safetensors`: U_h [dO × k'], S [d], V_h [dI × k']. */
async function factors(
  dir: string,
  name: string,
  rows: number,
  cols: number,
): Promise<{ Uh: Dense; Vh: Dense; sigma: Float64Array }> {
  const path = join(dir, `${name}.safetensors`);
  if (!existsSync(path))
    throw new ForgetscopeError(
      'usage',
      `no SVD factors for layer "${name}" (expected ${name}.safetensors with U_h, S, V_h)`,
      { file: path },
    );
  const f = await openSafetensorsFile(path);
  try {
    const u = await matrix(f, 'U_h');
    const v = await matrix(f, 'V_h');
    const s = await f.read('S', 'float64');
    checkTensorValues([{ name: 'S', data: s.data, shape: s.shape }], 'singular values', {
      nonNegative: true,
      where: { file: path },
    });
    if (
      u.rows !== rows ||
      v.rows !== cols ||
      u.cols !== v.cols ||
      s.data.length !== Math.min(rows, cols) ||
      u.cols > s.data.length
    ) {
      throw new ForgetscopeError(
        'shape',
        `factors of "${name}" do not fit a ${rows}×${cols} layer (U_h ${u.rows}×${u.cols}, V_h ${v.rows}×${v.cols}, S ${s.data.length}; expected S of length ${Math.min(rows, cols)})`,
        { file: path },
      );
    }
    return { Uh: u, Vh: v, sigma: Float64Array.from(s.data) };
  } finally {
    await f.close();
  }
}

/** The rank rule and tensor filter the flags choose. */
interface SubspaceSettings {
  mrr: number;
  trr: number;
  /** Energy threshold of the energy rule. */
  tau: number;
  fixedK: number | undefined;
  keep: (name: string) => boolean;
}

/** Energy threshold of the energy rule when `--energy` is not given. */
const DEFAULT_ENERGY = 0.9;

function subspaceSettings(flags: SubspaceFlags): SubspaceSettings {
  const mrr = parseNumberIn(flags.mrr, '--mrr', 0, 1);
  const trr = parseNumberIn(flags.trr, '--trr', 0, 1, true);
  if (mrr > trr)
    throw new ForgetscopeError(
      'usage',
      `--mrr ${mrr} must not exceed --trr ${trr} (the minimum and the target retention ratio)`,
    );
  const tau = flags.energy !== undefined ? parseNumberIn(flags.energy, '--energy', 0, 1, true) : DEFAULT_ENERGY;
  const fixedK = flags.k !== undefined ? parseNonNegativeInt(flags.k, '--k') : undefined;
  if (flags.energy !== undefined && flags.activations !== undefined)
    throw new ForgetscopeError('usage', '--energy and --activations choose different rank rules; give one');
  return { mrr, trr, tau, fixedK, keep: tensorNameFilter(flags.tensors) };
}

/** Opens the before and after files (closing the first when the second fails). */
async function openPair(flags: SubspaceFlags): Promise<{ f0: SafetensorsFile; f1: SafetensorsFile }> {
  await checkInputFile(flags.before);
  await checkInputFile(flags.after);
  const f0 = await openSafetensorsFile(flags.before);
  try {
    return { f0, f1: await openSafetensorsFile(flags.after) };
  } catch (e) {
    await f0.close();
    throw e;
  }
}

/** The names of the selected 2-D tensors of the before file, each checked to be in the after file with the same shape. */
function pairedTensors(
  selected: readonly SafetensorsFile['tensors'][number][],
  f1: SafetensorsFile,
  flags: SubspaceFlags,
) {
  const after = new Map(f1.tensors.map((t) => [t.name, t]));
  if (selected.length === 0)
    throw new ForgetscopeError(
      'usage',
      `no 2-D tensor${flags.tensors ? ` matching /${flags.tensors}/` : ''} in the file`,
      {
        file: flags.before,
      },
    );
  for (const t0 of selected) {
    const name = t0.name;
    const t1 = after.get(name);
    if (!t1)
      throw new ForgetscopeError('input', `tensor "${name}" is in the before file but not in the after file`, {
        file: flags.after,
      });
    if (t1.shape.join('x') !== t0.shape.join('x'))
      throw new ForgetscopeError('shape', `tensor "${name}": shape [${t0.shape}] before but [${t1.shape}] after`, {
        file: flags.after,
      });
  }
  return selected.map((t) => t.name);
}

/** A layer's protected rank fixed before its report: by `--k`, or by the retention rule with its inputs. */
type FixedRank = { k: number; importance?: number; ratio?: number };

/**
 * Pass 1: the ranks fixed for every layer (`--k`), or by the retention rule (layer importances from
 * the captured inputs, then `retentionRanks`); empty for the energy rule, decided per layer.
 */
async function fixedRanks(
  f0: SafetensorsFile,
  names: readonly string[],
  settings: SubspaceSettings,
  activationsDir: string | undefined,
  run: { backend: Backend; progress: ProgressSink },
): Promise<Map<string, FixedRank>> {
  const ks = new Map<string, FixedRank>();
  if (settings.fixedK !== undefined) for (const n of names) ks.set(n, { k: settings.fixedK });
  else if (activationsDir) {
    const imp = new Float64Array(names.length);
    const dmin = new Int32Array(names.length);
    for (const [i, name] of names.entries()) {
      const w = await matrix(f0, name);
      imp[i] = await layerImportance(w, await activations(activationsDir, name), { backend: run.backend });
      dmin[i] = Math.min(w.rows, w.cols);
      run.progress(i + 1, names.length, 'importance');
    }
    const r = retentionRanks(imp, dmin, { mrr: settings.mrr, trr: settings.trr });
    names.forEach((n, i) => {
      ks.set(n, {
        k: itemAt(r.k, i, 'layer'),
        importance: itemAt(imp, i, 'layer'),
        ratio: itemAt(r.ratio, i, 'layer'),
      });
    });
  }
  return ks;
}

/** Pass 2: one layer at a time, its update ΔW and its report (with the retention rule's numbers where it chose k). */
async function layerRows(
  files: { f0: SafetensorsFile; f1: SafetensorsFile },
  names: readonly string[],
  ks: Map<string, FixedRank>,
  flags: SubspaceFlags,
  tau: number,
  run: { backend: Backend; progress: ProgressSink },
): Promise<LayerRow[]> {
  const rows: LayerRow[] = [];
  for (const [i, name] of names.entries()) {
    const w0 = await matrix(files.f0, name);
    const w1 = await matrix(files.f1, name);
    // Same shapes (checked above), so j < w0.data.length.
    const dw = Float64Array.from(w1.data, (x, j) => x - itemAt(w0.data, j));
    const fixed = ks.get(name);
    const given = flags.svd ? { factors: await factors(flags.svd, name, w0.rows, w0.cols) } : { W: w0 };
    const [row] = await layerReport(
      [{ name, ...given, dW: { rows: w0.rows, cols: w0.cols, data: dw }, ...(fixed ? { k: fixed.k } : {}) }],
      { backend: run.backend, tau },
    );
    if (!row) throw new ForgetscopeError('internal', `layerReport returned no row for "${name}"`);
    if (fixed?.importance !== undefined && fixed.ratio !== undefined && flags.k === undefined) {
      row.rule = 'retention';
      row.importance = fixed.importance;
      row.ratio = fixed.ratio;
    }
    rows.push(row);
    run.progress(i + 1, names.length, 'subspace');
  }
  return rows;
}

/** The table's columns: title and cell text of a layer row. */
const LAYER_COLUMNS: readonly (readonly [header: string, cell: (r: LayerRow) => string])[] = [
  ['tensor', (r) => r.name],
  ['shape', (r) => `${r.rows}×${r.cols}`],
  ['k', (r) => String(r.k)],
  ['rule', (r) => r.rule],
  ['eff. rank', (r) => r.effectiveRank.toFixed(1)],
  ['stable rank', (r) => r.stableRank.toFixed(2)],
  ['protected', (r) => r.protectedFraction.toFixed(4)],
  ['strict-free', (r) => r.strictFreeFraction.toFixed(4)],
  ['interference', (r) => r.interference.toExponential(3)],
];

/** Prints the layer rows: one JSON object with `--json`, else a table. */
function printLayers(ctx: CliContext, rows: readonly LayerRow[], backend: Backend, json: boolean): void {
  if (json) {
    ctx.printJson({
      layers: rows.map((r) => ({
        name: r.name,
        rows: r.rows,
        cols: r.cols,
        k: r.k,
        effectiveRank: r.effectiveRank,
        stableRank: r.stableRank,
        protectedFraction: r.protectedFraction,
        strictFreeFraction: r.strictFreeFraction,
        interference: r.interference,
        rule: r.rule,
        leftFraction: r.leftFraction,
        rightFraction: r.rightFraction,
        ...(r.importance !== undefined ? { importance: r.importance, ratio: r.ratio } : {}),
      })),
      backend: backend.name,
      ...backendJson(backend),
    });
    return;
  }
  ctx.out(columnTable(rows, LAYER_COLUMNS));
}

/** The `subspace` action: settings, the two files, the backend sized by the work, the two passes, the output. */
async function runSubspace(flags: SubspaceFlags, ctx: CliContext): Promise<void> {
  const settings = subspaceSettings(flags);
  const files = await openPair(flags);
  // Work ahead: one Gram-based SVD (rows·cols·min) per selected layer, for the backend choice.
  const selected = files.f0.tensors.filter((t) => t.shape.length === 2 && settings.keep(t.name));
  const problemSize = selected.reduce((s, t) => {
    const [rows, cols] = shape2D(t.shape) ?? [0, 0];
    return s + rows * cols * Math.min(rows, cols);
  }, 0);
  const backend = await backendFromFlag(flags.backend, ctx, problemSize);
  const run = { backend, progress: ctx.progress(flags.json === true) };
  try {
    const names = pairedTensors(selected, files.f1, flags);
    const ks = await fixedRanks(files.f0, names, settings, flags.activations, run);
    const rows = await layerRows(files, names, ks, flags, settings.tau, run);
    printLayers(ctx, rows, backend, flags.json === true);
  } finally {
    await files.f0.close();
    await files.f1.close();
    await backend.dispose();
  }
}

const DESCRIPTION =
  'per 2-D tensor: spectrum, protected rank k, fraction of the update in the protected subspace, interference';

/**
 * `forgetscope subspace` — audits an update ΔW = W_after − W_before against each layer's protected
 * top-k singular subspace of W_before (seed 001, adaptive SVD / OSFT). Layers are read one at a time
 * (only their byte ranges), so large checkpoints are never loaded whole.
 */
export const subspaceCommand = defineCommand('subspace', DESCRIPTION, [], (cmd, ctx) => {
  cmd
    .requiredOption('--before <file>', 'weights at the start of the task (safetensors)')
    .requiredOption('--after <file>', 'weights after fine-tuning (safetensors)')
    .option('--tensors <regex>', 'only tensors whose name matches')
    .option('--mrr <r>', 'minimum retention ratio of the adaptive rule', '0.1')
    .option('--trr <r>', 'target retention ratio of the adaptive rule', '0.8')
    .option('--energy <tau>', `energy rule threshold when no activations are given (default ${DEFAULT_ENERGY})`)
    .option('--k <k>', 'a fixed protected rank for every layer (overrides both rules)')
    .option(
      '--activations <dir>',
      'captured layer inputs: <dir>/<tensor name>.safetensors holding X [N × dIn] (enables the retention rule)',
    )
    .option(
      '--svd <dir>',
      'precomputed SVD factors of W_before: <dir>/<tensor name>.safetensors holding U_h, S (all σ), V_h (for 7B-scale layers; skips the SVD)',
    );
  addBackendOption(cmd, 'auto', 'linear algebra backend: auto, cpu or webgpu')
    .option('--json', 'print one JSON object')
    .action((flags: SubspaceFlags) => runSubspace(flags, ctx));
});
