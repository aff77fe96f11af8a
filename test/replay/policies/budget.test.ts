import { bestOfBlocks, stratifiedSelection } from '../../../src/replay/policies/budget.js';
import { REPLAY_POLICY_NAMES, replayPolicy } from '../../../src/replay/policies/registry.js';
import { exampleFactors } from '../../../src/replay/policies/factors.js';
import type { PolicyInput } from '../../../src/replay/policies/types.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { planReplayFromScores } from '../../../src/replay/offline.js';
import { ForgetscopeError } from '../../../src/util/errors.js';
import { resolvePolicy } from '../../../src/replay/policies/resolve.js';
import { DEFAULT_AUTO_SUPPORT } from '../../../src/replay/defaults.js';

// Twelve distinct scores; rank (0 = highest) → example: 3, 7, 0, 10, 5, 1, 8, 11, 2, 6, 9, 4.
const TWELVE = Float64Array.of(0.8, 0.5, 0.2, 1.0, 0.05, 0.6, 0.15, 0.9, 0.4, 0.1, 0.7, 0.3);
const BY_RANK = [3, 7, 0, 10, 5, 1, 8, 11, 2, 6, 9, 4];

const sorted = (a: ArrayLike<number>): number[] => Array.from(a).sort((x, y) => x - y);
const sum = (a: ArrayLike<number>): number => Array.from(a).reduce((s, x) => s + x, 0);

describe('stratified: one example from each score stratum of the top support · B', () => {
  it('N = 12, B = 3, support 2: region = top 6, strata of ranks {0,1}, {2,3}, {4,5}', () => {
    const strata = [
      [3, 7],
      [0, 10],
      [5, 1],
    ];
    for (let seed = 0; seed < 20; seed++) {
      const sel = stratifiedSelection(TWELVE, 3, 2, seed);
      expect(sel.chosen.length).toBe(3);
      for (let t = 0; t < 3; t++) expect(strata[t]).toContain(sel.chosen[t]);
      const expected = new Array(12).fill(0);
      for (const j of strata.flat()) expected[j] = 0.5;
      expect(Array.from(sel.inclusion)).toEqual(expected);
    }
  });

  it('N = 12, B = 3, support 1.5: region = top round(4.5) = 5, strata of sizes 1, 2, 2', () => {
    // ⌊0·5/3⌋ = 0, ⌊5/3⌋ = 1, ⌊10/3⌋ = 3, 5: strata {rank 0}, {1, 2}, {3, 4}
    const sel = stratifiedSelection(TWELVE, 3, 1.5, 7);
    expect(sel.chosen[0]).toBe(3);
    expect([7, 0]).toContain(sel.chosen[1]);
    expect([10, 5]).toContain(sel.chosen[2]);
    const expected = new Array(12).fill(0);
    expected[3] = 1;
    for (const j of [7, 0, 10, 5]) expected[j] = 0.5;
    expect(Array.from(sel.inclusion)).toEqual(expected);
  });

  it('at support 4 and B = 3 the region is the whole pool of 12: each example 1/4', () => {
    const sel = stratifiedSelection(TWELVE, 3, 4, 0);
    expect(Array.from(sel.inclusion)).toEqual(new Array(12).fill(0.25));
    for (let t = 0; t < 3; t++) expect(BY_RANK.slice(4 * t, 4 * t + 4)).toContain(sel.chosen[t]);
  });

  it('the draw frequencies match the inclusion probabilities (2,000 seeds)', () => {
    const counts = new Array(12).fill(0);
    const runs = 2000;
    for (let seed = 0; seed < runs; seed++)
      for (const j of stratifiedSelection(TWELVE, 3, 1.5, seed).chosen) counts[j]++;
    // inclusion 1 for rank 0, 1/2 for ranks 1–4: binomial sd of a share ≤ 0.0112, allow 5 sd
    expect(counts[3] / runs).toBe(1);
    for (const j of [7, 0, 10, 5]) expect(Math.abs(counts[j] / runs - 0.5)).toBeLessThan(0.056);
    for (const j of [11, 2, 6, 9, 4, 1, 8]) expect(counts[j]).toBe(0);
  });

  it('excluded examples are skipped; the region counts only those that may be replayed', () => {
    const exclude = new Uint8Array(12);
    exclude[3] = 1; // the highest score
    const sel = stratifiedSelection(TWELVE, 2, 1, 0, exclude);
    // region = top round(1·2) = 2 live: ranks 1, 2 = examples 7, 0, one each
    expect(sorted(sel.chosen)).toEqual([0, 7]);
    expect(sel.inclusion[3]).toBe(0);
  });
});

