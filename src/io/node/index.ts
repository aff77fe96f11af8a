/** Node-only file access: read matrices from files and folders, write tables and matrices atomically. */
export { readForgettingMatrix } from './readForgettingMatrix.js';
export { writeTable, writeMatrix, tableFormatFromPath, npySidecarPaths, type WriteOptions } from './writeTable.js';
export { readIdList } from './readIdList.js';
export { withExamplesFile } from './readExamplesFile.js';
export { atomicWrite, refuseOverwrite } from './atomicWrite.js';
export {
  readNpyColumnChunks,
  readNpyMatrixHeader,
  type NpyMatrixHeader,
  type NpyChunkOptions,
  type NpyColumnChunk,
} from './readNpyColumnChunks.js';
export * from './safetensors.js';
