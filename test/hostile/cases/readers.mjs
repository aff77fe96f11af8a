/**
 * Hostile inputs for the readers, as data: each case writes `files` into a fresh folder, runs the CLI
 * with `args` ('{dir}' = that folder) and expects the exit status, a stderr that names the file (and
 * the line and column where there is one), and a run well inside `maxSeconds` / `maxRssMb`.
 * Plain JavaScript so that both jest and a Node bench runner can import it. Binary inputs are built
 * here with the project's own dependencies (apache-arrow, hyparquet-writer) and then corrupted.
 */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { completes, refused } from '../build.mjs';

const utf8 = (s) => new TextEncoder().encode(s);
const concat = (...parts) => new Uint8Array(Buffer.concat(parts)); // a fresh buffer: callers view it from offset 0

/** A .npy file: `header` is the dict text (padded as numpy pads it), `data` the raw bytes. */
function npyRaw(header, data = new Uint8Array(0), version = 1) {
  const pre = version === 1 ? 10 : 12;
  let h = header + ' ';
  while ((pre + h.length + 1) % 64 !== 0) h += ' ';
  h += '\n';
  const head = new Uint8Array(pre);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(head.buffer);
  if (version === 1) view.setUint16(8, h.length, true);
  else view.setUint32(8, h.length, true);
  return concat(head, utf8(h), data);
}
/** A C-order float64 .npy of shape (m, n). */
function npyF8(values, m, n) {
  return npyRaw(
    `{'descr': '<f8', 'fortran_order': False, 'shape': (${m}, ${n}), }`,
    new Uint8Array(Float64Array.from(values).buffer),
  );
}
const npy1d = (values) =>
  npyRaw(
    `{'descr': '<f8', 'fortran_order': False, 'shape': (${values.length},), }`,
    new Uint8Array(Float64Array.from(values).buffer),
  );

/** A small long table as Arrow IPC (stream or file). */
function arrow(columns, format = 'stream') {
  return tableToIPC(tableFromArrays(columns), format);
}
/** A long table as Parquet (hyparquet-writer). */
function parquet(columnData) {
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}
const goodParquet = () =>
  parquet([
    { name: 'task', data: ['t1', 't1', 't2', 't2'], type: 'STRING' },
    { name: 'example', data: ['e1', 'e2', 'e1', 'e2'], type: 'STRING' },
    { name: 'delta', data: Float64Array.of(0.5, 0.25, -0.5, 1), type: 'DOUBLE' },
  ]);

/** Zigzag varint of a non-negative integer (Thrift compact i64). */
function zigzagVarint(n) {
  let v = BigInt(n) << 1n;
  const out = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
/**
 * A Parquet file whose footer claims `claim` rows where it holds `rows` (a distinct count): every
 * i64 field of the footer equal to `rows` is rewritten, and the footer length fixed up.
 */
function parquetClaiming(claim, rows = 77) {
  const ids = Array.from({ length: rows }, (_, k) => `e${k}`);
  const bytes = parquet([
    { name: 'task', data: ids.map(() => 't'), type: 'STRING' },
    { name: 'example', data: ids, type: 'STRING' },
    { name: 'delta', data: Float64Array.from(ids, (_, k) => k / 7), type: 'DOUBLE' },
  ]);
  const n = bytes.length;
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(n - 8, true);
  const footer = bytes.subarray(n - 8 - footerLength, n - 8);
  const from = [0x16, ...zigzagVarint(rows)];
  const to = [0x16, ...zigzagVarint(claim)];
  const patched = [];
  for (let k = 0; k < footer.length; k++) {
    if (from.every((b, q) => footer[k + q] === b)) {
      patched.push(...to);
      k += from.length - 1;
    } else patched.push(footer[k]);
  }
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, patched.length, true);
  tail.set(utf8('PAR1'), 4);
  return concat(bytes.subarray(0, n - 8 - footerLength), Uint8Array.from(patched), tail);
}

/** An Arrow IPC stream whose int64 row counts equal to `rows` are rewritten as `claim`. */
function arrowClaiming(claim, format = 'stream', rows = 77) {
  const ids = Array.from({ length: rows }, (_, k) => `e${k}`);
  const bytes = arrow(
    { task: ids.map(() => 't'), example: ids, delta: Float64Array.from(ids, (_, k) => k / 7) },
    format,
  ).slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let k = 0; k + 8 <= bytes.length; k += 8) {
    if (view.getBigInt64(k, true) === BigInt(rows)) view.setBigInt64(k, BigInt(claim), true);
  }
  return bytes;
}

