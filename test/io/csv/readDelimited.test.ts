/** CSV/TSV reading: RFC 4180 details, chunk boundaries, options, and the two-pass mode, on hand-worked tables. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readForgettingMatrix } from '../../../src/io/node/index.js';
import { readDelimitedLongTable } from '../../../src/io/csv/readDelimited.js';
import { readForgettingMatrixFromBytes } from '../../../src/io/readBytes.js';
import { expectSameMatrix, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const enc = (s: string) => new TextEncoder().encode(s);

// A table exercising quoting, an embedded line break, CRLF, a BOM and a blank line.
const TRICKY =
  '\ufefftask,example,nll_before,nll_after\r\n"t,1",e1,1.5,2\r\n"t,1","e ""2""",0.25,0.125\r\n\r\nt2,e1,1.5,1.25\r\nt2,"multi\nline",3,4.5\r\n';

function expectTricky(matrix: Awaited<ReturnType<typeof readForgettingMatrix>>['matrix']): void {
  expect([...matrix.taskIds]).toEqual(['t,1', 't2']);
  expect([...matrix.exampleIds]).toEqual(['e1', 'e "2"', 'multi\nline']);
  // Z = after − before, by hand: t,1: 0.5, −0.125, missing; t2: −0.25, missing, 1.5.
  expect(matrix.get(0, 0)).toBe(0.5);
  expect(matrix.get(0, 1)).toBe(-0.125);
  expect(matrix.isObserved(0, 2)).toBe(false);
  expect(matrix.get(1, 0)).toBe(-0.25);
  expect(matrix.isObserved(1, 1)).toBe(false);
  expect(matrix.get(1, 2)).toBe(1.5);
  expect(Array.from(matrix.nllBefore!)).toEqual([1.5, 0.25, 3]);
}

describe('delimited text', () => {
  test('RFC 4180 quoting, embedded newline, CRLF, BOM, blank line', async () => {
    const { matrix, report } = await readForgettingMatrixFromBytes(enc(TRICKY), { fileName: 't.csv' });
    expectTricky(matrix);
    expect(report).toEqual({ rows: 4, kept: 4, dropped: {} });
  });

  test('any chunking gives the same matrix (one byte at a time, every split point)', async () => {
    const bytes = enc(TRICKY);
    const one = await readDelimitedLongTable(
      Array.from(bytes, (b) => Uint8Array.of(b)),
      { file: 't.csv', delimiter: ',' },
    );
    expectTricky(one.matrix);
    for (let cut = 1; cut < bytes.length; cut++) {
      const r = await readDelimitedLongTable([bytes.subarray(0, cut), bytes.subarray(cut)], {
        file: 't.csv',
        delimiter: ',',
      });
      expectTricky(r.matrix);
    }
  });

  test('two-pass reading gives the same matrix, report and errors as one pass', async () => {
    const p = join(dir, 'tricky.csv');
    writeFileSync(p, TRICKY);
    const one = await readForgettingMatrix(p, { twoPass: false });
    const two = await readForgettingMatrix(p, { twoPass: true });
    expectTricky(two.matrix);
    expectSameMatrix(two.matrix, one.matrix);
    expect(two.report).toEqual(one.report);
    const dup = join(dir, 'dup.tsv');
    writeFileSync(dup, 'task\texample\tdelta\nt1\te1\t0.5\nt1\te2\t1\nt1\te1\t2\n');
    await expect(readForgettingMatrix(dup, { twoPass: true })).rejects.toThrow(
      `${dup}:4: duplicate (task, example) pair: line 4 repeats line 2 (task "t1", example "e1")`,
    );
    // Quoted line breaks after the id fields (the first pass must not skip past them).
    const notes = join(dir, 'notes.csv');
    writeFileSync(notes, 'task,example,delta,note\nt1,e1,0.5,"multi\nline, note"\nt1,e2,1,plain\nt2,e1,"2",x\n');
    const n1 = await readForgettingMatrix(notes, { twoPass: false });
    const n2 = await readForgettingMatrix(notes, { twoPass: true });
    expectSameMatrix(n2.matrix, n1.matrix);
    expect(Array.from(n2.matrix.values)).toEqual([0.5, 1, 2, NaN]);
    writeFileSync(notes, 'task,example,delta,note\nt1,e1,0.5,a\nt1,e2,1,b,extra\n');
    await expect(readForgettingMatrix(notes, { twoPass: true })).rejects.toThrow(
      `${notes}:3:9: wrong column count: expected 4 fields (task,example,delta,note), found 5`,
    );
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'task,example,delta\nt1,e1,0.5\nt1,e2,x\n');
    await expect(readForgettingMatrix(bad, { twoPass: true })).rejects.toThrow(
      `${bad}:3:7: column "delta": "x" is not a number`,
    );
  });

  test('duplicates: mean and last, by hand', async () => {
    const csv = enc('task,example,delta\nt,a,1\nt,b,5\nt,a,2\nt,a,6\n');
    const mean = await readForgettingMatrixFromBytes(csv, { duplicates: 'mean' });
    expect(mean.matrix.get(0, 0)).toBe(3); // (1 + 2 + 6) / 3
    expect(mean.report).toEqual({ rows: 4, kept: 4, dropped: {}, merged: 2 });
    const last = await readForgettingMatrixFromBytes(csv, { duplicates: 'last' });
    expect(last.matrix.get(0, 0)).toBe(6);
    expect(last.report).toEqual({ rows: 4, kept: 2, dropped: { 'duplicate (replaced by a later row)': 2 } });
  });

  test('column names, delimiter, float32, nanAsMissing, spaces around numbers', async () => {
    const text = enc('run;id;z\nr1;x; 0.1 \nr1;y;nan\nr2;x;-2e-3\n');
    const r = await readForgettingMatrixFromBytes(text, {
      delimiter: ';',
      columns: { task: 'run', example: 'id', delta: 'z' },
      dtype: 'float32',
      nanAsMissing: true,
    });
    expect(r.matrix.values).toBeInstanceOf(Float32Array);
    expect(r.matrix.get(0, 0)).toBe(Math.fround(0.1));
    expect(r.matrix.isObserved(0, 1)).toBe(false);
    expect(r.matrix.get(1, 0)).toBe(Math.fround(-0.002));
    expect(r.report).toEqual({ rows: 3, kept: 2, dropped: { 'nan z': 1 } });
  });

  test('numbers parse exactly like JavaScript, including long and extreme ones', async () => {
    const values = [
      '0',
      '-0',
      '1',
      '0.1',
      '1e-320',
      '1.7976931348623157e308',
      '4.9e-324',
      '123456789012345678901234567890',
      '0.30000000000000004',
      '-12.5E+3',
      '.5',
      '5.',
    ];
    const text = 'task,example,delta\n' + values.map((v, k) => `t,e${k},${v}`).join('\n') + '\n';
    const { matrix } = await readForgettingMatrixFromBytes(enc(text));
    values.forEach((v, k) => expect(Object.is(matrix.get(0, k), Number(v))).toBe(true));
  });
});
