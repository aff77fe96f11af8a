/** Runs a report plan for the CLI (`report` and `demo`): backend from `--backend`, provenance, atomic write. */
import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import { atomicWrite } from '../io/node/atomicWrite.js';
import type { ReportPlan } from '../report/assemble.js';
import { runReport, type ReportRun } from '../report/run.js';
import type { ReportProvenance } from '../report/types.js';
import { VERSION } from '../version.js';
import type { CliContext } from './context.js';
import { formatBackendDescription } from '../linalg/describe.js';
import { backendFromFlag, backendJson } from './flags.js';

/** A report to write: the plan without its provenance's run facts (version, command, time, backend, runtime). */
export interface ReportJob {
  matrix: ForgettingMatrix;
  plan: Omit<ReportPlan, 'provenance'>;
  provenance: Pick<ReportProvenance, 'seeds' | 'notes'>;
  out: string;
  force: boolean;
  backend: string | undefined;
  json: boolean;
  step?: (message: string) => void;
}

/** Selects the backend, runs the plan, writes the HTML atomically; the backend is disposed after and described in the summary. */
export async function writeReport(ctx: CliContext, job: ReportJob): Promise<ReportRun> {
  const m = job.matrix;
  const backend = await backendFromFlag(job.backend, ctx, m);
  try {
    const provenance: ReportProvenance = {
      version: VERSION,
      command: ['forgetscope', ...ctx.argv].join(' '),
      createdAt: new Date().toISOString(),
      ...(job.provenance.seeds !== undefined ? { seeds: job.provenance.seeds } : {}),
      backend: backend.name,
      backendKernels: formatBackendDescription(backend.description, { products: false }),
      runtime: `Node ${process.versions.node} on ${process.platform}-${process.arch}`,
      ...(job.provenance.notes ? { notes: job.provenance.notes } : {}),
    };
    const run = await runReport(
      m,
      { ...job.plan, provenance },
      {
        backend,
        progress: ctx.progress(job.json),
        out: job.out,
        onWarning: (w) => ctx.warn(`chart: ${w}`),
        ...(job.step ? { step: job.step } : {}),
      },
    );
    await atomicWrite(job.out, run.html, { force: job.force });
    run.summary = { ...run.summary, ...backendJson(backend) };
    return run;
  } finally {
    await backend.dispose();
  }
}
