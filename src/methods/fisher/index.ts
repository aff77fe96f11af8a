export * from './diagonalFisher.js';
export * from './forgettingConfidence.js';
export * from './overlap.js';
export * from './compareFisher.js';
