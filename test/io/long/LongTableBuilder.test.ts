/**
 * Long tables keep their extra text columns as metadata: one value per example → example metadata
 * (`source`, `text`), else one value per task → task metadata (`family`); numeric extra columns are
 * not metadata; a column that varies within both is left out with a warning. The per-source report
 * tables then work from a long CSV.
 */
import { readForgettingMatrixFromBytes } from '../../../src/io/readBytes.js';
import { summarizeBySource } from '../../../src/analysis/summarizeBySource.js';

const enc = (s: string) => new TextEncoder().encode(s);
const CSV =
  [
    'task,example,delta,source,text,family,score,mixed',
    't1,e1,0.5,web,"hello, world",math,1.5,a',
    't1,e2,0.25,code,print(1),math,2,b',
    't2,e1,-0.5,web,"hello, world",chat,3,c',
    't2,e2,1,code,print(1),chat,,d',
    't3,e3,,books,,,,',
  ].join('\n') + '\n';

describe('long-table metadata', () => {
  test('CSV: source and text per example, family per task', async () => {
    const { matrix, report } = await readForgettingMatrixFromBytes(enc(CSV), { fileName: 'meta.csv' });
    expect(matrix.exampleMeta).toEqual([
      { source: 'web', text: 'hello, world' },
      { source: 'code', text: 'print(1)' },
      { source: 'books' },
    ]);
    expect(matrix.taskMeta).toEqual([{ family: 'math' }, { family: 'chat' }, {}]);
    expect(report.warnings).toEqual([
      'column "mixed" varies within examples and within tasks, so it is neither example nor task metadata; left out',
    ]);
  });

  test('JSON Lines: the same rule', async () => {
    const lines = [
      { task: 't1', example: 'e1', delta: 0.5, source: 'web', family: 'math', n: 1 },
      { task: 't1', example: 'e2', delta: 0.25, source: 'code', family: 'math', n: 2 },
      { task: 't2', example: 'e1', delta: -0.5, source: 'web', family: 'chat', n: 3 },
    ];
    const { matrix, report } = await readForgettingMatrixFromBytes(
      enc(lines.map((l) => JSON.stringify(l)).join('\n')),
      { fileName: 'meta.jsonl' },
    );
    expect(matrix.exampleMeta).toEqual([{ source: 'web' }, { source: 'code' }]);
    expect(matrix.taskMeta).toEqual([{ family: 'math' }, { family: 'chat' }]);
    expect(report.warnings).toBeUndefined();
  });

  test('the per-source table works from a long CSV (hand-worked means)', async () => {
    const { matrix } = await readForgettingMatrixFromBytes(enc(CSV), { fileName: 'meta.csv' });
    const rows = summarizeBySource(matrix);
    const web = rows.find((r) => r.source === 'web')!;
    const code = rows.find((r) => r.source === 'code')!;
    // web: cells 0.5 and −0.5 → mean 0; code: 0.25 and 1 → mean 0.625 (books has no observed cell).
    expect(web.mean).toBeCloseTo(0, 15);
    expect(code.mean).toBeCloseTo(0.625, 15);
    expect(rows[0]!.source).toBe('code');
  });

  test('a table without extra columns has no metadata and no warnings', async () => {
    const { matrix, report } = await readForgettingMatrixFromBytes(enc('task,example,delta\nt1,e1,1\n'), {
      fileName: 'plain.csv',
    });
    expect(matrix.exampleMeta).toEqual([{}]);
    expect(report.warnings).toBeUndefined();
  });
});

