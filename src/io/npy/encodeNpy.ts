import { ForgetscopeError } from '../../util/errors.js';
import type { TableColumn } from '../types.js';
import { tableColumns } from '../tableColumns.js';

/**
 * Encodes a row-major numeric array as a `.npy` (format 1.0, little-endian, C order), which
 * `numpy.load` reads directly.
 */
export function encodeNpy(
  data: Float64Array | Float32Array | Int32Array | Uint8Array,
  shape: readonly number[],
): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new ForgetscopeError('shape', `npy shape (${shape.join(', ')}) needs ${count} values, got ${data.length}`);
  const descr =
    data instanceof Float64Array
      ? '<f8'
      : data instanceof Float32Array
        ? '<f4'
        : data instanceof Int32Array
          ? '<i4'
          : '|u1';
  const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pyTuple(shape)}, }`;
  const head = npyHeader(header);
  const out = new Uint8Array(head.length + data.byteLength);
  out.set(head, 0);
  out.set(hostToLittle(data), head.length);
  return out;
}

/**
 * Encodes named columns as a numpy structured array of shape (rows,): strings become fixed-width
 * unicode (`<U{n}`), booleans `?`, numbers `<f8`/`<f4`/`<i4`/`|u1`. `np.load(path)` gives a record
 * array whose fields are the column names (`a['weight']`); `pandas.DataFrame(np.load(path))` a frame.
 */
export function encodeNpyTable(columns: Record<string, TableColumn>): Uint8Array {
  const { entries, rows } = tableColumns(columns);
  const names = entries.map(([name]) => name);
  const fields = entries.map(([name, col]) => {
    if (Array.isArray(col) && (col.length === 0 || typeof col[0] === 'string')) {
      const strings = col as string[];
      let width = 1;
      for (const s of strings) {
        if (typeof s !== 'string')
          throw new ForgetscopeError('usage', `column "${name}" mixes strings and other values`);
        width = Math.max(width, [...s].length);
      }
      return { name, descr: `<U${width}`, size: 4 * width, kind: 'U' as const, col };
    }
    if (Array.isArray(col)) return { name, descr: '|b1', size: 1, kind: 'b' as const, col };
    const descr =
      col instanceof Float64Array
        ? '<f8'
        : col instanceof Float32Array
          ? '<f4'
          : col instanceof Int32Array
            ? '<i4'
            : '|u1';
    return { name, descr, size: col.BYTES_PER_ELEMENT, kind: 'n' as const, col };
  });
  const itemSize = fields.reduce((a, f) => a + f.size, 0);
  const descrText = `[${fields.map((f) => `(${pyString(f.name)}, '${f.descr}')`).join(', ')}]`;
  const header = `{'descr': ${descrText}, 'fortran_order': False, 'shape': (${rows},), }`;
  const unicodeNames = names.some((n) => /[^\x20-\x7e]/.test(n));
  const head = npyHeader(header, unicodeNames ? 3 : undefined);
  const out = new Uint8Array(head.length + rows * itemSize);
  out.set(head, 0);
  const view = new DataView(out.buffer, head.length);
  let fieldOffset = 0;
  for (const f of fields) {
    const at = (r: number): number => r * itemSize + fieldOffset;
    if (f.kind === 'U') {
      (f.col as string[]).forEach((s, r) => {
        let k = 0;
        // a character from the string iterator always has a code point
        for (const ch of s) view.setUint32(at(r) + 4 * k++, ch.codePointAt(0) ?? 0, true);
      });
    } else if (f.kind === 'b')
      (f.col as boolean[]).forEach((b, r) => {
        view.setUint8(at(r), b ? 1 : 0);
      });
    else if (f.descr === '<f8')
      (f.col as Float64Array).forEach((v, r) => {
        view.setFloat64(at(r), v, true);
      });
    else if (f.descr === '<f4')
      (f.col as Float32Array).forEach((v, r) => {
        view.setFloat32(at(r), v, true);
      });
    else if (f.descr === '<i4')
      (f.col as Int32Array).forEach((v, r) => {
        view.setInt32(at(r), v, true);
      });
    else
      (f.col as Uint8Array).forEach((v, r) => {
        view.setUint8(at(r), v);
      });
    fieldOffset += f.size;
  }
  return out;
}

function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function pyString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Magic, version, header length and the header padded so the data starts at a multiple of 64. */
function npyHeader(header: string, forceVersion?: number): Uint8Array {
  const encoded = new TextEncoder().encode(header);
  let version = forceVersion ?? 1;
  let prefix = version === 1 ? 10 : 12;
  let total = Math.ceil((prefix + encoded.length + 1) / 64) * 64;
  if (version === 1 && total - prefix > 65535) {
    version = 2;
    prefix = 12;
    total = Math.ceil((prefix + encoded.length + 1) / 64) * 64;
  }
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, total - prefix, true);
  else view.setUint32(8, total - prefix, true);
  out.set(encoded, prefix);
  out.fill(0x20, prefix + encoded.length, total - 1);
  out[total - 1] = 0x0a;
  return out;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function hostToLittle(data: Float64Array | Float32Array | Int32Array | Uint8Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST || data.BYTES_PER_ELEMENT === 1) return bytes;
  const copy = bytes.slice();
  const size = data.BYTES_PER_ELEMENT;
  for (let k = 0; k < copy.length; k += size) copy.subarray(k, k + size).reverse();
  return copy;
}
