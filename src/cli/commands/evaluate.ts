/**
 * `forgetscope evaluate <input> --train-rows 0-45 --test-rows 46-65 [--known 30] [--seeds 0-9]
 * [--methods a,b] [--select paper|active] [--dump-known FILE] [--json] [--backend auto|cpu|webgpu]`:
 * the paper's row-completion protocol (fresh numpy `default_rng(seed)` per test row, `choice(N, k)`
 * with replacement, pooled metrics per seed averaged over seeds) for every chosen method.
 */
import { readMatrixInput } from '../inputs.js';
import type { Command } from 'commander';
import { defineCommand } from '../flags.js';
import type { CliContext } from '../context.js';
import { ForgetscopeError } from '../../util/errors.js';
import { atomicWrite } from '../../io/node/atomicWrite.js';
import { checkOutFile } from '../outputs.js';
import { evaluate, type EvaluationResult, type ProbeSelector } from '../../completion/protocol/evaluate.js';
import { createCompletionMethod } from '../../completion/registry.js';
import { selectActiveProbes } from '../../completion/probes/index.js';
import { stringifyResult } from '../../util/json.js';
import {
  addBackendOption,
  addReadOptions,
  addRowOptions,
  backendFromFlag,
  backendJson,
  parseChoice,
  parseIntList,
  parseMethodList,
  parsePositiveInt,
  parseRowList,
  readOptionsFromFlags,
  checkCountAtMost,
  type ReadFlags,
  MATRIX_INPUT,
  addSideOptions,
  parseSideList,
  withEffectsFlag,
} from '../flags.js';
import { textTable } from '../../util/textTable.js';

interface EvaluateFlags extends ReadFlags {
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
  /** false with --no-example-effects. */
  exampleEffects?: boolean;
}

const DESCRIPTION = "Evaluate row completion with the paper's protocol (known columns drawn per seed, pooled metrics)";

/** The `evaluate` command. */
export const evaluateCommand = defineCommand('evaluate', DESCRIPTION, [MATRIX_INPUT], (cmd, ctx) => {
  cmd;
  addRowOptions(cmd, {
    train: 'train rows: indices, inclusive ranges (0-45) or task ids, comma-separated',
    test: 'test rows, same syntax',
  })
    .option('--known <k>', 'columns drawn per test row (with replacement, as the paper)', '30')
    .option('--seeds <list>', 'seeds, e.g. 0-9', '0-9')
    .option(
      '--methods <names>',
      'comma-separated methods (default: all registered except the opt-in soft-impute and ensemble)',
    )
    .option('--select <how>', "probe selection: 'paper' (numpy default_rng(seed).choice) or 'active'", 'paper')
    .option('--dump-known <file>', 'write the drawn columns as JSON {"<test row>": {"<seed>": [...]}}')
    .option('--force', 'overwrite --dump-known');
  addBackendOption(cmd, 'auto', 'numerical backend for methods that use one: auto, cpu or webgpu');
  addSideOptions(addReadOptions(cmd.option('--json', 'print one JSON object on stdout'))).action(
    async (input: string, flags: EvaluateFlags, command: Command) =>
      runEvaluate(input, flags, ctx, command.getOptionValueSource('known') !== 'default'),
  );
});

async function runEvaluate(input: string, flags: EvaluateFlags, ctx: CliContext, knownGiven: boolean): Promise<void> {
  const json = flags.json ?? false;
  if (flags.trainRows === undefined) throw new ForgetscopeError('usage', 'evaluate needs --train-rows');
  if (flags.testRows === undefined) throw new ForgetscopeError('usage', 'evaluate needs --test-rows');
  const selectHow = parseChoice(flags.select, '--select', ['paper', 'active'] as const);
  const known = parsePositiveInt(flags.known, '--known');
  const seeds = parseIntList(flags.seeds, '--seeds');
  const methodNames = parseMethodList(flags.methods);
  if (flags.dumpKnown) await checkOutFile(ctx, flags.dumpKnown, flags.force);
  const progress = ctx.progress(json);
  const sideNames = parseSideList(flags.side);
  const { matrix, side } = await readMatrixInput(
    input,
    { ...readOptionsFromFlags(flags), progress, ...(sideNames.length > 0 ? { side: sideNames } : {}) },
    ctx.warn,
  );
  const trainRows = parseRowList(flags.trainRows, matrix, '--train-rows');
  const testRows = parseRowList(flags.testRows, matrix, '--test-rows');
  // a --known given is checked against the data (the default 30 is drawn with replacement as the paper does)
  if (knownGiven) checkCountAtMost(known, '--known', matrix.cols, 'examples of the matrix');
  const backend = await backendFromFlag(flags.backend, ctx, { rows: trainRows.length, cols: matrix.cols });
  // Active probes depend on the train rows only (not on the seed or the test row): choose them once.
  let activeProbes: Promise<Int32Array> | null = null;
  const select: 'paper' | ProbeSelector =
    selectHow === 'active' ? ({ train, k }) => (activeProbes ??= selectActiveProbes(train, k, { backend })) : 'paper';
  let result: EvaluationResult;
  try {
    result = await evaluate(matrix, {
      trainRows,
      testRows,
      known,
      seeds,
      methods: methodNames.map((name) => withEffectsFlag(createCompletionMethod(name), flags.exampleEffects)),
      select,
      backend,
      progress,
      ...(side ? { side } : {}),
    });
  } finally {
    await backend.dispose();
  }
  result.select = selectHow;
  if (flags.dumpKnown)
    await atomicWrite(flags.dumpKnown, stringifyResult(result.knownColumns) + '\n', { force: flags.force ?? false });
  if (json) {
    const { methods, known: k, seeds: s, trainRows: tr, testRows: te } = result;
    ctx.printJson({
      methods,
      select: result.select,
      known: k,
      seeds: s,
      trainRows: tr,
      testRows: te,
      backend: backend.name,
      ...(sideNames.length > 0 ? { side: sideNames } : {}),
      ...backendJson(backend),
    });
    return;
  }
  ctx.out(formatTable(result, sideNames));
}

function formatTable(result: EvaluationResult, sideNames: readonly string[]): string {
  const fmt = (x: number | null): string => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(4));
  const head = `protocol: ${result.trainRows.length} train rows, ${result.testRows.length} test rows, known ${result.known} (${result.select}), seeds ${result.seeds.join(',')}${sideNames.length > 0 ? `, side ${sideNames.join(',')}` : ''}\n`;
  const rows = Object.entries(result.methods).map(([name, m]) => [
    name,
    fmt(m.rmse),
    fmt(m.f1),
    fmt(m.precision),
    fmt(m.recall),
    fmt(m.auc),
    m.seconds.toFixed(2),
    String(m.fits),
  ]);
  return (
    head +
    textTable(['method', 'rmse', 'f1', 'precision', 'recall', 'auc', 'seconds', 'fits'], rows, {
      gap: '',
      rule: false,
      minWidths: [16, 9, 9, 11, 9, 9, 10, 6],
    })
  );
}
