import { InvalidArgumentError } from 'commander';
import type { CommandModule } from './types.js';
import type { CliContext } from '../context.js';
import { ForgetscopeError } from '../../util/errors.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { readForgettingMatrix, type ReadResult } from '../../io/node/readForgettingMatrix.js';
import { readIdList } from '../../io/node/readIdList.js';
import { atomicWrite, refuseOverwrite } from '../../io/node/atomicWrite.js';
import { selectNodeBackend } from '../../linalg/node.js';
import type { BackendKind } from '../../linalg/selectBackend.js';
import { assembleReport, type AssembledReport, type AssembleReportOptions } from '../../viz/report/assemble.js';
import { buildReportHtml } from '../../viz/report/buildReport.js';
import { VERSION } from '../../version.js';
import { readOptionsFromFlags } from './info.js';
import { parseRowList } from './completionArgs.js';

/** Flags of `forgetscope report`. */
export interface ReportFlags {
  out: string;
  force?: boolean;
  json?: boolean;
  title?: string;
  trainRows?: string;
  testRows?: string;
  known: number;
  seeds: string;
  methods?: string;
  select: 'paper' | 'active';
  plotMethod: string;
  curve?: string;
  replayTask?: string;
  nFineTune: number;
  ratio?: number;
  temperature?: number;
  replayMethod: string;
  exclude?: string;
  ranks?: number;
  top: number;
  backend: BackendKind;
  format?: string;
  dtype?: string;
  nanAsMissing?: boolean;
}

/** `--known 30` style positive integers. */
export function positiveInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got "${value}"`);
    return n;
  };
}

/** `--ratio 0.03125` style positive numbers. */
function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive number, got "${value}"`);
    return n;
  };
}

/** `0-4` or `0,1,2` → seeds. */
export function parseSeeds(spec: string): number[] {
  const seeds: number[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (a > b) throw new ForgetscopeError('usage', `--seeds: range ${part} is empty`);
      for (let s = a; s <= b; s++) seeds.push(s);
    } else if (/^\d+$/.test(part)) seeds.push(Number(part));
    else throw new ForgetscopeError('usage', `--seeds: "${part}" is not a seed or a range`);
  }
  if (seeds.length === 0) throw new ForgetscopeError('usage', '--seeds selects no seeds');
  return [...new Set(seeds)];
}

/** `5,10,30` → k values. */
function parseKs(spec: string): number[] {
  return spec.split(',').map((s) => {
    const k = Number(s.trim());
    if (!Number.isSafeInteger(k) || k < 1) throw new ForgetscopeError('usage', `--curve: "${s}" is not a positive integer`);
    return k;
  });
}

/** Turns an id list into an exclusion mask over the matrix's examples (unknown ids are an error). */
export function exclusionMask(ids: readonly string[], matrix: ForgettingMatrix, file: string): Uint8Array {
  const mask = new Uint8Array(matrix.cols);
  ids.forEach((id, k) => {
    const j = matrix.findExample(id);
    if (j < 0) throw new ForgetscopeError('input', `example "${id}" is not an example of the matrix`, { file, line: k + 1, column: 1 });
    mask[j] = 1;
  });
  return mask;
}

/** The one JSON object `report --json` prints (also the summary `demo` builds on). */
export function reportSummary(out: string, bytes: number, r: AssembledReport): Record<string, unknown> {
  const d = r.data;
  return {
    out,
    bytes,
    tasks: d.dataset.tasks,
    examples: d.dataset.examples,
    observed: d.dataset.observed,
    backend: r.structure.backend,
    r2: {
      ranks: r.structure.lowRank.r2,
      additive: r.structure.additive.r2,
      row: r.structure.row.r2,
      column: r.structure.column.r2,
    },
    multiplicativeBeatsAdditive: r.structure.comparison.multiplicativeBeatsAdditive,
    topForgotten: (d.topForgotten ?? []).slice(0, 5),
    sources: d.sources ?? [],
    ...(r.evaluation
      ? {
          evaluation: {
            select: d.evaluation!.select,
            known: r.evaluation.known,
            seeds: r.evaluation.seeds,
            methods: d.evaluation!.methods,
          },
        }
      : {}),
    ...(r.curve ? { curve: r.curve } : {}),
    ...(r.replay && d.replay
      ? {
          replay: {
            task: d.replay.task,
            replayN: d.replay.replayN,
            temperature: r.replay.temperature,
            method: r.replay.method,
            selected: Array.from(r.replay.selected, (j) => d.replay!.exampleIds[j]!),
          },
        }
      : {}),
    charts: countCharts(d),
    missing: d.missing ?? [],
    seconds: r.timings,
  };
}

