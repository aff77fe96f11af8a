import { CompressionType, compressionRegistry } from 'apache-arrow';
import { decompress as decompressZstd } from 'fzstd';
import { decodeLz4Frame } from './lz4Frame.js';

let registered = false;

/**
 * Teaches apache-arrow to read compressed IPC buffers (LZ4_FRAME, pyarrow's Feather default, and
 * ZSTD). apache-arrow ships the hook but no codecs. Idempotent; decoding only.
 */
export function registerArrowCodecs(): void {
  if (registered) return;
  registered = true;
  if (!compressionRegistry.get(CompressionType.LZ4_FRAME))
    compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: decodeLz4Frame });
  if (!compressionRegistry.get(CompressionType.ZSTD))
    compressionRegistry.set(CompressionType.ZSTD, {
      decode: (b: Uint8Array) => decompressZstd(b).slice() /* aligned copy for typed-array views */,
    });
}
