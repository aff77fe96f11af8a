/**
 * forgetscope's public API (runs in Node, Deno and browsers). Node-only file access is in
 * `forgetscope/node`. This file only re-exports.
 */
export { VERSION } from './version.js';
export * from './util/index.js';
export * from './matrix/index.js';
export * from './io/index.js';
export * from './linalg/index.js';
export * from './analysis/index.js';
export * from './completion/index.js';
export * from './replay/index.js';
export * from './methods/index.js';
export * from './viz/index.js';
export * from './report/index.js';
