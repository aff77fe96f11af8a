/**
 * Property tests of every reader: random valid tables round-trip exactly through each format, and
 * random corruptions of valid files give either a ForgetscopeError or a matrix — never another
 * exception, a hang, or (for binary formats cut short) a silently smaller matrix.
 */
import fc from 'fast-check';
import { readForgettingMatrixFromBytes } from '../../src/io/readBytes.js';
import { encodeDelimited } from '../../src/io/csv/encodeDelimited.js';
import { encodeArrow } from '../../src/io/arrow/encodeArrow.js';
import { encodeParquet } from '../../src/io/parquet/encodeParquet.js';
import { encodeNpy } from '../../src/io/npy/encodeNpy.js';
import { matrixToLongTable } from '../../src/io/matrixToLongTable.js';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../../src/util/errors.js';
import type { InputFormat, Table } from '../../src/io/types.js';
import { expectSameMatrix } from './helpers.js';

const SEED = 20261125;
const RUNS = Number(process.env['FORGETSCOPE_FUZZ_RUNS'] ?? 40);

// Ids mix arbitrary unicode with the characters delimited text must quote.
const id = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
  fc.string({
    unit: fc.constantFrom(',', '"', '\n', '\r', '\t', ' ', 'a', '1', '.', '-', '{', '\u00e9'),
    minLength: 1,
    maxLength: 5,
  }),
);
const value = fc.double({ noNaN: true, noDefaultInfinity: true });

/** A random matrix with unique ids, random missing cells (at least one observed per row and column). */
const matrixArb = fc
  .record({
    taskIds: fc.uniqueArray(id, { minLength: 1, maxLength: 4 }),
    exampleIds: fc.uniqueArray(id, { minLength: 1, maxLength: 5 }),
    seedValues: fc.array(value, { minLength: 20, maxLength: 20 }),
    missing: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
    withBefore: fc.boolean(),
    // example metadata: a source (any text, "12" included: its type says text) and one embedding coordinate,
    // either possibly missing
    sources: fc.array(fc.option(id), { minLength: 5, maxLength: 5 }),
    embedding: fc.array(fc.option(value.map((v) => (v === 0 ? 0 : v))), { minLength: 5, maxLength: 5 }),
  })
  .map(({ taskIds, exampleIds, seedValues, missing, withBefore, sources, embedding }) => {
    const m = taskIds.length;
    const n = exampleIds.length;
    const values = new Float64Array(m * n);
    const observed = new Uint8Array(m * n);
    for (let k = 0; k < m * n; k++) {
      values[k] = seedValues[k % 20]!;
      // Keep the diagonal-ish cells observed so no row or column is entirely missing.
      observed[k] = missing[k % 20] && Math.floor(k / n) !== (k % n) % m && k % n !== Math.floor(k / n) % n ? 0 : 1;
    }
    const exampleMeta = exampleIds.map((_, j) => {
      const source = sources[j];
      const x = embedding[j];
      return {
        ...(source === null || source === undefined ? {} : { source }),
        ...(x === null || x === undefined ? {} : { 'embedding.0': x }),
      };
    });
    return new ForgettingMatrix({
      values,
      observed,
      taskIds,
      exampleIds,
      exampleMeta,
      ...(withBefore ? { nllBefore: Float64Array.from(exampleIds, (_, j) => j + 0.5) } : {}),
    });
  });

function jsonLines(table: Table): Uint8Array {
  const names = Object.keys(table.columns);
  const rows = table.columns[names[0]!]!.length;
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const o: Record<string, unknown> = {};
    for (const n of names) {
      const v = table.columns[n]![r];
      o[n] = typeof v === 'number' && Number.isNaN(v) ? null : v;
    }
    lines.push(JSON.stringify(o));
  }
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

/** The long table of `m` as `writeTable` writes it: its text metadata columns marked as text. */
function csvText(m: ForgettingMatrix, delimiter: string): string {
  const table = matrixToLongTable(m);
  return encodeDelimited(table.columns, delimiter, table.textColumns ? { textColumns: table.textColumns } : {});
}

