import { defineCommand } from '../flags.js';
import { readForgettingMatrix } from '../../io/node/readForgettingMatrix.js';
import { addReadOptions, readOptionsFromFlags, type ReadFlags } from '../flags.js';

/** Flags of `forgetscope info`. */
interface InfoFlags extends ReadFlags {
  json?: boolean;
}

const DESCRIPTION =
  'shape, observed count, value summary and read report of a forgetting matrix (file or dataset folder)';

/**
 * `forgetscope info <input> [--json]`: shape, observed count, value summary and the reader's report
 * for a file (CSV, TSV, JSON Lines, Arrow, Parquet, .npy) or a dataset folder.
 */
export const infoCommand = defineCommand(
  'info',
  DESCRIPTION,
  [['<input>', 'a long table (.csv .tsv .jsonl .arrow .parquet), a dense .npy, a dataset folder, or - for stdin']],
  (cmd, ctx) => {
    cmd.option('--json', 'print one JSON object on stdout');
    addReadOptions(cmd).action(async (input: string, flags: InfoFlags) => {
      const json = flags.json ?? false;
      const result = await readForgettingMatrix(input, {
        ...readOptionsFromFlags(flags),
        progress: ctx.progress(json),
      });
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
      ];
      ctx.out(lines.join('\n') + '\n');
    });
  },
);
