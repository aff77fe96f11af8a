/** The codecs registered with apache-arrow decode hand-built LZ4 and Zstandard frames. */
import { CompressionType, compressionRegistry } from 'apache-arrow';
import { registerArrowCodecs } from '../../../src/io/arrow/registerCodecs.js';

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

describe('registerArrowCodecs', () => {
  test('LZ4_FRAME and ZSTD decode; registering twice keeps the same codecs', () => {
    registerArrowCodecs();
    const lz4 = compressionRegistry.get(CompressionType.LZ4_FRAME)!;
    const zstd = compressionRegistry.get(CompressionType.ZSTD)!;
    // LZ4 frame: magic, FLG, BD, header checksum, one uncompressed block (size 3 | high bit), end mark.
    const lz4Frame = Uint8Array.from([
      0x04,
      0x22,
      0x4d,
      0x18,
      0x40,
      0x40,
      0,
      3,
      0,
      0,
      0x80,
      ...ascii('hi!'),
      0,
      0,
      0,
      0,
    ]);
    expect(String.fromCharCode(...lz4.decode!(lz4Frame))).toBe('hi!');
    // Zstandard frame: magic, single-segment descriptor, content size 3, a last raw block of 3 bytes.
    const zstdFrame = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 3, (3 << 3) | 1, 0, 0, ...ascii('ok?')]);
    expect(String.fromCharCode(...zstd.decode!(zstdFrame))).toBe('ok?');
    registerArrowCodecs();
    expect(compressionRegistry.get(CompressionType.LZ4_FRAME)).toBe(lz4);
    expect(compressionRegistry.get(CompressionType.ZSTD)).toBe(zstd);
  });
});