const encoders: Record<string, (m: ForgettingMatrix) => { bytes: Uint8Array; format: InputFormat; options?: object }> =
  {
    csv: (m) => ({ bytes: new TextEncoder().encode(csvText(m, ',')), format: 'csv' }),
    tsv: (m) => ({ bytes: new TextEncoder().encode(csvText(m, '\t')), format: 'tsv' }),
    jsonl: (m) => ({ bytes: jsonLines(matrixToLongTable(m)), format: 'jsonl' }),
    arrow: (m) => ({ bytes: encodeArrow(matrixToLongTable(m).columns, 'file'), format: 'arrow' }),
    'arrow-stream': (m) => ({ bytes: encodeArrow(matrixToLongTable(m).columns, 'stream'), format: 'arrow-stream' }),
    parquet: (m) => ({ bytes: encodeParquet(matrixToLongTable(m).columns), format: 'parquet' }),
    npy: (m) => ({
      bytes: encodeNpy(m.values, [m.rows, m.cols]),
      format: 'npy',
      options: { taskIds: m.taskIds, exampleIds: m.exampleIds, nanAsMissing: true },
    }),
  };

const BINARY = new Set(['arrow', 'arrow-stream', 'parquet', 'npy']);

describe.each(Object.keys(encoders))('%s', (name) => {
  const encode = encoders[name]!;

  test('random valid tables round-trip exactly', async () => {
    await fc.assert(
      fc.asyncProperty(matrixArb, async (m) => {
        const { bytes, format, options } = encode(m);
        const { matrix } = await readForgettingMatrixFromBytes(bytes, {
          format,
          fileName: `fuzz.${name}`,
          ...(options ?? {}),
        });
        expectSameMatrix(matrix, m);
        if (m.nllBefore && name !== 'npy') expect(Array.from(matrix.nllBefore!)).toEqual(Array.from(m.nllBefore));
        // example metadata (text and embedding numbers) comes back exactly, missing values missing
        if (name !== 'npy') expect(matrix.exampleMeta).toEqual(m.exampleMeta);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('random corruptions give a ForgetscopeError or a valid matrix, never a crash', async () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('truncate' as const),
        at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      }),
      fc.record({
        kind: fc.constant('flip' as const),
        at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
      }),
      fc.record({
        kind: fc.constant('delete' as const),
        at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        length: fc.integer({ min: 1, max: 16 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(matrixArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), async (m, mutations) => {
        const { bytes, format, options } = encode(m);
        let b: Uint8Array = bytes.slice();
        let truncated = false;
        for (const mu of mutations) {
          const at = Math.floor(mu.at * b.length);
          if (mu.kind === 'truncate') {
            b = b.slice(0, at);
            truncated = true;
          } else if (mu.kind === 'flip') {
            if (b.length > 0) b[Math.min(at, b.length - 1)] = mu.byte;
          } else if (mu.kind === 'insert') {
            const c = new Uint8Array(b.length + mu.bytes.length);
            c.set(b.subarray(0, at));
            c.set(mu.bytes, at);
            c.set(b.subarray(at), at + mu.bytes.length);
            b = c;
          } else {
            b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + mu.length)]);
          }
        }
        let result: Awaited<ReturnType<typeof readForgettingMatrixFromBytes>> | null = null;
        const t0 = performance.now();
        try {
          result = await readForgettingMatrixFromBytes(b, { format, fileName: `fuzz.${name}`, ...(options ?? {}) });
        } catch (e) {
          if (!(e instanceof ForgetscopeError))
            throw new Error(`${name}: a corruption gave ${String(e)} instead of a ForgetscopeError`);
          return;
        } finally {
          // A corrupted small file fails (or reads) quickly: no header count drives unbounded work.
          expect(performance.now() - t0).toBeLessThan(2000);
        }
        // A binary file cut short (and nothing else changed) must never read as a smaller matrix.
        if (
          BINARY.has(name) &&
          truncated &&
          mutations.every((mu) => mu.kind === 'truncate') &&
          b.length < bytes.length
        ) {
          throw new Error(`${name}: a truncated file read as a ${result.matrix.rows}×${result.matrix.cols} matrix`);
        }
        // Whatever was read is a consistent matrix with a consistent report.
        expect(result.matrix.observedCount).toBe(result.report.kept - (result.report.merged ?? 0));
      }),
      { numRuns: RUNS * 2, seed: SEED },
    );
  });
});

/**
 * Missing is missing, in every format: a long table whose cells are finite numbers or missing (an empty
 * field, null, NaN with nanAsMissing) reads as a matrix whose observed count is exactly the number of
 * finite cells; with none at all it is an `empty` error, never a matrix of zeros. Ids are arbitrary
 * unicode, including 20-digit numbers as JSON numbers in JSON Lines.
 */
describe('observed count = number of cells with a finite value', () => {
  const cellsArb = fc.record({
    m: fc.integer({ min: 1, max: 4 }),
    n: fc.integer({ min: 1, max: 5 }),
    // 0: finite, 1: missing; biased towards sparse and fully missing tables.
    kinds: fc.array(fc.constantFrom(0, 1, 1), { minLength: 20, maxLength: 20 }),
    values: fc.array(value, { minLength: 20, maxLength: 20 }),
    nanText: fc.boolean(),
  });
  const formats: Record<string, (t: Table, nanText: boolean) => Uint8Array> = {
    csv: (t, nanText) =>
      new TextEncoder().encode(encodeDelimited(t.columns).replace(/,(?=\r?\n|$)/g, nanText ? ',nan' : ',')),
    jsonl: (t) => jsonLines(t),
    arrow: (t) => encodeArrow(t.columns, 'stream'),
    parquet: (t) => encodeParquet(t.columns),
  };
  test.each(Object.keys(formats))('%s', async (name) => {
    await fc.assert(
      fc.asyncProperty(cellsArb, async ({ m, n, kinds, values, nanText }) => {
        const task: string[] = [];
        const example: string[] = [];
        const delta: number[] = [];
        let finite = 0;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            const k = (i * n + j) % 20;
            task.push(`t${i}`);
            example.push(`e${j}`);
            delta.push(kinds[k] === 0 ? values[k]! : NaN);
            if (kinds[k] === 0) finite++;
          }
        }
        const bytes = formats[name]!({ columns: { task, example, delta: Float64Array.from(delta) } }, nanText);
        const read = readForgettingMatrixFromBytes(bytes, {
          fileName: `cells.${name === 'arrow' ? 'arrows' : name}`,
          nanAsMissing: true,
        });
        if (finite === 0) {
          await expect(read).rejects.toMatchObject({
            code: 'empty',
            file: `cells.${name === 'arrow' ? 'arrows' : name}`,
          });
          return;
        }
        const { matrix, report } = await read;
        expect(matrix.observedCount).toBe(finite);
        expect(report.kept).toBe(finite);
        expect(report.rows).toBe(m * n);
        expect(Object.values(report.dropped).reduce((a, b) => a + b, 0)).toBe(m * n - finite);
        for (let r = 0; r < task.length; r++) {
          const i = matrix.taskIndex(task[r]!);
          const j = matrix.exampleIndex(example[r]!);
          if (Number.isFinite(delta[r]!)) expect(matrix.get(i, j)).toBe(delta[r]);
          else expect(matrix.isObserved(i, j)).toBe(false);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('JSON Lines: integer ids keep their exact digits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), { minLength: 1, maxLength: 6 }),
        async (ids) => {
          const text = ids.map((id, k) => `{"task": ${id}, "example": "e", "delta": ${k}}`).join('\n') + '\n';
          const { matrix } = await readForgettingMatrixFromBytes(new TextEncoder().encode(text), {
            fileName: 'ids.jsonl',
          });
          expect([...matrix.taskIds]).toEqual(ids.map(String));
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test.each(['csv', 'jsonl', 'arrow', 'parquet', 'npy'])(
    'random bytes into %s give a ForgetscopeError or a matrix, quickly',
    async (format) => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 2048 }), fc.boolean(), async (bytes, magic) => {
          const heads: Record<string, number[]> = {
            csv: [...new TextEncoder().encode(H_CSV)],
            jsonl: [0x7b],
            arrow: [...new TextEncoder().encode('ARROW1\0\0')],
            parquet: [...new TextEncoder().encode('PAR1')],
            npy: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0],
          };
          const tails: Record<string, number[]> = {
            arrow: [...new TextEncoder().encode('ARROW1')],
            parquet: [...new TextEncoder().encode('PAR1')],
          };
          const b = magic ? Uint8Array.from([...heads[format]!, ...bytes, ...(tails[format] ?? [])]) : bytes;
          const t0 = performance.now();
          try {
            await readForgettingMatrixFromBytes(b, { format: format as InputFormat, fileName: `random.${format}` });
          } catch (e) {
            if (!(e instanceof ForgetscopeError))
              throw new Error(`${format}: random bytes gave ${String(e)} instead of a ForgetscopeError`);
          }
          expect(performance.now() - t0).toBeLessThan(2000);
        }),
        { numRuns: RUNS * 2, seed: SEED },
      );
    },
  );
});

const H_CSV = 'task,example,delta\n';
