export * from './ema.js';
export * from './interpolate.js';
export * from './barrier.js';
export * from './dualMemory.js';
export * from './mergeAdapters.js';
