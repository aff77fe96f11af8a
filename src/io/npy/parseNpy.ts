import { itemAt } from '../../util/checked.js';
import { ForgetscopeError } from '../../util/errors.js';
import { quoteText } from '../limits.js';

/** A numeric array decoded from a `.npy` file (values converted to host order). */
export interface NpyArray {
  /** numpy dtype descriptor as written, e.g. `<f4`. */
  descr: string;
  shape: number[];
  /** True when the file stored the array in Fortran (column-major) order. */
  fortranOrder: boolean;
  /** The values in C (row-major) order. */
  data:
    | Float64Array
    | Float32Array
    | Int32Array
    | Uint8Array
    | Int8Array
    | Int16Array
    | Uint16Array
    | Uint32Array
    | BigInt64Array
    | BigUint64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** True when the bytes start with the `.npy` magic string. */
export function isNpy(bytes: Uint8Array): boolean {
  return MAGIC.every((b, k) => bytes[k] === b);
}

const SIZES: Record<string, number> = { f8: 8, f4: 4, i4: 4, u1: 1, i1: 1, i2: 2, u2: 2, u4: 4, i8: 8, u8: 8, b1: 1 };

/** The typed array each .npy kind is read into (u1 and b1: Uint8Array). */
const ARRAY_OF: Record<string, new (buffer: ArrayBuffer) => NpyArray['data']> = {
  f8: Float64Array,
  f4: Float32Array,
  i4: Int32Array,
  u4: Uint32Array,
  i2: Int16Array,
  u2: Uint16Array,
  i8: BigInt64Array,
  u8: BigUint64Array,
  i1: Int8Array,
};

/** The header of a `.npy` file: what the data bytes after `dataOffset` hold. */
export interface NpyHeader {
  /** numpy dtype descriptor as written, e.g. `<f4`. */
  descr: string;
  shape: number[];
  /** True when the array is stored in Fortran (column-major) order. */
  fortranOrder: boolean;
  /** Byte offset of the data (the length of the magic string, version, length field and header). */
  dataOffset: number;
  /** Bytes per value. */
  itemSize: number;
}

/**
 * How many leading bytes of a `.npy` file its header takes (magic, version, length field and the header
 * dictionary), from at least its first 12 bytes (10 for format version 1). Lets a reader that seeks in a
 * file fetch exactly the header and hand it to `parseNpyHeader`.
 * @example
 * npyHeaderLength(bytes.subarray(0, 12)); // 128 for a typical file written by numpy
 */
export function npyHeaderLength(bytes: Uint8Array, file = '<npy>'): number {
  if (bytes.length === 0) throw new ForgetscopeError('empty', 'the file is empty (expected a .npy array)', { file });
  if (bytes.length < 10 || !isNpy(bytes)) {
    throw new ForgetscopeError(
      bytes.length < 10 && MAGIC.slice(0, bytes.length).every((b, k) => bytes[k] === b) ? 'truncated' : 'parse',
      bytes.length < 10 ? 'truncated .npy: the header is incomplete' : 'not a .npy file (bad magic string)',
      { file, line: 1, column: 1 },
    );
  }
  const major = bytes[6]; // bytes.length ≥ 10 here
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major === 1) return 10 + view.getUint16(8, true);
  if (major === 2 || major === 3) {
    if (bytes.length < 12)
      throw new ForgetscopeError('truncated', 'truncated .npy: the header is incomplete', { file });
    return 12 + view.getUint32(8, true);
  }
  throw new ForgetscopeError('parse', `unsupported .npy format version ${major}`, { file, column: 7 });
}

/**
 * Parses the header of a `.npy` file (format versions 1–3) from its leading bytes (at least
 * `npyHeaderLength` of them; the data may follow or not). Structured and object arrays are refused
 * with a `dtype` error.
 * @example
 * parseNpyHeader(bytes); // {descr: '<f8', shape: [3, 4], fortranOrder: false, dataOffset: 128, itemSize: 8}
 */
