import { createCpuBackend } from '../../src/linalg/cpu/backend.js';
import { createInlineRunner } from '../../src/linalg/cpu/runner.js';
import { analyzeStructure } from '../../src/analysis/analyzeStructure.js';
import { auditForgetting } from '../../src/analysis/auditForgetting.js';
import { analyzeStream, type ColumnBlock } from '../../src/analysis/analyzeStream.js';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { loadFixture } from './helpers/fixture.js';

const z = loadFixture();
// float64 products (relaxed: 'never'): the streamed analysis must equal the in-memory one to rounding;
// the default relaxed-SIMD float32 kernel (Node ≥ 22) has a 1e-5 contract of its own (test/linalg)
const backend = createCpuBackend({ runner: createInlineRunner({ relaxed: 'never' }) });

/** The fixture as float32 column blocks of uneven widths. */
function* blocksOf(matrix: ForgettingMatrix, widths: number[]): Generator<ColumnBlock> {
  const { rows: m, cols: n } = matrix;
  let start = 0;
  let w = 0;
  while (start < n) {
    const c = Math.min(widths[w++ % widths.length]!, n - start);
    const data = new Float32Array(m * c);
    for (let i = 0; i < m; i++) for (let j = 0; j < c; j++) data[i * c + j] = matrix.get(i, start + j);
    yield {
      data,
      cols: c,
      exampleIds: matrix.exampleIds.slice(start, start + c),
      exampleMeta: matrix.exampleMeta.slice(start, start + c),
    };
    start += c;
  }
}

describe('analyzeStream equals the in-memory analysis', () => {
  test('on the real-dev-v1 fixture streamed in uneven float32 blocks', async () => {
    const full = await analyzeStructure(z, { ranks: 5, backend });
    const audit = auditForgetting(z, { rankOneTask: full.multiplicative.taskScalars });
    const s = await analyzeStream(blocksOf(z, [137, 1, 250, 64]), {
      tasks: z.rows,
      taskIds: z.taskIds,
      taskMeta: z.taskMeta,
      ranks: 5,
      backend,
      totalExamples: 10,
    });
    expect(s.examples).toBe(1000);
    expect(s.observed).toBe(37000);
    for (let k = 0; k < 5; k++) {
      expect(Math.abs(s.lowRank.r2[k]! - full.lowRank.r2[k]!)).toBeLessThan(1e-10);
      expect(Math.abs(s.lowRank.singularValues[k]! - full.lowRank.singularValues[k]!)).toBeLessThan(
        1e-9 * full.lowRank.singularValues[0]!,
      );
      // Same subspaces: |u_stream · u_full| = 1 per component.
      let dot = 0;
      for (let i = 0; i < z.rows; i++) dot += s.lowRank.taskFactors[i * 5 + k]! * full.lowRank.taskFactors[i * 5 + k]!;
      expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-9);
    }
    expect(Math.abs(s.mean - full.mean)).toBeLessThan(1e-14);
    for (const key of ['additive', 'row', 'column', 'additiveAls'] as const) {
      expect(Math.abs(s[key].r2 - full[key].r2)).toBeLessThan(1e-12);
      expect(Math.abs(s[key].rmse - full[key].rmse)).toBeLessThan(1e-12);
    }
    for (let j = 0; j < z.cols; j++) {
      expect(Math.abs(s.additiveAls.exampleBiases[j]! - full.additiveAls.exampleBiases[j]!)).toBeLessThan(1e-12);
      expect(Math.abs(s.exampleSummary.mean[j]! - audit.examples.mean[j]!)).toBeLessThan(1e-14);
      expect(s.exampleSummary.max[j]).toBe(audit.examples.max[j]);
    }
    expect(s.topForgotten.map((t) => [t.example, t.meta['source']])).toEqual(
      audit.topForgotten.map((t) => [t.example, t.meta['source']]),
    );
    expect(s.sources.map((x) => x.source)).toEqual(audit.sources.map((x) => x.source));
    s.sources.forEach((x, g) => {
      expect(Math.abs(x.mean - audit.sources[g]!.mean)).toBeLessThan(1e-13);
      expect(Math.abs(x.share - audit.sources[g]!.share)).toBeLessThan(1e-13);
      expect(x.fractionForgotten).toBeCloseTo(audit.sources[g]!.fractionForgotten, 15);
    });
    for (let i = 0; i < z.rows; i++)
      expect(
        Math.abs(Math.abs(s.taskSummary.rankOneScalar![i]!) - Math.abs(full.multiplicative.taskScalars[i]!)),
      ).toBeLessThan(1e-9);
    expect(s.taskMetadataCorrelations.map((c) => c.pearson)).toEqual(
      audit.taskMetadataCorrelations.map((c) => c.pearson),
    );
  });

  test('spec §5 case through the stream, and errors', async () => {
    const r = [0, 1, 2];
    const c = [0, 0.5, 1, 3];
    const m = ForgettingMatrix.fromRows(r.map((ri) => c.map((cj) => ri + cj)));
    const s = await analyzeStream(blocksOf(m, [3, 1]), { tasks: 3, ranks: 2, backend });
    expect(s.lowRank.singularValues[0]).toBeCloseTo(8.724351, 6);
    expect(s.lowRank.r2[0]).toBeCloseTo(0.93058, 6);
    expect(s.lowRank.r2[1]).toBeCloseTo(1, 10);
    expect(s.additive.r2).toBeCloseTo(1, 12);
    expect(s.topForgotten[0]!.example).toBe('e3');
    await expect(analyzeStream([], { tasks: 3 })).rejects.toThrow(/no examples/);
    await expect(analyzeStream([{ data: new Float64Array(5), cols: 2 }], { tasks: 3 })).rejects.toThrow(
      /has 5 values for 3×2/,
    );
    await expect(analyzeStream([{ data: Float64Array.of(1, NaN, 2), cols: 1 }], { tasks: 3 })).rejects.toThrow(
      /not finite/,
    );
  });
});

describe('analyzeStream without example ids', () => {
  test('names the most-forgotten examples by their global column index (worked by hand)', async () => {
    // 2 tasks × 3 examples in two blocks: example means 0.2, 0.7, 0.4 → the top two are columns 1 and 2.
    const blocks: ColumnBlock[] = [
      { data: Float64Array.of(0.1, 0.9, 0.3, 0.5), cols: 2 },
      { data: Float64Array.of(0.2, 0.6), cols: 1 },
    ];
    const a = await analyzeStream(blocks, { tasks: 2, top: 2, ranks: 1, backend });
    expect(a.topForgotten.map((t) => [t.example, t.index])).toEqual([
      ['1', 1],
      ['2', 2],
    ]);
    expect(a.topForgotten[0]!.mean).toBeCloseTo(0.7, 15);
    expect(a.topForgotten[1]!.max).toBe(0.6);
    expect(a.topForgotten[0]!.meta).toEqual({});
  });
});