describe('long-table metadata in columnar formats', () => {
  const columns = {
    task: ['t1', 't1', 't2', 't2'],
    example: ['e1', 'e2', 'e1', 'e2'],
    delta: Float64Array.from([0.5, 0.25, -0.5, 1]),
    source: ['web', 'code', 'web', 'code'],
    family: ['math', 'math', 'chat', 'chat'],
  };
  test.each([
    ['arrow', 'm.arrows'],
    ['parquet', 'm.parquet'],
  ])('%s: source per example, family per task', async (kind, fileName) => {
    const { encodeArrow } = await import('../../../src/io/arrow/encodeArrow.js');
    const { encodeParquet } = await import('../../../src/io/parquet/encodeParquet.js');
    const bytes = kind === 'arrow' ? encodeArrow(columns, 'stream') : encodeParquet(columns);
    const { matrix } = await readForgettingMatrixFromBytes(bytes, { fileName });
    expect(matrix.exampleMeta).toEqual([{ source: 'web' }, { source: 'code' }]);
    expect(matrix.taskMeta).toEqual([{ family: 'math' }, { family: 'chat' }]);
  });

  test('parquet: the generic reader keeps the same metadata', async () => {
    const { encodeParquet } = await import('../../../src/io/parquet/encodeParquet.js');
    const { readParquetWith, parquetSourceFromBytes } = await import('../../../src/io/parquet/readParquet.js');
    const src = parquetSourceFromBytes(encodeParquet(columns));
    const flat = await readParquetWith(src, { file: 'm.parquet' }, 'flat');
    const generic = await readParquetWith(src, { file: 'm.parquet' }, 'generic');
    expect(generic.matrix.exampleMeta).toEqual(flat.matrix.exampleMeta);
    expect(generic.matrix.taskMeta).toEqual(flat.matrix.taskMeta);
    expect(flat.matrix.exampleMeta).toEqual([{ source: 'web' }, { source: 'code' }]);
  });
});

/**
 * Example embeddings in a long table: numeric `embedding.<i>` columns with one value per example are
 * example metadata holding numbers (the one exception to "numeric columns are not metadata"), read the
 * same from every format, exact to the last bit, with missing values missing.
 */
