export * from './types.js';
export * from './builtin.js';
export * from './budget.js';
export * from './registry.js';
export * from './draw.js';
export * from './factors.js';
export * from './resolve.js';
