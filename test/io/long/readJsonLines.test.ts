import { readJsonLinesLongTable } from '../../../src/io/long/readJsonLines.js';

const enc = (s: string) => new TextEncoder().encode(s);
/** The text cut into chunks of `size` bytes, so lines and characters straddle chunk ends. */
const chunked = (s: string, size: number) => {
  const b = enc(s);
  return Array.from({ length: Math.ceil(b.length / size) }, (_, k) => b.subarray(k * size, (k + 1) * size));
};

describe('readJsonLinesLongTable', () => {
  test('number ids keep their digits; null and missing values drop the row; blank lines and CRLF are fine', async () => {
    const text =
      '{"task": 12345678901234567891, "example": "é", "delta": 0.5}\r\n' +
      '\n' +
      '{"task": 12345678901234567891, "example": 7, "delta": null}\n' +
      '{"task": "t2", "example": 7, "delta": -1.25, "source": "web"}\n' +
      '{"task": "t2", "example": "é"}\n';
    for (const size of [1, 3, 1000]) {
      const { matrix, report } = await readJsonLinesLongTable(chunked(text, size), { file: 'x.jsonl' });
      expect([...matrix.taskIds]).toEqual(['12345678901234567891', 't2']);
      expect([...matrix.exampleIds]).toEqual(['é', '7']);
      expect(matrix.get(0, 0)).toBe(0.5);
      expect(matrix.isObserved(0, 1)).toBe(false);
      expect(matrix.get(1, 1)).toBe(-1.25);
      expect(matrix.isObserved(1, 0)).toBe(false);
      expect(report.rows).toBe(4);
      expect(report.kept).toBe(2);
      expect(report.dropped).toEqual({ 'null delta': 2 });
    }
  });

  test('Z = nll_after − nll_before when there is no delta', async () => {
    const { matrix } = await readJsonLinesLongTable(
      [enc('{"task":"t","example":"e","nll_before":2,"nll_after":2.75}\n')],
      {
        file: 'x.jsonl',
      },
    );
    expect(matrix.get(0, 0)).toBe(0.75);
    expect(Array.from(matrix.nllBefore!)).toEqual([2]);
  });

  test('errors at their line: not an object, a missing field, a string value, an empty file', async () => {
    const read = (s: string) => readJsonLinesLongTable([enc(s)], { file: 'x.jsonl' });
    await expect(read('{"task":"t","example":"e","delta":1}\n[1]\n')).rejects.toThrow(
      'x.jsonl:2:1: expected a JSON object on each line',
    );
    await expect(read('{"task":"t","delta":1}\n')).rejects.toThrow('x.jsonl:1:1: missing field "example"');
    await expect(read('{"task":"t","example":"e","delta":"0.5"}\n')).rejects.toThrow(
      'field "delta": "0.5" is not a number',
    );
    await expect(read('\n\n')).rejects.toMatchObject({ code: 'empty' });
  });
});
