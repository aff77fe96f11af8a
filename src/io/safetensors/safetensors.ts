/**
 * A small, validating safetensors codec (the format of Hugging Face `safetensors`): an 8-byte
 * little-endian header length n, n bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]},
 * "__metadata__"?: {string: string}}`, then the byte buffer the offsets index into.
 *
 * Hand-written (no npm package validates headers this strictly or reads ranges lazily): every header
 * field is checked against the format and the file size, so a corrupt or truncated file raises a
 * `ForgetscopeError` naming the tensor and field instead of ever decoding a wrong tensor.
 * This module is pure (no Node APIs); ranged file reading lives in `io/node/safetensors.ts`.
 */
import { itemAt } from '../../util/checked.js';
import { ForgetscopeError } from '../../util/errors.js';

/** The dtypes this codec decodes. Floats become float32/float64; integers and bools float64 (exact up to 2^53). */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of every supported dtype. */
export const SAFETENSORS_DTYPE_SIZE: Readonly<Record<SafetensorsDType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Largest header accepted (the Python library's own limit is 100 MB). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/** One tensor's entry in the header, validated; `begin`/`end` are offsets into the data buffer. */
export interface SafetensorsTensorInfo {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** Number of elements (product of the shape; 1 for a scalar). */
  size: number;
  begin: number;
  end: number;
}

/** A parsed, validated header. `dataOffset` is where the data buffer starts in the file (8 + n). */
export interface SafetensorsHeader {
  headerLength: number;
  dataOffset: number;
  /** Tensors in order of their offsets. */
  tensors: SafetensorsTensorInfo[];
  metadata: Record<string, string>;
}

/** A decoded tensor: shape plus row-major values. */
export interface Tensor {
  name: string;
  shape: number[];
  /** The dtype the tensor had in the file. */
  dtype: SafetensorsDType;
  data: Float32Array | Float64Array;
}

/** Options of the readers. */
export interface SafetensorsReadOptions {
  /** Keep only tensors whose name matches (a RegExp, or a string compiled as one). */
  select?: RegExp | string;
  /** Output precision; default 'float32' for F32/F16/BF16 and 'float64' for F64 and integers. */
  precision?: 'float32' | 'float64' | 'auto';
  /** File name used in error messages. */
  file?: string;
}

/** A tensor to write: name, shape, dtype in the file (default F32) and values. */
export interface TensorToWrite {
  name: string;
  shape: readonly number[];
  data: ArrayLike<number>;
  dtype?: SafetensorsDType;
}

function fail(
  detail: string,
  file: string | undefined,
  code: 'parse' | 'truncated' | 'dtype' | 'shape' = 'parse',
): never {
  throw new ForgetscopeError(code, detail, file !== undefined ? { file } : {});
}

/**
 * Reads the 8-byte header length from the first bytes of a file and checks it against the file size.
 * @example readHeaderLength(bytes.subarray(0, 8), fileSize, 'w.safetensors') // → n
 */
export function readHeaderLength(first8: Uint8Array, fileSize: number, file?: string): number {
  if (first8.length < 8 || fileSize < 8)
    fail(`file is ${fileSize} bytes, too short for a safetensors header length (8 bytes)`, file, 'truncated');
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(SAFETENSORS_MAX_HEADER))
    fail(`header length ${n} exceeds the ${SAFETENSORS_MAX_HEADER}-byte limit (not a safetensors file?)`, file);
  const len = Number(n);
  if (len < 2) fail(`header length ${len} is too small for a JSON object`, file);
  if (8 + len > fileSize)
    fail(`header length ${len} runs past the end of the ${fileSize}-byte file`, file, 'truncated');
  return len;
}

function isNonNegInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/**
 * Parses and validates the JSON header. `headerBytes` are the n bytes after the length; `fileSize`
 * is the total file size so byte ranges can be checked. Rules (as the Python library): known dtype,
 * shape of non-negative integers, `end − begin = size × itemsize`, ranges inside the data buffer,
 * no overlaps, and the ranges cover the buffer exactly (no holes, no trailing bytes).
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, file?: string): SafetensorsHeader {
  const headerLength = headerBytes.length;
  const dataOffset = 8 + headerLength;
  const dataSize = fileSize - dataOffset;
  if (dataSize < 0) fail(`header of ${headerLength} bytes runs past the end of the file`, file, 'truncated');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    fail('header is not valid UTF-8', file);
  }
  if (!text.trimStart().startsWith('{')) fail('header does not start with a JSON object "{"', file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${e instanceof Error ? e.message : String(e)})`, file);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('header JSON is not an object', file);
  const metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
        fail('__metadata__ is not an object of strings', file);
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__["${k}"] is not a string`, file);
        metadata[k] = v;
      }
      continue;
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      fail(`tensor "${name}": entry is not an object`, file);
    const e = entry as Record<string, unknown>;
    const dtype = e['dtype'];
    if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPE_SIZE)) {
      fail(
        `tensor "${name}": dtype ${JSON.stringify(dtype)} is not supported (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)`,
        file,
        'dtype',
      );
    }
    const shape = e['shape'];
    if (!Array.isArray(shape) || !shape.every(isNonNegInt))
      fail(`tensor "${name}": shape ${JSON.stringify(shape)} is not a list of non-negative integers`, file, 'shape');
    const offsets = e['data_offsets'];
    if (!Array.isArray(offsets) || offsets.length !== 2 || !isNonNegInt(offsets[0]) || !isNonNegInt(offsets[1])) {
      fail(`tensor "${name}": data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`, file);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(`tensor "${name}": data_offsets end ${end} is before begin ${begin}`, file);
    let size = 1;
    for (const d of shape as number[]) size *= d;
    if (!Number.isSafeInteger(size))
      fail(`tensor "${name}": shape ${JSON.stringify(shape)} has too many elements`, file, 'shape');
    const item = SAFETENSORS_DTYPE_SIZE[dtype as SafetensorsDType];
    if (end - begin !== size * item) {
      fail(
        `tensor "${name}": shape ${JSON.stringify(shape)} × ${dtype} needs ${size * item} bytes but data_offsets span ${end - begin}`,
        file,
        'shape',
      );
    }
    if (end > dataSize)
      fail(
        `tensor "${name}": data_offsets end ${end} is past the end of the ${dataSize}-byte data buffer (file truncated?)`,
        file,
        'truncated',
      );
    tensors.push({ name, dtype: dtype as SafetensorsDType, shape: (shape as number[]).slice(), size, begin, end });
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const t of tensors) {
    if (t.begin < cursor)
      fail(`tensor "${t.name}": bytes [${t.begin}, ${t.end}) overlap the previous tensor (ends at ${cursor})`, file);
    if (t.begin > cursor) fail(`data buffer has a hole of ${t.begin - cursor} bytes before tensor "${t.name}"`, file);
    cursor = t.end;
  }
  if (cursor !== dataSize)
    fail(`data buffer has ${dataSize - cursor} bytes after the last tensor (expected ${cursor})`, file, 'shape');
  return { headerLength, dataOffset, tensors, metadata };
}

/** Converts one IEEE half-precision bit pattern to a number. */
export function f16ToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Scratch word for bfloat16 decoding: a bfloat16 is the high half of a float32. */
const BF16_WORD = new DataView(new ArrayBuffer(4));

/** Converts one bfloat16 bit pattern to a number. */
function bf16ToNumber(h: number): number {
  BF16_WORD.setUint32(0, h << 16);
  return BF16_WORD.getFloat32(0);
}

/** The IEEE single-precision bit pattern of `x` (rounded to float32 first). */
function float32Bits(x: number): number {
  const word = new DataView(new ArrayBuffer(4));
  word.setFloat32(0, x);
  return word.getUint32(0);
}

