import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withExamplesFile } from '../../../src/io/node/readExamplesFile.js';
import { readForgettingMatrix } from '../../../src/io/node/readForgettingMatrix.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../../../src/util/errors.js';
import { argv, runCaptured } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'fs-examples-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** 2 tasks × 3 examples a, b, c; example a already has metadata. */
const matrix = new ForgettingMatrix({
  values: Float64Array.of(1, 2, 3, 4, 5, 6),
  taskIds: ['t1', 't2'],
  exampleIds: ['a', 'b', 'c'],
  exampleMeta: [{ source: 'x', keep: 1 }, {}, {}],
});

describe('withExamplesFile', () => {
  test("the file's keys replace the matrix's own; unnamed examples and keys stay; values are the same", async () => {
    const path = file('ok.jsonl', '{"id": "a", "source": "y", "text": "hello"}\n\n{"id": "c", "text": "t"}\n');
    const out = await withExamplesFile(matrix, path);
    expect(out.exampleMeta).toEqual([{ source: 'y', keep: 1, text: 'hello' }, {}, { text: 't' }]);
    expect(Array.from(out.values)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out.exampleIds).toEqual(['a', 'b', 'c']);
    // the matrix given is not changed
    expect(matrix.exampleMeta[0]).toEqual({ source: 'x', keep: 1 });
  });

  test('an id the matrix lacks, a repeated id, a line that is not an object with an id: input errors at their line', async () => {
    const cases: [string, RegExp, number][] = [
      ['{"id": "a"}\n{"id": "zz", "source": "s"}\n', /example "zz" is not an example of the matrix/, 2],
      ['{"id": "a"}\n{"id": "b"}\n{"id": "a"}\n', /example id "a" repeats example 1 \(line 1\)/, 3],
      ['{"id": "a"}\n[1, 2]\n', /expected a JSON object for example 2/, 2],
    ];
    for (const [text, message, line] of cases) {
      const error = await withExamplesFile(matrix, file('bad.jsonl', text)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ForgetscopeError);
      expect((error as ForgetscopeError).detail).toMatch(message);
      expect([(error as ForgetscopeError).file, (error as ForgetscopeError).line]).toEqual([
        join(dir, 'bad.jsonl'),
        line,
      ]);
    }
  });
});

describe('readForgettingMatrix({ examples }) and --examples', () => {
  const fixture = 'fixtures/real-dev-v1';

  test("a losses-only long table gets the dataset folder's example metadata", async () => {
    const folder = await readForgettingMatrix(fixture);
    const long = await readForgettingMatrix(`${fixture}/long.csv`, { examples: `${fixture}/examples.jsonl` });
    const plain = await readForgettingMatrix(`${fixture}/long.csv`);
    expect(plain.matrix.exampleMeta.every((m) => m['source'] === undefined)).toBe(true);
    const bySource = (m: ForgettingMatrix) =>
      m.exampleIds.map((id, j) => [id, m.exampleMeta[j]?.['source'], m.exampleMeta[j]?.['text']]);
    expect(bySource(long.matrix).sort()).toEqual(bySource(folder.matrix).sort());
  });

  test('the CLI: analyze reports per-source tables with --examples; a bad file exits 2 naming file and line', async () => {
    const withMeta = await runCaptured(
      argv`analyze ${fixture}/long.csv --examples ${fixture}/examples.jsonl --ranks 2 --json`,
    );
    expect(withMeta.code).toBe(0);
    const sources = (JSON.parse(withMeta.out) as { sources: { source: string; examples: number }[] }).sources;
    expect(sources.map((s) => s.source).sort()).toEqual([
      'changelog',
      'cheader',
      'javascript',
      'license',
      'man',
      'markdown',
      'python',
    ]);
    expect(sources.reduce((a, s) => a + s.examples, 0)).toBe(1000);
    const bad = file('unknown.jsonl', '{"id": "1000", "source": "s"}\n{"id": "nope"}\n');
    const failed = await runCaptured(argv`analyze ${fixture}/long.csv --examples ${bad} --json`);
    expect(failed.code).toBe(2);
    expect(failed.err).toContain(`${bad}:2: example "nope" is not an example of the matrix`);
  });
});