function countCharts(d: AssembledReport['data']): string[] {
  const charts: string[] = [];
  if (d.heatmap) charts.push('heatmap');
  if (d.structure) charts.push('scree');
  if (d.sources && d.sources.length > 0) charts.push('sources');
  if (d.predicted) charts.push('predicted');
  if (d.rmseCurve && d.rmseCurve.length > 0) charts.push('rmse-k');
  if (d.replay) charts.push('replay-weights', 'replay-top');
  return charts;
}

/**
 * `forgetscope report <input> [--train-rows … --test-rows …] --out report.html [--force]`: one
 * self-contained HTML audit report (inline SVG charts, tables, reader's report, provenance).
 */
export const reportCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('report')
      .description('Write a self-contained HTML audit report: heat map, structure, most-forgotten examples, sources, tasks, model comparison, replay plan')
      .argument('<input>', 'a long table (csv, tsv, jsonl, arrow, parquet), a dense .npy, or a dataset folder')
      .requiredOption('--out <file>', 'the HTML file to write')
      .option('--force', 'overwrite --out when it exists')
      .option('--json', 'print one JSON object on stdout (quiet progress)')
      .option('--title <text>', 'report title', 'Forgetting audit')
      .option('--train-rows <rows>', 'known (train) tasks for the model comparison: ranges, indices or task ids, e.g. 0-45')
      .option('--test-rows <rows>', 'held-out tasks to predict, e.g. 46-65')
      .option('--known <k>', 'measured examples per test task', positiveInt('--known'), 30)
      .option('--seeds <seeds>', 'seeds of the probe draw, e.g. 0-4', '0-4')
      .option('--methods <names>', 'completion methods to compare (default additive-ls,lowrank,knn-baseline)')
      .option('--select <how>', 'probe selection: paper (random, the paper protocol) or active', (v: string) => {
        if (v !== 'paper' && v !== 'active') throw new InvalidArgumentError(`--select must be paper or active, got "${v}"`);
        return v as 'paper' | 'active';
      }, 'paper' as 'paper' | 'active')
      .option('--plot-method <name>', 'method of the predicted-vs-true plot and the RMSE-versus-k curve', 'lowrank')
      .option('--curve <ks>', 'also draw RMSE versus k (random vs active probes) at these k, e.g. 5,10,20,30,50,100')
      .option('--replay-task <row>', 'plan replay for this held-out task (row index or task id; default: the first test row)')
      .option('--n-fine-tune <n>', "the new task's fine-tuning examples (replay draws int(n·ratio) + 1)", positiveInt('--n-fine-tune'), 1000)
      .option('--ratio <r>', 'replay ratio (default 1/32)', positiveNumber('--ratio'))
      .option('--temperature <t>', 'softmax temperature of the replay weights (default 0.1)', positiveNumber('--temperature'))
      .option('--replay-method <name>', 'completion method behind the replay scores', 'lowrank')
      .option('--exclude <file>', 'example ids never to replay (one per line)')
      .option('--ranks <K>', 'fit ranks 1..K (default min(5, tasks, examples))', positiveInt('--ranks'))
      .option('--top <n>', 'most-forgotten examples listed', positiveInt('--top'), 15)
      .option('--backend <kind>', 'numerical backend: auto, cpu or webgpu', (v: string) => {
        if (v !== 'auto' && v !== 'cpu' && v !== 'webgpu') throw new InvalidArgumentError(`--backend must be auto, cpu or webgpu, got "${v}"`);
        return v as BackendKind;
      }, 'auto' as BackendKind)
      .option('--format <format>', 'input format (default: from the extension or the content)')
      .option('--dtype <type>', 'storage of the values: float64 (default) or float32')
      .option('--nan-as-missing', 'treat NaN values as missing entries instead of an error')
      .action(async (input: string, flags: ReportFlags) => {
        const result = await runReport(input, flags, ctx, {
          command: ['forgetscope', ...ctx.argv].join(' '),
          ...(flags.json ? {} : { step: (m: string) => ctx.err(`${m}\n`) }),
        });
        if (flags.json) ctx.printJson(result.summary);
        else ctx.out(formatReportSummary(result.summary));
      });
  },
};

/** What `runReport` returns: the JSON summary and the assembled report. */
export interface ReportRun {
  summary: Record<string, unknown>;
  report: AssembledReport;
}