describe('embedding columns of a long table', () => {
  // 3 tasks × 3 examples; e3 has no embedding.1 (empty / null), and exact-bit values
  const e0 = [0.1 + 0.2, -1e-300, 12345.678901234567];
  const e1 = [1 / 3, NaN, -7];
  const rows: { task: string; example: string; delta: number; x0: number; x1: number; score: number }[] = [];
  for (const t of ['t1', 't2', 't3'])
    ['e1', 'e2', 'e3'].forEach((ex, j) =>
      rows.push({ task: t, example: ex, delta: j + (t === 't2' ? 1 : 0), x0: e0[j]!, x1: e1[j]!, score: rows.length }),
    );
  const expected = [
    { 'embedding.0': e0[0], 'embedding.1': e1[0] },
    { 'embedding.0': e0[1] },
    { 'embedding.0': e0[2], 'embedding.1': e1[2] },
  ];
  const num = (v: number) => (Number.isNaN(v) ? '' : String(v));

  test('CSV: numbers per example, exact; other numeric columns are still not metadata', async () => {
    const csv =
      [
        'task,example,delta,embedding.0,embedding.1,score',
        ...rows.map((r) => `${r.task},${r.example},${r.delta},${num(r.x0)},${num(r.x1)},${r.score}`),
      ].join('\n') + '\n';
    const { matrix, report } = await readForgettingMatrixFromBytes(enc(csv), { fileName: 'emb.csv' });
    expect(matrix.exampleMeta).toEqual(expected);
    expect(Object.is(matrix.exampleMeta[0]!['embedding.0'], 0.1 + 0.2)).toBe(true);
    expect(report.warnings).toBeUndefined();
  });

  test('JSON Lines: numbers (and null for missing)', async () => {
    const lines = rows.map((r) =>
      JSON.stringify({
        task: r.task,
        example: r.example,
        delta: r.delta,
        'embedding.0': r.x0,
        'embedding.1': Number.isNaN(r.x1) ? null : r.x1,
      }),
    );
    const { matrix, report } = await readForgettingMatrixFromBytes(enc(lines.join('\n')), { fileName: 'emb.jsonl' });
    expect(matrix.exampleMeta).toEqual(expected);
    expect(report.warnings).toBeUndefined();
  });

  const columns = {
    task: rows.map((r) => r.task),
    example: rows.map((r) => r.example),
    delta: Float64Array.from(rows, (r) => r.delta),
    'embedding.0': Float64Array.from(rows, (r) => r.x0),
    'embedding.1': Float64Array.from(rows, (r) => r.x1), // NaN is written as null
    score: Float64Array.from(rows, (r) => r.score),
  };
  test.each([
    ['arrow file', 'e.arrow'],
    ['arrow stream', 'e.arrows'],
    ['parquet', 'e.parquet'],
  ])('%s: float columns are read as numbers', async (kind, fileName) => {
    const { encodeArrow } = await import('../../../src/io/arrow/encodeArrow.js');
    const { encodeParquet } = await import('../../../src/io/parquet/encodeParquet.js');
    const bytes =
      kind === 'parquet' ? encodeParquet(columns) : encodeArrow(columns, kind === 'arrow file' ? 'file' : 'stream');
    const { matrix, report } = await readForgettingMatrixFromBytes(bytes, { fileName });
    expect(matrix.exampleMeta).toEqual(expected);
    expect(report.warnings).toBeUndefined();
  });

  test('parquet: the flat and the generic reader agree, for float64, float32 and int32 columns', async () => {
    const { encodeParquet } = await import('../../../src/io/parquet/encodeParquet.js');
    const { readParquetWith, parquetSourceFromBytes } = await import('../../../src/io/parquet/readParquet.js');
    const src = parquetSourceFromBytes(
      encodeParquet({
        ...columns,
        'embedding.2': Float32Array.from(rows, (r) => r.x0),
        'embedding.3': Int32Array.from(rows, (_, i) => (i % 3) - 1),
      }),
    );
    const flat = await readParquetWith(src, { file: 'e.parquet' }, 'flat');
    const generic = await readParquetWith(src, { file: 'e.parquet' }, 'generic');
    expect(generic.matrix.exampleMeta).toEqual(flat.matrix.exampleMeta);
    expect(flat.matrix.exampleMeta.map((m) => m['embedding.2'])).toEqual(e0.map(Math.fround));
    expect(flat.matrix.exampleMeta.map((m) => m['embedding.3'])).toEqual([-1, 0, 1]);
  });

  test('text that is not a number, two values for one example, or a value that is not finite: told, never invented', async () => {
    const csv = [
      'task,example,delta,embedding.0,embedding.1,embedding.2',
      't1,e1,1,abc,0.5,nan',
      't1,e2,2,1,0.25,2',
      't2,e1,3,2,0.75,nan',
      't2,e2,4,3,0.25,2',
    ].join('\n');
    const { matrix, report } = await readForgettingMatrixFromBytes(enc(csv), { fileName: 'bad.csv' });
    expect(matrix.exampleMeta).toEqual([{}, { 'embedding.2': 2 }]);
    expect(report.warnings).toEqual([
      'column "embedding.0" holds text that is not a number; an embedding column must be numeric: left out',
      'column "embedding.1" gives one example two different values; an embedding holds one value per example: left out',
      'column "embedding.2": 1 example has a value that is not finite, kept as missing',
    ]);
  });

  test('the embedding covariates of lowrank are the same from a long table as from metadata set by hand', async () => {
    const { exampleFeatures } = await import('../../../src/completion/effects/exampleFeatures.js');
    const { ForgettingMatrix } = await import('../../../src/matrix/ForgettingMatrix.js');
    const n = 12;
    const emb = Array.from({ length: n }, (_, j) => [Math.sin(j + 1), Math.cos(3 * j) * 2]);
    const lines = ['task,example,delta,embedding.0,embedding.1'];
    for (let t = 0; t < 3; t++)
      for (let j = 0; j < n; j++) lines.push(`t${t},e${j},${(t + 1) * (j % 5)},${emb[j]![0]},${emb[j]![1]}`);
    const { matrix } = await readForgettingMatrixFromBytes(enc(lines.join('\n')), { fileName: 'e.csv' });
    const byHand = new ForgettingMatrix({
      taskIds: matrix.taskIds,
      exampleIds: matrix.exampleIds,
      values: matrix.values,
      exampleMeta: emb.map(([a, b]) => ({ 'embedding.0': a!, 'embedding.1': b! })),
    });
    const fromTable = exampleFeatures(matrix)!;
    expect(fromTable.names).toEqual(['embedding.0', 'embedding.1']);
    expect(Array.from(fromTable.data)).toEqual(Array.from(exampleFeatures(byHand)!.data));
  });
});

