/**
 * The flat Parquet fast path (src/io/parquet/flatColumn.ts) against hyparquet's generic reader and
 * against pyarrow's own values, on files pyarrow writes: string / int32 / int64 / float32 / int ids and
 * values, nulls, dictionary pages (and pyarrow's fallback to PLAIN when a dictionary grows too big),
 * PLAIN pages, several row groups and small pages, data pages v1 and v2, every codec. Files the fast
 * path does not decode (other encodings) must read the same through the fallback. Fuzzing: random
 * tables and random corruptions read alike on both paths.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parquetSourceFromBytes, readParquetLongTable, readParquetWith } from '../../../src/io/parquet/readParquet.js';
import { encodeParquet } from '../../../src/io/parquet/encodeParquet.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../../../src/util/errors.js';
import type { ReadOptions } from '../../../src/io/types.js';
import { expectSameMatrix, pythonHas, runPython, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir('forgetscope-parquet-flat-');
afterAll(cleanup);
const available = pythonHas(['numpy', 'pyarrow']);

interface Variant {
  path: string;
  /** The fast path decodes this file itself (false: it falls back to the generic reader). */
  flat: boolean;
  options?: Partial<ReadOptions>;
  /** pyarrow's matrix: task ids, example ids, Z (null = missing), as JSON. */
  expect: { tasks: string[]; examples: string[]; z: (number | null)[][] };
  /** Expected error message fragment instead of a matrix. */
  error?: string;
}

