export * from './errors.js';
export * from './progress.js';
export * from './json.js';
