import { formatFindings, formatReportNarrative, NEXT_COMMAND } from '../../src/report/narrative.js';
import type { AssembledReport } from '../../src/report/assemble.js';

/** The parts of an assembled report the narrative reads (hand-made values). */
function report(r1: number): AssembledReport {
  const replay = {
    weights: Float64Array.of(0.5, 0.5, 0, 0),
    scores: Float64Array.of(0.9, 0.6, 0.2, 0.1),
    selected: Int32Array.of(1),
    exampleIds: ['a', 'b', 'c', 'd'],
    task: 't9',
    replayN: 1,
    temperature: Infinity,
    policy: 'topk',
    method: 'lowrank',
  };
  return {
    data: {
      dataset: { tasks: 3, examples: 4, mean: 0.4, fractionForgotten: 0.9 },
      evaluation: {
        known: 2,
        seeds: [0],
        methods: {
          lowrank: { rmse: 0.25, f1: 0.9, auc: 0.8, seconds: 1 },
          knn: { rmse: 0.5, f1: 0.95, auc: 0.7, seconds: 1 },
        },
      },
      replay,
    },
    structure: {
      lowRank: { r2: Float64Array.of(r1) },
      additive: { r2: 0.6 },
      comparison: { multiplicativeBeatsAdditive: r1 > 0.6 },
    },
    evaluation: { trainRows: [0, 1], testRows: [2] },
    replay: { ...replay, method: 'lowrank' },
  } as unknown as AssembledReport;
}

describe('the demo narrative ends with what was found and the next command', () => {
  it('one paragraph of findings in plain words, from the report numbers', () => {
    expect(formatFindings(report(0.8))).toBe(
      "Forgetting here is strongly structured: a single task-strength × example-fragility product explains 80 % of it (more than the additive model's 60 %). " +
        'Measuring 2 examples of a new task is enough to predict the rest of its row: lowrank does it with RMSE 0.250 nats (knn 0.500). ' +
        'For held-out task t9, the replay plan (policy topk) draws 1 example from the 2 predicted to be forgotten most (score ≥ 0.600): mix them into fine-tuning to protect what the model would lose.',
    );
    expect(formatFindings(report(0.3))).toMatch(
      /^Forgetting here is only weakly structured: .* explains 30 % of it \(the additive model explains 60 %\)/,
    );
  });

  it("the printed story ends with the paragraph and the command for one's own data", () => {
    const text = formatReportNarrative(report(0.8), { input: 'in', report: 'r.html', plan: 'p.csv', seconds: 1 });
    const lines = text.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe(`  ${NEXT_COMMAND}`);
    expect(NEXT_COMMAND).toMatch(/^npx forgetscope report \S+ --out report\.html/);
    expect(text).toContain('Forgetting here is strongly structured');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(110);
  });
});