const H = 'task,example,delta\n';
const GOOD = H + 't1,e1,0.5\nt1,e2,0.25\nt2,e1,-0.5\nt2,e2,1\n';
const BAD_UTF8 = Uint8Array.of(0xff, 0xfe);
const deep = (n) => '['.repeat(n) + ']'.repeat(n);
const tasksJson = (ids) => JSON.stringify(ids.map((id) => ({ id })));
const examplesJsonl = (ids) => ids.map((id) => JSON.stringify({ id, source: 's' })).join('\n') + '\n';
const dataset = (extra = {}) => ({
  'ds/Z.npy': npyF8([0.5, 0.25, -0.5, 1], 2, 2),
  'ds/tasks.json': tasksJson(['t1', 't2']),
  'ds/examples.jsonl': examplesJsonl(['e1', 'e2']),
  ...extra,
});
const info = (name, ...rest) => ['info', `{dir}/${name}`, ...rest];
const predict = (input, observed, ...rest) => [
  'predict',
  `{dir}/${input}`,
  '--observed',
  `{dir}/${observed}`,
  '--out',
  `{dir}/out.csv`,
  '--method',
  'additive',
  '--backend',
  'cpu',
  ...rest,
];

/** Cases where `info` must refuse a lone `file`: each row is `[name, content, stderr, ...flags]`. */
const infoRefuses = (file, rows) =>
  rows.map(([name, content, stderr, ...flags]) => refused(name, { [file]: content }, info(file, ...flags), stderr));
/** Cases where `info` must refuse the folder `ds`: each row is `[name, files over dataset(), stderr, ...flags]`. */
const datasetRefuses = (rows) =>
  rows.map(([name, files, stderr, ...flags]) => refused(name, dataset(files), info('ds', ...flags), stderr));

