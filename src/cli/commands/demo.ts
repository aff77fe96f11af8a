import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from './types.js';
import type { CliContext } from '../context.js';
import { ForgetscopeError } from '../../util/errors.js';
import { refuseOverwrite } from '../../io/node/atomicWrite.js';
import { writeTable } from '../../io/node/writeTable.js';
import type { BackendKind } from '../../linalg/selectBackend.js';
import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { readForgettingMatrix } from '../../io/node/readForgettingMatrix.js';
import { runReport, parseSeeds, type ReportFlags, type ReportRun } from './report.js';

/**
 * The bundled real fixture, found from this file's location (src/cli/commands or dist/cli/commands
 * → repository root), so `npm start` works from any working directory of a clone.
 */
export function bundledFixture(): string {
  return fileURLToPath(new URL('../../../fixtures/real-dev-v1', import.meta.url));
}

/**
 * The demo's fixed split of the fixture's 37 tasks: the test rows of the paper-protocol reference
 * results shipped with the spec (11 held-out tasks), the other 26 rows train.
 */
export const DEMO_TEST_ROWS = [2, 5, 11, 16, 20, 21, 23, 25, 31, 34, 36];

/** Fine-tuning examples per task in the fixture (640 windows, 64 of them the task's evaluation set). */
const FIXTURE_FINE_TUNE_EXAMPLES = 576;

interface DemoFlags {
  input?: string;
  out: string;
  force?: boolean;
  json?: boolean;
  seeds: string;
  backend: BackendKind;
}

/**
 * `forgetscope demo` (= `npm start`): the whole main job on the bundled real fixture — read it (info),
 * analyse its structure, evaluate completion methods with the paper's protocol, plan replay for one
 * held-out task, and write the HTML report and the replay plan.
 */
export const demoCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('demo')
      .description('Run the main job on the bundled real fixture: info → analyze → evaluate → replay plan → HTML report')
      .option('--input <dir>', 'dataset to use instead of the bundled fixtures/real-dev-v1')
      .option('--out <dir>', 'folder for report.html and replay-plan.csv', 'demo-output')
      .option('--force', 'overwrite report.html and replay-plan.csv in --out')
      .option('--json', 'print one JSON object on stdout (quiet progress)')
      .option('--seeds <seeds>', 'seeds of the probe draws', '0-4')
      .option('--backend <kind>', 'numerical backend: auto, cpu or webgpu', 'cpu')
      .action(async (flags: DemoFlags) => runDemo(flags, ctx));
  },
};

async function heldOutMask(input: string, matrix: ForgettingMatrix): Promise<{ mask: Uint8Array; count: number } | null> {
  const file = join(input, 'heldout_examples.json');
  if (!existsSync(file)) return null;
  let ids: unknown;
  try {
    ids = (JSON.parse(await readFile(file, 'utf8')) as { example_ids?: unknown }).example_ids;
  } catch (e) {
    throw new ForgetscopeError('parse', `cannot parse held-out examples: ${(e as Error).message}`, { file });
  }
  if (!Array.isArray(ids)) throw new ForgetscopeError('input', 'expected an "example_ids" array', { file });
  const mask = new Uint8Array(matrix.cols);
  let count = 0;
  for (const id of ids) {
    const j = matrix.findExample(String(id));
    if (j >= 0 && mask[j] === 0) {
      mask[j] = 1;
      count++;
    }
  }
  return { mask, count };
}

