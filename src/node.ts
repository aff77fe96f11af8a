/**
 * forgetscope's Node-only entry point (`forgetscope/node`): everything in `forgetscope` plus the edges that
 * need Node — file readers and writers, worker-thread CPU kernels, Dawn WebGPU, PNG output. Every name it
 * adds is listed here, grouped like `src/index.ts`; `test/package/surface.test.ts` checks the list.
 */
export * from './index.js';

// # Files: read matrices and id lists, write tables and matrices atomically
export { readForgettingMatrix } from './io/node/index.js';
// The Node reader's options, report and result add side matrices to the core read types of `forgetscope`.
export type { ReadOptions, ReadReport, ReadResult } from './io/node/readTypes.js';
export { readSideMatrices, type SideReadResult } from './io/node/readSideMatrices.js';
export { readIdList, withExamplesFile } from './io/node/index.js';
export { tableFormatFromPath, writeMatrix, writeTable, type WriteOptions } from './io/node/index.js';
export { atomicWrite, refuseOverwrite } from './io/node/index.js';
export {
  readNpyColumnChunks,
  readNpyMatrixHeader,
  type NpyChunkOptions,
  type NpyColumnChunk,
  type NpyMatrixHeader,
} from './io/node/index.js';
export {
  openSafetensorsFile,
  readSafetensorsFile,
  writeSafetensorsFile,
  type SafetensorsFile,
} from './io/node/index.js';

// # Backends: Dawn WebGPU, worker threads, the system BLAS, the CLI's backend choice
export { createNodeCpuBackend, nodeGpu, resolveNodeBackend, selectNodeBackend } from './linalg/node.js';
export { createWorkerRunner, type NodeCpuBackendOptions, type WorkerRunnerOptions } from './linalg/node.js';
export {
  loadNodeBlas,
  NODE_BLAS_CANDIDATES,
  withBlas,
  type BlasLibrary,
  type LoadNodeBlasOptions,
  type WithBlasOptions,
} from './linalg/node.js';

// # PNG output
export { renderPng, svgToPng, type PngOptions } from './viz/node/index.js';