export const cases = [
  // ---- CSV / TSV ----
  ...infoRefuses('a.csv', [
    ['csv: empty file', '', 'a\\.csv:1:1: the file is empty'],
    ['csv: header only', H, 'a\\.csv: no data rows'],
    [
      'csv: every value blank is no observed value, not zeros',
      H + 't1,e1,\nt1,e2,\nt2,e1,\n',
      'a\\.csv: no observed value: all 3 data lines lack a finite value \\(3 empty delta\\)',
    ],
    [
      'csv: every value NaN with --nan-as-missing',
      H + 't1,e1,nan\nt1,e2,NaN\n',
      'a\\.csv: no observed value: all 2 data lines.*2 nan delta',
      '--nan-as-missing',
    ],
    [
      'csv: blank and NaN mixed, nothing observed',
      H + 't1,e1,\nt1,e2,nan\n',
      'a\\.csv: no observed value',
      '--nan-as-missing',
    ],
    [
      'csv: nll columns all blank',
      'task,example,nll_before,nll_after\nt1,e1,,\nt1,e2,1,\n',
      'a\\.csv: no observed value',
    ],
  ]),
  completes('csv: some values blank is fine', { 'a.csv': H + 't1,e1,0.5\nt1,e2,\nt2,e1,\nt2,e2,1\n' }, info('a.csv')),
  completes('csv: valid table', { 'a.csv': GOOD }, info('a.csv')),
  completes('csv: UTF-8 BOM and CRLF', { 'a.csv': '\ufeff' + GOOD.replace(/\n/g, '\r\n') }, info('a.csv')),
  ...infoRefuses('a.csv', [
    ['csv: unclosed quote', H + 't1,"e1,0.5\n', 'a\\.csv:2:4: malformed quoting'],
    ['csv: quote inside an unquoted field', H + 't1,e"1,0.5\n', 'a\\.csv:2:5: malformed quoting'],
    ['csv: wrong column count', H + 't1,e1,0.5\nt1,e2\n', 'a\\.csv:3:4: wrong column count'],
    ['csv: missing value column', 'task,example,value\nt1,e1,1\n', 'a\\.csv:1:1: missing column'],
    ['csv: not a number', H + 't1,e1,0.5x\n', 'a\\.csv:2:7: column "delta": "0\\.5x" is not a number'],
    ['csv: infinity', H + 't1,e1,-inf\n', 'a\\.csv:2:7: .*-Infinity is not a finite number'],
    ['csv: NaN without --nan-as-missing', H + 't1,e1,nan\n', 'a\\.csv:2:7: .*NaN is not a finite number'],
    [
      'csv: nll_after − nll_before overflows',
      'task,example,nll_before,nll_after\nt1,e1,-1e308,1e308\n',
      'a\\.csv:2: .*Infinity is not a finite number',
    ],
    [
      'csv: float32 storage overflows',
      H + 't1,e1,1e300\n',
      'a\\.csv:2: .*not a finite float32 number',
      '--dtype',
      'float32',
    ],
    ['csv: empty task id', H + ',e1,0.5\n', 'a\\.csv:2:1: empty task id'],
    [
      'csv: duplicate pair',
      H + 't1,e1,0.5\nt1,e2,1\nt1,e1,0.7\n',
      'a\\.csv:4: duplicate \\(task, example\\) pair: line 4 repeats line 2',
    ],
    [
      'csv: invalid UTF-8 in an example id',
      concat(utf8(H + 't1,e'), BAD_UTF8, utf8(',0.5\n')),
      'a\\.csv:2:4: the example id is not valid UTF-8',
    ],
    [
      'csv: two ids differing only in invalid bytes do not merge',
      concat(utf8(H + 't1,x'), Uint8Array.of(0xff), utf8(',0.5\nt1,x'), Uint8Array.of(0xfe), utf8(',0.25\n')),
      'a\\.csv:2:4: the example id is not valid UTF-8',
    ],
    [
      'csv: invalid UTF-8 in a task id',
      concat(utf8(H), Uint8Array.of(0xc0, 0x80), utf8(',e1,0.5\n')),
      'a\\.csv:2:1: the task id is not valid UTF-8',
    ],
    [
      'csv: invalid UTF-8 in the header',
      concat(utf8('task,example,delta'), Uint8Array.of(0xed, 0xa0, 0x80), utf8('\nt1,e1,0.5\n')),
      'a\\.csv:1:14: the header.s field 3 is not valid UTF-8',
    ],
  ]),
  refused(
    'csv: a 40 MB line fails fast without echoing it',
    { 'a.csv': () => concat(utf8(H + 't1,e1,'), new Uint8Array(40 << 20).fill(0x37)) },
    info('a.csv'),
    'a\\.csv:2:1: line longer than 16777216 bytes',
    { maxSeconds: 4 },
  ),
  refused(
    'csv: a 40 MB quoted field',
    { 'a.csv': () => concat(utf8(H + 't1,"'), new Uint8Array(40 << 20).fill(0x61), utf8('",1\n')) },
    info('a.csv'),
    'a\\.csv:2:1: line longer than',
    { maxSeconds: 4 },
  ),
  ...infoRefuses('a.csv', [
    [
      'csv: a 1 MB number is quoted short',
      () => concat(utf8(H + 't1,e1,'), new Uint8Array(1 << 20).fill(0x31), utf8('x\n')),
      '^(?![\\s\\S]{2000})\\S*a\\.csv:2:7: column "delta": "1{200}"… \\(a field of 1048577 bytes\\) is not a number',
    ],
    [
      'csv: a header of 10 million fields',
      () => utf8(','.repeat(10_000_000) + '\n'),
      'a\\.csv:1:\\d+: more than 65536 fields in one record',
    ],
    [
      'csv: a data line of a million fields',
      () => utf8(H + 't1,e1' + ',1'.repeat(1_000_000) + '\n'),
      'a\\.csv:2:\\d+: more than 65536 fields',
    ],
  ]),
  ...infoRefuses('a.tsv', [
    ['tsv: wrong column count', 'task\texample\tdelta\nt1\te1\n', 'a\\.tsv:2:4: wrong column count'],
    ['tsv: every value blank', 'task\texample\tdelta\nt1\te1\t\n', 'a\\.tsv: no observed value'],
  ]),
  refused(
    'csv: binary garbage',
    { 'a.csv': () => Uint8Array.from({ length: 4096 }, (_, k) => (k * 7919) % 251) },
    info('a.csv'),
    'a\\.csv',
    { maxSeconds: 3 },
  ),

  // ---- JSON Lines ----
  ...infoRefuses('a.jsonl', [
    ['jsonl: empty', '\n\n', 'a\\.jsonl:1:1: the file is empty'],
    [
      'jsonl: every value null',
      '{"task":"t1","example":"e1","delta":null}\n{"task":"t1","example":"e2","delta":null}\n',
      'a\\.jsonl: no observed value: all 2 data lines lack a finite value \\(2 null delta\\)',
    ],
    [
      'jsonl: every value "nan" with --nan-as-missing',
      '{"task":"t1","example":"e1","delta":"nan"}\n',
      'a\\.jsonl: no observed value',
      '--nan-as-missing',
    ],
    [
      'jsonl: nested 5,000 deep in the value',
      `{"task":"t1","example":"e1","delta":${deep(5000)}}\n`,
      'a\\.jsonl:1:\\d+: JSON nested deeper than 256 levels',
    ],
    [
      'jsonl: nested 100,000 deep in another field',
      `{"task":"t1","example":"e1","delta":1}\n{"task":"t1","example":"e2","delta":1,"x":${deep(100000)}}\n`,
      'a\\.jsonl:2:\\d+: JSON nested deeper than 256 levels',
    ],
  ]),
  completes(
    'jsonl: 20-digit integer ids stay distinct',
    {
      'a.jsonl':
        '{"task":12345678901234567891,"example":"e1","delta":1}\n{"task":12345678901234567892,"example":"e1","delta":2}\n',
    },
    info('a.jsonl'),
  ),
  completes(
    'jsonl: integer ids 1 and 1.0 are different ids',
    { 'a.jsonl': '{"task":"t","example":1,"delta":1}\n{"task":"t","example":1.0,"delta":2}\n' },
    info('a.jsonl'),
  ),
  ...infoRefuses('a.jsonl', [
    [
      'jsonl: invalid UTF-8',
      concat(
        utf8('{"task":"t1","example":"e1","delta":1}\n{"task":"t'),
        BAD_UTF8,
        utf8('","example":"e1","delta":1}\n'),
      ),
      'a\\.jsonl:2:11: invalid UTF-8',
    ],
    ['jsonl: invalid JSON', '{"task":"t1",\n', 'a\\.jsonl:1:1: not valid JSON'],
  ]),
  refused(
    'jsonl: a 40 MB line',
    {
      'a.jsonl': () =>
        concat(utf8('{"task":"t1","example":"'), new Uint8Array(40 << 20).fill(0x61), utf8('","delta":1}\n')),
    },
    info('a.jsonl'),
    'a\\.jsonl:1:1: line longer than 16777216 bytes',
    { maxSeconds: 4 },
  ),
  ...infoRefuses('a.jsonl', [
    [
      'jsonl: value is a string',
      '{"task":"t1","example":"e1","delta":"0.5"}\n',
      'a\\.jsonl:1:delta: field "delta": "0\\.5" is not a number',
    ],
    ['jsonl: missing field', '{"task":"t1","delta":0.5}\n', 'a\\.jsonl:1:1: missing field "example"'],
    [
      'jsonl: id is an object',
      '{"task":{"a":1},"example":"e1","delta":0.5}\n',
      'a\\.jsonl:1:task: field "task" must be a string or number id',
    ],
  ]),
  completes(
    'jsonl: valid',
    { 'a.jsonl': '{"task":"t1","example":"e1","delta":0.5}\n{"task":"t1","example":"e2","delta":null}\n' },
    info('a.jsonl'),
  ),

  // ---- Arrow IPC ----
  completes(
    'arrow: valid stream',
    { 'a.arrows': arrow({ task: ['t1', 't1'], example: ['e1', 'e2'], delta: Float64Array.of(0.5, 0.25) }) },
    info('a.arrows'),
  ),
  completes(
    'arrow: valid file',
    {
      'a.arrow': arrow({ task: ['t1', 't1'], example: ['e1', 'e2'], delta: Float64Array.of(0.5, 0.25) }, 'file'),
    },
    info('a.arrow'),
  ),
  ...infoRefuses('a.arrows', [
    [
      'arrow: every value null',
      arrow({ task: ['t1', 't1'], example: ['e1', 'e2'], delta: [null, null] }),
      'a\\.arrows: no observed value: all 2 data rows lack a finite value \\(2 null delta\\)',
    ],
    [
      'arrow: every value NaN with --nan-as-missing',
      arrow({ task: ['t1', 't1'], example: ['e1', 'e2'], delta: Float64Array.of(NaN, NaN) }),
      'a\\.arrows: no observed value.*2 nan delta',
      '--nan-as-missing',
    ],
    [
      'arrow: a batch claiming 2^40 rows',
      arrowClaiming(2 ** 40),
      'a\\.arrows(:\\d+)?: .*(claims 1099511627776 rows|corrupt|truncated)',
    ],
  ]),
  refused(
    'arrow: a file batch claiming 2^40 rows',
    { 'a.arrow': arrowClaiming(2 ** 40, 'file') },
    info('a.arrow'),
    'a\\.arrow(:\\d+)?: .*(claims 1099511627776 rows|corrupt|truncated)',
  ),
  refused(
    'arrow: a batch claiming 1,000 rows more than its buffers hold',
    { 'a.arrows': arrowClaiming(1077) },
    info('a.arrows'),
    'a\\.arrows(:\\d+)?(:\\w+)?: .*(corrupt|truncated)',
  ),
  refused(
    'arrow: truncated file',
    {
      'a.arrow': () => {
        const b = arrow({ task: ['t1'], example: ['e1'], delta: Float64Array.of(1) }, 'file');
        return b.subarray(0, b.length - 40);
      },
    },
    info('a.arrow'),
    'a\\.arrow: truncated Arrow IPC file',
  ),
  refused(
    'arrow: truncated stream',
    {
      'a.arrows': () => {
        const b = arrow({ task: ['t1'], example: ['e1'], delta: Float64Array.of(1) });
        return b.subarray(0, b.length - 30);
      },
    },
    info('a.arrows'),
    'a\\.arrows: .*truncated',
  ),
  refused(
    'arrow: garbage between the magic strings',
    {
      'a.arrow': () =>
        concat(
          utf8('ARROW1\0\0'),
          Uint8Array.from({ length: 2000 }, (_, k) => (k * 31) % 256),
          utf8('ARROW1'),
        ),
    },
    info('a.arrow'),
    'a\\.arrow: ',
  ),
  ...infoRefuses('a.arrows', [
    [
      'arrow: string value column',
      arrow({ task: ['t1'], example: ['e1'], delta: ['0.5'] }),
      'a\\.arrows:1:delta: column "delta" has type',
    ],
    [
      'arrow: invalid UTF-8 id',
      () => {
        const b = arrow({ task: ['t1'], example: ['eX'], delta: Float64Array.of(1) }).slice();
        const k = b.findIndex((x, i) => x === 0x65 && b[i + 1] === 0x58);
        b[k + 1] = 0xff;
        return b;
      },
      'a\\.arrows:1:example: the example id is not valid UTF-8',
    ],
  ]),

  // ---- Parquet ----
  completes('parquet: valid', { 'a.parquet': goodParquet }, info('a.parquet')),
  refused(
    'parquet: a 1 KB file claiming 10^15 rows',
    { 'a.parquet': () => parquetClaiming(1e15) },
    info('a.parquet'),
    'a\\.parquet: not a valid Parquet file .*(claims|rows)',
    { maxRssMb: 300 },
  ),
  ...infoRefuses('a.parquet', [
    ['parquet: a footer claiming 2^31 rows', () => parquetClaiming(2 ** 31), 'a\\.parquet: not a valid Parquet file'],
    [
      'parquet: every value null',
      () =>
        parquet([
          { name: 'task', data: ['t1', 't1'], type: 'STRING' },
          { name: 'example', data: ['e1', 'e2'], type: 'STRING' },
          { name: 'delta', data: [null, null], type: 'DOUBLE', nullable: true },
        ]),
      'a\\.parquet: no observed value: all 2 data rows lack a finite value \\(2 null delta\\)',
    ],
    [
      'parquet: every value NaN with --nan-as-missing',
      () =>
        parquet([
          { name: 'task', data: ['t1'], type: 'STRING' },
          { name: 'example', data: ['e1'], type: 'STRING' },
          { name: 'delta', data: Float64Array.of(NaN), type: 'DOUBLE' },
        ]),
      'a\\.parquet: no observed value',
      '--nan-as-missing',
    ],
    ['parquet: truncated', () => goodParquet().subarray(0, 60), 'a\\.parquet: '],
    [
      'parquet: garbage between the magic strings',
      () =>
        concat(
          utf8('PAR1'),
          Uint8Array.from({ length: 1000 }, (_, k) => (k * 13) % 256),
          Uint8Array.of(200, 0, 0, 0),
          utf8('PAR1'),
        ),
      'a\\.parquet: ',
    ],
    [
      'parquet: a footer length beyond the file',
      () => {
        const b = goodParquet().slice();
        new DataView(b.buffer).setUint32(b.length - 8, 0x7fffffff, true);
        return b;
      },
      'a\\.parquet: ',
    ],
    [
      'parquet: invalid UTF-8 id',
      () => {
        const b = parquet([
          { name: 'task', data: ['t1'], type: 'STRING' },
          { name: 'example', data: ['eQ'], type: 'STRING' },
          { name: 'delta', data: Float64Array.of(1), type: 'DOUBLE' },
        ]).slice();
        for (let k = 0; k < b.length - 1; k++) if (b[k] === 0x65 && b[k + 1] === 0x51) b[k + 1] = 0xff;
        return b;
      },
      'a\\.parquet(:\\d+)?(:example)?: .*not valid UTF-8',
    ],
  ]),

  // ---- dense .npy ----
  completes(
    'npy: valid with sidecars',
    { 'a.npy': npyF8([1, 2, 3, 4], 2, 2), 'a.tasks.txt': 't1\nt2\n', 'a.examples.txt': 'e1\ne2\n' },
    info('a.npy'),
  ),
  ...infoRefuses('a.npy', [
    [
      'npy: a shape of 10^12 × 10^12 in a small file',
      npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 1000000000000), }", new Uint8Array(64)),
      'a\\.npy: truncated \\.npy',
    ],
    [
      'npy: a shape of 2^40 rows',
      npyRaw("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1), }", new Uint8Array(16)),
      'a\\.npy: truncated \\.npy',
    ],
    [
      'npy: a version-2 header length of 4 GB',
      () => {
        const b = npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", new Uint8Array(8), 2);
        new DataView(b.buffer).setUint32(8, 0xfffffff0, true);
        return b;
      },
      'a\\.npy: truncated \\.npy',
    ],
    [
      'npy: every entry NaN with --nan-as-missing',
      npyF8([NaN, NaN, NaN, NaN], 2, 2),
      'a\\.npy: no observed value: all 4 entries are NaN',
      '--nan-as-missing',
    ],
  ]),
  refused(
    'npy: a NaN entry names its row, column and ids',
    { 'a.npy': npyF8([1, 2, 3, NaN], 2, 2), 'a.tasks.txt': 't1\nt2\n', 'a.examples.txt': 'e1\ne2\n' },
    info('a.npy'),
    'a\\.npy:2:2: entry at row 2 \\(task "t2"\\), column 2 \\(example "e2"\\) is NaN',
  ),
  refused(
    'npy: an infinite entry',
    { 'a.npy': npyF8([1, Infinity, 3, 4], 2, 2) },
    info('a.npy'),
    'a\\.npy:1:2: entry at row 1 .* is Infinity, not a finite number',
  ),
  completes(
    'npy: repeated descr key, the last wins (as numpy)',
    {
      'a.npy': npyRaw(
        "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), 'descr': '<f8', }",
        new Uint8Array(Float64Array.of(1, 2).buffer),
      ),
    },
    info('a.npy'),
  ),
  ...infoRefuses('a.npy', [
    [
      'npy: repeated descr key, the last is an integer dtype',
      npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), 'descr': '<i4', }", new Uint8Array(8)),
      'a\\.npy: expected a float32 or float64 array, found dtype "<i4"',
    ],
    ['npy: bad magic', utf8('NUMPY not really'), 'a\\.npy:1:1: not a \\.npy file'],
    [
      'npy: bytes after the data',
      concat(npyF8([1, 2], 1, 2), Uint8Array.of(1, 2, 3)),
      'a\\.npy: \\.npy has 3 bytes after the array data',
    ],
    [
      'npy: a malformed shape',
      npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 2), }", new Uint8Array(16)),
      'a\\.npy: malformed \\.npy shape',
    ],
  ]),
  refused(
    'npy: a task sidecar with a repeated id',
    { 'a.npy': npyF8([1, 2, 3, 4], 2, 2), 'a.tasks.txt': 't1\nt1\n' },
    info('a.npy'),
    'a\\.tasks\\.txt:2:1: id "t1" repeats line 1',
  ),
  refused(
    'npy: a task sidecar with too few ids',
    { 'a.npy': npyF8([1, 2, 3, 4], 2, 2), 'a.tasks.txt': 't1\n' },
    info('a.npy'),
    'a\\.tasks\\.txt: 1 task ids for the 2 rows of .*a\\.npy',
  ),
  refused(
    'npy: an example sidecar with invalid UTF-8',
    { 'a.npy': npyF8([1, 2, 3, 4], 2, 2), 'a.examples.txt': concat(utf8('e1\ne'), BAD_UTF8, utf8('\n')) },
    info('a.npy'),
    'a\\.examples\\.txt:2:2: invalid UTF-8',
  ),
  refused(
    'npy: --format npy on a folder',
    dataset(),
    ['info', '{dir}/ds', '--format', 'npy'],
    'ds: format "npy" needs a file, but this is a folder',
  ),
  refused(
    'npy: a device is refused, not read forever',
    {},
    ['info', '/dev/zero', '--format', 'npy'],
    '/dev/zero: expected an input file, found a device',
  ),
  refused(
    'csv: a device is refused',
    {},
    ['info', '/dev/zero', '--format', 'csv'],
    '/dev/zero: expected an input file, found a device',
  ),

  // ---- dataset folders ----
  completes('folder: valid', dataset(), info('ds')),
  ...datasetRefuses([
    [
      'folder: a repeated task id names tasks.json',
      { 'ds/tasks.json': '[\n{"id": "t1"},\n{"id": "t1"}\n]\n' },
      'tasks\\.json:3: task id "t1" repeats task 1 \\(line 2\\)',
    ],
    [
      'folder: a repeated example id names examples.jsonl',
      { 'ds/examples.jsonl': '{"id":"e1"}\n{"id":"e1"}\n' },
      'examples\\.jsonl:2: example id "e1" repeats example 1 \\(line 1\\)',
    ],
  ]),
  completes(
    'folder: 20-digit example ids stay distinct',
    dataset({ 'ds/examples.jsonl': '{"id":12345678901234567891}\n{"id":12345678901234567892}\n' }),
    info('ds'),
  ),
  completes(
    'folder: 20-digit task ids stay distinct',
    dataset({ 'ds/tasks.json': '[{"id": 12345678901234567891}, {"id": 12345678901234567892}]' }),
    info('ds'),
  ),
  ...datasetRefuses([
    [
      'folder: base_nll.npy all NaN',
      { 'ds/base_nll.npy': npy1d([NaN, NaN]) },
      'base_nll\\.npy: no observed value: all 2 values are NaN',
    ],
    [
      'folder: base_nll.npy infinite',
      { 'ds/base_nll.npy': npy1d([1, -Infinity]) },
      'base_nll\\.npy: value 2 \\(example "e2"\\) is -Infinity',
    ],
    [
      'folder: Z.npy all NaN with --nan-as-missing',
      { 'ds/Z.npy': npyF8([NaN, NaN, NaN, NaN], 2, 2) },
      'Z\\.npy: no observed value',
      '--nan-as-missing',
    ],
    [
      'folder: tasks.json nested 5,000 deep',
      { 'ds/tasks.json': `[{"id": "t1", "meta": ${deep(5000)}}, {"id": "t2"}]` },
      'tasks\\.json:1:\\d+: JSON nested deeper than 256 levels',
    ],
    [
      'folder: examples.jsonl nested 5,000 deep',
      { 'ds/examples.jsonl': `{"id":"e1"}\n{"id":"e2","x":${deep(5000)}}\n` },
      'examples\\.jsonl:2:\\d+: JSON nested deeper than 256 levels',
    ],
    [
      'folder: invalid UTF-8 in examples.jsonl',
      { 'ds/examples.jsonl': concat(utf8('{"id":"e1"}\n{"id":"e'), BAD_UTF8, utf8('"}\n')) },
      'examples\\.jsonl:2:9: invalid UTF-8',
    ],
  ]),
  refused(
    'folder: Z.npy missing',
    { 'ds/tasks.json': '[{"id":"t1"}]', 'ds/examples.jsonl': '{"id":"e1"}\n' },
    info('ds'),
    'ds: not a dataset folder: Z\\.npy is missing',
  ),
  refused(
    'folder: Z.npy is a folder',
    {
      'ds/Z.npy/x': 'x',
      'ds/tasks.json': tasksJson(['t1', 't2']),
      'ds/examples.jsonl': examplesJsonl(['e1', 'e2']),
    },
    info('ds'),
    'Z\\.npy: expected an input file, found a folder',
  ),
  refused(
    'folder: example count differs from Z',
    dataset({ 'ds/examples.jsonl': '{"id":"e1"}\n' }),
    info('ds'),
    'examples\\.jsonl: .*Z\\.npy has 2 columns but .*examples\\.jsonl lists 1 examples',
  ),
  refused(
    'folder: a side matrix with NaN',
    dataset({ 'ds/side/g.npy': npyF8([1, NaN, 3, 4], 2, 2), 'obs.csv': 'example,value\ne1,0.5\n' }),
    ['predict', '{dir}/ds', '--observed', '{dir}/obs.csv', '--side', 'g', '--out', '{dir}/out.csv', '--backend', 'cpu'],
    'g\\.npy: side matrix "g" has a non-finite value',
  ),
  refused(
    'folder: a side matrix of the wrong shape',
    dataset({ 'ds/side/g.npy': npyF8([1, 2, 3], 1, 3), 'obs.csv': 'example,value\ne1,0.5\n' }),
    ['predict', '{dir}/ds', '--observed', '{dir}/obs.csv', '--side', 'g', '--out', '{dir}/out.csv', '--backend', 'cpu'],
    'g\\.npy: side matrix "g" has shape \\[1, 3\\]',
  ),
  refused(
    'csv: a side column all blank',
    {
      'z.csv': 'task,example,delta,g\nt1,e1,0.5,\nt1,e2,0.25,\nt2,e1,1,\nt2,e2,2,\n',
      'obs.csv': 'example,value\ne1,0.5\n',
    },
    predict('z.csv', 'obs.csv', '--side', 'g'),
    'z\\.csv:2:11: side column "g" has no value for task "t1", example "e1"',
  ),
  refused(
    'jsonl: a side field missing on a kept row',
    {
      'z.jsonl':
        '{"task":"t1","example":"e1","delta":0.5,"g":1}\n{"task":"t1","example":"e2","delta":0.25}\n' +
        '{"task":"t2","example":"e1","delta":1,"g":3}\n{"task":"t2","example":"e2","delta":2,"g":4}\n',
      'obs.csv': 'example,value\ne1,0.5\n',
    },
    predict('z.jsonl', 'obs.csv', '--side', 'g'),
    'z\\.jsonl:2:g: side column "g" has no value for task "t1", example "e2"',
  ),

  // ---- measured entries (--observed) ----
  refused(
    'observed: every value blank is no measured entry',
    { 'z.csv': GOOD, 'obs.csv': 'example,value\ne1,\ne2,\n' },
    predict('z.csv', 'obs.csv'),
    'obs\\.csv: no observed value: all 2 data lines lack a finite value',
  ),
  refused(
    'observed: every value null in JSON Lines',
    { 'z.csv': GOOD, 'obs.jsonl': '{"example":"e1","value":null}\n' },
    predict('z.csv', 'obs.jsonl'),
    'obs\\.jsonl: no observed value',
  ),
  refused(
    'observed: every value null in Parquet',
    {
      'z.csv': GOOD,
      'obs.parquet': () =>
        parquet([
          { name: 'example', data: ['e1'], type: 'STRING' },
          { name: 'value', data: [null], type: 'DOUBLE', nullable: true },
        ]),
    },
    predict('z.csv', 'obs.parquet'),
    'obs\\.parquet: no observed value',
  ),
  refused(
    'observed: invalid UTF-8 example id',
    { 'z.csv': GOOD, 'obs.csv': concat(utf8('example,value\ne'), BAD_UTF8, utf8(',0.5\n')) },
    predict('z.csv', 'obs.csv'),
    'obs\\.csv:2:1: the example id is not valid UTF-8',
  ),
  refused(
    'observed: a device',
    { 'z.csv': GOOD },
    [
      'predict',
      '{dir}/z.csv',
      '--observed',
      '/dev/zero',
      '--format',
      'csv',
      '--out',
      '{dir}/out.csv',
      '--backend',
      'cpu',
    ],
    '/dev/zero: expected an input file, found a device',
  ),
  completes(
    'observed: valid',
    { 'z.csv': GOOD, 'obs.csv': 'example,value\ne1,0.5\ne2,\n' },
    predict('z.csv', 'obs.csv'),
  ),

  // ---- safetensors ----
  refused(
    'safetensors: header length beyond the file',
    {
      'a.safetensors': () => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 1000n, true);
        return b;
      },
      'b.safetensors': () => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 1000n, true);
        return b;
      },
    },
    ['subspace', '--before', '{dir}/a.safetensors', '--after', '{dir}/b.safetensors'],
    'a\\.safetensors: .*header length 1000',
  ),
  refused(
    'safetensors: offsets beyond the data',
    {
      'a.safetensors': () => {
        const h = utf8('{"w":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,4000000000000]}}');
        const b = new Uint8Array(8 + h.length);
        new DataView(b.buffer).setBigUint64(0, BigInt(h.length), true);
        b.set(h, 8);
        return b;
      },
      'b.safetensors': utf8('x'),
    },
    ['subspace', '--before', '{dir}/a.safetensors', '--after', '{dir}/b.safetensors'],
    'a\\.safetensors: .*past the end',
  ),
  refused(
    'safetensors: a device',
    { 'b.safetensors': utf8('x') },
    ['subspace', '--before', '/dev/zero', '--after', '{dir}/b.safetensors'],
    '/dev/zero: expected a safetensors file',
  ),
];
