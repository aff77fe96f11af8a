import { knownEntriesOf } from '../../../src/completion/protocol/evaluate.js';
import { defaultRng } from '../../../src/completion/protocol/generator.js';
import type { CompletionMethod } from '../../../src/completion/types.js';
import { loadDevMatrix, loadReference } from '../helpers/devData.js';

/**
 * Expects `method`, fitted on the reference train rows of the dev data, to predict the first test row
 * from seed 0's known columns as the reference results record under `name`, to 1e-9.
 */
export async function expectReferenceRow(name: string, method: CompletionMethod): Promise<void> {
  const z = loadDevMatrix();
  const ref = loadReference();
  const train = z.selectRows(Int32Array.from(ref.trainRows));
  const t = ref.testRows[0]!;
  const known = knownEntriesOf(defaultRng(0).choice(z.cols, ref.known), z.row(t), null);
  const expected = ref.predictionsSeed0FirstTestRow[name]![String(t)]!;
  expect(expected).toHaveLength(z.cols);
  const { prediction } = await (await method.fit(train)).predictRow(known);
  let maxDiff = 0;
  for (let j = 0; j < z.cols; j++) maxDiff = Math.max(maxDiff, Math.abs(prediction[j]! - expected[j]!));
  expect(maxDiff).toBeLessThan(1e-9);
}

/** Known entries from plain arrays. */
export const entries = (cols: number[], vals: number[]) => ({
  columns: Int32Array.from(cols),
  values: Float64Array.from(vals),
});
