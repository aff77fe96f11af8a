import { join } from 'node:path';
import { defineCommand } from '../flags.js';
import type { CliContext } from '../context.js';
import { stringifyResult } from '../../util/json.js';
import type { ReadResult } from '../../io/node/readForgettingMatrix.js';
import { readMatrixInput } from '../inputs.js';
import { atomicWrite, writeFolder } from '../../io/node/atomicWrite.js';
import { checkOutFolder } from '../outputs.js';
import { writeTable } from '../../io/node/writeTable.js';
import { analyzeStructure, type StructureAnalysis } from '../../analysis/analyzeStructure.js';
import { auditForgetting, type ForgettingAudit } from '../../analysis/auditForgetting.js';
import {
  structureSummary,
  structureTableNames,
  structureTables,
  type NamedTables,
} from '../../analysis/structureTables.js';
import {
  addBackendOption,
  addReadOptions,
  backendFromFlag,
  backendJson,
  parsePositiveInt,
  parser,
  readOptionsFromFlags,
  type ReadFlags,
  MATRIX_INPUT,
} from '../flags.js';
import { textTable } from '../../util/textTable.js';

/** Flags of `forgetscope analyze`. */
interface AnalyzeFlags extends ReadFlags {
  ranks?: number;
  backend: string;
  json?: boolean;
  out?: string;
  force?: boolean;
  top: number;
  sourceKey: string;
}

const DESCRIPTION =
  'Structure analysis (rank-k R², spectrum, multiplicative vs additive) and audit summaries of a forgetting matrix';

/**
 * `forgetscope analyze <input> [--ranks K] [--backend auto|cpu|webgpu] [--json] [--out DIR]`:
 * structure analysis (rank-1..K R², singular values, multiplicative vs additive) and the audit
 * summaries (most-forgotten examples, per-source and per-task tables) of a forgetting matrix.
 */
export const analyzeCommand = defineCommand('analyze', DESCRIPTION, [MATRIX_INPUT], (cmd, ctx) => {
  cmd.option('--ranks <K>', 'fit ranks 1..K (default min(5, tasks, examples))', parser(parsePositiveInt, '--ranks'));
  addBackendOption(cmd)
    .option('--json', 'print one JSON object on stdout')
    .option(
      '--out <dir>',
      'write factors and per-example / per-task / per-source tables (Parquet and CSV) to this folder',
    )
    .option('--force', 'replace --out when it holds an earlier analyze output')
    .option('--top <n>', 'how many most-forgotten examples to list', parser(parsePositiveInt, '--top'), 10)
    .option('--source-key <key>', 'example metadata field that names the source (domain)', 'source');
  addReadOptions(cmd).action(async (input: string, flags: AnalyzeFlags) => runAnalyze(input, flags, ctx));
});

async function runAnalyze(input: string, flags: AnalyzeFlags, ctx: CliContext): Promise<void> {
  const json = flags.json ?? false;
  const progress = ctx.progress(json);
  const force = flags.force ?? false;
  const outOptions = { force, ownEntry: (name: string) => outputNames().has(name) };
  if (flags.out) await checkOutFolder(ctx, flags.out, outOptions);
  const read = await readMatrixInput(input, { ...readOptionsFromFlags(flags), progress }, ctx.warn);
  const matrix = read.matrix;
  const backend = await backendFromFlag(flags.backend, ctx, matrix);
  let structure: StructureAnalysis;
  try {
    structure = await analyzeStructure(matrix, {
      ...(flags.ranks !== undefined ? { ranks: flags.ranks } : {}),
      backend,
      progress,
    });
  } finally {
    await backend.dispose();
  }
  const audit = auditForgetting(matrix, {
    top: flags.top,
    sourceKey: flags.sourceKey,
    rankOneTask: structure.multiplicative.taskScalars,
  });
  const tables = structureTables(matrix, structure, audit, flags.sourceKey);
  const files = flags.out ? tablePaths(flags.out, tables) : [];
  const result = { ...structureSummary(read, structure, audit, flags.sourceKey, files), ...backendJson(backend) };
  if (flags.out) {
    // the whole folder appears at once (a sibling temporary folder renamed into place)
    const cleaned = await writeFolder(
      flags.out,
      async (tmp) => {
        await writeTables(tmp, tables);
        await atomicWrite(join(tmp, 'summary.json'), stringifyResult(result, 1) + '\n');
      },
      outOptions,
    );
    for (const note of cleaned) ctx.warn(note);
  }
  if (json) ctx.printJson(result);
  else ctx.out(formatSummary(read, structure, audit));
}