const WRITE = `
import sys, json, numpy as np, pyarrow as pa, pyarrow.parquet as pq
d = sys.argv[1]
rng = np.random.default_rng(11)
M, N = 7, 300
before = np.round(rng.normal(1.5, 0.3, N), 6)
after = np.round(before[None, :] + rng.normal(0.4, 0.4, (M, N)), 6)
missing = rng.random((M, N)) < 0.1
missing[:, 0] = False
missing[0, :] = False
rows = [(i, j) for i in range(M) for j in range(N) if not missing[i, j]]
ti = np.array([r[0] for r in rows]); ej = np.array([r[1] for r in rows])
# nulls: some delta/nll_after rows are null (dropped rows); their cells are missing in the matrix
null_rows = rng.random(len(rows)) < 0.05
variants = []
def expect(task_ids, example_ids, z_full, drop):
    z = [[None] * N for _ in range(M)]
    for k, (i, j) in enumerate(rows):
        if not drop[k]: z[i][j] = float(z_full[i, j])
    # ids in order of first appearance (task-major table; row 0 and column 0 are complete)
    return {'tasks': [str(t) for t in task_ids], 'examples': [str(e) for e in example_ids], 'z': z}
def add(name, table, flat, options=None, ex=None, **kw):
    path = f'{d}/{name}.parquet'
    pq.write_table(table, path, **kw)
    variants.append({'path': path, 'flat': flat, 'options': options or {}, 'expect': ex})
str_tasks = np.array([f'task {i:02d} é' for i in range(M)])
str_examples = np.array([f'ex{100000 + j}' for j in range(N)])
z = after - before[None, :]
delta = pa.array(np.where(null_rows, np.nan, z[ti, ej]), mask=null_rows)
base = {'task': pa.array(str_tasks[ti]), 'example': pa.array(str_examples[ej]), 'delta': delta}
ex_str = expect(str_tasks, str_examples, z, null_rows)
no_drop = np.zeros(len(rows), bool)
for codec in ['snappy', 'zstd', 'gzip', 'brotli', 'lz4', 'none']:
    add(f'str_{codec}', pa.table(base), True, ex=ex_str, compression=codec)
add('str_plain_small_groups', pa.table(base), True, ex=ex_str, use_dictionary=False, row_group_size=97, data_page_size=256)
add('str_dict_small_pages', pa.table(base), True, ex=ex_str, row_group_size=500, data_page_size=128, write_batch_size=16)
add('str_dict_fallback_plain', pa.table(base), True, ex=ex_str, dictionary_pagesize_limit=64, data_page_size=256, write_batch_size=16)
add('str_v2_pages', pa.table(base), True, ex=ex_str, data_page_version='2.0', row_group_size=400, data_page_size=200, write_batch_size=16)
add('str_v2_zstd_plain', pa.table(base), True, ex=ex_str, data_page_version='2.0', compression='zstd', use_dictionary=False)
add('str_format_1_0', pa.table(base), True, ex=ex_str, version='1.0')
# integer ids (int32 tasks, int64 examples beyond 2^53 keep exact text) and float32 / integer values
big = np.int64(2**60) + np.arange(N, dtype=np.int64)
int_tasks = np.arange(M, dtype=np.int32) * 3 - 5
z32 = z.astype(np.float32)
t_int = pa.table({'task': pa.array(int_tasks[ti], pa.int32()), 'example': pa.array(big[ej], pa.int64()),
                  'delta': pa.array(np.where(null_rows, np.nan, z32[ti, ej]).astype(np.float32), pa.float32(), mask=null_rows)})
ex_int = expect(int_tasks, big, z32.astype(np.float64), null_rows)
add('int_ids_float32', t_int, True, ex=ex_int, row_group_size=333)
add('int_ids_float32_plain', t_int, True, ex=ex_int, use_dictionary=False, compression='zstd')
zi = np.rint(z * 1000).astype(np.int64)
t_ival = pa.table({'task': pa.array(str_tasks[ti]), 'example': pa.array(ej.astype(np.int32)), 'delta': pa.array(zi[ti, ej], pa.int64())})
add('int64_values', t_ival, True, ex=expect(str_tasks, np.arange(N), zi.astype(np.float64), no_drop), row_group_size=250)
t_i32val = pa.table({'task': pa.array(str_tasks[ti]), 'example': pa.array(str_examples[ej]), 'delta': pa.array(zi[ti, ej].astype(np.int32), pa.int32())})
add('int32_values', t_i32val, True, ex=expect(str_tasks, str_examples, zi.astype(np.float64), no_drop))
# nll_before / nll_after (Z = after - before), nulls in nll_after; REQUIRED (non-nullable) columns
nb = pa.array(before[ej]); na = pa.array(np.where(null_rows, np.nan, after[ti, ej]), mask=null_rows)
t_nll = pa.table({'task': base['task'], 'example': base['example'], 'nll_before': nb, 'nll_after': na})
add('nll_columns', t_nll, True, ex=ex_str, row_group_size=640)
schema = pa.schema([pa.field('task', pa.string(), nullable=False), pa.field('example', pa.string(), nullable=False), pa.field('delta', pa.float64(), nullable=False)])
t_req = pa.table({'task': base['task'], 'example': base['example'], 'delta': pa.array(z[ti, ej])}, schema=schema)
add('required_columns', t_req, True, ex=expect(str_tasks, str_examples, z, no_drop), row_group_size=1000)
# extra columns the read ignores (a list column and a timestamp), and dictionary<string> columns
t_extra = pa.table({**base, 'tags': pa.array([[1, 2]] * len(rows)), 'when': pa.array(np.arange(len(rows)).astype('datetime64[s]'))})
add('extra_nested_columns', t_extra, False, ex=ex_str)
t_dict = pa.table({'task': pa.compute.dictionary_encode(base['task']), 'example': base['example'], 'delta': delta})
add('arrow_dictionary_type', t_dict, True, ex=ex_str)
# encodings the fast path leaves to the generic reader
add('byte_stream_split', pa.table(base), False, ex=ex_str, use_dictionary=['task', 'example'], column_encoding={'delta': 'BYTE_STREAM_SPLIT'})
add('delta_binary_packed', t_ival, False, ex=expect(str_tasks, np.arange(N), zi.astype(np.float64), no_drop), use_dictionary=['task'], column_encoding={'example': 'DELTA_BINARY_PACKED', 'delta': 'DELTA_BINARY_PACKED'})
add('delta_byte_array', pa.table(base), False, ex=ex_str, use_dictionary=['task'], column_encoding={'example': 'DELTA_BYTE_ARRAY'})
# NaN values: an error by default, missing with nanAsMissing
nan_rows = rng.random(len(rows)) < 0.03
t_nan = pa.table({'task': base['task'], 'example': base['example'], 'delta': pa.array(np.where(nan_rows, np.nan, z[ti, ej]))})
ex_nan = expect(str_tasks, str_examples, z, nan_rows)
add('nan_values', t_nan, True, options={'nanAsMissing': True}, ex=ex_nan)
variants.append({'path': f'{d}/nan_values.parquet', 'flat': True, 'options': {}, 'expect': None, 'error': 'is not a finite number'})
# a null id and an empty id: errors naming the row
t_null_id = pa.table({'task': pa.array(['a', None, 'b']), 'example': pa.array(['x', 'y', 'z']), 'delta': pa.array([1.0, 2.0, 3.0])})
add('null_task_id', t_null_id, True, ex=None)
variants[-1]['error'] = ':2:task: null task id'
t_empty_id = pa.table({'task': pa.array(['a', 'a', 'b']), 'example': pa.array(['x', '', 'z']), 'delta': pa.array([1.0, 2.0, 3.0])})
add('empty_example_id', t_empty_id, True, ex=None)
variants[-1]['error'] = 'empty example id'
t_dup = pa.table({'task': pa.array(['a', 'b', 'a']), 'example': pa.array(['x', 'x', 'x']), 'delta': pa.array([1.0, 2.0, 3.0])})
add('duplicate_pair', t_dup, True, ex=None)
variants[-1]['error'] = 'row 3 repeats row 1'
add('duplicate_pair_mean', t_dup, True, options={'duplicates': 'mean'}, ex={'tasks': ['a', 'b'], 'examples': ['x'], 'z': [[2.0], [2.0]]})
print(json.dumps(variants))
`;

