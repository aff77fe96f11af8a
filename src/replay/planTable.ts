import type { Table } from '../io/types.js';
import type { ReplayPlan } from './types.js';

/**
 * The weights table of a plan, one row per example: `example, score, weight, selected` — what
 * `forgetscope replay --out` writes and the Python harness reads. Pass it to `writeTable`
 * (`forgetscope/node`) for Parquet, Arrow, CSV or .npy.
 * @example
 * await writeTable('replay.parquet', replayPlanTable(plan));
 */
export function replayPlanTable(plan: ReplayPlan): Table {
  const selected = new Array<boolean>(plan.exampleIds.length).fill(false);
  for (const j of plan.selected) selected[j] = true;
  return { columns: { example: [...plan.exampleIds], score: plan.scores, weight: plan.weights, selected } };
}
