/** The Parquet reader: NaN and null counted apart, on the flat and the generic decoding path alike. */
test('Parquet counts NaN (with nanAsMissing) apart from null, on both decoding paths', async () => {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const { readParquetWith, parquetSourceFromBytes } = await import('../../../src/io/parquet/readParquet.js');
  const bytes = new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'task', data: ['t1', 't1', 't1'], type: 'STRING' },
        { name: 'example', data: ['e1', 'e2', 'e3'], type: 'STRING' },
        { name: 'delta', data: [0.5, NaN, null], type: 'DOUBLE', nullable: true },
      ],
    }),
  );
  for (const path of ['flat', 'generic'] as const) {
    const { report, matrix } = await readParquetWith(
      parquetSourceFromBytes(bytes),
      { file: 'n.parquet', nanAsMissing: true },
      path,
    );
    expect(report).toEqual({ rows: 3, kept: 1, dropped: { 'nan delta': 1, 'null delta': 1 } });
    expect(matrix.observedCount).toBe(1);
  }
});