describe('blocks: the best of each of B seeded random blocks', () => {
  it('N = 12, B = 3 (blocks of 4): P(rank ρ) = C(11 − ρ, 3) / C(11, 3) by hand', () => {
    // C(11,3) = 165; C(10,3) = 120, C(9,3) = 84, C(8,3) = 56, C(7,3) = 35, C(6,3) = 20, C(5,3) = 10, C(4,3) = 4, C(3,3) = 1
    const byHand = [165, 120, 84, 56, 35, 20, 10, 4, 1, 0, 0, 0].map((c) => c / 165);
    const sel = bestOfBlocks(TWELVE, 3, 0);
    for (let r = 0; r < 12; r++) expect(sel.inclusion[BY_RANK[r]!]).toBeCloseTo(byHand[r]!, 14);
    expect(sum(sel.inclusion)).toBeCloseTo(3, 13);
    // The top example is always replayed; ranks 9–11 never are (three better ones fill any block).
    expect(Array.from(sel.chosen)).toContain(3);
    for (const j of [6, 9, 4]) expect(Array.from(sel.chosen)).not.toContain(j);
  });

  it('unequal blocks (N = 7, B = 3: sizes 3, 2, 2) match an exhaustive enumeration of the partitions', () => {
    const scores = Float64Array.of(7, 6, 5, 4, 3, 2, 1); // rank = index
    // Every assignment of the 7 ranks to blocks of sizes 3, 2, 2 (7!/(3!2!2!) = 210, equally likely).
    const freq = new Array(7).fill(0);
    let total = 0;
    const sizes = [3, 2, 2];
    const assign = (k: number, free: number[], blocks: number[][]): void => {
      if (k === sizes.length) {
        total++;
        for (const b of blocks) freq[Math.min(...b)]++;
        return;
      }
      const pick = (start: number, chosen: number[]): void => {
        if (chosen.length === sizes[k]) {
          assign(
            k + 1,
            free.filter((x) => !chosen.includes(x)),
            [...blocks, chosen],
          );
          return;
        }
        for (let i = start; i < free.length; i++) pick(i + 1, [...chosen, free[i]!]);
      };
      pick(0, []);
    };
    assign(0, [0, 1, 2, 3, 4, 5, 6], []);
    // (The two blocks of 2 are ordered here, so each partition counts twice; the frequencies are unaffected.)
    expect(total).toBe(210);
    const sel = bestOfBlocks(scores, 3, 0);
    for (let r = 0; r < 7; r++) expect(sel.inclusion[r]).toBeCloseTo(freq[r] / total, 14);
    // rank 1 by hand: 3/7 · C(5,2)/C(6,2) + 4/7 · 5/6 = 2/7 + 10/21 = 16/21
    expect(sel.inclusion[1]).toBeCloseTo(16 / 21, 14);
  });

  it('the draw frequencies match the inclusion probabilities (2,000 seeds)', () => {
    const counts = new Array(12).fill(0);
    const runs = 2000;
    for (let seed = 0; seed < runs; seed++) for (const j of bestOfBlocks(TWELVE, 3, seed).chosen) counts[j]++;
    const p = bestOfBlocks(TWELVE, 3, 0).inclusion;
    for (let j = 0; j < 12; j++) expect(Math.abs(counts[j] / runs - p[j]!)).toBeLessThan(0.056);
  });
});

