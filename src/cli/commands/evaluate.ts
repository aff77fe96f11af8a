/**
 * `forgetscope evaluate <input> --train-rows 0-45 --test-rows 46-65 [--known 30] [--seeds 0-9]
 * [--methods a,b] [--select paper|active] [--dump-known FILE] [--json] [--backend auto|cpu|webgpu]`:
 * the paper's row-completion protocol (fresh numpy `default_rng(seed)` per test row, `choice(N, k)`
 * with replacement, pooled metrics per seed averaged over seeds) for every chosen method.
 */
import type { CommandModule } from './types.js';
import type { CliContext } from '../context.js';
import { ForgetscopeError } from '../../util/errors.js';
import { readForgettingMatrix } from '../../io/node/readForgettingMatrix.js';
import { atomicWrite, refuseOverwrite } from '../../io/node/atomicWrite.js';
import { selectNodeBackend } from '../../linalg/node.js';
import type { BackendKind } from '../../linalg/selectBackend.js';
import { evaluate, type EvaluationResult, type ProbeSelector } from '../../completion/protocol/evaluate.js';
import { createCompletionMethod } from '../../completion/registry.js';
import { selectActiveProbes } from '../../completion/probes/index.js';
import { stringifyResult } from '../../util/json.js';
import { parseIntList, parseMethodList, parsePositiveInt, parseRowList } from './completionArgs.js';
import { addSideOption, parseSideList } from './sideOption.js';

interface EvaluateFlags {
  trainRows?: string;
  testRows?: string;
  known: string;
  seeds: string;
  methods?: string;
  select: string;
  dumpKnown?: string;
  force?: boolean;
  json?: boolean;
  backend: string;
  side?: string;
}

/** The `evaluate` command. */
export const evaluateCommand: CommandModule = {
  register(program, ctx) {
    const command = program
      .command('evaluate')
      .description("Evaluate row completion with the paper's protocol (known columns drawn per seed, pooled metrics)")
      .argument('<input>', 'a long table (csv, tsv, jsonl, arrow, parquet), a dense .npy, or a dataset folder')
      .option('--train-rows <rows>', 'train rows: indices, inclusive ranges (0-45) or task ids, comma-separated')
      .option('--test-rows <rows>', 'test rows, same syntax')
      .option('--known <k>', 'columns drawn per test row (with replacement, as the paper)', '30')
      .option('--seeds <list>', 'seeds, e.g. 0-9', '0-9')
      .option('--methods <names>', 'comma-separated methods (default: all registered except the opt-in soft-impute and ensemble)')
      .option('--select <how>', "probe selection: 'paper' (numpy default_rng(seed).choice) or 'active'", 'paper')
      .option('--dump-known <file>', 'write the drawn columns as JSON {"<test row>": {"<seed>": [...]}}')
      .option('--force', 'overwrite --dump-known')
      .option('--backend <kind>', 'numerical backend for methods that use one: auto, cpu or webgpu', 'auto')
      .option('--json', 'print one JSON object on stdout');
    addSideOption(command).action(async (input: string, flags: EvaluateFlags) => runEvaluate(input, flags, ctx));
  },
};

async function runEvaluate(input: string, flags: EvaluateFlags, ctx: CliContext): Promise<void> {
  const json = flags.json ?? false;
  if (flags.trainRows === undefined) throw new ForgetscopeError('usage', 'evaluate needs --train-rows');
  if (flags.testRows === undefined) throw new ForgetscopeError('usage', 'evaluate needs --test-rows');
  if (flags.select !== 'paper' && flags.select !== 'active') {
    throw new ForgetscopeError('usage', `--select must be paper or active, got "${flags.select}"`);
  }
  const backendKind = parseBackendKind(flags.backend);
  const known = parsePositiveInt(flags.known, '--known');
  const seeds = parseIntList(flags.seeds, '--seeds');
  const methodNames = parseMethodList(flags.methods);
  if (flags.dumpKnown) await refuseOverwrite(flags.dumpKnown, flags.force);
  const progress = ctx.progress(json);
  const sideNames = parseSideList(flags.side);
  const { matrix, side } = await readForgettingMatrix(input, { progress, ...(sideNames.length > 0 ? { side: sideNames } : {}) });
  const trainRows = parseRowList(flags.trainRows, matrix, '--train-rows');
  const testRows = parseRowList(flags.testRows, matrix, '--test-rows');
  const backend = await selectNodeBackend(backendKind);
  // Active probes depend on the train rows only (not on the seed or the test row): choose them once.
  let activeProbes: Promise<Int32Array> | null = null;
  const select: 'paper' | ProbeSelector =
    flags.select === 'active' ? ({ train, k }) => (activeProbes ??= selectActiveProbes(train, k, { backend })) : 'paper';
  let result: EvaluationResult;
  try {
    result = await evaluate(matrix, {
      trainRows,
      testRows,
      known,
      seeds,
      methods: methodNames.map(createCompletionMethod),
      select,
      backend,
      progress,
      ...(side ? { side } : {}),
    });
  } finally {
    await backend.dispose();
  }
  result.select = flags.select;
  if (flags.dumpKnown) await atomicWrite(flags.dumpKnown, stringifyResult(result.knownColumns) + '\n', { force: flags.force ?? false });
  if (json) {
    ctx.printJson({
      methods: Object.fromEntries(Object.entries(result.methods).map(([name, m]) => [name, m])),
      select: result.select,
      known: result.known,
      seeds: result.seeds,
      trainRows: result.trainRows,
      testRows: result.testRows,
      backend: backend.name,
      ...(sideNames.length > 0 ? { side: sideNames } : {}),
    });
    return;
  }
  ctx.out(formatTable(result, sideNames));
}

function parseBackendKind(v: string): BackendKind {
  if (v !== 'auto' && v !== 'cpu' && v !== 'webgpu') throw new ForgetscopeError('usage', `--backend must be auto, cpu or webgpu, got "${v}"`);
  return v as BackendKind;
}

function formatTable(result: EvaluationResult, sideNames: readonly string[]): string {
  const fmt = (x: number | null): string => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(4));
  const lines = [
    `protocol: ${result.trainRows.length} train rows, ${result.testRows.length} test rows, known ${result.known} (${result.select}), seeds ${result.seeds.join(',')}${sideNames.length > 0 ? `, side ${sideNames.join(',')}` : ''}`,
    `${'method'.padEnd(16)}${'rmse'.padStart(9)}${'f1'.padStart(9)}${'precision'.padStart(11)}${'recall'.padStart(9)}${'auc'.padStart(9)}${'seconds'.padStart(10)}${'fits'.padStart(6)}`,
  ];
  for (const [name, m] of Object.entries(result.methods)) {
    lines.push(
      `${name.padEnd(16)}${fmt(m.rmse).padStart(9)}${fmt(m.f1).padStart(9)}${fmt(m.precision).padStart(11)}${fmt(m.recall).padStart(9)}${fmt(m.auc).padStart(9)}${m.seconds.toFixed(2).padStart(10)}${String(m.fits).padStart(6)}`,
    );
  }
  return lines.join('\n') + '\n';
}
