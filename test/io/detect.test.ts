import { formatFromBytes } from '../../src/io/detect.js';

const bytes = (text: string, prefix: number[] = []) => Uint8Array.from([...prefix, ...new TextEncoder().encode(text)]);

describe('formatFromBytes (magic bytes, then the text)', () => {
  test('binary formats by their magic', () => {
    expect(formatFromBytes(bytes("\u0001\u0000{'descr'", [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]))).toBe('npy');
    expect(formatFromBytes(bytes('PAR1\u0015\u0004'))).toBe('parquet');
    expect(formatFromBytes(bytes('ARROW1\u0000\u0000'))).toBe('arrow');
    expect(formatFromBytes(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0))).toBe('arrow-stream');
  });

  test('a magic cut short is not that format; text falls through to JSON Lines or delimited', () => {
    expect(formatFromBytes(bytes('ARROW'))).not.toBe('arrow');
    expect(formatFromBytes(bytes('PAR'))).not.toBe('parquet');
    expect(formatFromBytes(bytes('{"task": "t"}\n'))).toBe('jsonl');
    expect(formatFromBytes(bytes('task\texample\tdelta\n'))).toBe('tsv');
    expect(formatFromBytes(bytes('task,example,delta\n'))).toBe('csv');
    expect(formatFromBytes(new Uint8Array(0))).toBeNull();
  });
});
