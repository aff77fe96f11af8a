import { defineCommand } from '../flags.js';
import { addReadOptions, readOptionsFromFlags, type ReadFlags } from '../flags.js';
import { readMatrixInput } from '../inputs.js';
import type { MetaValue } from '../../matrix/ForgettingMatrix.js';
import { isEmbeddingKey } from '../../matrix/exampleEmbedding.js';

/** Flags of `forgetscope info`. */
interface InfoFlags extends ReadFlags {
  json?: boolean;
}

const DESCRIPTION =
  'shape, observed count, value summary and read report of a forgetting matrix (file or dataset folder)';

/** How many of `metas` carry each key, in order of first appearance. */
function keyCounts(metas: readonly Record<string, MetaValue>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const meta of metas) for (const key of Object.keys(meta)) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

/** `key (count)` for each key, the `embedding.<i>` keys as one entry (`20 embedding keys (500 each)`). */
function describeKeys(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  if (entries.length === 0) return 'none';
  const plain = entries.filter(([k]) => !isEmbeddingKey(k)).map(([k, n]) => `${k} (${n})`);
  const embedding = entries.filter(([k]) => isEmbeddingKey(k));
  if (embedding.length > 0) {
    const ns = [...new Set(embedding.map(([, n]) => n))];
    const each = ns.length === 1 ? `${ns[0]} each` : `${Math.min(...ns)}–${Math.max(...ns)} each`;
    plain.push(`${embedding.length} embedding key${embedding.length === 1 ? '' : 's'} (${each})`);
  }
  return plain.join(', ');
}

/**
 * `forgetscope info <input> [--json]`: shape, observed count, value summary, the reader's report (and
 * its warnings, also on stderr) and the metadata keys the reader kept, for a file (CSV, TSV, JSON
 * Lines, Arrow, Parquet, .npy) or a dataset folder.
 */
export const infoCommand = defineCommand(
  'info',
  DESCRIPTION,
  [['<input>', 'a long table (.csv .tsv .jsonl .arrow .parquet), a dense .npy, a dataset folder, or - for stdin']],
  (cmd, ctx) => {
    cmd.option('--json', 'print one JSON object on stdout');
    addReadOptions(cmd).action(async (input: string, flags: InfoFlags) => {
      const json = flags.json ?? false;
      const result = await readMatrixInput(
        input,
        { ...readOptionsFromFlags(flags), progress: ctx.progress(json) },
        ctx.warn,
      );
      const { matrix, report } = result;
      const s = matrix.summary();
      const out = {
        tasks: s.tasks,
        examples: s.examples,
        observed: s.observed,
        missing: s.missing,
        read: {
          rows: report.rows,
          kept: report.kept,
          dropped: report.dropped,
          ...(report.merged ? { merged: report.merged } : {}),
        },
        format: result.format,
        source: result.source,
        dtype: matrix.values instanceof Float32Array ? 'float32' : 'float64',
        summary: { min: s.min, max: s.max, mean: s.mean, std: s.std, fractionPositive: s.fractionPositive },
        hasNllBefore: matrix.nllBefore !== null,
        // how many examples / tasks carry each metadata key the reader kept
        metadata: { example: keyCounts(matrix.exampleMeta), task: keyCounts(matrix.taskMeta) },
        ...(report.warnings ? { warnings: report.warnings } : {}),
      };
      if (json) {
        ctx.printJson(out);
        return;
      }
      const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '—');
      const dropped = Object.entries(report.dropped);
      const lines = [
        `${result.source} (${result.format})`,
        `  tasks × examples   ${s.tasks} × ${s.examples}`,
        `  observed           ${s.observed} (${s.missing} missing)`,
        `  Z min / mean / max ${fmt(s.min)} / ${fmt(s.mean)} / ${fmt(s.max)}`,
        `  Z std              ${fmt(s.std)}`,
        `  fraction Z > 0     ${fmt(s.fractionPositive)}`,
        `  rows read / kept   ${report.rows} / ${report.kept}${report.merged ? ` (${report.merged} merged duplicates)` : ''}`,
        `  rows dropped       ${dropped.length === 0 ? 'none' : dropped.map(([k, v]) => `${v} ${k}`).join(', ')}`,
        `  example metadata   ${describeKeys(out.metadata.example)}`,
        `  task metadata      ${describeKeys(out.metadata.task)}`,
      ];
      ctx.out(lines.join('\n') + '\n');
    });
  },
);
