import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { TableColumn } from '../io/types.js';
import type { StructureAnalysis } from './analyzeStructure.js';
import type { ForgettingAudit } from './auditForgetting.js';
import { itemAt } from '../util/checked.js';

/** Named tables of columns (what `analyze --out` writes, one file per table and format). */
export type NamedTables = Record<string, Record<string, TableColumn>>;

/**
 * The per-task, per-example, factor and per-source tables of a structure analysis and its audit:
 * `tasks`, `examples`, `task_factors` (left singular vectors scaled by the singular values),
 * `example_factors` (task_factors · example_factorsᵀ = Ẑ_K) and, when examples carry a source,
 * `sources`.
 * @example
 * const tables = structureTables(matrix, structure, audit, 'source');
 * await writeTable('tasks.csv', { columns: tables.tasks ?? {} });
 */
export function structureTables(
  matrix: ForgettingMatrix,
  structure: StructureAnalysis,
  audit: ForgettingAudit,
  sourceKey: string,
): NamedTables {
  const k = structure.lowRank.k;
  const factorColumns = (
    prefix: string,
    data: Float64Array,
    rows: number,
    scale: Float64Array | null,
  ): Record<string, Float64Array> => {
    const out: Record<string, Float64Array> = {};
    for (let c = 0; c < k; c++)
      out[`${prefix}${c + 1}`] = Float64Array.from(
        { length: rows },
        (_, r) => itemAt(data, r * k + c) * (scale ? itemAt(scale, c) : 1),
      );
    return out;
  };
  const sourceColumn = (): string[] =>
    matrix.exampleMeta.map((m) => (m[sourceKey] === undefined || m[sourceKey] === null ? '' : String(m[sourceKey])));
  const hasSources = audit.sources.length > 0;
  const tables: NamedTables = {
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
    task_factors: {
      task: [...matrix.taskIds],
      ...factorColumns('u', structure.lowRank.taskFactors, matrix.rows, structure.lowRank.singularValues),
    },
    example_factors: {
      example: [...matrix.exampleIds],
      ...factorColumns('v', structure.lowRank.exampleFactors, matrix.cols, null),
    },
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
  return tables;
}

/** The names of the tables `structureTables` returns (`sources` only when examples carry a source). */
export function structureTableNames(hasSources: boolean): string[] {
  return ['tasks', 'examples', 'task_factors', 'example_factors', ...(hasSources ? ['sources'] : [])];
}

/** What was read, as the structure summary names it. */
export interface SummaryInput {
  report: unknown;
  source: string;
  format: string;
}

/**
 * The structure analysis and audit as one JSON-ready object (the `analyze --json` contract: the
 * contract's keys first; more keys may follow, none renamed).
 */
export function structureSummary(
  read: SummaryInput,
  s: StructureAnalysis,
  audit: ForgettingAudit,
  sourceKey: string,
  files: string[],
): Record<string, unknown> {
  const meta = (m: Record<string, unknown>, key: string) =>
    m[key] === undefined || m[key] === null ? {} : { [key === sourceKey ? 'source' : key]: m[key] };
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
    rmse: {
      ranks: s.lowRank.rmse,
      additive: s.additive.rmse,
      row: s.row.rmse,
      column: s.column.rmse,
      additiveAls: s.additiveAls.rmse,
    },
    comparison: s.comparison,
    additiveAls: { epochs: s.additiveAls.epochs, regTask: s.additiveAls.regTask, regExample: s.additiveAls.regExample },
    ...(s.lowRank.method === 'als'
      ? { als: { iterations: s.lowRank.iterations, converged: s.lowRank.converged } }
      : {}),
    perTask:
      s.tasks <= 10_000
        ? audit.tasks.ids.map((id, i) => ({
            task: id,
            mean: itemAt(audit.tasks.mean, i),
            fractionForgotten: itemAt(audit.tasks.fractionForgotten, i),
            rank1Scalar: audit.tasks.rankOneScalar ? itemAt(audit.tasks.rankOneScalar, i) : null,
          }))
        : undefined,
    taskMetadataCorrelations: audit.taskMetadataCorrelations,
    ...(files.length > 0 ? { files } : {}),
  };
}