const variants: Variant[] = available ? (JSON.parse(runPython(WRITE, [dir])) as Variant[]) : [];
const name = (v: Variant) => v.path.split('/').pop()!.replace('.parquet', '') + (v.error ? ' (error)' : '');
const read = (bytes: Uint8Array, v: Variant, path: 'auto' | 'flat' | 'generic') =>
  readParquetWith(parquetSourceFromBytes(bytes), { file: name(v), ...(v.options ?? {}) }, path);

function fromReference(ref: Variant['expect']): ForgettingMatrix {
  const m = ref.tasks.length;
  const n = ref.examples.length;
  const values = new Float64Array(m * n);
  const observed = new Uint8Array(m * n);
  ref.z.forEach((row, i) =>
    row.forEach((x, j) => {
      if (x !== null) {
        values[i * n + j] = x;
        observed[i * n + j] = 1;
      }
    }),
  );
  return new ForgettingMatrix({ values, observed, taskIds: ref.tasks, exampleIds: ref.examples });
}

(available ? describe : describe.skip)('flat Parquet fast path on pyarrow-written files', () => {
  test('the python writer produced the variants', () => {
    expect(variants.length).toBeGreaterThan(25);
  });

  test.each(variants.map((v) => [name(v), v] as const))('%s', async (_label, v) => {
    const bytes = new Uint8Array(readFileSync(v.path));
    if (v.error) {
      await expect(read(bytes, v, 'generic')).rejects.toThrow(v.error);
      await expect(read(bytes, v, 'flat')).rejects.toThrow(v.error);
      // The same ForgetscopeError, word for word, from both paths.
      const errs = await Promise.all(
        (['flat', 'generic'] as const).map((p) => read(bytes, v, p).catch((e: unknown) => e)),
      );
      expect(errs[0]).toBeInstanceOf(ForgetscopeError);
      expect((errs[0] as Error).message).toBe((errs[1] as Error).message);
      return;
    }
    const generic = await read(bytes, v, 'generic');
    const auto = await read(bytes, v, 'auto');
    // Against pyarrow's values (Z computed in float64 by numpy: after − before can differ in the last bit).
    const tol = v.path.includes('nll_columns') ? 1e-12 : 0;
    expectSameMatrix(auto.matrix, fromReference(v.expect), tol);
    // And exactly the generic reader's matrix, report and nllBefore.
    expectSameMatrix(auto.matrix, generic.matrix);
    expect(auto.report).toEqual(generic.report);
    expect(auto.matrix.nllBefore ? Array.from(auto.matrix.nllBefore) : null).toEqual(
      generic.matrix.nllBefore ? Array.from(generic.matrix.nllBefore) : null,
    );
    if (v.flat) {
      const flat = await read(bytes, v, 'flat');
      expectSameMatrix(flat.matrix, generic.matrix);
      expect(flat.report).toEqual(generic.report);
    } else {
      // The fast path refuses (up front or at the first page it does not decode); auto fell back.
      await expect(read(bytes, v, 'flat')).rejects.toThrow(/flat fast path does not apply|encoding/);
    }
  });

  test('the io benchmark layout (pyarrow defaults, 1Mi-row groups) takes the fast path', async () => {
    const path = join(dir, 'bench_like.parquet');
    runPython(
      `import sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
rng = np.random.default_rng(0); T, E = 12, 100000
b = np.round(rng.normal(1.5, 0.4, E), 5); a = np.round(b[None, :] + rng.normal(0.4, 0.4, (T, E)), 5)
t = pa.table({'task': np.repeat([f'task{i:03d}' for i in range(T)], E), 'example': np.tile([str(100000 + j) for j in range(E)], T), 'nll_before': np.tile(b, T), 'nll_after': a.ravel()})
pq.write_table(t, sys.argv[1])`,
      [path],
    );
    const bytes = new Uint8Array(readFileSync(path));
    const v: Variant = { path, flat: true, expect: { tasks: [], examples: [], z: [] } };
    const flat = await read(bytes, v, 'flat');
    const generic = await read(bytes, v, 'generic');
    expect(flat.matrix.shape).toEqual([12, 100000]);
    expectSameMatrix(flat.matrix, generic.matrix);
    expect(flat.report).toEqual(generic.report);
  });
});

