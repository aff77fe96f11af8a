import { ForgetscopeError } from '../../util/errors.js';
import { knownEntriesOf } from '../../completion/protocol/evaluate.js';
import { defaultRng } from '../../completion/protocol/generator.js';
import { createCompletionMethod } from '../../completion/registry.js';
import { planOfflineReplay } from '../../replay/offline.js';
import { DEFAULT_REPLAY_RATIO, replayCount } from '../../replay/replayCount.js';
import { resolvePolicy } from '../../replay/policies/resolve.js';
import type { ReplayPlan } from '../../replay/types.js';
import type { ReportReplay } from '../types.js';
import { backendOption, countOnes, type StageContext } from './context.js';
import { itemAt } from '../../util/checked.js';

/** The replay part of a report. */
export interface ReportReplayOptions {
  /** Row of the held-out task to plan for (must not be a train row). */
  task: number;
  /** Fine-tuning examples of the new task (n, not N); replay draws int(n·ratio) + 1. */
  nFineTune: number;
  ratio?: number;
  /**
   * Replay policy (a name of `replayPolicy`). Default: `DEFAULT_REPLAY_POLICY` (`stratified`); with only
   * `temperature` given, the paper's `softmax` (`auto` for 'auto') — `resolvePolicy`, as everywhere.
   */
  policy?: string;
  /** Softmax temperature of `softmax` / `oracle` (default 0.1), or `auto` (see `planOfflineReplay`). */
  temperature?: number | 'auto';
  /** With `temperature: 'auto'`: effective support in replay budgets. */
  autoSupport?: number;
  seed?: number;
  /** Completion method that predicts the row (default lowrank). */
  method?: string;
  /** Measured examples of the task (default 30, drawn as in the paper's protocol with `seed`). */
  known?: number;
  /** 1 = never replay (held-out examples). */
  exclude?: Uint8Array;
}

/**
 * A replay plan for one held-out task: `known` examples measured with the paper's draw, the rest
 * predicted from the train rows (`trainRows`, default every other row), weights and the draw. Returns
 * null (and says why in `ctx.missing`) when the budget exceeds the examples that may be replayed.
 */
export async function replayStage(
  ctx: StageContext,
  rp: ReportReplayOptions,
  trainRows: readonly number[] | null,
): Promise<{ replay: ReplayPlan; section: ReportReplay } | null> {
  const { matrix } = ctx;
  const eligible = matrix.cols - (rp.exclude ? countOnes(rp.exclude) : 0);
  const wanted = replayCount(rp.nFineTune, rp.ratio ?? DEFAULT_REPLAY_RATIO);
  if (wanted > eligible) {
    ctx.missing.push(
      `replay plan: n = ${rp.nFineTune} asks for ${wanted} replayed examples but only ${eligible} may be replayed; give a smaller fine-tuning size or ratio`,
    );
    return null;
  }
  const rows = trainRows ? [...trainRows] : matrix.taskIds.map((_, i) => i).filter((i) => i !== rp.task);
  if (rows.includes(rp.task)) throw new ForgetscopeError('usage', `replay task row ${rp.task} is also a train row`);
  const train = matrix.selectRows(Int32Array.from(rows));
  const seed = rp.seed ?? 0;
  const knownCount = rp.known ?? 30;
  const methodName = rp.method ?? 'lowrank';
  const resolved = resolvePolicy(rp.policy, {
    ...(rp.temperature !== undefined ? { temperature: rp.temperature } : {}),
    ...(rp.autoSupport !== undefined ? { autoSupport: rp.autoSupport } : {}),
  });
  const policyName = resolved.policy.name;
  ctx.onStep(
    'replay',
    `replay plan for held-out task ${matrix.taskIds[rp.task]} (${methodName} scores, n = ${rp.nFineTune})`,
  );
  const replay = await ctx.timed('replay', async () => {
    const entries = knownEntriesOf(
      defaultRng(seed).choice(matrix.cols, knownCount),
      matrix.row(rp.task),
      matrix.rowMask(rp.task),
    );
    return planOfflineReplay({
      train,
      known: entries,
      completion: createCompletionMethod(methodName),
      fitOptions: { seed, ...backendOption(ctx) },
      policy: resolved.policy,
      method: methodName,
      nFineTune: rp.nFineTune,
      seed,
      ...(rp.ratio !== undefined ? { ratio: rp.ratio } : {}),
      ...(rp.temperature !== undefined ? { temperature: rp.temperature } : {}),
      ...(rp.autoSupport !== undefined ? { autoSupport: rp.autoSupport } : {}),
      ...(rp.exclude ? { exclude: rp.exclude } : {}),
    });
  });
  const section: ReportReplay = {
    weights: replay.weights,
    scores: replay.scores,
    selected: replay.selected,
    exampleIds: matrix.exampleIds,
    exampleMeta: matrix.exampleMeta,
    task: itemAt(matrix.taskIds, rp.task, 'replay task'),
    replayN: replay.replayN ?? replay.selected.length,
    temperature: replay.temperature,
    policy: policyName,
    policyDescription: resolved.policy.description,
    method: replay.method,
    seed: replay.seed,
    ...(replay.excluded ? { excluded: replay.excluded } : {}),
    basis:
      `${knownCount} examples measured with the paper's random draw, seed ${seed}; the rest predicted by ${methodName} from ${rows.length} train tasks` +
      (rp.exclude ? `; ${countOnes(rp.exclude)} held-out examples excluded` : ''),
  };
  return { replay, section };
}