/** Reads the input, assembles and writes the report (shared by `report` and `demo`). */
export async function runReport(
  input: string,
  flags: ReportFlags,
  ctx: CliContext,
  extra: { command: string; exclude?: Uint8Array; step?: (message: string) => void; notes?: string[]; read?: ReadResult },
): Promise<ReportRun> {
  const json = flags.json ?? false;
  const progress = ctx.progress(json);
  const step = extra.step ?? (() => {});
  await refuseOverwrite(flags.out, flags.force);
  if ((flags.trainRows === undefined) !== (flags.testRows === undefined)) {
    throw new ForgetscopeError('usage', '--train-rows and --test-rows go together');
  }
  let read = extra.read;
  if (!read) {
    step(`reading ${input}`);
    read = await readForgettingMatrix(input, { ...readOptionsFromFlags(flags), progress });
  }
  const matrix = read.matrix;
  const backend = await selectNodeBackend(flags.backend, { warn: ctx.warn, problemSize: matrix.rows * matrix.rows * matrix.cols });
  try {
    const seeds = parseSeeds(flags.seeds);
    const options: AssembleReportOptions = {
      title: flags.title ?? 'Forgetting audit',
      name: input,
      format: read.format,
      read: read.report,
      backend,
      top: flags.top,
      ...(flags.ranks !== undefined ? { ranks: flags.ranks } : {}),
      progress,
      provenance: {
        version: VERSION,
        command: extra.command,
        createdAt: new Date().toISOString(),
        seeds: flags.trainRows !== undefined ? `probe draws: numpy default_rng(seed) for seeds ${flags.seeds}; replay draw seed ${seeds[0]}` : 'none used',
        backend: backend.name,
        runtime: `Node ${process.versions.node} on ${process.platform}-${process.arch}`,
        ...(extra.notes ? { notes: extra.notes } : {}),
      },
    };
    let testRows: number[] = [];
    if (flags.trainRows !== undefined && flags.testRows !== undefined) {
      const trainRows = parseRowList(flags.trainRows, matrix, '--train-rows');
      testRows = parseRowList(flags.testRows, matrix, '--test-rows');
      const overlap = testRows.filter((t) => trainRows.includes(t));
      if (overlap.length > 0) throw new ForgetscopeError('usage', `--train-rows and --test-rows share row ${overlap[0]}`);
      options.evaluation = {
        trainRows,
        testRows,
        trainLabel: flags.trainRows,
        testLabel: flags.testRows,
        known: flags.known,
        seeds,
        ...(flags.methods !== undefined ? { methods: flags.methods.split(',').map((s) => s.trim()).filter((s) => s !== '') } : {}),
        select: flags.select,
        plotMethod: flags.plotMethod,
        ...(flags.curve !== undefined ? { curveKs: parseKs(flags.curve) } : {}),
      };
    }
    const replayRow = flags.replayTask !== undefined ? parseRowList(flags.replayTask, matrix, '--replay-task')[0]! : testRows[0];
    if (replayRow !== undefined) {
      let exclude = extra.exclude;
      if (flags.exclude !== undefined) exclude = exclusionMask(await readIdList(flags.exclude), matrix, flags.exclude);
      options.replay = {
        task: replayRow,
        nFineTune: flags.nFineTune,
        seed: seeds[0]!,
        method: flags.replayMethod,
        known: flags.known,
        ...(flags.ratio !== undefined ? { ratio: flags.ratio } : {}),
        ...(flags.temperature !== undefined ? { temperature: flags.temperature } : {}),
        ...(exclude ? { exclude } : {}),
      };
    }
    const assembled = await assembleReport(matrix, { ...options, onStep: (stage, detail) => step(`${stage}: ${detail}`) });
    step(`report: rendering ${flags.out}`);
    const html = await buildReportHtml(assembled.data, { onWarning: (w) => ctx.warn(`chart: ${w}`) });
    await atomicWrite(flags.out, html, { force: flags.force ?? false });
    const bytes = new TextEncoder().encode(html).length;
    return { summary: reportSummary(flags.out, bytes, assembled), report: assembled };
  } finally {
    await backend.dispose();
  }
}

/** A short human-readable summary of a written report. */
export function formatReportSummary(s: Record<string, unknown>): string {
  const r2 = s['r2'] as { ranks: ArrayLike<number>; additive: number };
  const lines = [
    `wrote ${s['out']} (${Math.round(Number(s['bytes']) / 1024)} KiB, charts: ${(s['charts'] as string[]).join(', ')})`,
    `${s['tasks']} tasks × ${s['examples']} examples; rank-1 R² ${Number(r2.ranks[0]).toFixed(3)} vs additive ${r2.additive.toFixed(3)}`,
  ];
  const ev = s['evaluation'] as { methods: Record<string, { rmse: number | null; f1: number | null }> } | undefined;
  if (ev) {
    for (const [name, m] of Object.entries(ev.methods)) {
      lines.push(`  ${name.padEnd(14)} RMSE ${m.rmse === null ? '   —  ' : m.rmse.toFixed(4)}  F1 ${m.f1 === null ? '—' : m.f1.toFixed(3)}`);
    }
  }
  return lines.join('\n') + '\n';
}
