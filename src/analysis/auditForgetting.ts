import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import {
  correlateSimilarity,
  correlateTaskMetadata,
  type MetadataCorrelation,
  type SimilarityCorrelation,
} from './correlations.js';
import { summarizeBySource, type SourceSummary } from './summarizeBySource.js';
import { summarizeExamples, topForgotten, type ExampleSummary, type ForgottenExample } from './summarizeExamples.js';
import { summarizeTasks, type TaskSummary } from './summarizeTasks.js';

/** Options of `auditForgetting`. */
export interface AuditOptions {
  /** How many most-forgotten examples to list (default 10). */
  top?: number;
  /** Example metadata key naming the source (default `source`). */
  sourceKey?: string;
  /** Rank-1 task scalars (e.g. `analyzeStructure(z).multiplicative.taskScalars`) to attach per task. */
  rankOneTask?: Float64Array | null;
  /** Task metadata keys to correlate per-task mean forgetting with (default lr, steps, lr×steps). */
  metadataKeys?: readonly string[];
  /** A task–example similarity (M×N row-major) to correlate forgetting with. */
  similarity?: Float64Array | Float32Array;
}

/** The data team's view of a forgetting matrix. */
export interface ForgettingAudit {
  examples: ExampleSummary;
  topForgotten: ForgottenExample[];
  /** Per-source aggregates; empty when no example carries a source. */
  sources: SourceSummary[];
  tasks: TaskSummary;
  /** Per-task mean forgetting vs. task metadata. */
  taskMetadataCorrelations: MetadataCorrelation[];
  /** Forgetting vs. the given similarity, or null. */
  similarity: SimilarityCorrelation | null;
}

/**
 * All audit summaries in one call: per-example statistics and the most-forgotten list, per-source
 * aggregates, per-task statistics (with rank-1 scalars when given), correlations with task metadata
 * and, optionally, with a task–example similarity.
 * @example
 * const structure = await analyzeStructure(z);
 * const audit = auditForgetting(z, { rankOneTask: structure.multiplicative.taskScalars });
 * audit.sources[0]; // {source: 'changelog', mean: 0.468, fractionForgotten: 0.95, share: 0.16, …}
 */
export function auditForgetting(matrix: ForgettingMatrix, options: AuditOptions = {}): ForgettingAudit {
  const examples = summarizeExamples(matrix);
  const tasks = summarizeTasks(matrix, options.rankOneTask ?? null);
  return {
    examples,
    topForgotten: topForgotten(matrix, examples, { count: options.top ?? 10 }),
    sources: summarizeBySource(matrix, options.sourceKey !== undefined ? { key: options.sourceKey } : {}),
    tasks,
    taskMetadataCorrelations: correlateTaskMetadata(
      tasks.mean,
      matrix.taskMeta,
      options.metadataKeys ? { keys: options.metadataKeys } : {},
    ),
    similarity: options.similarity ? correlateSimilarity(matrix, options.similarity) : null,
  };
}