describe('budget-aware policies: edge cases', () => {
  const both = [
    (s: Float64Array, b: number, seed: number, ex?: Uint8Array) => stratifiedSelection(s, b, 4, seed, ex),
    (s: Float64Array, b: number, seed: number, ex?: Uint8Array) => bestOfBlocks(s, b, seed, ex),
  ];

  it('B = N selects every example; B > N (after exclusions) is a usage error', () => {
    for (const select of both) {
      const sel = select(TWELVE, 12, 3);
      expect(sorted(sel.chosen)).toEqual([...Array(12).keys()]);
      expect(Array.from(sel.inclusion)).toEqual(new Array(12).fill(1));
      const exclude = new Uint8Array(12);
      exclude[0] = 1;
      expect(() => select(TWELVE, 12, 0, exclude)).toThrow(/cannot replay 12 examples: only 11 of 12/);
    }
  });

  it('B = 1: blocks takes the top example; stratified one of the top round(support) = 4', () => {
    expect(Array.from(bestOfBlocks(TWELVE, 1, 5).chosen)).toEqual([3]);
    for (let seed = 0; seed < 10; seed++)
      expect([3, 7, 0, 10]).toContain(stratifiedSelection(TWELVE, 1, 4, seed).chosen[0]);
  });

  it('all-equal scores: every example equally likely, distinct picks', () => {
    const flat = new Float64Array(12).fill(0.3);
    for (const select of both) {
      const sel = select(flat, 3, 1);
      expect(new Set(sel.chosen).size).toBe(3);
      for (const p of sel.inclusion) expect(p).toBeCloseTo(0.25, 15);
    }
  });

  it('ties share one probability, the draw picks among them at random', () => {
    const scores = Float64Array.of(5, 1, 1, 1, 1, 0); // four tied at rank 1–4
    const sel = bestOfBlocks(scores, 2, 0); // blocks of 3: P(ρ) = C(5 − ρ, 2) / C(5, 2) = 1, .6, .3, .1, 0, 0
    expect(sel.inclusion[0]).toBeCloseTo(1, 15);
    for (const j of [1, 2, 3, 4]) expect(sel.inclusion[j]).toBeCloseTo((0.6 + 0.3 + 0.1 + 0) / 4, 15);
    expect(sel.inclusion[5]).toBe(0);
    const picked = new Set<number>();
    for (let seed = 0; seed < 50; seed++) for (const j of bestOfBlocks(scores, 2, seed).chosen) picked.add(j);
    expect(sorted([...picked])).toEqual([0, 1, 2, 3, 4]);
  });

  it('a NaN or infinite score is an input error, never a pick', () => {
    const bad = Float64Array.from(TWELVE);
    bad[4] = Number.NaN;
    for (const select of both) {
      expect(() => select(bad, 3, 0)).toThrow(ForgetscopeError);
      expect(() => select(bad, 3, 0)).toThrow(/score of example 4 is NaN/);
    }
    const excluded = new Uint8Array(12);
    excluded[4] = 1; // an excluded example's score is never read
    for (const select of both) expect(select(bad, 3, 0, excluded).chosen.length).toBe(3);
  });

  it('the same seed gives the same set; the weights do not depend on the seed', () => {
    for (const select of both) {
      expect(Array.from(select(TWELVE, 3, 9).chosen)).toEqual(Array.from(select(TWELVE, 3, 9).chosen));
      expect(Array.from(select(TWELVE, 3, 1).inclusion)).toEqual(Array.from(select(TWELVE, 3, 2).inclusion));
    }
  });
});

describe('stratified and blocks as replay policies', () => {
  it('declare their traits: the row only; stratified reads the support, blocks no option', () => {
    expect(replayPolicy('stratified').needs).toEqual(['scores']);
    expect(replayPolicy('stratified').reads).toEqual(['autoSupport']);
    expect(replayPolicy('blocks').needs).toEqual(['scores']);
    expect(replayPolicy('blocks').reads).toEqual([]);
  });

  it('resolvePolicy: a temperature is refused, an option they do not read is reported', () => {
    expect(() => resolvePolicy('blocks', { temperature: 0.1 })).toThrow(/not to "blocks"/);
    expect(() => resolvePolicy('stratified', { temperature: 'auto' })).toThrow(/auto applies to/);
    expect(resolvePolicy('blocks', { autoSupport: 3 }).ignored).toEqual([
      'autoSupport is ignored by the "blocks" policy (it reads no option)',
    ]);
    expect(resolvePolicy('stratified', { autoSupport: 3, factorRank: 2 }).ignored).toEqual([
      'factorRank is ignored by the "stratified" policy (it reads: autoSupport)',
    ]);
    // stratified's region is topk's pool: the one support constant, 4 replay budgets
    expect(resolvePolicy('stratified').autoSupport).toBe(DEFAULT_AUTO_SUPPORT);
    expect(DEFAULT_AUTO_SUPPORT).toBe(4);
  });

  it('a plan: weights = inclusion / B summing to 1, the chosen set drawn, seeded by the plan', () => {
    const ids = Array.from({ length: 12 }, (_, j) => `e${j}`);
    for (const policy of ['stratified', 'blocks']) {
      // nFineTune 64 at ratio 1/32 → replayN = int(2) + 1 = 3
      const plan = planReplayFromScores(TWELVE, ids, { nFineTune: 64, policy, seed: 4 });
      expect(plan.replayN).toBe(3);
      expect(plan.policy).toBe(policy);
      expect(sum(plan.weights)).toBeCloseTo(1, 14);
      for (const j of plan.selected) expect(plan.weights[j]).toBeGreaterThan(0);
      const again = planReplayFromScores(TWELVE, ids, { nFineTune: 64, policy, seed: 4 });
      expect(Array.from(again.selected)).toEqual(Array.from(plan.selected));
    }
    const strat = planReplayFromScores(TWELVE, ids, { nFineTune: 64, policy: 'stratified', autoSupport: 2 });
    expect(strat.weights[3]).toBeCloseTo(0.5 / 3, 15);
    expect(strat.weights[4]).toBe(0);
    const blocks = planReplayFromScores(TWELVE, ids, { nFineTune: 64, policy: 'blocks' });
    expect(blocks.weights[3]).toBeCloseTo(1 / 3, 15);
    expect(blocks.weights[7]).toBeCloseTo(120 / 165 / 3, 15);
  });
});

