// Errors, progress sinks, the JSON helper. Internal barrel: the public names are listed in src/index.ts.
export * from './errors.js';
export * from './progress.js';
export * from './json.js';
export * from './checked.js';
