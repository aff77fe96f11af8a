import type { MetaValue } from '../../matrix/ForgettingMatrix.js';
import { analyzeStructure, type StructureAnalysis } from '../../analysis/analyzeStructure.js';
import { summarizeExamples, topForgotten } from '../../analysis/summarizeExamples.js';
import { hasExampleMeta, summarizeBySource } from '../../analysis/summarizeBySource.js';
import { summarizeTasks } from '../../analysis/summarizeTasks.js';
import { correlateTaskMetadata, type MetadataCorrelation } from '../../analysis/correlations.js';
import type { ReportData, ReportModelFit, ReportTask } from '../types.js';
import { backendOption, type StageContext } from './context.js';

/** Options of the structure stage. */
export interface StructureStageOptions {
  ranks?: number;
  /** Most-forgotten examples listed (default 15). */
  top?: number;
  sourceKey?: string;
}

/** What the structure stage adds to the report. */
export type StructureSections = Pick<
  ReportData,
  'heatmap' | 'structure' | 'topForgotten' | 'sources' | 'tasks' | 'taskCorrelations'
>;

/** Task metadata shown in the per-task table, when present. */
const TASK_META_KEYS = ['name', 'family', 'lr', 'steps', 'recipe'];

/**
 * Structure (rank-k, additive, one-way fits) and the audit summaries (most-forgotten examples,
 * sources, tasks, task-metadata correlations) as report sections.
 */
export async function structureStage(
  ctx: StageContext,
  options: StructureStageOptions,
): Promise<{ structure: StructureAnalysis; correlations: MetadataCorrelation[]; sections: StructureSections }> {
  const { matrix, progress } = ctx;
  ctx.onStep(
    'analyze',
    `structure (ranks 1..${options.ranks ?? Math.min(5, matrix.rows, matrix.cols)}, additive, one-way) and audit summaries`,
  );
  const structure = await ctx.timed('analyze', () =>
    analyzeStructure(matrix, {
      ...(options.ranks !== undefined ? { ranks: options.ranks } : {}),
      ...backendOption(ctx),
      progress: (d, t, l) => progress(d, t, `analyze: ${l}`),
    }),
  );
  const lr = structure.lowRank;
  const models: ReportModelFit[] = [];
  for (let k = 0; k < lr.k; k++) {
    models.push({
      name: k === 0 ? 'rank 1 (multiplicative u·v)' : `rank ${k + 1}`,
      r2: lr.r2[k] ?? Number.NaN,
      rmse: lr.rmse[k] ?? Number.NaN,
      note: `${lr.method}, uncentered`,
    });
  }
  models.push(
    {
      name: 'additive μ + a_i + b_j',
      r2: structure.additive.r2,
      rmse: structure.additive.rmse,
      note: 'exact least squares',
    },
    {
      name: 'additive (paper code, regularised ALS)',
      r2: structure.additiveAls.r2,
      rmse: structure.additiveAls.rmse,
      note: 'Surprise BaselineOnly ALS',
    },
    { name: 'row means only', r2: structure.row.r2, rmse: structure.row.rmse },
    { name: 'column means only', r2: structure.column.r2, rmse: structure.column.rmse },
  );

  const examples = summarizeExamples(matrix);
  const top = topForgotten(matrix, examples, { count: options.top ?? 15 });
  const sourceKey = options.sourceKey ?? 'source';
  const sources = hasExampleMeta(matrix, sourceKey) ? summarizeBySource(matrix, { key: sourceKey }) : [];
  if (sources.length === 0) ctx.missing.push(`per-source tables: no example carries a "${sourceKey}" field`);
  const tasks = summarizeTasks(matrix, structure.multiplicative.taskScalars);
  const correlations = correlateTaskMetadata(tasks.mean, matrix.taskMeta);
  const metaKeys = TASK_META_KEYS.filter((k) => matrix.taskMeta.some((m) => m[k] !== undefined && m[k] !== null));
  const taskRows: ReportTask[] = matrix.taskIds.map((id, i) => {
    const meta: Record<string, MetaValue> = {};
    for (const k of metaKeys) meta[k] = matrix.taskMeta[i]?.[k] ?? null;
    return {
      task: id,
      mean: tasks.mean[i] ?? Number.NaN,
      max: tasks.max[i] ?? Number.NaN,
      fractionForgotten: tasks.fractionForgotten[i] ?? Number.NaN,
      ...(tasks.rankOneScalar ? { rankOneScalar: tasks.rankOneScalar[i] ?? Number.NaN } : {}),
      meta,
    };
  });
  const sections: StructureSections = {
    heatmap: {
      values: matrix.values,
      rows: matrix.rows,
      cols: matrix.cols,
      mask: matrix.mask,
      taskIds: matrix.taskIds,
      taskFactor: structure.multiplicative.taskScalars,
      exampleFactor: structure.multiplicative.exampleScalars,
    },
    structure: {
      singularValues: lr.singularValues,
      r2: lr.r2,
      additiveR2: structure.additive.r2,
      models,
      backend: structure.backend,
    },
    topForgotten: top.map((e) => ({
      example: e.example,
      mean: e.mean,
      max: e.max,
      fractionForgotten: e.fractionForgotten,
      ...(e.meta[sourceKey] !== undefined && e.meta[sourceKey] !== null ? { source: String(e.meta[sourceKey]) } : {}),
      ...(typeof e.meta['text'] === 'string' ? { text: e.meta['text'] } : {}),
    })),
    ...(sources.length > 0
      ? {
          sources: sources.map((s) => ({
            source: s.source,
            mean: s.mean,
            fractionForgotten: s.fractionForgotten,
            share: s.share,
            examples: s.examples,
          })),
        }
      : {}),
    tasks: taskRows,
    taskCorrelations: correlations.map((c) => ({ key: c.key, n: c.n, pearson: c.pearson, spearman: c.spearman })),
  };
  return { structure, correlations, sections };
}
