/** The four seed-method modules: narrow tuning, adaptive-SVD subspaces, Fisher importance, interpolated LoRA. Internal barrel: the public names are listed in src/index.ts. */
export * from './narrow-tuning/index.js';
export * from './shared/backend.js';
export * from './subspace/index.js';
export * from './fisher/index.js';
export * from './interpolated-lora/index.js';
