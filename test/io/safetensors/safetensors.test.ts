import fc from 'fast-check';
import {
  decodeTensor,
  encodeSafetensors,
  f16ToNumber,
  numberToBf16,
  numberToF16,
  parseSafetensors,
  parseSafetensorsHeader,
} from '../../../src/io/safetensors/safetensors.js';
import { ForgetscopeError } from '../../../src/util/errors.js';

function headerOf(json: string, dataBytes: number): Uint8Array {
  const j = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + j.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(j.length), true);
  out.set(j, 8);
  return out;
}

describe('safetensors codec', () => {
  test('hand-built file: F32 2×2 and F64 scalar decode exactly', () => {
    const json = JSON.stringify({
      a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      b: { dtype: 'F64', shape: [], data_offsets: [16, 24] },
    });
    const bytes = headerOf(json, 24);
    const v = new DataView(bytes.buffer, 8 + json.length);
    [1.5, -2, 0.25, 8].forEach((x, i) => v.setFloat32(4 * i, x, true));
    v.setFloat64(16, Math.PI, true);
    const { tensors } = parseSafetensors(bytes);
    expect(tensors.map((t) => t.name)).toEqual(['a', 'b']);
    expect(Array.from(tensors[0]!.data)).toEqual([1.5, -2, 0.25, 8]);
    expect(tensors[0]!.shape).toEqual([2, 2]);
    expect(tensors[1]!.data[0]).toBe(Math.PI);
    expect(tensors[1]!.data).toBeInstanceOf(Float64Array);
  });

  test('f16 and bf16 conversions by hand', () => {
    expect(f16ToNumber(0x3c00)).toBe(1);
    expect(f16ToNumber(0xc000)).toBe(-2);
    expect(f16ToNumber(0x7bff)).toBe(65504);
    expect(f16ToNumber(0x0001)).toBe(2 ** -24);
    expect(f16ToNumber(0x7c00)).toBe(Infinity);
    expect(numberToF16(1)).toBe(0x3c00);
    expect(numberToF16(65504)).toBe(0x7bff);
    expect(numberToF16(1e6)).toBe(0x7c00);
    expect(numberToF16(2 ** -24)).toBe(1);
    // 1 + 2^-11 is exactly half-way between 1 and 1 + 2^-10: ties to even (1).
    expect(numberToF16(1 + 2 ** -11)).toBe(0x3c00);
    expect(numberToBf16(1)).toBe(0x3f80);
    expect(numberToBf16(-2)).toBe(0xc000);
    // 1 + 2^-8 is half-way between bf16 1 and 1+2^-7: ties to even.
    expect(numberToBf16(1 + 2 ** -8)).toBe(0x3f80);
    expect(numberToBf16(1 + 3 * 2 ** -9)).toBe(0x3f81);
  });

  test('encode → parse round trip in every dtype, header padded to 8 bytes', () => {
    const vals = [0, 1, -2.5, 3.25, 100, -0.125];
    const bytes = encodeSafetensors(
      (['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8'] as const).map((dtype) => ({
        name: `t_${dtype}`,
        dtype,
        shape: [2, 3],
        data: dtype.startsWith('I') || dtype === 'U8' ? vals.map((x) => Math.abs(Math.trunc(x))) : vals,
      })),
      { format: 'pt' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const { header, tensors } = parseSafetensors(bytes, { precision: 'float64' });
    expect(header.metadata).toEqual({ format: 'pt' });
    for (const t of tensors) {
      const expected = t.dtype.startsWith('I') || t.dtype === 'U8' ? vals.map((x) => Math.abs(Math.trunc(x))) : vals;
      expect(Array.from(t.data)).toEqual(expected);
    }
  });

  test('selection by name regex', () => {
    const bytes = encodeSafetensors([
      { name: 'layers.0.lora_A.weight', shape: [1], data: [1] },
      { name: 'layers.0.lora_B.weight', shape: [1], data: [2] },
      { name: 'layers.1.lora_A.weight', shape: [1], data: [3] },
    ]);
    expect(parseSafetensors(bytes, { select: /lora_A/ }).tensors.map((t) => t.data[0])).toEqual([1, 3]);
    expect(parseSafetensors(bytes, { select: '^layers\\.0\\.' }).tensors.map((t) => t.data[0])).toEqual([1, 2]);
    expect(() => parseSafetensors(bytes, { select: '(' })).toThrow(ForgetscopeError);
  });

  test('mismatches are clear errors', () => {
    const bad = (json: string, data: number) => () => parseSafetensors(headerOf(json, data), { file: 'x.safetensors' });
    expect(bad('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', 8)).toThrow(
      /x\.safetensors: tensor "a": shape \[3\] × F32 needs 12 bytes but data_offsets span 8/,
    );
    expect(bad('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', 4)).toThrow(/past the end/);
    expect(bad('{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}', 8)).toThrow(/dtype "Q4" is not supported/);
    expect(
      bad(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
        8,
      ),
    ).toThrow(/overlap/);
    expect(bad('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8)).toThrow(/hole/);
    expect(bad('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 8)).toThrow(/after the last tensor/);
    expect(bad('{"a":', 0)).toThrow(/not valid JSON/);
    expect(bad('[1,2]', 0)).toThrow(/JSON object/);
    expect(bad('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}', 0)).toThrow(/non-negative/);
    expect(() => parseSafetensors(new Uint8Array(4))).toThrow(/too short/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1000n, true);
    expect(() => parseSafetensors(huge)).toThrow(/runs past the end/);
    const info = { name: 'a', dtype: 'F32' as const, shape: [2], size: 2, begin: 0, end: 8 };
    expect(() => decodeTensor(info, new Uint8Array(4))).toThrow(/expected 8/);
  });

  test('fuzz: corrupted headers either parse to consistent entries or throw ForgetscopeError', () => {
    const good = encodeSafetensors([
      { name: 'w', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
      { name: 'b', shape: [3], data: [7, 8, 9], dtype: 'F16' },
    ]);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (edits, cut) => {
          const bytes = good.slice();
          const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
          for (const [pos, val] of edits) bytes[pos % (8 + n)] = val;
          const truncated = cut % 5 === 0 ? bytes.subarray(0, cut % bytes.length) : bytes;
          try {
            const { header, tensors } = parseSafetensors(truncated);
            for (const t of tensors) {
              const info = header.tensors.find((i) => i.name === t.name)!;
              expect(t.data.length).toBe(info.size);
              expect(header.dataOffset + info.end).toBeLessThanOrEqual(truncated.length);
            }
          } catch (e) {
            expect(e).toBeInstanceOf(ForgetscopeError);
          }
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  test('header validation works without the data (ranged reading)', () => {
    const json = '{"a":{"dtype":"BF16","shape":[4096,11008],"data_offsets":[0,90177536]}}';
    const h = parseSafetensorsHeader(new TextEncoder().encode(json), 8 + json.length + 90177536);
    expect(h.tensors[0]!.size).toBe(4096 * 11008);
  });
});
