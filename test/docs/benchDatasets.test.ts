/**
 * The dataset folders of the closed-loop models that recorded benchmark tables read
 * (bench/replay/dataset-*): each loads with its side matrices, its files agree in shape, and svd — which
 * no later engine change touches — reproduces the recorded RMSE of the first split, so a folder replaced
 * or damaged without re-recording fails here.
 */
import { readFileSync } from 'node:fs';
import { createCompletionMethod, evaluate, exampleFeatures } from '../../src/index.js';
import { readForgettingMatrix } from '../../src/node.js';

const bench = (path: string) => new URL(`../../bench/${path}`, import.meta.url).pathname;

describe.each(['byte-gpt', 'hf-gpt2', 'hf-llama'])('bench/replay/dataset-%s', (model) => {
  test('loads with first_order and task_gradient, shapes agree, svd reproduces the recorded RMSE', async () => {
    const folder = bench(`replay/dataset-${model}`);
    const read = await readForgettingMatrix(folder, { side: ['first_order', 'task_gradient'] });
    const { matrix } = read;
    const side = read.side ?? [];
    const tasks = JSON.parse(readFileSync(`${folder}/tasks.json`, 'utf8')) as unknown[];
    const examples = readFileSync(`${folder}/examples.jsonl`, 'utf8').trim().split('\n');
    expect(matrix.rows).toBe(tasks.length);
    expect(matrix.cols).toBe(examples.length);
    expect(side.map((s) => s.name)).toEqual(['first_order', 'task_gradient']);
    for (const s of side) {
      expect([s.rows, s.cols]).toEqual([matrix.rows, matrix.cols]);
      expect(Array.from(s.data).every(Number.isFinite)).toBe(true);
    }
    expect(Array.from(matrix.values).every(Number.isFinite)).toBe(true);
    const recorded = JSON.parse(readFileSync(bench(`completion/effects-${model}.json`), 'utf8')) as {
      seeds: number[];
      known: number;
      runs: { test: number[]; rmse: { svd: number } }[];
    };
    const split = recorded.runs[0];
    if (!split) throw new Error(`no runs in effects-${model}.json`);
    const trainRows = Array.from({ length: matrix.rows }, (_, i) => i).filter((i) => !split.test.includes(i));
    const report = await evaluate(matrix, {
      trainRows,
      testRows: split.test,
      known: recorded.known,
      seeds: recorded.seeds,
      methods: [createCompletionMethod('svd')],
    });
    expect(report.methods.svd?.rmse).toBeCloseTo(split.rmse.svd, 9);
    // embeddings.jsonl (read with --examples) gives the 20 embedding covariates the recorded tables used
    const embedded = await readForgettingMatrix(folder, { examples: `${folder}/embeddings.jsonl` });
    const names = exampleFeatures(embedded.matrix)?.names ?? [];
    expect(names.filter((name) => name.startsWith('embedding.'))).toEqual(
      Array.from({ length: 20 }, (_, i) => `embedding.${i}`),
    );
  }, 60_000);
});