describe('flat fast path vs generic reader, fuzzed (hyparquet-writer files)', () => {
  const SEED = 20261202;
  const RUNS = Number(process.env['FORGETSCOPE_FUZZ_RUNS'] ?? 40);
  const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 5 });
  const table = fc
    .record({
      taskIds: fc.uniqueArray(id, { minLength: 1, maxLength: 5 }),
      exampleIds: fc.uniqueArray(id, { minLength: 1, maxLength: 7 }),
      values: fc.array(fc.double({ noDefaultInfinity: true }), { minLength: 35, maxLength: 35 }),
      rowGroupSize: fc.integer({ min: 1, max: 40 }),
    })
    .map(({ taskIds, exampleIds, values, rowGroupSize }) => {
      const m = taskIds.length;
      const n = exampleIds.length;
      // Every (task, example) pair once, task-major; NaN values are written as nulls (encodeParquet):
      // dropped rows, as pyarrow's nulls.
      const task = Array.from({ length: m * n }, (_, k) => taskIds[Math.floor(k / n)]!);
      const example = Array.from({ length: m * n }, (_, k) => exampleIds[k % n]!);
      const delta = Float64Array.from({ length: m * n }, (_, k) => values[k % 35]!);
      return { bytes: encodeParquet({ task, example, delta }, { rowGroupSize }), m, n };
    });
  const v: Variant = { path: 'fuzz.parquet', flat: true, expect: { tasks: [], examples: [], z: [] } };

  test('random tables: same matrix and report on both paths', async () => {
    await fc.assert(
      fc.asyncProperty(table, async ({ bytes }) => {
        const flat = await read(bytes, v, 'flat');
        const generic = await read(bytes, v, 'generic');
        expectSameMatrix(flat.matrix, generic.matrix);
        expect(flat.report).toEqual(generic.report);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('random corruptions: auto gives the generic reader’s matrix or a ForgetscopeError, never a crash', async () => {
    const mutation = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      byte: fc.integer({ min: 0, max: 255 }),
      cut: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(table, fc.array(mutation, { minLength: 1, maxLength: 3 }), async ({ bytes }, mutations) => {
        let b = bytes.slice();
        for (const mu of mutations) {
          const at = Math.floor(mu.at * b.length);
          if (mu.cut) b = b.slice(0, at);
          else if (b.length > 0) b[Math.min(at, b.length - 1)] = mu.byte;
        }
        let auto: Awaited<ReturnType<typeof read>> | Error;
        try {
          auto = await readParquetLongTable(parquetSourceFromBytes(b), { file: 'fuzz.parquet' });
        } catch (e) {
          if (!(e instanceof ForgetscopeError))
            throw new Error(`a corruption gave ${String(e)} instead of a ForgetscopeError`);
          auto = e;
        }
        let generic: Awaited<ReturnType<typeof read>> | Error;
        try {
          generic = await read(b, v, 'generic');
        } catch (e) {
          generic = e as Error;
        }
        if (!(auto instanceof Error) && !(generic instanceof Error)) {
          expectSameMatrix(auto.matrix, generic.matrix);
          expect(auto.report).toEqual(generic.report);
        }
        if (!(auto instanceof Error) && generic instanceof Error)
          throw new Error(`the fast path read a file the generic reader rejects (${generic.message})`);
      }),
      { numRuns: RUNS * 2, seed: SEED },
    );
  });
});
