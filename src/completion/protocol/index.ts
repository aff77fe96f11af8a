export * from './seedSequence.js';
export * from './pcg64.js';
export * from './generator.js';
export * from './metrics.js';
export * from './evaluate.js';
export * from './mt19937.js';
export * from './ziggurat.js';
