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