/**
 * A text column whose values all look like numbers (a `source` of "2019" and "2020", ids of a shard
 * such as "007") is metadata when its type says text: a Parquet or Arrow string column, a JSON string,
 * a quoted CSV field. Only an untyped, unquoted CSV column of numbers is taken for a numeric column.
 */
describe('numeric-looking text metadata', () => {
  const rows = [
    ['t1', 'e1', 0.5, '2019', '007'],
    ['t1', 'e2', 0.25, '2020', '010'],
    ['t2', 'e1', -0.5, '2019', '007'],
    ['t2', 'e2', 1, '2020', '010'],
  ] as const;
  const expected = [
    { source: '2019', shard: '007' },
    { source: '2020', shard: '010' },
  ];
  const columns = {
    task: rows.map((r) => r[0]),
    example: rows.map((r) => r[1]),
    delta: Float64Array.from(rows, (r) => r[2]),
    source: rows.map((r) => r[3]),
    shard: rows.map((r) => r[4]),
  };

  test.each(['parquet', 'arrow'])('%s string columns stay text', async (kind) => {
    const { encodeArrow } = await import('../../../src/io/arrow/encodeArrow.js');
    const { encodeParquet } = await import('../../../src/io/parquet/encodeParquet.js');
    const bytes = kind === 'parquet' ? encodeParquet(columns) : encodeArrow(columns, 'file');
    const { matrix } = await readForgettingMatrixFromBytes(bytes, { fileName: `n.${kind}` });
    expect(matrix.exampleMeta).toEqual(expected);
  });

  test('parquet: the generic reader too', async () => {
    const { encodeParquet } = await import('../../../src/io/parquet/encodeParquet.js');
    const { readParquetWith, parquetSourceFromBytes } = await import('../../../src/io/parquet/readParquet.js');
    const generic = await readParquetWith(
      parquetSourceFromBytes(encodeParquet(columns)),
      { file: 'n.parquet' },
      'generic',
    );
    expect(generic.matrix.exampleMeta).toEqual(expected);
  });

  test('JSON strings stay text; JSON numbers are a numeric column', async () => {
    const lines = rows.map(([task, example, delta, source, shard]) =>
      JSON.stringify({ task, example, delta, source, shard, score: Number(shard) }),
    );
    const { matrix } = await readForgettingMatrixFromBytes(enc(lines.join('\n')), { fileName: 'n.jsonl' });
    expect(matrix.exampleMeta).toEqual(expected);
  });

  test('CSV: quoted fields stay text; an unquoted column of numbers is numeric, as before', async () => {
    const quoted = [
      'task,example,delta,source,shard',
      ...rows.map((r) => `${r[0]},${r[1]},${r[2]},"${r[3]}","${r[4]}"`),
    ];
    const { matrix } = await readForgettingMatrixFromBytes(enc(quoted.join('\n')), { fileName: 'q.csv' });
    expect(matrix.exampleMeta).toEqual(expected);
    // a field with a doubled quote is quoted too
    const escaped = ['task,example,delta,source', 't1,e1,1,"say ""hi"""', 't1,e2,2,"12"'];
    const r2 = await readForgettingMatrixFromBytes(enc(escaped.join('\n')), { fileName: 'q2.csv' });
    expect(r2.matrix.exampleMeta).toEqual([{ source: 'say "hi"' }, { source: '12' }]);
    const bare = ['task,example,delta,source,shard', ...rows.map((r) => r.join(','))];
    const r3 = await readForgettingMatrixFromBytes(enc(bare.join('\n')), { fileName: 'b.csv' });
    expect(r3.matrix.exampleMeta).toEqual([{}, {}]);
  });
});

