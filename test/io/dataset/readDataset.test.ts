/**
 * Dataset folders: ids keep their exact digits, repeated ids are errors naming the file and lines
 * that hold them, and a base_nll.npy's NaN are unknown values, never measured ones.
 */
import { readForgettingMatrix } from '../../../src/io/node/index.js';
import { encodeNpy } from '../../../src/io/npy/encodeNpy.js';
import { parseExamples, parseTasks } from '../../../src/io/dataset/readDataset.js';
import { join } from 'node:path';
import { tempDir, writeDataset } from '../helpers.js';

const { dir, cleanup } = tempDir('forgetscope-dataset-');
afterAll(cleanup);
const dataset = (name: string, files: Record<string, string | Uint8Array>) => writeDataset(dir, name, files);

describe('ids are exact', () => {
  test('20-digit ids in tasks.json and examples.jsonl keep their digits', async () => {
    const d = dataset('bigint', {
      'tasks.json': '[{"id": 12345678901234567891}, {"id": 12345678901234567892}]',
      'examples.jsonl': '{"id": 1.50}\n{"id": -0}\n',
    });
    const { matrix } = await readForgettingMatrix(d);
    expect([...matrix.taskIds]).toEqual(['12345678901234567891', '12345678901234567892']);
    expect([...matrix.exampleIds]).toEqual(['1.50', '-0']);
  });

  test('a repeated task id names tasks.json and both lines', async () => {
    const d = dataset('dup-task', { 'tasks.json': '[\n  {"id": "t1"},\n  {"id": "t1"}\n]\n' });
    await expect(readForgettingMatrix(d)).rejects.toMatchObject({
      code: 'duplicate',
      message: `${join(d, 'tasks.json')}:3: task id "t1" repeats task 1 (line 2); ids must be unique`,
    });
  });

  test('a repeated example id names examples.jsonl', () => {
    expect(() => parseExamples('{"id": "a"}\n\n{"id": "a"}\n', 'ex.jsonl')).toThrow(
      'ex.jsonl:3: example id "a" repeats example 1 (line 1); ids must be unique',
    );
  });

  test('tasks.json nested too deep is an input error, not a crash', () => {
    expect(() => parseTasks(`[{"id": "t", "m": ${'['.repeat(300)}${']'.repeat(300)}}]`, 'tasks.json')).toThrow(
      /^tasks\.json:1:\d+: JSON nested deeper than 256 levels$/,
    );
  });
});

describe('missing is missing', () => {
  test('an all-NaN base_nll.npy names base_nll.npy', async () => {
    const d = dataset('nan-base', { 'base_nll.npy': encodeNpy(Float64Array.from([NaN, NaN]), [2]) });
    await expect(readForgettingMatrix(d)).rejects.toMatchObject({
      code: 'empty',
      message: `${join(d, 'base_nll.npy')}: no observed value: all 2 values are NaN`,
    });
  });

  test('a base_nll.npy with some NaN keeps them as unknown', async () => {
    const d = dataset('some-nan-base', { 'base_nll.npy': encodeNpy(Float64Array.from([NaN, 2.5]), [2]) });
    const { matrix } = await readForgettingMatrix(d);
    expect(Number.isNaN(matrix.nllBefore![0]!)).toBe(true);
    expect(matrix.nllBefore![1]).toBe(2.5);
  });
});
