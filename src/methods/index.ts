/** The four seed-method modules: narrow tuning, adaptive-SVD subspaces, Fisher importance, interpolated LoRA. */
export * from './shared/correlation.js';
export * from './narrow-tuning/index.js';
