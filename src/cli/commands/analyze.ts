import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { CommandModule } from './types.js';
import type { CliContext } from '../context.js';
import { ForgetscopeError } from '../../util/errors.js';
import { stringifyResult } from '../../util/json.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { TableColumn } from '../../io/types.js';
import { readForgettingMatrix, type ReadResult } from '../../io/node/readForgettingMatrix.js';
import { atomicWrite, refuseOverwrite } from '../../io/node/atomicWrite.js';
import { writeTable } from '../../io/node/writeTable.js';
import { selectNodeBackend } from '../../linalg/node.js';
import type { BackendKind } from '../../linalg/selectBackend.js';
import { analyzeStructure, type StructureAnalysis } from '../../analysis/analyzeStructure.js';
import { auditForgetting, type ForgettingAudit } from '../../analysis/auditForgetting.js';

/** Flags of `forgetscope analyze`. */
interface AnalyzeFlags {
  ranks?: number;
  backend: BackendKind;
  json?: boolean;
  out?: string;
  force?: boolean;
  top: number;
  sourceKey: string;
  dtype?: 'float64' | 'float32';
  nanAsMissing?: boolean;
}

function positiveInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${flag} must be a positive integer, got "${value}"`);
    }
    return n;
  };
}

/**
 * `forgetscope analyze <input> [--ranks K] [--backend auto|cpu|webgpu] [--json] [--out DIR]`:
 * structure analysis (rank-1..K R², singular values, multiplicative vs additive) and the audit
 * summaries (most-forgotten examples, per-source and per-task tables) of a forgetting matrix.
 */
export const analyzeCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('analyze')
      .description('Structure analysis (rank-k R², spectrum, multiplicative vs additive) and audit summaries of a forgetting matrix')
      .argument('<input>', 'a long table (csv, tsv, jsonl, arrow, parquet), a dense .npy, or a dataset folder')
      .option('--ranks <K>', 'fit ranks 1..K (default min(5, tasks, examples))', positiveInt('--ranks'))
      .option('--backend <kind>', 'numerical backend: auto, cpu or webgpu', (v: string) => {
        if (v !== 'auto' && v !== 'cpu' && v !== 'webgpu') throw new InvalidArgumentError(`--backend must be auto, cpu or webgpu, got "${v}"`);
        return v as BackendKind;
      }, 'auto' as BackendKind)
      .option('--json', 'print one JSON object on stdout')
      .option('--out <dir>', 'write factors and per-example / per-task / per-source tables (Parquet and CSV) to this folder')
      .option('--force', 'overwrite existing files in --out')
      .option('--top <n>', 'how many most-forgotten examples to list', positiveInt('--top'), 10)
      .option('--source-key <key>', 'example metadata field that names the source (domain)', 'source')
      .option('--dtype <type>', 'storage of the values: float64 (default) or float32', (v: string) => {
        if (v !== 'float64' && v !== 'float32') throw new InvalidArgumentError(`--dtype must be float64 or float32, got "${v}"`);
        return v as 'float64' | 'float32';
      })
      .option('--nan-as-missing', 'treat NaN values as missing entries instead of an error')
      .action(async (input: string, flags: AnalyzeFlags) => runAnalyze(input, flags, ctx));
  },
};

async function runAnalyze(input: string, flags: AnalyzeFlags, ctx: CliContext): Promise<void> {
  const json = flags.json ?? false;
  const progress = ctx.progress(json);
  if (flags.out) await checkOutputs(flags.out, flags.force ?? false);
  const read = await readForgettingMatrix(input, {
    progress,
    ...(flags.dtype ? { dtype: flags.dtype } : {}),
    ...(flags.nanAsMissing ? { nanAsMissing: true } : {}),
  });
  const matrix = read.matrix;
  const backend = await selectNodeBackend(flags.backend, {
    warn: (m) => ctx.warn(m),
    problemSize: matrix.rows * matrix.rows * matrix.cols,
  });
  let structure: StructureAnalysis;
  try {
    structure = await analyzeStructure(matrix, { ...(flags.ranks !== undefined ? { ranks: flags.ranks } : {}), backend, progress });
  } finally {
    await backend.dispose();
  }
  const audit = auditForgetting(matrix, { top: flags.top, sourceKey: flags.sourceKey, rankOneTask: structure.multiplicative.taskScalars });
  const files = flags.out ? await writeOutputs(flags.out, matrix, structure, audit, flags) : [];
  const result = analyzeJson(read, structure, audit, flags.sourceKey, files);
  if (flags.out) await atomicWrite(join(flags.out, 'summary.json'), stringifyResult(result, 1) + '\n', { force: flags.force ?? false });
  if (json) ctx.printJson(result);
  else ctx.out(formatSummary(read, structure, audit));
}

/** The names `--out` writes (every table in Parquet and CSV), checked before anything is computed. */
function outputNames(hasSources: boolean): string[] {
  const tables = ['tasks', 'examples', 'task_factors', 'example_factors', ...(hasSources ? ['sources'] : [])];
  return [...tables.flatMap((t) => [`${t}.parquet`, `${t}.csv`]), 'summary.json'];
}

async function checkOutputs(dir: string, force: boolean): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (info && !info.isDirectory()) throw new ForgetscopeError('usage', `--out must be a folder, but ${dir} is a file`, { file: dir });
  for (const name of outputNames(true)) await refuseOverwrite(join(dir, name), force);
}

async function writeOutputs(
  dir: string,
  matrix: ForgettingMatrix,
  structure: StructureAnalysis,
  audit: ForgettingAudit,
  flags: AnalyzeFlags,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const k = structure.lowRank.k;
  const factorColumns = (prefix: string, data: Float64Array, rows: number, scale: Float64Array | null): Record<string, Float64Array> => {
    const out: Record<string, Float64Array> = {};
    for (let c = 0; c < k; c++) out[`${prefix}${c + 1}`] = Float64Array.from({ length: rows }, (_, r) => data[r * k + c]! * (scale ? scale[c]! : 1));
    return out;
  };
  const sourceColumn = (): string[] => matrix.exampleMeta.map((m) => (m[flags.sourceKey] === undefined || m[flags.sourceKey] === null ? '' : String(m[flags.sourceKey])));
  const hasSources = audit.sources.length > 0;
  const tables: Record<string, Record<string, TableColumn>> = {
    tasks: {
      task: [...matrix.taskIds],
      mean: audit.tasks.mean,
      max: audit.tasks.max,
      fraction_forgotten: audit.tasks.fractionForgotten,
      observed: audit.tasks.observed,
      rank1_scalar: structure.multiplicative.taskScalars,
      additive_effect: structure.additive.taskEffects,
    },
    examples: {
      example: [...matrix.exampleIds],
      ...(hasSources ? { source: sourceColumn() } : {}),
      mean: audit.examples.mean,
      max: audit.examples.max,
      min: audit.examples.min,
      fraction_forgotten: audit.examples.fractionForgotten,
      observed: audit.examples.observed,
      rank1_scalar: structure.multiplicative.exampleScalars,
      additive_effect: structure.additive.exampleEffects,
    },
    // Left singular vectors scaled by the singular values: task_factors · example_factorsᵀ = Ẑ_K.
    task_factors: { task: [...matrix.taskIds], ...factorColumns('u', structure.lowRank.taskFactors, matrix.rows, structure.lowRank.singularValues) },
    example_factors: { example: [...matrix.exampleIds], ...factorColumns('v', structure.lowRank.exampleFactors, matrix.cols, null) },
  };
  if (hasSources) {
    tables['sources'] = {
      source: audit.sources.map((s) => s.source),
      examples: Float64Array.from(audit.sources, (s) => s.examples),
      observed: Float64Array.from(audit.sources, (s) => s.observed),
      mean: Float64Array.from(audit.sources, (s) => s.mean),
      fraction_forgotten: Float64Array.from(audit.sources, (s) => s.fractionForgotten),
      share: Float64Array.from(audit.sources, (s) => s.share),
      positive_share: Float64Array.from(audit.sources, (s) => s.positiveShare),
    };
  }
  const written: string[] = [];
  for (const [name, columns] of Object.entries(tables)) {
    for (const ext of ['parquet', 'csv']) {
      const path = join(dir, `${name}.${ext}`);
      await writeTable(path, { columns }, { force: flags.force ?? false });
      written.push(path);
    }
  }
  written.push(join(dir, 'summary.json'));
  return written;
}

/** The `--json` object (issue contract keys first; more keys may follow, none renamed). */
function analyzeJson(read: ReadResult, s: StructureAnalysis, audit: ForgettingAudit, sourceKey: string, files: string[]): Record<string, unknown> {
  const meta = (m: Record<string, unknown>, key: string) => (m[key] === undefined || m[key] === null ? {} : { [key === sourceKey ? 'source' : key]: m[key] });
  return {
    tasks: s.tasks,
    examples: s.examples,
    observed: s.observed,
    backend: s.backend,
    r2: {
      ranks: s.lowRank.r2,
      additive: s.additive.r2,
      row: s.row.r2,
      column: s.column.r2,
      multiplicative: s.multiplicative.r2,
      additiveAls: s.additiveAls.r2,
    },
    singularValues: s.lowRank.singularValues,
    topForgotten: audit.topForgotten.map((t) => ({
      example: t.example,
      mean: t.mean,
      max: t.max,
      fractionForgotten: t.fractionForgotten,
      observed: t.observed,
      ...meta(t.meta, sourceKey),
      ...meta(t.meta, 'text'),
    })),
    ...(audit.sources.length > 0
      ? {
          sources: audit.sources.map((x) => ({
            source: x.source,
            mean: x.mean,
            fractionForgotten: x.fractionForgotten,
            share: x.share,
            positiveShare: x.positiveShare,
            examples: x.examples,
            observed: x.observed,
          })),
        }
      : {}),
    read: read.report,
    input: { source: read.source, format: read.format },
    complete: s.complete,
    mean: s.mean,
    method: s.lowRank.method,
    energy: s.lowRank.energy,
    rmse: { ranks: s.lowRank.rmse, additive: s.additive.rmse, row: s.row.rmse, column: s.column.rmse, additiveAls: s.additiveAls.rmse },
    comparison: s.comparison,
    additiveAls: { epochs: s.additiveAls.epochs, regTask: s.additiveAls.regTask, regExample: s.additiveAls.regExample },
    ...(s.lowRank.method === 'als' ? { als: { iterations: s.lowRank.iterations, converged: s.lowRank.converged } } : {}),
    perTask: s.tasks <= 10_000
      ? audit.tasks.ids.map((id, i) => ({
          task: id,
          mean: audit.tasks.mean[i]!,
          fractionForgotten: audit.tasks.fractionForgotten[i]!,
          rank1Scalar: audit.tasks.rankOneScalar ? audit.tasks.rankOneScalar[i]! : null,
        }))
      : undefined,
    taskMetadataCorrelations: audit.taskMetadataCorrelations,
    ...(files.length > 0 ? { files } : {}),
  };
}

function fmt(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => '  ' + r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function formatSummary(read: ReadResult, s: StructureAnalysis, audit: ForgettingAudit): string {
  const dropped = Object.values(read.report.dropped).reduce((a, b) => a + b, 0);
  let out = `${read.source} (${read.format}): ${s.tasks} tasks × ${s.examples} examples, ${s.observed} observed` +
    `${dropped > 0 ? `, ${dropped} rows dropped` : ''}; mean Z ${fmt(s.mean)}; backend ${s.backend}${s.complete ? '' : ', fits over observed entries (ALS)'}\n\n`;
  out += 'Low-rank fits (uncentred truncated SVD)\n';
  out += table([
    ['rank', 'R²', 'RMSE', 'singular value', 'energy'],
    ...Array.from(s.lowRank.r2, (r2, k) => [String(k + 1), fmt(r2), fmt(s.lowRank.rmse[k]!), fmt(s.lowRank.singularValues[k]!), fmt(s.lowRank.energy[k]!)]),
  ]);
  out += '\nModels\n';
  out += table([
    ['model', 'R²', 'RMSE'],
    ['multiplicative (rank 1)', fmt(s.multiplicative.r2), fmt(s.multiplicative.rmse)],
    ['additive (least squares)', fmt(s.additive.r2), fmt(s.additive.rmse)],
    ['additive (regularised ALS)', fmt(s.additiveAls.r2), fmt(s.additiveAls.rmse)],
    ['row only (task means)', fmt(s.row.r2), fmt(s.row.rmse)],
    ['column only (example means)', fmt(s.column.r2), fmt(s.column.rmse)],
  ]);
  out += `  multiplicative beats additive: ${s.comparison.multiplicativeBeatsAdditive ? 'yes' : 'no'} (R² difference ${fmt(s.comparison.difference)})\n`;
  if (audit.topForgotten.length > 0) {
    out += '\nMost-forgotten examples (mean Z over tasks)\n';
    out += table([
      ['example', 'mean', 'max', 'source', 'text'],
      ...audit.topForgotten.map((t) => [
        t.example,
        fmt(t.mean),
        fmt(t.max),
        t.meta['source'] === undefined || t.meta['source'] === null ? '' : String(t.meta['source']),
        t.meta['text'] === undefined || t.meta['text'] === null ? '' : JSON.stringify(String(t.meta['text']).slice(0, 40)),
      ]),
    ]);
  }
  if (audit.sources.length > 0) {
    out += '\nSources\n';
    out += table([
      ['source', 'examples', 'mean Z', 'forgotten', 'share'],
      ...audit.sources.map((x) => [x.source, String(x.examples), fmt(x.mean), fmt(x.fractionForgotten, 3), fmt(x.share, 3)]),
    ]);
  }
  const corr = audit.taskMetadataCorrelations.filter((c) => Number.isFinite(c.pearson));
  if (corr.length > 0) {
    out += '\nPer-task mean forgetting vs task metadata\n';
    out += table([['field', 'n', 'Pearson', 'Spearman'], ...corr.map((c) => [c.key, String(c.n), fmt(c.pearson, 3), fmt(c.spearman, 3)])]);
  }
  return out;
}