export function parseNpyHeader(bytes: Uint8Array, file = '<npy>'): NpyHeader {
  const dataOffset = npyHeaderLength(bytes, file);
  const offset = bytes[6] === 1 ? 10 : 12;
  const headerLen = dataOffset - offset;
  if (dataOffset > bytes.length)
    throw new ForgetscopeError(
      'truncated',
      `truncated .npy: the header says ${headerLen} bytes but the file ends first`,
      { file },
    );
  const header = new TextDecoder(bytes[6] === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(offset, dataOffset));
  // numpy reads the header with ast.literal_eval, where a repeated key keeps its last value: so here.
  const descrMatch = lastMatch(/'descr'\s*:\s*'([^']*)'/g, header);
  const orderMatch = lastMatch(/'fortran_order'\s*:\s*(True|False)/g, header);
  const shapeMatch = lastMatch(/'shape'\s*:\s*\(([^)]*)\)/g, header);
  if (/'descr'\s*:\s*\[/.test(header) && header.search(/'descr'\s*:\s*\[/) > (descrMatch?.index ?? -1)) {
    throw new ForgetscopeError(
      'dtype',
      'this .npy holds a structured array; expected a plain numeric array (float32 or float64)',
      { file },
    );
  }
  if (!descrMatch || !orderMatch || !shapeMatch) {
    if (/'descr'\s*:\s*\[/.test(header)) {
      throw new ForgetscopeError(
        'dtype',
        'this .npy holds a structured array; expected a plain numeric array (float32 or float64)',
        { file },
      );
    }
    throw new ForgetscopeError('parse', `malformed .npy header: ${quoteText(header.trim(), 80)}`, { file });
  }
  const [, descr = ''] = descrMatch;
  const fortranOrder = orderMatch[1] === 'True';
  const shapeText = (shapeMatch[1] ?? '').trim();
  const shape =
    shapeText === ''
      ? []
      : shapeText
          .split(',')
          .filter((s) => s.trim() !== '')
          .map((s) => Number(s.trim()));
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw new ForgetscopeError('parse', `malformed .npy shape (${quoteText(shapeText, 80)})`, { file });
  const endian = descr.charAt(0);
  const itemSize = SIZES[descr.slice(1)];
  if (itemSize === undefined || !'<>|='.includes(endian)) {
    throw new ForgetscopeError(
      'dtype',
      `unsupported .npy dtype ${JSON.stringify(descr)}; expected float32 or float64 (e.g. '<f4', '>f8')`,
      { file },
    );
  }
  return { descr, shape, fortranOrder, dataOffset, itemSize };
}

/**
 * Decodes a `.npy` file (format versions 1–3) holding a plain numeric array: float32/float64,
 * (u)int8/16/32/64 or bool, little- or big-endian, C or Fortran order. Values come back in C order and
 * host byte order. Structured and object arrays are refused with a `dtype` error.
 *
 * Hand-written: the format is a short header plus raw bytes, and a dependency would add nothing.
 */
export function parseNpy(bytes: Uint8Array, file = '<npy>'): NpyArray {
  const { descr, shape, fortranOrder, dataOffset: dataStart, itemSize: size } = parseNpyHeader(bytes, file);
  const kind = descr.slice(1);
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * size;
  // The shape is checked against the bytes there before anything is allocated (a huge shape in a small
  // file is a truncated file, not an allocation).
  if (bytes.length - dataStart < need) {
    throw new ForgetscopeError(
      'truncated',
      `truncated .npy: shape (${shape.join(', ')}) needs ${need} data bytes, the file has ${bytes.length - dataStart}`,
      { file },
    );
  }
  if (bytes.length - dataStart > need) {
    throw new ForgetscopeError('parse', `.npy has ${bytes.length - dataStart - need} bytes after the array data`, {
      file,
    });
  }
  const little = descr[0] !== '>';
  let data = decodeValues(bytes, dataStart, count, kind, little);
  if (fortranOrder && shape.length > 1) data = fortranToC(data, shape);
  return { descr, shape, fortranOrder, data };
}

function decodeValues(
  bytes: Uint8Array,
  start: number,
  count: number,
  kind: string,
  little: boolean,
): NpyArray['data'] {
  // An aligned private copy (the input may be a view at any offset, e.g. a pooled Node Buffer).
  const size = SIZES[kind];
  if (size === undefined) throw new ForgetscopeError('internal', `no item size for .npy kind ${kind}`);
  const raw = new Uint8Array(count * size);
  raw.set(bytes.subarray(start, start + raw.length));
  const buf = raw.buffer;
  if (!little && size > 1) swapBytes(raw, size);
  const View = ARRAY_OF[kind] ?? Uint8Array; // u1, b1
  return new View(buf);
}

function swapBytes(raw: Uint8Array, size: number): void {
  for (let k = 0; k < raw.length; k += size) raw.subarray(k, k + size).reverse();
}

/** Reorders a column-major array of any rank into row-major order. */
function fortranToC<T extends NpyArray['data']>(data: T, shape: number[]): T {
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const rank = shape.length;
  // Fortran strides: dimension d moves by the product of the dimensions before it.
  const fStrides: number[] = [];
  let stride = 1;
  for (const extent of shape) {
    fStrides.push(stride);
    stride *= extent;
  }
  if (rank === 2) {
    const [m, n] = shape as [number, number];
    // biome-ignore lint/suspicious/noExplicitAny: one copy loop for every typed-array kind of out and data
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) (out as any)[i * n + j] = (data as any)[j * m + i];
    return out;
  }
  const idx = new Array<number>(rank).fill(0);
  for (let c = 0; c < data.length; c++) {
    let f = 0;
    idx.forEach((i, d) => {
      f += i * itemAt(fStrides, d, 'dimension');
    });
    // biome-ignore lint/suspicious/noExplicitAny: as above
    (out as any)[c] = (data as any)[f];
    for (let d = rank - 1; d >= 0; d--) {
      const next = itemAt(idx, d, 'dimension') + 1;
      if (next < itemAt(shape, d, 'dimension')) {
        idx[d] = next;
        break;
      }
      idx[d] = 0;
    }
  }
  return out;
}

/** The last match of a global regular expression (a repeated key of a Python dict keeps its last value). */
function lastMatch(re: RegExp, text: string): RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m;
  return last;
}
