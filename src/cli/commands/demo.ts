import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand } from '../flags.js';
import type { CliContext } from '../context.js';
import { ForgetscopeError } from '../../util/errors.js';
import { refuseOverwrite } from '../../io/node/atomicWrite.js';
import { writeTable } from '../../io/node/writeTable.js';
import type { ReadResult } from '../../io/types.js';
import type { ReportPlan } from '../../report/assemble.js';
import { formatReportNarrative } from '../../report/narrative.js';
import { addBackendOption, parseIntList } from '../flags.js';
import { readExclusion, readMatrixInput, type ExampleMask } from '../inputs.js';
import { writeReport } from '../writeReport.js';

/**
 * The bundled real fixture, found from this file's location (src/cli/commands or dist/cli/commands
 * → repository root), so `npm start` works from any working directory of a clone.
 */
export function bundledFixture(): string {
  return fileURLToPath(new URL('../../../fixtures/real-dev-v1', import.meta.url));
}

/**
 * The demo's fixed split of the fixture's 37 tasks: the test rows of the paper-protocol reference
 * results recorded for the fixture (11 held-out tasks), the other 26 rows train.
 */
export const DEMO_TEST_ROWS: readonly [number, ...number[]] = [2, 5, 11, 16, 20, 21, 23, 25, 31, 34, 36];

/** Fine-tuning examples per task in the fixture (640 windows, 64 of them the task's evaluation set). */
const FIXTURE_FINE_TUNE_EXAMPLES = 576;

interface DemoFlags {
  input?: string;
  out: string;
  force?: boolean;
  json?: boolean;
  seeds: string;
  backend: string;
}

const DESCRIPTION =
  'Run the main job on the bundled real fixture: info → analyze → evaluate → replay plan → HTML report';

/**
 * `forgetscope demo` (= `npm start`): the whole main job on the bundled real fixture — read it (info),
 * analyse its structure, evaluate completion methods with the paper's protocol, plan replay for one
 * held-out task, and write the HTML report and the replay plan.
 */
export const demoCommand = defineCommand('demo', DESCRIPTION, [], (cmd, ctx) => {
  cmd
    .option('--input <dir>', 'dataset to use instead of the bundled fixtures/real-dev-v1')
    .option('--out <dir>', 'folder for report.html and replay-plan.csv', 'demo-output')
    .option('--force', 'overwrite report.html and replay-plan.csv in --out')
    .option('--json', 'print one JSON object on stdout (quiet progress)')
    .option('--seeds <seeds>', 'seeds of the probe draws', '0-4');
  addBackendOption(cmd, 'cpu').action(async (flags: DemoFlags) => runDemo(flags, ctx));
});

/** The demo's report: the fixed split, the fixture's fine-tuning size, held-out examples never replayed. */
function demoPlan(
  read: ReadResult,
  shownInput: string,
  seeds: number[],
  held: ExampleMask | null,
): Omit<ReportPlan, 'provenance'> {
  const m = read.matrix;
  const trainRows = m.taskIds.map((_, i) => i).filter((i) => !DEMO_TEST_ROWS.includes(i));
  return {
    title: 'forgetscope demo: forgetting audit of the real-dev-v1 fixture',
    name: shownInput,
    format: read.format,
    read: read.report,
    top: 15,
    evaluation: {
      trainRows,
      testRows: DEMO_TEST_ROWS,
      trainLabel: trainRows.join(','),
      testLabel: DEMO_TEST_ROWS.join(','),
      known: 30,
      seeds,
      methods: ['additive-ls', 'lowrank', 'knn'],
      select: 'paper',
      plotMethod: 'lowrank',
      curveKs: [5, 10, 30, 100],
    },
    replay: {
      task: DEMO_TEST_ROWS[0],
      nFineTune: FIXTURE_FINE_TUNE_EXAMPLES,
      seed: seeds[0],
      method: 'lowrank',
      known: 30,
      ...(held ? { exclude: held.mask } : {}),
    },
  };
}

async function runDemo(flags: DemoFlags, ctx: CliContext): Promise<void> {
  const t0 = performance.now();
  const json = flags.json ?? false;
  const input = flags.input ?? bundledFixture();
  if (!existsSync(input))
    throw new ForgetscopeError(
      'usage',
      `${input} does not exist; pass --input DIR (the bundled fixture ships with the repository, not the npm package)`,
    );
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
  const seeds = parseIntList(flags.seeds, '--seeds');
  step(`info: reading ${shownInput}`);
  const read = await readMatrixInput(input, { progress: ctx.progress(json) }, ctx.warn);
  const m = read.matrix;
  if (m.rows <= Math.max(...DEMO_TEST_ROWS)) {
    throw new ForgetscopeError(
      'input',
      `the demo split needs at least ${Math.max(...DEMO_TEST_ROWS) + 1} tasks; ${shownInput} has ${m.rows}`,
    );
  }
  const heldFile = join(input, 'heldout_examples.json');
  const held = existsSync(heldFile) ? await readExclusion(heldFile, m, { unknown: 'skip' }) : null;
  step(
    `info: ${m.rows} tasks × ${m.cols} examples, ${read.report.kept} of ${read.report.rows} rows kept` +
      (held ? `; ${held.count} held-out examples will never be replayed` : ''),
  );
  const run = await writeReport(ctx, {
    matrix: m,
    plan: demoPlan(read, shownInput, seeds, held),
    provenance: {
      seeds: `probe draws: numpy default_rng(seed) for seeds ${flags.seeds}; replay draw seed ${seeds[0]}`,
      notes: [
        `Demo split: test rows ${DEMO_TEST_ROWS.join(',')} (the fixture's reference split), train rows the other ${m.rows - DEMO_TEST_ROWS.length}.`,
        `Replay: fixture tasks have ${FIXTURE_FINE_TUNE_EXAMPLES} fine-tuning examples; held-out examples (heldout_examples.json) are never replayed.`,
      ],
    },
    out: reportPath,
    force: flags.force ?? false,
    backend: flags.backend,
    json,
    step,
  });
  const plan = run.report.replay;
  if (!plan) throw new ForgetscopeError('internal', 'the demo report has no replay plan');
  const selected = new Uint8Array(plan.exampleIds.length);
  for (const j of plan.selected) selected[j] = 1;
  await writeTable(
    planPath,
    { columns: { example: [...plan.exampleIds], score: plan.scores, weight: plan.weights, selected } },
    { force: flags.force ?? false },
  );
  step(`replay plan written to ${planPath}`);
  const seconds = (performance.now() - t0) / 1000;
  if (json) ctx.printJson({ ...run.summary, replayPlan: planPath, seeds, totalSeconds: seconds });
  else ctx.out(formatReportNarrative(run.report, { input: shownInput, report: reportPath, plan: planPath, seconds }));
}
