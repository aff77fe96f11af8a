// Backends, streaming, small dense helpers, the seeded generator. Internal barrel: the public names are listed in src/index.ts.
export * from './types.js';
export * from './reference.js';
export * from './cpu/backend.js';
export * from './cpu/runner.js';
export * from './cpu/kernels.js';
export * from './webgpu/backend.js';
export * from './selectBackend.js';
export * from './defaultBackend.js';
export * from './columnFormsOn.js';
export type { ColumnForms, ColumnFormsInput } from './cpu/columnForms.js';
export * from './describe.js';
export * from './svd.js';
export * from './eigen.js';
export * from './random.js';
export * from './stream.js';
