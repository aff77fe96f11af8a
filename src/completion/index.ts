export * from './types.js';
export * from './protocol/index.js';
export * from './methods/index.js';
export * from './registry.js';
export * from './probes/index.js';
export * from './loo/index.js';
export * from './conformal.js';
export * from './known.js';