/**
 * Columns the columnar readers cannot read as metadata are told, not dropped in silence; Parquet
 * booleans are metadata as Arrow's are ("true" / "false").
 */
describe('columns that are neither text nor a number', () => {
  test('parquet: a boolean column is metadata, as in Arrow', async () => {
    const { encodeParquet } = await import('../../../src/io/parquet/encodeParquet.js');
    const { encodeArrow } = await import('../../../src/io/arrow/encodeArrow.js');
    const columns = {
      task: ['t1', 't1', 't2', 't2'],
      example: ['e1', 'e2', 'e1', 'e2'],
      delta: Float64Array.from([1, 2, 3, 4]),
      clean: [true, false, true, false],
    };
    for (const [bytes, fileName] of [
      [encodeParquet(columns), 'b.parquet'],
      [encodeArrow(columns, 'file'), 'b.arrow'],
    ] as const) {
      const { matrix, report } = await readForgettingMatrixFromBytes(bytes, { fileName });
      expect(matrix.exampleMeta).toEqual([{ clean: 'true' }, { clean: 'false' }]);
      expect(report.warnings).toBeUndefined();
    }
  });

  test('arrow: a timestamp column is left out with a warning naming it and its type', async () => {
    const { tableToIPC, vectorFromArray, Table, TimestampMillisecond } = await import('apache-arrow');
    const table = new Table({
      task: vectorFromArray(['t1', 't1']),
      example: vectorFromArray(['e1', 'e2']),
      delta: vectorFromArray(Float64Array.from([1, 2])),
      at: vectorFromArray([new Date(0), new Date(1000)], new TimestampMillisecond()),
    });
    const { matrix, report } = await readForgettingMatrixFromBytes(tableToIPC(table, 'file'), { fileName: 't.arrow' });
    expect(matrix.exampleMeta).toEqual([{}, {}]);
    expect(report.warnings).toEqual([
      'column "at" (Arrow Timestamp<MILLISECOND>) is neither text nor a number: left out',
    ]);
  });
});

describe('parquet columns that are neither text nor a number (written by pyarrow)', () => {
  test('a timestamp, a list and a struct column are left out with a warning; the text beside them is kept', async () => {
    const { pythonHas, runPython, tempDir } = await import('../helpers.js');
    if (!pythonHas(['pyarrow'])) return;
    const { dir, cleanup } = tempDir();
    try {
      runPython(
        `
import sys, datetime, pyarrow as pa, pyarrow.parquet as pq
d = sys.argv[1]
base = {"task": ["t1", "t1"], "example": ["e1", "e2"], "delta": [1.0, 2.0], "source": ["web", "code"]}
pq.write_table(pa.table({**base, "at": pa.array([datetime.datetime(2026, 1, 1)] * 2, pa.timestamp("ms")), "tags": [[1], [2, 3]]}), d + "/flat.parquet")
pq.write_table(pa.table({**base, "info": [{"a": 1}, {"a": 2}]}), d + "/nested.parquet")
`,
        [dir],
      );
      const { readForgettingMatrix } = await import('../../../src/io/node/readForgettingMatrix.js');
      for (const [name, warnings] of [
        [
          'flat.parquet',
          [
            'column "at" (Parquet TIMESTAMP) is neither text nor a number: left out',
            'column "tags" (Parquet LIST) is neither text nor a number: left out',
          ],
        ],
        ['nested.parquet', ['column "info" (Parquet group) is neither text nor a number: left out']],
      ] as const) {
        const { matrix, report } = await readForgettingMatrix(`${dir}/${name}`);
        // the text column beside them is still metadata
        expect(matrix.exampleMeta).toEqual([{ source: 'web' }, { source: 'code' }]);
        expect(report.warnings).toEqual(warnings);
      }
    } finally {
      cleanup();
    }
  });
});