async function runDemo(flags: DemoFlags, ctx: CliContext): Promise<void> {
  const t0 = performance.now();
  const json = flags.json ?? false;
  const input = flags.input ?? bundledFixture();
  if (!existsSync(input)) throw new ForgetscopeError('usage', `${input} does not exist; pass --input DIR (the bundled fixture ships with the repository, not the npm package)`);
  const shownInput = flags.input ?? relative(process.cwd(), input) ?? input;
  const reportPath = join(flags.out, 'report.html');
  const planPath = join(flags.out, 'replay-plan.csv');
  await refuseOverwrite(reportPath, flags.force);
  await refuseOverwrite(planPath, flags.force);
  await mkdir(flags.out, { recursive: true });
  let stepNo = 0;
  const step = (message: string): void => {
    if (!json) ctx.err(`[${++stepNo}] ${message}\n`);
  };
  const seeds = parseSeeds(flags.seeds);
  const trainRows: number[] = [];
  const reportFlags: ReportFlags = {
    out: reportPath,
    force: flags.force ?? false,
    json,
    title: 'forgetscope demo: forgetting audit of the real-dev-v1 fixture',
    known: 30,
    seeds: flags.seeds,
    methods: 'additive-ls,lowrank,knn',
    select: 'paper',
    plotMethod: 'lowrank',
    curve: '5,10,30,100',
    nFineTune: FIXTURE_FINE_TUNE_EXAMPLES,
    replayMethod: 'lowrank',
    top: 15,
    backend: flags.backend,
  };
  step(`info: reading ${shownInput}`);
  const read = await readForgettingMatrix(input, { progress: ctx.progress(json) });
  const m = read.matrix;
  if (m.rows <= Math.max(...DEMO_TEST_ROWS)) {
    throw new ForgetscopeError('input', `the demo split needs at least ${Math.max(...DEMO_TEST_ROWS) + 1} tasks; ${shownInput} has ${m.rows}`);
  }
  for (let i = 0; i < m.rows; i++) if (!DEMO_TEST_ROWS.includes(i)) trainRows.push(i);
  reportFlags.trainRows = trainRows.join(',');
  reportFlags.testRows = DEMO_TEST_ROWS.join(',');
  const held = await heldOutMask(input, m);
  step(
    `info: ${m.rows} tasks × ${m.cols} examples, ${read.report.kept} of ${read.report.rows} rows kept` +
      (held ? `; ${held.count} held-out examples will never be replayed` : ''),
  );
  const run = await runReport(shownInput, reportFlags, ctx, {
    command: ['forgetscope', ...ctx.argv].join(' '),
    read,
    ...(held ? { exclude: held.mask } : {}),
    step: (msg) => step(msg),
    notes: [
      `Demo split: test rows ${DEMO_TEST_ROWS.join(',')} (the spec's reference split), train rows the other ${trainRows.length}.`,
      `Replay: fixture tasks have ${FIXTURE_FINE_TUNE_EXAMPLES} fine-tuning examples; held-out examples (heldout_examples.json) are never replayed.`,
    ],
  });
  const plan = run.report.replay!;
  const ids = run.report.data.replay!.exampleIds;
  const selectedMask = new Uint8Array(ids.length);
  for (const j of plan.selected) selectedMask[j] = 1;
  await writeTable(
    planPath,
    { columns: { example: [...ids], score: plan.scores, weight: plan.weights, selected: selectedMask } },
    { force: flags.force ?? false },
  );
  step(`replay plan written to ${planPath}`);
  const seconds = (performance.now() - t0) / 1000;
  const summary = { ...run.summary, replayPlan: planPath, seeds, totalSeconds: seconds };
  if (json) ctx.printJson(summary);
  else ctx.out(formatDemoSummary(run, reportPath, planPath, seconds, shownInput));
}

function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** The readable summary `npm start` prints. */
function formatDemoSummary(run: ReportRun, reportPath: string, planPath: string, seconds: number, input: string): string {
  const r = run.report;
  const d = r.data;
  const s = r.structure;
  const lines: string[] = [];
  lines.push('', `forgetscope demo — ${input}: ${d.dataset.tasks} tasks × ${d.dataset.examples} upstream examples, mean Z ${fmt(d.dataset.mean)} nats, ${fmt(100 * d.dataset.fractionForgotten, 1)} % of entries forgotten`, '');
  lines.push(
    `Structure  R² by rank ${Array.from(s.lowRank.r2, (x) => fmt(x)).join(' ')}; additive ${fmt(s.additive.r2)} → ` +
      (s.comparison.multiplicativeBeatsAdditive ? 'the multiplicative (rank-1) model beats the additive one' : 'the additive model beats rank 1'),
  );
  const sources = [...(d.sources ?? [])].sort((a, b) => b.mean - a.mean);
  if (sources.length > 0) {
    lines.push(`Sources    most forgotten ${sources[0]!.source} (mean Z ${fmt(sources[0]!.mean)}), least ${sources[sources.length - 1]!.source} (${fmt(sources[sources.length - 1]!.mean)})`);
  }
  const top = d.topForgotten?.[0];
  if (top) lines.push(`Examples   most forgotten: ${top.example}${top.source ? ` (${top.source})` : ''}, mean Z ${fmt(top.mean)}`);
  if (d.evaluation) {
    const ev = d.evaluation;
    lines.push('', `Completion ${ev.known} measured examples per held-out task (paper protocol), ${r.evaluation!.trainRows.length} train / ${r.evaluation!.testRows.length} test tasks, seeds ${ev.seeds.join(',')}`);
    lines.push(`  ${'method'.padEnd(13)} ${'RMSE'.padStart(6)} ${'F1'.padStart(6)} ${'AUC'.padStart(6)} ${'seconds'.padStart(8)}`);
    for (const [name, m] of Object.entries(ev.methods)) {
      lines.push(`  ${name.padEnd(13)} ${fmt(m.rmse).padStart(6)} ${fmt(m.f1).padStart(6)} ${fmt(m.auc).padStart(6)} ${fmt(m.seconds, 2).padStart(8)}`);
    }
  }
  if (r.curve) {
    const at = (k: number, sel: string): number | undefined => r.curve!.find((p) => p.k === k && p.select === sel)?.rmse;
    lines.push(`  lowrank RMSE by k (random → active): ${[...new Set(r.curve.map((p) => p.k))].map((k) => `k=${k} ${fmt(at(k, 'random'))}→${fmt(at(k, 'active'))}`).join(', ')}`);
  }
  if (d.replay && r.replay) {
    const names = Array.from(r.replay.selected.slice(0, 5), (j) => d.replay!.exampleIds[j]!);
    lines.push('', `Replay     task ${d.replay.task}: ${d.replay.replayN} examples drawn (T = ${r.replay.temperature}, scores from ${r.replay.method}); first: ${names.join(', ')} …`);
  }
  lines.push('', `Report     ${reportPath}  (open it in a browser; self-contained, printable)`, `Plan       ${planPath}  (example, score, weight, selected)`, `Done in ${seconds.toFixed(1)} s`, '');
  return lines.join('\n');
}