/** Every name `--out` may write (each table in Parquet and CSV, and summary.json). */
function outputNames(): Set<string> {
  return new Set([...structureTableNames(true).flatMap((t) => [`${t}.parquet`, `${t}.csv`]), 'summary.json']);
}

/** The paths of the tables (Parquet and CSV) and of summary.json under `dir`, as the summary lists them. */
function tablePaths(dir: string, tables: NamedTables): string[] {
  return [
    ...Object.keys(tables).flatMap((name) => [join(dir, `${name}.parquet`), join(dir, `${name}.csv`)]),
    join(dir, 'summary.json'),
  ];
}

/** Writes every table as Parquet and CSV into `dir` (a fresh folder). */
async function writeTables(dir: string, tables: NamedTables): Promise<void> {
  for (const [name, columns] of Object.entries(tables)) {
    for (const ext of ['parquet', 'csv']) await writeTable(join(dir, `${name}.${ext}`), { columns });
  }
}

function fmt(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function table(head: string[], rows: string[][]): string {
  return textTable(head, rows, { indent: '  ', align: 'left', rule: false, trimEnd: true });
}

function metaText(m: Record<string, unknown>, key: string): string | null {
  return m[key] === undefined || m[key] === null ? null : String(m[key]);
}

function formatSummary(read: ReadResult, s: StructureAnalysis, audit: ForgettingAudit): string {
  const dropped = Object.values(read.report.dropped).reduce((a, b) => a + b, 0);
  let out =
    `${read.source} (${read.format}): ${s.tasks} tasks × ${s.examples} examples, ${s.observed} observed` +
    `${dropped > 0 ? `, ${dropped} rows dropped` : ''}; mean Z ${fmt(s.mean)}; backend ${s.backend}${s.complete ? '' : ', fits over observed entries (ALS)'}\n\n`;
  out += 'Low-rank fits (uncentred truncated SVD)\n';
  out += table(
    ['rank', 'R²', 'RMSE', 'singular value', 'energy'],
    Array.from(s.lowRank.r2, (r2, k) => [
      String(k + 1),
      fmt(r2),
      fmt(s.lowRank.rmse[k] ?? Number.NaN),
      fmt(s.lowRank.singularValues[k] ?? Number.NaN),
      fmt(s.lowRank.energy[k] ?? Number.NaN),
    ]),
  );
  out += '\nModels\n';
  out += table(
    ['model', 'R²', 'RMSE'],
    [
      ['multiplicative (rank 1)', fmt(s.multiplicative.r2), fmt(s.multiplicative.rmse)],
      ['additive (least squares)', fmt(s.additive.r2), fmt(s.additive.rmse)],
      ['additive (regularised ALS)', fmt(s.additiveAls.r2), fmt(s.additiveAls.rmse)],
      ['row only (task means)', fmt(s.row.r2), fmt(s.row.rmse)],
      ['column only (example means)', fmt(s.column.r2), fmt(s.column.rmse)],
    ],
  );
  out += `  multiplicative beats additive: ${s.comparison.multiplicativeBeatsAdditive ? 'yes' : 'no'} (R² difference ${fmt(s.comparison.difference)})\n`;
  if (audit.topForgotten.length > 0) {
    out += '\nMost-forgotten examples (mean Z over tasks)\n';
    out += table(
      ['example', 'mean', 'max', 'source', 'text'],
      audit.topForgotten.map((t) => {
        const text = metaText(t.meta, 'text');
        return [
          t.example,
          fmt(t.mean),
          fmt(t.max),
          metaText(t.meta, 'source') ?? '',
          text === null ? '' : JSON.stringify(text.slice(0, 40)),
        ];
      }),
    );
  }
  if (audit.sources.length > 0) {
    out += '\nSources\n';
    out += table(
      ['source', 'examples', 'mean Z', 'forgotten', 'share'],
      audit.sources.map((x) => [
        x.source,
        String(x.examples),
        fmt(x.mean),
        fmt(x.fractionForgotten, 3),
        fmt(x.share, 3),
      ]),
    );
  }
  const corr = audit.taskMetadataCorrelations.filter((c) => Number.isFinite(c.pearson));
  if (corr.length > 0) {
    out += '\nPer-task mean forgetting vs task metadata\n';
    out += table(
      ['field', 'n', 'Pearson', 'Spearman'],
      corr.map((c) => [c.key, String(c.n), fmt(c.pearson, 3), fmt(c.spearman, 3)]),
    );
  }
  return out;
}
