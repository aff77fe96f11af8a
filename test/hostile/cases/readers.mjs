/**
 * Hostile inputs for the readers, as data: each case writes `files` into a fresh folder, runs the CLI
 * with `args` ('{dir}' = that folder) and expects the exit status, a stderr that names the file (and
 * the line and column where there is one), and a run well inside `maxSeconds` / `maxRssMb`.
 * Plain JavaScript so that both jest and a Node bench runner can import it. Binary inputs are built
 * here with the project's own dependencies (apache-arrow, hyparquet-writer) and then corrupted.
 */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';

const utf8 = (s) => new TextEncoder().encode(s);
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

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

export const cases = [
  // ---- CSV / TSV ----
  {
    name: 'csv: empty file',
    files: { 'a.csv': '' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:1:1: the file is empty',
  },
  { name: 'csv: header only', files: { 'a.csv': H }, args: info('a.csv'), exit: 2, stderr: 'a\\.csv: no data rows' },
  {
    name: 'csv: every value blank is no observed value, not zeros',
    files: { 'a.csv': H + 't1,e1,\nt1,e2,\nt2,e1,\n' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv: no observed value: all 3 data lines lack a finite value \\(3 empty delta\\)',
  },
  {
    name: 'csv: every value NaN with --nan-as-missing',
    files: { 'a.csv': H + 't1,e1,nan\nt1,e2,NaN\n' },
    args: info('a.csv', '--nan-as-missing'),
    exit: 2,
    stderr: 'a\\.csv: no observed value: all 2 data lines.*2 nan delta',
  },
  {
    name: 'csv: blank and NaN mixed, nothing observed',
    files: { 'a.csv': H + 't1,e1,\nt1,e2,nan\n' },
    args: info('a.csv', '--nan-as-missing'),
    exit: 2,
    stderr: 'a\\.csv: no observed value',
  },
  {
    name: 'csv: nll columns all blank',
    files: { 'a.csv': 'task,example,nll_before,nll_after\nt1,e1,,\nt1,e2,1,\n' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv: no observed value',
  },
  {
    name: 'csv: some values blank is fine',
    files: { 'a.csv': H + 't1,e1,0.5\nt1,e2,\nt2,e1,\nt2,e2,1\n' },
    args: info('a.csv'),
    exit: 0,
  },
  { name: 'csv: valid table', files: { 'a.csv': GOOD }, args: info('a.csv'), exit: 0 },
  {
    name: 'csv: UTF-8 BOM and CRLF',
    files: { 'a.csv': '\ufeff' + GOOD.replace(/\n/g, '\r\n') },
    args: info('a.csv'),
    exit: 0,
  },
  {
    name: 'csv: unclosed quote',
    files: { 'a.csv': H + 't1,"e1,0.5\n' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2:4: malformed quoting',
  },
  {
    name: 'csv: quote inside an unquoted field',
    files: { 'a.csv': H + 't1,e"1,0.5\n' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2:5: malformed quoting',
  },
  {
    name: 'csv: wrong column count',
    files: { 'a.csv': H + 't1,e1,0.5\nt1,e2\n' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:3:4: wrong column count',
  },
  {
    name: 'csv: missing value column',
    files: { 'a.csv': 'task,example,value\nt1,e1,1\n' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:1:1: missing column',
  },
  {
    name: 'csv: not a number',
    files: { 'a.csv': H + 't1,e1,0.5x\n' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2:7: column "delta": "0\\.5x" is not a number',
  },
  {
    name: 'csv: infinity',
    files: { 'a.csv': H + 't1,e1,-inf\n' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2:7: .*-Infinity is not a finite number',
  },
  {
    name: 'csv: NaN without --nan-as-missing',
    files: { 'a.csv': H + 't1,e1,nan\n' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2:7: .*NaN is not a finite number',
  },
  {
    name: 'csv: nll_after − nll_before overflows',
    files: { 'a.csv': 'task,example,nll_before,nll_after\nt1,e1,-1e308,1e308\n' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2: .*Infinity is not a finite number',
  },
  {
    name: 'csv: float32 storage overflows',
    files: { 'a.csv': H + 't1,e1,1e300\n' },
    args: info('a.csv', '--dtype', 'float32'),
    exit: 2,
    stderr: 'a\\.csv:2: .*not a finite float32 number',
  },
  {
    name: 'csv: empty task id',
    files: { 'a.csv': H + ',e1,0.5\n' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2:1: empty task id',
  },
  {
    name: 'csv: duplicate pair',
    files: { 'a.csv': H + 't1,e1,0.5\nt1,e2,1\nt1,e1,0.7\n' },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:4: duplicate \\(task, example\\) pair: line 4 repeats line 2',
  },
  {
    name: 'csv: invalid UTF-8 in an example id',
    files: { 'a.csv': concat(utf8(H + 't1,e'), BAD_UTF8, utf8(',0.5\n')) },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2:4: the example id is not valid UTF-8',
  },
  {
    name: 'csv: two ids differing only in invalid bytes do not merge',
    files: {
      'a.csv': concat(utf8(H + 't1,x'), Uint8Array.of(0xff), utf8(',0.5\nt1,x'), Uint8Array.of(0xfe), utf8(',0.25\n')),
    },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2:4: the example id is not valid UTF-8',
  },
  {
    name: 'csv: invalid UTF-8 in a task id',
    files: { 'a.csv': concat(utf8(H), Uint8Array.of(0xc0, 0x80), utf8(',e1,0.5\n')) },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2:1: the task id is not valid UTF-8',
  },
  {
    name: 'csv: invalid UTF-8 in the header',
    files: { 'a.csv': concat(utf8('task,example,delta'), Uint8Array.of(0xed, 0xa0, 0x80), utf8('\nt1,e1,0.5\n')) },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:1:14: the header.s field 3 is not valid UTF-8',
  },
  {
    name: 'csv: a 40 MB line fails fast without echoing it',
    files: { 'a.csv': () => concat(utf8(H + 't1,e1,'), new Uint8Array(40 << 20).fill(0x37)) },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2:1: line longer than 16777216 bytes',
    maxSeconds: 4,
  },
  {
    name: 'csv: a 40 MB quoted field',
    files: { 'a.csv': () => concat(utf8(H + 't1,"'), new Uint8Array(40 << 20).fill(0x61), utf8('",1\n')) },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2:1: line longer than',
    maxSeconds: 4,
  },
  {
    name: 'csv: a 1 MB number is quoted short',
    files: { 'a.csv': () => concat(utf8(H + 't1,e1,'), new Uint8Array(1 << 20).fill(0x31), utf8('x\n')) },
    args: info('a.csv'),
    exit: 2,
    stderr:
      '^(?![\\s\\S]{2000})\\S*a\\.csv:2:7: column "delta": "1{200}"… \\(a field of 1048577 bytes\\) is not a number',
  },
  {
    name: 'csv: a header of 10 million fields',
    files: { 'a.csv': () => utf8(','.repeat(10_000_000) + '\n') },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:1:\\d+: more than 65536 fields in one record',
  },
  {
    name: 'csv: a data line of a million fields',
    files: { 'a.csv': () => utf8(H + 't1,e1' + ',1'.repeat(1_000_000) + '\n') },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv:2:\\d+: more than 65536 fields',
  },
  {
    name: 'tsv: wrong column count',
    files: { 'a.tsv': 'task\texample\tdelta\nt1\te1\n' },
    args: info('a.tsv'),
    exit: 2,
    stderr: 'a\\.tsv:2:4: wrong column count',
  },
  {
    name: 'tsv: every value blank',
    files: { 'a.tsv': 'task\texample\tdelta\nt1\te1\t\n' },
    args: info('a.tsv'),
    exit: 2,
    stderr: 'a\\.tsv: no observed value',
  },
  {
    name: 'csv: binary garbage',
    maxSeconds: 3,
    files: { 'a.csv': () => Uint8Array.from({ length: 4096 }, (_, k) => (k * 7919) % 251) },
    args: info('a.csv'),
    exit: 2,
    stderr: 'a\\.csv',
  },

  // ---- JSON Lines ----
  {
    name: 'jsonl: empty',
    files: { 'a.jsonl': '\n\n' },
    args: info('a.jsonl'),
    exit: 2,
    stderr: 'a\\.jsonl:1:1: the file is empty',
  },
  {
    name: 'jsonl: every value null',
    files: { 'a.jsonl': '{"task":"t1","example":"e1","delta":null}\n{"task":"t1","example":"e2","delta":null}\n' },
    args: info('a.jsonl'),
    exit: 2,
    stderr: 'a\\.jsonl: no observed value: all 2 data lines lack a finite value \\(2 null delta\\)',
  },
  {
    name: 'jsonl: every value "nan" with --nan-as-missing',
    files: { 'a.jsonl': '{"task":"t1","example":"e1","delta":"nan"}\n' },
    args: info('a.jsonl', '--nan-as-missing'),
    exit: 2,
    stderr: 'a\\.jsonl: no observed value',
  },
  {
    name: 'jsonl: nested 5,000 deep in the value',
    files: { 'a.jsonl': `{"task":"t1","example":"e1","delta":${deep(5000)}}\n` },
    args: info('a.jsonl'),
    exit: 2,
    stderr: 'a\\.jsonl:1:\\d+: JSON nested deeper than 256 levels',
  },
  {
    name: 'jsonl: nested 100,000 deep in another field',
    files: {
      'a.jsonl': `{"task":"t1","example":"e1","delta":1}\n{"task":"t1","example":"e2","delta":1,"x":${deep(100000)}}\n`,
    },
    args: info('a.jsonl'),
    exit: 2,
    stderr: 'a\\.jsonl:2:\\d+: JSON nested deeper than 256 levels',
  },
  {
    name: 'jsonl: 20-digit integer ids stay distinct',
    files: {
      'a.jsonl':
        '{"task":12345678901234567891,"example":"e1","delta":1}\n{"task":12345678901234567892,"example":"e1","delta":2}\n',
    },
    args: info('a.jsonl'),
    exit: 0,
  },
  {
    name: 'jsonl: integer ids 1 and 1.0 are different ids',
    files: { 'a.jsonl': '{"task":"t","example":1,"delta":1}\n{"task":"t","example":1.0,"delta":2}\n' },
    args: info('a.jsonl'),
    exit: 0,
  },
  {
    name: 'jsonl: invalid UTF-8',
    files: {
      'a.jsonl': concat(
        utf8('{"task":"t1","example":"e1","delta":1}\n{"task":"t'),
        BAD_UTF8,
        utf8('","example":"e1","delta":1}\n'),
      ),
    },
    args: info('a.jsonl'),
    exit: 2,
    stderr: 'a\\.jsonl:2:11: invalid UTF-8',
  },
  {
    name: 'jsonl: invalid JSON',
    files: { 'a.jsonl': '{"task":"t1",\n' },
    args: info('a.jsonl'),
    exit: 2,
    stderr: 'a\\.jsonl:1:1: not valid JSON',
  },
  {
    name: 'jsonl: a 40 MB line',
    files: {
      'a.jsonl': () =>
        concat(utf8('{"task":"t1","example":"'), new Uint8Array(40 << 20).fill(0x61), utf8('","delta":1}\n')),
    },
    args: info('a.jsonl'),
    exit: 2,
    stderr: 'a\\.jsonl:1:1: line longer than 16777216 bytes',
    maxSeconds: 4,
  },
  {
    name: 'jsonl: value is a string',
    files: { 'a.jsonl': '{"task":"t1","example":"e1","delta":"0.5"}\n' },
    args: info('a.jsonl'),
    exit: 2,
    stderr: 'a\\.jsonl:1:delta: field "delta": "0\\.5" is not a number',
  },
  {
    name: 'jsonl: missing field',
    files: { 'a.jsonl': '{"task":"t1","delta":0.5}\n' },
    args: info('a.jsonl'),
    exit: 2,
    stderr: 'a\\.jsonl:1:1: missing field "example"',
  },
  {
    name: 'jsonl: id is an object',
    files: { 'a.jsonl': '{"task":{"a":1},"example":"e1","delta":0.5}\n' },
    args: info('a.jsonl'),
    exit: 2,
    stderr: 'a\\.jsonl:1:task: field "task" must be a string or number id',
  },
  {
    name: 'jsonl: valid',
    files: { 'a.jsonl': '{"task":"t1","example":"e1","delta":0.5}\n{"task":"t1","example":"e2","delta":null}\n' },
    args: info('a.jsonl'),
    exit: 0,
  },

  // ---- Arrow IPC ----
  {
    name: 'arrow: valid stream',
    files: { 'a.arrows': arrow({ task: ['t1', 't1'], example: ['e1', 'e2'], delta: Float64Array.of(0.5, 0.25) }) },
    args: info('a.arrows'),
    exit: 0,
  },
  {
    name: 'arrow: valid file',
    files: {
      'a.arrow': arrow({ task: ['t1', 't1'], example: ['e1', 'e2'], delta: Float64Array.of(0.5, 0.25) }, 'file'),
    },
    args: info('a.arrow'),
    exit: 0,
  },
  {
    name: 'arrow: every value null',
    files: { 'a.arrows': arrow({ task: ['t1', 't1'], example: ['e1', 'e2'], delta: [null, null] }) },
    args: info('a.arrows'),
    exit: 2,
    stderr: 'a\\.arrows: no observed value: all 2 data rows lack a finite value \\(2 null delta\\)',
  },
  {
    name: 'arrow: every value NaN with --nan-as-missing',
    files: { 'a.arrows': arrow({ task: ['t1', 't1'], example: ['e1', 'e2'], delta: Float64Array.of(NaN, NaN) }) },
    args: info('a.arrows', '--nan-as-missing'),
    exit: 2,
    stderr: 'a\\.arrows: no observed value.*2 nan delta',
  },
  {
    name: 'arrow: a batch claiming 2^40 rows',
    files: { 'a.arrows': arrowClaiming(2 ** 40) },
    args: info('a.arrows'),
    exit: 2,
    stderr: 'a\\.arrows(:\\d+)?: .*(claims 1099511627776 rows|corrupt|truncated)',
  },
  {
    name: 'arrow: a file batch claiming 2^40 rows',
    files: { 'a.arrow': arrowClaiming(2 ** 40, 'file') },
    args: info('a.arrow'),
    exit: 2,
    stderr: 'a\\.arrow(:\\d+)?: .*(claims 1099511627776 rows|corrupt|truncated)',
  },
  {
    name: 'arrow: a batch claiming 1,000 rows more than its buffers hold',
    files: { 'a.arrows': arrowClaiming(1077) },
    args: info('a.arrows'),
    exit: 2,
    stderr: 'a\\.arrows(:\\d+)?(:\\w+)?: .*(corrupt|truncated)',
  },
  {
    name: 'arrow: truncated file',
    files: {
      'a.arrow': () => {
        const b = arrow({ task: ['t1'], example: ['e1'], delta: Float64Array.of(1) }, 'file');
        return b.subarray(0, b.length - 40);
      },
    },
    args: info('a.arrow'),
    exit: 2,
    stderr: 'a\\.arrow: truncated Arrow IPC file',
  },
  {
    name: 'arrow: truncated stream',
    files: {
      'a.arrows': () => {
        const b = arrow({ task: ['t1'], example: ['e1'], delta: Float64Array.of(1) });
        return b.subarray(0, b.length - 30);
      },
    },
    args: info('a.arrows'),
    exit: 2,
    stderr: 'a\\.arrows: .*truncated',
  },
  {
    name: 'arrow: garbage between the magic strings',
    files: {
      'a.arrow': () =>
        concat(
          utf8('ARROW1\0\0'),
          Uint8Array.from({ length: 2000 }, (_, k) => (k * 31) % 256),
          utf8('ARROW1'),
        ),
    },
    args: info('a.arrow'),
    exit: 2,
    stderr: 'a\\.arrow: ',
  },
  {
    name: 'arrow: string value column',
    files: { 'a.arrows': arrow({ task: ['t1'], example: ['e1'], delta: ['0.5'] }) },
    args: info('a.arrows'),
    exit: 2,
    stderr: 'a\\.arrows:1:delta: column "delta" has type',
  },
  {
    name: 'arrow: invalid UTF-8 id',
    files: {
      'a.arrows': () => {
        const b = arrow({ task: ['t1'], example: ['eX'], delta: Float64Array.of(1) }).slice();
        const k = b.findIndex((x, i) => x === 0x65 && b[i + 1] === 0x58);
        b[k + 1] = 0xff;
        return b;
      },
    },
    args: info('a.arrows'),
    exit: 2,
    stderr: 'a\\.arrows:1:example: the example id is not valid UTF-8',
  },

  // ---- Parquet ----
  { name: 'parquet: valid', files: { 'a.parquet': goodParquet }, args: info('a.parquet'), exit: 0 },
  {
    name: 'parquet: a 1 KB file claiming 10^15 rows',
    files: { 'a.parquet': () => parquetClaiming(1e15) },
    args: info('a.parquet'),
    exit: 2,
    stderr: 'a\\.parquet: not a valid Parquet file .*(claims|rows)',
    maxRssMb: 300,
  },
  {
    name: 'parquet: a footer claiming 2^31 rows',
    files: { 'a.parquet': () => parquetClaiming(2 ** 31) },
    args: info('a.parquet'),
    exit: 2,
    stderr: 'a\\.parquet: not a valid Parquet file',
  },
  {
    name: 'parquet: every value null',
    files: {
      'a.parquet': () =>
        parquet([
          { name: 'task', data: ['t1', 't1'], type: 'STRING' },
          { name: 'example', data: ['e1', 'e2'], type: 'STRING' },
          { name: 'delta', data: [null, null], type: 'DOUBLE', nullable: true },
        ]),
    },
    args: info('a.parquet'),
    exit: 2,
    stderr: 'a\\.parquet: no observed value: all 2 data rows lack a finite value \\(2 null delta\\)',
  },
  {
    name: 'parquet: every value NaN with --nan-as-missing',
    files: {
      'a.parquet': () =>
        parquet([
          { name: 'task', data: ['t1'], type: 'STRING' },
          { name: 'example', data: ['e1'], type: 'STRING' },
          { name: 'delta', data: Float64Array.of(NaN), type: 'DOUBLE' },
        ]),
    },
    args: info('a.parquet', '--nan-as-missing'),
    exit: 2,
    stderr: 'a\\.parquet: no observed value',
  },
  {
    name: 'parquet: truncated',
    files: { 'a.parquet': () => goodParquet().subarray(0, 60) },
    args: info('a.parquet'),
    exit: 2,
    stderr: 'a\\.parquet: ',
  },
  {
    name: 'parquet: garbage between the magic strings',
    files: {
      'a.parquet': () =>
        concat(
          utf8('PAR1'),
          Uint8Array.from({ length: 1000 }, (_, k) => (k * 13) % 256),
          Uint8Array.of(200, 0, 0, 0),
          utf8('PAR1'),
        ),
    },
    args: info('a.parquet'),
    exit: 2,
    stderr: 'a\\.parquet: ',
  },
  {
    name: 'parquet: a footer length beyond the file',
    files: {
      'a.parquet': () => {
        const b = goodParquet().slice();
        new DataView(b.buffer).setUint32(b.length - 8, 0x7fffffff, true);
        return b;
      },
    },
    args: info('a.parquet'),
    exit: 2,
    stderr: 'a\\.parquet: ',
  },
  {
    name: 'parquet: invalid UTF-8 id',
    files: {
      'a.parquet': () => {
        const b = parquet([
          { name: 'task', data: ['t1'], type: 'STRING' },
          { name: 'example', data: ['eQ'], type: 'STRING' },
          { name: 'delta', data: Float64Array.of(1), type: 'DOUBLE' },
        ]).slice();
        for (let k = 0; k < b.length - 1; k++) if (b[k] === 0x65 && b[k + 1] === 0x51) b[k + 1] = 0xff;
        return b;
      },
    },
    args: info('a.parquet'),
    exit: 2,
    stderr: 'a\\.parquet(:\\d+)?(:example)?: .*not valid UTF-8',
  },

  // ---- dense .npy ----
  {
    name: 'npy: valid with sidecars',
    files: { 'a.npy': npyF8([1, 2, 3, 4], 2, 2), 'a.tasks.txt': 't1\nt2\n', 'a.examples.txt': 'e1\ne2\n' },
    args: info('a.npy'),
    exit: 0,
  },
  {
    name: 'npy: a shape of 10^12 × 10^12 in a small file',
    files: {
      'a.npy': npyRaw(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 1000000000000), }",
        new Uint8Array(64),
      ),
    },
    args: info('a.npy'),
    exit: 2,
    stderr: 'a\\.npy: truncated \\.npy',
  },
  {
    name: 'npy: a shape of 2^40 rows',
    files: {
      'a.npy': npyRaw("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1), }", new Uint8Array(16)),
    },
    args: info('a.npy'),
    exit: 2,
    stderr: 'a\\.npy: truncated \\.npy',
  },
  {
    name: 'npy: a version-2 header length of 4 GB',
    files: {
      'a.npy': () => {
        const b = npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", new Uint8Array(8), 2);
        new DataView(b.buffer).setUint32(8, 0xfffffff0, true);
        return b;
      },
    },
    args: info('a.npy'),
    exit: 2,
    stderr: 'a\\.npy: truncated \\.npy',
  },
  {
    name: 'npy: every entry NaN with --nan-as-missing',
    files: { 'a.npy': npyF8([NaN, NaN, NaN, NaN], 2, 2) },
    args: info('a.npy', '--nan-as-missing'),
    exit: 2,
    stderr: 'a\\.npy: no observed value: all 4 entries are NaN',
  },
  {
    name: 'npy: a NaN entry names its row, column and ids',
    files: { 'a.npy': npyF8([1, 2, 3, NaN], 2, 2), 'a.tasks.txt': 't1\nt2\n', 'a.examples.txt': 'e1\ne2\n' },
    args: info('a.npy'),
    exit: 2,
    stderr: 'a\\.npy:2:2: entry at row 2 \\(task "t2"\\), column 2 \\(example "e2"\\) is NaN',
  },
  {
    name: 'npy: an infinite entry',
    files: { 'a.npy': npyF8([1, Infinity, 3, 4], 2, 2) },
    args: info('a.npy'),
    exit: 2,
    stderr: 'a\\.npy:1:2: entry at row 1 .* is Infinity, not a finite number',
  },
  {
    name: 'npy: repeated descr key, the last wins (as numpy)',
    files: {
      'a.npy': npyRaw(
        "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), 'descr': '<f8', }",
        new Uint8Array(Float64Array.of(1, 2).buffer),
      ),
    },
    args: info('a.npy'),
    exit: 0,
  },
  {
    name: 'npy: repeated descr key, the last is an integer dtype',
    files: {
      'a.npy': npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), 'descr': '<i4', }", new Uint8Array(8)),
    },
    args: info('a.npy'),
    exit: 2,
    stderr: 'a\\.npy: expected a float32 or float64 array, found dtype "<i4"',
  },
  {
    name: 'npy: bad magic',
    files: { 'a.npy': utf8('NUMPY not really') },
    args: info('a.npy'),
    exit: 2,
    stderr: 'a\\.npy:1:1: not a \\.npy file',
  },
  {
    name: 'npy: bytes after the data',
    files: { 'a.npy': concat(npyF8([1, 2], 1, 2), Uint8Array.of(1, 2, 3)) },
    args: info('a.npy'),
    exit: 2,
    stderr: 'a\\.npy: \\.npy has 3 bytes after the array data',
  },
  {
    name: 'npy: a malformed shape',
    files: { 'a.npy': npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 2), }", new Uint8Array(16)) },
    args: info('a.npy'),
    exit: 2,
    stderr: 'a\\.npy: malformed \\.npy shape',
  },
  {
    name: 'npy: a task sidecar with a repeated id',
    files: { 'a.npy': npyF8([1, 2, 3, 4], 2, 2), 'a.tasks.txt': 't1\nt1\n' },
    args: info('a.npy'),
    exit: 2,
    stderr: 'a\\.tasks\\.txt:2:1: id "t1" repeats line 1',
  },
  {
    name: 'npy: a task sidecar with too few ids',
    files: { 'a.npy': npyF8([1, 2, 3, 4], 2, 2), 'a.tasks.txt': 't1\n' },
    args: info('a.npy'),
    exit: 2,
    stderr: 'a\\.tasks\\.txt: 1 task ids for the 2 rows of .*a\\.npy',
  },
  {
    name: 'npy: an example sidecar with invalid UTF-8',
    files: { 'a.npy': npyF8([1, 2, 3, 4], 2, 2), 'a.examples.txt': concat(utf8('e1\ne'), BAD_UTF8, utf8('\n')) },
    args: info('a.npy'),
    exit: 2,
    stderr: 'a\\.examples\\.txt:2:2: invalid UTF-8',
  },
  {
    name: 'npy: --format npy on a folder',
    files: dataset(),
    args: ['info', '{dir}/ds', '--format', 'npy'],
    exit: 2,
    stderr: 'ds: format "npy" needs a file, but this is a folder',
  },
  {
    name: 'npy: a device is refused, not read forever',
    files: {},
    args: ['info', '/dev/zero', '--format', 'npy'],
    exit: 2,
    stderr: '/dev/zero: expected an input file, found a device',
  },
  {
    name: 'csv: a device is refused',
    files: {},
    args: ['info', '/dev/zero', '--format', 'csv'],
    exit: 2,
    stderr: '/dev/zero: expected an input file, found a device',
  },

  // ---- dataset folders ----
  { name: 'folder: valid', files: dataset(), args: info('ds'), exit: 0 },
  {
    name: 'folder: a repeated task id names tasks.json',
    files: dataset({ 'ds/tasks.json': '[\n{"id": "t1"},\n{"id": "t1"}\n]\n' }),
    args: info('ds'),
    exit: 2,
    stderr: 'tasks\\.json:3: task id "t1" repeats task 1 \\(line 2\\)',
  },
  {
    name: 'folder: a repeated example id names examples.jsonl',
    files: dataset({ 'ds/examples.jsonl': '{"id":"e1"}\n{"id":"e1"}\n' }),
    args: info('ds'),
    exit: 2,
    stderr: 'examples\\.jsonl:2: example id "e1" repeats example 1 \\(line 1\\)',
  },
  {
    name: 'folder: 20-digit example ids stay distinct',
    files: dataset({ 'ds/examples.jsonl': '{"id":12345678901234567891}\n{"id":12345678901234567892}\n' }),
    args: info('ds'),
    exit: 0,
  },
  {
    name: 'folder: 20-digit task ids stay distinct',
    files: dataset({ 'ds/tasks.json': '[{"id": 12345678901234567891}, {"id": 12345678901234567892}]' }),
    args: info('ds'),
    exit: 0,
  },
  {
    name: 'folder: base_nll.npy all NaN',
    files: dataset({ 'ds/base_nll.npy': npy1d([NaN, NaN]) }),
    args: info('ds'),
    exit: 2,
    stderr: 'base_nll\\.npy: no observed value: all 2 values are NaN',
  },
  {
    name: 'folder: base_nll.npy infinite',
    files: dataset({ 'ds/base_nll.npy': npy1d([1, -Infinity]) }),
    args: info('ds'),
    exit: 2,
    stderr: 'base_nll\\.npy: value 2 \\(example "e2"\\) is -Infinity',
  },
  {
    name: 'folder: Z.npy all NaN with --nan-as-missing',
    files: dataset({ 'ds/Z.npy': npyF8([NaN, NaN, NaN, NaN], 2, 2) }),
    args: info('ds', '--nan-as-missing'),
    exit: 2,
    stderr: 'Z\\.npy: no observed value',
  },
  {
    name: 'folder: tasks.json nested 5,000 deep',
    files: dataset({ 'ds/tasks.json': `[{"id": "t1", "meta": ${deep(5000)}}, {"id": "t2"}]` }),
    args: info('ds'),
    exit: 2,
    stderr: 'tasks\\.json:1:\\d+: JSON nested deeper than 256 levels',
  },
  {
    name: 'folder: examples.jsonl nested 5,000 deep',
    files: dataset({ 'ds/examples.jsonl': `{"id":"e1"}\n{"id":"e2","x":${deep(5000)}}\n` }),
    args: info('ds'),
    exit: 2,
    stderr: 'examples\\.jsonl:2:\\d+: JSON nested deeper than 256 levels',
  },
  {
    name: 'folder: invalid UTF-8 in examples.jsonl',
    files: dataset({ 'ds/examples.jsonl': concat(utf8('{"id":"e1"}\n{"id":"e'), BAD_UTF8, utf8('"}\n')) }),
    args: info('ds'),
    exit: 2,
    stderr: 'examples\\.jsonl:2:9: invalid UTF-8',
  },
  {
    name: 'folder: Z.npy missing',
    files: { 'ds/tasks.json': '[{"id":"t1"}]', 'ds/examples.jsonl': '{"id":"e1"}\n' },
    args: info('ds'),
    exit: 2,
    stderr: 'ds: not a dataset folder: Z\\.npy is missing',
  },
  {
    name: 'folder: Z.npy is a folder',
    files: {
      'ds/Z.npy/x': 'x',
      'ds/tasks.json': tasksJson(['t1', 't2']),
      'ds/examples.jsonl': examplesJsonl(['e1', 'e2']),
    },
    args: info('ds'),
    exit: 2,
    stderr: 'Z\\.npy: expected an input file, found a folder',
  },
  {
    name: 'folder: example count differs from Z',
    files: dataset({ 'ds/examples.jsonl': '{"id":"e1"}\n' }),
    args: info('ds'),
    exit: 2,
    stderr: 'examples\\.jsonl: .*Z\\.npy has 2 columns but .*examples\\.jsonl lists 1 examples',
  },
  {
    name: 'folder: a side matrix with NaN',
    files: dataset({ 'ds/side/g.npy': npyF8([1, NaN, 3, 4], 2, 2), 'obs.csv': 'example,value\ne1,0.5\n' }),
    args: [
      'predict',
      '{dir}/ds',
      '--observed',
      '{dir}/obs.csv',
      '--side',
      'g',
      '--out',
      '{dir}/out.csv',
      '--backend',
      'cpu',
    ],
    exit: 2,
    stderr: 'g\\.npy: side matrix "g" has a non-finite value',
  },
  {
    name: 'folder: a side matrix of the wrong shape',
    files: dataset({ 'ds/side/g.npy': npyF8([1, 2, 3], 1, 3), 'obs.csv': 'example,value\ne1,0.5\n' }),
    args: [
      'predict',
      '{dir}/ds',
      '--observed',
      '{dir}/obs.csv',
      '--side',
      'g',
      '--out',
      '{dir}/out.csv',
      '--backend',
      'cpu',
    ],
    exit: 2,
    stderr: 'g\\.npy: side matrix "g" has shape \\[1, 3\\]',
  },
  {
    name: 'csv: a side column all blank',
    files: {
      'z.csv': 'task,example,delta,g\nt1,e1,0.5,\nt1,e2,0.25,\nt2,e1,1,\nt2,e2,2,\n',
      'obs.csv': 'example,value\ne1,0.5\n',
    },
    args: predict('z.csv', 'obs.csv', '--side', 'g'),
    exit: 2,
    stderr: 'z\\.csv:2:11: side column "g" has no value for task "t1", example "e1"',
  },
  {
    name: 'jsonl: a side field missing on a kept row',
    files: {
      'z.jsonl':
        '{"task":"t1","example":"e1","delta":0.5,"g":1}\n{"task":"t1","example":"e2","delta":0.25}\n' +
        '{"task":"t2","example":"e1","delta":1,"g":3}\n{"task":"t2","example":"e2","delta":2,"g":4}\n',
      'obs.csv': 'example,value\ne1,0.5\n',
    },
    args: predict('z.jsonl', 'obs.csv', '--side', 'g'),
    exit: 2,
    stderr: 'z\\.jsonl:2:g: side column "g" has no value for task "t1", example "e2"',
  },

  // ---- measured entries (--observed) ----
  {
    name: 'observed: every value blank is no measured entry',
    files: { 'z.csv': GOOD, 'obs.csv': 'example,value\ne1,\ne2,\n' },
    args: predict('z.csv', 'obs.csv'),
    exit: 2,
    stderr: 'obs\\.csv: no observed value: all 2 data lines lack a finite value',
  },
  {
    name: 'observed: every value null in JSON Lines',
    files: { 'z.csv': GOOD, 'obs.jsonl': '{"example":"e1","value":null}\n' },
    args: predict('z.csv', 'obs.jsonl'),
    exit: 2,
    stderr: 'obs\\.jsonl: no observed value',
  },
  {
    name: 'observed: every value null in Parquet',
    files: {
      'z.csv': GOOD,
      'obs.parquet': () =>
        parquet([
          { name: 'example', data: ['e1'], type: 'STRING' },
          { name: 'value', data: [null], type: 'DOUBLE', nullable: true },
        ]),
    },
    args: predict('z.csv', 'obs.parquet'),
    exit: 2,
    stderr: 'obs\\.parquet: no observed value',
  },
  {
    name: 'observed: invalid UTF-8 example id',
    files: { 'z.csv': GOOD, 'obs.csv': concat(utf8('example,value\ne'), BAD_UTF8, utf8(',0.5\n')) },
    args: predict('z.csv', 'obs.csv'),
    exit: 2,
    stderr: 'obs\\.csv:2:1: the example id is not valid UTF-8',
  },
  {
    name: 'observed: a device',
    files: { 'z.csv': GOOD },
    args: [
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
    exit: 2,
    stderr: '/dev/zero: expected an input file, found a device',
  },
  {
    name: 'observed: valid',
    files: { 'z.csv': GOOD, 'obs.csv': 'example,value\ne1,0.5\ne2,\n' },
    args: predict('z.csv', 'obs.csv'),
    exit: 0,
  },

  // ---- safetensors ----
  {
    name: 'safetensors: header length beyond the file',
    files: {
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
    args: ['subspace', '--before', '{dir}/a.safetensors', '--after', '{dir}/b.safetensors'],
    exit: 2,
    stderr: 'a\\.safetensors: .*header length 1000',
  },
  {
    name: 'safetensors: offsets beyond the data',
    files: {
      'a.safetensors': () => {
        const h = utf8('{"w":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,4000000000000]}}');
        const b = new Uint8Array(8 + h.length);
        new DataView(b.buffer).setBigUint64(0, BigInt(h.length), true);
        b.set(h, 8);
        return b;
      },
      'b.safetensors': utf8('x'),
    },
    args: ['subspace', '--before', '{dir}/a.safetensors', '--after', '{dir}/b.safetensors'],
    exit: 2,
    stderr: 'a\\.safetensors: .*past the end',
  },
  {
    name: 'safetensors: a device',
    files: { 'b.safetensors': utf8('x') },
    args: ['subspace', '--before', '/dev/zero', '--after', '{dir}/b.safetensors'],
    exit: 2,
    stderr: '/dev/zero: expected a safetensors file',
  },
];
