/** Node-only entry point (`forgetscope/node`): file readers/writers, worker-based CPU kernels, Dawn WebGPU. */
export * from './index.js';
export * from './io/node/index.js';
export * from './linalg/node.js';
export * from './viz/node/index.js';
export { readSideMatrices, type SideReadResult } from './io/node/readSideMatrices.js';