describe('per-source caps', () => {
  const ids = Array.from({ length: 12 }, (_, j) => `e${j}`);
  // even examples are source a, odd ones b; the top 3 by score (3, 7, 0) hold two b's and one a
  const sources = ids.map((_, j) => (j % 2 === 0 ? 'a' : 'b'));

  it('stratified and blocks draw from their inclusion weights under the caps', () => {
    for (const policy of ['stratified', 'blocks']) {
      for (let seed = 0; seed < 20; seed++) {
        // replayN 3; stratified (support 4) covers all 12 with weight 1/12, blocks all 12 by rank
        const plan = planReplayFromScores(TWELVE, ids, { nFineTune: 64, policy, seed, sources, caps: { a: 1, b: 2 } });
        expect(plan.selected).toHaveLength(3);
        const picked = Array.from(plan.selected, (j) => sources[j]);
        // 3 draws with at most one a and two b's: exactly one a and two b's
        expect(picked.filter((x) => x === 'a')).toHaveLength(1);
        expect(picked.filter((x) => x === 'b')).toHaveLength(2);
        for (const j of plan.selected) expect(plan.weights[j]).toBeGreaterThan(0);
      }
    }
  });

  it('coverage still refuses caps, and names the policies that take them', () => {
    const train = ForgettingMatrix.fromRows([0, 1, 2].map((i) => Array.from(TWELVE, (x, j) => x + Math.sin(i + j))));
    expect(() =>
      planReplayFromScores(TWELVE, ids, {
        nFineTune: 64,
        policy: 'coverage',
        sources,
        caps: { b: 1 },
        policyInput: { factors: exampleFactors(train, 2) },
      }),
    ).toThrow(/not supported by the coverage policy .*use --policy stratified or topk/);
  });
});

describe('the budgetDependent trait of every built-in policy', () => {
  it('is declared, and says whether the weights change between budgets 2 and 3', () => {
    const n = 12;
    const ids = Array.from({ length: n }, (_, j) => `e${j}`);
    const train = ForgettingMatrix.fromRows(
      [0, 1, 2].map((i) => Array.from({ length: n }, (_, j) => Math.sin(j * (i + 1)) + j / 10)),
      { taskIds: ['a', 'b', 'c'], exampleIds: ids },
    );
    const input: PolicyInput = {
      scores: TWELVE,
      measured: new Uint8Array(n).fill(1),
      lower: TWELVE.map((x) => x - 0.1),
      upper: TWELVE.map((x) => x + 0.1),
      side: Float64Array.from(TWELVE, (x, j) => x * ((j % 3) + 1)),
      factors: exampleFactors(train, 2),
      train,
      known: { columns: Int32Array.of(0, 5), values: Float64Array.of(0.8, 0.6) },
    };
    const declared: Record<string, boolean> = {};
    for (const name of REPLAY_POLICY_NAMES) {
      const p = replayPolicy(name);
      expect(typeof p.budgetDependent).toBe('boolean');
      const at = (replayN: number) => p.weigh(input, { replayN, temperature: 0.1, autoSupport: 2, seed: 0 }).weights;
      const changes = Array.from(at(2)).some((w, j) => w !== at(3)[j]);
      expect([name, changes]).toEqual([name, p.budgetDependent]);
      declared[name] = p.budgetDependent!;
    }
    expect(Object.keys(declared).filter((k) => !declared[k])).toEqual(['softmax', 'uniform', 'oracle']);
  });
});