/** Converts a number to the nearest IEEE half-precision bit pattern (round to nearest even). */
export function numberToF16(x: number): number {
  const b = float32Bits(x);
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = mant >>> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) {
    r++;
    if (r === 0x400) {
      r = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | r;
}

/** Converts a number to bfloat16 bits (round to nearest even, NaN preserved). */
export function numberToBf16(x: number): number {
  const b = float32Bits(x);
  if ((b & 0x7f800000) === 0x7f800000 && b & 0x7fffff) return (b >>> 16) | 0x40;
  const rounded = b + 0x7fff + ((b >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/**
 * Decodes the bytes of one tensor (exactly `info.end − info.begin` bytes, little-endian).
 * @example decodeTensor(info, bytes.subarray(begin, end)) // → Float32Array
 */
export function decodeTensor(
  info: SafetensorsTensorInfo,
  bytes: Uint8Array,
  precision: SafetensorsReadOptions['precision'] = 'auto',
  file?: string,
): Tensor {
  const nbytes = info.end - info.begin;
  if (bytes.length !== nbytes)
    fail(`tensor "${info.name}": got ${bytes.length} bytes, expected ${nbytes}`, file, 'truncated');
  const n = info.size;
  const wide =
    precision === 'float64' ||
    (precision === 'auto' && !(info.dtype === 'F32' || info.dtype === 'F16' || info.dtype === 'BF16'));
  const out = wide ? new Float64Array(n) : new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const Native = LITTLE_ENDIAN_HOST ? NATIVE_ARRAY[info.dtype] : undefined;
  if (Native) {
    // The host reads this dtype natively: one aligned copy, then one conversion of the whole tensor.
    out.set(new Native(bytes.slice(0, n * SAFETENSORS_DTYPE_SIZE[info.dtype]).buffer));
  } else {
    const read = READ_VALUE[info.dtype];
    const item = SAFETENSORS_DTYPE_SIZE[info.dtype];
    for (let i = 0; i < n; i++) out[i] = read(view, item * i);
  }
  return { name: info.name, shape: info.shape.slice(), dtype: info.dtype, data: out };
}

/** Compiles a selection option into a predicate on tensor names. */
export function tensorNameFilter(select: RegExp | string | undefined): (name: string) => boolean {
  if (select === undefined) return () => true;
  let re: RegExp;
  try {
    re = typeof select === 'string' ? new RegExp(select) : select;
  } catch (e) {
    throw new ForgetscopeError(
      'usage',
      `tensor pattern ${JSON.stringify(select)} is not a valid regular expression (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  return (name) => {
    re.lastIndex = 0;
    return re.test(name);
  };
}

/**
 * Parses a whole safetensors file held in memory (use `readSafetensorsFile` from `forgetscope/node`
 * for large files: it reads only the selected byte ranges).
 * @example const { tensors } = parseSafetensors(bytes, { select: /lora_A/ });
 */
export function parseSafetensors(
  bytes: Uint8Array,
  options: SafetensorsReadOptions = {},
): { header: SafetensorsHeader; tensors: Tensor[] } {
  const n = readHeaderLength(bytes.subarray(0, 8), bytes.length, options.file);
  const header = parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length, options.file);
  const keep = tensorNameFilter(options.select);
  const tensors: Tensor[] = [];
  for (const info of header.tensors) {
    if (!keep(info.name)) continue;
    tensors.push(
      decodeTensor(
        info,
        bytes.subarray(header.dataOffset + info.begin, header.dataOffset + info.end),
        options.precision,
        options.file,
      ),
    );
  }
  return { header, tensors };
}

/** Whether this machine stores numbers little-endian, as safetensors does. */
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The typed arrays that read a dtype's bytes as they are on a little-endian host (others: `READ_VALUE`). */
const NATIVE_ARRAY: Partial<Record<SafetensorsDType, new (buffer: ArrayBuffer) => ArrayLike<number>>> = {
  F64: Float64Array,
  F32: Float32Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

/** How one value of each dtype is read (little-endian) at a byte offset. */
const READ_VALUE: Readonly<Record<SafetensorsDType, (view: DataView, at: number) => number>> = {
  F64: (view, at) => view.getFloat64(at, true),
  F32: (view, at) => view.getFloat32(at, true),
  // A 64K lookup table would cost 512 KB per call; the branchy conversion is fast enough.
  F16: (view, at) => f16ToNumber(view.getUint16(at, true)),
  BF16: (view, at) => bf16ToNumber(view.getUint16(at, true)),
  I64: (view, at) => Number(view.getBigInt64(at, true)),
  I32: (view, at) => view.getInt32(at, true),
  I16: (view, at) => view.getInt16(at, true),
  I8: (view, at) => view.getInt8(at),
  U8: (view, at) => view.getUint8(at),
  BOOL: (view, at) => view.getUint8(at),
};

/** How one value of each dtype is written (little-endian) at a byte offset. */
const WRITE_VALUE: Readonly<Record<SafetensorsDType, (view: DataView, at: number, x: number) => void>> = {
  F64: (view, at, x) => view.setFloat64(at, x, true),
  F32: (view, at, x) => view.setFloat32(at, x, true),
  F16: (view, at, x) => view.setUint16(at, numberToF16(x), true),
  BF16: (view, at, x) => view.setUint16(at, numberToBf16(x), true),
  I64: (view, at, x) => view.setBigInt64(at, BigInt(Math.trunc(x)), true),
  I32: (view, at, x) => view.setInt32(at, x, true),
  I16: (view, at, x) => view.setInt16(at, x, true),
  I8: (view, at, x) => view.setInt8(at, x),
  U8: (view, at, x) => view.setUint8(at, x),
  BOOL: (view, at, x) => view.setUint8(at, x),
};

/**
 * Encodes tensors as a safetensors file (header padded with spaces to a multiple of 8 bytes, as the
 * Python library does). Shapes are checked against the data length.
 * @example encodeSafetensors([{ name: 'w', shape: [2, 2], data: [1, 2, 3, 4] }], { format: 'pt' })
 */
export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header['__metadata__'] = { ...metadata };
  let offset = 0;
  const seen = new Set<string>();
  const plan: { t: TensorToWrite; dtype: SafetensorsDType; begin: number; size: number }[] = [];
  for (const t of tensors) {
    if (t.name === '__metadata__' || seen.has(t.name))
      throw new ForgetscopeError('duplicate', `tensor name "${t.name}" is reserved or used twice`);
    seen.add(t.name);
    const dtype = t.dtype ?? 'F32';
    if (!(dtype in SAFETENSORS_DTYPE_SIZE))
      throw new ForgetscopeError('dtype', `tensor "${t.name}": dtype ${dtype} is not supported`);
    let size = 1;
    for (const d of t.shape) {
      if (!isNonNegInt(d))
        throw new ForgetscopeError(
          'shape',
          `tensor "${t.name}": shape ${JSON.stringify(t.shape)} is not a list of non-negative integers`,
        );
      size *= d;
    }
    if (size !== t.data.length)
      throw new ForgetscopeError(
        'shape',
        `tensor "${t.name}": shape ${JSON.stringify(t.shape)} holds ${size} values but data has ${t.data.length}`,
      );
    const nbytes = size * SAFETENSORS_DTYPE_SIZE[dtype];
    header[t.name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + nbytes] };
    plan.push({ t, dtype, begin: offset, size });
    offset += nbytes;
  }
  let json = JSON.stringify(header);
  let jsonBytes = new TextEncoder().encode(json);
  const pad = (8 - (jsonBytes.length % 8)) % 8;
  if (pad > 0) {
    json += ' '.repeat(pad);
    jsonBytes = new TextEncoder().encode(json);
  }
  const out = new Uint8Array(8 + jsonBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(jsonBytes.length), true);
  out.set(jsonBytes, 8);
  const base = 8 + jsonBytes.length;
  for (const { t, dtype, begin, size } of plan) {
    const at = base + begin;
    const item = SAFETENSORS_DTYPE_SIZE[dtype];
    const write = WRITE_VALUE[dtype];
    // size === t.data.length (checked above)
    for (let i = 0; i < size; i++) write(view, at + item * i, itemAt(t.data, i, 'element'));
  }
  return out;
}

/** Returns a tensor as a 2-D matrix view `{rows, cols, data}`, or throws naming the tensor when it is not 2-D. */
export function tensorAsMatrix(
  t: Tensor,
  file?: string,
): { rows: number; cols: number; data: Float32Array | Float64Array } {
  const [rows, cols, ...more] = t.shape;
  if (rows === undefined || cols === undefined || more.length > 0)
    fail(`tensor "${t.name}" has shape ${JSON.stringify(t.shape)}, expected a 2-D matrix`, file, 'shape');
  return { rows, cols, data: t.data };
}
